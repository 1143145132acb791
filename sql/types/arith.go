package types

import (
	"math"
	"math/bits"
)

// ArithOp is a binary arithmetic operator.
type ArithOp uint8

// Arithmetic operators.
const (
	OpAdd ArithOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
)

// String returns the operator symbol.
func (op ArithOp) String() string { return [...]string{"+", "-", "*", "/", "%"}[op] }

// numRank orders the numeric types by width (0: not numeric); casts and
// arithmetic both use it to pick the wider type.
func numRank(o OID) int {
	switch o {
	case OIDInt2:
		return 1
	case OIDInt4:
		return 2
	case OIDInt8:
		return 3
	case OIDNumeric:
		return 4
	case OIDFloat4:
		return 5
	case OIDFloat8:
		return 6
	}
	return 0
}

// ArithResultType resolves the result type of `l op r` like PostgreSQL's
// operator resolution (int2+int4 → int4, int + numeric → numeric, anything
// with float8 → float8, date ± int4 → date, date - date → int4); operands
// of type unknown are taken as the other side's type. No operator → 42883.
func ArithResultType(op ArithOp, l, r Type) (Type, error) {
	if op == OpAdd && ((l.OID == OIDDate && r.OID == OIDUnknown) || (l.OID == OIDUnknown && r.OID == OIDDate)) {
		return Type{}, Errorf(CodeAmbiguousFunction, "operator is not unique: %s %s %s", l, op, r)
	}
	lo, ro := resolveUnknown(op, l.OID, r.OID)
	if lo == OIDUnknown && ro == OIDUnknown {
		return Type{}, Errorf(CodeUndefinedFunction, "operator is not unique: unknown %s unknown", op)
	}
	if t, ok := timeArithType(op, lo, ro); ok { // time.go
		return t, nil
	}
	rl, rr := numRank(lo), numRank(ro)
	if rl > 0 && rr > 0 {
		res := lo
		if rr > rl {
			res = ro
		}
		if res == OIDFloat4 && (lo != OIDFloat4 || ro != OIDFloat4) {
			res = OIDFloat8 // only real op real is real (float48pl and friends)
		}
		if (res != OIDFloat8 && res != OIDFloat4) || op != OpMod {
			return Type{OID: res, Typmod: -1}, nil
		}
	}
	switch {
	case lo == OIDDate && (ro == OIDInt4 || ro == OIDInt2 || ro == OIDInt8) && (op == OpAdd || op == OpSub):
		return Date, nil
	case ro == OIDDate && (lo == OIDInt4 || lo == OIDInt2 || lo == OIDInt8) && op == OpAdd:
		return Date, nil
	case lo == OIDDate && ro == OIDDate && op == OpSub:
		return Int4, nil
	case lo == OIDInterval && ro == OIDInterval && (op == OpAdd || op == OpSub):
		return Interval_, nil
	case isDatetimeOID(lo) && ro == OIDInterval && (op == OpAdd || op == OpSub):
		return datetimePlusIntervalType(lo), nil
	case lo == OIDInterval && isDatetimeOID(ro) && op == OpAdd:
		return datetimePlusIntervalType(ro), nil
	case isDatetimeOID(lo) && isDatetimeOID(ro) && op == OpSub:
		return Interval_, nil
	case lo == OIDInterval && numRank(ro) > 0 && (op == OpMul || op == OpDiv):
		return Interval_, nil
	case numRank(lo) > 0 && ro == OIDInterval && op == OpMul:
		return Interval_, nil
	}
	return Type{}, Errorf(CodeUndefinedFunction, "operator does not exist: %s %s %s", Type{OID: lo}, op, Type{OID: ro})
}

// Arith evaluates `a op b` for operands of types lt and rt, returning the
// result and its type. NULL in → NULL out. Integer overflow gives 22003
// "integer out of range" (smallint/bigint for those types), division by
// zero 22012. Date/time arithmetic: timestamp(tz)/date ± interval,
// timestamp(tz)/date − timestamp(tz)/date → interval (date − date → int4),
// interval ± interval, interval * and / numbers; timestamptz ± interval
// adds months and days in env's time zone, as PostgreSQL does.
func Arith(op ArithOp, lt Type, a Datum, rt Type, b Datum) (Datum, Type, error) {
	return ArithEnv(op, lt, a, rt, b, nil)
}

// ArithEnv is Arith with the session settings (the time zone matters to
// timestamptz ± interval and to timestamp − timestamptz).
func ArithEnv(op ArithOp, lt Type, a Datum, rt Type, b Datum, env *Env) (Datum, Type, error) {
	res, err := ArithResultType(op, lt, rt)
	if err != nil {
		return Null, res, err
	}
	if a.K == KindNull || b.K == KindNull {
		return Null, res, nil
	}
	// Untyped literals take the type operator resolution gave them.
	lo, ro := resolveUnknown(op, lt.OID, rt.OID)
	if lt.OID == OIDUnknown && a.K == KindString {
		if a, err = ParseText(Type{OID: lo, Typmod: -1}, a.S, env); err != nil {
			return Null, res, err
		}
	}
	if rt.OID == OIDUnknown && b.K == KindString {
		if b, err = ParseText(Type{OID: ro, Typmod: -1}, b.S, env); err != nil {
			return Null, res, err
		}
	}
	if d, ok, err := timeArith(op, Type{OID: lo}, a, Type{OID: ro}, b); ok { // time.go
		return d, res, err
	}
	if a.K == KindInterval || b.K == KindInterval || (res.OID == OIDInterval) {
		d, err := intervalArith(op, a, b, env)
		return d, res, err
	}
	var d Datum
	switch res.OID {
	case OIDInt2, OIDInt4, OIDInt8:
		d, err = intArith(op, res.OID, a.I, b.I)
	case OIDNumeric:
		d, err = numericArith(op, toNumeric(a), toNumeric(b))
	case OIDFloat8:
		d, err = floatArith(op, toFloat(a), toFloat(b))
	case OIDFloat4:
		d, err = float4Arith(op, a.F, b.F)
	case OIDDate:
		d, err = dateArith(op, a, b)
	default:
		err = Errorf(CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt)
	}
	return d, res, err
}

// Neg evaluates unary minus.
func Neg(t Type, a Datum) (Datum, error) {
	switch a.K {
	case KindInterval:
		iv, err := NegInterval(a.Interval())
		if err != nil {
			return Null, err
		}
		return NewInterval(iv), nil
	case KindNull:
		return Null, nil
	case KindInt:
		return intArith(OpSub, t.OID, 0, a.I)
	case KindFloat:
		return NewFloat(-a.F), nil
	case KindNumeric:
		return NewNumeric(a.N.Neg()), nil
	}
	return Null, Errorf(CodeUndefinedFunction, "operator does not exist: - %s", t)
}

func toNumeric(d Datum) *Numeric {
	if d.K == KindInt {
		return NumericFromInt64(d.I)
	}
	if d.K == KindFloat {
		return NumericFromFloat64(d.F)
	}
	if d.N == nil {
		return &Numeric{}
	}
	return d.N
}

func toFloat(d Datum) float64 {
	switch d.K {
	case KindInt:
		return float64(d.I)
	case KindNumeric:
		f, _ := d.N.Float64()
		return f
	}
	return d.F
}

func intArith(op ArithOp, oid OID, a, b int64) (Datum, error) {
	lo, hi, _, errRange := intRange(oid)
	var r int64
	switch op {
	case OpAdd:
		r = a + b
		if (a > 0 && b > 0 && r < 0) || (a < 0 && b < 0 && r >= 0) {
			return Null, errRange
		}
	case OpSub:
		r = a - b
		if (a >= 0 && b < 0 && r < 0) || (a < 0 && b > 0 && r >= 0) {
			return Null, errRange
		}
	case OpMul:
		neg := (a < 0) != (b < 0)
		ua, ub := absU(a), absU(b)
		h, l := bits.Mul64(ua, ub)
		if h != 0 || (!neg && l > math.MaxInt64) || (neg && l > 1<<63) {
			return Null, errRange
		}
		if neg {
			r = int64(-l)
		} else {
			r = int64(l)
		}
	case OpDiv:
		if b == 0 {
			return Null, errDivByZero
		}
		if b == -1 {
			if a == lo {
				return Null, errRange
			}
			r = -a
		} else {
			r = a / b
		}
	case OpMod:
		if b == 0 {
			return Null, errDivByZero
		}
		if b == -1 {
			r = 0
		} else {
			r = a % b
		}
	}
	if r < lo || r > hi {
		return Null, errRange
	}
	return NewInt(r), nil
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

func numericArith(op ArithOp, a, b *Numeric) (Datum, error) {
	var r *Numeric
	var err error
	switch op {
	case OpAdd:
		r = a.Add(b)
	case OpSub:
		r = a.Sub(b)
	case OpMul:
		r = a.Mul(b)
	case OpDiv:
		r, err = a.Div(b)
	case OpMod:
		r, err = a.Mod(b)
	}
	if err != nil {
		return Null, err
	}
	if err := r.checkRange(); err != nil {
		return Null, err
	}
	return NewNumeric(r), nil
}

func floatArith(op ArithOp, a, b float64) (Datum, error) {
	r, err := floatOp(op, a, b, "double precision")
	if err != nil {
		return Null, err
	}
	return NewFloat(r), nil
}

// floatOp is float8pl/mi/mul/div (F float64) and float4pl/mi/mul/div (F
// float32, so the result is rounded as real): PostgreSQL's overflow,
// underflow and division-by-zero checks; typ names the type in errors.
func floatOp[F float32 | float64](op ArithOp, a, b F, typ string) (F, error) {
	isInf := func(f F) bool { return math.IsInf(float64(f), 0) }
	var r F
	switch op {
	case OpAdd:
		r = a + b
	case OpSub:
		r = a - b
	case OpMul:
		r = a * b
		if r == 0 && a != 0 && b != 0 {
			return 0, errFloatUnderflow
		}
	case OpDiv:
		if b == 0 {
			return 0, errDivByZero
		}
		r = a / b
		if r == 0 && a != 0 && !isInf(b) {
			return 0, errFloatUnderflow
		}
	default:
		return 0, Errorf(CodeUndefinedFunction, "operator does not exist: %s %% %s", typ, typ)
	}
	if isInf(r) && !isInf(a) && !isInf(b) {
		return 0, errFloatOverflow
	}
	return r, nil
}

func dateArith(op ArithOp, a, b Datum) (Datum, error) {
	if a.K == KindDate && b.K == KindDate {
		if a.I == DatePosInfinity || a.I == DateNegInfinity || b.I == DatePosInfinity || b.I == DateNegInfinity {
			return Null, Errorf(CodeDatetimeFieldOverflow, "cannot subtract infinite dates")
		}
		return NewInt(a.I - b.I), nil
	}
	days, n := a.I, b.I
	if a.K != KindDate {
		days, n = b.I, a.I
	}
	if days == DatePosInfinity || days == DateNegInfinity {
		return NewDate(int32(days)), nil
	}
	if op == OpSub {
		n = -n
	}
	r := days + n
	if !validDate(r) {
		return Null, Errorf(CodeDatetimeFieldOverflow, "date out of range")
	}
	return NewDate(int32(r)), nil
}
