package session

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pgbenchPath returns pgbench's path or skips the test.
func pgbenchPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("pgbench runs are slow; skipped with -short")
	}
	p, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench not installed")
	}
	return p
}

// runPgbench runs pgbench against addr with args and returns its output.
func runPgbench(t *testing.T, bin, addr string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	// Generous: pgbench -i at scale 10 takes minutes on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	all := append([]string{"-h", host, "-p", port, "-U", "tester"}, args...)
	all = append(all, "test")
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = append(cmd.Environ(), "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var failedRe = regexp.MustCompile(`number of failed transactions: (\d+)`)
var processedRe = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
var tpsRe = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbenchTPS returns the tps pgbench reports (0 if absent).
func pgbenchTPS(out string) float64 {
	var tps float64
	if m := tpsRe.FindStringSubmatch(out); m != nil {
		fmt.Sscan(m[1], &tps)
	}
	return tps
}

// checkRun asserts a run processed transactions and none failed.
func checkRun(t *testing.T, out string) int {
	t.Helper()
	m := processedRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no transaction count in pgbench output:\n%s", out)
	}
	if f := failedRe.FindStringSubmatch(out); f != nil && f[1] != "0" {
		t.Fatalf("pgbench reported failed transactions:\n%s", out)
	}
	var n int
	fmt.Sscan(m[1], &n)
	if n == 0 {
		t.Fatalf("pgbench processed no transactions:\n%s", out)
	}
	return n
}

// sums returns sum(abalance), sum(tbalance), sum(bbalance), sum(delta).
func sums(t *testing.T, ts *testServer) [4]int64 {
	t.Helper()
	c := ts.connect(t)
	ctx := ctxT(t)
	var out [4]int64
	for i, q := range []string{
		"select coalesce(sum(abalance), 0) from pgbench_accounts",
		"select coalesce(sum(tbalance), 0) from pgbench_tellers",
		"select coalesce(sum(bbalance), 0) from pgbench_branches",
		"select coalesce(sum(delta), 0) from pgbench_history",
	} {
		if err := c.QueryRow(ctx, q).Scan(&out[i]); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return out
}

// checkInvariant verifies pgbench's balance invariant over a run that
// started from before (pgbench truncates pgbench_history before a run): the
// changes of the account, teller and branch balances all equal the sum of
// the history deltas (tpcb-like); simple-update (-N) changes only accounts,
// select-only (-S) nothing.
func checkInvariant(t *testing.T, ts *testServer, before [4]int64, script string) {
	t.Helper()
	after := sums(t, ts)
	da, dt, db, h := after[0]-before[0], after[1]-before[1], after[2]-before[2], after[3]
	ok := false
	switch script {
	case "":
		ok = da == h && dt == h && db == h
	case "-N":
		ok = da == h && dt == 0 && db == 0
	case "-S":
		ok = da == 0 && dt == 0 && db == 0 && h == 0
	}
	if !ok {
		t.Fatalf("invariant broken (%q): Δaccounts %d Δtellers %d Δbranches %d history %d", script, da, dt, db, h)
	}
}

// TestPgbenchMemlog is a quick in-process run of issue 3's pgbench matrix at
// scale 1 (5 s per cell) on memlog; TestPgbenchFull is the must-hold on
// storage processes at scale 10.
func TestPgbenchMemlog(t *testing.T) {
	bin := pgbenchPath(t)
	ts := startServer(t)
	out := runPgbench(t, bin, ts.addr, "-i", "-s", "1")
	t.Log(out)
	c := ts.connect(t)
	var n int64
	if err := c.QueryRow(ctxT(t), "select count(*) from pgbench_accounts").Scan(&n); err != nil || n != 100000 {
		t.Fatalf("accounts after init: %d, %v", n, err)
	}
	t.Log(runPgbench(t, bin, ts.addr, "-i", "-s", "1", "-I", "dtGvp"))
	if err := c.QueryRow(ctxT(t), "select count(*) from pgbench_accounts").Scan(&n); err != nil || n != 100000 {
		t.Fatalf("accounts after -I dtGvp: %d, %v", n, err)
	}
	if s := sums(t, ts); s != [4]int64{} {
		t.Fatalf("sums after init: %v", s)
	}
	pure := true
	for _, mode := range []string{"simple", "extended", "prepared"} {
		for _, script := range [][]string{nil, {"-N"}, {"-S"}} {
			name := mode + strings.Join(script, "")
			t.Run(name, func(t *testing.T) {
				args := append([]string{"-c", "4", "-j", "2", "-T", "5", "-M", mode}, script...)
				before := sums(t, ts)
				out := runPgbench(t, bin, ts.addr, args...)
				n := checkRun(t, out)
				t.Logf("%s: %d transactions", name, n)
				checkInvariant(t, ts, before, strings.Join(script, ""))
				if pure && len(script) == 0 {
					// Only tpcb-like runs so far: the absolute invariant holds.
					if s := sums(t, ts); s[0] != s[1] || s[1] != s[2] || s[2] != s[3] {
						t.Fatalf("sum(abalance), sum(tbalance), sum(bbalance), sum(delta) = %v", s)
					}
				}
				if len(script) > 0 && script[0] == "-N" {
					pure = false
				}
			})
		}
	}
}
