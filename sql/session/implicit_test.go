package session

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestMultiStatementImplicitTransaction: a simple Query with several
// statements runs them as one implicit transaction, as PostgreSQL does: an
// error rolls back the statements before it; COMMIT inside ends the
// implicit transaction so far; BEGIN inside makes the block explicit.
func TestMultiStatementImplicitTransaction(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table m (id int primary key)")
	count := func() int {
		t.Helper()
		var n int
		if err := c.QueryRow(ctx, "select count(*) from m").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		name    string
		sql     string
		wantErr string // SQLSTATE, "" for none
		rows    int    // rows in m afterwards
		status  byte   // transaction status afterwards
	}{
		{"all committed", "insert into m values (1); insert into m values (2)", "", 2, 'I'},
		{"error rolls back earlier statements", "insert into m values (3); insert into m values (1)", "23505", 2, 'I'},
		{"error in a later statement", "insert into m values (3); insert into m values (4); select 1/0", "22012", 2, 'I'},
		{"commit inside ends the implicit transaction", "insert into m values (3); commit; insert into m values (1)", "23505", 3, 'I'},
		{"rollback inside", "insert into m values (4); rollback; insert into m values (5)", "", 4, 'I'},
		{"begin makes it explicit", "insert into m values (6); begin; insert into m values (7)", "", 6, 'T'},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PgConn().Exec(ctx, tc.sql).ReadAll()
			code := ""
			if pe, ok := err.(*pgconn.PgError); ok {
				code = pe.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantErr {
				t.Fatalf("error %v, want SQLSTATE %q", err, tc.wantErr)
			}
			if st := c.PgConn().TxStatus(); st != tc.status {
				t.Fatalf("transaction status %c, want %c", st, tc.status)
			}
			if n := count(); n != tc.rows {
				t.Fatalf("%d rows, want %d", n, tc.rows)
			}
		})
	}
	// The explicit block begun in the last case: rolling back removes the
	// statement before BEGIN too.
	mustExec(t, c, "rollback")
	if n := count(); n != 4 {
		t.Fatalf("%d rows after rollback, want 4", n)
	}
	// VACUUM cannot run in a multi-statement string (a transaction block).
	if _, err := c.PgConn().Exec(ctx, "select 1; vacuum m").ReadAll(); err == nil {
		t.Fatal("vacuum in a multi-statement string succeeded")
	}
}
