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
	KindFloat                   // F: float8
	KindNumeric                 // N: numeric
	KindString                  // S: text, varchar, char(n) (blank-padded), unknown
	KindDate                    // I: days since 2000-01-01 (math.MinInt32/MaxInt32 = -/+infinity)
	KindTimestamp               // I: microseconds since 2000-01-01 00:00:00 (local, no zone)
	KindTimestamptz             // I: microseconds since 2000-01-01 00:00:00 UTC
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
	}
	return "invalid"
}

// Datum is one SQL value. The zero Datum is NULL. Datums are passed by
// value; only numeric (N) and string (S) values reference heap memory, and
// both are immutable.
type Datum struct {
	K Kind
	I int64
	F float64
	S string
	N *Numeric
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
