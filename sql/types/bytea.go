package types

import (
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// ParseBytea parses bytea input as PostgreSQL 15's byteain: the hex format
// `\x` followed by pairs of hex digits (whitespace allowed between pairs),
// or the escape format, where `\\` is a backslash, `\ooo` an octal byte and
// every other byte stands for itself.
func ParseBytea(s string) ([]byte, error) {
	if len(s) >= 2 && s[0] == '\\' && s[1] == 'x' {
		return parseHexBytes(s[2:])
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		case i+3 < len(s) && isOct(s[i+1], '3') && isOct(s[i+2], '7') && isOct(s[i+3], '7'):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		default:
			return nil, Errorf(CodeInvalidTextRep, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOct(c, max byte) bool { return c >= '0' && c <= max }

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func parseHexBytes(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		hi, ok := hexVal(c)
		if !ok {
			return nil, errBadHexDigit(s[i:])
		}
		i++
		if i >= len(s) {
			return nil, Errorf(CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		lo, ok := hexVal(s[i])
		if !ok {
			return nil, errBadHexDigit(s[i:])
		}
		i++
		out = append(out, hi<<4|lo)
	}
	return out, nil
}

func errBadHexDigit(rest string) error {
	_, n := utf8.DecodeRuneInString(rest)
	if n < 1 {
		n = 1
	}
	return Errorf(CodeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", rest[:n])
}

// AppendBytea appends the hex output format (bytea_output = hex):
// `\x` followed by two lower-case hex digits per byte.
func AppendBytea(dst []byte, b string) []byte {
	dst = append(dst, '\\', 'x')
	for i := 0; i < len(b); i++ {
		dst = append(dst, hexDigits[b[i]>>4], hexDigits[b[i]&15])
	}
	return dst
}

// AppendByteaEscape appends the escape output format (bytea_output =
// escape): printable ASCII as itself, a backslash doubled, every other byte
// as a backslash and three octal digits.
func AppendByteaEscape(dst []byte, b string) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c < 0x20 || c > 0x7e:
			dst = append(dst, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
