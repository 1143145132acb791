package types

import (
	"math"
	"math/big"
	"strings"
)

// Compare orders two non-NULL values of the same type in PostgreSQL's total
// order for sorting and indexing (NaN above all numbers, -0 = 0, text and
// bytea by bytes, i.e. the C collation; intervals by their 30-day-month,
// 24-hour-day span; jsonb by the jsonb btree order; arrays element-wise). Integers, floats and numerics compare across
// kinds (as PostgreSQL's cross-type operators do). char(n) values need
// CompareAs to ignore trailing blanks. NULLs compare equal to each other and
// greater than any value (use CompareNulls to choose their placement).
func Compare(a, b Datum) int {
	if a.K == KindNull || b.K == KindNull {
		return CompareNulls(a, b, false, nil)
	}
	if a.K != b.K {
		return compareMixed(a, b)
	}
	switch a.K {
	case KindBool, KindInt, KindDate, KindTimestamp, KindTimestamptz:
		return cmpInt64(a.I, b.I)
	case KindFloat:
		return cmpFloat(a.F, b.F)
	case KindNumeric:
		return a.N.Cmp(b.N)
	case KindString, KindBytea, KindUUID:
		return strings.Compare(a.S, b.S)
	case KindInterval:
		return CompareIntervals(a.Interval(), b.Interval())
	case KindTime:
		return cmpInt64(a.I, b.I)
	case KindTimetz:
		return compareTimetz(a, b)
	case KindJSON:
		return CompareJSON(a.J, b.J)
	case KindArray:
		return CompareArrays(Unknown, a.A, b.A)
	}
	return 0
}

// CompareAs is Compare with the semantics of type t: for char(n) trailing
// blanks are insignificant (also as elements of char(n)[]).
func CompareAs(t Type, a, b Datum) int {
	if t.OID == OIDBpchar && a.K == KindString && b.K == KindString {
		return strings.Compare(TrimBpchar(a.S), TrimBpchar(b.S))
	}
	if a.K == KindArray && b.K == KindArray {
		et, ok := t.ElemType()
		if !ok {
			et = Unknown
		}
		return CompareArrays(et, a.A, b.A)
	}
	return Compare(a, b)
}

// CompareNulls compares possibly-NULL values: NULLs are equal to each
// other and sort last (nullsFirst=false) or first. cmp compares two
// non-NULL values (nil → Compare).
func CompareNulls(a, b Datum, nullsFirst bool, cmp func(a, b Datum) int) int {
	an, bn := a.K == KindNull, b.K == KindNull
	switch {
	case an && bn:
		return 0
	case an:
		if nullsFirst {
			return -1
		}
		return 1
	case bn:
		if nullsFirst {
			return 1
		}
		return -1
	}
	if cmp != nil {
		return cmp(a, b)
	}
	return Compare(a, b)
}

func cmpInt64(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareMixed(a, b Datum) int {
	switch {
	case a.K == KindInt && b.K == KindFloat:
		return cmpIntFloat(a.I, b.F)
	case a.K == KindFloat && b.K == KindInt:
		return -cmpIntFloat(b.I, a.F)
	case a.K == KindInt && b.K == KindNumeric:
		return NumericFromInt64(a.I).Cmp(b.N)
	case a.K == KindNumeric && b.K == KindInt:
		return a.N.Cmp(NumericFromInt64(b.I))
	case a.K == KindFloat && b.K == KindNumeric:
		f, _ := b.N.Float64()
		return cmpFloat(a.F, f)
	case a.K == KindNumeric && b.K == KindFloat:
		f, _ := a.N.Float64()
		return cmpFloat(f, b.F)
	case a.K == KindDate && (b.K == KindTimestamp || b.K == KindTimestamptz):
		return cmpInt64(dateToTimestamp(a.I), b.I)
	case (a.K == KindTimestamp || a.K == KindTimestamptz) && b.K == KindDate:
		return cmpInt64(a.I, dateToTimestamp(b.I))
	case (a.K == KindTimestamp && b.K == KindTimestamptz) || (a.K == KindTimestamptz && b.K == KindTimestamp):
		return cmpInt64(a.I, b.I)
	}
	return cmpInt(int(a.K), int(b.K))
}

func cmpIntFloat(i int64, f float64) int {
	if math.IsNaN(f) {
		return -1
	}
	fi := float64(i)
	if fi < f {
		return -1
	}
	if fi > f {
		return 1
	}
	// equal as floats; compare exactly
	bf := new(big.Float).SetFloat64(f)
	return new(big.Float).SetInt64(i).Cmp(bf)
}

func dateToTimestamp(days int64) int64 {
	switch days {
	case DatePosInfinity:
		return TimestampPosInfinity
	case DateNegInfinity:
		return TimestampNegInfinity
	}
	return days * usecsPerDay
}

// Equal reports SQL equality of two non-NULL values of type t (false if
// either is NULL).
func Equal(t Type, a, b Datum) bool {
	if a.K == KindNull || b.K == KindNull {
		return false
	}
	return CompareAs(t, a, b) == 0
}
