package types

// ParseUUID parses uuid input as PostgreSQL's uuid_in: 32 hex digits in
// either case, optionally in braces, with an optional hyphen after any
// group of four digits.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	bad := func() ([16]byte, error) {
		return [16]byte{}, errInvalidSyntax("uuid", s)
	}
	p := 0
	braces := false
	if p < len(s) && s[p] == '{' {
		braces = true
		p++
	}
	for i := 0; i < 16; i++ {
		if p+1 >= len(s) {
			return bad()
		}
		hi, ok1 := hexVal(s[p])
		lo, ok2 := hexVal(s[p+1])
		if !ok1 || !ok2 {
			return bad()
		}
		u[i] = hi<<4 | lo
		p += 2
		if p < len(s) && s[p] == '-' && i%2 == 1 && i < 15 {
			p++
		}
	}
	if braces {
		if p >= len(s) || s[p] != '}' {
			return bad()
		}
		p++
	}
	if p != len(s) {
		return bad()
	}
	return u, nil
}

// AppendUUID appends the canonical text form of u
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, lower case).
func AppendUUID(dst []byte, u string) []byte {
	for i := 0; i < len(u); i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[u[i]>>4], hexDigits[u[i]&15])
	}
	return dst
}
