package funcs

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// bytea and uuid functions: length, octet_length, md5, sha224, sha256,
// sha384, sha512, encode, decode (hex, base64, escape), gen_random_uuid.
func addBinaryFuncs(r *Registry) {
	B, T := types.Bytea, types.Text
	byteLen := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(len(a[0].S))), nil
	}
	add(r, "length", types.Int4, byteLen, B)
	add(r, "octet_length", types.Int4, byteLen, B)
	add(r, "md5", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		h := md5.Sum([]byte(a[0].S))
		return types.NewString(hex.EncodeToString(h[:])), nil
	}, B)
	hash := func(f func([]byte) []byte) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			return types.NewBytea(f([]byte(a[0].S))), nil
		}
	}
	add(r, "sha224", B, hash(func(b []byte) []byte { h := sha256.Sum224(b); return h[:] }), B)
	add(r, "sha256", B, hash(func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }), B)
	add(r, "sha384", B, hash(func(b []byte) []byte { h := sha512.Sum384(b); return h[:] }), B)
	add(r, "sha512", B, hash(func(b []byte) []byte { h := sha512.Sum512(b); return h[:] }), B)
	add(r, "encode", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, err := encodeBytes(a[0].S, a[1].S)
		if err != nil {
			return types.Null, err
		}
		return types.NewString(s), nil
	}, B, T)
	add(r, "decode", B, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		b, err := decodeBytes(a[0].S, a[1].S)
		if err != nil {
			return types.Null, err
		}
		return types.NewBytea(b), nil
	}, T, T)
	uuid := add(r, "gen_random_uuid", types.UUID, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		var u [16]byte
		if _, err := rand.Read(u[:]); err != nil {
			return types.Null, errf("XX000", "could not generate random values")
		}
		u[6] = (u[6] & 0x0f) | 0x40 // version 4
		u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
		return types.NewUUID(u), nil
	})
	uuid.Volatile = true
}

func errUnknownEncoding(name string) error {
	return errf(codeInvalidParameterValue, "unrecognized encoding: \"%s\"", name)
}

func encodeBytes(b, enc string) (string, error) {
	switch strings.ToLower(enc) {
	case "hex":
		return hex.EncodeToString([]byte(b)), nil
	case "base64":
		// PostgreSQL breaks base64 output into lines of 76 characters.
		s := base64.StdEncoding.EncodeToString([]byte(b))
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76])
			out.WriteByte('\n')
			s = s[76:]
		}
		out.WriteString(s)
		return out.String(), nil
	case "escape":
		var out strings.Builder
		for i := 0; i < len(b); i++ {
			c := b[i]
			switch {
			case c == '\\':
				out.WriteString(`\\`)
			case c == 0 || c >= 0x80:
				out.WriteByte('\\')
				out.WriteByte('0' + (c>>6)&7)
				out.WriteByte('0' + (c>>3)&7)
				out.WriteByte('0' + c&7)
			default:
				out.WriteByte(c)
			}
		}
		return out.String(), nil
	}
	return "", errUnknownEncoding(enc)
}

func decodeBytes(s, enc string) ([]byte, error) {
	switch strings.ToLower(enc) {
	case "hex":
		var out []byte
		for i := 0; i < len(s); {
			if s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' {
				i++
				continue
			}
			hi, ok := hexVal(s[i])
			if !ok {
				return nil, errf(codeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(s[i]))
			}
			if i+1 >= len(s) {
				return nil, errf(codeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := hexVal(s[i+1])
			if !ok {
				return nil, errf(codeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(s[i+1]))
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return out, nil
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		b, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return nil, errf(codeInvalidParameterValue, "invalid base64 end sequence")
		}
		return b, nil
	case "escape":
		var out []byte
		for i := 0; i < len(s); i++ {
			if s[i] != '\\' {
				out = append(out, s[i])
				continue
			}
			if i+1 < len(s) && s[i+1] == '\\' {
				out = append(out, '\\')
				i++
				continue
			}
			if i+3 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) && s[i+1] <= '3' {
				out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
				i += 3
				continue
			}
			return nil, errf("22P02", "invalid input syntax for type bytea")
		}
		return out, nil
	}
	return nil, errUnknownEncoding(enc)
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

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
