package exec

import (
	"github.com/borealis-db/borealis/sql/types"
)

// intRank orders the integer types by width (int2 < int4 < int8).
func intRank(t types.Type) int {
	switch t.OID {
	case types.OIDInt2:
		return 1
	case types.OIDInt4:
		return 2
	case types.OIDInt8:
		return 3
	}
	return 0
}

// bitOp compiles the binary integer operators & | # (and, or, xor) and the
// shifts << >>, as PostgreSQL's int2/int4/int8 operators: the operands of
// & | # are promoted to the wider integer type, which is the result's; a
// shift keeps the left operand's type and takes an int4 count (int2 is
// widened to it), masked to the type's width as the C shift on x86 does.
func (cp *compiler) bitOp(op string, l, r expr) (expr, error) {
	var err error
	if isUnknown(l) && isUnknown(r) {
		return nil, errf(types.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", op)
	}
	shift := op == "<<" || op == ">>"
	if isUnknown(l) {
		to := r.typ()
		if shift || !to.IsInt() {
			to = types.Int4
		}
		if l, err = cp.coerce(l, to, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	if isUnknown(r) {
		to := l.typ()
		if shift || !to.IsInt() {
			to = types.Int4
		}
		if r, err = cp.coerce(r, to, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	lt, rt := l.typ(), r.typ()
	if !lt.IsInt() || !rt.IsInt() || (shift && rt.OID == types.OIDInt8) {
		return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt)
	}
	t := lt
	if !shift && intRank(rt) > intRank(lt) {
		t = rt
	}
	return &bitOpExpr{op: op, l: l, r: r, t: t}, nil
}

// bitOpExpr is l op r for an integer bit operator.
type bitOpExpr struct {
	op   string
	l, r expr
	t    types.Type
}

func (e *bitOpExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil || b.IsNull() {
		return types.Null, err
	}
	x, y := a.I, b.I
	var v int64
	switch e.op {
	case "&":
		v = x & y
	case "|":
		v = x | y
	case "#":
		v = x ^ y
	case "<<", ">>":
		// int2 and int4 shift as 32-bit C ints (count mod 32), int8 as a
		// 64-bit one (count mod 64); int2 results are then truncated.
		if e.t.OID == types.OIDInt8 {
			n := uint(y) & 63
			if e.op == "<<" {
				v = x << n
			} else {
				v = x >> n
			}
		} else {
			n := uint(y) & 31
			if e.op == "<<" {
				v = int64(int32(x) << n)
			} else {
				v = int64(int32(x) >> n)
			}
		}
	}
	if e.t.OID == types.OIDInt2 {
		v = int64(int16(v))
	}
	return types.NewInt(v), nil
}

func (e *bitOpExpr) typ() types.Type { return e.t }
