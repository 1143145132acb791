package heap_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/volmeta"
)

type env struct {
	log  *memlog.Log
	pool *buffer.Pool
	meta *volmeta.Meta
	mgr  *txn.Manager
	h    *heap.Heap
}

// open opens (creating when root is 0) a heap on log through a new pool,
// meta page and transaction manager: a restart when log is reused.
func open(t testing.TB, log *memlog.Log, frames int, root redo.PageID, opt heap.Options) *env {
	t.Helper()
	pool := buffer.New(log, int64(frames)*redo.PageSize)
	meta, err := volmeta.Open(context.Background(), pool, true)
	if err != nil {
		t.Fatal(err)
	}
	if root == 0 {
		if root, err = heap.Create(meta); err != nil {
			t.Fatal(err)
		}
	}
	mgr := txn.Open(meta)
	h, err := heap.Open(meta, mgr, root, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &env{log: log, pool: pool, meta: meta, mgr: mgr, h: h}
}

func row(id uint64, val string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, id), val...)
}

func rowID(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

type version struct {
	tid  heap.TID
	data string
}

// visible returns what a scan with snap sees, by row id.
func visible(t *testing.T, h *heap.Heap, snap *txn.Snapshot) map[uint64]version {
	t.Helper()
	out := map[uint64]version{}
	s := h.Scan(context.Background(), snap)
	for s.Next() {
		id := rowID(s.Data())
		if _, dup := out[id]; dup {
			t.Fatalf("row %d visible twice", id)
		}
		out[id] = version{s.TID(), string(s.Data())}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPropertyVsModel runs random transactions (inserts, updates, deletes,
// commits, aborts) against a map model, with restarts on the same log,
// pruning and vacuum, and checks scans and fetches after each transaction.
func TestPropertyVsModel(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			log := memlog.New(nil)
			e := open(t, log, 24, 0, heap.Options{FillFactor: 70 + int(seed)*10})
			root := e.h.Root()
			model := map[uint64]version{}
			index := map[heap.TID]uint64{} // a simulated index on row id
			nextID := uint64(1)
			txs := 300
			if testing.Short() {
				txs = 100
			}
			for n := 0; n < txs; n++ {
				tx := e.mgr.Begin(txn.ReadCommitted)
				mine := map[uint64]version{}
				for k, v := range model {
					mine[k] = v
				}
				for op := 0; op < 1+rng.IntN(8); op++ {
					val := string(make([]byte, rng.IntN(400)))
					ids := make([]uint64, 0, len(mine))
					for k := range mine {
						ids = append(ids, k)
					}
					switch r := rng.IntN(10); {
					case r < 4 || len(ids) == 0:
						id := nextID
						nextID++
						tid, err := e.h.Insert(ctx, tx, row(id, val))
						if err != nil {
							t.Fatal(err)
						}
						mine[id] = version{tid, string(row(id, val))}
						index[tid] = id
					case r < 8:
						id := ids[rng.IntN(len(ids))]
						var ntid heap.TID
						var tm heap.TM
						var err error
						heapOnly := false
						if rng.IntN(2) == 0 {
							ntid, tm, err = e.h.Update(ctx, tx, mine[id].tid, row(id, val))
						} else {
							ntid, heapOnly, tm, err = e.h.UpdateHOT(ctx, tx, mine[id].tid, row(id, val))
						}
						if err != nil || tm.Result != heap.OK {
							t.Fatalf("update row %d at %s: %v %v", id, mine[id].tid, tm.Result, err)
						}
						mine[id] = version{ntid, string(row(id, val))}
						if !heapOnly {
							index[ntid] = id
						}
					default:
						id := ids[rng.IntN(len(ids))]
						tm, err := e.h.Delete(ctx, tx, mine[id].tid)
						if err != nil || tm.Result != heap.OK {
							t.Fatalf("delete: %v %v", tm.Result, err)
						}
						delete(mine, id)
					}
					if err := tx.NextCommand(); err != nil {
						t.Fatal(err)
					}
				}
				snap := tx.Snapshot()
				if got := visible(t, e.h, &snap); !sameRows(got, mine) {
					t.Fatalf("tx %d: own view has %d rows, want %d", n, len(got), len(mine))
				}
				if rng.IntN(4) == 0 {
					tx.Abort()
				} else {
					if err := tx.Commit(ctx); err != nil {
						t.Fatal(err)
					}
					model = mine
				}
				reader := e.mgr.Begin(txn.ReadCommitted)
				snap = reader.Snapshot()
				got := visible(t, e.h, &snap)
				if !sameRows(got, model) {
					t.Fatalf("tx %d: scan sees %d rows, model %d", n, len(got), len(model))
				}
				for id, v := range model {
					_, d, ok, err := e.h.Fetch(ctx, v.tid, &snap, nil)
					if err != nil || !ok || string(d) != v.data {
						t.Fatalf("fetch row %d at %s: ok=%v err=%v", id, v.tid, ok, err)
					}
				}
				checkIndex(t, e.h, index, model, &snap)
				_ = reader.Commit(ctx)
				switch {
				case n%97 == 96:
					e = open(t, log, 24, root, heap.Options{})
				case n%41 == 40:
					st, err := e.h.Vacuum(ctx, func(tids []heap.TID) error {
						for _, x := range tids {
							delete(index, x)
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					if st.Live < len(model) {
						t.Fatalf("vacuum left %d versions, %d rows live", st.Live, len(model))
					}
				}
			}
			// Vacuum with no snapshot open leaves exactly the live rows.
			st, err := e.h.Vacuum(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Live != len(model) {
				t.Fatalf("after vacuum %d versions, %d live rows (%+v)", st.Live, len(model), st)
			}
			if log.Err() != nil {
				t.Fatal(log.Err())
			}
		})
	}
}

// checkIndex checks that through the simulated index every row of the
// model is found exactly once, at its current version (entries leading to
// another row are allowed: callers re-check keys).
func checkIndex(t *testing.T, h *heap.Heap, index map[heap.TID]uint64, model map[uint64]version, snap *txn.Snapshot) {
	t.Helper()
	found := map[uint64]int{}
	for tid, id := range index {
		vt, _, d, ok, err := h.FetchIndexed(context.Background(), tid, snap, nil)
		if err != nil {
			t.Fatalf("fetch indexed %s: %v", tid, err)
		}
		if !ok || rowID(d) != id {
			continue
		}
		found[id]++
		if v := model[id]; v.tid != vt || v.data != string(d) {
			t.Fatalf("row %d through index entry %s: version at %s, model %s", id, tid, vt, v.tid)
		}
	}
	for id := range model {
		if found[id] != 1 {
			t.Fatalf("row %d found %d times through the index", id, found[id])
		}
	}
}

func sameRows(got, want map[uint64]version) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

func TestConcurrentUpdatesSerialize(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 256, 0, heap.Options{})
	setup := e.mgr.Begin(txn.ReadCommitted)
	if _, err := e.h.Insert(ctx, setup, row(1, "\x00\x00\x00\x00")); err != nil {
		t.Fatal(err)
	}
	if err := setup.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	const workers, each = 6, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := increment(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r := e.mgr.Begin(txn.ReadCommitted)
	snap := r.Snapshot()
	got := visible(t, e.h, &snap)
	if len(got) != 1 {
		t.Fatalf("%d rows", len(got))
	}
	if c := binary.BigEndian.Uint32([]byte(got[1].data)[8:]); c != workers*each {
		t.Fatalf("counter %d, want %d: lost updates", c, workers*each)
	}
}

// increment does UPDATE t SET c = c + 1 the way the executor will: scan
// with a statement snapshot, lock the newest version (waiting), re-read it,
// update it.
func increment(ctx context.Context, e *env) error {
	tx := e.mgr.Begin(txn.ReadCommitted)
	snap := tx.Snapshot()
	s := e.h.Scan(ctx, &snap)
	if !s.Next() {
		tx.Abort()
		return fmt.Errorf("row not visible: %v", s.Err())
	}
	tid, data, ok, err := e.h.LockLatest(ctx, tx, s.TID(), &snap, nil)
	if err != nil || !ok {
		tx.Abort()
		return fmt.Errorf("lock latest: ok=%v %w", ok, err)
	}
	c := binary.BigEndian.Uint32(data[8:])
	nd := binary.BigEndian.AppendUint32(append([]byte(nil), data[:8]...), c+1)
	if _, tm, err := e.h.Update(ctx, tx, tid, nd); err != nil || tm.Result != heap.OK {
		tx.Abort()
		return fmt.Errorf("update: %v %w", tm.Result, err)
	}
	return tx.Commit(ctx)
}

func TestRepeatableReadStable(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	w := e.mgr.Begin(txn.ReadCommitted)
	tid, _ := e.h.Insert(ctx, w, row(1, "old"))
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rr := e.mgr.Begin(txn.RepeatableRead)
	snap := rr.Snapshot()
	before := visible(t, e.h, &snap)

	w2 := e.mgr.Begin(txn.ReadCommitted)
	if _, tm, err := e.h.Update(ctx, w2, tid, row(1, "new")); err != nil || tm.Result != heap.OK {
		t.Fatal(tm.Result, err)
	}
	if _, err := e.h.Insert(ctx, w2, row(2, "x")); err != nil {
		t.Fatal(err)
	}
	if err := w2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	_ = rr.NextCommand()
	snap2 := rr.Snapshot()
	if after := visible(t, e.h, &snap2); !sameRows(after, before) {
		t.Fatalf("repeatable read saw %v, then %v", before, after)
	}
	_, _, _, err := e.h.LockLatest(ctx, rr, tid, &snap2, nil)
	var te *txn.Error
	if !errors.As(err, &te) || te.Code != txn.CodeSerializationFailure {
		t.Fatalf("RR update of a concurrently updated row: %v", err)
	}
	rr.Abort()
	rc := e.mgr.Begin(txn.ReadCommitted)
	s := rc.Snapshot()
	if got := visible(t, e.h, &s); len(got) != 2 || got[1].data != string(row(1, "new")) {
		t.Fatalf("read committed after: %v", got)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	for i := 0; i < 500; i++ {
		if _, err := e.h.Insert(ctx, tx, row(uint64(i), "some data here")); err != nil {
			t.Fatal(err)
		}
	}
	tx.Abort()
	r := e.mgr.Begin(txn.ReadCommitted)
	s := r.Snapshot()
	if got := visible(t, e.h, &s); len(got) != 0 {
		t.Fatalf("%d rows of an aborted transaction visible", len(got))
	}
	_ = r.Commit(ctx)
	var removed []heap.TID
	st, err := e.h.Vacuum(ctx, func(tids []heap.TID) error { removed = tids; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Live != 0 || st.Freed != 500 || len(removed) != 500 {
		t.Fatalf("vacuum %+v, %d index removals", st, len(removed))
	}
	// Freed slots are reused: the heap does not grow.
	pagesBefore := st.Pages
	tx = e.mgr.Begin(txn.ReadCommitted)
	for i := 0; i < 500; i++ {
		if _, err := e.h.Insert(ctx, tx, row(uint64(i), "some data here")); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := e.h.Scan(ctx, nil)
	for s2.Next() {
	}
	if s2.Pages() != pagesBefore {
		t.Fatalf("heap grew from %d to %d pages re-inserting into freed space", pagesBefore, s2.Pages())
	}
}

func TestDeadlockOnRowLocks(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	w := e.mgr.Begin(txn.ReadCommitted)
	a, _ := e.h.Insert(ctx, w, row(1, "a"))
	b, _ := e.h.Insert(ctx, w, row(2, "b"))
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t1 := e.mgr.Begin(txn.ReadCommitted)
	t2 := e.mgr.Begin(txn.ReadCommitted)
	s1, s2 := t1.Snapshot(), t2.Snapshot()
	if _, _, ok, err := e.h.LockLatest(ctx, t1, a, &s1, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, _, ok, err := e.h.LockLatest(ctx, t2, b, &s2, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, _, err := e.h.LockLatest(ctx, t1, b, &s1, nil) // waits for t2
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for e.mgr.WaitingFor(t1.Xid()) != t2.Xid() {
		if time.Now().After(deadline) {
			t.Fatal("t1 never waited")
		}
		time.Sleep(time.Millisecond)
	}
	_, _, _, err := e.h.LockLatest(ctx, t2, a, &s2, nil) // would wait for t1
	var te *txn.Error
	if !errors.As(err, &te) || te.Code != txn.CodeDeadlockDetected {
		t.Fatalf("expected 40P01, got %v", err)
	}
	t2.Abort()
	if err := <-done; err != nil {
		t.Fatalf("t1 after the victim aborted: %v", err)
	}
	if err := t1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPruningKeepsHotRowSmall updates one row many times: pruning on access
// reclaims the dead versions, so the table stays on its first page.
func TestPruningKeepsHotRowSmall(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	tid, _ := e.h.Insert(ctx, tx, row(1, string(make([]byte, 200))))
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		ntid, tm, err := e.h.Update(ctx, tx, tid, row(1, string(make([]byte, 200))))
		if err != nil || tm.Result != heap.OK {
			t.Fatal(tm.Result, err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		tid = ntid
	}
	s := e.h.Scan(ctx, nil)
	n := 0
	for s.Next() {
		n++
	}
	if s.Pages() > 2 {
		t.Fatalf("%d pages for one hot row (%d versions left)", s.Pages(), n)
	}
}

func TestFillFactorAndTooBig(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{FillFactor: 50})
	tx := e.mgr.Begin(txn.ReadCommitted)
	for i := 0; i < 200; i++ {
		if _, err := e.h.Insert(ctx, tx, row(uint64(i), string(make([]byte, 100)))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.h.Insert(ctx, tx, make([]byte, heap.MaxData+1)); !errors.Is(err, heap.ErrTooBig) {
		t.Fatalf("oversized row: %v", err)
	}
	if _, err := e.h.Insert(ctx, tx, make([]byte, heap.MaxData)); err != nil {
		t.Fatalf("row of MaxData: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// 200 rows of 144 bytes + 4-byte ids ≈ 29.6 KB: at 50% fill, at least 7
	// pages (8 KB pages hold ~4 KB each), plus the big row's page.
	s := e.h.Scan(ctx, nil)
	for s.Next() {
	}
	if s.Pages() < 8 {
		t.Fatalf("%d pages at fillfactor 50", s.Pages())
	}
	if _, err := heap.Open(e.meta, e.mgr, e.h.Root(), heap.Options{FillFactor: 5}); err == nil {
		t.Fatal("fillfactor 5 accepted")
	}
}

// TestReplayMatchesPool: replaying the log's records on fresh pages gives
// the pool's pages byte for byte.
func TestReplayMatchesPool(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 4096, 0, heap.Options{})
	if err := increment(ctx, e); err == nil {
		t.Fatal("increment on an empty table succeeded")
	}
	tx := e.mgr.Begin(txn.ReadCommitted)
	var tids []heap.TID
	for i := 0; i < 300; i++ {
		tid, err := e.h.Insert(ctx, tx, row(uint64(i), string(make([]byte, i))))
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}
	_ = tx.Commit(ctx)
	for round := 0; round < 3; round++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		for i, tid := range tids {
			ntid, tm, err := e.h.Update(ctx, tx, tid, row(uint64(i), string(make([]byte, 300-i))))
			if err != nil || tm.Result != heap.OK {
				t.Fatal(tm.Result, err)
			}
			tids[i] = ntid
		}
		_ = tx.Commit(ctx)
	}
	if _, err := e.h.Vacuum(ctx, nil); err != nil {
		t.Fatal(err)
	}
	fresh := map[redo.PageID]*redo.Page{}
	for _, r := range e.log.Records() {
		pg := fresh[r.Page]
		if pg == nil {
			pg = new(redo.Page)
			fresh[r.Page] = pg
		}
		if err := redo.Apply(pg, &r); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := e.pool.Cached(func(id redo.PageID, pg *redo.Page) error {
		n++
		if *pg != *fresh[id] {
			return fmt.Errorf("page %d differs", id)
		}
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("%d pages compared: %v", n, err)
	}
}

// TestHOTChain: HOT updates keep the row reachable from its one index
// entry, through pruning (redirects), for old and new snapshots.
func TestHOTChain(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	root, err := e.h.Insert(ctx, tx, row(1, "v0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	old := e.mgr.Begin(txn.RepeatableRead)
	oldSnap := old.Snapshot()
	tid := root
	hot := 0
	for i := 1; i <= 3000; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		ntid, heapOnly, tm, err := e.h.UpdateHOT(ctx, tx, tid, row(1, fmt.Sprintf("v%d%s", i, make([]byte, 100))))
		if err != nil || tm.Result != heap.OK {
			t.Fatal(tm.Result, err)
		}
		if heapOnly {
			hot++
		} else {
			t.Fatalf("update %d not HOT (moved to %s)", i, ntid)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		tid = ntid
		if i == 20 {
			// The old snapshot still reaches v0 through the chain.
			_, _, d, ok, err := e.h.FetchIndexed(ctx, root, &oldSnap, nil)
			if err != nil || !ok || string(d) != string(row(1, "v0")) {
				t.Fatalf("old snapshot through the index: ok=%v err=%v", ok, err)
			}
			old.Abort() // from now on, pruning can reclaim the chain
		}
	}
	r := e.mgr.Begin(txn.ReadCommitted)
	snap := r.Snapshot()
	vt, _, d, ok, err := e.h.FetchIndexed(ctx, root, &snap, nil)
	if err != nil || !ok || vt != tid || string(d[8:10]) != "v3" {
		t.Fatalf("latest through the index: %s ok=%v err=%v", vt, ok, err)
	}
	s := e.h.Scan(ctx, nil)
	for s.Next() {
	}
	if s.Pages() != 1 || hot != 3000 {
		t.Fatalf("%d pages, %d HOT updates", s.Pages(), hot)
	}
	// Vacuum: nothing for the index to drop (the root is a redirect).
	st, err := e.h.Vacuum(ctx, func(tids []heap.TID) error {
		return fmt.Errorf("vacuum asked to drop index entries %v", tids)
	})
	if err != nil || st.Live != 1 {
		t.Fatalf("vacuum %+v: %v", st, err)
	}
	if _, _, _, ok, _ := e.h.FetchIndexed(ctx, root, &snap, nil); !ok {
		t.Fatal("row lost after vacuum")
	}
}

// TestCrashMidTransaction: after a restart on the same log, a transaction
// that was in flight is aborted: its inserts are invisible and its row
// locks and deletes no longer hold.
func TestCrashMidTransaction(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log, 64, 0, heap.Options{})
	w := e.mgr.Begin(txn.ReadCommitted)
	a, _ := e.h.Insert(ctx, w, row(1, "a"))
	b, _ := e.h.Insert(ctx, w, row(2, "b"))
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	inflight := e.mgr.Begin(txn.ReadCommitted)
	if _, err := e.h.Insert(ctx, inflight, row(3, "never committed")); err != nil {
		t.Fatal(err)
	}
	if tm, err := e.h.Lock(ctx, inflight, a); err != nil || tm.Result != heap.OK {
		t.Fatal(tm.Result, err)
	}
	if tm, err := e.h.Delete(ctx, inflight, b); err != nil || tm.Result != heap.OK {
		t.Fatal(tm.Result, err)
	}
	// Crash: drop pool and manager; open again on the same log.
	e2 := open(t, log, 64, e.h.Root(), heap.Options{})
	r := e2.mgr.Begin(txn.ReadCommitted)
	snap := r.Snapshot()
	got := visible(t, e2.h, &snap)
	if len(got) != 2 || got[1].tid != a || got[2].tid != b {
		t.Fatalf("after restart: %v", got)
	}
	tx := e2.mgr.Begin(txn.ReadCommitted)
	s := tx.Snapshot()
	for _, tid := range []heap.TID{a, b} {
		if _, _, ok, err := e2.h.LockLatest(ctx, tx, tid, &s, nil); !ok || err != nil {
			t.Fatalf("lock %s after restart: ok=%v %v", tid, ok, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFetchDirty(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	w := e.mgr.Begin(txn.ReadCommitted)
	root, _ := e.h.Insert(ctx, w, row(1, "a"))
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(name string, tx *txn.Tx, wantFound bool, wantWait uint64) {
		t.Helper()
		d, err := e.h.FetchDirty(ctx, root, tx.Xid(), nil)
		if err != nil || d.Found != wantFound || d.WaitXid != wantWait {
			t.Fatalf("%s: %+v %v, want found=%v wait=%d", name, d, err, wantFound, wantWait)
		}
	}
	other := e.mgr.Begin(txn.ReadCommitted)
	mustXid := func(tx *txn.Tx) uint64 {
		x, err := tx.AssignXid(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	mustXid(other)
	check("committed row", other, true, 0)
	// HOT-updated by a transaction in progress: wait for it.
	u := e.mgr.Begin(txn.ReadCommitted)
	xu := mustXid(u)
	if _, heapOnly, tm, err := e.h.UpdateHOT(ctx, u, root, row(1, "b")); err != nil || !heapOnly || tm.Result != heap.OK {
		t.Fatal(heapOnly, tm.Result, err)
	}
	check("update in progress", other, false, xu)
	check("own update", u, true, 0)
	if err := u.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Committed HOT update: the chain leads to the live version.
	d, err := e.h.FetchDirty(ctx, root, other.Xid(), nil)
	if err != nil || !d.Found || string(d.Data) != string(row(1, "b")) || d.TID == root {
		t.Fatalf("after HOT update: %+v %v", d, err)
	}
	// ... also once pruning turned the root into a redirect.
	other.Abort()
	if err := e.h.Prune(ctx, root.Page); err != nil {
		t.Fatal(err)
	}
	x := e.mgr.Begin(txn.ReadCommitted)
	mustXid(x)
	if d, err := e.h.FetchDirty(ctx, root, x.Xid(), nil); err != nil || !d.Found {
		t.Fatalf("through a redirect: %+v %v", d, err)
	}
	// Deleted by a committed transaction: no conflict.
	if tm, err := e.h.Delete(ctx, x, d.TID); err != nil || tm.Result != heap.OK {
		t.Fatal(tm.Result, err)
	}
	check("own delete", x, false, 0)
	if err := x.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	y := e.mgr.Begin(txn.ReadCommitted)
	mustXid(y)
	check("committed delete", y, false, 0)
}

// TestChainFollowStopsAtReusedSlot: an update chain's next TID whose slot
// was pruned and reused by another row must not be followed (the next
// version's xmin must be the previous version's xmax), or LockLatest would
// lock and the executor update an unrelated version.
func TestChainFollowStopsAtReusedSlot(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	commit := func(tx *txn.Tx) {
		t.Helper()
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t0 := e.mgr.Begin(txn.ReadCommitted)
	v1, err := e.h.Insert(ctx, t0, row(1, "a"))
	if err != nil {
		t.Fatal(err)
	}
	commit(t0)
	a := e.mgr.Begin(txn.ReadCommitted)
	v2, heapOnly, tm, err := e.h.UpdateHOT(ctx, a, v1, row(1, "b"))
	if err != nil || tm.Result != heap.OK || !heapOnly {
		t.Fatalf("update 1: %v %v %v", tm, heapOnly, err)
	}
	commit(a)
	c := e.mgr.Begin(txn.ReadCommitted)
	if _, _, tm, err := e.h.UpdateHOT(ctx, c, v2, row(1, "c")); err != nil || tm.Result != heap.OK {
		t.Fatalf("update 2: %v %v", tm, err)
	}
	commit(c)
	// v1 and v2 are dead to everyone: pruning redirects v1 and frees v2's
	// slot, which the next insert reuses for another row.
	if err := e.h.Prune(ctx, v2.Page); err != nil {
		t.Fatal(err)
	}
	d := e.mgr.Begin(txn.ReadCommitted)
	other, err := e.h.Insert(ctx, d, row(2, "other"))
	if err != nil {
		t.Fatal(err)
	}
	commit(d)
	if other != v2 {
		t.Fatalf("insert went to %s, want the freed slot %s", other, v2)
	}
	b := e.mgr.Begin(txn.ReadCommitted)
	defer b.Abort()
	// b followed v1's ctid (xmax a) to v2: now row 2 lives there.
	tm, err = heap.LockNext(e.h, ctx, b, v2, a.Xid())
	if err != nil {
		t.Fatal(err)
	}
	if tm.Result != heap.Deleted {
		t.Fatalf("lock through a reused slot: %s, want deleted (chain broken)", tm.Result)
	}
	hd, _, _, err := e.h.Fetch(ctx, v2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hd.Xmax != txn.InvalidXid {
		t.Fatalf("row 2 at %s was locked through a stale chain: xmax %d", v2, hd.Xmax)
	}
	// Following with the right xmin still locks.
	tm, err = heap.LockNext(e.h, ctx, b, v2, d.Xid())
	if err != nil || tm.Result != heap.OK {
		t.Fatalf("lock with matching xmin: %v %v", tm, err)
	}
}
