package types

import (
	"math"
	"strconv"
	"strings"
)

// real (float4) values are KindFloat Datums whose F is exactly the float64
// of a float32 value: comparisons, keys and casts to float8 then work on F
// unchanged (PostgreSQL compares float4 with float8 by widening too), while
// input, output, arithmetic between two reals, storage (4 bytes) and the
// binary format round through float32.

// ParseFloat4 parses real input as PostgreSQL's float4in: 22P02 for bad
// text, 22003 for values outside float4's range (overflow, or a nonzero
// value that rounds to zero).
func ParseFloat4(s string) (float64, error) {
	t := strings.Trim(s, " \t\n\r\v\f")
	if t == "" || strings.IndexByte(t, '_') >= 0 {
		return 0, errInvalidSyntax("real", s)
	}
	f, err := strconv.ParseFloat(t, 32)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errFloat4OutOfRange(s)
		}
		return 0, errInvalidSyntax("real", s)
	}
	if f == 0 && hasNonzeroMantissa(t) {
		return 0, errFloat4OutOfRange(s)
	}
	return float64(float32(f)), nil
}

func errFloat4OutOfRange(input string) *Error {
	return Errorf(CodeNumericValueOutOfRange, "\"%s\" is out of range for type real", input)
}

// FormatFloat4 formats like PostgreSQL 15's float4out with
// extra_float_digits ≥ 1: the shortest digits that round-trip as a float32,
// in fixed notation when the decimal exponent is in [-4, 6), else 1e+06.
func FormatFloat4(f float64) string { return string(AppendFloat4(nil, f)) }

// AppendFloat4 appends FormatFloat4(f).
func AppendFloat4(dst []byte, f float64) []byte { return appendShortest(dst, f, 32, 6) }

// Float8ToFloat4 narrows a float8 as PostgreSQL's float84 does: 22003
// "value out of range: overflow/underflow" when a finite value becomes
// infinite or a nonzero value becomes zero.
func Float8ToFloat4(f float64) (float64, error) {
	r := float32(f)
	if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
		return 0, errFloatOverflow
	}
	if r == 0 && f != 0 {
		return 0, errFloatUnderflow
	}
	return float64(r), nil
}

// float4Arith is real op real (float4pl/mi/mul/div): computed in float32,
// with float8's overflow, underflow and division-by-zero checks.
func float4Arith(op ArithOp, fa, fb float64) (Datum, error) {
	r, err := floatOp(op, float32(fa), float32(fb), "real")
	if err != nil {
		return Null, err
	}
	return NewFloat(float64(r)), nil
}

// toFloat4Datum is the cast to real from an integer, numeric or float8
// Datum (numeric goes through its text, as numeric_float4 does).
func toFloat4Datum(d Datum) (Datum, bool, error) {
	switch d.K {
	case KindInt:
		return NewFloat(float64(float32(d.I))), true, nil
	case KindFloat:
		f, err := Float8ToFloat4(d.F)
		return NewFloat(f), true, err
	case KindNumeric:
		if d.N.IsNaN() {
			return NewFloat(math.NaN()), true, nil
		}
		if d.N.IsInf() {
			if d.N.Sign() < 0 {
				return NewFloat(math.Inf(-1)), true, nil
			}
			return NewFloat(math.Inf(1)), true, nil
		}
		f, err := ParseFloat4(d.N.String())
		return NewFloat(f), true, err
	}
	return Null, false, nil
}

// float4ToNumeric is float4_numeric: the value printed with FLT_DIG (6)
// significant digits.
func float4ToNumeric(f float64) *Numeric {
	return numericFromFloat(f, 6, 32)
}
