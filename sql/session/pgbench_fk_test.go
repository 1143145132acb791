package session

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/session/writertest"
)

// TestPgbenchForeignKeys runs pgbench's initialization with its foreign
// keys (-I dtgvpf: the f step adds five FOREIGN KEY constraints with ALTER
// TABLE, checking every existing row), a short tpcb-like run with the
// foreign keys in force, and checks that they are enforced.
func TestPgbenchForeignKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("pgbench initialization at scale 1: not in -short")
	}
	pg := writertest.PgbenchPath(t)
	ts := startServer(t)
	t.Log(writertest.Pgbench(t, pg, ts.addr, "-i", "-s", "1", "-I", "dtgvpf"))
	writertest.CheckCounts(t, ts.url(), 1)
	out := writertest.Pgbench(t, pg, ts.addr, "-c", "2", "-j", "2", "-t", "50")
	t.Log(out)
	n := writertest.CheckRun(t, out)
	if n != 100 {
		t.Fatalf("%d transactions, want 100", n)
	}
	writertest.AbsoluteInvariant(t, ts.url())
	conn := writertest.Connect(t, ts.url())
	ctx := context.Background()
	for _, tc := range []struct{ sql, code string }{
		{"delete from pgbench_branches where bid = 1", "23503"},
		{"insert into pgbench_history (tid, bid, aid, delta) values (1, 1, 100001, 0)", "23503"},
		{"update pgbench_accounts set bid = 2 where aid = 1", "23503"},
		{"truncate pgbench_tellers", "0A000"},
		{"drop table pgbench_branches", "2BP01"},
	} {
		_, err := conn.Exec(ctx, tc.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != tc.code {
			t.Errorf("%s: %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
	var fks int
	if err := conn.QueryRow(ctx, "select count(*) from pgbench_history h, pgbench_accounts a where h.aid = a.aid").Scan(&fks); err != nil {
		t.Fatal(err)
	}
	if fks != 100 {
		t.Fatalf("%d history rows with their account, want 100", fks)
	}
}
