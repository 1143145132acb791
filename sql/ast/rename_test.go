package ast

import "testing"

func TestRenameQuery(t *testing.T) {
	cases := []struct {
		sql  string
		r    func(st *Select) Renames
		want string
	}{
		{
			"SELECT a, t.b FROM t WHERE a > 1",
			func(st *Select) Renames {
				a := st.Targets[0].Expr.(*ColumnRef)
				b := st.Targets[1].Expr.(*ColumnRef)
				tr := st.From[0].(*TableRef)
				return Renames{Columns: map[int]string{a.Loc: "aa"}, Qualifiers: map[int]string{b.Loc: "t2"}, Relations: map[int]string{tr.Loc: "t2"}}
			},
			"SELECT aa AS a, t2.b FROM t2 WHERE a > 1",
		},
		{
			"SELECT *, 1 AS one FROM sc.t x",
			func(st *Select) Renames {
				s := st.Targets[0].Expr.(*ColumnRef)
				tr := st.From[0].(*TableRef)
				return Renames{Stars: map[int][][]string{s.Loc: {{"x", "a"}, {"x", "B"}}}, Relations: map[int]string{tr.Loc: "u"}}
			},
			`SELECT x.a, x."B", 1 AS one FROM sc.u x`,
		},
		{"SELECT 'é', a FROM t", func(st *Select) Renames {
			return Renames{Columns: map[int]string{st.Targets[1].Expr.(*ColumnRef).Loc: "z"}}
		}, "SELECT 'é', z AS a FROM t"},
	}
	for _, c := range cases {
		st, err := ParseOne(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		got, err := RenameQuery(c.sql, c.r(st.(*Select)))
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.sql, got, c.want)
		}
	}
	if _, err := RenameQuery("SELECT 1; SELECT 2", Renames{}); err == nil {
		t.Error("two statements: no error")
	}
	if _, err := RenameQuery("SELEC", Renames{}); err == nil {
		t.Error("syntax error: no error")
	}
}

// FuzzRenameQuery renames every column reference, qualifier, FROM name and
// star of an arbitrary query: RenameQuery never panics, and what it
// returns parses again when the unrenamed deparse does.
func FuzzRenameQuery(f *testing.F) {
	for _, s := range []string{
		"SELECT a, t.b FROM t WHERE a > 1",
		"SELECT *, x.* FROM t x JOIN u USING (a) ORDER BY 1",
		"SELECT (SELECT max(b) FROM u WHERE u.a = t.a) FROM t GROUP BY a HAVING count(*) > 1",
		"WITH c AS (SELECT a FROM t) SELECT c.a FROM c",
		"SELECT 'é', \"Q\".\"A\" FROM \"Q\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := ParseOne(sql)
		if err != nil {
			return
		}
		// PostgreSQL's deparser does not round-trip everything ($0 prints
		// as ?): only texts that survive a deparse unchanged are checked.
		if plain, err := RenameQuery(sql, Renames{}); err != nil {
			return
		} else if _, err := Parse(plain); err != nil {
			return
		}
		r := Renames{Columns: map[int]string{}, Qualifiers: map[int]string{}, Relations: map[int]string{}, Stars: map[int][][]string{}}
		Walk(st, func(n Node) bool {
			switch x := n.(type) {
			case *ColumnRef:
				if x.Star {
					r.Stars[x.Loc] = [][]string{{"q", "c1"}, {"c2"}}
				} else {
					r.Columns[x.Loc] = "renamed"
					r.Qualifiers[x.Loc] = "Q2"
				}
			case *TableRef:
				r.Relations[x.Loc] = "rel2"
			}
			return true
		})
		out, err := RenameQuery(sql, r)
		if err != nil {
			return
		}
		if _, err := Parse(out); err != nil {
			t.Errorf("RenameQuery(%q) = %q, which does not parse: %v", sql, out, err)
		}
	})
}
