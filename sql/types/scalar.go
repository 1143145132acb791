package types

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// intRange returns the bounds and error-message names of an integer type.
func intRange(oid OID) (lo, hi int64, name string, errRange *Error) {
	switch oid {
	case OIDInt2:
		return math.MinInt16, math.MaxInt16, "smallint", errSmallintOutOfRange
	case OIDInt4:
		return math.MinInt32, math.MaxInt32, "integer", errIntOutOfRange
	default:
		return math.MinInt64, math.MaxInt64, "bigint", errBigintOutOfRange
	}
}

// ParseInt parses integer input as PostgreSQL 15's pg_strtoint16/32/64:
// optional surrounding whitespace and sign, then decimal digits.
func ParseInt(oid OID, s string) (int64, error) {
	lo, hi, name, _ := intRange(oid)
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var acc uint64
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if acc > (math.MaxUint64-d)/10 {
			overflow = true
		} else {
			acc = acc*10 + d
		}
		i++
	}
	if i == start {
		return 0, errInvalidSyntax(name, s)
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, errInvalidSyntax(name, s)
	}
	if overflow {
		return 0, errOutOfRangeFor(s, name)
	}
	var v int64
	if neg {
		if acc > uint64(-(lo+1))+1 {
			return 0, errOutOfRangeFor(s, name)
		}
		v = -int64(acc - 1)
		v--
	} else {
		if acc > uint64(hi) {
			return 0, errOutOfRangeFor(s, name)
		}
		v = int64(acc)
	}
	if v < lo || v > hi {
		return 0, errOutOfRangeFor(s, name)
	}
	return v, nil
}

// ParseFloat8 parses float8 input as PostgreSQL's float8in.
func ParseFloat8(s string) (float64, error) {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	t = strings.TrimRight(t, " \t\n\r\v\f")
	if t == "" {
		return 0, errInvalidSyntax("double precision", s)
	}
	for _, c := range []byte(t) {
		if c == '_' {
			return 0, errInvalidSyntax("double precision", s)
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errFloatOutOfRange(s)
		}
		return 0, errInvalidSyntax("double precision", s)
	}
	if f == 0 && hasNonzeroMantissa(t) {
		return 0, errFloatOutOfRange(s)
	}
	return f, nil
}

func hasNonzeroMantissa(t string) bool {
	if len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		t = t[2:]
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == 'e' || c == 'E' || c == 'p' || c == 'P' {
			return false
		}
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}

// FormatFloat8 formats like PostgreSQL 15's float8out with
// extra_float_digits ≥ 1: the shortest digits that round-trip, in fixed
// notation when the decimal exponent is in [-4, 15), otherwise as 1.5e+20.
func FormatFloat8(f float64) string {
	return string(AppendFloat8(nil, f))
}

// AppendFloat8 appends FormatFloat8(f).
func AppendFloat8(dst []byte, f float64) []byte { return appendShortest(dst, f, 64, 15) }

// appendShortest formats f with the shortest digits that round-trip at
// bitSize (64: float8, 32: float4), in fixed notation when the decimal
// exponent is in [-4, fixedMax), as PostgreSQL's Ryu-based output does.
func appendShortest(dst []byte, f float64, bitSize, fixedMax int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize) // [-]d[.ddd]e±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ei := 0
	for ei < len(e) && e[ei] != 'e' {
		ei++
	}
	mant := e[:ei]
	exp, _ := strconv.Atoi(string(e[ei+1:]))
	var digits []byte
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp >= -4 && exp < fixedMax {
		if exp < 0 {
			dst = append(dst, '0', '.')
			for i := 0; i < -exp-1; i++ {
				dst = append(dst, '0')
			}
			return append(dst, digits...)
		}
		if len(digits) <= exp+1 {
			dst = append(dst, digits...)
			for i := len(digits); i < exp+1; i++ {
				dst = append(dst, '0')
			}
			return dst
		}
		dst = append(dst, digits[:exp+1]...)
		dst = append(dst, '.')
		return append(dst, digits[exp+1:]...)
	}
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
		exp = -exp
	} else {
		dst = append(dst, '+')
	}
	if exp < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(exp), 10)
}

// ParseBool parses boolean input as PostgreSQL's boolin.
func ParseBool(s string) (bool, error) {
	t := strings.Trim(s, " \t\n\r\v\f")
	if v, ok := parseBoolWord(t); ok {
		return v, nil
	}
	return false, errInvalidSyntax("boolean", s)
}

func prefixFold(word, s string, minLen int) bool {
	n := len(s)
	if n < minLen || n > len(word) {
		return false
	}
	return strings.EqualFold(word[:n], s)
}

func parseBoolWord(s string) (bool, bool) {
	if s == "" {
		return false, false
	}
	switch s[0] {
	case 't', 'T':
		return true, prefixFold("true", s, 1)
	case 'f', 'F':
		return false, prefixFold("false", s, 1)
	case 'y', 'Y':
		return true, prefixFold("yes", s, 1)
	case 'n', 'N':
		return false, prefixFold("no", s, 1)
	case 'o', 'O':
		if prefixFold("on", s, 2) {
			return true, true
		}
		if prefixFold("off", s, 2) {
			return false, true
		}
	case '1':
		return true, len(s) == 1
	case '0':
		return false, len(s) == 1
	}
	return false, false
}

// CoerceString enforces varchar(n)/char(n) on s. With explicit=false it is
// the input-function/assignment rule (too long → 22001 unless the excess is
// all spaces); explicit casts truncate silently. char(n) is blank-padded.
func CoerceString(t Type, s string, explicit bool) (string, error) {
	n := t.CharLen()
	if n < 0 {
		return s, nil
	}
	cut := byteOffsetOfRune(s, n)
	if cut < len(s) {
		if !explicit {
			for i := cut; i < len(s); i++ {
				if s[i] != ' ' {
					return "", Errorf(CodeStringDataRightTrunc, "value too long for type %s", t.String())
				}
			}
		}
		s = s[:cut]
	}
	if t.OID == OIDBpchar {
		if l := utf8.RuneCountInString(s); l < n {
			s += strings.Repeat(" ", n-l)
		}
	}
	return s, nil
}

// byteOffsetOfRune returns the byte offset of rune index n (len(s) if s has ≤ n runes).
func byteOffsetOfRune(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	i := 0
	for c := 0; c < n && i < len(s); c++ {
		_, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
	}
	return i
}

// TrimBpchar removes the trailing blanks of a char(n) value (its semantic
// value for comparison and for casts to text).
func TrimBpchar(s string) string { return strings.TrimRight(s, " ") }
