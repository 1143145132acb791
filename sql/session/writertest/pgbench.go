package writertest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PgbenchPath returns pgbench's path; it skips the test with -short (pgbench
// runs are slow) or when pgbench is not installed.
func PgbenchPath(t testing.TB) string {
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

// Pgbench runs pgbench (at path bin) against addr as user tester on
// database test with args, and returns its output; a failed run fails the
// test with the output.
func Pgbench(t testing.TB, bin, addr string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
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

var (
	failedRe    = regexp.MustCompile(`number of failed transactions: (\d+)`)
	processedRe = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
	tpsRe       = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
)

// TPS returns the tps a pgbench run reports (0 if absent).
func TPS(out string) float64 {
	var tps float64
	if m := tpsRe.FindStringSubmatch(out); m != nil {
		fmt.Sscan(m[1], &tps)
	}
	return tps
}

// CheckRun asserts a pgbench run processed transactions and none failed,
// and returns how many it processed.
func CheckRun(t testing.TB, out string) int {
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

// Connect opens a connection to url, closed when the test ends.
func Connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// scanTimeout bounds one full-table query of the pgbench checks: a guard
// against a hang, not a performance assertion.
const scanTimeout = 5 * time.Minute

// Sums returns sum(abalance), sum(tbalance), sum(bbalance) and sum(delta)
// of the pgbench tables of the server at url.
//
// Each query may run up to scanTimeout: after a writer crash the new
// writer's buffer pool is cold and a scan fetches every page from storage
// one at a time (there is no read-ahead yet), which on a loaded 2-core
// machine took over a minute at scale 10.
func Sums(t testing.TB, url string) [4]int64 {
	t.Helper()
	c := Connect(t, url)
	var out [4]int64
	for i, q := range []string{
		"select coalesce(sum(abalance), 0) from pgbench_accounts",
		"select coalesce(sum(tbalance), 0) from pgbench_tellers",
		"select coalesce(sum(bbalance), 0) from pgbench_branches",
		"select coalesce(sum(delta), 0) from pgbench_history",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), scanTimeout)
		err := c.QueryRow(ctx, q).Scan(&out[i])
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return out
}

// CheckInvariant verifies pgbench's balance invariant over a run that
// started from before (pgbench truncates pgbench_history before a run): the
// changes of the account, teller and branch balances all equal the sum of
// the history deltas (tpcb-like, script ""); simple-update ("-N") changes
// only accounts, select-only ("-S") nothing.
func CheckInvariant(t testing.TB, url string, before [4]int64, script string) {
	t.Helper()
	after := Sums(t, url)
	da, dt, db, h := after[0]-before[0], after[1]-before[1], after[2]-before[2], after[3]
	ok := false
	switch script {
	case "":
		ok = da == h && dt == h && db == h
	case "-N":
		ok = da == h && dt == 0 && db == 0
	case "-S":
		ok = da == 0 && dt == 0 && db == 0 && h == 0
	default:
		t.Fatalf("CheckInvariant: unknown script %q", script)
	}
	if !ok {
		t.Fatalf("invariant broken (%q): Δaccounts %d Δtellers %d Δbranches %d history %d", script, da, dt, db, h)
	}
}

// AbsoluteInvariant checks sum(abalance) = sum(tbalance) = sum(bbalance),
// which holds while only tpcb-like has run since the init (the balances
// started at 0 and every transaction adds the same delta to each).
func AbsoluteInvariant(t testing.TB, url string) {
	t.Helper()
	s := Sums(t, url)
	if s[0] != s[1] || s[1] != s[2] {
		t.Fatalf("sum(abalance), sum(tbalance), sum(bbalance) = %v, %v, %v", s[0], s[1], s[2])
	}
}

// CheckCounts checks the row counts of the pgbench tables right after an
// init at scale, and that every balance is still zero.
func CheckCounts(t testing.TB, url string, scale int) {
	t.Helper()
	c := Connect(t, url)
	for _, tc := range []struct {
		table string
		want  int64
	}{
		{"pgbench_branches", int64(scale)},
		{"pgbench_tellers", 10 * int64(scale)},
		{"pgbench_accounts", 100000 * int64(scale)},
		{"pgbench_history", 0},
	} {
		var n int64
		ctx, cancel := context.WithTimeout(context.Background(), scanTimeout)
		err := c.QueryRow(ctx, "select count(*) from "+tc.table).Scan(&n)
		cancel()
		if err != nil {
			t.Fatalf("count %s: %v", tc.table, err)
		}
		if n != tc.want {
			t.Fatalf("%s has %d rows after init, want %d", tc.table, n, tc.want)
		}
	}
	if s := Sums(t, url); s != [4]int64{} {
		t.Fatalf("sums after init: %v", s)
	}
}

// CountLogged counts the transactions pgbench's per-transaction logs (-l,
// one file per thread, prefix tx in dir) record as finished: lines whose
// latency field is a number (failed ones say "failed", "serialization" or
// "deadlock").
func CountLogged(dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx*"))
	if err != nil {
		return 0, fmt.Errorf("pgbench logs: %w", err)
	}
	if len(files) == 0 {
		return 0, errors.New("pgbench wrote no per-transaction log")
	}
	n := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return 0, fmt.Errorf("pgbench log: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			if _, err := strconv.ParseInt(fields[2], 10, 64); err == nil {
				n++
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("pgbench log %s: %w", name, err)
		}
	}
	return n, nil
}

// LastLine returns the last non-empty line of s.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// NeedTime fails the test cleanly, rather than letting go test's timeout
// panic the whole package, when the next step (taking about d) may not
// finish before the test deadline.
func NeedTime(t testing.TB, d time.Duration, what string) {
	t.Helper()
	tt, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return
	}
	if dl, ok := tt.Deadline(); ok && time.Until(dl) < d {
		t.Fatalf("%s needs about %v but the test deadline is in %v: the machine is slower than the budget assumed; raise go test -timeout",
			what, d, time.Until(dl).Round(time.Second))
	}
}

// Clients is the client count of issue 3's pgbench runs (-c 8 -j 2).
const Clients = 8

// RunCell runs pgbench -c 8 -j 2 -T secs -M mode [script] against w, checks
// that no transaction failed and pgbench's invariant over the run, and
// returns the transactions processed, the tps and the durable commits the
// writer counted (0 when w serves no metrics).
func RunCell(t testing.TB, pg string, w *Writer, secs int, mode, script string) (n int, tps, commits float64) {
	t.Helper()
	NeedTime(t, time.Duration(secs+90)*time.Second, fmt.Sprintf("pgbench -T %d -M %s %s", secs, mode, script))
	args := []string{"-c", fmt.Sprint(Clients), "-j", "2", "-T", fmt.Sprint(secs), "-M", mode}
	if script != "" {
		args = append(args, script)
	}
	before := Sums(t, w.URL())
	var c0 float64
	if w.HTTPAddr != "" {
		c0 = w.Metric(t, "borealis_writer_commits_total")
	}
	out := Pgbench(t, pg, w.Addr, args...)
	n = CheckRun(t, out)
	if w.HTTPAddr != "" {
		commits = w.Metric(t, "borealis_writer_commits_total") - c0
	}
	CheckInvariant(t, w.URL(), before, script)
	return n, TPS(out), commits
}

// SegmentPages is the segment size of the pgbench tests' volumes (64 MiB
// segments: a scale-10 database spans several protection groups).
const SegmentPages = 8192

// Report returns a logger for a test's figures: each line is logged at once,
// and all of them again as one summary (with the test's wall time) when the
// test ends.
func Report(t testing.TB) func(format string, args ...any) {
	began := time.Now()
	var lines []string
	t.Cleanup(func() {
		t.Logf("summary (%v in all):\n%s", time.Since(began).Round(time.Second), strings.Join(lines, "\n"))
	})
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		lines = append(lines, line)
		t.Log(line)
	}
}
