package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestSQLPrepare runs PREPARE / EXECUTE / DEALLOCATE and CREATE TABLE AS /
// SELECT INTO through the wire server, over the simple protocol (pgconn
// Exec) and the extended one (pgx Query), checking each statement's
// SQLSTATE, command tag and rows as PostgreSQL 15 answers them.
func TestSQLPrepare(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table tp (id int primary key, v text, n numeric(6,2))")
	mustExec(t, c, "insert into tp values (1, 'a', 1.5), (2, 'b', 2.25)")
	steps := []struct {
		sql  string
		code string // SQLSTATE, "" for success
		tag  string // command tag when it succeeds ("" not checked)
		rows string // rows as "a,b;c,d" (extended protocol) when set
	}{
		{"prepare p1(int) as select $1 + 1 as x", "", "PREPARE", ""},
		{"execute p1(41)", "", "SELECT 1", "42"},
		{"execute p1(40 + 1)", "", "SELECT 1", "42"},
		{"execute p1('x')", "22P02", "", ""},
		{"execute p1(1, 2)", "42601", "", ""},
		{"execute p1(true)", "42804", "", ""},
		{"prepare p1 as select 1", "42P05", "", ""},
		{"prepare p2 as select v from tp where id = $1", "", "PREPARE", ""},
		{"execute p2(2)", "", "SELECT 1", "b"},
		{"prepare p3(int, text) as insert into tp (id, v) values ($1, $2)", "", "PREPARE", ""},
		{"execute p3(3, 'c')", "", "INSERT 0 1", ""},
		{"execute p3(3, 'c')", "23505", "", ""},
		{"deallocate p1", "", "DEALLOCATE", ""},
		{"execute p1(1)", "26000", "", ""},
		{"deallocate p1", "26000", "", ""},
		{"deallocate all", "", "DEALLOCATE ALL", ""},
		{"execute p2(2)", "26000", "", ""},
		{"create table ta as select id, v, n * 2 as n2 from tp where id < 3", "", "SELECT 2", ""},
		{"select id, v, n2::text from ta order by id", "", "SELECT 2", "1,a,3.00;2,b,4.50"},
		{"create table ta as select 1", "42P07", "", ""},
		{"create table if not exists ta as select 1", "", "CREATE TABLE AS", ""},
		{"create table ta2 (x) as values (1), (2)", "", "SELECT 2", ""},
		{"select x from ta2 order by x", "", "", "1;2"},
		{"create table ta3 (a, b, c) as select 1, 2", "42601", "", ""},
		{"create table ta4 as select id from tp with no data", "", "CREATE TABLE AS", ""},
		{"select count(*) from ta4", "", "", "0"},
		{"select id into ta5 from tp where id > 1", "", "SELECT 2", ""},
		{"select sum(id) from ta5", "", "", "5"},
		{"begin", "", "BEGIN", ""},
		{"create table ta6 as select 7 as s", "", "SELECT 1", ""},
		{"select s from ta6", "", "", "7"},
		{"rollback", "", "ROLLBACK", ""},
		{"select * from ta6", "42P01", "", ""},
	}
	for _, s := range steps {
		if s.rows != "" {
			got, err := queryRows(ctx, c, s.sql)
			if err != nil {
				t.Fatalf("%s: %v", s.sql, err)
			}
			if got != s.rows {
				t.Fatalf("%s: rows %q, want %q", s.sql, got, s.rows)
			}
		}
		if s.rows != "" && strings.HasPrefix(s.sql, "select") {
			continue
		}
		res := c.PgConn().Exec(ctx, s.sql)
		results, err := res.ReadAll()
		var pe *pgconn.PgError
		switch {
		case s.code == "" && err != nil:
			t.Fatalf("%s: %v", s.sql, err)
		case s.code != "" && (!errors.As(err, &pe) || pe.Code != s.code):
			t.Fatalf("%s: got %v, want SQLSTATE %s", s.sql, err, s.code)
		case s.code == "" && s.tag != "" && (len(results) != 1 || results[0].CommandTag.String() != s.tag):
			t.Fatalf("%s: results %v, want tag %q", s.sql, results, s.tag)
		}
	}
	// An inferred parameter type has no typmod: numeric, not numeric(6,2).
	mustExec(t, c, "prepare p4 as select n * $1 as m from tp where id = $2")
	res, err := c.PgConn().Exec(ctx, "execute p4(2, 1)").ReadAll()
	if err != nil || len(res) != 1 || len(res[0].Rows) != 1 || string(res[0].Rows[0][0]) != "3.00" {
		t.Fatalf("execute p4(2, 1): %q %v, want 3.00", res[0].Rows, err)
	}
	// Prepared statements are per session.
	other := ts.connect(t)
	mustExec(t, c, "prepare mine as select 1")
	if _, err := other.Exec(ctx, "execute mine"); sqlState(err) != "26000" {
		t.Fatalf("execute of another session's statement: %v, want 26000", err)
	}
}

// queryRows runs sql over the extended protocol and renders its rows.
func queryRows(ctx context.Context, c *pgx.Conn, sql string) (string, error) {
	rows, err := c.Query(ctx, sql, pgx.QueryExecModeCacheDescribe)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return "", err
		}
		f := make([]string, len(vals))
		for i, v := range vals {
			f[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(f, ","))
	}
	return strings.Join(out, ";"), rows.Err()
}
