package ast

import (
	"context"
	"strings"
	"testing"
	"time"

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

// TestCommandTagsMatchPostgres runs statements through PostgreSQL and
// compares the command tag it returns (without counts) with CommandTag.
func TestCommandTagsMatchPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	for _, sql := range []string{
		"BEGIN", "SAVEPOINT a", "RELEASE a", "SAVEPOINT b", "ROLLBACK TO b", "END", "START TRANSACTION", "ABORT",
		"SET TIME ZONE 'UTC'", "RESET ALL", "SHOW server_version", "VALUES (1)", "CREATE SCHEMA s", "CREATE TABLE s.t (a int)",
		"CREATE INDEX ON s.t (a)", "ALTER TABLE s.t ADD COLUMN b int", "INSERT INTO s.t VALUES (1)", "UPDATE s.t SET a = 2",
		"DELETE FROM s.t", "TRUNCATE s.t", "VACUUM s.t", "ANALYZE s.t", "CREATE VIEW s.v AS SELECT 1", "DROP VIEW s.v",
		"DROP TABLE s.t", "DROP SCHEMA s", "SELECT 1",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := conn.Exec(ctx, sql).ReadAll()
		cancel()
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("%s: %v %v", sql, err, res)
		}
		want := res[0].CommandTag.String()
		if i := strings.IndexAny(want, "0123456789"); i > 0 {
			want = strings.TrimSpace(want[:i])
		}
		st, err := ParseOne(sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := CommandTag(st); got != want {
			t.Errorf("%s: %q, PostgreSQL %q", sql, got, want)
		}
	}
}
