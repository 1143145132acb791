package txn_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/volmeta"
)

type env struct {
	log  *memlog.Log
	pool *buffer.Pool
	meta *volmeta.Meta
	mgr  *txn.Manager
}

func open(t testing.TB, log *memlog.Log) *env {
	t.Helper()
	pool := buffer.New(log, 64*redo.PageSize)
	meta, err := volmeta.Open(context.Background(), pool, true)
	if err != nil {
		t.Fatal(err)
	}
	return &env{log: log, pool: pool, meta: meta, mgr: txn.Open(meta)}
}

func mustXid(t testing.TB, tx *txn.Tx) uint64 {
	t.Helper()
	x, err := tx.AssignXid(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestVisibilityTable(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	m := e.mgr
	a := m.Begin(txn.ReadCommitted) // committed before the snapshot
	xa := mustXid(t, a)
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	c := m.Begin(txn.ReadCommitted) // aborted
	xc := mustXid(t, c)
	c.Abort()
	b := m.Begin(txn.ReadCommitted) // in progress
	xb := mustXid(t, b)
	own := m.Begin(txn.ReadCommitted)
	xo := mustXid(t, own)
	if err := own.NextCommand(); err != nil { // cid 1
		t.Fatal(err)
	}
	snap := own.Snapshot()
	late := m.Begin(txn.ReadCommitted) // commits after the snapshot
	xl := mustXid(t, late)
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		xmin, xmax uint64
		cmin, cmax uint32
		lockOnly   bool
		want       bool
	}{
		{"committed insert", xa, 0, 0, 0, false, true},
		{"frozen", txn.FrozenXid, 0, 0, 0, false, true},
		{"in-progress insert", xb, 0, 0, 0, false, false},
		{"aborted insert", xc, 0, 0, 0, false, false},
		{"insert committed after snapshot", xl, 0, 0, 0, false, false},
		{"own insert, earlier command", xo, 0, 0, 0, false, true},
		{"own insert, this command", xo, 0, 1, 0, false, false},
		{"committed delete", xa, xa, 0, 0, false, false},
		{"delete in progress", xa, xb, 0, 0, false, true},
		{"aborted delete", xa, xc, 0, 0, false, true},
		{"delete committed after snapshot", xa, xl, 0, 0, false, true},
		{"lock only by committed", xa, xa, 0, 0, true, true},
		{"own delete, earlier command", xa, xo, 0, 0, false, false},
		{"own delete, this command", xa, xo, 0, 1, false, true},
		{"own insert and delete earlier", xo, xo, 0, 0, false, false},
		{"never handed out", 1 << 40, 0, 0, 0, false, false},
		{"invalid xmin", 0, 0, 0, 0, false, false},
	}
	for _, c := range cases {
		got, err := m.Visible(c.xmin, c.xmax, c.cmin, c.cmax, c.lockOnly, &snap)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: visible=%v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		xid  uint64
		want txn.Status
	}{{xa, txn.Committed}, {xb, txn.InProgress}, {xc, txn.Aborted}, {xl, txn.Committed}} {
		st, _, err := m.CommitLSN(c.xid)
		if err != nil || st != c.want {
			t.Errorf("xid %d: %v %v, want %v", c.xid, st, err, c.want)
		}
	}
	b.Abort()
	own.Abort()
}

func TestCommitLSNOrderAndDurability(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	var last redo.LSN
	for i := 0; i < 5; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		x := mustXid(t, tx)
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		st, lsn, err := e.mgr.CommitLSN(x)
		if err != nil || st != txn.Committed {
			t.Fatalf("xid %d: %v %v", x, st, err)
		}
		if lsn <= last || lsn > e.log.VDL() {
			t.Fatalf("commit LSN %d: previous %d, VDL %d", lsn, last, e.log.VDL())
		}
		last = lsn
	}
	// A read-only transaction writes nothing.
	n := len(e.log.Records())
	ro := e.mgr.Begin(txn.RepeatableRead)
	_ = ro.Snapshot()
	if err := ro.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.log.Records()) != n {
		t.Fatal("read-only commit wrote records")
	}
}

// TestRecovery reopens a new pool, meta page and manager on the same log
// (the writer crashed): committed xids stay committed at the same LSN,
// xids in progress are aborted, new xids are fresh, and opening reads
// only the meta page.
func TestRecovery(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log)
	var committed []uint64
	lsns := map[uint64]redo.LSN{}
	for i := 0; i < 2500; i++ { // more than two reservations and clog pages
		tx := e.mgr.Begin(txn.ReadCommitted)
		x := mustXid(t, tx)
		if i%3 == 0 {
			tx.Abort()
			continue
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		committed = append(committed, x)
		_, lsns[x], _ = e.mgr.CommitLSN(x)
	}
	inflight := e.mgr.Begin(txn.ReadCommitted)
	xi := mustXid(t, inflight)

	e2 := open(t, log)
	if miss := e2.pool.Stats().Misses; miss != 1 {
		t.Fatalf("opening read %d pages, want 1 (the meta page)", miss)
	}
	for _, x := range committed {
		st, lsn, err := e2.mgr.CommitLSN(x)
		if err != nil || st != txn.Committed || lsn != lsns[x] {
			t.Fatalf("xid %d after restart: %v %d %v, want committed at %d", x, st, lsn, err, lsns[x])
		}
	}
	if st, _, _ := e2.mgr.CommitLSN(xi); st != txn.Aborted {
		t.Fatalf("in-flight xid %d after restart: %v", xi, st)
	}
	if st, _, _ := e2.mgr.CommitLSN(committed[0] - 1); st != txn.Aborted {
		t.Fatalf("aborted xid after restart: %v", st)
	}
	tx := e2.mgr.Begin(txn.ReadCommitted)
	if x := mustXid(t, tx); x <= xi {
		t.Fatalf("new xid %d not above the old writer's %d", x, xi)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWaitWakesOnEnd(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	for _, commit := range []bool{true, false} {
		holder := e.mgr.Begin(txn.ReadCommitted)
		xh := mustXid(t, holder)
		waiter := e.mgr.Begin(txn.ReadCommitted)
		mustXid(t, waiter)
		done := make(chan error, 1)
		go func() { done <- e.mgr.WaitFor(ctx, waiter, xh) }()
		select {
		case err := <-done:
			t.Fatalf("wait returned before the holder ended: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if commit {
			if err := holder.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		} else {
			holder.Abort()
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		waiter.Abort()
	}
	// Waiting for a finished transaction returns at once.
	w := e.mgr.Begin(txn.ReadCommitted)
	if err := e.mgr.WaitFor(ctx, w, 12345); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlockDetected(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	t1 := e.mgr.Begin(txn.ReadCommitted)
	t2 := e.mgr.Begin(txn.ReadCommitted)
	t3 := e.mgr.Begin(txn.ReadCommitted)
	x1, x2, x3 := mustXid(t, t1), mustXid(t, t2), mustXid(t, t3)
	w1 := make(chan error, 1)
	w2 := make(chan error, 1)
	go func() { w1 <- e.mgr.WaitFor(ctx, t1, x2) }() // 1 → 2
	go func() { w2 <- e.mgr.WaitFor(ctx, t2, x3) }() // 2 → 3
	// Wait until both edges exist (they appear asynchronously).
	deadline := time.Now().Add(10 * time.Second)
	for e.mgr.WaitingFor(x1) != x2 || e.mgr.WaitingFor(x2) != x3 {
		if time.Now().After(deadline) {
			t.Fatal("waiters never registered")
		}
		time.Sleep(time.Millisecond)
	}
	err := e.mgr.WaitFor(ctx, t3, x1) // 3 → 1 closes the cycle
	var te *txn.Error
	if !errors.As(err, &te) || te.Code != txn.CodeDeadlockDetected {
		t.Fatalf("no deadlock detected: %v", err)
	}
	if e.mgr.WaitingFor(x3) != 0 {
		t.Fatal("the deadlock victim is left waiting")
	}
	t3.Abort() // the victim aborts: t2 wakes, then t1 after t2 ends
	if err := <-w2; err != nil {
		t.Fatal(err)
	}
	t2.Abort()
	if err := <-w1; err != nil {
		t.Fatal(err)
	}
	t1.Abort()
}

func TestWaitCanceled(t *testing.T) {
	e := open(t, memlog.New(nil))
	h := e.mgr.Begin(txn.ReadCommitted)
	xh := mustXid(t, h)
	w := e.mgr.Begin(txn.ReadCommitted)
	mustXid(t, w)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := e.mgr.WaitFor(ctx, w, xh)
	var te *txn.Error
	if !errors.As(err, &te) || te.Code != txn.CodeQueryCanceled {
		t.Fatalf("canceled wait: %v", err)
	}
	h.Abort()
	w.Abort()
}

func TestHorizonRespectsSnapshots(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	rr := e.mgr.Begin(txn.RepeatableRead)
	s := rr.Snapshot()
	for i := 0; i < 3; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		mustXid(t, tx)
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if h := e.mgr.Horizon(); h != s.LSN {
		t.Fatalf("horizon %d with a snapshot at %d open", h, s.LSN)
	}
	if s2 := rr.Snapshot(); s2.LSN != s.LSN {
		t.Fatalf("repeatable read snapshot moved from %d to %d", s.LSN, s2.LSN)
	}
	e.mgr.SetReadersHorizon(s.LSN - 1)
	if h := e.mgr.Horizon(); h != s.LSN-1 {
		t.Fatalf("horizon %d, readers at %d", h, s.LSN-1)
	}
	e.mgr.SetReadersHorizon(0)
	if err := rr.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if h := e.mgr.Horizon(); h != e.log.VDL() {
		t.Fatalf("horizon %d with no snapshot, VDL %d", h, e.log.VDL())
	}
}

func TestConcurrentXidsAcrossReservations(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	const workers, each = 4, 700 // 2800 xids: several reservations
	seen := make(chan uint64, workers*each)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				tx := e.mgr.Begin(txn.ReadCommitted)
				x, err := tx.AssignXid(ctx)
				if err != nil {
					errs <- err
					return
				}
				seen <- x
				if err := tx.Commit(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(seen)
	for err := range errs {
		t.Fatal(err)
	}
	uniq := map[uint64]bool{}
	for x := range seen {
		if uniq[x] {
			t.Fatalf("xid %d handed out twice", x)
		}
		uniq[x] = true
		if st, _, _ := e.mgr.CommitLSN(x); st != txn.Committed {
			t.Fatalf("xid %d: %v", x, st)
		}
	}
	if len(uniq) != workers*each {
		t.Fatalf("%d xids", len(uniq))
	}
}

// TestCommitLSNRacingCommit ends a transaction exactly between CommitLSN's
// read of the status word (still 0) and its check of the active set: the
// answer must be the real outcome, never "aborted" for a committed xid
// (which made UPDATE overwrite a committed updater's xmax: a lost update
// and two live versions of one row).
func TestCommitLSNRacingCommit(t *testing.T) {
	for _, commit := range []bool{true, false} {
		e := open(t, memlog.New(nil))
		tx := e.mgr.Begin(txn.ReadCommitted)
		xid := mustXid(t, tx)
		fired := false
		txn.SetHookStatusZero(e.mgr, func(x uint64) {
			if x != xid || fired {
				return
			}
			fired = true
			if commit {
				if err := tx.Commit(context.Background()); err != nil {
					t.Error(err)
				}
			} else {
				tx.Abort()
			}
		})
		st, lsn, err := e.mgr.CommitLSN(xid)
		if err != nil {
			t.Fatal(err)
		}
		if !fired {
			t.Fatal("hook did not run: the status word was not zero")
		}
		want := txn.Aborted
		if commit {
			want = txn.Committed
		}
		if st != want || (commit && lsn == 0) {
			t.Fatalf("commit=%v: CommitLSN = %s at %d, want %s", commit, st, lsn, want)
		}
	}
}

// TestCommitLSNNeverAbortedWhileCommitting polls CommitLSN from several
// goroutines while transactions commit: a committed xid must never be seen
// as aborted, and statuses only move forward (in progress → committed).
func TestCommitLSNNeverAbortedWhileCommitting(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	const n = 300
	for i := 0; i < n; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		xid := mustXid(t, tx)
		var wg sync.WaitGroup
		bad := make(chan string, 4)
		stop := make(chan struct{})
		for r := 0; r < 3; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					st, _, err := e.mgr.CommitLSN(xid)
					if err != nil || st == txn.Aborted {
						bad <- st.String()
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			}()
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		close(bad)
		for b := range bad {
			t.Fatalf("xid %d seen %s while committing", xid, b)
		}
	}
}

// TestEarlyLockRelease: a row-lock waiter goes on once the holder's commit
// record is logged, before it is durable; its next snapshot reads at the
// holder's commit, and its own commit is acknowledged only once durable,
// which (later in the log) implies the holder's.
func TestEarlyLockRelease(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log)
	holder := e.mgr.Begin(txn.ReadCommitted)
	xh := mustXid(t, holder)
	waiter := e.mgr.Begin(txn.ReadCommitted)
	mustXid(t, waiter)
	waited := make(chan error, 1)
	go func() { waited <- e.mgr.WaitFor(ctx, waiter, xh) }()
	log.Hold()
	committed := make(chan error, 1)
	go func() { committed <- holder.Commit(ctx) }()
	if err := <-waited; err != nil { // before Release: early release
		t.Fatal(err)
	}
	st, lsn, err := e.mgr.CommitLSN(xh)
	if err != nil || st != txn.Committed {
		t.Fatalf("holder %s %v", st, err)
	}
	if vdl := log.VDL(); vdl >= lsn {
		t.Fatalf("VDL %d already covers the commit at %d: nothing tested", vdl, lsn)
	}
	select {
	case err := <-committed:
		t.Fatalf("holder's commit acknowledged before durable: %v", err)
	default:
	}
	snap := waiter.Snapshot()
	if snap.LSN < lsn {
		t.Fatalf("waiter's snapshot at %d does not see the commit it waited for at %d", snap.LSN, lsn)
	}
	if vis, err := e.mgr.Visible(xh, 0, 0, 0, false, &snap); err != nil || !vis {
		t.Fatalf("holder's version invisible to the waiter's snapshot: %v", err)
	}
	// The horizon never passes VDL, whatever the snapshots.
	if h := e.mgr.Horizon(); h > log.VDL() {
		t.Fatalf("horizon %d above VDL %d", h, log.VDL())
	}
	waiterDone := make(chan error, 1)
	go func() { waiterDone <- waiter.Commit(ctx) }()
	select {
	case err := <-waiterDone:
		t.Fatalf("waiter's commit acknowledged before durable: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	log.Release()
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	if err := <-waiterDone; err != nil {
		t.Fatal(err)
	}
}
