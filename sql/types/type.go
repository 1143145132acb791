// Package types is Borealis's SQL type system: type identities (PostgreSQL
// OIDs and typmods), the in-memory value representation (Datum), text and
// binary I/O in PostgreSQL's exact formats, comparison, casts, arithmetic,
// an order-preserving key encoding for B-tree keys and a compact tuple
// encoding for heap rows.
//
// Values: a Datum is a small struct passed by value. Its Kind says which
// field holds the value: bool, integers (all widths), dates and timestamps
// (microseconds since 2000-01-01, PostgreSQL's epoch) live in I; float8 in F;
// text, varchar and char(n) in S (char(n) values are stored blank-padded, as
// PostgreSQL stores them); numeric in N (an immutable *Numeric); bytea and
// uuid as raw bytes in S; interval in Months, Days and I (microseconds);
// jsonb in J (an immutable *JSON tree); arrays of every scalar type in A (an
// immutable *Array). Integer, float, bool, time and interval values
// therefore never allocate. The SQL type of a
// value (int2 vs int8, varchar(10) vs text) is not stored in the Datum: it is
// carried by the column or expression (a Type), as in PostgreSQL.
//
// Errors are *Error values carrying a SQLSTATE and PostgreSQL's message.
// Session-dependent behaviour (TimeZone, the transaction timestamp used for
// 'now') comes from an *Env; a nil *Env means UTC.
package types

import (
	"fmt"
	"strconv"
	"strings"
)

// OID is a PostgreSQL object identifier; for types, the pg_type OID.
type OID uint32

// The pg_type OIDs of the supported types (PostgreSQL's real values).
const (
	OIDBool        OID = 16
	OIDBytea       OID = 17
	OIDInt8        OID = 20
	OIDInt2        OID = 21
	OIDInt4        OID = 23
	OIDText        OID = 25
	OIDOid         OID = 26
	OIDFloat4      OID = 700
	OIDFloat8      OID = 701
	OIDUnknown     OID = 705
	OIDBpchar      OID = 1042
	OIDVarchar     OID = 1043
	OIDDate        OID = 1082
	OIDTimestamp   OID = 1114
	OIDTimestamptz OID = 1184
	OIDNumeric     OID = 1700
	OIDInterval    OID = 1186
	OIDUUID        OID = 2950
	OIDJSONB       OID = 3802

	// Array types (pg_type.typarray of the element types).
	OIDBoolArray        OID = 1000
	OIDByteaArray       OID = 1001
	OIDInt2Array        OID = 1005
	OIDInt4Array        OID = 1007
	OIDTextArray        OID = 1009
	OIDBpcharArray      OID = 1014
	OIDVarcharArray     OID = 1015
	OIDInt8Array        OID = 1016
	OIDFloat8Array      OID = 1022
	OIDFloat4Array      OID = 1021
	OIDTimestampArray   OID = 1115
	OIDDateArray        OID = 1182
	OIDTimestamptzArray OID = 1185
	OIDIntervalArray    OID = 1187
	OIDNumericArray     OID = 1231
	OIDUUIDArray        OID = 2951
	OIDJSONBArray       OID = 3807
)

// Type is a SQL type: its OID plus a type modifier (-1 when absent), stored
// the way PostgreSQL stores atttypmod: varchar(n)/char(n) → n+4,
// numeric(p,s) → (p<<16 | s)+4, timestamp(p) → p.
type Type struct {
	OID    OID
	Typmod int32
}

// Convenience Type values without modifiers.
var (
	Bool        = Type{OIDBool, -1}
	Int2        = Type{OIDInt2, -1}
	Int4        = Type{OIDInt4, -1}
	Int8        = Type{OIDInt8, -1}
	Float8      = Type{OIDFloat8, -1}
	Float4      = Type{OIDFloat4, -1}
	Numeric_    = Type{OIDNumeric, -1}
	Text        = Type{OIDText, -1}
	Varchar     = Type{OIDVarchar, -1}
	Bpchar      = Type{OIDBpchar, -1}
	Date        = Type{OIDDate, -1}
	Timestamp   = Type{OIDTimestamp, -1}
	Timestamptz = Type{OIDTimestamptz, -1}
	Unknown     = Type{OIDUnknown, -1}
	Bytea       = Type{OIDBytea, -1}
	Interval_   = Type{OIDInterval, -1}
	UUID        = Type{OIDUUID, -1}
	JSONB       = Type{OIDJSONB, -1}
)

// TypeInfo describes a supported base type.
type TypeInfo struct {
	OID      OID
	Name     string // pg_type.typname, e.g. "int4"
	SQLName  string // format_type name without modifier, e.g. "integer"
	Len      int16  // typlen: bytes, -1 varlena, -2 C string
	ByVal    bool   // typbyval
	Category byte   // typcategory: 'N' numeric, 'S' string, 'B' bool, 'D' datetime, 'T' timespan, 'U' user (bytea, uuid, jsonb), 'A' array, 'X' unknown
	Kind     Kind   // Datum kind holding its values
	Elem     OID    // typelem: the element type of an array type (0 otherwise)
	Array    OID    // typarray: the array type of this type (0 if none)
}

var typeInfos = []TypeInfo{
	{OIDBool, "bool", "boolean", 1, true, 'B', KindBool, 0, OIDBoolArray},
	{OIDInt2, "int2", "smallint", 2, true, 'N', KindInt, 0, OIDInt2Array},
	{OIDInt4, "int4", "integer", 4, true, 'N', KindInt, 0, OIDInt4Array},
	{OIDInt8, "int8", "bigint", 8, true, 'N', KindInt, 0, OIDInt8Array},
	{OIDNumeric, "numeric", "numeric", -1, false, 'N', KindNumeric, 0, OIDNumericArray},
	{OIDFloat8, "float8", "double precision", 8, true, 'N', KindFloat, 0, OIDFloat8Array},
	{OIDFloat4, "float4", "real", 4, true, 'N', KindFloat, 0, OIDFloat4Array},
	{OIDText, "text", "text", -1, false, 'S', KindString, 0, OIDTextArray},
	{OIDVarchar, "varchar", "character varying", -1, false, 'S', KindString, 0, OIDVarcharArray},
	{OIDBpchar, "bpchar", "character", -1, false, 'S', KindString, 0, OIDBpcharArray},
	{OIDDate, "date", "date", 4, true, 'D', KindDate, 0, OIDDateArray},
	{OIDTimestamp, "timestamp", "timestamp without time zone", 8, true, 'D', KindTimestamp, 0, OIDTimestampArray},
	{OIDTimestamptz, "timestamptz", "timestamp with time zone", 8, true, 'D', KindTimestamptz, 0, OIDTimestamptzArray},
	{OIDUnknown, "unknown", "unknown", -2, false, 'X', KindString, 0, 0},
	{OIDBytea, "bytea", "bytea", -1, false, 'U', KindBytea, 0, OIDByteaArray},
	{OIDInterval, "interval", "interval", 16, false, 'T', KindInterval, 0, OIDIntervalArray},
	{OIDUUID, "uuid", "uuid", 16, false, 'U', KindUUID, 0, OIDUUIDArray},
	{OIDJSONB, "jsonb", "jsonb", -1, false, 'U', KindJSON, 0, OIDJSONBArray},
	{OIDJSON, "json", "json", -1, false, 'U', KindString, 0, OIDJSONArray},
	{OIDBoolArray, "_bool", "boolean[]", -1, false, 'A', KindArray, OIDBool, 0},
	{OIDInt2Array, "_int2", "smallint[]", -1, false, 'A', KindArray, OIDInt2, 0},
	{OIDInt4Array, "_int4", "integer[]", -1, false, 'A', KindArray, OIDInt4, 0},
	{OIDInt8Array, "_int8", "bigint[]", -1, false, 'A', KindArray, OIDInt8, 0},
	{OIDNumericArray, "_numeric", "numeric[]", -1, false, 'A', KindArray, OIDNumeric, 0},
	{OIDFloat8Array, "_float8", "double precision[]", -1, false, 'A', KindArray, OIDFloat8, 0},
	{OIDFloat4Array, "_float4", "real[]", -1, false, 'A', KindArray, OIDFloat4, 0},
	{OIDTextArray, "_text", "text[]", -1, false, 'A', KindArray, OIDText, 0},
	{OIDVarcharArray, "_varchar", "character varying[]", -1, false, 'A', KindArray, OIDVarchar, 0},
	{OIDBpcharArray, "_bpchar", "character[]", -1, false, 'A', KindArray, OIDBpchar, 0},
	{OIDDateArray, "_date", "date[]", -1, false, 'A', KindArray, OIDDate, 0},
	{OIDTimestampArray, "_timestamp", "timestamp without time zone[]", -1, false, 'A', KindArray, OIDTimestamp, 0},
	{OIDTimestamptzArray, "_timestamptz", "timestamp with time zone[]", -1, false, 'A', KindArray, OIDTimestamptz, 0},
	{OIDByteaArray, "_bytea", "bytea[]", -1, false, 'A', KindArray, OIDBytea, 0},
	{OIDIntervalArray, "_interval", "interval[]", -1, false, 'A', KindArray, OIDInterval, 0},
	{OIDUUIDArray, "_uuid", "uuid[]", -1, false, 'A', KindArray, OIDUUID, 0},
	{OIDJSONBArray, "_jsonb", "jsonb[]", -1, false, 'A', KindArray, OIDJSONB, 0},
	{OIDJSONArray, "_json", "json[]", -1, false, 'A', KindArray, OIDJSON, 0},
	{OIDTime, "time", "time without time zone", 8, true, 'D', KindTime, 0, OIDTimeArray},
	{OIDTimetz, "timetz", "time with time zone", 12, false, 'D', KindTimetz, 0, OIDTimetzArray},
	{OIDTimeArray, "_time", "time without time zone[]", -1, false, 'A', KindArray, OIDTime, 0},
	{OIDTimetzArray, "_timetz", "time with time zone[]", -1, false, 'A', KindArray, OIDTimetz, 0},
}

// typeInfoIndex maps an OID to its index in typeInfos (built once, never
// modified).
var typeInfoIndex = func() map[OID]int {
	m := make(map[OID]int, len(typeInfos))
	for i := range typeInfos {
		m[typeInfos[i].OID] = i
	}
	return m
}()

// Info returns the description of a supported type OID.
func Info(oid OID) (*TypeInfo, bool) {
	if i, ok := typeInfoIndex[oid]; ok {
		return &typeInfos[i], true
	}
	return nil, false
}

// AllTypes lists the supported types.
func AllTypes() []TypeInfo { return append([]TypeInfo(nil), typeInfos...) }

// Supported reports whether values of t can be handled by this package.
func (t Type) Supported() bool { _, ok := Info(t.OID); return ok }

// Kind returns the Datum kind used for values of t (KindNull if unsupported).
func (t Type) Kind() Kind {
	if ti, ok := Info(t.OID); ok {
		return ti.Kind
	}
	return KindNull
}

// Len returns typlen.
func (t Type) Len() int16 {
	if ti, ok := Info(t.OID); ok {
		return ti.Len
	}
	return -1
}

// IsInt reports whether t is int2, int4 or int8.
func (t Type) IsInt() bool { return t.OID == OIDInt2 || t.OID == OIDInt4 || t.OID == OIDInt8 }

// IsString reports whether t is text, varchar, bpchar or unknown.
func (t Type) IsString() bool {
	return t.OID == OIDText || t.OID == OIDVarchar || t.OID == OIDBpchar || t.OID == OIDUnknown
}

// CharLen returns n for varchar(n)/char(n), or -1.
func (t Type) CharLen() int {
	if (t.OID == OIDVarchar || t.OID == OIDBpchar) && t.Typmod >= 4 {
		return int(t.Typmod - 4)
	}
	return -1
}

// NumericPrecScale returns (p, s, true) for numeric(p,s).
func (t Type) NumericPrecScale() (int, int, bool) {
	if t.OID != OIDNumeric || t.Typmod < 4 {
		return 0, 0, false
	}
	m := t.Typmod - 4
	return int(m>>16) & 0xffff, int(int16(m & 0xffff)), true
}

// IsArray reports whether t is an array type.
func (t Type) IsArray() bool {
	ti, ok := Info(t.OID)
	return ok && ti.Elem != 0
}

// ElemType returns the element type of an array type (the typmod of an
// array type is its elements' typmod, as in PostgreSQL), and false when t
// is not an array type.
func (t Type) ElemType() (Type, bool) {
	ti, ok := Info(t.OID)
	if !ok || ti.Elem == 0 {
		return Type{}, false
	}
	return Type{OID: ti.Elem, Typmod: t.Typmod}, true
}

// ArrayOf returns the array type whose elements are of type t (keeping t's
// typmod: varchar(10)[] is {OIDVarcharArray, 14}). An array of an array is
// the array itself (PostgreSQL does not distinguish int[] and int[][]).
// A type without an array type gives 42704.
func ArrayOf(t Type) (Type, error) {
	ti, ok := Info(t.OID)
	if !ok {
		return Type{}, Errorf(CodeUndefinedObject, "could not find array type for data type %s", t)
	}
	if ti.Elem != 0 {
		return t, nil
	}
	if ti.Array == 0 {
		return Type{}, Errorf(CodeUndefinedObject, "could not find array type for data type %s", t)
	}
	return Type{OID: ti.Array, Typmod: t.Typmod}, nil
}

// String returns the name as PostgreSQL's format_type(oid, typmod) prints it.
func (t Type) String() string {
	ti, ok := Info(t.OID)
	if !ok {
		if n := SystemTypeName(t); n != "" { // xid.go
			return n
		}
		return fmt.Sprintf("oid %d", t.OID)
	}
	if ti.Elem != 0 {
		return Type{OID: ti.Elem, Typmod: t.Typmod}.String() + "[]"
	}
	switch t.OID {
	case OIDVarchar:
		if n := t.CharLen(); n >= 0 {
			return "character varying(" + strconv.Itoa(n) + ")"
		}
	case OIDBpchar:
		if n := t.CharLen(); n >= 0 {
			return "character(" + strconv.Itoa(n) + ")"
		}
	case OIDNumeric:
		if p, s, ok := t.NumericPrecScale(); ok {
			return fmt.Sprintf("numeric(%d,%d)", p, s)
		}
	case OIDTimestamp:
		if t.Typmod >= 0 {
			return fmt.Sprintf("timestamp(%d) without time zone", t.Typmod)
		}
	case OIDTimestamptz:
		if t.Typmod >= 0 {
			return fmt.Sprintf("timestamp(%d) with time zone", t.Typmod)
		}
	case OIDTime:
		if t.Typmod >= 0 {
			return fmt.Sprintf("time(%d) without time zone", t.Typmod)
		}
	case OIDTimetz:
		if t.Typmod >= 0 {
			return fmt.Sprintf("time(%d) with time zone", t.Typmod)
		}
	case OIDInterval:
		if t.Typmod >= 0 {
			name := "interval" + intervalRangeNames[t.Typmod>>16]
			if p := IntervalPrecision(t.Typmod); p >= 0 {
				name += fmt.Sprintf("(%d)", p)
			}
			return name
		}
	}
	return ti.SQLName
}

// LookupType resolves a type name as written in SQL or in pg_catalog
// (e.g. "int", "int4", "integer", "pg_catalog.int4", "character varying",
// "decimal", "timestamptz") with modifiers mods (as in varchar(10) or
// numeric(10,2)) into a Type. Array types are found by their element name
// followed by "[]" (any number of times, with or without a bound:
// "int4[]", "integer[][]", "varchar[3]") or by their pg_type name ("_int4").
// Unknown names give 42704, bad modifiers 22023.
func LookupType(name string, mods []int32) (Type, error) {
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "pg_catalog."))
	if base, ok := trimArraySuffix(n); ok {
		et, err := LookupType(base, mods)
		if err != nil {
			return Type{}, err
		}
		return ArrayOf(et)
	}
	if strings.HasPrefix(n, "_") {
		for i := range typeInfos {
			if typeInfos[i].Elem != 0 && typeInfos[i].Name == n {
				et, err := LookupType(n[1:], mods)
				if err != nil {
					return Type{}, err
				}
				return ArrayOf(et)
			}
		}
	}
	var oid OID
	switch n {
	case "bool", "boolean":
		oid = OIDBool
	case "int2", "smallint":
		oid = OIDInt2
	case "int4", "int", "integer":
		oid = OIDInt4
	case "int8", "bigint":
		oid = OIDInt8
	case "numeric", "decimal":
		oid = OIDNumeric
	case "float8", "double precision", "float":
		oid = OIDFloat8
		if n == "float" && len(mods) == 1 {
			if mods[0] < 1 || mods[0] > 53 {
				return Type{}, Errorf(CodeInvalidParameterValue, "precision for type float must be between 1 and 53 bits")
			}
			if mods[0] <= 24 {
				return Float4, nil
			}
			return Float8, nil
		}
	case "float4", "real":
		oid = OIDFloat4
	case "text":
		oid = OIDText
	case "varchar", "character varying":
		oid = OIDVarchar
	case "bpchar", "char", "character":
		oid = OIDBpchar
	case "date":
		oid = OIDDate
	case "timestamp", "timestamp without time zone":
		oid = OIDTimestamp
	case "timestamptz", "timestamp with time zone":
		oid = OIDTimestamptz
	case "time", "time without time zone":
		oid = OIDTime
	case "timetz", "time with time zone":
		oid = OIDTimetz
	case "unknown":
		oid = OIDUnknown
	case "bytea":
		oid = OIDBytea
	case "interval":
		oid = OIDInterval
	case "uuid":
		oid = OIDUUID
	case "jsonb":
		oid = OIDJSONB
	case "json":
		oid = OIDJSON
	default:
		return Type{}, Errorf(CodeUndefinedObject, "type \"%s\" does not exist", name)
	}
	t := Type{OID: oid, Typmod: -1}
	if len(mods) == 0 {
		if n == "char" || n == "character" {
			t.Typmod = 1 + 4 // char without length means char(1)
		}
		return t, nil
	}
	switch oid {
	case OIDVarchar, OIDBpchar:
		if len(mods) != 1 {
			return Type{}, Errorf(CodeSyntaxError, "invalid type modifier")
		}
		if mods[0] < 1 {
			return Type{}, Errorf(CodeInvalidParameterValue, "length for type %s must be at least 1", map[OID]string{OIDVarchar: "varchar", OIDBpchar: "char"}[oid])
		}
		if mods[0] > 10485760 {
			return Type{}, Errorf(CodeInvalidParameterValue, "length for type %s cannot exceed 10485760", map[OID]string{OIDVarchar: "varchar", OIDBpchar: "char"}[oid])
		}
		t.Typmod = mods[0] + 4
	case OIDNumeric:
		if len(mods) > 2 {
			return Type{}, Errorf(CodeInvalidParameterValue, "invalid NUMERIC type modifier")
		}
		p := mods[0]
		s := int32(0)
		if len(mods) == 2 {
			s = mods[1]
		}
		if p < 1 || p > 1000 {
			return Type{}, Errorf(CodeInvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
		}
		if s < -1000 || s > 1000 {
			return Type{}, Errorf(CodeInvalidParameterValue, "NUMERIC scale %d must be between -1000 and 1000", s)
		}
		t.Typmod = ((p << 16) | (s & 0xffff)) + 4
	case OIDTimestamp, OIDTimestamptz, OIDTime, OIDTimetz:
		if len(mods) != 1 || mods[0] < 0 {
			kw := map[OID]string{OIDTimestamp: "TIMESTAMP", OIDTimestamptz: "TIMESTAMP", OIDTime: "TIME", OIDTimetz: "TIME"}[oid]
			return Type{}, Errorf(CodeInvalidParameterValue, "%s(%d) precision must not be negative", kw, mods[0])
		}
		p := mods[0]
		if p > 6 {
			p = 6
		}
		t.Typmod = p
	case OIDInterval:
		// As PostgreSQL's grammar produces them: (range mask) for
		// "interval day", (range mask, precision) for "interval(3)" (full
		// range) or "interval day to second(3)".
		if len(mods) > 2 {
			return Type{}, Errorf(CodeInvalidParameterValue, "invalid INTERVAL type modifier")
		}
		rng := mods[0]
		if _, ok := intervalRangeNames[rng]; !ok {
			return Type{}, Errorf(CodeInvalidParameterValue, "invalid INTERVAL type modifier")
		}
		p := int32(0xFFFF)
		if len(mods) == 2 {
			p = mods[1]
			if p < 0 {
				return Type{}, Errorf(CodeInvalidParameterValue, "INTERVAL(%d) precision must not be negative", p)
			}
			if p > 6 {
				p = 6
			}
		}
		t.Typmod = rng<<16 | p
	default:
		return Type{}, Errorf(CodeSyntaxError, "type modifier is not allowed for type \"%s\"", n)
	}
	return t, nil
}

// trimArraySuffix strips trailing "[]" / "[N]" groups from a type name.
func trimArraySuffix(n string) (string, bool) {
	found := false
	for strings.HasSuffix(n, "]") {
		i := strings.LastIndexByte(n, '[')
		if i < 0 {
			return n, false
		}
		for _, c := range n[i+1 : len(n)-1] {
			if c < '0' || c > '9' {
				return n, false
			}
		}
		n = strings.TrimSpace(n[:i])
		found = true
	}
	return n, found
}

// intervalFullRange is PostgreSQL's INTERVAL_FULL_RANGE (no field
// restriction such as YEAR TO MONTH).
const intervalFullRange = 0x7FFF

// Interval field masks (PostgreSQL's INTERVAL_MASK bits).
const (
	intervalMonth  = 1 << 1
	intervalYear   = 1 << 2
	intervalDay    = 1 << 3
	intervalHour   = 1 << 10
	intervalMinute = 1 << 11
	intervalSecond = 1 << 12
)

// intervalRangeNames are the valid range masks of interval typmods and
// their format_type suffixes.
var intervalRangeNames = map[int32]string{
	intervalFullRange:            "",
	intervalYear:                 " year",
	intervalMonth:                " month",
	intervalDay:                  " day",
	intervalHour:                 " hour",
	intervalMinute:               " minute",
	intervalSecond:               " second",
	intervalYear | intervalMonth: " year to month",
	intervalDay | intervalHour:   " day to hour",
	intervalDay | intervalHour | intervalMinute:                  " day to minute",
	intervalDay | intervalHour | intervalMinute | intervalSecond: " day to second",
	intervalHour | intervalMinute:                                " hour to minute",
	intervalHour | intervalMinute | intervalSecond:               " hour to second",
	intervalMinute | intervalSecond:                              " minute to second",
}

// intervalRange returns the field range mask of an interval typmod
// (intervalFullRange when there is no restriction).
func intervalRange(typmod int32) int32 {
	if typmod < 0 {
		return intervalFullRange
	}
	return typmod >> 16
}

// IntervalPrecision returns the fractional-second precision p of an
// interval(p) typmod, or -1 when the typmod has none.
func IntervalPrecision(typmod int32) int {
	if typmod < 0 {
		return -1
	}
	p := int(typmod & 0xFFFF)
	if p == 0xFFFF {
		return -1
	}
	return p
}
