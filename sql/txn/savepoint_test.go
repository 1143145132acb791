package txn_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
)

// henv is a volume with one heap.
type henv struct {
	*env
	h *heap.Heap
}

// openHeap opens (creating when root is 0) a heap on log through a new pool,
// meta page and manager: a restart when log is reused.
func openHeap(t testing.TB, log *memlog.Log, root redo.PageID) *henv {
	t.Helper()
	e := open(t, log)
	var err error
	if root == 0 {
		if root, err = heap.Create(e.meta); err != nil {
			t.Fatal(err)
		}
	}
	h, err := heap.Open(e.meta, e.mgr, root, heap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &henv{env: e, h: h}
}

func hrow(id uint64, val string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, id), val...)
}

// view returns id → value of the rows snap sees, and id → TID.
func view(t testing.TB, h *heap.Heap, snap *txn.Snapshot) (map[uint64]string, map[uint64]heap.TID) {
	t.Helper()
	vals, tids := map[uint64]string{}, map[uint64]heap.TID{}
	s := h.Scan(context.Background(), snap)
	for s.Next() {
		id := binary.BigEndian.Uint64(s.Data())
		if _, dup := vals[id]; dup {
			t.Fatalf("row %d visible twice", id)
		}
		vals[id] = string(s.Data()[8:])
		tids[id] = s.TID()
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return vals, tids
}

// outsider returns what a new transaction sees.
func outsider(t testing.TB, e *henv) map[uint64]string {
	t.Helper()
	o := e.mgr.Begin(txn.ReadCommitted)
	defer o.Abort()
	s := o.Snapshot()
	v, _ := view(t, e.h, &s)
	return v
}

func ownView(t testing.TB, tx *txn.Tx, h *heap.Heap) (map[uint64]string, map[uint64]heap.TID) {
	t.Helper()
	if err := tx.NextCommand(); err != nil {
		t.Fatal(err)
	}
	s := tx.Snapshot()
	return view(t, h, &s)
}

func wantEqual(t testing.TB, what string, got, want map[uint64]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func mustOK(t testing.TB, tm heap.TM, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if tm.Result != heap.OK {
		t.Fatalf("result %v, want OK", tm.Result)
	}
}

func lockOK(t testing.TB, h *heap.Heap, tx *txn.Tx, tid heap.TID) {
	t.Helper()
	tm, err := h.Lock(context.Background(), tx, tid)
	mustOK(t, tm, err)
}

func code(err error) string {
	var e *txn.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestSavepointErrors(t *testing.T) {
	e := open(t, memlog.New(nil))
	tx := e.mgr.Begin(txn.ReadCommitted)
	for _, f := range []func(string) error{tx.RollbackTo, tx.Release} {
		err := f("nope")
		var te *txn.Error
		if !errors.As(err, &te) || te.Code != "3B001" || te.Message != `savepoint "nope" does not exist` {
			t.Fatalf("unknown savepoint: %v", err)
		}
	}
	if err := tx.Savepoint("a"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Savepoint("b"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Release("a"); err != nil { // releases b too
		t.Fatal(err)
	}
	if code(tx.RollbackTo("b")) != "3B001" || code(tx.Release("a")) != "3B001" {
		t.Fatal("released savepoints still exist")
	}
	if n := len(tx.Savepoints()); n != 0 {
		t.Fatalf("%d savepoints left", n)
	}
	tx.Abort()
	if !errors.Is(tx.Savepoint("c"), txn.ErrTxDone) || !errors.Is(tx.RollbackTo("c"), txn.ErrTxDone) || !errors.Is(tx.Release("c"), txn.ErrTxDone) {
		t.Fatal("savepoint operations on a finished transaction")
	}
}

// TestSavepointSemantics walks PostgreSQL's documented cases: nested
// savepoints, a shadowed name, ROLLBACK TO keeping the savepoint, RELEASE
// releasing the inner ones, and what another transaction sees at commit.
func TestSavepointSemantics(t *testing.T) {
	ctx := context.Background()
	e := openHeap(t, memlog.New(nil), 0)
	tx := e.mgr.Begin(txn.ReadCommitted)
	ins := func(id uint64, v string) {
		t.Helper()
		if _, err := e.h.Insert(ctx, tx, hrow(id, v)); err != nil {
			t.Fatal(err)
		}
	}
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ins(1, "top")
	top := tx.Xid()
	step(tx.Savepoint("a"))
	if tx.Xid() != txn.InvalidXid {
		t.Fatal("a savepoint has an xid before its first write")
	}
	ins(2, "a1")
	if tx.Xid() == top || tx.TopXid() != top || !tx.Owns(top) || !tx.Owns(tx.Xid()) {
		t.Fatalf("sub-xid %d top %d", tx.Xid(), tx.TopXid())
	}
	step(tx.Savepoint("a")) // shadows the first a
	ins(3, "a2")
	step(tx.RollbackTo("a")) // the inner a
	v, _ := ownView(t, tx, e.h)
	wantEqual(t, "after rollback to inner a", v, map[uint64]string{1: "top", 2: "a1"})
	ins(4, "a2 again") // the inner a is still there
	step(tx.Release("a"))
	if got := tx.Savepoints(); len(got) != 1 || got[0] != "a" {
		t.Fatalf("savepoints %v", got)
	}
	step(tx.RollbackTo("a")) // the outer a: 2 and the released 4 go
	v, _ = ownView(t, tx, e.h)
	wantEqual(t, "after rollback to outer a", v, map[uint64]string{1: "top"})
	ins(5, "a1 again")
	step(tx.Savepoint("b"))
	ins(6, "b")
	step(tx.Release("a")) // releases b too: both live on in the transaction
	wantEqual(t, "outsider before commit", outsider(t, e), map[uint64]string{})
	step(tx.Commit(ctx))
	wantEqual(t, "outsider after commit", outsider(t, e), map[uint64]string{1: "top", 5: "a1 again", 6: "b"})
	if e.mgr.Active() != 0 {
		t.Fatalf("%d transactions still active", e.mgr.Active())
	}
}

// TestOwnRowsAcrossLevels: a savepoint updates and deletes rows its
// transaction wrote before it, and the unique check's views (FetchDirty,
// an all-committed-plus-own snapshot with any own xid) count every live
// xid of the transaction as own.
func TestOwnRowsAcrossLevels(t *testing.T) {
	ctx := context.Background()
	e := openHeap(t, memlog.New(nil), 0)
	tx := e.mgr.Begin(txn.ReadCommitted)
	tid1, err := e.h.Insert(ctx, tx, hrow(1, "x"))
	if err != nil {
		t.Fatal(err)
	}
	tid2, err := e.h.Insert(ctx, tx, hrow(2, "y"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Savepoint("s"); err != nil {
		t.Fatal(err)
	}
	_ = tx.NextCommand()
	tid1b, tm, err := e.h.Update(ctx, tx, tid1, hrow(1, "x2"))
	mustOK(t, tm, err)
	tm, err = e.h.Delete(ctx, tx, tid2)
	mustOK(t, tm, err)
	sub := tx.Xid()
	d, err := e.h.FetchDirty(ctx, tid1b, sub, nil)
	if err != nil || !d.Found || d.WaitXid != 0 {
		t.Fatalf("FetchDirty of own sub version: %+v %v", d, err)
	}
	d, err = e.h.FetchDirty(ctx, tid2, tx.TopXid(), nil)
	if err != nil || d.Found || d.WaitXid != 0 {
		t.Fatalf("FetchDirty of a row deleted by own sub-xid, asked as top: %+v %v", d, err)
	}
	all := txn.Snapshot{LSN: redo.LSN(math.MaxUint64), Xid: tx.TopXid(), Cid: math.MaxUint32}
	v, _ := view(t, e.h, &all)
	wantEqual(t, "all+own seen with the top xid", v, map[uint64]string{1: "x2"})
	// A row of another transaction in progress is not own.
	other := e.mgr.Begin(txn.ReadCommitted)
	tid3, err := e.h.Insert(ctx, other, hrow(3, "z"))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := e.h.FetchDirty(ctx, tid3, sub, nil); d.WaitXid != other.Xid() {
		t.Fatalf("FetchDirty of another's row: %+v", d)
	}
	if e.mgr.SameTx(sub, other.Xid()) || !e.mgr.SameTx(sub, tx.TopXid()) {
		t.Fatal("SameTx")
	}
	other.Abort()
	if err := tx.RollbackTo("s"); err != nil {
		t.Fatal(err)
	}
	if e.mgr.SameTx(sub, tx.TopXid()) || tx.Owns(sub) {
		t.Fatal("a rolled-back sub-xid is still own")
	}
	if st, _, _ := e.mgr.CommitLSN(sub); st != txn.Aborted {
		t.Fatalf("rolled-back sub-xid: %v", st)
	}
	v, _ = ownView(t, tx, e.h)
	wantEqual(t, "after rollback", v, map[uint64]string{1: "x", 2: "y"})
	// The old snapshot's Xid was the rolled-back sub-xid: its rows are gone
	// for it too.
	old := txn.Snapshot{LSN: redo.LSN(math.MaxUint64), Xid: sub, Cid: math.MaxUint32}
	v, _ = view(t, e.h, &old)
	if _, ok := v[1]; ok && v[1] != "x" {
		t.Fatalf("a snapshot naming a rolled-back sub-xid sees its rows: %v", v)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "committed", outsider(t, e), map[uint64]string{1: "x", 2: "y"})
}

// TestRollbackToReleasesRowLocks: a lock taken inside a savepoint is
// released by ROLLBACK TO (a waiter goes on), one taken before it is kept.
func TestRollbackToReleasesRowLocks(t *testing.T) {
	ctx := context.Background()
	e := openHeap(t, memlog.New(nil), 0)
	setup := e.mgr.Begin(txn.ReadCommitted)
	tidA, _ := e.h.Insert(ctx, setup, hrow(1, "a"))
	tidB, _ := e.h.Insert(ctx, setup, hrow(2, "b"))
	if err := setup.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx := e.mgr.Begin(txn.ReadCommitted)
	lockOK(t, e.h, tx, tidA)
	if err := tx.Savepoint("s"); err != nil {
		t.Fatal(err)
	}
	lockOK(t, e.h, tx, tidA) // already ours: stays the outer lock
	lockOK(t, e.h, tx, tidB)
	sub := tx.Xid()

	w := e.mgr.Begin(txn.ReadCommitted)
	if _, err := w.AssignXid(ctx); err != nil {
		t.Fatal(err)
	}
	tm, err := e.h.Lock(ctx, w, tidB)
	if err != nil || tm.Result != heap.BeingModified || tm.Xid != sub {
		t.Fatalf("lock held by a sub-xid: %+v %v", tm, err)
	}
	woke := make(chan error, 1)
	go func() { woke <- e.mgr.WaitFor(ctx, w, tm.Xid) }()
	deadline := time.Now().Add(10 * time.Second)
	for e.mgr.WaitingFor(w.Xid()) != sub {
		if time.Now().After(deadline) {
			t.Fatal("waiter never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
	if err := tx.RollbackTo("s"); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatal(err)
	}
	lockOK(t, e.h, w, tidB)
	tm, err = e.h.Lock(ctx, w, tidA)
	if err != nil || tm.Result != heap.BeingModified || tm.Xid != tx.TopXid() {
		t.Fatalf("the lock taken before the savepoint: %+v %v", tm, err)
	}
	w.Abort()
	tx.Abort()
}

// TestDeadlockThroughSubXid: a cycle through a sub-xid is a deadlock.
func TestDeadlockThroughSubXid(t *testing.T) {
	ctx := context.Background()
	e := openHeap(t, memlog.New(nil), 0)
	setup := e.mgr.Begin(txn.ReadCommitted)
	tidA, _ := e.h.Insert(ctx, setup, hrow(1, "a"))
	tidB, _ := e.h.Insert(ctx, setup, hrow(2, "b"))
	if err := setup.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t1 := e.mgr.Begin(txn.ReadCommitted)
	_ = t1.Savepoint("s")
	lockOK(t, e.h, t1, tidA)
	t2 := e.mgr.Begin(txn.ReadCommitted)
	lockOK(t, e.h, t2, tidB)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.mgr.WaitFor(wctx, t1, t2.Xid()) }()
	deadline := time.Now().Add(10 * time.Second)
	for e.mgr.WaitingFor(t1.Xid()) != t2.Xid() {
		if time.Now().After(deadline) {
			t.Fatal("t1 never waited")
		}
		time.Sleep(time.Millisecond)
	}
	tm, _ := e.h.Lock(ctx, t2, tidA)
	if tm.Result != heap.BeingModified || tm.Xid != t1.Xid() {
		t.Fatalf("t2 on A: %+v", tm)
	}
	if err := e.mgr.WaitFor(ctx, t2, tm.Xid); code(err) != txn.CodeDeadlockDetected {
		t.Fatalf("t2 waiting for t1's sub-xid: %v, want 40P01", err)
	}
	t2.Abort()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t1.Abort()
}

// TestCommitAcrossClogPages: sub-xids on several clog pages commit at the
// top-level xid's commit LSN in one MTR; rolled-back ones stay aborted.
func TestCommitAcrossClogPages(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := openHeap(t, log, 0)
	tx := e.mgr.Begin(txn.ReadCommitted)
	if _, err := e.h.Insert(ctx, tx, hrow(0, "top")); err != nil {
		t.Fatal(err)
	}
	var kept, rolled []uint64
	for i := 1; i <= 6; i++ {
		// Others take ~700 xids in between: the sub-xids spread over pages.
		for j := 0; j < 700; j++ {
			o := e.mgr.Begin(txn.ReadCommitted)
			mustXid(t, o)
			o.Abort()
		}
		name := fmt.Sprint("s", i)
		if err := tx.Savepoint(name); err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.Insert(ctx, tx, hrow(uint64(i), name)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			rolled = append(rolled, tx.Xid())
			if err := tx.RollbackTo(name); err != nil {
				t.Fatal(err)
			}
		} else {
			kept = append(kept, tx.Xid())
		}
	}
	if got := tx.SubXids(); fmt.Sprint(got) != fmt.Sprint(kept) {
		t.Fatalf("live sub-xids %v, want %v", got, kept)
	}
	n := len(log.Records())
	top := tx.TopXid()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	recs := log.Records()[n:]
	for i, r := range recs {
		if r.CPL != (i == len(recs)-1) {
			t.Fatalf("commit is not one MTR: record %d of %d CPL=%v", i, len(recs), r.CPL)
		}
	}
	pages := map[redo.PageID]bool{}
	for _, r := range recs {
		pages[r.Page] = true
	}
	if len(pages) < 3 {
		t.Fatalf("commit touched %d clog pages, want the sub-xids spread over at least 3", len(pages))
	}
	_, lsn, _ := e.mgr.CommitLSN(top)
	check := func(m *txn.Manager) {
		t.Helper()
		for _, x := range append([]uint64{top}, kept...) {
			if st, l, err := m.CommitLSN(x); err != nil || st != txn.Committed || l != lsn {
				t.Fatalf("xid %d: %v at %d (%v), want committed at %d", x, st, l, err, lsn)
			}
		}
		for _, x := range rolled {
			if st, _, _ := m.CommitLSN(x); st != txn.Aborted {
				t.Fatalf("rolled-back xid %d: %v", x, st)
			}
		}
	}
	check(e.mgr)
	check(openHeap(t, log, e.h.Root()).mgr) // after a restart: from the clog pages
}

// prefix returns a new log holding the first n records of log (n must end
// at a CPL): the volume as a writer crash at that VDL leaves it.
func prefix(t testing.TB, log *memlog.Log, n int) *memlog.Log {
	t.Helper()
	recs := log.Records()
	if n > 0 && !recs[n-1].CPL {
		t.Fatalf("prefix of %d records does not end at a CPL", n)
	}
	out := memlog.New(nil)
	var m buffer.MTRLog
	for _, r := range recs[:n] {
		if m == nil {
			m = out.BeginMTR()
		}
		c := redo.Record{Page: r.Page, Op: r.Op, Payload: r.Payload}
		m.Add(&c)
		if c.LSN != r.LSN {
			t.Fatalf("replayed record at LSN %d, was %d", c.LSN, r.LSN)
		}
		if r.CPL {
			if _, err := m.End(); err != nil {
				t.Fatal(err)
			}
			m = nil
		}
	}
	return out
}

// spModel is the property test's model of one transaction: the rows it
// sees and the committed rows it has locked, with a copy of both per
// savepoint.
type spModel struct {
	base   map[uint64]string
	cur    map[uint64]string
	locked map[uint64]int // committed row → depth of the lock-only lock (-1: changed, not lock-only)
	levels []spLevel
}

type spLevel struct {
	name   string
	cur    map[uint64]string
	locked map[uint64]int
}

func (m *spModel) find(name string) int {
	for i := len(m.levels) - 1; i >= 0; i-- {
		if m.levels[i].name == name {
			return i
		}
	}
	return -1
}

// TestSavepointProperty runs random writes, locks, savepoints, rollbacks
// to and releases against a model of what survives, checking after every
// step the transaction's own view, an outsider's view and which committed
// rows it holds locked; then commits or aborts, and checks every crash
// point of that end.
func TestSavepointProperty(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 8
	}
	for seed := uint64(1); seed <= uint64(rounds); seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		t.Run(fmt.Sprint(seed), func(t *testing.T) { savepointRound(t, &chooser{rng: rng}, 60) })
	}
}

// FuzzSavepoints is TestSavepointProperty with the choices taken from the
// input bytes.
func FuzzSavepoints(f *testing.F) {
	f.Add([]byte{0, 0, 3, 0, 1, 3, 1, 0, 2, 5, 1, 0, 1, 1})
	f.Add([]byte{0, 1, 4, 7, 2, 0, 2, 3, 6, 3, 1, 1, 0, 0, 0, 2, 5, 2, 1, 0, 1})
	f.Add([]byte{7, 1, 0, 0, 5, 3, 0, 1, 6, 2, 2, 0, 1, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			data = data[:400]
		}
		savepointRound(t, &chooser{data: data}, len(data))
	})
}

// chooser makes the property test's choices: from a random source, or
// from fuzz input (0 once it is used up).
type chooser struct {
	rng  *rand.Rand
	data []byte
}

// IntN returns a choice in [0, n).
func (c *chooser) IntN(n int) int {
	if c.rng != nil {
		return c.rng.IntN(n)
	}
	if len(c.data) == 0 {
		return 0
	}
	b := c.data[0]
	c.data = c.data[1:]
	return int(b) % n
}

func savepointRound(t *testing.T, rng *chooser, steps int) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := openHeap(t, log, 0)
	base := map[uint64]string{}
	setup := e.mgr.Begin(txn.ReadCommitted)
	for id := uint64(1); id <= 8; id++ {
		base[id] = "v0"
		if _, err := e.h.Insert(ctx, setup, hrow(id, "v0")); err != nil {
			t.Fatal(err)
		}
	}
	if err := setup.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	_, baseTIDs := view(t, e.h, ptr(e.mgr.Begin(txn.ReadCommitted).Snapshot()))
	m := &spModel{base: base, cur: maps.Clone(base), locked: map[uint64]int{}}
	tx := e.mgr.Begin(txn.ReadCommitted)
	names := []string{"a", "b", "c"}
	next := uint64(100)
	for step := 0; step < steps; step++ {
		_, tids := ownView(t, tx, e.h)
		depth := len(m.levels)
		var ids []uint64
		for id := range m.cur {
			ids = append(ids, id)
		}
		var id uint64
		if len(ids) > 0 {
			id = ids[rng.IntN(len(ids))]
		}
		// A committed row locked lock-only by an outer level is not
		// changed here: one xmax cannot hold both (no multixacts; see the
		// package's known limits).
		blocked := func(id uint64) bool {
			d, ok := m.locked[id]
			_, committed := baseTIDs[id]
			return ok && d >= 0 && d < depth && committed && tids[id] == baseTIDs[id]
		}
		op := rng.IntN(9)
		switch {
		case op == 0:
			name := names[rng.IntN(len(names))]
			if err := tx.Savepoint(name); err != nil {
				t.Fatal(err)
			}
			m.levels = append(m.levels, spLevel{name, maps.Clone(m.cur), maps.Clone(m.locked)})
		case op == 1:
			name := names[rng.IntN(len(names))]
			err := tx.RollbackTo(name)
			i := m.find(name)
			if i < 0 {
				if code(err) != txn.CodeInvalidSavepoint {
					t.Fatalf("rollback to missing %q: %v", name, err)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			m.cur, m.locked = maps.Clone(m.levels[i].cur), maps.Clone(m.levels[i].locked)
			m.levels = m.levels[:i+1]
		case op == 2:
			name := names[rng.IntN(len(names))]
			err := tx.Release(name)
			i := m.find(name)
			if i < 0 {
				if code(err) != txn.CodeInvalidSavepoint {
					t.Fatalf("release missing %q: %v", name, err)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			m.levels = m.levels[:i]
			for k, d := range m.locked {
				if d > i {
					m.locked[k] = i
				}
			}
		case op <= 4 || id == 0:
			next++
			v := fmt.Sprint("i", step)
			if _, err := e.h.Insert(ctx, tx, hrow(next, v)); err != nil {
				t.Fatal(err)
			}
			m.cur[next] = v
		case op == 5 && !blocked(id):
			v := fmt.Sprint("u", step)
			var err error
			var tm heap.TM
			if rng.IntN(2) == 0 {
				_, tm, err = e.h.Update(ctx, tx, tids[id], hrow(id, v))
			} else {
				_, _, tm, err = e.h.UpdateHOT(ctx, tx, tids[id], hrow(id, v))
			}
			mustOK(t, tm, err)
			if tids[id] == baseTIDs[id] {
				m.locked[id] = -1
			}
			m.cur[id] = v
		case op == 6 && !blocked(id):
			tm, err := e.h.Delete(ctx, tx, tids[id])
			mustOK(t, tm, err)
			if tids[id] == baseTIDs[id] {
				m.locked[id] = -1
			}
			delete(m.cur, id)
		case op == 7:
			tm, err := e.h.Lock(ctx, tx, tids[id])
			mustOK(t, tm, err)
			if _, ok := m.locked[id]; !ok && tids[id] == baseTIDs[id] {
				m.locked[id] = depth
			}
		}
		own, _ := ownView(t, tx, e.h)
		wantEqual(t, fmt.Sprintf("step %d own view", step), own, m.cur)
		wantEqual(t, fmt.Sprintf("step %d outsider", step), outsider(t, e), m.base)
		// Which committed rows does tx hold? Ask with a transaction that
		// then aborts (its own locks die with it).
		o := e.mgr.Begin(txn.ReadCommitted)
		for id, tid := range baseTIDs {
			tm, err := e.h.Lock(ctx, o, tid)
			if err != nil {
				t.Fatal(err)
			}
			_, want := m.locked[id]
			if got := tm.Result == heap.BeingModified; got != want {
				t.Fatalf("step %d: committed row %d held by tx: %v (%v), model %v", step, id, got, tm.Result, want)
			}
			if want && !tx.Owns(tm.Xid) {
				t.Fatalf("step %d: row %d held by %d, not an xid of tx", step, id, tm.Xid)
			}
		}
		o.Abort()
	}
	n := len(log.Records())
	commit := rng.IntN(3) > 0
	if commit {
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	} else {
		tx.Abort()
	}
	final := m.base
	if commit {
		final = m.cur
	}
	wantEqual(t, "after end", outsider(t, e), final)
	// Every crash point from before the end to after it: the old or the
	// new state, never a mix.
	recs := log.Records()
	for cut := n; cut <= len(recs); cut++ {
		if cut > 0 && !recs[cut-1].CPL {
			continue
		}
		r := openHeap(t, prefix(t, log, cut), e.h.Root())
		got := outsider(t, r)
		if cut == len(recs) {
			wantEqual(t, "restart after the end", got, final)
		} else if !maps.Equal(got, m.base) && !maps.Equal(got, final) {
			t.Fatalf("crash at %d of %d: %v, neither %v nor %v", cut, len(recs), got, m.base, final)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestCrashAbortsOpenSubXids: a writer crash with a transaction open
// inside savepoints aborts its top-level xid and every sub-xid.
func TestCrashAbortsOpenSubXids(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := openHeap(t, log, 0)
	tx := e.mgr.Begin(txn.ReadCommitted)
	if _, err := e.h.Insert(ctx, tx, hrow(1, "top")); err != nil {
		t.Fatal(err)
	}
	_ = tx.Savepoint("a")
	if _, err := e.h.Insert(ctx, tx, hrow(2, "a")); err != nil {
		t.Fatal(err)
	}
	_ = tx.Savepoint("b")
	if _, err := e.h.Insert(ctx, tx, hrow(3, "b")); err != nil {
		t.Fatal(err)
	}
	_ = tx.Release("b")
	xids := append([]uint64{tx.TopXid()}, tx.SubXids()...)
	if len(xids) != 3 {
		t.Fatalf("xids %v", xids)
	}
	r := openHeap(t, log, e.h.Root())
	for _, x := range xids {
		if st, _, _ := r.mgr.CommitLSN(x); st != txn.Aborted {
			t.Fatalf("xid %d after crash: %v", x, st)
		}
	}
	wantEqual(t, "after crash", outsider(t, r), map[uint64]string{})
}
