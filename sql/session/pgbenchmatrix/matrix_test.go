package pgbenchmatrix

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/sql/session/writertest"
)

// Knobs for developing the test at a smaller size; the defaults are issue
// 3's must-hold.
var (
	scaleFlag   = flag.Int("pgbench-scale", 10, "pgbench scale factor")
	secondsFlag = flag.Int("pgbench-seconds", 30, "-T of each cell of the matrix")
)

var bin = segtest.NewBinary()

func TestMain(m *testing.M) {
	code := m.Run()
	bin.Remove()
	os.Exit(code)
}

// TestPgbenchMatrix is issue 3's pgbench must-hold, on one cluster of six
// `borealis storage` processes and a `borealis writer` process (256 MiB
// buffer pool, the default):
//
//  1. pgbench -i -s 10 with the default init steps (client-side generation
//     through COPY, VACUUM, primary keys), then again with -I dtGvp
//     (server-side generation with INSERT … SELECT generate_series); row
//     counts and zero balances are checked after each.
//  2. pgbench -c 8 -j 2 -T 30 with each of -M simple|extended|prepared and
//     each builtin script (tpcb-like, simple-update -N, select-only -S). After
//     every run: no failed transaction and pgbench's invariant over the run
//     (Δ sum(abalance) = Δ sum(tbalance) = Δ sum(bbalance) = sum(delta) of
//     pgbench_history for tpcb-like, which pgbench truncates before each
//     run; -N changes only accounts, -S nothing); while only tpcb-like has
//     run, also the absolute sum(abalance) = sum(tbalance) = sum(bbalance).
//
// The Space and crash must-holds are in package pgbenchspace.
func TestPgbenchMatrix(t *testing.T) {
	pg := writertest.PgbenchPath(t)
	scale, cellT := *scaleFlag, *secondsFlag
	if scale < 1 || cellT < 1 {
		t.Fatalf("bad knobs: scale %d, cell %d s", scale, cellT)
	}
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: writertest.SegmentPages})
	w := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages, HTTP: true})
	logf := writertest.Report(t)

	for _, steps := range [][]string{nil, {"-I", "dtGvp"}} {
		start := time.Now()
		out := writertest.Pgbench(t, pg, w.Addr, append([]string{"-i", "-s", fmt.Sprint(scale)}, steps...)...)
		logf("pgbench -i -s %d %s: %v (%s)", scale, strings.Join(steps, " "), time.Since(start).Round(time.Second), writertest.LastLine(out))
		writertest.CheckCounts(t, w.URL(), scale)
	}

	onlyTPCB := true
	for _, script := range []string{"", "-N", "-S"} {
		for _, mode := range []string{"simple", "extended", "prepared"} {
			name := map[string]string{"": "tpcb-like", "-N": "simple-update", "-S": "select-only"}[script] + " " + mode
			n, tps, commits := writertest.RunCell(t, pg, w, cellT, mode, script)
			logf("%-22s -T %3d: %7d transactions, %8.1f tps, %7.0f durable commits", name, cellT, n, tps, commits)
			if onlyTPCB {
				writertest.AbsoluteInvariant(t, w.URL())
			}
		}
		onlyTPCB = false
	}
	// Tellers and branches change only in tpcb-like, together.
	if s := writertest.Sums(t, w.URL()); s[1] != s[2] {
		t.Fatalf("sum(tbalance) %d != sum(bbalance) %d after the matrix", s[1], s[2])
	}
}
