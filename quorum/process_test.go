package quorum_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var binary = segtest.NewBinary()

func TestMain(m *testing.M) {
	code := m.Run()
	binary.Remove()
	os.Exit(code)
}

// startCluster starts six storage nodes, or skips with -short.
func startCluster(t *testing.T) *segtest.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("process test: starts six storage processes")
	}
	return segtest.Start(t, binary, segtest.Options{SegmentPages: 64})
}

func openVolume(t *testing.T, c *segtest.Cluster) *quorum.Volume {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := quorum.Open(ctx, testConfig(t, c))
	if err != nil {
		t.Fatalf("open volume: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func testConfig(t *testing.T, c *segtest.Cluster) quorum.Config {
	return quorum.Config{
		Layout:      c.Layout(),
		Logger:      slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
		LSNWindow:   100_000,
		CallTimeout: 3 * time.Second,
		Heartbeat:   50 * time.Millisecond,
	}
}

// testWriter sends logs to t.Log while the test runs.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }() // a log after the test ended
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newRand(t *testing.T) *rand.Rand {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>7))
}

// pageHist is the model of one page: a verified base image and the records
// appended on top of it.
type pageHist struct {
	base  redo.Page
	recs  []redo.Record
	acked redo.LSN // the highest LSN of this page acknowledged durable
}

// model is the local model of every page the workload wrote.
type model struct {
	mu    sync.Mutex
	pages map[redo.PageID]*pageHist
}

func newModel() *model { return &model{pages: map[redo.PageID]*pageHist{}} }

func (m *model) appended(recs []redo.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		h := m.pages[r.Page]
		if h == nil {
			h = &pageHist{}
			m.pages[r.Page] = h
		}
		h.recs = append(h.recs, r)
	}
}

func (m *model) acked(recs []redo.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		h := m.pages[r.Page]
		h.acked = max(h.acked, r.LSN)
	}
}

// lastLSN is the LSN of the page's newest record known to the model.
func (m *model) lastLSN(p redo.PageID) redo.LSN {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.pages[p]
	if h == nil {
		return 0
	}
	if len(h.recs) > 0 {
		return h.recs[len(h.recs)-1].LSN
	}
	return h.base.LSN()
}

// verify reads every page at the volume's VDL and checks it against the
// model: nothing acknowledged lost or changed, and the image equals the base
// plus the records up to the page LSN. Then it rebases the model on the
// images read.
func (m *model) verify(t *testing.T, v *quorum.Volume) {
	t.Helper()
	vdl := v.VDL()
	// A deadline per read (a hang guard), not one for all of them: after a
	// bulk load there are thousands of pages, and a loaded machine may
	// take more than a minute to read them all.
	m.check(t, fmt.Sprintf("VDL %d", vdl), vdl, func(id redo.PageID) (*redo.Page, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return v.ReadPage(ctx, id, vdl)
	})
}

// check reads every page with read (as of upto) and compares it with the
// model, then rebases the model on the images read, keeping the records
// above upto (they may still become durable).
func (m *model) check(t *testing.T, at string, upto redo.LSN, read func(redo.PageID) (*redo.Page, error)) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	checked := 0
	for id, h := range m.pages {
		got, err := read(id)
		if err != nil {
			t.Fatalf("read page %d at %s: %v", id, at, err)
		}
		pl := got.LSN()
		if pl < h.acked {
			t.Fatalf("page %d: LSN %d read at %s, but LSN %d was acknowledged durable: lost", id, pl, at, h.acked)
		}
		want := h.base
		found := pl == h.base.LSN()
		for _, r := range h.recs {
			if r.LSN > pl {
				break
			}
			if err := redo.Apply(&want, &r); err != nil {
				t.Fatalf("page %d: model apply LSN %d: %v", id, r.LSN, err)
			}
			found = found || r.LSN == pl
		}
		if !found {
			t.Fatalf("page %d: read image has LSN %d, which no record of this page has", id, pl)
		}
		want.Seal()
		if !bytes.Equal(want[:], got[:]) {
			t.Fatalf("page %d at LSN %d: image differs from the model", id, pl)
		}
		var rest []redo.Record
		for _, r := range h.recs {
			if r.LSN > upto {
				rest = append(rest, r)
			}
		}
		h.base, h.recs, h.acked = *got, rest, pl
		checked++
	}
	t.Logf("verified %d pages at %s", checked, at)
}

// workload runs writers, each owning its own pages.
type workload struct {
	t       *testing.T
	m       *model
	writers int
	pages   int // per writer
	seed    uint64
	wait    time.Duration // WaitDurable timeout

	mu    sync.Mutex
	txns  int
	first int // first page id of writer 0 (pages from 1: page 0 is the marker)
}

// run writes mini-transactions until ctx ends or a write fails; it returns
// the first error per writer (nil for those stopped by ctx).
func (w *workload) run(ctx context.Context, v *quorum.Volume) []error {
	var wg sync.WaitGroup
	errs := make([]error, w.writers)
	for i := 0; i < w.writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.writer(ctx, v, i)
		}()
	}
	wg.Wait()
	return errs
}

func (w *workload) writer(ctx context.Context, v *quorum.Volume, i int) error {
	rng := rand.New(rand.NewPCG(w.seed, uint64(i)))
	first := redo.PageID(w.first + 1 + i*w.pages)
	for ctx.Err() == nil {
		n := 1 + rng.IntN(3)
		var recs []redo.Record
		used := map[redo.PageID]bool{}
		for k := 0; k < n; k++ {
			p := first + redo.PageID(rng.IntN(w.pages))
			if used[p] {
				continue
			}
			used[p] = true
			data := make([]byte, 8+rng.IntN(48))
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			if last := w.m.lastLSN(p); last == 0 {
				recs = append(recs, redo.InitPage(p, 1, 8), redo.InsertItem(p, 0, data))
			} else {
				r := redo.OverwriteItem(p, 0, data)
				r.PrevPage = last // what a buffer pool knows from the page
				recs = append(recs, r)
			}
		}
		lsns, err := v.Append(ctx, recs)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("append: %w", err)
		}
		w.m.appended(recs)
		wctx, cancel := context.WithTimeout(context.Background(), w.wait)
		err = v.WaitDurable(wctx, lsns[len(lsns)-1])
		cancel()
		if err != nil {
			return fmt.Errorf("wait durable %d: %w", lsns[len(lsns)-1], err)
		}
		w.m.acked(recs)
		w.mu.Lock()
		w.txns++
		w.mu.Unlock()
	}
	return nil
}

func newWorkload(t *testing.T, rng *rand.Rand, m *model) *workload {
	return &workload{t: t, m: m, writers: 4, pages: 50, seed: rng.Uint64(), wait: 30 * time.Second}
}

func (w *workload) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.txns
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestVolumeBasic(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	v := openVolume(t, c)
	m := newModel()
	w := newWorkload(t, rng, m)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitFor(t, 60*time.Second, "some transactions", func() bool { return w.count() >= 200 })
		cancel()
	}()
	for _, err := range w.run(ctx, v) {
		if err != nil {
			t.Fatal(err)
		}
	}
	m.verify(t, v)
	st := v.Status()
	if len(st.Groups) < 4 {
		t.Errorf("status shows %d groups, want the workload to span at least 4", len(st.Groups))
	}
	for _, g := range st.Groups {
		if !g.HasQuorum || len(g.Replicas) != quorum.Replicas {
			t.Errorf("group %d: %+v", g.PG, g)
		}
	}
	// The marker page cannot be written by callers.
	if _, err := v.Append(ctx, []redo.Record{redo.Noop(quorum.MarkerPage)}); err == nil {
		t.Error("append to the marker page succeeded")
	}
}

// TestVolumeKillTwoNodes: appends stream from several goroutines while two
// random nodes at a time are SIGKILLed and restarted; every acknowledged
// record reads back.
func TestVolumeKillTwoNodes(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	v := openVolume(t, c)
	m := newModel()
	w := newWorkload(t, rng, m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan []error)
	go func() { done <- w.run(ctx, v) }()
	names := c.Names()
	for round := 0; round < 3; round++ {
		start := w.count()
		waitFor(t, 60*time.Second, "progress before a kill", func() bool { return w.count() >= start+20+rng.IntN(60) })
		i := rng.IntN(len(names))
		j := (i + 1 + rng.IntN(len(names)-1)) % len(names)
		t.Logf("round %d: killing %s and %s after %d transactions", round, names[i], names[j], w.count())
		c.Kill(names[i])
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // a random moment, not synchronisation
		c.Kill(names[j])
		at := w.count()
		waitFor(t, 60*time.Second, "writes to continue with two nodes down", func() bool { return w.count() >= at+30 })
		c.Restart(names[i])
		c.Restart(names[j])
	}
	cancel()
	for _, err := range <-done {
		if err != nil {
			t.Fatalf("a writer failed with at most two nodes down: %v", err)
		}
	}
	t.Logf("%d transactions acknowledged", w.count())
	m.verify(t, v)
}

// TestVolumeAZFailure: a whole AZ down keeps writes going; an AZ plus one more
// stops them with a clear error while every acknowledged record still reads
// back; restarting one node resumes them.
func TestVolumeAZFailure(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	const window = 300
	cfg := testConfig(t, c)
	cfg.LSNWindow = window
	octx, ocancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer ocancel()
	v, err := quorum.Open(octx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	m := newModel()
	w := newWorkload(t, rng, m)
	w.writers = 2
	burst := func(n int) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		start := w.count()
		go func() {
			waitFor(t, 60*time.Second, "a burst of writes", func() bool { return w.count() >= start+n })
			cancel()
		}()
		for _, err := range w.run(ctx, v) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	burst(50)
	c.Kill("a1")
	c.Kill("a2")
	burst(50)
	m.verify(t, v)

	c.Kill("b1")
	stuck := []redo.Record{redo.InitPage(1000, 1, 0)}
	lsns, err := v.Append(context.Background(), stuck)
	if err != nil {
		t.Fatalf("append with AZ+1 down (it only queues): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err = v.WaitDurable(ctx, lsns[0])
	cancel()
	if err == nil {
		t.Fatal("write became durable with only three nodes up")
	}
	t.Logf("expected error: %v", err)
	if !errors.Is(err, quorum.ErrNoQuorum) || !strings.Contains(err.Error(), "replicas acknowledging") ||
		!strings.Contains(err.Error(), "needs 4") || !strings.Contains(err.Error(), "a1 (") || !strings.Contains(err.Error(), "b1 (") {
		t.Fatalf("unclear error: %v", err)
	}
	// Back-pressure: appends block once the LSN would pass VDL + window.
	for i := 0; ; i++ {
		if i > window {
			t.Fatalf("%d appends went through with VDL stuck and a window of %d", i, window)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rec := []redo.Record{redo.SetFlags(1000, uint16(i))}
		_, err := v.Append(ctx, rec)
		cancel()
		if err != nil {
			if !strings.Contains(err.Error(), "back-pressure") || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("append blocked with an unclear error: %v", err)
			}
			t.Logf("append %d blocked: %v", i, err)
			break
		}
		stuck = append(stuck, rec[0])
	}
	m.appended(stuck)
	m.verify(t, v) // every acknowledged record is still readable

	c.Restart("b1")
	ctx, cancel = context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := v.WaitDurable(ctx, stuck[len(stuck)-1].LSN); err != nil {
		t.Fatalf("writes did not resume after b1 came back: %v", err)
	}
	m.acked(stuck)
	burst(30)
	m.verify(t, v)
}

// TestVolumeRepair: a node that was down catches up from its peers without
// the writer resending: every record is durable (the writer retains none)
// when the node returns, so the writer's stream only announces the group.
func TestVolumeRepair(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	v := openVolume(t, c)
	m := newModel()
	w := newWorkload(t, rng, m)
	c.Kill("c2")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitFor(t, 60*time.Second, "writes with c2 down", func() bool { return w.count() >= 150 })
		cancel()
	}()
	for _, err := range w.run(ctx, v) {
		if err != nil {
			t.Fatal(err)
		}
	}
	vdl := v.VDL()
	if st := v.Status(); st.Pending != 0 || st.VCL != st.NextLSN-1 {
		t.Fatalf("writer still holds records: %+v", st)
	}
	c.Restart("c2")
	// c2's SCL of every group must reach the VDL the writer had (all of its
	// groups' records at or below it), learned from peers only.
	var last string
	waitFor(t, 60*time.Second, "c2 to repair from its peers", func() bool {
		ref, err := c.Status(context.Background(), "c1")
		if err != nil {
			last = err.Error()
			return false
		}
		st, err := c.Status(context.Background(), "c2")
		if err != nil {
			last = err.Error()
			return false
		}
		mine := map[uint32]redo.LSN{}
		for _, g := range st.Groups {
			mine[g.PG] = g.SCL
		}
		for _, g := range ref.Groups {
			if mine[g.PG] < g.SCL {
				last = fmt.Sprintf("group %d: c2 SCL %d, c1 SCL %d", g.PG, mine[g.PG], g.SCL)
				return false
			}
		}
		return len(ref.Groups) > 0
	})
	t.Logf("c2 caught up (writer VDL was %d; %s)", vdl, last)
	// And it serves what it repaired: with every other node down, c2 alone
	// returns every acknowledged record.
	st, err := c.Status(context.Background(), "c2")
	if err != nil {
		t.Fatal(err)
	}
	scl := map[uint32]redo.LSN{}
	for _, g := range st.Groups {
		scl[g.PG] = g.SCL
	}
	_ = v.Close()
	for _, n := range []string{"a1", "a2", "b1", "b2", "c1"} {
		c.Kill(n)
	}
	cc, err := grpc.NewClient(c.Addr("c2"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := storagerpc.NewClient(cc)
	l := c.Layout()
	m.check(t, "c2 alone", vdl, func(id redo.PageID) (*redo.Page, error) {
		pg, err := l.Group(id)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := client.GetPage(ctx, &storagerpc.GetPageRequest{PG: pg, Page: id, LSN: scl[pg]})
		if err != nil {
			return nil, err
		}
		p := new(redo.Page)
		if len(resp.Page) != redo.PageSize {
			return nil, fmt.Errorf("page of %d bytes", len(resp.Page))
		}
		copy(p[:], resp.Page)
		return p, p.Verify()
	})
}

// TestVolumeFencing: a second writer recovers the volume while the first one
// is appending; the first one is refused with ErrFenced and the second sees
// every record the first acknowledged.
func TestVolumeFencing(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	v1 := openVolume(t, c)
	m := newModel()
	w := newWorkload(t, rng, m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan []error)
	go func() { done <- w.run(ctx, v1) }()
	waitFor(t, 60*time.Second, "writes by the first writer", func() bool { return w.count() >= 100+rng.IntN(100) })
	v2 := openVolume(t, c)
	errs := <-done
	for i, err := range errs {
		if !errors.Is(err, quorum.ErrFenced) {
			t.Fatalf("writer %d of the fenced volume ended with %v, want ErrFenced", i, err)
		}
	}
	t.Logf("old writer fenced after %d transactions: %v", w.count(), errs[0])
	if v1.VDL() > v2.VDL() {
		t.Fatalf("old VDL %d above the new writer's %d", v1.VDL(), v2.VDL())
	}
	m.verify(t, v2)
	// The new writer works.
	w2 := newWorkload(t, rng, m)
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		waitFor(t, 60*time.Second, "writes by the new writer", func() bool { return w2.count() >= 50 })
		cancel2()
	}()
	for _, err := range w2.run(ctx2, v2) {
		if err != nil {
			t.Fatal(err)
		}
	}
	m.verify(t, v2)
}

// TestVolumeWriterCrash: the writer is abandoned mid-stream (connections
// closed abruptly); a new writer recovers every acknowledged record and
// appends again, three times: the second recovery runs with two nodes down,
// which return before the third.
func TestVolumeWriterCrash(t *testing.T) {
	c := startCluster(t)
	rng := newRand(t)
	m := newModel()
	var v *quorum.Volume
	names := c.Names()
	var down []string
	for gen := 0; gen < 3; gen++ {
		switch gen {
		case 1: // recover with two replicas of every group down
			i := rng.IntN(len(names))
			down = []string{names[i], names[(i+1+rng.IntN(len(names)-1))%len(names)]}
			t.Logf("killing %v before recovery", down)
			for _, n := range down {
				c.Kill(n)
			}
		case 2: // they come back holding a stale tail the recovery truncated
			for _, n := range down {
				c.Restart(n)
			}
		}
		v = openVolume(t, c)
		if gen > 0 {
			m.verify(t, v)
		}
		w := newWorkload(t, rng, m)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan []error)
		go func() { done <- w.run(ctx, v) }()
		target := 50 + rng.IntN(150)
		waitFor(t, 60*time.Second, "writes before the crash", func() bool { return w.count() >= target })
		_ = v.Close() // abrupt: in-flight records are abandoned
		for _, err := range <-done {
			if err != nil && !errors.Is(err, quorum.ErrClosed) {
				t.Fatalf("writer ended with %v, want ErrClosed", err)
			}
		}
		cancel()
		t.Logf("generation %d crashed after %d transactions", gen, w.count())
	}
	v = openVolume(t, c)
	m.verify(t, v)
}
