package types

import (
	"encoding/binary"
	"math"
	"strings"
)

// Key encoding: AppendKey encodes a value so that bytes.Compare of two
// encodings orders exactly as CompareAs (ascending, NULLS LAST), and every
// column encoding is self-delimiting, so a composite key is the
// concatenation of its column encodings. desc=true inverts the bytes of a
// column, giving descending order with NULLS FIRST (PostgreSQL's DESC
// default). Because equal values (1.0 and 1.00, -0 and 0, 'a' and 'a  ' in
// char(n)) encode to equal bytes, an ascending key is also a canonical form
// for hashing and grouping; integers of all widths share one encoding.
//
// Layout per column: a tag byte (keyNotNull, or keyNull which sorts after
// it), then for non-NULL values:
//   - bool: one byte 0/1
//   - integers of every width, date, timestamp, timestamptz: 8 bytes,
//     big-endian with the sign bit flipped (so int4 and int8 keys agree)
//   - float8: 8 bytes of IEEE bits transformed (negative: all bits flipped,
//     otherwise sign bit set), NaN canonical and highest, -0 as 0
//   - numeric: a class byte (-Inf, negative, zero, positive, +Inf, NaN);
//     finite non-zero values then carry the decimal exponent (4 bytes,
//     sign-flipped) and the significant digits as bytes 1..10 ended by 0,
//     all bytes complemented for negative values; trailing zeros are
//     dropped so 1.0 and 1.00 encode equally
//   - strings, bytea, uuid: bytes with 0x00 escaped as 0x00 0xFF, ended by
//     0x00 0x01; char(n) trailing blanks are dropped first
//   - interval: its Span, days (8 bytes, sign-flipped) then microseconds
//     within the day (8 bytes), so 1 mon and 30 days encode equally
//   - jsonb: a kind byte in jsonb order, containers with their element
//     count (4 bytes) before the elements, the top-level raw-scalar rule
//     of CompareJSON included
//   - arrays: per element 0x01 and the element's column encoding, then
//     0x00, the dimension count, lengths and lower bounds
//
// Interval, jsonb and array keys are not decodable (DecodeKey refuses them):
// they keep only what ordering needs.
const (
	keyNotNull byte = 0x01
	keyNull    byte = 0x02
)

const (
	numKeyNegInf byte = 0x01
	numKeyNeg    byte = 0x02
	numKeyZero   byte = 0x03
	numKeyPos    byte = 0x04
	numKeyPosInf byte = 0x05
	numKeyNaN    byte = 0x06
)

// AppendKey appends the order-preserving encoding of d (of type t).
func AppendKey(dst []byte, t Type, d Datum, desc bool) []byte {
	start := len(dst)
	if d.K == KindNull {
		dst = append(dst, keyNull)
	} else {
		dst = append(dst, keyNotNull)
		switch d.K {
		case KindBool:
			dst = append(dst, byte(d.I&1))
		case KindInt, KindDate, KindTimestamp, KindTimestamptz, KindTime:
			dst = binary.BigEndian.AppendUint64(dst, uint64(d.I)^(1<<63))
		case KindTimetz:
			dst = appendTimetzKey(dst, d)
		case KindFloat:
			dst = binary.BigEndian.AppendUint64(dst, floatKeyBits(d.F))
		case KindNumeric:
			dst = appendNumericKey(dst, d.N)
		case KindString:
			s := d.S
			if t.OID == OIDBpchar {
				s = TrimBpchar(s)
			}
			dst = appendStringKey(dst, s)
		case KindBytea, KindUUID:
			dst = appendStringKey(dst, d.S)
		case KindInterval:
			days, us := d.Interval().Span()
			dst = binary.BigEndian.AppendUint64(dst, uint64(days)^(1<<63))
			dst = binary.BigEndian.AppendUint64(dst, uint64(us))
		case KindJSON:
			dst = appendJSONKey(dst, d.J, true)
		case KindArray:
			et, ok := t.ElemType()
			if !ok {
				et = Unknown
			}
			dst = appendArrayKey(dst, et, d.A)
		}
	}
	if desc {
		for i := start; i < len(dst); i++ {
			dst[i] = ^dst[i]
		}
	}
	return dst
}

func floatKeyBits(f float64) uint64 {
	if math.IsNaN(f) {
		f = math.NaN()
	}
	if f == 0 {
		f = 0 // -0 → +0
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | (1 << 63)
}

func floatFromKeyBits(b uint64) float64 {
	if b&(1<<63) != 0 {
		return math.Float64frombits(b &^ (1 << 63))
	}
	return math.Float64frombits(^b)
}

func appendStringKey(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		dst = append(dst, c)
		if c == 0 {
			dst = append(dst, 0xFF)
		}
	}
	return append(dst, 0x00, 0x01)
}

func appendNumericKey(dst []byte, n *Numeric) []byte {
	switch n.special {
	case numNaN:
		return append(dst, numKeyNaN)
	case numPInf:
		return append(dst, numKeyPosInf)
	case numNInf:
		return append(dst, numKeyNegInf)
	}
	if n.coef.Sign() == 0 {
		return append(dst, numKeyZero)
	}
	ds := n.coef.String()
	exp := int64(len(ds)) - int64(n.scale)
	ds = strings.TrimRight(ds, "0")
	cls := numKeyPos
	if n.neg {
		cls = numKeyNeg
	}
	dst = append(dst, cls)
	body := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(int32(exp))^(1<<31))
	for i := 0; i < len(ds); i++ {
		dst = append(dst, ds[i]-'0'+1)
	}
	dst = append(dst, 0)
	if n.neg {
		for i := body; i < len(dst); i++ {
			dst[i] = ^dst[i]
		}
	}
	return dst
}

// DecodeKey decodes one column encoded by AppendKey and returns the rest
// of src. Decoded char(n) values come back blank-padded to n; numeric
// values come back with the smallest scale that shows all their digits.
// Bad input gives an error, never a panic.
func DecodeKey(src []byte, t Type, desc bool) (Datum, []byte, error) {
	rd := keyReader{b: src, desc: desc}
	tag, ok := rd.byte()
	if !ok {
		return Null, nil, errKey()
	}
	if tag == keyNull {
		return Null, rd.b, nil
	}
	if tag != keyNotNull {
		return Null, nil, errKey()
	}
	switch t.Kind() {
	case KindBool:
		b, ok := rd.byte()
		if !ok || b > 1 {
			return Null, nil, errKey()
		}
		return NewBool(b == 1), rd.b, nil
	case KindTimetz:
		u, ok1 := rd.uint64()
		z, ok2 := rd.uint64()
		if !ok1 || !ok2 {
			return Null, nil, errKey()
		}
		return decodeTimetzKey(u, z), rd.b, nil
	case KindInt, KindDate, KindTimestamp, KindTimestamptz, KindTime:
		u, ok := rd.uint64()
		if !ok {
			return Null, nil, errKey()
		}
		return Datum{K: t.Kind(), I: int64(u ^ (1 << 63))}, rd.b, nil
	case KindFloat:
		u, ok := rd.uint64()
		if !ok {
			return Null, nil, errKey()
		}
		return NewFloat(floatFromKeyBits(u)), rd.b, nil
	case KindString, KindBytea, KindUUID:
		var sb []byte
		for {
			c, ok := rd.byte()
			if !ok {
				return Null, nil, errKey()
			}
			if c != 0 {
				sb = append(sb, c)
				continue
			}
			c2, ok := rd.byte()
			if !ok {
				return Null, nil, errKey()
			}
			if c2 == 0x01 {
				break
			}
			if c2 != 0xFF {
				return Null, nil, errKey()
			}
			sb = append(sb, 0)
		}
		s := string(sb)
		if t.OID == OIDBpchar {
			s, _ = CoerceString(t, s, true)
		}
		if t.Kind() == KindUUID && len(s) != 16 {
			return Null, nil, errKey()
		}
		return Datum{K: t.Kind(), S: s}, rd.b, nil
	case KindNumeric:
		cls, ok := rd.byte()
		if !ok {
			return Null, nil, errKey()
		}
		switch cls {
		case numKeyNaN:
			return NewNumeric(NumericNaN()), rd.b, nil
		case numKeyPosInf:
			return NewNumeric(NumericInf(false)), rd.b, nil
		case numKeyNegInf:
			return NewNumeric(NumericInf(true)), rd.b, nil
		case numKeyZero:
			return NewNumeric(&Numeric{}), rd.b, nil
		case numKeyPos, numKeyNeg:
		default:
			return Null, nil, errKey()
		}
		neg := cls == numKeyNeg
		rd.inv = neg
		e, ok := rd.uint32()
		if !ok {
			return Null, nil, errKey()
		}
		exp := int64(int32(e ^ (1 << 31)))
		var digits []byte
		for {
			c, ok := rd.byte()
			if !ok || c > 10 {
				return Null, nil, errKey()
			}
			if c == 0 {
				break
			}
			digits = append(digits, '0'+c-1)
		}
		if len(digits) == 0 || exp < -numericDscaleMax-1 || exp > 140000 {
			return Null, nil, errKey()
		}
		n := &Numeric{neg: neg}
		n.coef.SetString(string(digits), 10)
		scale := int64(len(digits)) - exp
		if scale < 0 {
			n.coef.Mul(&n.coef, pow10(int32(-scale)))
			scale = 0
		}
		n.scale = int32(scale)
		return NewNumeric(n.fix()), rd.b, nil
	}
	return Null, nil, Errorf(CodeFeatureNotSupported, "key decoding of type %s is not supported", t)
}

func errKey() error { return Errorf(CodeInternalError, "corrupt index key") }

type keyReader struct {
	b    []byte
	desc bool
	inv  bool
}

func (r *keyReader) byte() (byte, bool) {
	if len(r.b) == 0 {
		return 0, false
	}
	c := r.b[0]
	r.b = r.b[1:]
	if r.desc {
		c = ^c
	}
	if r.inv {
		c = ^c
	}
	return c, true
}

func (r *keyReader) uint64() (uint64, bool) {
	var v uint64
	for i := 0; i < 8; i++ {
		c, ok := r.byte()
		if !ok {
			return 0, false
		}
		v = v<<8 | uint64(c)
	}
	return v, true
}

func (r *keyReader) uint32() (uint32, bool) {
	var v uint32
	for i := 0; i < 4; i++ {
		c, ok := r.byte()
		if !ok {
			return 0, false
		}
		v = v<<8 | uint32(c)
	}
	return v, true
}
