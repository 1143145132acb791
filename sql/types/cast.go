package types

import (
	"math"
)

// CoercionContext is when a cast may be applied, as pg_cast.castcontext.
type CoercionContext uint8

// Coercion contexts, from most to least permissive requirement.
const (
	CoerceImplicit   CoercionContext = iota // in any expression
	CoerceAssignment                        // INSERT/UPDATE target columns
	CoerceExplicit                          // only with CAST / ::
)

// CastContext returns the least context in which a cast from one type to
// another is allowed, and false when no cast exists. Types that only differ
// in typmod are always castable (length coercion).
func CastContext(from, to OID) (CoercionContext, bool) {
	if from == to || from == OIDUnknown {
		_, ok := Info(to)
		return CoerceImplicit, ok
	}
	rf, rt := numRank(from), numRank(to)
	isStr := func(o OID) bool { return o == OIDText || o == OIDVarchar || o == OIDBpchar }
	fe, fromArr := Type{OID: from}.ElemType()
	te, toArr := Type{OID: to}.ElemType()
	if !isStr(from) && !isStr(to) && !fromArr && !toArr {
		if cc, ok, handled := timeCastContext(from, to); handled { // time.go
			return cc, ok
		}
	}
	switch {
	case fromArr && toArr:
		return CastContext(fe.OID, te.OID)
	case from == OIDJSONB && (rt > 0 || to == OIDBool):
		return CoerceExplicit, true
	case (from == OIDJSON && to == OIDJSONB) || (from == OIDJSONB && to == OIDJSON):
		return CoerceAssignment, true
	case rf > 0 && rt > 0:
		if rf < rt {
			return CoerceImplicit, true
		}
		return CoerceAssignment, true
	case isStr(from) && isStr(to):
		return CoerceImplicit, true
	case (from == OIDInt4 && to == OIDBool) || (from == OIDBool && to == OIDInt4):
		return CoerceExplicit, true
	case from == OIDDate && (to == OIDTimestamp || to == OIDTimestamptz), from == OIDTimestamp && to == OIDTimestamptz:
		return CoerceImplicit, true
	case (from == OIDTimestamptz || from == OIDTimestamp) && (to == OIDDate || to == OIDTimestamp):
		return CoerceAssignment, true
	case isStr(to):
		_, ok := Info(from)
		return CoerceAssignment, ok
	case isStr(from):
		_, ok := Info(to)
		return CoerceExplicit, ok
	}
	return CoerceExplicit, false
}

// Cast converts d from type `from` to type `to` under ctx, then applies
// to's typmod (explicit casts truncate strings; otherwise too long → 22001).
// It does not check that ctx permits the cast: use CastContext for that.
func Cast(d Datum, from, to Type, ctx CoercionContext, env *Env) (Datum, error) {
	if d.K == KindNull {
		return Null, nil
	}
	explicit := ctx == CoerceExplicit
	if from.OID == OIDBpchar && to.OID != OIDBpchar && d.K == KindString {
		d.S = TrimBpchar(d.S)
	}
	var err error
	if from.OID != to.OID {
		d, err = convert(d, from, to, explicit, env)
		if err != nil {
			return Null, err
		}
	}
	return applyTypmod(d, to, explicit)
}

func applyTypmod(d Datum, to Type, explicit bool) (Datum, error) {
	if d.K == KindArray {
		et, ok := to.ElemType()
		if !ok || et.Typmod < 0 || (et.OID != OIDVarchar && et.OID != OIDBpchar && et.OID != OIDNumeric &&
			et.OID != OIDTimestamp && et.OID != OIDTimestamptz && et.OID != OIDInterval) {
			return d, nil
		}
		out := &Array{Dims: d.A.Dims, LBounds: d.A.LBounds, Elems: make([]Datum, len(d.A.Elems))}
		for i, e := range d.A.Elems {
			if e.K == KindNull {
				continue
			}
			v, err := applyTypmod(e, et, explicit)
			if err != nil {
				return Null, err
			}
			out.Elems[i] = v
		}
		return NewArray(out), nil
	}
	switch to.OID {
	case OIDVarchar, OIDBpchar:
		s, err := CoerceString(to, d.S, explicit)
		if err != nil {
			return Null, err
		}
		d.S = s
	case OIDNumeric:
		n, err := d.N.ApplyTypmod(to)
		if err != nil {
			return Null, err
		}
		d.N = n
	case OIDTimestamp, OIDTimestamptz:
		d.I = RoundTimestamp(d.I, to.Typmod)
	case OIDTime, OIDTimetz:
		d.I = RoundTime(d.I, to.Typmod)
	case OIDInterval:
		d = NewInterval(RoundInterval(d.Interval(), to.Typmod))
	}
	return d, nil
}

func isStringOID(o OID) bool {
	return o == OIDText || o == OIDVarchar || o == OIDBpchar || o == OIDUnknown
}

func convert(d Datum, from, to Type, explicit bool, env *Env) (Datum, error) {
	if d.K == KindArray {
		if te, ok := to.ElemType(); ok {
			fe, _ := from.ElemType()
			ctx := CoerceAssignment
			if explicit {
				ctx = CoerceExplicit
			}
			out := &Array{Dims: d.A.Dims, LBounds: d.A.LBounds, Elems: make([]Datum, len(d.A.Elems))}
			for i, e := range d.A.Elems {
				v, err := Cast(e, fe, Type{OID: te.OID, Typmod: -1}, ctx, env)
				if err != nil {
					return Null, err
				}
				out.Elems[i] = v
			}
			return NewArray(out), nil
		}
	}
	if d.K == KindJSON && to.OID == OIDJSON { // jsonb → json: its normalized text
		return NewString(d.J.String()), nil
	}
	if d.K == KindJSON && !isStringOID(to.OID) {
		return jsonToScalar(d.J, to)
	}
	if isStringOID(to.OID) {
		if d.K == KindString {
			return d, nil
		}
		if d.K == KindBool { // booltext
			if d.I != 0 {
				return NewString("true"), nil
			}
			return NewString("false"), nil
		}
		return NewString(string(AppendText(nil, from, d, env))), nil
	}
	if d.K == KindString {
		if to.OID == OIDVarchar || to.OID == OIDBpchar {
			return d, nil
		}
		return ParseText(Type{OID: to.OID, Typmod: -1}, d.S, env)
	}
	if r, ok, err := timeConvert(d, from, to, env); ok { // time.go
		return r, err
	}
	switch to.OID {
	case OIDInt2, OIDInt4, OIDInt8:
		_, _, name, errRange := intRange(to.OID)
		var v int64
		switch d.K {
		case KindInt:
			v = d.I
		case KindFloat:
			f := math.RoundToEven(d.F)
			if math.IsNaN(f) || f < -9223372036854775808.0 || f >= 9223372036854775808.0 {
				return Null, errRange
			}
			v = int64(f)
		case KindNumeric:
			if d.N.IsNaN() {
				return Null, Errorf(CodeFeatureNotSupported, "cannot convert NaN to %s", name)
			}
			if d.N.IsInf() {
				return Null, Errorf(CodeFeatureNotSupported, "cannot convert infinity to %s", name)
			}
			var ok bool
			if v, ok = d.N.Int64(); !ok {
				return Null, errRange
			}
		case KindBool:
			if to.OID != OIDInt4 {
				return Null, cannotCast(from, to)
			}
			v = d.I
		default:
			return Null, cannotCast(from, to)
		}
		lo, hi, _, _ := intRange(to.OID)
		if v < lo || v > hi {
			return Null, errRange
		}
		return NewInt(v), nil
	case OIDNumeric:
		switch d.K {
		case KindInt:
			return NewNumeric(NumericFromInt64(d.I)), nil
		case KindFloat:
			if from.OID == OIDFloat4 {
				return NewNumeric(float4ToNumeric(d.F)), nil
			}
			return NewNumeric(NumericFromFloat64(d.F)), nil
		case KindNumeric:
			return d, nil
		}
	case OIDFloat4:
		if r, ok, err := toFloat4Datum(d); ok {
			return r, err
		}
	case OIDFloat8:
		switch d.K {
		case KindInt:
			return NewFloat(float64(d.I)), nil
		case KindNumeric:
			f, ok := d.N.Float64()
			if !ok {
				return Null, errFloatOutOfRange(d.N.String())
			}
			return NewFloat(f), nil
		case KindFloat:
			return d, nil
		}
	case OIDBool:
		if d.K == KindInt && from.OID == OIDInt4 {
			return NewBool(d.I != 0), nil
		}
	case OIDDate:
		switch d.K {
		case KindTimestamp, KindTimestamptz:
			us := d.I
			if us == TimestampPosInfinity {
				return NewDate(DatePosInfinity), nil
			}
			if us == TimestampNegInfinity {
				return NewDate(DateNegInfinity), nil
			}
			if d.K == KindTimestamptz {
				var err error
				if us, err = TimestamptzToTimestamp(us, env.loc()); err != nil {
					return Null, err
				}
			}
			return NewDate(int32(floorDiv(us, usecsPerDay))), nil
		}
	case OIDTimestamp:
		switch d.K {
		case KindDate:
			return NewTimestamp(dateToTimestamp(d.I)), nil
		case KindTimestamptz:
			us, err := TimestamptzToTimestamp(d.I, env.loc())
			if err != nil {
				return Null, err
			}
			return NewTimestamp(us), nil
		}
	case OIDTimestamptz:
		switch d.K {
		case KindDate, KindTimestamp:
			us := d.I
			if d.K == KindDate {
				us = dateToTimestamp(d.I)
			}
			r, err := TimestampToTimestamptz(us, env.loc())
			if err != nil {
				return Null, err
			}
			return NewTimestamptz(r), nil
		}
	}
	return Null, cannotCast(from, to)
}

func cannotCast(from, to Type) error {
	return Errorf(CodeCannotCoerce, "cannot cast type %s to %s", from, to)
}

// jsonToScalar is the jsonb → numeric/float8/int/bool casts.
func jsonToScalar(j *JSON, to Type) (Datum, error) {
	kindName := map[JSONKind]string{JSONNull: "null", JSONString: "string", JSONNumber: "numeric", JSONBool: "boolean", JSONArray: "array", JSONObject: "object"}[j.Kind]
	wrong := Errorf(CodeInvalidParameterValue, "cannot cast jsonb %s to type %s", kindName, to)
	if to.OID == OIDBool {
		if j.Kind != JSONBool {
			return Null, wrong
		}
		return NewBool(j.Bool), nil
	}
	if numRank(to.OID) == 0 {
		return Null, cannotCast(JSONB, to)
	}
	if j.Kind != JSONNumber {
		return Null, wrong
	}
	return convert(NewNumeric(j.Num), Numeric_, to, true, nil)
}
