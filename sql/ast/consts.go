package ast

import (
	"math"
	"strconv"

	"github.com/borealis-db/borealis/sql/types"
)

var unknownType = types.Unknown

func strConst(s string) types.Datum { return types.NewString(s) }

// numConst types a numeric literal as PostgreSQL does: int4 if it fits, then
// int8, otherwise numeric.
func numConst(s string) (*Const, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i >= math.MinInt32 && i <= math.MaxInt32 {
			return &Const{Value: types.NewInt(i), Type: types.Int4, Loc: -1}, nil
		}
		return &Const{Value: types.NewInt(i), Type: types.Int8, Loc: -1}, nil
	}
	n, err := types.ParseNumeric(s)
	if err != nil {
		return nil, err
	}
	return &Const{Value: types.NewNumeric(n), Type: types.Numeric_, Loc: -1}, nil
}
