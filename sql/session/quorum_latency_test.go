package session

import (
	"context"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/session/writertest"
)

// startQuorumServer serves the engine in process over a quorum.Volume on
// six storage processes (profiles of the writer's waits).
func startQuorumServer(t *testing.T) *testServer {
	t.Helper()
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: 8192})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	octx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	vol, err := quorum.Open(octx, quorum.Config{Layout: cl.Layout(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	db, err := exec.Open(octx, vol.Log(), 256<<20, true)
	if err != nil {
		vol.Close()
		t.Fatal(err)
	}
	return serveDB(t, db, logger, func() { vol.Close() })
}

// TestQuorumStatementLatency reports the latency of autocommit INSERT and
// UPDATE and of a three-UPDATE transaction on quorum storage, and with
// BOREALIS_PROFILE_DIR set writes a block profile there. Opt-in
// (BOREALIS_QUORUM_LATENCY=1; =memlog for the in-memory log baseline): it
// measures, it does not assert timings.
func TestQuorumStatementLatency(t *testing.T) {
	if os.Getenv("BOREALIS_QUORUM_LATENCY") == "" {
		t.Skip("set BOREALIS_QUORUM_LATENCY=1 to measure")
	}
	var ts *testServer
	if os.Getenv("BOREALIS_QUORUM_LATENCY") == "memlog" { // the baseline
		ts = startServer(t)
	} else {
		ts = startQuorumServer(t)
	}
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table t (id int primary key, v int)")
	mustExec(t, c, "insert into t select g, 0 from generate_series(1, 1000) g")
	dir := os.Getenv("BOREALIS_PROFILE_DIR")
	if dir != "" {
		runtime.SetBlockProfileRate(1000)
		defer runtime.SetBlockProfileRate(0)
	}
	const n = 100
	measure := func(name string, fn func(i int)) {
		start := time.Now()
		for i := 0; i < n; i++ {
			fn(i)
		}
		t.Logf("%-22s %8.2f ms", name, float64(time.Since(start).Microseconds())/1000/n)
	}
	measure("insert (autocommit)", func(i int) { mustExec(t, c, "insert into t values ($1, 0)", 2000+i) })
	measure("update (autocommit)", func(i int) { mustExec(t, c, "update t set v = v + 1 where id = $1", 1+i%1000) })
	measure("select by key", func(i int) {
		var v int
		if err := c.QueryRow(ctx, "select v from t where id = $1", 1+i%1000).Scan(&v); err != nil {
			t.Fatal(err)
		}
	})
	measure("3 updates in a block", func(i int) {
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 3; k++ {
			if _, err := tx.Exec(ctx, "update t set v = v + 1 where id = $1", 1+(i*3+k)%1000); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
	measure("update in open block", func(i int) {
		if i == 0 {
			mustExec(t, c, "begin")
		}
		mustExec(t, c, "update t set v = v + 1 where id = $1", 1+i%1000)
		if i == n-1 {
			mustExec(t, c, "commit")
		}
	})
	if dir != "" {
		f, err := os.Create(dir + "/block.pprof")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("block").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQuorumPgbench runs pgbench tpcb-like (scale 1, 8 clients, 20 s by
// default; BOREALIS_PGBENCH_T overrides the seconds) against the engine in
// process over six storage processes, checks the invariant and logs the
// output; with BOREALIS_PROFILE_DIR set it writes block, mutex and CPU
// profiles of the run there. Opt-in (BOREALIS_QUORUM_LATENCY=1).
func TestQuorumPgbench(t *testing.T) {
	if os.Getenv("BOREALIS_QUORUM_LATENCY") == "" {
		t.Skip("set BOREALIS_QUORUM_LATENCY=1 to measure")
	}
	pg := writertest.PgbenchPath(t)
	ts := startQuorumServer(t)
	t.Log(writertest.Pgbench(t, pg, ts.addr, "-i", "-s", "1", "-q"))
	before := writertest.Sums(t, ts.url())
	secs := os.Getenv("BOREALIS_PGBENCH_T")
	if secs == "" {
		secs = "20"
	}
	dir := os.Getenv("BOREALIS_PROFILE_DIR")
	if dir != "" {
		runtime.SetBlockProfileRate(10000)
		runtime.SetMutexProfileFraction(10)
		defer runtime.SetBlockProfileRate(0)
		defer runtime.SetMutexProfileFraction(0)
		cf, err := os.Create(dir + "/cpu.pprof")
		if err != nil {
			t.Fatal(err)
		}
		defer cf.Close()
		if err := pprof.StartCPUProfile(cf); err != nil {
			t.Fatal(err)
		}
	}
	out := writertest.Pgbench(t, pg, ts.addr, "-c", "8", "-j", "2", "-T", secs, "-M", "prepared")
	if dir != "" {
		pprof.StopCPUProfile()
		for _, name := range []string{"block", "mutex"} {
			f, err := os.Create(dir + "/" + name + ".pprof")
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	writertest.CheckRun(t, out)
	t.Log(out)
	t.Logf("buffer pool: %+v", ts.eng.DB().Pool.Stats())
	writertest.CheckInvariant(t, ts.url(), before, "")
}

// TestProcessWriterPgbench is TestQuorumPgbench against a `borealis writer`
// process (the deployed shape). Opt-in (BOREALIS_QUORUM_LATENCY=1).
func TestProcessWriterPgbench(t *testing.T) {
	if os.Getenv("BOREALIS_QUORUM_LATENCY") == "" {
		t.Skip("set BOREALIS_QUORUM_LATENCY=1 to measure")
	}
	pg := writertest.PgbenchPath(t)
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: 8192})
	w := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: 8192, PoolSize: 64 << 20})
	ts := &testServer{addr: w.Addr}
	t.Log(writertest.Pgbench(t, pg, ts.addr, "-i", "-s", "1", "-q"))
	before := writertest.Sums(t, ts.url())
	secs := os.Getenv("BOREALIS_PGBENCH_T")
	if secs == "" {
		secs = "20"
	}
	out := writertest.Pgbench(t, pg, ts.addr, "-c", "8", "-j", "2", "-T", secs, "-M", "prepared")
	writertest.CheckRun(t, out)
	t.Log(out)
	writertest.CheckInvariant(t, ts.url(), before, "")
}
