package funcs

import (
	"regexp"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// The regular-expression forms of substring and the positional forms of
// regexp_replace (PostgreSQL 15): substring(text from pattern),
// regexp_replace(source, pattern, replacement, start [, N [, flags]]).

func addRegexSubstrFuncs(r *Registry) {
	T, I4 := types.Text, types.Int4
	add(r, "substring", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		re, _, err := compileRegex(a[1].S, "")
		if err != nil {
			return types.Null, err
		}
		m := re.FindStringSubmatchIndex(a[0].S)
		switch {
		case m == nil:
			return types.Null, nil
		case re.NumSubexp() == 0:
			return types.NewString(a[0].S[m[0]:m[1]]), nil
		case m[2] < 0: // the first parenthesized subexpression did not take part
			return types.Null, nil
		}
		return types.NewString(a[0].S[m[2]:m[3]]), nil
	}, T, T)
	add(r, "substring", T, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.Null, errf(codeFeatureNotSupported, "SUBSTRING with SIMILAR (or FROM ... FOR an escape) is not supported")
	}, T, T, T)
	replace := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s := a[0].S
		st := a[3].I
		if st <= 0 {
			return types.Null, errf(codeInvalidParameterValue, "invalid value for parameter \"%s\": %d", "start", st)
		}
		n := int64(0)
		if len(a) > 4 {
			if n = a[4].I; n < 0 {
				return types.Null, errf(codeInvalidParameterValue, "invalid value for parameter \"%s\": %d", "n", n)
			}
		} else {
			n = 1
		}
		flags := ""
		if len(a) > 5 {
			flags = a[5].S
		}
		re, global, err := compileRegex(a[1].S, flags)
		if err != nil {
			return types.Null, err
		}
		off := byteOffset(s, int(st-1))
		if off > 0 && strings.ContainsAny(a[1].S, `^\`) {
			// The search would start inside the string: anchors and
			// escapes such as \m would see a different context.
			return types.Null, errf(codeFeatureNotSupported, "regexp_replace with a start position and an anchored pattern is not supported")
		}
		if len(a) > 4 && n == 0 {
			global = true
		}
		if err := emptyMatchReplace(re, global, a[2].S); err != nil {
			return types.Null, err
		}
		tail := s[off:]
		var b strings.Builder
		b.WriteString(s[:off])
		last := 0
		for i, m := range re.FindAllStringSubmatchIndex(tail, -1) {
			if !global && int64(i+1) != n {
				continue
			}
			b.WriteString(tail[last:m[0]])
			expandReplacement(&b, tail, m, a[2].S)
			last = m[1]
			if !global {
				break
			}
		}
		b.WriteString(tail[last:])
		return types.NewString(b.String()), nil
	}
	add(r, "regexp_replace", T, replace, T, T, T, I4)
	add(r, "regexp_replace", T, replace, T, T, T, I4, I4)
	add(r, "regexp_replace", T, replace, T, T, T, I4, I4, T)
}

// expandReplacement writes repl for match m of src: \1..\9 are the
// subexpressions, \& the whole match, \\ a backslash.
func expandReplacement(b *strings.Builder, src string, m []int, repl string) {
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		if ch == '\\' && i+1 < len(repl) {
			n := repl[i+1]
			switch {
			case n >= '1' && n <= '9':
				k := int(n - '0')
				if 2*k+1 < len(m) && m[2*k] >= 0 {
					b.WriteString(src[m[2*k]:m[2*k+1]])
				}
				i++
				continue
			case n == '&':
				b.WriteString(src[m[0]:m[1]])
				i++
				continue
			case n == '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(ch)
	}
}

// emptyMatchReplace refuses a global replacement by a non-empty text of a
// pattern that can match the empty string: PostgreSQL also replaces an
// empty match right after a non-empty one (regexp_replace('aaa', 'a*',
// '-', 'g') is "--"), which Go's regexp skips, so the answer would differ.
func emptyMatchReplace(re *regexp.Regexp, global bool, repl string) error {
	if global && repl != "" && re.MatchString("") {
		return errf(codeFeatureNotSupported, "regexp_replace of a pattern that matches the empty string with the g flag is not supported")
	}
	return nil
}
