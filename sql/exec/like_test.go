package exec

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// likeOracle translates a LIKE pattern (escape '\') to an anchored Go
// regular expression: the reference the matcher is checked against.
func likeOracle(pattern string) (*regexp.Regexp, bool) {
	var b strings.Builder
	b.WriteString("(?s)^")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 >= len(rs) {
				return nil, false
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()), true
}

// TestLikeMatchesOracle: on random patterns and strings over a small
// alphabet, the LIKE matcher agrees with the regular-expression
// translation, and a pattern ending in the escape is 22025 exactly when
// the translation refuses it.
func TestLikeMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	alpha := []rune{'a', 'b', '%', '_', '\\', 'é'}
	gen := func(n int, pat bool) string {
		var b strings.Builder
		for i := rng.Intn(n); i > 0; i-- {
			r := alpha[rng.Intn(len(alpha))]
			if !pat && (r == '%' || r == '_' || r == '\\') && rng.Intn(2) == 0 {
				r = 'a'
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		p, s := gen(8, true), gen(10, false)
		toks, err := compileLike(p, `\`, false)
		re, ok := likeOracle(p)
		if (err == nil) != ok {
			t.Fatalf("pattern %q: compile error %v, oracle ok %v", p, err, ok)
		}
		if !ok {
			continue
		}
		if got, want := likeMatch(s, toks), re.MatchString(s); got != want {
			t.Fatalf("%q LIKE %q = %v, want %v", s, p, got, want)
		}
	}
}

// FuzzLike: the matcher never panics and agrees with the oracle.
func FuzzLike(f *testing.F) {
	for _, s := range [][2]string{{"abc", "a%"}, {"a%c", `a\%c`}, {"", "%"}, {"héllo", "h_llo"}, {"ab", `ab\`}, {"aaa", "%a%a%"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		toks, err := compileLike(p, `\`, false)
		re, ok := likeOracle(p)
		if (err == nil) != ok || !ok {
			return
		}
		if !strings.Contains(s, "\ufffd") && !strings.Contains(p, "\ufffd") && likeMatch(s, toks) != re.MatchString(s) {
			t.Fatalf("%q LIKE %q disagrees with the oracle", s, p)
		}
		_ = likeMatch(strings.ToLower(s), toks)
	})
}

// TestSimilarToRegex: the SIMILAR TO translation of PostgreSQL's
// similar_to_escape.
func TestSimilarToRegex(t *testing.T) {
	for _, tc := range []struct{ pat, esc, want string }{
		{"a%", `\`, `^(?:a.*)$`},
		{"(a|b)_", `\`, `^(?:(?:a|b).)$`},
		{"a.b", `\`, `^(?:a\.b)$`},
		{`a\%`, `\`, `^(?:a%)$`},
		{"a#_", "#", `^(?:a_)$`},
		{"[a-c]+", `\`, `^(?:[a-c]+)$`},
	} {
		got, err := similarToRegex(tc.pat, tc.esc)
		if err != nil || got != tc.want {
			t.Errorf("%q escape %q: %q, %v; want %q", tc.pat, tc.esc, got, err, tc.want)
		}
	}
	if _, err := similarToRegex(`a\`, `\`); err == nil {
		t.Error("pattern ending in the escape accepted")
	}
}

// FuzzExprEval plans and runs "select <expression>" over the expression
// test tables: any expression either errors or answers, never panics.
func FuzzExprEval(f *testing.F) {
	for _, s := range []string{
		"case a when 1 then s else 'x' end", "nullif(a, b)", "greatest(a, b, 1.5)",
		`s like 'a\%' escape '\'`, "s similar to '(a|b)%'", "s ~* '^h'",
		"j -> 'b' -> 1", "j #>> '{c,d}'", "j ?| array['a']", "arr[2:3]", "arr[1][1]",
		"4 <> all (arr)", "arr @> array[1]", "(a, b) < (1, 2)", "iv * 2 + interval '1 day'",
		"u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "bb || '\\x00'::bytea", "tarr || 'z'",
		"timestamptz '2024-01-01' at time zone 'UTC'", "'x' collate \"C\"",
	} {
		f.Add(s)
	}
	d := exprTestDB(f)
	f.Fuzz(func(t *testing.T, e string) {
		if strings.Contains(e, ";") || len(e) > 200 {
			return
		}
		for _, from := range []string{" from e", " from ty", ""} {
			_, _, _ = d.query("select " + e + from)
		}
	})
}
