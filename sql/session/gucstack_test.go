package session

import "testing"

// TestSetIsTransactional checks PostgreSQL's rules for SET inside
// transactions: ROLLBACK undoes SET, COMMIT keeps SET and drops SET LOCAL,
// ROLLBACK TO a savepoint restores the settings the savepoint saw.
func TestSetIsTransactional(t *testing.T) {
	ts := startServer(t)
	c := ts.connectNotices(t)
	cases := []struct {
		name  string
		stmts []string
		want  string // statement_timeout afterwards
	}{
		{"rollback undoes SET", []string{"begin", "set statement_timeout = '7s'", "rollback"}, "0"},
		{"commit keeps SET", []string{"begin", "set statement_timeout = '7s'", "commit"}, "7s"},
		{"commit drops SET LOCAL", []string{"begin", "set local statement_timeout = '8s'", "commit"}, "0"},
		{"SET then SET LOCAL: commit keeps SET", []string{"begin", "set statement_timeout = '7s'", "set local statement_timeout = '8s'", "commit"}, "7s"},
		{"SET LOCAL then SET: commit keeps SET", []string{"begin", "set local statement_timeout = '8s'", "set statement_timeout = '7s'", "commit"}, "7s"},
		{"failed block rolls SET back", []string{"begin", "set statement_timeout = '7s'", "select 1/0", "commit"}, "0"},
		{"rollback to savepoint", []string{"begin", "set statement_timeout = '7s'", "savepoint a", "set statement_timeout = '9s'", "rollback to a", "commit"}, "7s"},
		{"rollback to after release of a later one", []string{"begin", "savepoint a", "set statement_timeout = '9s'", "savepoint b", "release b", "rollback to a", "commit"}, "0"},
		{"release keeps", []string{"begin", "savepoint a", "set statement_timeout = '9s'", "release a", "commit"}, "9s"},
		{"error in savepoint then rollback to", []string{"begin", "savepoint a", "set statement_timeout = '9s'", "select 1/0", "rollback to a", "commit"}, "0"},
		{"autocommit SET stays", []string{"set statement_timeout = '6s'"}, "6s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			simple(t, c.Conn, "set statement_timeout = 0")
			for _, q := range tc.stmts {
				_, _ = c.Exec(ctxT(t), q) // errors are part of some cases
			}
			var got string
			if err := c.QueryRow(ctxT(t), "show statement_timeout").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("statement_timeout = %q, want %q", got, tc.want)
			}
		})
	}
	// A reported parameter changed back by ROLLBACK is reported again.
	simple(t, c.Conn, "set application_name = 'before'")
	simple(t, c.Conn, "begin")
	simple(t, c.Conn, "set application_name = 'inside'")
	simple(t, c.Conn, "rollback")
	if got := c.PgConn().ParameterStatus("application_name"); got != "before" {
		t.Fatalf("application_name reported as %q after ROLLBACK, want %q", got, "before")
	}
}
