package heap_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
)

// TestLockModeConflicts checks the strengths against PostgreSQL's
// row-lock conflict table (explicit-locking.html, "Conflicting Row-Level
// Locks").
func TestLockModeConflicts(t *testing.T) {
	modes := []heap.LockMode{heap.LockKeyShare, heap.LockShare, heap.LockNoKeyUpdate, heap.LockUpdate}
	// want[i][j]: modes[i] held, modes[j] requested.
	want := [4][4]bool{
		{false, false, false, true},
		{false, false, true, true},
		{false, true, true, true},
		{true, true, true, true},
	}
	for i, a := range modes {
		for j, b := range modes {
			if got := a.Conflicts(b); got != want[i][j] {
				t.Errorf("%s vs %s: conflicts %v, want %v", a, b, got, want[i][j])
			}
		}
	}
}

func committedRow(t *testing.T, e *env, id uint64) heap.TID {
	t.Helper()
	ctx := context.Background()
	w := e.mgr.Begin(txn.ReadCommitted)
	tid, err := e.h.Insert(ctx, w, row(id, "v"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return tid
}

func lockResult(t *testing.T, e *env, tx *txn.Tx, tid heap.TID, mode heap.LockMode) heap.TM {
	t.Helper()
	tm, err := e.h.LockWith(context.Background(), tx, tid, mode)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSharedRowLocks: shared strengths coexist; exclusive ones wait for
// every conflicting member; a non-key update goes past KEY SHARE lockers
// and carries their locks to the new version, whose delete then waits.
func TestSharedRowLocks(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tid := committedRow(t, e, 1)
	ks := e.mgr.Begin(txn.ReadCommitted)
	sh := e.mgr.Begin(txn.ReadCommitted)
	sh2 := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, ks, tid, heap.LockKeyShare); tm.Result != heap.OK {
		t.Fatalf("key share: %+v", tm)
	}
	if tm := lockResult(t, e, sh, tid, heap.LockShare); tm.Result != heap.OK {
		t.Fatalf("share beside key share: %+v", tm)
	}
	if tm := lockResult(t, e, sh2, tid, heap.LockShare); tm.Result != heap.OK {
		t.Fatalf("second share: %+v", tm)
	}
	up := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, up, tid, heap.LockNoKeyUpdate); tm.Result != heap.BeingModified || (tm.Xid != sh.Xid() && tm.Xid != sh2.Xid()) {
		t.Fatalf("no key update over share lockers: %+v", tm)
	}
	if _, _, tm, err := e.h.UpdateWith(ctx, up, tid, row(1, "w"), false, heap.LockNoKeyUpdate); err != nil || tm.Result != heap.BeingModified {
		t.Fatalf("update over share lockers: %+v %v", tm, err)
	}
	if err := sh.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sh2.Abort()
	ntid, _, tm, err := e.h.UpdateWith(ctx, up, tid, row(1, "w"), false, heap.LockNoKeyUpdate)
	if err != nil || tm.Result != heap.OK {
		t.Fatalf("non-key update beside a key share locker: %+v %v", tm, err)
	}
	if got := e.h.Locked(ntid, up.Xid()); got[ks.Xid()] != heap.LockKeyShare {
		t.Fatalf("new version's members %v, want the key share locker %d", got, ks.Xid())
	}
	if err := up.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	del := e.mgr.Begin(txn.ReadCommitted)
	if tm, err := e.h.Delete(ctx, del, ntid); err != nil || tm.Result != heap.BeingModified || tm.Xid != ks.Xid() {
		t.Fatalf("delete of the new version beside a key share locker: %+v %v", tm, err)
	}
	if err := ks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if tm, err := e.h.Delete(ctx, del, ntid); err != nil || tm.Result != heap.OK {
		t.Fatalf("delete once the locker ended: %+v %v", tm, err)
	}
	// KEY SHARE waits for a key-changing (FOR UPDATE) holder, not for a
	// FOR NO KEY UPDATE one.
	tid2 := committedRow(t, e, 2)
	nk := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, nk, tid2, heap.LockNoKeyUpdate); tm.Result != heap.OK {
		t.Fatalf("no key update: %+v", tm)
	}
	k2 := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, k2, tid2, heap.LockKeyShare); tm.Result != heap.OK {
		t.Fatalf("key share beside no key update: %+v", tm)
	}
	if tm := lockResult(t, e, k2, tid2, heap.LockShare); tm.Result != heap.BeingModified || tm.Xid != nk.Xid() {
		t.Fatalf("share beside no key update: %+v", tm)
	}
	if tm := lockResult(t, e, nk, tid2, heap.LockUpdate); tm.Result != heap.BeingModified || tm.Xid != k2.Xid() {
		t.Fatalf("upgrade to FOR UPDATE beside a key share member: %+v", tm)
	}
	k2.Abort()
	if tm := lockResult(t, e, nk, tid2, heap.LockUpdate); tm.Result != heap.OK {
		t.Fatalf("upgrade once alone: %+v", tm)
	}
	k3 := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, k3, tid2, heap.LockKeyShare); tm.Result != heap.BeingModified || tm.Xid != nk.Xid() {
		t.Fatalf("key share beside FOR UPDATE: %+v", tm)
	}
	nk.Abort()
	k3.Abort()
}

// TestLockSurvivesRollbackTo: a lock taken before a savepoint stays when a
// subtransaction that overwrote the xmax (delete, update, stronger lock) is
// rolled back; a lock taken inside a rolled-back savepoint goes.
func TestLockSurvivesRollbackTo(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		outer heap.LockMode
		inner func(e *env, tx *txn.Tx, tid heap.TID) (heap.TM, error)
	}{
		{"update lock, delete", heap.LockUpdate, func(e *env, tx *txn.Tx, tid heap.TID) (heap.TM, error) { return e.h.Delete(ctx, tx, tid) }},
		{"no key lock, update", heap.LockNoKeyUpdate, func(e *env, tx *txn.Tx, tid heap.TID) (heap.TM, error) {
			_, _, tm, err := e.h.UpdateWith(ctx, tx, tid, row(1, "inner"), false, heap.LockNoKeyUpdate)
			return tm, err
		}},
		{"no key lock, stronger lock", heap.LockNoKeyUpdate, func(e *env, tx *txn.Tx, tid heap.TID) (heap.TM, error) {
			return e.h.LockWith(ctx, tx, tid, heap.LockUpdate)
		}},
		{"share lock, delete", heap.LockShare, func(e *env, tx *txn.Tx, tid heap.TID) (heap.TM, error) { return e.h.Delete(ctx, tx, tid) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := open(t, memlog.New(nil), 64, 0, heap.Options{})
			tid := committedRow(t, e, 1)
			tx := e.mgr.Begin(txn.ReadCommitted)
			if tm := lockResult(t, e, tx, tid, tc.outer); tm.Result != heap.OK {
				t.Fatal(tm)
			}
			if err := tx.Savepoint("s"); err != nil {
				t.Fatal(err)
			}
			if tm, err := tc.inner(e, tx, tid); err != nil || tm.Result != heap.OK {
				t.Fatalf("inside the savepoint: %+v %v", tm, err)
			}
			if err := tx.RollbackTo("s"); err != nil {
				t.Fatal(err)
			}
			other := e.mgr.Begin(txn.ReadCommitted)
			tm := lockResult(t, e, other, tid, heap.LockUpdate)
			if tm.Result != heap.BeingModified || tm.Xid != tx.TopXid() {
				t.Fatalf("after ROLLBACK TO, another FOR UPDATE got %+v, want to wait for %d", tm, tx.TopXid())
			}
			tx.Abort()
			if tm := lockResult(t, e, other, tid, heap.LockUpdate); tm.Result != heap.OK {
				t.Fatalf("after the holder ended: %+v", tm)
			}
			other.Abort()
		})
	}
	// A lock taken only inside the rolled-back savepoint is released.
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tid := committedRow(t, e, 1)
	for _, mode := range []heap.LockMode{heap.LockKeyShare, heap.LockUpdate} {
		tx := e.mgr.Begin(txn.ReadCommitted)
		if _, err := tx.AssignXid(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Savepoint("s"); err != nil {
			t.Fatal(err)
		}
		if tm := lockResult(t, e, tx, tid, mode); tm.Result != heap.OK {
			t.Fatal(tm)
		}
		if err := tx.RollbackTo("s"); err != nil {
			t.Fatal(err)
		}
		other := e.mgr.Begin(txn.ReadCommitted)
		if tm := lockResult(t, e, other, tid, heap.LockUpdate); tm.Result != heap.OK {
			t.Fatalf("%s taken inside a rolled-back savepoint still blocks: %+v", mode, tm)
		}
		other.Abort()
		tx.Abort()
	}
}

// TestSuperDelete: a super-deleted version is dead to everyone at once,
// its own transaction included, and nobody waits for its inserter.
func TestSuperDelete(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	tid, err := e.h.Insert(ctx, tx, row(1, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.h.SuperDelete(ctx, tx, tid); err != nil {
		t.Fatal(err)
	}
	if err := tx.NextCommand(); err != nil {
		t.Fatal(err)
	}
	snap := tx.Snapshot()
	if _, _, ok, err := e.h.Fetch(ctx, tid, &snap, nil); ok || err != nil {
		t.Fatalf("own snapshot sees the super-deleted version (%v, %v)", ok, err)
	}
	other := e.mgr.Begin(txn.ReadCommitted)
	d, err := e.h.FetchDirty(ctx, tid, other.Xid(), nil)
	if err != nil || d.Found || d.WaitXid != txn.InvalidXid {
		t.Fatalf("dirty view of a super-deleted version: %+v %v", d, err)
	}
	if err := e.h.SuperDelete(ctx, other, tid); err == nil {
		t.Fatal("super-delete of another transaction's version accepted")
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := visible(t, e.h, &txn.Snapshot{LSN: e.log.VDL()}); len(got) != 0 {
		t.Fatalf("after commit: %v", got)
	}
}

// TestRowLockProperty: goroutines lock two random rows each at random
// strengths (waiting, deadlocks abort the victim); a model of the holders
// checks that no two transactions ever hold conflicting strengths on one
// row at once, and every transaction ends.
func TestRowLockProperty(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	const rows = 3
	var tids [rows]heap.TID
	for i := range tids {
		tids[i] = committedRow(t, e, uint64(i))
	}
	var mu sync.Mutex
	held := map[heap.TID]map[*txn.Tx]heap.LockMode{}
	for _, tid := range tids {
		held[tid] = map[*txn.Tx]heap.LockMode{}
	}
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	iters := 200
	if testing.Short() {
		iters = 50
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 7))
			for i := 0; i < iters; i++ {
				tx := e.mgr.Begin(txn.ReadCommitted)
				var mine []heap.TID
				failed := false
				for k := 0; k < 2 && !failed; k++ {
					tid := tids[rng.IntN(rows)]
					mode := heap.LockMode(rng.IntN(4))
					snap := tx.Snapshot()
					_, _, ok, err := e.h.LockLatestWith(ctx, tx, tid, &snap, nil, mode)
					var te *txn.Error
					if errors.As(err, &te) && te.Code == txn.CodeDeadlockDetected {
						failed = true
						break
					}
					if err != nil || !ok {
						errs <- err
						return
					}
					mu.Lock()
					for o, m := range held[tid] {
						if o != tx && m.Conflicts(mode) {
							mu.Unlock()
							errs <- errors.New(mode.String() + " granted beside " + m.String())
							return
						}
					}
					held[tid][tx] = max(held[tid][tx], mode)
					mu.Unlock()
					mine = append(mine, tid)
				}
				runtime.Gosched() // let others run into the locks held
				mu.Lock()
				for _, tid := range mine {
					delete(held[tid], tx)
				}
				mu.Unlock()
				if failed || rng.IntN(2) == 0 {
					tx.Abort()
				} else if err := tx.Commit(ctx); err != nil {
					errs <- err
					return
				}
			}
		}(uint64(g))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestLocksAndSpeculationAfterCrash: after a crash, rows that were locked
// at every strength (xmax or lock table) by transactions in progress are
// free, a committed NO KEY update keeps its FlagNoKey xmax, and a
// super-deleted version of a committed transaction stays invisible.
func TestLocksAndSpeculationAfterCrash(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log, 64, 0, heap.Options{})
	a := committedRow(t, e, 1)
	b := committedRow(t, e, 2)
	w := e.mgr.Begin(txn.ReadCommitted)
	spec, err := e.h.Insert(ctx, w, row(3, "speculative"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.h.SuperDelete(ctx, w, spec); err != nil {
		t.Fatal(err)
	}
	nb, _, tm, err := e.h.UpdateWith(ctx, w, b, row(2, "no key"), false, heap.LockNoKeyUpdate)
	if err != nil || tm.Result != heap.OK {
		t.Fatal(tm, err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	l1, l2 := e.mgr.Begin(txn.ReadCommitted), e.mgr.Begin(txn.ReadCommitted)
	for _, l := range []*txn.Tx{l1, l2} {
		if tm := lockResult(t, e, l, a, heap.LockShare); tm.Result != heap.OK {
			t.Fatal(tm)
		}
	}
	if tm := lockResult(t, e, l1, nb, heap.LockNoKeyUpdate); tm.Result != heap.OK {
		t.Fatal(tm)
	}
	// Crash: open again on the same log.
	e2 := open(t, log, 64, e.h.Root(), heap.Options{})
	r := e2.mgr.Begin(txn.ReadCommitted)
	snap := r.Snapshot()
	got := visible(t, e2.h, &snap)
	if len(got) != 2 || got[1].tid != a || got[2].tid != nb || got[2].data != string(row(2, "no key")) {
		t.Fatalf("after restart: %v", got)
	}
	for _, tid := range []heap.TID{a, nb} {
		if tm := lockResult(t, e2, r, tid, heap.LockUpdate); tm.Result != heap.OK {
			t.Fatalf("FOR UPDATE of %s after restart: %+v", tid, tm)
		}
	}
	r.Abort()
}

// TestKeyShareBesideNonKeyUpdate: FOR KEY SHARE goes past a non-key
// update in progress (PostgreSQL allows it) and locks its new version too:
// the updater's own later delete of that version, and anybody's after it
// committed, wait for the locker; FOR SHARE and a key update still wait.
func TestKeyShareBesideNonKeyUpdate(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tid := committedRow(t, e, 1)
	up := e.mgr.Begin(txn.ReadCommitted)
	ntid, _, tm, err := e.h.UpdateWith(ctx, up, tid, row(1, "non-key"), false, heap.LockNoKeyUpdate)
	if err != nil || tm.Result != heap.OK {
		t.Fatal(tm, err)
	}
	sh := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, sh, tid, heap.LockShare); tm.Result != heap.BeingModified || tm.Xid != up.Xid() {
		t.Fatalf("FOR SHARE beside an update in progress: %+v", tm)
	}
	sh.Abort()
	ks := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, ks, tid, heap.LockKeyShare); tm.Result != heap.OK {
		t.Fatalf("FOR KEY SHARE beside a non-key update in progress: %+v", tm)
	}
	if got := e.h.Locked(ntid, up.Xid()); got[ks.Xid()] != heap.LockKeyShare {
		t.Fatalf("the new version's members: %v", got)
	}
	if err := up.NextCommand(); err != nil {
		t.Fatal(err)
	}
	if tm, err := e.h.Delete(ctx, up, ntid); err != nil || tm.Result != heap.BeingModified || tm.Xid != ks.Xid() {
		t.Fatalf("the updater's delete of its new version: %+v %v", tm, err)
	}
	if err := up.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	del := e.mgr.Begin(txn.ReadCommitted)
	if tm, err := e.h.Delete(ctx, del, ntid); err != nil || tm.Result != heap.BeingModified || tm.Xid != ks.Xid() {
		t.Fatalf("a delete after the update committed: %+v %v", tm, err)
	}
	if err := ks.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if tm, err := e.h.Delete(ctx, del, ntid); err != nil || tm.Result != heap.OK {
		t.Fatalf("delete once the locker ended: %+v %v", tm, err)
	}
	del.Abort()
	// A key update in progress (FOR UPDATE strength) is waited for.
	tid2 := committedRow(t, e, 2)
	ku := e.mgr.Begin(txn.ReadCommitted)
	if _, _, tm, err := e.h.UpdateWith(ctx, ku, tid2, row(2, "key"), false, heap.LockUpdate); err != nil || tm.Result != heap.OK {
		t.Fatal(tm, err)
	}
	ks2 := e.mgr.Begin(txn.ReadCommitted)
	if tm := lockResult(t, e, ks2, tid2, heap.LockKeyShare); tm.Result != heap.BeingModified || tm.Xid != ku.Xid() {
		t.Fatalf("FOR KEY SHARE beside a key update in progress: %+v", tm)
	}
	ku.Abort()
	ks2.Abort()
}
