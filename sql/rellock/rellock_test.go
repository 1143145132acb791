package rellock

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

// pgTable is PostgreSQL's documented conflict table (Table 13.2, "Conflicting
// Lock Modes"): row = requested mode, X = conflicts, in mode order.
var pgTable = [NumModes]string{
	".......X", // ACCESS SHARE
	"......XX", // ROW SHARE
	"....XXXX", // ROW EXCLUSIVE
	"...XXXXX", // SHARE UPDATE EXCLUSIVE
	"..XX.XXX", // SHARE
	"..XXXXXX", // SHARE ROW EXCLUSIVE
	".XXXXXXX", // EXCLUSIVE
	"XXXXXXXX", // ACCESS EXCLUSIVE
}

func TestConflictMatrix(t *testing.T) {
	for a := AccessShare; a <= AccessExclusive; a++ {
		for b := AccessShare; b <= AccessExclusive; b++ {
			want := pgTable[a-1][b-1] == 'X'
			if got := Conflicts(a, b); got != want {
				t.Errorf("Conflicts(%v, %v) = %v, want %v", a, b, got, want)
			}
			if Conflicts(a, b) != Conflicts(b, a) {
				t.Errorf("not symmetric: %v %v", a, b)
			}
		}
	}
	if Conflicts(0, AccessExclusive) || Conflicts(AccessExclusive, 9) {
		t.Error("invalid modes conflict")
	}
}

// TestConflictProperties: ACCESS EXCLUSIVE conflicts with everything any
// mode does, only it conflicts with ACCESS SHARE, and mode names parse.
func TestConflictProperties(t *testing.T) {
	for a := AccessShare; a < AccessExclusive; a++ {
		for c := AccessShare; c <= AccessExclusive; c++ {
			if Conflicts(a, c) && !Conflicts(AccessExclusive, c) {
				t.Errorf("AccessExclusive must conflict with everything %v does", a)
			}
		}
		if Conflicts(a, AccessShare) {
			t.Errorf("%v conflicts with AccessShare", a)
		}
	}
	for m := AccessShare; m <= AccessExclusive; m++ {
		got, err := ParseMode(modeWords[m])
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", modeWords[m], got, err)
		}
	}
	if _, err := ParseMode("share share"); err == nil {
		t.Error("ParseMode accepted a bad name")
	}
}

type owner struct{ id int }

func TestGrantAndRelease(t *testing.T) {
	tests := []struct {
		held, req Mode
		wait      bool
	}{
		{AccessShare, AccessShare, false},
		{AccessShare, AccessExclusive, true},
		{RowExclusive, RowExclusive, false},
		{RowExclusive, Share, true},
		{Share, Share, false},
		{ShareUpdateExclusive, ShareUpdateExclusive, true},
		{RowShare, Exclusive, true},
		{AccessShare, Exclusive, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v/%v", tc.held, tc.req), func(t *testing.T) {
			m := New(Options{})
			a, b := &owner{1}, &owner{2}
			ctx := context.Background()
			if err := m.Lock(ctx, a, 10, tc.held, Wait{}); err != nil {
				t.Fatal(err)
			}
			err := m.Lock(ctx, b, 10, tc.req, Wait{NoWait: true})
			var le *Error
			if tc.wait {
				if !errors.As(err, &le) || le.Code != CodeLockNotAvailable {
					t.Fatalf("NOWAIT: got %v, want 55P03", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			// The same owner never conflicts with itself: when b got
			// nothing, a upgrades at once.
			if tc.wait {
				if err := m.Lock(ctx, a, 10, AccessExclusive, Wait{NoWait: true}); err != nil {
					t.Fatalf("own upgrade: %v", err)
				}
			}
			m.ReleaseAll(a)
			m.ReleaseAll(b)
			if len(m.rels) != 0 || len(m.owners) != 0 {
				t.Fatalf("state left: %v %v", m.rels, m.owners)
			}
		})
	}
}

// TestFIFO: a waiting AccessExclusive is not passed by later AccessShare.
func TestFIFO(t *testing.T) {
	m := New(Options{})
	ctx := context.Background()
	r1, ae, r2 := &owner{1}, &owner{2}, &owner{3}
	if err := m.Lock(ctx, r1, 1, AccessShare, Wait{}); err != nil {
		t.Fatal(err)
	}
	aeDone := make(chan error, 1)
	go func() { aeDone <- m.Lock(ctx, ae, 1, AccessExclusive, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[ae]) == 1 })
	err := m.Lock(ctx, r2, 1, AccessShare, Wait{NoWait: true})
	if err == nil {
		t.Fatal("AccessShare passed a waiting AccessExclusive")
	}
	r2Done := make(chan error, 1)
	go func() { r2Done <- m.Lock(ctx, r2, 1, AccessShare, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[r2]) == 1 })
	m.ReleaseAll(r1)
	if err := <-aeDone; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-r2Done:
		t.Fatalf("reader granted while AccessExclusive held: %v", err)
	default:
	}
	m.ReleaseAll(ae)
	if err := <-r2Done; err != nil {
		t.Fatal(err)
	}
	m.ReleaseAll(r2)
}

// TestUpgradeNotBlockedByQueue: a holder upgrading its lock is not made to
// wait behind a waiter that waits for it.
func TestUpgradeNotBlockedByQueue(t *testing.T) {
	m := New(Options{})
	ctx := context.Background()
	a, b := &owner{1}, &owner{2}
	if err := m.Lock(ctx, a, 1, RowExclusive, Wait{}); err != nil {
		t.Fatal(err)
	}
	bDone := make(chan error, 1)
	go func() { bDone <- m.Lock(ctx, b, 1, AccessExclusive, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[b]) == 1 })
	if err := m.Lock(ctx, a, 1, AccessShare, Wait{NoWait: true}); err != nil {
		t.Fatalf("weaker own lock: %v", err)
	}
	if err := m.Lock(ctx, a, 1, AccessExclusive, Wait{NoWait: true}); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	m.ReleaseAll(a)
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	m.ReleaseAll(b)
}

func TestTimeoutCancelDeadlock(t *testing.T) {
	ctx := context.Background()
	m := New(Options{DeadlockCheck: 10 * time.Millisecond})
	a, b := &owner{1}, &owner{2}
	must(t, m.Lock(ctx, a, 1, AccessExclusive, Wait{}))
	must(t, m.Lock(ctx, b, 2, AccessExclusive, Wait{}))

	err := m.Lock(ctx, b, 1, AccessShare, Wait{Timeout: 5 * time.Millisecond})
	wantCode(t, err, CodeLockNotAvailable)
	if err.Error() != "canceling statement due to lock timeout" {
		t.Fatalf("message %q", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Lock(cctx, b, 1, AccessShare, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[b]) == 1 })
	cancel()
	wantCode(t, <-done, CodeQueryCanceled)

	// Deadlock: a waits for b's relation 2, then b for a's relation 1.
	aDone := make(chan error, 1)
	go func() { aDone <- m.Lock(ctx, a, 2, RowExclusive, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[a]) == 1 })
	wantCode(t, m.Lock(ctx, b, 1, RowExclusive, Wait{}), CodeDeadlockDetected)
	m.ReleaseAll(b)
	must(t, <-aDone)
	m.ReleaseAll(a)
	if len(m.rels) != 0 || len(m.owners) != 0 {
		t.Fatalf("state left: %v %v", m.rels, m.owners)
	}
}

// TestExtraEdges: a cycle through an edge from outside (a row-lock wait) is
// found, including one that appears after the table-lock wait started.
func TestExtraEdges(t *testing.T) {
	ctx := context.Background()
	a, b := &owner{1}, &owner{2}
	var mu sync.Mutex
	extra := map[Owner][]Owner{}
	m := New(Options{DeadlockCheck: 5 * time.Millisecond, ExtraEdges: func() map[Owner][]Owner {
		mu.Lock()
		defer mu.Unlock()
		out := map[Owner][]Owner{}
		for k, v := range extra {
			out[k] = append([]Owner(nil), v...)
		}
		return out
	}})
	must(t, m.Lock(ctx, a, 1, RowExclusive, Wait{}))
	done := make(chan error, 1)
	go func() { done <- m.Lock(ctx, b, 1, AccessExclusive, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[b]) == 1 })
	mu.Lock()
	extra[a] = []Owner{b} // a now waits for a row b holds
	mu.Unlock()
	wantCode(t, <-done, CodeDeadlockDetected)
	m.ReleaseAll(a)
	m.ReleaseAll(b)
}

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	m := New(Options{})
	a, b := &owner{1}, &owner{2}
	must(t, m.Lock(ctx, a, 7, RowExclusive, Wait{PID: 1}))
	must(t, m.Lock(ctx, a, 7, AccessShare, Wait{}))
	done := make(chan error, 1)
	go func() { done <- m.Lock(ctx, b, 7, AccessExclusive, Wait{}) }()
	waitFor(t, func() bool { return len(m.Edges()[b]) == 1 })
	got := m.Snapshot()
	want := []Held{{7, a, AccessShare, true, 1}, {7, a, RowExclusive, true, 1}, {7, b, AccessExclusive, false, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Snapshot = %v, want %v", got, want)
	}
	m.ReleaseAll(a)
	must(t, <-done)
	m.ReleaseAll(b)
}

// TestRandomSchedules: goroutines take random locks on a few relations and
// release them all; a checker verifies no two owners ever hold conflicting
// modes together, and every request ends (granted, or a deadlock error
// after which the owner releases everything, as a transaction abort does).
func TestRandomSchedules(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 8
	}
	for seed := int64(1); seed <= int64(rounds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomSchedule(t, seed) })
	}
}

func randomSchedule(t *testing.T, seed int64) {
	const workers, rels, txs = 6, 3, 20
	m := New(Options{DeadlockCheck: 2 * time.Millisecond})
	var mu sync.Mutex
	holding := map[uint32]map[*owner]uint16{}
	check := func(o *owner, rel uint32, md Mode) error {
		mu.Lock()
		defer mu.Unlock()
		for other, set := range holding[rel] {
			if other != o && conflictsWithSet(md, set) {
				return fmt.Errorf("owner %d granted %v on %d while owner %d holds %b", o.id, md, rel, other.id, set)
			}
		}
		if holding[rel] == nil {
			holding[rel] = map[*owner]uint16{}
		}
		holding[rel][o] |= bit(md)
		return nil
	}
	release := func(o *owner) {
		mu.Lock()
		for _, h := range holding {
			delete(h, o)
		}
		mu.Unlock()
		m.ReleaseAll(o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, workers)
	var deadlocks sync.Map
	for w := 0; w < workers; w++ {
		rng := rand.New(rand.NewSource(seed*100 + int64(w)))
		go func() {
			for i := 0; i < txs; i++ {
				o := &owner{w*1000 + i}
				n := 1 + rng.Intn(3)
				for j := 0; j < n; j++ {
					rel := uint32(rng.Intn(rels))
					md := Mode(1 + rng.Intn(NumModes))
					err := m.Lock(ctx, o, rel, md, Wait{})
					var le *Error
					if errors.As(err, &le) && le.Code == CodeDeadlockDetected {
						deadlocks.Store(o.id, true)
						break
					}
					if err != nil {
						var b []string
						for _, h := range m.Snapshot() {
							b = append(b, fmt.Sprintf("%d:%d:%v:%v", h.Rel, h.Owner.(*owner).id, h.Mode, h.Granted))
						}
						errs <- fmt.Errorf("owner %d wanting %v on %d: %w; locks %v", o.id, md, rel, err, b)
						return
					}
					if err := check(o, rel, md); err != nil {
						errs <- err
						return
					}
				}
				release(o)
			}
			errs <- nil
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(m.rels) != 0 || len(m.owners) != 0 {
		t.Fatalf("state left: %d rels, %d owners", len(m.rels), len(m.owners))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var le *Error
	if !errors.As(err, &le) || le.Code != code {
		t.Fatalf("got %v, want SQLSTATE %s", err, code)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
