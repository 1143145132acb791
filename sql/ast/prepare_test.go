package ast

import (
	"reflect"
	"testing"
)

// TestParsePrepare checks the trees of PREPARE / EXECUTE / DEALLOCATE,
// CREATE TABLE AS and SELECT INTO.
func TestParsePrepare(t *testing.T) {
	cases := []struct {
		sql   string
		check func(Statement) bool
	}{
		{"prepare p(int, varchar(3)) as select $1, $2", func(s Statement) bool {
			p, ok := s.(*Prepare)
			return ok && p.Name == "p" && len(p.Types) == 2 && p.Types[0].Name == "int4" && reflect.DeepEqual(p.Types[1].Mods, []int32{3})
		}},
		{"prepare q as delete from t where id = $1", func(s Statement) bool {
			p, ok := s.(*Prepare)
			_, del := p.Stmt.(*Delete)
			return ok && len(p.Types) == 0 && del
		}},
		{"execute p(1, 'a' || 'b')", func(s Statement) bool {
			e, ok := s.(*Execute)
			return ok && e.Name == "p" && len(e.Args) == 2
		}},
		{"execute p", func(s Statement) bool { e, ok := s.(*Execute); return ok && len(e.Args) == 0 }},
		{"deallocate prepare p", func(s Statement) bool { d, ok := s.(*Deallocate); return ok && d.Name == "p" }},
		{"deallocate all", func(s Statement) bool { d, ok := s.(*Deallocate); return ok && d.Name == "" }},
		{"create table if not exists s.c (a, b) as select 1, 2 with no data", func(s Statement) bool {
			c, ok := s.(*CreateTableAs)
			return ok && c.Name == QualifiedName{Schema: "s", Name: "c"} && c.IfNotExists && c.NoData && reflect.DeepEqual(c.Columns, []string{"a", "b"}) && len(c.Query.Targets) == 2
		}},
		{"create table c as values (1)", func(s Statement) bool {
			c, ok := s.(*CreateTableAs)
			return ok && !c.NoData && len(c.Query.Values) == 1
		}},
		{"select a into table c from t where a > 1 order by a", func(s Statement) bool {
			c, ok := s.(*CreateTableAs)
			return ok && c.SelectInto && c.Name.Name == "c" && c.Query.Where != nil && len(c.Query.OrderBy) == 1
		}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if !c.check(st) {
			t.Errorf("%s: unexpected tree %#v", c.sql, st)
		}
	}
	for _, bad := range []string{"prepare p as create table x (a int)", "prepare p as prepare q as select 1"} {
		if _, err := ParseOne(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
