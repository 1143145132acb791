package funcs

import (
	"unicode/utf8"

	"github.com/borealis-db/borealis/sql/types"
)

// PostgreSQL 15's regexp_like, regexp_count, regexp_substr and
// regexp_instr (their common forms), on Go's RE2 engine (see
// compileRegex for what differs from PostgreSQL's ARE).
func addRegexFuncs(r *Registry) {
	T, I4 := types.Text, types.Int4
	like := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		flags := ""
		if len(a) > 2 {
			flags = a[2].S
		}
		if err := noGlobal(flags, "regexp_like()"); err != nil {
			return types.Null, err
		}
		re, _, err := compileRegex(a[1].S, flags)
		if err != nil {
			return types.Null, err
		}
		return types.NewBool(re.MatchString(a[0].S)), nil
	}
	add(r, "regexp_like", types.Bool, like, T, T)
	add(r, "regexp_like", types.Bool, like, T, T, T)
	// start is 1-based in characters; flags optional.
	prep := func(a []types.Datum, startIdx, flagsIdx int, fn string) (string, int, string, error) {
		s := a[0].S
		flags := ""
		if flagsIdx > 0 && len(a) > flagsIdx {
			flags = a[flagsIdx].S
		}
		if err := noGlobal(flags, fn); err != nil {
			return "", 0, "", err
		}
		off := 0
		if startIdx > 0 && len(a) > startIdx {
			st := a[startIdx].I
			if st <= 0 {
				return "", 0, "", errf(codeInvalidParameterValue, "invalid value for parameter \"%s\": %d", "start", st)
			}
			off = byteOffset(s, int(st-1))
		}
		return s, off, flags, nil
	}
	count := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, off, flags, err := prep(a, 2, 3, "regexp_count()")
		if err != nil {
			return types.Null, err
		}
		re, _, err := compileRegex(a[1].S, flags)
		if err != nil {
			return types.Null, err
		}
		return types.NewInt(int64(len(re.FindAllStringIndex(s[off:], -1)))), nil
	}
	add(r, "regexp_count", I4, count, T, T)
	add(r, "regexp_count", I4, count, T, T, I4)
	add(r, "regexp_count", I4, count, T, T, I4, T)
	nth := func(a []types.Datum, fn string) (string, []int, error) {
		s, off, flags, err := prep(a, 2, 4, fn)
		if err != nil {
			return "", nil, err
		}
		n := int64(1)
		if len(a) > 3 {
			n = a[3].I
			if n <= 0 {
				return "", nil, errf(codeInvalidParameterValue, "invalid value for parameter \"%s\": %d", "n", n)
			}
		}
		re, _, err := compileRegex(a[1].S, flags)
		if err != nil {
			return "", nil, err
		}
		ms := re.FindAllStringIndex(s[off:], int(min(n, 1<<20)))
		if int64(len(ms)) < n {
			return s, nil, nil
		}
		m := ms[n-1]
		return s, []int{m[0] + off, m[1] + off}, nil
	}
	substr := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, m, err := nth(a, "regexp_substr()")
		if err != nil || m == nil {
			return types.Null, err
		}
		return types.NewString(s[m[0]:m[1]]), nil
	}
	add(r, "regexp_substr", T, substr, T, T)
	add(r, "regexp_substr", T, substr, T, T, I4)
	add(r, "regexp_substr", T, substr, T, T, I4, I4)
	add(r, "regexp_substr", T, substr, T, T, I4, I4, T)
	instr := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, m, err := nth(a, "regexp_instr()")
		if err != nil {
			return types.Null, err
		}
		if m == nil {
			return types.NewInt(0), nil
		}
		return types.NewInt(int64(utf8.RuneCountInString(s[:m[0]]) + 1)), nil
	}
	add(r, "regexp_instr", I4, instr, T, T)
	add(r, "regexp_instr", I4, instr, T, T, I4)
	add(r, "regexp_instr", I4, instr, T, T, I4, I4)
}

func noGlobal(flags, fn string) error {
	for _, f := range flags {
		if f == 'g' {
			return &types.Error{Code: codeInvalidParameterValue,
				Message: fn[:len(fn)-2] + "() does not support the \"global\" option"}
		}
	}
	return nil
}

// byteOffset returns the byte offset of character n (len(s) past the end).
func byteOffset(s string, n int) int {
	i := 0
	for c := 0; c < n && i < len(s); c++ {
		_, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
	}
	return i
}
