package types

import (
	"math"
	"time"
)

// Kind says which field of a Datum holds its value.
type Kind uint8

// Datum kinds.
const (
	KindNull        Kind = iota // SQL NULL (of any type)
	KindBool                    // I: 0 or 1
	KindInt                     // I: int2/int4/int8
	KindFloat                   // F: float8, or float4 (the float64 of its float32 value)
	KindNumeric                 // N: numeric
	KindString                  // S: text, varchar, char(n) (blank-padded), unknown
	KindDate                    // I: days since 2000-01-01 (math.MinInt32/MaxInt32 = -/+infinity)
	KindTimestamp               // I: microseconds since 2000-01-01 00:00:00 (local, no zone)
	KindTimestamptz             // I: microseconds since 2000-01-01 00:00:00 UTC
	KindBytea                   // S: the raw bytes (a Go string used as an immutable []byte)
	KindInterval                // Months, Days, I (microseconds): PostgreSQL's three-field interval
	KindUUID                    // S: the 16 raw bytes
	KindJSON                    // J: a parsed jsonb value (*JSON, immutable)
	KindArray                   // A: an array of any supported scalar type (*Array, immutable)
	KindTime                    // I: microseconds since midnight (time.go)
	KindTimetz                  // I: local microseconds since midnight, Days: zone in seconds west of UTC
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindNumeric:
		return "numeric"
	case KindString:
		return "string"
	case KindDate:
		return "date"
	case KindTimestamp:
		return "timestamp"
	case KindTimestamptz:
		return "timestamptz"
	case KindBytea:
		return "bytea"
	case KindInterval:
		return "interval"
	case KindUUID:
		return "uuid"
	case KindJSON:
		return "jsonb"
	case KindArray:
		return "array"
	case KindTime:
		return "time"
	case KindTimetz:
		return "timetz"
	}
	return "invalid"
}

// Datum is one SQL value. The zero Datum is NULL. Datums are passed by
// value; numeric (N), string/bytea/uuid (S), jsonb (J) and array (A) values
// reference heap memory, and all of them are immutable: never modify what a
// Datum points to, build a new value instead.
//
// Which fields hold the value is decided by K (see the Kind constants);
// fields a kind does not use are zero. Interval uses three fields, exactly
// PostgreSQL's representation: Months, Days and I (microseconds); they are
// not normalised into each other (1 mon and 30 days are different values
// that compare equal). Use the constructors and accessors rather than
// filling the fields by hand.
type Datum struct {
	K      Kind
	Days   int32 // interval: days
	I      int64
	F      float64
	S      string
	N      *Numeric
	J      *JSON  // jsonb
	A      *Array // arrays
	Months int32  // interval: months
}

// Null is the SQL NULL.
var Null = Datum{}

// Infinity sentinels for dates and timestamps (PostgreSQL's values).
const (
	DateNegInfinity      = math.MinInt32
	DatePosInfinity      = math.MaxInt32
	TimestampNegInfinity = math.MinInt64
	TimestampPosInfinity = math.MaxInt64
)

// NewBool returns a bool Datum.
func NewBool(b bool) Datum {
	if b {
		return Datum{K: KindBool, I: 1}
	}
	return Datum{K: KindBool}
}

// NewInt returns an integer Datum (any of int2/int4/int8).
func NewInt(v int64) Datum { return Datum{K: KindInt, I: v} }

// NewFloat returns a float8 Datum.
func NewFloat(f float64) Datum { return Datum{K: KindFloat, F: f} }

// NewNumeric returns a numeric Datum.
func NewNumeric(n *Numeric) Datum { return Datum{K: KindNumeric, N: n} }

// NewString returns a string Datum (text, varchar, char(n), unknown).
func NewString(s string) Datum { return Datum{K: KindString, S: s} }

// NewDate returns a date Datum from days since 2000-01-01.
func NewDate(days int32) Datum { return Datum{K: KindDate, I: int64(days)} }

// NewTimestamp returns a timestamp Datum from microseconds since 2000-01-01.
func NewTimestamp(us int64) Datum { return Datum{K: KindTimestamp, I: us} }

// NewTimestamptz returns a timestamptz Datum from microseconds since
// 2000-01-01 00:00:00 UTC.
func NewTimestamptz(us int64) Datum { return Datum{K: KindTimestamptz, I: us} }

// NewTimestamptzFromTime converts a Go time to a timestamptz Datum.
func NewTimestamptzFromTime(t time.Time) Datum {
	return NewTimestamptz(TimeToPGMicros(t))
}

// NewBytea returns a bytea Datum holding a copy of b.
func NewBytea(b []byte) Datum { return Datum{K: KindBytea, S: string(b)} }

// NewByteaString returns a bytea Datum whose bytes are those of s.
func NewByteaString(s string) Datum { return Datum{K: KindBytea, S: s} }

// Bytes returns a copy of the bytes of a bytea or uuid Datum.
func (d Datum) Bytes() []byte { return []byte(d.S) }

// NewInterval returns an interval Datum.
func NewInterval(iv Interval) Datum {
	return Datum{K: KindInterval, Months: iv.Months, Days: iv.Days, I: iv.Micros}
}

// Interval returns the value of an interval Datum.
func (d Datum) Interval() Interval { return Interval{Months: d.Months, Days: d.Days, Micros: d.I} }

// NewUUID returns a uuid Datum.
func NewUUID(u [16]byte) Datum { return Datum{K: KindUUID, S: string(u[:])} }

// UUID returns the value of a uuid Datum.
func (d Datum) UUID() [16]byte {
	var u [16]byte
	copy(u[:], d.S)
	return u
}

// NewJSON returns a jsonb Datum (NULL for a nil j; a JSON null is a
// non-nil *JSON of kind JSONNull).
func NewJSON(j *JSON) Datum {
	if j == nil {
		return Null
	}
	return Datum{K: KindJSON, J: j}
}

// NewArray returns an array Datum (NULL for a nil a).
func NewArray(a *Array) Datum {
	if a == nil {
		return Null
	}
	return Datum{K: KindArray, A: a}
}

// IsNull reports whether d is NULL.
func (d Datum) IsNull() bool { return d.K == KindNull }

// Bool returns the value of a bool Datum.
func (d Datum) Bool() bool { return d.I != 0 }

// pgEpochUnix is 2000-01-01 00:00:00 UTC in Unix seconds.
const pgEpochUnix = 946684800

// TimeToPGMicros converts a Go time to microseconds since 2000-01-01 UTC.
func TimeToPGMicros(t time.Time) int64 {
	return (t.Unix()-pgEpochUnix)*1e6 + int64(t.Nanosecond()/1000)
}

// PGMicrosToTime converts microseconds since 2000-01-01 UTC to a Go time.
func PGMicrosToTime(us int64) time.Time {
	sec := us / 1e6
	rem := us % 1e6
	if rem < 0 {
		rem += 1e6
		sec--
	}
	return time.Unix(sec+pgEpochUnix, rem*1000).UTC()
}

// Env carries the session settings that affect I/O, casts and functions.
// A nil *Env behaves as TimeZone=UTC with the wall clock for 'now'.
type Env struct {
	Location *time.Location // session TimeZone
	Now      time.Time      // transaction start time (for 'now', CURRENT_TIMESTAMP); zero → time.Now()
	// ByteaEscape selects bytea_output = escape (default hex).
	ByteaEscape bool
}

func (e *Env) loc() *time.Location {
	if e == nil || e.Location == nil {
		return time.UTC
	}
	return e.Location
}

func (e *Env) now() time.Time {
	if e == nil || e.Now.IsZero() {
		return time.Now()
	}
	return e.Now
}

func (d Datum) withKind(k Kind) Datum { d.K = k; return d }
