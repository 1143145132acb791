package pgcatalog

import (
	"strconv"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// TestViewDef: pg_get_viewdef's pretty layout for the views it renders,
// expected texts from PostgreSQL 15 (pg_get_viewdef(oid, true)); other
// views print their stored query in the same frame.
func TestViewDef(t *testing.T) {
	cols := func(names ...string) []catalog.Column {
		var out []catalog.Column
		for _, n := range names {
			typ := types.Int4
			if n == "c" {
				typ = types.Text
			}
			out = append(out, catalog.Column{Name: n, Type: typ})
		}
		return out
	}
	vt := &catalog.Table{OID: 16400, Name: "vt", Columns: cols("a", "b", "c"), Root: 10}
	views := []struct {
		sql  string
		cols []catalog.Column
		want string
	}{
		{"SELECT a, b AS bee FROM vt WHERE a > 1 AND (b < 2 OR b IS NULL)", cols("a", "bee"),
			" SELECT vt.a,\n    vt.b AS bee\n   FROM vt\n  WHERE vt.a > 1 AND (vt.b < 2 OR vt.b IS NULL);"},
		{"SELECT * FROM vt x WHERE NOT x.a = 3", cols("a", "b", "c"),
			" SELECT x.a,\n    x.b,\n    x.c\n   FROM vt x\n  WHERE NOT x.a = 3;"},
		{"SELECT x.a, y.b FROM vt x, vt y WHERE x.a = y.b", cols("a", "b"),
			" SELECT x.a,\n    y.b\n   FROM vt x,\n    vt y\n  WHERE x.a = y.b;"},
		{"SELECT a, 5 AS five, true AS t FROM vt", cols("a", "five", "t"),
			" SELECT vt.a,\n    5 AS five,\n    true AS t\n   FROM vt;"},
		{"SELECT c FROM vt WHERE c = 'x' OR c <> 'y'", cols("c"),
			" SELECT vt.c\n   FROM vt\n  WHERE vt.c = 'x'::text OR vt.c <> 'y'::text;"},
		{"SELECT o.a, c.c FROM vt o JOIN vt c ON c.a = o.b", cols("a", "c"),
			" SELECT o.a,\n    c.c\n   FROM vt o\n     JOIN vt c ON c.a = o.b;"},
		{"SELECT o.a, c.c FROM vt o LEFT JOIN vt c ON c.a = o.b AND c.b > 1 WHERE o.a > 2", cols("a", "c"),
			" SELECT o.a,\n    c.c\n   FROM vt o\n     LEFT JOIN vt c ON c.a = o.b AND c.b > 1\n  WHERE o.a > 2;"},
		{"SELECT b, count(*) AS n FROM vt GROUP BY b HAVING count(*) > 1 ORDER BY b LIMIT 5", cols("b", "n"),
			" SELECT vt.b,\n    count(*) AS n\n   FROM vt\n  GROUP BY vt.b\n HAVING count(*) > 1\n  ORDER BY vt.b\n LIMIT 5;"},
		{"SELECT a FROM vt ORDER BY a DESC", cols("a"), " SELECT vt.a\n   FROM vt\n  ORDER BY vt.a DESC;"},
		{"SELECT x.a, y.b FROM vt x JOIN vt y USING (c)", cols("a", "b"),
			" SELECT x.a,\n    y.b\n   FROM vt x\n     JOIN vt y USING (c);"},
		{"SELECT x.a + 1 AS p, x.b * 2 + x.a AS q, -x.a AS r FROM vt x", cols("p", "q", "r"),
			" SELECT x.a + 1 AS p,\n    x.b * 2 + x.a AS q,\n    - x.a AS r\n   FROM vt x;"},
		{"SELECT a AS z FROM v1", cols("z"), " SELECT v1.a AS z\n   FROM v1;"},
		// not rendered (a function call): the stored text in the frame
		{"SELECT lower(c) AS l FROM vt", cols("l"), " SELECT lower(c) AS l FROM vt;"},
	}
	tables := []*catalog.Table{vt}
	for i, v := range views {
		tables = append(tables, &catalog.Table{OID: uint32(16500 + i), Name: "v" + strconv.Itoa(i+1), Columns: v.cols, View: v.sql})
	}
	cat := catalogSet(t, tables...)
	for i, v := range views {
		tv, ok := cat.Table("v" + strconv.Itoa(i+1))
		if !ok {
			t.Fatalf("view v%d missing", i+1)
		}
		if got := viewDef(cat, tv); got != v.want {
			t.Errorf("%s:\n got %q\nwant %q", v.sql, got, v.want)
		}
	}
}

// FuzzViewDef: any stored view text renders without panicking, ending
// with a semicolon.
func FuzzViewDef(f *testing.F) {
	for _, s := range []string{"SELECT a FROM vt", "SELECT * FROM vt WHERE NOT (a = 1 OR b IS NOT NULL)", "SELECT 1", "VALUES (1)", "SELECT a FROM nosuch"} {
		f.Add(s)
	}
	vt := &catalog.Table{OID: 16400, Name: "vt", Columns: []catalog.Column{{Name: "a", Type: types.Int4}, {Name: "b", Type: types.Int4}}, Root: 10}
	cat := catalogSet(f, vt)
	f.Fuzz(func(t *testing.T, sql string) {
		v := &catalog.Table{OID: 16500, Name: "v", Columns: []catalog.Column{{Name: "a", Type: types.Int4}}, View: sql}
		if out := viewDef(cat, v); !strings.HasSuffix(out, ";") {
			t.Fatalf("%q: %q", sql, out)
		}
	})
}
