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
			"SELECT aa, t2.b FROM t2 WHERE a > 1",
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
		}, "SELECT 'é', z FROM t"},
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
