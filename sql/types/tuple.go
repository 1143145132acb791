package types

import (
	"encoding/binary"
	"math"
)

// Tuple encoding (heap rows): AppendTuple writes
//
//	uvarint natts | null bitmap, ceil(natts/8) bytes, bit i set = column i NULL | values
//
// with, for each non-NULL column in order: bool 1 byte; int2 2, int4 4,
// int8/timestamp/timestamptz 8, date 4, float8 8 bytes (big-endian); text,
// varchar, char(n), unknown, bytea: uvarint length + bytes; uuid 16 bytes;
// interval 16 bytes (PostgreSQL's binary format); numeric, jsonb and
// arrays: uvarint length + PostgreSQL's binary format of the type. A tuple with fewer attributes than the
// schema decodes the missing trailing columns as NULL (so ADD COLUMN needs
// no rewrite).

// AppendTuple appends the encoding of vals (of types types) to dst.
func AppendTuple(dst []byte, types []Type, vals []Datum) ([]byte, error) {
	if len(types) != len(vals) {
		return dst, Errorf(CodeInternalError, "tuple has %d values for %d columns", len(vals), len(types))
	}
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	bm := len(dst)
	for i := 0; i < (len(vals)+7)/8; i++ {
		dst = append(dst, 0)
	}
	for i, v := range vals {
		if v.K == KindNull {
			dst[bm+i/8] |= 1 << (i % 8)
			continue
		}
		t := types[i]
		if v.K != t.Kind() {
			return dst, Errorf(CodeInternalError, "column %d: datum of kind %s does not match type %s", i+1, v.K, t)
		}
		switch t.OID {
		case OIDBool:
			dst = append(dst, byte(v.I&1))
		case OIDInt2:
			dst = binary.BigEndian.AppendUint16(dst, uint16(v.I))
		case OIDInt4, OIDDate:
			dst = binary.BigEndian.AppendUint32(dst, uint32(v.I))
		case OIDInt8, OIDTimestamp, OIDTimestamptz:
			dst = binary.BigEndian.AppendUint64(dst, uint64(v.I))
		case OIDFloat8:
			dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(v.F))
		case OIDFloat4:
			dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(v.F)))
		case OIDText, OIDVarchar, OIDBpchar, OIDUnknown, OIDJSON:
			dst = binary.AppendUvarint(dst, uint64(len(v.S)))
			dst = append(dst, v.S...)
		case OIDNumeric:
			var tmp [64]byte
			nb := v.N.AppendBinary(tmp[:0])
			dst = binary.AppendUvarint(dst, uint64(len(nb)))
			dst = append(dst, nb...)
		case OIDBytea:
			dst = binary.AppendUvarint(dst, uint64(len(v.S)))
			dst = append(dst, v.S...)
		case OIDUUID, OIDInterval, OIDTime, OIDTimetz:
			var err error
			if dst, err = AppendBinary(dst, t, v); err != nil {
				return dst, err
			}
		default:
			if t.OID != OIDJSONB && !t.IsArray() {
				return dst, Errorf(CodeFeatureNotSupported, "type %s cannot be stored", t)
			}
			b, err := AppendBinary(nil, t, v)
			if err != nil {
				return dst, err
			}
			dst = binary.AppendUvarint(dst, uint64(len(b)))
			dst = append(dst, b...)
		}
	}
	return dst, nil
}

func errTuple(msg string) error { return Errorf(CodeInternalError, "corrupt tuple: %s", msg) }

// DecodeTuple decodes a tuple of the given schema into dst (reused if it
// has capacity). Corrupt input gives an error, never a panic.
func DecodeTuple(src []byte, types []Type, dst []Datum) ([]Datum, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 {
		return nil, errTuple("bad attribute count")
	}
	if n > uint64(len(types)) {
		return nil, errTuple("more attributes than columns")
	}
	natts := int(n)
	p := k
	bmLen := (natts + 7) / 8
	if len(src)-p < bmLen {
		return nil, errTuple("truncated null bitmap")
	}
	bm := src[p : p+bmLen]
	p += bmLen
	if cap(dst) >= len(types) {
		dst = dst[:len(types)]
	} else {
		dst = make([]Datum, len(types))
	}
	need := func(m int) bool { return len(src)-p >= m }
	for i, t := range types {
		if i >= natts || bm[i/8]&(1<<(i%8)) != 0 {
			dst[i] = Null
			continue
		}
		switch t.OID {
		case OIDBool:
			if !need(1) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewBool(src[p] != 0)
			p++
		case OIDInt2:
			if !need(2) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewInt(int64(int16(binary.BigEndian.Uint16(src[p:]))))
			p += 2
		case OIDInt4:
			if !need(4) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewInt(int64(int32(binary.BigEndian.Uint32(src[p:]))))
			p += 4
		case OIDDate:
			if !need(4) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewDate(int32(binary.BigEndian.Uint32(src[p:])))
			p += 4
		case OIDInt8, OIDTimestamp, OIDTimestamptz:
			if !need(8) {
				return nil, errTuple("truncated")
			}
			dst[i] = Datum{K: t.Kind(), I: int64(binary.BigEndian.Uint64(src[p:]))}
			p += 8
		case OIDFloat8:
			if !need(8) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewFloat(math.Float64frombits(binary.BigEndian.Uint64(src[p:])))
			p += 8
		case OIDFloat4:
			if !need(4) {
				return nil, errTuple("truncated")
			}
			dst[i] = NewFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(src[p:]))))
			p += 4
		case OIDUUID, OIDInterval, OIDTime, OIDTimetz:
			n := map[OID]int{OIDUUID: 16, OIDInterval: 16, OIDTime: 8, OIDTimetz: 12}[t.OID]
			if !need(n) {
				return nil, errTuple("truncated")
			}
			d, err := ParseBinary(Type{OID: t.OID, Typmod: -1}, src[p:p+n])
			if err != nil {
				return nil, errTuple("bad " + t.String())
			}
			dst[i] = d
			p += n
		case OIDText, OIDVarchar, OIDBpchar, OIDUnknown, OIDNumeric, OIDBytea, OIDJSONB, OIDJSON:
			l, k := binary.Uvarint(src[p:])
			if k <= 0 {
				return nil, errTuple("bad length")
			}
			p += k
			if uint64(len(src)-p) < l {
				return nil, errTuple("truncated value")
			}
			b := src[p : p+int(l)]
			p += int(l)
			switch t.OID {
			case OIDNumeric:
				num, err := NumericFromBinary(b)
				if err != nil {
					return nil, errTuple("bad numeric")
				}
				dst[i] = NewNumeric(num)
			case OIDBytea:
				dst[i] = NewBytea(b)
			case OIDJSONB:
				d, err := ParseBinary(t, b)
				if err != nil {
					return nil, errTuple("bad jsonb")
				}
				dst[i] = d
			default:
				dst[i] = NewString(string(b))
			}
		default:
			if !t.IsArray() {
				return nil, Errorf(CodeFeatureNotSupported, "type %s cannot be stored", t)
			}
			l, k := binary.Uvarint(src[p:])
			if k <= 0 {
				return nil, errTuple("bad length")
			}
			p += k
			if uint64(len(src)-p) < l {
				return nil, errTuple("truncated value")
			}
			et, _ := t.ElemType()
			et.Typmod = -1 // stored values already satisfy the typmod
			a, err := parseArrayBinary(et, src[p:p+int(l)])
			if err != nil {
				return nil, errTuple("bad array")
			}
			p += int(l)
			dst[i] = NewArray(a)
		}
	}
	if p != len(src) {
		return nil, errTuple("trailing bytes")
	}
	return dst, nil
}
