// Package rellock is the relation-level lock manager: PostgreSQL's eight
// table lock modes (ACCESS SHARE … ACCESS EXCLUSIVE) with their conflict
// table, keyed by relation OID and owned by a top-level transaction (an
// opaque comparable Owner) until it releases them all at once.
//
// Waiters queue first come, first served: a request is granted only when it
// conflicts neither with the holders nor with an earlier waiter, so a
// waiting ACCESS EXCLUSIVE is not starved by a stream of ACCESS SHARE
// requests. An owner's request never conflicts with its own locks. Waits
// end with the grant, the request's context (statement_timeout, cancel,
// hang-up), a lock timeout (55P03) or a deadlock (40P01). Deadlock
// detection sees one wait-for graph: the table-lock waits here plus the
// edges an Options.ExtraEdges function reports (the row-lock waits of
// package txn); it runs when a wait starts and again every
// Options.DeadlockCheck while it lasts.
package rellock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Mode is a table lock mode, numbered as PostgreSQL's lockmode (1..8).
type Mode uint8

// The lock modes, weakest first.
const (
	AccessShare          Mode = 1 // SELECT
	RowShare             Mode = 2 // SELECT FOR UPDATE/SHARE
	RowExclusive         Mode = 3 // INSERT, UPDATE, DELETE, COPY FROM
	ShareUpdateExclusive Mode = 4 // VACUUM, ANALYZE
	Share                Mode = 5 // CREATE INDEX
	ShareRowExclusive    Mode = 6 // ADD FOREIGN KEY
	Exclusive            Mode = 7 // (LOCK only)
	AccessExclusive      Mode = 8 // ALTER, DROP, TRUNCATE; LOCK's default
)

// NumModes is the number of lock modes.
const NumModes = 8

var modeNames = [NumModes + 1]string{"", "AccessShareLock", "RowShareLock", "RowExclusiveLock",
	"ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}

// String returns PostgreSQL's name of the mode, as pg_locks shows it
// ("AccessShareLock", ...).
func (m Mode) String() string {
	if m.Valid() {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Valid reports whether m is one of the eight modes.
func (m Mode) Valid() bool { return m >= AccessShare && m <= AccessExclusive }

// ParseMode returns the mode named as in LOCK ... IN <name> MODE
// ("ACCESS SHARE", "row exclusive", ...), case and spacing insensitive.
func ParseMode(s string) (Mode, error) {
	n := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	for m := AccessShare; m <= AccessExclusive; m++ {
		if strings.ToLower(strings.TrimSuffix(modeWords[m], " MODE")) == n {
			return m, nil
		}
	}
	return 0, fmt.Errorf("rellock: unknown lock mode %q", s)
}

var modeWords = [NumModes + 1]string{"", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE",
	"SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}

// conflicts[m] is the set of modes (bit i for mode i) m conflicts with:
// PostgreSQL's LockConflicts table.
var conflicts = [NumModes + 1]uint16{
	0,
	bit(AccessExclusive),
	bit(Exclusive) | bit(AccessExclusive),
	bit(Share) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
	bit(ShareUpdateExclusive) | bit(Share) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
	bit(RowExclusive) | bit(ShareUpdateExclusive) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
	bit(RowExclusive) | bit(ShareUpdateExclusive) | bit(Share) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
	bit(RowShare) | bit(RowExclusive) | bit(ShareUpdateExclusive) | bit(Share) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
	bit(AccessShare) | bit(RowShare) | bit(RowExclusive) | bit(ShareUpdateExclusive) | bit(Share) | bit(ShareRowExclusive) | bit(Exclusive) | bit(AccessExclusive),
}

func bit(m Mode) uint16 { return 1 << m }

// Conflicts reports whether a lock in mode a and one in mode b, held by
// different owners, conflict. The relation is symmetric.
func Conflicts(a, b Mode) bool {
	if !a.Valid() || !b.Valid() {
		return false
	}
	return conflicts[a]&bit(b) != 0
}

// Covers reports whether holding a lock in mode a blocks every request
// that mode b would block (a's conflicts include b's), so that b is
// redundant beside a.
func Covers(a, b Mode) bool {
	if !a.Valid() || !b.Valid() {
		return false
	}
	return conflicts[a]&conflicts[b] == conflicts[b]
}

// Owner identifies the holder of locks: a top-level transaction. It must
// be comparable (a pointer).
type Owner any

// Error is a lock wait failure with its SQLSTATE.
type Error struct {
	Code    string // 55P03 lock timeout / NOWAIT, 40P01 deadlock, 57014 canceled
	Message string
	Detail  string
	Err     error // the context's error or cause, for cancellations
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying cancellation error, if any.
func (e *Error) Unwrap() error { return e.Err }

// SQLSTATEs of lock failures.
const (
	CodeLockNotAvailable  = "55P03"
	CodeDeadlockDetected  = "40P01"
	CodeQueryCanceled     = "57014"
	defaultDeadlockPeriod = time.Second
)

// Options configure a Manager.
type Options struct {
	// ExtraEdges, when set, returns the wait-for edges outside this
	// manager (waiter → owners it waits for; the row-lock waits). It is
	// called without the manager's lock held.
	ExtraEdges func() map[Owner][]Owner
	// DeadlockCheck is how often a waiting request re-runs deadlock
	// detection (0: one second, PostgreSQL's deadlock_timeout).
	DeadlockCheck time.Duration
}

// Manager grants relation locks. Safe for concurrent use.
type Manager struct {
	opts Options

	mu     sync.Mutex
	rels   map[uint32]*relLock
	owners map[Owner]*ownerState
}

// relLock is the state of one locked relation.
type relLock struct {
	held  map[Owner]uint16 // owner → modes held (bit set)
	queue []*request       // waiters, oldest first
}

// request is a waiting lock request.
type request struct {
	owner Owner
	mode  Mode
	ready chan struct{} // closed when granted
}

// ownerState is what an owner holds and waits for.
type ownerState struct {
	rels    map[uint32]uint16 // relation → modes held
	pid     int32
	waiting *request
}

// New returns an empty manager.
func New(opts Options) *Manager {
	if opts.DeadlockCheck <= 0 {
		opts.DeadlockCheck = defaultDeadlockPeriod
	}
	return &Manager{opts: opts, rels: map[uint32]*relLock{}, owners: map[Owner]*ownerState{}}
}

// Request is one lock to take: a relation and a mode.
type Request struct {
	Rel  uint32
	Mode Mode
}

// Wait says how Lock waits for a conflicting lock.
type Wait struct {
	// NoWait fails at once with 55P03 instead of waiting (LOCK NOWAIT).
	NoWait bool
	// Timeout bounds the wait (lock_timeout; 0: none); it fails with 55P03.
	Timeout time.Duration
	// RelName names the relation in NOWAIT's message (may be nil).
	RelName func(rel uint32) string
	// PID is the owner's process id, shown by Snapshot (pg_locks); the
	// first request of an owner records it.
	PID int32
}

// Holds reports whether owner holds rel in a mode at least as strong as
// mode, i.e. one whose conflicts include mode's (so Lock would not wait).
func (m *Manager) Holds(owner Owner, rel uint32, mode Mode) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.holdsLocked(owner, rel, mode)
}

func (m *Manager) holdsLocked(owner Owner, rel uint32, mode Mode) bool {
	o := m.owners[owner]
	if o == nil {
		return false
	}
	held := o.rels[rel]
	for h := AccessShare; h <= AccessExclusive; h++ {
		if held&bit(h) != 0 && Covers(h, mode) {
			return true
		}
	}
	return false
}

// Lock takes rel in mode for owner, waiting while it conflicts with
// another owner's lock or with an earlier waiter. The lock is held until
// ReleaseAll(owner).
func (m *Manager) Lock(ctx context.Context, owner Owner, rel uint32, mode Mode, w Wait) error {
	if !mode.Valid() {
		return fmt.Errorf("rellock: invalid mode %d", mode)
	}
	if owner == nil {
		return errors.New("rellock: nil owner")
	}
	m.mu.Lock()
	o := m.owners[owner]
	if o == nil {
		o = &ownerState{rels: map[uint32]uint16{}, pid: w.PID}
		m.owners[owner] = o
	}
	if o.waiting != nil {
		m.mu.Unlock()
		return errors.New("rellock: owner is already waiting for a lock")
	}
	r := m.rels[rel]
	if r == nil {
		r = &relLock{held: map[Owner]uint16{}}
		m.rels[rel] = r
	}
	if o.rels[rel]&bit(mode) != 0 {
		m.mu.Unlock()
		return nil
	}
	// A holder upgrading its lock goes before waiters that conflict with
	// what it already holds (they wait for it anyway): otherwise holder
	// and waiter would deadlock on the queue alone.
	pos := len(r.queue)
	if r.held[owner] != 0 {
		for i, q := range r.queue {
			if conflictsWithSet(q.mode, r.held[owner]) {
				pos = i
				break
			}
		}
	}
	if r.grantable(owner, mode, pos) {
		m.grantLocked(r, o, owner, rel, mode)
		m.mu.Unlock()
		return nil
	}
	if w.NoWait {
		m.dropIfEmpty(rel, r, o, owner)
		m.mu.Unlock()
		name := fmt.Sprintf("relation %d", rel)
		if w.RelName != nil {
			name = fmt.Sprintf("relation %q", w.RelName(rel))
		}
		return &Error{Code: CodeLockNotAvailable, Message: "could not obtain lock on " + name}
	}
	req := &request{owner: owner, mode: mode, ready: make(chan struct{})}
	r.queue = slices.Insert(r.queue, pos, req)
	o.waiting = req
	m.mu.Unlock()

	err := m.wait(ctx, req, w)
	m.mu.Lock()
	defer m.mu.Unlock()
	o.waiting = nil
	select {
	case <-req.ready:
		return nil // granted (possibly racing with the failure)
	default:
	}
	// Give up: leave the queue and let waiters behind go on.
	if i := slices.Index(r.queue, req); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
	m.wakeLocked(rel, r)
	m.dropIfEmpty(rel, r, o, owner)
	return err
}

// wait blocks until req is granted, or returns why it will not be.
func (m *Manager) wait(ctx context.Context, req *request, w Wait) error {
	if m.deadlocked(req.owner) {
		return deadlockError()
	}
	var timeout <-chan time.Time
	if w.Timeout > 0 {
		t := time.NewTimer(w.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	tick := time.NewTicker(m.opts.DeadlockCheck)
	defer tick.Stop()
	for {
		select {
		case <-req.ready:
			return nil
		case <-ctx.Done():
			return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to user request", Err: context.Cause(ctx)}
		case <-timeout:
			return &Error{Code: CodeLockNotAvailable, Message: "canceling statement due to lock timeout"}
		case <-tick.C:
			if m.deadlocked(req.owner) {
				return deadlockError()
			}
		}
	}
}

func deadlockError() error {
	return &Error{Code: CodeDeadlockDetected, Message: "deadlock detected",
		Detail: "Process waits for a table lock held (or requested earlier) by a transaction that waits for this one."}
}

// conflictsWithSet reports whether mode conflicts with any mode in set.
func conflictsWithSet(mode Mode, set uint16) bool { return conflicts[mode]&set != 0 }

// blockers returns the owners that keep owner's request for mode from
// being granted: other holders of a conflicting mode, and conflicting
// requests among the first n waiters, except those that conflict with a
// lock owner already holds (they wait for owner: it goes first).
func (r *relLock) blockers(owner Owner, mode Mode, n int, out []Owner) []Owner {
	for h, set := range r.held {
		if h != owner && conflictsWithSet(mode, set) {
			out = append(out, h)
		}
	}
	mine := r.held[owner]
	for _, q := range r.queue[:n] {
		if q.owner != owner && Conflicts(q.mode, mode) && !conflictsWithSet(q.mode, mine) {
			out = append(out, q.owner)
		}
	}
	return out
}

// grantable reports whether owner's request for mode can be granted
// against the holders and the first n waiters.
func (r *relLock) grantable(owner Owner, mode Mode, n int) bool {
	var buf [8]Owner
	return len(r.blockers(owner, mode, n, buf[:0])) == 0
}

func (m *Manager) grantLocked(r *relLock, o *ownerState, owner Owner, rel uint32, mode Mode) {
	r.held[owner] |= bit(mode)
	o.rels[rel] |= bit(mode)
}

// wakeLocked grants, in queue order, every waiter that no longer conflicts
// with the holders or an earlier waiter.
func (m *Manager) wakeLocked(rel uint32, r *relLock) {
	for i := 0; i < len(r.queue); {
		q := r.queue[i]
		if !r.grantable(q.owner, q.mode, i) {
			i++
			continue
		}
		r.queue = slices.Delete(r.queue, i, i+1)
		o := m.owners[q.owner]
		m.grantLocked(r, o, q.owner, rel, q.mode)
		close(q.ready)
	}
}

// dropIfEmpty forgets rel and owner when nothing references them.
func (m *Manager) dropIfEmpty(rel uint32, r *relLock, o *ownerState, owner Owner) {
	if len(r.held) == 0 && len(r.queue) == 0 {
		delete(m.rels, rel)
	}
	if len(o.rels) == 0 && o.waiting == nil {
		delete(m.owners, owner)
	}
}

// ReleaseAll releases every lock owner holds (transaction end) and wakes
// the waiters they blocked. The owner must not be waiting.
func (m *Manager) ReleaseAll(owner Owner) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o := m.owners[owner]
	if o == nil {
		return
	}
	for rel := range o.rels {
		r := m.rels[rel]
		if r == nil {
			continue
		}
		delete(r.held, owner)
		m.wakeLocked(rel, r)
		if len(r.held) == 0 && len(r.queue) == 0 {
			delete(m.rels, rel)
		}
	}
	o.rels = map[uint32]uint16{}
	if o.waiting == nil {
		delete(m.owners, owner)
	}
}

// Edges returns the table-lock wait-for graph: each waiting owner → the
// owners it waits for (conflicting holders and conflicting earlier
// waiters).
func (m *Manager) Edges() map[Owner][]Owner {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[Owner][]Owner{}
	for _, r := range m.rels {
		for i, q := range r.queue {
			out[q.owner] = r.blockers(q.owner, q.mode, i, out[q.owner])
		}
	}
	return out
}

// deadlocked reports whether owner is on a cycle of the combined wait-for
// graph (table-lock waits and the extra edges).
func (m *Manager) deadlocked(owner Owner) bool {
	g := m.Edges()
	if m.opts.ExtraEdges != nil {
		for k, v := range m.opts.ExtraEdges() {
			g[k] = append(g[k], v...)
		}
	}
	return OnCycle(g, owner)
}

// OnCycle reports whether start can reach itself in the wait-for graph g.
func OnCycle(g map[Owner][]Owner, start Owner) bool {
	seen := map[Owner]bool{}
	stack := append([]Owner(nil), g[start]...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == start {
			return true
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, g[x]...)
	}
	return false
}

// Held is one granted or awaited lock, as pg_locks shows it.
type Held struct {
	Rel     uint32
	Owner   Owner
	Mode    Mode
	Granted bool
	PID     int32 // the owner's Wait.PID
}

// Snapshot lists every held and awaited lock, by relation, mode, then
// granted before waiting (owners in no particular order).
func (m *Manager) Snapshot() []Held {
	m.mu.Lock()
	var out []Held
	for rel, r := range m.rels {
		for o, set := range r.held {
			for md := AccessShare; md <= AccessExclusive; md++ {
				if set&bit(md) != 0 {
					out = append(out, Held{Rel: rel, Owner: o, Mode: md, Granted: true, PID: m.pidLocked(o)})
				}
			}
		}
		for _, q := range r.queue {
			out = append(out, Held{Rel: rel, Owner: q.owner, Mode: q.mode, PID: m.pidLocked(q.owner)})
		}
	}
	m.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Held) int {
		switch {
		case a.Rel != b.Rel:
			return cmpU(a.Rel, b.Rel)
		case a.Mode != b.Mode:
			return cmpU(uint32(a.Mode), uint32(b.Mode))
		case a.Granted != b.Granted:
			if a.Granted {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

func (m *Manager) pidLocked(o Owner) int32 {
	if st := m.owners[o]; st != nil {
		return st.pid
	}
	return 0
}

func cmpU(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
