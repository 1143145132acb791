package exec

import (
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// jsonTextOps are the operators the json type (not only jsonb) has.
var jsonTextOps = map[string]bool{"->": true, "->>": true, "#>": true, "#>>": true}

// jsonTextOp evaluates -> ->> #> #>> on json text s: sub-values are
// returned verbatim (a repeated key's last value, as PostgreSQL's json).
func jsonTextOp(op, s string, b types.Datum, isInt bool) (types.Datum, error) {
	var v string
	var ok bool
	switch op {
	case "->", "->>":
		if isInt {
			v, ok = types.JSONTextElem(s, b.I)
		} else {
			v, ok = types.JSONTextField(s, b.S)
		}
	default:
		if b.A == nil || hasNullElem(b.A) {
			return types.Null, nil
		}
		v, ok = funcs.JSONTextPath(s, textElems(b.A))
	}
	if !ok {
		return types.Null, nil
	}
	if op == "->" || op == "#>" {
		return types.NewString(v), nil
	}
	t, ok, err := types.JSONTextScalar(v)
	if err != nil || !ok {
		return types.Null, err
	}
	return types.NewString(t), nil
}
