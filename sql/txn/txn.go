// Package txn is the writer's transaction manager: transaction ids reserved
// in ranges on the meta page, the commit log in pages (xid → commit LSN),
// commit-LSN snapshots and tuple visibility, waits on row locks with deadlock
// detection, and the pruning horizon.
//
// A transaction commits by one mini-transaction on its clog page (a Noop whose
// LSN is the commit LSN, then the xid's slot patched with it) followed by
// WaitDurable. A snapshot is an LSN (the log's VDL when taken) plus the
// transaction's own xid and command id: a row version is visible when its
// creator committed at or below the snapshot LSN (or is the snapshot's own
// transaction at an earlier command) and its deleter is not.
//
// Subtransactions (savepoints, see Tx.Savepoint) write with sub-xids of their
// own, drawn from the same counter as top-level xids. A sub-xid rolled back
// (Tx.RollbackTo) is aborted at once, in memory only; the others commit with
// their top-level xid in the same mini-transaction, at the same commit LSN.
// Within its transaction, a row version written by a live sub-xid is the
// transaction's own (Tx.Owns, Manager.SameTx). A lock the transaction took
// before a savepoint survives ROLLBACK TO: package heap moves it to its lock
// table when a subtransaction overwrites the row's xmax.
//
// Recovery needs no log replay: a manager opened on a volume after a crash
// starts handing out xids above the meta page's reservation, and every older
// xid whose clog slot is 0 is aborted. Clog pages are read lazily.
package txn

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// Reserved transaction ids.
const (
	// InvalidXid marks "no transaction" (an xmax of 0 means not deleted).
	InvalidXid uint64 = 0
	// FrozenXid is committed before every snapshot (bootstrap rows).
	FrozenXid uint64 = 1
)

// SQLSTATE codes of the errors this package returns.
const (
	CodeDeadlockDetected     = "40P01"
	CodeSerializationFailure = "40001"
	CodeLockNotAvailable     = "55P03"
	CodeQueryCanceled        = "57014"
	// CodeInvalidSavepoint is "savepoint does not exist" (invalid
	// savepoint specification).
	CodeInvalidSavepoint = "3B001"
)

// Error is an error with a SQLSTATE code.
type Error struct {
	Code    string
	Message string
	Detail  string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s (SQLSTATE %s): %s", e.Message, e.Code, e.Detail)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
}

// xidBatch is how many xids one reservation record covers.
const xidBatch = 1024

// abortedLSN marks an aborted xid in the in-memory status table.
const abortedLSN = redo.LSN(math.MaxUint64)

// Isolation is a transaction isolation level.
type Isolation uint8

// Isolation levels.
const (
	ReadCommitted Isolation = iota
	RepeatableRead
)

// Status is the state of a transaction id.
type Status uint8

// Transaction states.
const (
	InProgress Status = iota
	Committed
	Aborted
)

// String names the status.
func (s Status) String() string {
	switch s {
	case InProgress:
		return "in progress"
	case Committed:
		return "committed"
	case Aborted:
		return "aborted"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Snapshot decides visibility: row versions committed at or below LSN are
// visible, and the own transaction's versions created by commands before Cid.
type Snapshot struct {
	LSN redo.LSN
	Xid uint64
	Cid uint32
}

type statusChunk [xidBatch]atomic.Uint64

// xact is the in-memory state of an xid in progress: a transaction's
// top-level xid or one of its sub-xids.
type xact struct {
	xid  uint64
	done chan struct{}
	// top is the top-level xid's xact (itself for a top-level xid).
	top *xact
	// waitingFor is the xid this transaction waits for; kept on the
	// top-level xact only (guarded by Manager.mu).
	waitingFor uint64
	// tx is the transaction of a top-level xid (guarded by Manager.mu;
	// waitgraph.go).
	tx *Tx
}

// Manager hands out transactions. Safe for concurrent use.
type Manager struct {
	pool        *buffer.Pool
	meta        *volmeta.Meta
	log         buffer.Log
	readTimeout time.Duration

	base uint64 // first xid of this manager; older ones are finished

	resMu    sync.Mutex // one xid reservation at a time
	mu       sync.Mutex
	chunks   []redo.PageID    // clog chunk directory (copy-on-append)
	nextXid  uint64           // next xid to hand out
	endXid   uint64           // end of the reserved range
	active   map[uint64]*xact // every xid in progress, top-level and sub
	txs      map[*Tx]struct{}
	external redo.LSN // oldest read point of readers (0: none)

	status atomic.Pointer[[]*statusChunk] // xid-base → commit LSN

	// liveSubs counts the sub-xids in progress: while it is 0, SameTx
	// answers without taking mu.
	liveSubs atomic.Int64

	oldMu sync.Mutex
	old   map[uint64]*[xidsPerPage]redo.LSN

	// lockWaits, when set, returns the table-lock wait-for edges
	// (waitgraph.go): WaitFor's deadlock check follows them too.
	lockWaits atomic.Pointer[func() map[*Tx][]*Tx]

	// hookStatusZero, when set (tests only), runs in CommitLSN after it
	// read a zero status word and before it checks whether the xid is
	// active: the window in which the transaction may end.
	hookStatusZero func(xid uint64)
}

// Open returns a manager over the volume's meta page. It reads only the meta
// page: time does not depend on the volume's size or history.
func Open(meta *volmeta.Meta) *Manager {
	pool := meta.Pool()
	base := meta.NextXid()
	m := &Manager{
		pool: pool, meta: meta, log: pool.Log(), readTimeout: 30 * time.Second,
		base: base, chunks: meta.ClogChunks(), nextXid: base, endXid: base,
		active: map[uint64]*xact{}, txs: map[*Tx]struct{}{},
		old: map[uint64]*[xidsPerPage]redo.LSN{},
	}
	empty := []*statusChunk{}
	m.status.Store(&empty)
	return m
}

// statusSlot returns the in-memory status word of xid >= base, or nil if
// never allocated.
func (m *Manager) statusSlot(xid uint64) *atomic.Uint64 {
	i := xid - m.base
	chunks := *m.status.Load()
	if c := i / xidBatch; c < uint64(len(chunks)) {
		return &chunks[c][i%xidBatch]
	}
	return nil
}

// allocXid hands out the next xid, reserving a new range when needed (one
// reserver at a time, without holding m.mu across the page writes). top is
// InvalidXid for a top-level xid, else the top-level xid (in progress) the
// new sub-xid belongs to.
func (m *Manager) allocXid(ctx context.Context, top uint64) (uint64, error) {
	m.mu.Lock()
	if m.nextXid == m.endXid {
		m.mu.Unlock()
		if err := m.reserve(ctx); err != nil {
			return 0, err
		}
		m.mu.Lock()
	}
	defer m.mu.Unlock()
	if m.nextXid == m.endXid {
		// Others took the whole new range meanwhile: rare; try again.
		m.mu.Unlock()
		x, err := m.allocXid(ctx, top)
		m.mu.Lock()
		return x, err
	}
	x := &xact{xid: m.nextXid, done: make(chan struct{})}
	x.top = x
	if top != InvalidXid {
		t := m.active[top]
		if t == nil || t.top != t {
			return 0, fmt.Errorf("txn: sub-xid for %d, which is not a top-level xid in progress", top)
		}
		x.top = t
		m.liveSubs.Add(1)
	}
	m.nextXid++
	m.active[x.xid] = x
	return x.xid, nil
}

// reserve reserves the next range of xids and makes their clog pages,
// unless another caller already did.
func (m *Manager) reserve(ctx context.Context) error {
	m.resMu.Lock()
	defer m.resMu.Unlock()
	m.mu.Lock()
	end := m.endXid
	full := m.nextXid == end
	m.mu.Unlock()
	if !full {
		return nil
	}
	first, err := m.meta.ReserveXids(xidBatch)
	if err != nil {
		return fmt.Errorf("txn: reserve xids: %w", err)
	}
	if first != end {
		return fmt.Errorf("txn: xid reservation at %d, expected %d (another writer?)", first, end)
	}
	if err := m.ensureClog(ctx, first, first+xidBatch); err != nil {
		return err
	}
	m.mu.Lock()
	chunks := *m.status.Load()
	grown := append(chunks[:len(chunks):len(chunks)], new(statusChunk))
	m.status.Store(&grown)
	m.endXid = first + xidBatch
	m.mu.Unlock()
	return nil
}

// CommitLSN returns xid's status and, when committed, its commit LSN.
func (m *Manager) CommitLSN(xid uint64) (Status, redo.LSN, error) {
	switch {
	case xid == FrozenXid:
		return Committed, 1, nil
	case xid < volmeta.FirstXid:
		return Aborted, 0, nil
	case xid >= m.base:
		s := m.statusSlot(xid)
		if s == nil {
			return Aborted, 0, nil // never handed out
		}
		v := redo.LSN(s.Load())
		if v == 0 {
			if m.hookStatusZero != nil {
				m.hookStatusZero(xid)
			}
			m.mu.Lock()
			_, act := m.active[xid]
			m.mu.Unlock()
			if act {
				return InProgress, 0, nil
			}
			// Not active: either it ended after the load above (finish
			// stores the outcome before removing the xid from active, so
			// this second load sees it) or it was reserved and never
			// handed out (still 0: aborted). Answering Aborted from the
			// first load alone would call a just-committed transaction
			// aborted: its row versions would be updated again (a lost
			// update and a second live version) or pruned while live.
			v = redo.LSN(s.Load())
		}
		switch v {
		case 0, abortedLSN:
			return Aborted, 0, nil
		default:
			return Committed, v, nil
		}
	}
	pg, err := m.oldPage(xid)
	if err != nil {
		return Aborted, 0, err
	}
	if v := pg[xid%xidsPerPage]; v != 0 {
		return Committed, v, nil
	}
	return Aborted, 0, nil
}

// committedBy reports whether xid committed at or below lsn.
func (m *Manager) committedBy(xid uint64, lsn redo.LSN) (bool, error) {
	if xid >= m.base {
		if s := m.statusSlot(xid); s != nil {
			v := redo.LSN(s.Load())
			return v != 0 && v != abortedLSN && v <= lsn, nil
		}
	}
	st, c, err := m.CommitLSN(xid)
	return st == Committed && c <= lsn, err
}

// Visible reports whether a row version with the given header fields is
// visible to snapshot s. lockOnly means xmax only locks the row. A version
// created or deleted by s's own transaction (s.Xid, or any xid of the same
// transaction still in progress: its top-level xid and live sub-xids) counts
// from the command after the one that wrote it; one written by a rolled-back
// sub-xid is aborted, for the transaction itself too.
func (m *Manager) Visible(xmin, xmax uint64, cmin, cmax uint32, lockOnly bool, s *Snapshot) (bool, error) {
	own := xmin == s.Xid && xmin != InvalidXid && !m.abortedInMem(xmin)
	if !own {
		ok, err := m.committedBy(xmin, s.LSN)
		if err != nil {
			return false, err
		}
		if !ok {
			if !m.SameTx(s.Xid, xmin) {
				return false, nil
			}
			own = true
		}
	}
	if own && cmin >= s.Cid {
		return false, nil
	}
	if xmax == InvalidXid || lockOnly {
		return true, nil
	}
	if xmax == s.Xid && !m.abortedInMem(xmax) {
		return cmax >= s.Cid, nil
	}
	ok, err := m.committedBy(xmax, s.LSN)
	if err != nil {
		return false, err
	}
	if ok {
		return false, nil
	}
	if m.SameTx(s.Xid, xmax) {
		return cmax >= s.Cid, nil
	}
	return true, nil
}

// abortedInMem reports whether xid is one of this manager's xids known
// aborted in memory (a rolled-back sub-xid, or an aborted transaction).
func (m *Manager) abortedInMem(xid uint64) bool {
	if xid < m.base {
		return false
	}
	s := m.statusSlot(xid)
	return s != nil && redo.LSN(s.Load()) == abortedLSN
}

// SameTx reports whether a and b are xids of one transaction in progress:
// each is its top-level xid or one of its sub-xids not rolled back. It is
// false for InvalidXid and for xids not in progress. Cheap (no lock) while
// no transaction has a sub-xid, unless a == b.
func (m *Manager) SameTx(a, b uint64) bool {
	if a == InvalidXid || b == InvalidXid || (a != b && m.liveSubs.Load() == 0) {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	xa, xb := m.active[a], m.active[b]
	return xa != nil && xb != nil && xa.top == xb.top
}

// Dead reports whether a row version can be removed: its creator aborted, or
// its deleter committed at or below horizon (see Horizon).
func (m *Manager) Dead(xmin, xmax uint64, lockOnly bool, horizon redo.LSN) (bool, error) {
	st, _, err := m.CommitLSN(xmin)
	if err != nil {
		return false, err
	}
	switch st {
	case Aborted:
		return true, nil
	case InProgress:
		return false, nil
	}
	if xmax == InvalidXid || lockOnly {
		return false, nil
	}
	return m.committedBy(xmax, horizon)
}

// SetReadersHorizon records the oldest read point of the readers (0: none);
// the pruning horizon never passes it.
func (m *Manager) SetReadersHorizon(lsn redo.LSN) {
	m.mu.Lock()
	m.external = lsn
	m.mu.Unlock()
}

// Horizon is the oldest LSN any snapshot may still read at: the minimum of
// the VDL, every open transaction's snapshot and the readers' horizon. A row
// version deleted by a commit at or below it is invisible to everyone.
func (m *Manager) Horizon() redo.LSN {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.log.VDL()
	for t := range m.txs {
		if l := redo.LSN(t.snapLSN.Load()); l != 0 && l < h {
			h = l
		}
	}
	if m.external != 0 && m.external < h {
		h = m.external
	}
	return h
}

// finish ends xid (top-level or sub) in memory: records an abort (a commit
// was stored by writeCommit) and wakes its waiters.
func (m *Manager) finish(xid uint64, lsn redo.LSN) {
	if s := m.statusSlot(xid); s != nil && lsn == abortedLSN {
		s.Store(uint64(lsn))
	}
	m.mu.Lock()
	x := m.active[xid]
	delete(m.active, xid)
	m.mu.Unlock()
	if x != nil {
		if x.top != x {
			m.liveSubs.Add(-1)
		}
		close(x.done)
	}
}

// WaitFor blocks transaction t until transaction holder ends, or returns a
// 40P01 *Error if waiting would close a cycle in the waits-for graph. It
// returns at once if holder is not in progress. holder may be a sub-xid:
// the wait then ends when that subtransaction is rolled back or its
// transaction ends.
func (m *Manager) WaitFor(ctx context.Context, t *Tx, holder uint64) error {
	m.mu.Lock()
	h := m.active[holder]
	if h == nil {
		m.mu.Unlock()
		m.noteDep(t, holder)
		return nil
	}
	var me *xact
	if t != nil && t.xid != InvalidXid {
		me = m.active[t.xid]
	}
	if me != nil {
		if h.top == me {
			m.mu.Unlock()
			return fmt.Errorf("txn: transaction %d waits for itself (xid %d)", me.xid, holder)
		}
		// Each transaction waits for at most one other: follow the chain.
		for x, n := h.top, 0; n <= len(m.active); n++ {
			if x.waitingFor == InvalidXid {
				break
			}
			w := m.active[x.waitingFor]
			if w == nil {
				break
			}
			if w.top == me {
				m.mu.Unlock()
				return &Error{Code: CodeDeadlockDetected, Message: "deadlock detected",
					Detail: fmt.Sprintf("Process waiting for transaction %d; transaction %d waits for this one.", holder, x.xid)}
			}
			x = w.top
		}
		me.waitingFor = holder
	}
	m.mu.Unlock()
	if me != nil && m.deadlockViaLocks(t) {
		m.mu.Lock()
		me.waitingFor = InvalidXid
		m.mu.Unlock()
		return &Error{Code: CodeDeadlockDetected, Message: "deadlock detected",
			Detail: fmt.Sprintf("Process waiting for transaction %d, which waits (through table locks) for this one.", holder)}
	}
	var err error
	select {
	case <-h.done:
	case <-ctx.Done():
		err = &Error{Code: CodeQueryCanceled, Message: "canceling statement due to user request", Detail: ctx.Err().Error()}
	}
	if me != nil {
		m.mu.Lock()
		me.waitingFor = InvalidXid
		m.mu.Unlock()
	}
	if err == nil {
		m.noteDep(t, holder)
	}
	return err
}

// noteDep records in t that it waited for holder: the holder may have
// committed without being durable yet (see Tx.Commit), so t's snapshots
// read at least at its commit from now on.
func (m *Manager) noteDep(t *Tx, holder uint64) {
	if t == nil {
		return
	}
	if st, lsn, err := m.CommitLSN(holder); err == nil && st == Committed && lsn > t.dep {
		t.dep = lsn
	}
}

// Active returns the number of transactions holding an xid (sub-xids do
// not count).
func (m *Manager) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range m.active {
		if x.top == x {
			n++
		}
	}
	return n
}

// WaitingFor returns the xid that the transaction holding xid (top-level or
// sub) is waiting for (0: none).
func (m *Manager) WaitingFor(xid uint64) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if x := m.active[xid]; x != nil {
		return x.top.waitingFor
	}
	return InvalidXid
}
