package session

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/segment/segtest"
)

// Knobs of TestPgbenchFull, for developing it at a smaller size. The
// defaults are issue 3's must-hold; the Space limit is asserted only at
// scale >= 10 with >= 5 minutes of tpcb-like.
var (
	fullScale    = flag.Int("pgbench-scale", 10, "TestPgbenchFull: pgbench scale factor")
	fullSeconds  = flag.Int("pgbench-seconds", 30, "TestPgbenchFull: -T of each cell of the matrix")
	spaceSeconds = flag.Int("pgbench-space-seconds", 300, "TestPgbenchFull: seconds of tpcb-like before the Space measurement")
)

// fullSegmentPages is the segment size of TestPgbenchFull's volume (64 MiB
// segments: a scale-10 database spans several protection groups).
const fullSegmentPages = 8192

// fullClients is the client count of every run of the matrix (-c 8 -j 2).
const fullClients = 8

// TestPgbenchFull is issue 3's pgbench must-hold, on one cluster of six
// `borealis storage` processes and a `borealis writer` process (256 MiB
// buffer pool, the default):
//
//  1. pgbench -i -s 10 with the default init steps, then again with
//     -I dtGvp (server-side generation); row counts and zero balances are
//     checked after each.
//  2. pgbench -c 8 -j 2 -T 30 tpcb-like with -M simple, extended, prepared,
//     then more tpcb-like (-M prepared) until 5 minutes of tpcb-like have
//     run in all: the Space measurement. After every run: no failed
//     transaction, the per-run invariant (Δ sum(abalance) = Δ sum(tbalance)
//     = Δ sum(bbalance) = sum(delta) of pgbench_history, which pgbench
//     truncates before each run) and, since only tpcb-like has run, the
//     absolute one: sum(abalance) = sum(tbalance) = sum(bbalance) =
//     sum(delta).
//  3. Space: "live pages" are bounded by the volume's page high-water mark
//     (volmeta NextPage, exported as borealis_writer_volume_allocated_pages
//     on the writer's /metrics): there is no free list yet, TRUNCATE (which
//     pgbench does to pgbench_history before every run) and DROP never
//     return pages, so every page ever allocated counts. The size right
//     after init is taken as the pages the -I dtGvp init allocated (its
//     tables and indexes; the first init's dropped tables are not live), and
//     growth = pages allocated since / that size. Both choices overstate the
//     growth, so the check (at most 30%) is conservative.
//  4. The simple-update (-N) and select-only (-S) cells in each mode, with
//     their invariants (-N changes accounts only, -S nothing).
//  5. Crash: tpcb-like with per-transaction logs (-l); once transactions
//     commit, the writer is SIGKILLed mid-run. A new writer on the same
//     storage recovers; the recovery reads only the log tail above the
//     durable point reported to storage (checked: at most a tenth of the
//     records the first writer wrote; the wall time to serve is logged, not
//     asserted). Every transaction pgbench logged as done is there (count of
//     pgbench_history >= acknowledged, and at most one in-flight
//     transaction per client more) and the invariant holds; then the new
//     writer runs tpcb-like again.
//
// Wall time at scale 10: ~12 minutes on a quiet 2-core machine (each init
// ~90 s), 23 minutes measured at load average ~30. It skips with -short and
// when the test deadline (go test -timeout) leaves less than its budget
// (16 minutes at scale 10), and fails cleanly, not by the timeout's panic,
// when a later step would overrun the deadline.
func TestPgbenchFull(t *testing.T) {
	pg := pgbenchPath(t)
	scale, cellT, spaceT := *fullScale, *fullSeconds, *spaceSeconds
	if scale < 1 || cellT < 1 || spaceT < 0 {
		t.Fatalf("bad knobs: scale %d, cell %d s, space %d s", scale, cellT, spaceT)
	}
	// Budget: two inits (~15 s per scale unit each on a loaded 2-core
	// machine), the tpcb-like runs, six more cells, the crash and slack.
	budget := time.Duration(2*15*scale+max(spaceT, 3*cellT)+6*cellT+180) * time.Second
	if d, ok := t.Deadline(); ok && time.Until(d) < budget {
		t.Skipf("needs about %v but the test deadline is in %v: run with go test -timeout 20m (as .ci/run does)", budget, time.Until(d).Round(time.Second))
	}
	began := time.Now()
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: fullSegmentPages})
	w := startWriterWith(t, cl, writerOptions{segPages: fullSegmentPages, http: true})
	vdl0 := w.metric(t, "borealis_writer_vdl")
	ts := &testServer{addr: w.addr}
	var report []string
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		report = append(report, line)
		t.Log(line)
	}
	defer func() {
		t.Logf("summary (%v in all):\n%s", time.Since(began).Round(time.Second), strings.Join(report, "\n"))
	}()

	// 1. Both inits.
	initRun := func(extra ...string) {
		t.Helper()
		start := time.Now()
		out := runPgbench(t, pg, w.addr, append([]string{"-i", "-s", fmt.Sprint(scale)}, extra...)...)
		logf("pgbench -i -s %d %s: %v (%s)", scale, strings.Join(extra, " "), time.Since(start).Round(time.Second), lastLine(out))
		checkCounts(t, ts, scale)
		if s := sums(t, ts); s != [4]int64{} {
			t.Fatalf("sums after init: %v", s)
		}
	}
	initRun()
	pagesBefore := w.metric(t, "borealis_writer_volume_allocated_pages")
	initRun("-I", "dtGvp")
	pagesInit := w.metric(t, "borealis_writer_volume_allocated_pages")
	initSize := pagesInit - pagesBefore
	logf("pages: %.0f allocated before the -I dtGvp init, %.0f after (its tables and indexes: %.0f pages = %.1f MiB)",
		pagesBefore, pagesInit, initSize, initSize*8/1024)
	if initSize <= 0 {
		t.Fatalf("the init allocated no pages (%v -> %v)", pagesBefore, pagesInit)
	}

	// run runs one cell, checks it and logs its figures.
	run := func(name string, secs int, mode, script string) {
		t.Helper()
		needTime(t, time.Duration(secs+60)*time.Second, name)
		args := []string{"-c", fmt.Sprint(fullClients), "-j", "2", "-T", fmt.Sprint(secs), "-M", mode}
		if script != "" {
			args = append(args, script)
		}
		before := sums(t, ts)
		commits0 := w.metric(t, "borealis_writer_commits_total")
		out := runPgbench(t, pg, w.addr, args...)
		n := checkRun(t, out)
		commits := w.metric(t, "borealis_writer_commits_total") - commits0
		checkInvariant(t, ts, before, script)
		logf("%-22s -T %3d: %7d transactions, %8.1f tps, %7.0f durable commits", name, secs, n, pgbenchTPS(out), commits)
	}

	// 2. tpcb-like cells, then tpcb-like up to the Space duration.
	tpcb := 0
	for _, mode := range []string{"simple", "extended", "prepared"} {
		run("tpcb-like "+mode, cellT, mode, "")
		tpcb += cellT
		absoluteInvariant(t, ts)
	}
	for tpcb < spaceT {
		secs := min(spaceT-tpcb, 120)
		run("tpcb-like prepared", secs, "prepared", "")
		tpcb += secs
		absoluteInvariant(t, ts)
	}

	// 3. Space.
	pagesNow := w.metric(t, "borealis_writer_volume_allocated_pages")
	growth := (pagesNow - pagesInit) / initSize
	logf("space after %d s of tpcb-like: %.0f pages allocated (+%.0f since init = %.1f%% of the init's %.0f pages); buffer pool hits %.0f misses %.0f",
		tpcb, pagesNow, pagesNow-pagesInit, 100*growth, initSize,
		w.metric(t, "borealis_writer_buffer_hits_total"), w.metric(t, "borealis_writer_buffer_misses_total"))
	switch {
	case scale < 10 || tpcb < 300:
		t.Logf("space limit not asserted below scale 10 and 5 minutes (scale %d, %d s)", scale, tpcb)
	case growth > 0.30:
		t.Errorf("space: live pages (upper bound) grew by %.1f%% over the size after init (limit 30%%)", 100*growth)
	}

	// 4. simple-update and select-only.
	for _, script := range []string{"-N", "-S"} {
		for _, mode := range []string{"simple", "extended", "prepared"} {
			name := map[string]string{"-N": "simple-update ", "-S": "select-only "}[script] + mode
			run(name, cellT, mode, script)
		}
	}

	// 5. Crash mid-run.
	needTime(t, 3*time.Minute, "the crash run")
	crashRun(t, pg, cl, w, ts, vdl0, logf)
}

// needTime fails the test cleanly, rather than letting go test's timeout
// panic the whole package, when the next step may not finish in time.
func needTime(t *testing.T, d time.Duration, what string) {
	t.Helper()
	if dl, ok := t.Deadline(); ok && time.Until(dl) < d {
		t.Fatalf("%s needs about %v but the test deadline is in %v: the machine is slower than the budget assumed; raise go test -timeout",
			what, d, time.Until(dl).Round(time.Second))
	}
}

// crashRun SIGKILLs w in the middle of a tpcb-like run and checks the
// recovery by a new writer (see TestPgbenchFull, step 5).
func crashRun(t *testing.T, pg string, cl *segtest.Cluster, w *writerProc, ts *testServer, vdl0 float64, logf func(string, ...any)) {
	t.Helper()
	before := sums(t, ts)
	logDir := t.TempDir()
	host, port := splitAddr(t, w.addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pg, "-h", host, "-p", port, "-U", "tester",
		"-c", fmt.Sprint(fullClients), "-j", "2", "-T", "600", "-M", "prepared",
		"-l", "--log-prefix", filepath.Join(logDir, "tx"), "test")
	cmd.Env = append(cmd.Environ(), "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// Wait until transactions commit, then kill the writer under load.
	const wantRows = 500
	c := ts.connect(t)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var n int64
		qctx, qc := context.WithTimeout(context.Background(), 30*time.Second)
		err := c.QueryRow(qctx, "select count(*) from pgbench_history").Scan(&n)
		qc()
		if err != nil {
			t.Fatalf("count history during the run: %v", err)
		}
		if n >= wantRows {
			break
		}
		select {
		case <-exited:
			t.Fatalf("pgbench ended before the crash (%v):\n%s", waitErr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d transactions committed in 3 minutes", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	vdlKill := w.metric(t, "borealis_writer_vdl")
	w.kill()
	select {
	case <-exited:
		if waitErr == nil {
			t.Fatalf("pgbench succeeded although its server was killed:\n%s", out.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("pgbench did not end within 2 minutes of the writer's death")
	}
	acked, err := countLogged(logDir)
	if err != nil {
		t.Fatal(err)
	}
	if acked == 0 {
		t.Fatalf("pgbench logged no finished transaction before the crash:\n%s", out.String())
	}

	start := time.Now()
	w2 := startWriterWith(t, cl, writerOptions{segPages: fullSegmentPages, http: true})
	serving := time.Since(start)
	rec := w2.logLine(t, "recovery: volume chain walked")
	open := w2.logLine(t, "volume open")
	if rec == nil || open == nil {
		t.Fatalf("the new writer logged no recovery (%v) or open (%v) line", rec, open)
	}
	read, _ := rec["read"].(float64)
	written := vdlKill - vdl0
	logf("crash: SIGKILL after %d acknowledged transactions; new writer serving in %v (volume open took %v); recovery read %.0f records above F=%.0f (tail %.0f) of >= %.0f written by the first writer",
		acked, serving.Round(time.Millisecond), open["took"], read, rec["F"], rec["tail"], written)
	if read*10 > written {
		t.Errorf("recovery read %.0f records, more than a tenth of the %.0f the first writer wrote: it is not reading only the tail", read, written)
	}

	ts2 := &testServer{addr: w2.addr}
	var n int64
	if err := ts2.connect(t).QueryRow(ctxT(t), "select count(*) from pgbench_history").Scan(&n); err != nil {
		t.Fatal(err)
	}
	logf("crash: %d transactions acknowledged, %d in pgbench_history after recovery", acked, n)
	if n < int64(acked) || n > int64(acked)+fullClients {
		t.Errorf("history has %d rows after recovery; pgbench acknowledged %d (at most %d more may have committed unacknowledged)", n, acked, fullClients)
	}
	checkInvariant(t, ts2, before, "")
	absoluteInvariantAfterMatrix(t, ts2)
	before = sums(t, ts2)
	out2 := runPgbench(t, pg, w2.addr, "-c", fmt.Sprint(fullClients), "-j", "2", "-T", "5", "-M", "extended")
	checkRun(t, out2)
	checkInvariant(t, ts2, before, "")
	logf("after recovery: tpcb-like extended -T 5: %.1f tps", pgbenchTPS(out2))
}

// absoluteInvariant checks sum(abalance) = sum(tbalance) = sum(bbalance) =
// sum(delta), which holds while only tpcb-like has run since the init
// (history is truncated before each run, but the balances started at 0 and
// every run added the same amount to each).
func absoluteInvariant(t *testing.T, ts *testServer) {
	t.Helper()
	s := sums(t, ts)
	if s[0] != s[1] || s[1] != s[2] {
		t.Fatalf("sum(abalance), sum(tbalance), sum(bbalance) = %v, %v, %v", s[0], s[1], s[2])
	}
}

// absoluteInvariantAfterMatrix checks what still holds across the whole
// matrix: tellers and branches change only in tpcb-like, together.
func absoluteInvariantAfterMatrix(t *testing.T, ts *testServer) {
	t.Helper()
	if s := sums(t, ts); s[1] != s[2] {
		t.Fatalf("sum(tbalance) %d != sum(bbalance) %d", s[1], s[2])
	}
}

// checkCounts checks the row counts of the pgbench tables at scale.
func checkCounts(t *testing.T, ts *testServer, scale int) {
	t.Helper()
	c := ts.connect(t)
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
		if err := c.QueryRow(ctxT(t), "select count(*) from "+tc.table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tc.table, err)
		}
		if n != tc.want {
			t.Fatalf("%s has %d rows after init, want %d", tc.table, n, tc.want)
		}
	}
}

// countLogged counts the transactions pgbench's per-transaction logs (-l,
// one file per thread) record as finished: lines whose latency field is a
// number (failed ones say "failed", "serialization" or "deadlock").
func countLogged(dir string) (int, error) {
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

// splitAddr splits a host:port address.
func splitAddr(t *testing.T, addr string) (string, string) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		t.Fatalf("address %q has no port", addr)
	}
	return addr[:i], addr[i+1:]
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
