package pgbenchspace

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/sql/session/writertest"
)

// Knobs for developing the test at a smaller size; the defaults are issue
// 3's must-hold, and the 30% limit is asserted only at scale >= 10 with at
// least 5 minutes of tpcb-like.
var (
	scaleFlag = flag.Int("pgbench-scale", 10, "pgbench scale factor")
	spaceFlag = flag.Int("pgbench-space-seconds", 300, "seconds of tpcb-like before the Space measurement")
)

var bin = segtest.NewBinary()

func TestMain(m *testing.M) {
	code := m.Run()
	bin.Remove()
	os.Exit(code)
}

// TestPgbenchSpaceAndCrash runs, on one cluster of six `borealis storage`
// processes and a `borealis writer` process (256 MiB buffer pool):
//
//  1. pgbench -i -s 10 (default steps).
//  2. Space: pgbench -c 8 -j 2 -T 300 tpcb-like (-M prepared), with no
//     failed transaction and the invariant sum(abalance) = sum(tbalance) =
//     sum(bbalance) = sum(delta) afterwards. "Live pages" are bounded by the
//     volume's page high-water mark (volmeta NextPage, exported as
//     borealis_writer_volume_allocated_pages on the writer's /metrics):
//     there is no free list yet, so TRUNCATE (pgbench truncates
//     pgbench_history before every run) and DROP never return pages and
//     every page ever allocated counts. The size after init is the pages the
//     init allocated (from the fresh volume's first pages: the catalog's),
//     and growth = pages allocated during the run / that size: at most 30%.
//     Both choices overstate the growth, so the check is conservative.
//  3. Crash: tpcb-like with per-transaction logs (-l); once 500 transactions
//     have committed, the writer is SIGKILLed mid-run. A new writer on the
//     same storage recovers; the recovery reads only the log tail above the
//     durable point reported to storage (checked: at most a tenth of the
//     records the first writer wrote, so recovery does not grow with what
//     was written before; the wall time to serve is logged, not asserted).
//     pgbench_history is emptied first and pgbench runs with -n, so its
//     rows are this run's commits. Every transaction pgbench logged as done is there (count of
//     pgbench_history >= acknowledged, and at most one in-flight transaction
//     per client more) and the invariant holds; then the new writer runs
//     tpcb-like again.
func TestPgbenchSpaceAndCrash(t *testing.T) {
	pg := writertest.PgbenchPath(t)
	scale, spaceT := *scaleFlag, *spaceFlag
	if scale < 1 || spaceT < 1 {
		t.Fatalf("bad knobs: scale %d, space %d s", scale, spaceT)
	}
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: writertest.SegmentPages})
	w := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages, HTTP: true})
	vdl0 := w.Metric(t, "borealis_writer_vdl")
	logf := writertest.Report(t)

	// 1. Init.
	pagesFresh := w.Metric(t, "borealis_writer_volume_allocated_pages")
	start := time.Now()
	out := writertest.Pgbench(t, pg, w.Addr, "-i", "-s", fmt.Sprint(scale))
	logf("pgbench -i -s %d: %v (%s)", scale, time.Since(start).Round(time.Second), writertest.LastLine(out))
	writertest.CheckCounts(t, w.URL(), scale)
	pagesInit := w.Metric(t, "borealis_writer_volume_allocated_pages")
	initSize := pagesInit - pagesFresh
	logf("pages: %.0f on the fresh volume, %.0f after init (%.0f pages = %.1f MiB)", pagesFresh, pagesInit, initSize, initSize*8/1024)
	if initSize <= 0 {
		t.Fatalf("the init allocated no pages (%v -> %v)", pagesFresh, pagesInit)
	}

	// 2. Space.
	n, tps, commits := writertest.RunCell(t, pg, w, spaceT, "prepared", "")
	writertest.AbsoluteInvariant(t, w.URL())
	if s := writertest.Sums(t, w.URL()); s[0] != s[3] {
		t.Fatalf("sum(abalance) %d != sum(delta) %d after one tpcb-like run", s[0], s[3])
	}
	pagesNow := w.Metric(t, "borealis_writer_volume_allocated_pages")
	growth := (pagesNow - pagesInit) / initSize
	logf("tpcb-like prepared -T %d: %d transactions, %.1f tps, %.0f durable commits", spaceT, n, tps, commits)
	logf("space: %.0f pages allocated (+%.0f since init = %.1f%% of the init's %.0f pages); buffer pool hits %.0f misses %.0f",
		pagesNow, pagesNow-pagesInit, 100*growth, initSize,
		w.Metric(t, "borealis_writer_buffer_hits_total"), w.Metric(t, "borealis_writer_buffer_misses_total"))
	switch {
	case scale < 10 || spaceT < 300:
		t.Logf("space limit not asserted below scale 10 and 5 minutes (scale %d, %d s)", scale, spaceT)
	case growth > 0.30:
		t.Errorf("space: live pages (upper bound) grew by %.1f%% over the size after init (limit 30%%)", 100*growth)
	}

	// 3. Crash mid-run.
	writertest.NeedTime(t, 3*time.Minute, "the crash run")
	crashRun(t, pg, cl, w, vdl0, logf)
}

// crashRun SIGKILLs w in the middle of a tpcb-like run and checks the
// recovery by a new writer (see TestPgbenchSpaceAndCrash, step 3).
func crashRun(t *testing.T, pg string, cl *segtest.Cluster, w *writertest.Writer, vdl0 float64, logf func(string, ...any)) {
	t.Helper()
	// pgbench_history still holds the Space run's rows: empty it here and
	// run pgbench with -n (no vacuum, no truncate), so that its row count
	// during the run is this run's commits.
	c := writertest.Connect(t, w.URL())
	tctx, tcancel := context.WithTimeout(context.Background(), time.Minute)
	_, err := c.Exec(tctx, "truncate pgbench_history")
	tcancel()
	if err != nil {
		t.Fatalf("truncate pgbench_history: %v", err)
	}
	before := writertest.Sums(t, w.URL())
	logDir := t.TempDir()
	host, port, _ := strings.Cut(w.Addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pg, "-h", host, "-p", port, "-U", "tester",
		"-c", fmt.Sprint(writertest.Clients), "-j", "2", "-T", "600", "-M", "prepared", "-n",
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
	vdlKill := w.Metric(t, "borealis_writer_vdl")
	w.Kill()
	select {
	case <-exited:
		if waitErr == nil {
			t.Fatalf("pgbench succeeded although its server was killed:\n%s", out.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("pgbench did not end within 2 minutes of the writer's death")
	}
	acked, err := writertest.CountLogged(logDir)
	if err != nil {
		ents, _ := os.ReadDir(logDir)
		t.Fatalf("%v (the log directory has %d entries); pgbench said:\n%s", err, len(ents), out.String())
	}
	if acked == 0 {
		t.Fatalf("pgbench logged no finished transaction before the crash:\n%s", out.String())
	}

	start := time.Now()
	w2 := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages, HTTP: true})
	serving := time.Since(start)
	rec := w2.LogLine(t, "recovery: volume chain walked")
	open := w2.LogLine(t, "volume open")
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

	var n int64
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	if err := writertest.Connect(t, w2.URL()).QueryRow(ctx2, "select count(*) from pgbench_history").Scan(&n); err != nil {
		t.Fatal(err)
	}
	logf("crash: %d transactions acknowledged, %d in pgbench_history after recovery", acked, n)
	if n < int64(acked) || n > int64(acked)+writertest.Clients {
		t.Errorf("history has %d rows after recovery; pgbench acknowledged %d (at most %d more may have committed unacknowledged)", n, acked, writertest.Clients)
	}
	writertest.CheckInvariant(t, w2.URL(), before, "")
	writertest.AbsoluteInvariant(t, w2.URL())
	_, tps, _ := writertest.RunCell(t, pg, w2, 5, "extended", "")
	logf("after recovery: tpcb-like extended -T 5: %.1f tps", tps)
}
