package funcs

import (
	"regexp"

	"github.com/borealis-db/borealis/sql/types"
)

// CompileRegex compiles a PostgreSQL regular expression with regexp_*
// flags (see compileRegex); global reports the 'g' flag. The executor's
// regexp_matches (a set-returning function) uses it.
func CompileRegex(pattern, flags string) (re *regexp.Regexp, global bool, err error) {
	return compileRegex(pattern, flags)
}

// MatchArray is the text[] PostgreSQL's regexp_match(es) return for one
// match m (submatch indexes into s as regexp's FindStringSubmatchIndex
// gives them): the whole match when the pattern has no groups, else one
// element per group, NULL for a group that did not participate.
func MatchArray(s string, m []int) types.Datum {
	var out []types.Datum
	if len(m) == 2 {
		out = []types.Datum{types.NewString(s[m[0]:m[1]])}
	}
	for k := 1; 2*k+1 < len(m); k++ {
		if m[2*k] < 0 {
			out = append(out, types.Null)
		} else {
			out = append(out, types.NewString(s[m[2*k]:m[2*k+1]]))
		}
	}
	return types.NewArray(types.MakeArray(out))
}
