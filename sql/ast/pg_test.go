package ast

import (
	"testing"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// TestSyntaxErrorsMatchPostgres checks that syntax errors carry the code,
// message and cursor position that a real PostgreSQL 15 reports.
func TestSyntaxErrorsMatchPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	for _, sql := range []string{
		"SELEC 1", "SELECT * FROM", "SELECT 1 +", "select * form t", "INSERT INTO t VALUES (1,",
		"SELECT 'é' FROM WHERE", "SELECT 'unterminated", "CREATE TABLE (a int)", "UPDATE t SET WHERE a = 1",
		"SELECT a FROM t WHERE a = = 1", "DELETE t", "SELECT (1", "select 1 from t order by", "CREATE TABLE t (a int,)",
	} {
		want := pgtest.Query(t, conn, sql)
		_, err := Parse(sql)
		if err == nil {
			t.Errorf("%q: we accepted it; PostgreSQL: %s %q", sql, want.Code, want.Msg)
			continue
		}
		e := sqlErr(t, err)
		if e.Code != want.Code || e.Message != want.Msg || e.Position != want.Pos {
			t.Errorf("%q: got %s %q at %d, PostgreSQL %s %q at %d", sql, e.Code, e.Message, e.Position, want.Code, want.Msg, want.Pos)
		}
	}
}
