package funcs

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/borealis-db/borealis/sql/types"
)

// substr/substring/position of bytea, get_byte, set_byte, and convert_to/convert_from for the UTF8 encoding
// (the only one Borealis stores).

func addByteFuncs(r *Registry) {
	B, T, I4 := types.Bytea, types.Text, types.Int4
	checkIndex := func(b string, n int64) error {
		if n < 0 || n >= int64(len(b)) {
			return errf("2202E", "index %d out of valid range, 0..%d", n, int64(len(b))-1)
		}
		return nil
	}
	add(r, "get_byte", I4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if err := checkIndex(a[0].S, a[1].I); err != nil {
			return types.Null, err
		}
		return types.NewInt(int64(a[0].S[a[1].I])), nil
	}, B, I4)
	add(r, "set_byte", B, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if err := checkIndex(a[0].S, a[1].I); err != nil {
			return types.Null, err
		}
		b := []byte(a[0].S)
		b[a[1].I] = byte(a[2].I)
		return types.NewBytea(b), nil
	}, B, I4, I4)
	bsub := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		b := a[0].S
		start, end := a[1].I, int64(math.MaxInt64)
		if len(a) > 2 {
			if a[2].I < 0 {
				return types.Null, errf(codeSubstringError, "negative substring length not allowed")
			}
			if start <= math.MaxInt64-a[2].I {
				end = start + a[2].I
			}
		}
		lo, hi := max(start, 1)-1, min(end-1, int64(len(b)))
		if hi <= lo {
			return types.NewByteaString(""), nil
		}
		return types.NewByteaString(b[lo:hi]), nil
	}
	for _, n := range []string{"substr", "substring"} {
		add(r, n, B, bsub, B, I4)
		add(r, n, B, bsub, B, I4, I4)
	}
	add(r, "position", I4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(strings.Index(a[0].S, a[1].S) + 1)), nil // position(needle in haystack) is position(haystack, needle)
	}, B, B)
	utf8Only := func(name string) error {
		switch strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(name)) {
		case "UTF8", "UNICODE":
			return nil
		}
		return errf(codeFeatureNotSupported, "conversion to or from encoding %q is not supported", name)
	}
	add(r, "convert_to", B, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if err := utf8Only(a[1].S); err != nil {
			return types.Null, err
		}
		return types.NewByteaString(a[0].S), nil
	}, T, T)
	add(r, "convert_from", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if err := utf8Only(a[1].S); err != nil {
			return types.Null, err
		}
		if !utf8.ValidString(a[0].S) || strings.IndexByte(a[0].S, 0) >= 0 {
			return types.Null, errf("22021", "invalid byte sequence for encoding \"UTF8\"")
		}
		return types.NewString(a[0].S), nil
	}, B, T)
}
