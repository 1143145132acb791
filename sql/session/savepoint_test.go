package session

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestSavepoints runs savepoint scripts through the wire server and checks
// each statement's SQLSTATE and the rows left, as PostgreSQL answers them:
// ROLLBACK TO undoes rows and DDL after the savepoint and recovers a
// failed block; 25P01 outside a block; 3B001 for unknown names. A second
// session checks that a conflicting key inserted and rolled back inside a
// savepoint does not block it (the sub-xid's row lock is released).
func TestSavepoints(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table sp (id int primary key)")
	steps := []struct {
		sql  string
		code string // SQLSTATE, "" for success
	}{
		{"savepoint a", "25P01"},
		{"release a", "25P01"},
		{"rollback to a", "25P01"},
		{"begin", ""},
		{"insert into sp values (1)", ""},
		{"savepoint a", ""},
		{"insert into sp values (2)", ""},
		{"create table spddl (x int)", ""},
		{"savepoint b", ""},
		{"insert into sp values (3)", ""},
		{"rollback to savepoint a", ""},
		{"select * from spddl", "42P01"},
		{"select 1", "25P02"},
		{"rollback to b", "3B001"},
		{"rollback to a", ""},
		{"insert into sp values (2)", ""},
		{"release savepoint a", ""},
		{"release savepoint a", "3B001"},
		{"rollback to a", "3B001"},
		{"commit", ""},
	}
	for _, s := range steps {
		_, err := c.Exec(ctx, s.sql)
		var pe *pgconn.PgError
		switch {
		case s.code == "" && err != nil:
			t.Fatalf("%s: %v", s.sql, err)
		case s.code != "" && (!errors.As(err, &pe) || pe.Code != s.code):
			t.Fatalf("%s: got %v, want SQLSTATE %s", s.sql, err, s.code)
		}
	}
	// The block failed at "rollback to a" (3B001 outside a failed block
	// fails it): COMMIT rolled back.
	var n int
	if err := c.QueryRow(ctx, "select count(*) from sp").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("rows after the failed block: %d, want 0", n)
	}

	mustExec(t, c, "begin")
	mustExec(t, c, "insert into sp values (10)")
	mustExec(t, c, "savepoint s")
	mustExec(t, c, "insert into sp values (11)")
	mustExec(t, c, "rollback to s")
	other := ts.connect(t)
	if _, err := other.Exec(ctx, "insert into sp values (11)"); err != nil {
		t.Fatalf("insert of a key rolled back in another session's savepoint: %v", err)
	}
	mustExec(t, c, "commit")
	if err := c.QueryRow(ctx, "select count(*) from sp").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("rows: %d, want 2", n)
	}
}
