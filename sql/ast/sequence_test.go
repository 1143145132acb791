package ast

import (
	"reflect"
	"testing"
)

func TestSequenceStatements(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want Statement
	}{
		{"CREATE SEQUENCE IF NOT EXISTS app.s AS smallint START 5 INCREMENT BY -1 NO MINVALUE MAXVALUE 9 CYCLE",
			&CreateSequence{Name: QualifiedName{Schema: "app", Name: "s"}, IfNotExists: true, Options: []*Option{
				{Name: "as", Value: "pg_catalog.int2"}, {Name: "start", Value: "5"}, {Name: "increment", Value: "-1"},
				{Name: "minvalue"}, {Name: "maxvalue", Value: "9"}, {Name: "cycle", Value: "true"}}}},
		{"ALTER SEQUENCE IF EXISTS s RESTART NO CYCLE",
			&AlterSequence{Name: QualifiedName{Name: "s"}, IfExists: true, Options: []*Option{{Name: "restart"}, {Name: "cycle", Value: "false"}}}},
	} {
		got, err := ParseOne(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %s, want %s", c.sql, Dump(got), Dump(c.want))
		}
		if tag := CommandTag(got); tag == "" {
			t.Errorf("%s: no command tag", c.sql)
		}
	}
	st, err := ParseOne("INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)")
	if err != nil || st.(*Insert).Overriding != "system" {
		t.Errorf("OVERRIDING SYSTEM VALUE: %v %v", st, err)
	}
	st, err = ParseOne("ALTER TABLE t ALTER COLUMN a TYPE varchar(10)")
	if err != nil || st.(*AlterTable).Cmds[0].Type != AlterColumnType || st.(*AlterTable).Cmds[0].Def.Type.Name != "varchar" {
		t.Errorf("ALTER COLUMN TYPE: %v %v", st, err)
	}
}
