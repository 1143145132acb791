package session

import (
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/session/writertest"
)

// TestPgbenchMemlog is a quick in-process run of issue 3's pgbench matrix at
// scale 1 (5 s per cell) on memlog. The must-holds on storage processes at
// scale 10 are in packages pgbenchmatrix and pgbenchspace.
func TestPgbenchMemlog(t *testing.T) {
	pg := writertest.PgbenchPath(t)
	ts := startServer(t)
	t.Log(writertest.Pgbench(t, pg, ts.addr, "-i", "-s", "1"))
	writertest.CheckCounts(t, ts.url(), 1)
	t.Log(writertest.Pgbench(t, pg, ts.addr, "-i", "-s", "1", "-I", "dtGvp"))
	writertest.CheckCounts(t, ts.url(), 1)
	pure := true
	for _, mode := range []string{"simple", "extended", "prepared"} {
		for _, script := range []string{"", "-N", "-S"} {
			name := mode + script
			t.Run(name, func(t *testing.T) {
				args := []string{"-c", "4", "-j", "2", "-T", "5", "-M", mode}
				if script != "" {
					args = append(args, script)
				}
				before := writertest.Sums(t, ts.url())
				n := writertest.CheckRun(t, writertest.Pgbench(t, pg, ts.addr, args...))
				t.Logf("%s: %d transactions", name, n)
				writertest.CheckInvariant(t, ts.url(), before, script)
				if pure && script == "" {
					// Only tpcb-like runs so far: the absolute invariant holds.
					if s := writertest.Sums(t, ts.url()); s[0] != s[1] || s[1] != s[2] || s[2] != s[3] {
						t.Fatalf("sum(abalance), sum(tbalance), sum(bbalance), sum(delta) = %v", s)
					}
				}
				if strings.HasPrefix(script, "-N") {
					pure = false
				}
			})
		}
	}
}
