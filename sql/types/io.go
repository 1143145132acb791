package types

import (
	"encoding/binary"
	"math"
	"strconv"
)

// ParseText runs t's text input function on s (as COPY and text-format
// parameters do), enforcing t's typmod the way the input function does
// (varchar(n)/char(n) too long → 22001, numeric(p,s) → 22003).
func ParseText(t Type, s string, env *Env) (Datum, error) {
	switch t.OID {
	case OIDBool:
		b, err := ParseBool(s)
		if err != nil {
			return Null, err
		}
		return NewBool(b), nil
	case OIDInt2, OIDInt4, OIDInt8:
		v, err := ParseInt(t.OID, s)
		if err != nil {
			return Null, err
		}
		return NewInt(v), nil
	case OIDFloat8:
		f, err := ParseFloat8(s)
		if err != nil {
			return Null, err
		}
		return NewFloat(f), nil
	case OIDFloat4:
		f, err := ParseFloat4(s)
		if err != nil {
			return Null, err
		}
		return NewFloat(f), nil
	case OIDNumeric:
		n, err := ParseNumeric(s)
		if err != nil {
			return Null, err
		}
		if n, err = n.ApplyTypmod(t); err != nil {
			return Null, err
		}
		return NewNumeric(n), nil
	case OIDText, OIDUnknown:
		return NewString(s), nil
	case OIDVarchar, OIDBpchar:
		v, err := CoerceString(t, s, false)
		if err != nil {
			return Null, err
		}
		return NewString(v), nil
	case OIDDate:
		d, err := ParseDate(s, env)
		if err != nil {
			return Null, err
		}
		return NewDate(d), nil
	case OIDTimestamp, OIDTimestamptz:
		us, err := ParseTimestamp(s, t.OID == OIDTimestamptz, env)
		if err != nil {
			return Null, err
		}
		us = RoundTimestamp(us, t.Typmod)
		return Datum{K: t.Kind(), I: us}, nil
	case OIDTime, OIDTimetz:
		return timeParseText(t, s, env)
	case OIDBytea:
		b, err := ParseBytea(s)
		if err != nil {
			return Null, err
		}
		return NewBytea(b), nil
	case OIDInterval:
		iv, err := parseIntervalTypmod(s, t.Typmod)
		if err != nil {
			return Null, err
		}
		return NewInterval(RoundInterval(iv, t.Typmod)), nil
	case OIDUUID:
		u, err := ParseUUID(s)
		if err != nil {
			return Null, err
		}
		return NewUUID(u), nil
	case OIDJSONB:
		j, err := ParseJSON(s)
		if err != nil {
			return Null, err
		}
		return NewJSON(j), nil
	case OIDJSON:
		return ParseJSONText(s)
	}
	if et, ok := t.ElemType(); ok {
		a, err := ParseArray(et, s, env)
		if err != nil {
			return Null, err
		}
		return NewArray(a), nil
	}
	return Null, Errorf(CodeFeatureNotSupported, "type %s is not supported", t)
}

// FormatText returns t's text output of d ("" for NULL; callers send NULL
// separately).
func FormatText(t Type, d Datum, env *Env) string {
	if d.K == KindString {
		return d.S
	}
	return string(AppendText(nil, t, d, env))
}

// AppendText appends the text output of d (of type t) to dst. The Datum's
// kind decides the format, except for arrays, whose elements are formatted
// as t's element type.
func AppendText(dst []byte, t Type, d Datum, env *Env) []byte {
	switch d.K {
	case KindNull:
		return dst
	case KindBool:
		if d.I != 0 {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case KindInt:
		return strconv.AppendInt(dst, d.I, 10)
	case KindFloat:
		if t.OID == OIDFloat4 {
			return AppendFloat4(dst, d.F)
		}
		return AppendFloat8(dst, d.F)
	case KindNumeric:
		return append(dst, d.N.String()...)
	case KindString:
		return append(dst, d.S...)
	case KindDate:
		return AppendDate(dst, int32(d.I))
	case KindTimestamp:
		return AppendTimestamp(dst, d.I)
	case KindTimestamptz:
		return AppendTimestamptz(dst, d.I, env.loc())
	case KindBytea:
		if env != nil && env.ByteaEscape {
			return AppendByteaEscape(dst, d.S)
		}
		return AppendBytea(dst, d.S)
	case KindInterval:
		return AppendInterval(dst, d.Interval())
	case KindTime:
		return AppendTime(dst, d.I)
	case KindTimetz:
		return AppendTimetz(dst, d.I, d.Days)
	case KindUUID:
		return AppendUUID(dst, d.S)
	case KindJSON:
		return AppendJSON(dst, d.J)
	case KindArray:
		et, ok := t.ElemType()
		if !ok {
			et = Unknown
		}
		return AppendArray(dst, et, d.A, env)
	}
	return dst
}

// AppendBinary appends PostgreSQL's binary send format of d as type t
// (the bytes of a Bind/DataRow value, without the length word).
func AppendBinary(dst []byte, t Type, d Datum) ([]byte, error) {
	if d.K == KindNull {
		return dst, Errorf(CodeInternalError, "cannot send NULL as a binary value")
	}
	if d.K != t.Kind() {
		return dst, Errorf(CodeInternalError, "datum of kind %s does not match type %s", d.K, t)
	}
	switch t.OID {
	case OIDBool:
		if d.I != 0 {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case OIDInt2:
		return binary.BigEndian.AppendUint16(dst, uint16(d.I)), nil
	case OIDInt4:
		return binary.BigEndian.AppendUint32(dst, uint32(d.I)), nil
	case OIDInt8, OIDTimestamp, OIDTimestamptz:
		return binary.BigEndian.AppendUint64(dst, uint64(d.I)), nil
	case OIDFloat8:
		f := math.Float64bits(d.F)
		if d.F != d.F {
			f = 0x7ff8000000000000 // PostgreSQL's canonical NaN
		}
		return binary.BigEndian.AppendUint64(dst, f), nil
	case OIDFloat4:
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(d.F))), nil
	case OIDNumeric:
		return d.N.AppendBinary(dst), nil
	case OIDText, OIDVarchar, OIDBpchar, OIDUnknown, OIDJSON:
		return append(dst, d.S...), nil
	case OIDDate:
		return binary.BigEndian.AppendUint32(dst, uint32(int32(d.I))), nil
	case OIDBytea:
		return append(dst, d.S...), nil
	case OIDUUID:
		if len(d.S) != 16 {
			return dst, Errorf(CodeInternalError, "uuid datum of %d bytes", len(d.S))
		}
		return append(dst, d.S...), nil
	case OIDInterval:
		dst = binary.BigEndian.AppendUint64(dst, uint64(d.I))
		dst = binary.BigEndian.AppendUint32(dst, uint32(d.Days))
		return binary.BigEndian.AppendUint32(dst, uint32(d.Months)), nil
	case OIDJSONB:
		dst = append(dst, 1)
		return AppendJSON(dst, d.J), nil
	case OIDTime, OIDTimetz:
		return timeAppendBinary(dst, d), nil
	}
	if et, ok := t.ElemType(); ok {
		return appendArrayBinary(dst, et, d.A)
	}
	return dst, Errorf(CodeFeatureNotSupported, "binary output of type %s is not supported", t)
}

func errBinaryLen() error {
	return Errorf(CodeInvalidBinaryRep, "incorrect binary data format")
}

// ParseBinary decodes PostgreSQL's binary format of type t (the receive
// function), applying t's typmod like the input function.
func ParseBinary(t Type, b []byte) (Datum, error) {
	fixed := func(n int) error {
		if len(b) != n {
			return errBinaryLen()
		}
		return nil
	}
	switch t.OID {
	case OIDBool:
		if err := fixed(1); err != nil {
			return Null, err
		}
		return NewBool(b[0] != 0), nil
	case OIDInt2:
		if err := fixed(2); err != nil {
			return Null, err
		}
		return NewInt(int64(int16(binary.BigEndian.Uint16(b)))), nil
	case OIDInt4:
		if err := fixed(4); err != nil {
			return Null, err
		}
		return NewInt(int64(int32(binary.BigEndian.Uint32(b)))), nil
	case OIDInt8:
		if err := fixed(8); err != nil {
			return Null, err
		}
		return NewInt(int64(binary.BigEndian.Uint64(b))), nil
	case OIDFloat8:
		if err := fixed(8); err != nil {
			return Null, err
		}
		return NewFloat(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case OIDFloat4:
		if err := fixed(4); err != nil {
			return Null, err
		}
		return NewFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b)))), nil
	case OIDNumeric:
		n, err := NumericFromBinary(b)
		if err != nil {
			return Null, err
		}
		if n, err = n.ApplyTypmod(t); err != nil {
			return Null, err
		}
		return NewNumeric(n), nil
	case OIDText, OIDUnknown:
		return NewString(string(b)), nil
	case OIDVarchar, OIDBpchar:
		s, err := CoerceString(t, string(b), false)
		if err != nil {
			return Null, err
		}
		return NewString(s), nil
	case OIDDate:
		if err := fixed(4); err != nil {
			return Null, err
		}
		v := int32(binary.BigEndian.Uint32(b))
		if v != DatePosInfinity && v != DateNegInfinity && !validDate(int64(v)) {
			return Null, Errorf(CodeDatetimeFieldOverflow, "date out of range")
		}
		return NewDate(v), nil
	case OIDTimestamp, OIDTimestamptz:
		if err := fixed(8); err != nil {
			return Null, err
		}
		v := int64(binary.BigEndian.Uint64(b))
		if v != TimestampPosInfinity && v != TimestampNegInfinity && !validTimestamp(v) {
			return Null, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
		}
		return Datum{K: t.Kind(), I: RoundTimestamp(v, t.Typmod)}, nil
	case OIDBytea:
		return NewBytea(b), nil
	case OIDJSON:
		return ParseJSONText(string(b))
	case OIDTime, OIDTimetz:
		return timeParseBinary(t, b)
	case OIDUUID:
		if err := fixed(16); err != nil {
			return Null, err
		}
		return NewByteaString(string(b)).withKind(KindUUID), nil
	case OIDInterval:
		if err := fixed(16); err != nil {
			return Null, err
		}
		iv := Interval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}
		return NewInterval(RoundInterval(iv, t.Typmod)), nil
	case OIDJSONB:
		if len(b) == 0 {
			return Null, errBinaryLen()
		}
		if b[0] != 1 {
			return Null, Errorf(CodeInternalError, "unsupported jsonb version number %d", b[0])
		}
		j, err := ParseJSON(string(b[1:]))
		if err != nil {
			return Null, err
		}
		return NewJSON(j), nil
	}
	if et, ok := t.ElemType(); ok {
		a, err := parseArrayBinary(et, b)
		if err != nil {
			return Null, err
		}
		return NewArray(a), nil
	}
	return Null, Errorf(CodeFeatureNotSupported, "binary input of type %s is not supported", t)
}
