package heap

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/borealis-db/borealis/sql/txn"
)

// Row locks have PostgreSQL's four strengths (LockMode). The strongest
// holder sits in the version's xmax: an updater or deleter, or one
// exclusive locker (FOR UPDATE, FOR NO KEY UPDATE) with FlagLockOnly;
// FlagNoKey marks an xmax that leaves the key alone (FOR NO KEY UPDATE, or
// an UPDATE changing no column of a unique index), which FOR KEY SHARE does
// not conflict with. Shared lockers (FOR SHARE, FOR KEY SHARE, the foreign
// key check on a parent row) — any number of transactions at once — are
// members of the version's entry in the heap's lock table, an in-memory
// side table keyed by TID: PostgreSQL's MultiXact. It needs no page format
// and no durability: a row lock lives only as long as its transaction, and
// every transaction in progress at a crash is aborted, so after a restart
// no lock is held. An exclusive lock that a transaction held before a
// savepoint moves to the lock table when a subtransaction overwrites the
// xmax (update, delete, stronger lock), so ROLLBACK TO keeps it.
//
// Every lock-table read and change for a TID happens under the X latch of
// its page, like the xmax it complements; entries record the xmin of the
// version they lock (a pruned and reused slot holds another version), and
// members whose transaction ended are dropped as they are met and in
// occasional sweeps.

// LockMode is a row lock strength, weakest first (PostgreSQL's
// LockTupleMode). UPDATE takes LockNoKeyUpdate when it changes no column of
// a unique index, else LockUpdate; DELETE takes LockUpdate.
type LockMode uint8

// Row lock strengths.
const (
	LockKeyShare LockMode = iota
	LockShare
	LockNoKeyUpdate
	LockUpdate
)

// String names the strength as SQL does.
func (m LockMode) String() string {
	switch m {
	case LockKeyShare:
		return "FOR KEY SHARE"
	case LockShare:
		return "FOR SHARE"
	case LockNoKeyUpdate:
		return "FOR NO KEY UPDATE"
	case LockUpdate:
		return "FOR UPDATE"
	}
	return "invalid lock mode"
}

// Conflicts reports whether two transactions can not hold m and o on one
// row at once. PostgreSQL's table: KEY SHARE conflicts only with UPDATE,
// SHARE with both exclusive strengths, NO KEY UPDATE with all but KEY
// SHARE, UPDATE with everything; with the strengths numbered 0..3 that is
// exactly "the sum is at least 3".
func (m LockMode) Conflicts(o LockMode) bool { return int(m)+int(o) >= 3 }

// shared reports whether m is kept in the lock table rather than xmax.
func (m LockMode) shared() bool { return m <= LockShare }

// xmaxMode is the strength that hd's xmax holds the row with.
func xmaxMode(hd *Header) LockMode {
	if hd.Flags&FlagNoKey != 0 {
		return LockNoKeyUpdate
	}
	return LockUpdate
}

// xmaxFlags is the flag bits that record mode on an xmax.
func xmaxFlags(mode LockMode) uint16 {
	if mode == LockNoKeyUpdate {
		return FlagNoKey
	}
	return 0
}

type lockMember struct {
	xid  uint64
	mode LockMode
}

type rowLocks struct {
	xmin    uint64
	members []lockMember
}

// lockTable holds the members of the rows locked by several transactions
// or by a transaction's outer level (see above).
type lockTable struct {
	mu      sync.Mutex
	rows    map[TID]*rowLocks
	sweepAt int
	// size is len(rows), read without mu: updates and deletes of a heap
	// with no shared locks skip the mutex.
	size atomic.Int64
}

// live returns tid's members (ended ones dropped), nil when none; tid's
// page is X-latched by the caller.
func (lt *lockTable) live(mgr *txn.Manager, tid TID, xmin uint64) []lockMember {
	if lt.size.Load() == 0 {
		return nil // entries are added under tid's page latch, which we hold
	}
	lt.mu.Lock()
	defer lt.mu.Unlock()
	defer func() { lt.size.Store(int64(len(lt.rows))) }()
	r := lt.rows[tid]
	if r == nil {
		return nil
	}
	if r.xmin != xmin {
		delete(lt.rows, tid)
		return nil
	}
	k := 0
	for _, mb := range r.members {
		if st, _, err := mgr.CommitLSN(mb.xid); err == nil && st == txn.InProgress {
			r.members[k] = mb
			k++
		}
	}
	r.members = r.members[:k]
	if k == 0 {
		delete(lt.rows, tid)
		return nil
	}
	return append([]lockMember(nil), r.members...)
}

// conflict returns a member of another transaction, in progress, whose
// strength conflicts with mode (InvalidXid: none).
func (lt *lockTable) conflict(mgr *txn.Manager, tx *txn.Tx, tid TID, xmin uint64, mode LockMode) uint64 {
	for _, mb := range lt.live(mgr, tid, xmin) {
		if !tx.Owns(mb.xid) && mode.Conflicts(mb.mode) {
			return mb.xid
		}
	}
	return txn.InvalidXid
}

// holds reports whether tx holds tid at mode or stronger in the table.
func (lt *lockTable) holds(mgr *txn.Manager, tx *txn.Tx, tid TID, xmin uint64, mode LockMode) bool {
	for _, mb := range lt.live(mgr, tid, xmin) {
		if tx.Owns(mb.xid) && mb.mode >= mode {
			return true
		}
	}
	return false
}

// add makes xid a member of tid's entry at mode.
func (lt *lockTable) add(mgr *txn.Manager, tid TID, xmin, xid uint64, mode LockMode) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if lt.rows == nil {
		lt.rows = map[TID]*rowLocks{}
	}
	r := lt.rows[tid]
	if r == nil || r.xmin != xmin {
		r = &rowLocks{xmin: xmin}
		lt.rows[tid] = r
		if len(lt.rows) > lt.sweepAt {
			lt.sweepLocked(mgr)
		}
	}
	defer func() { lt.size.Store(int64(len(lt.rows))) }()
	for i, mb := range r.members {
		if mb.xid == xid {
			r.members[i].mode = max(mb.mode, mode)
			return
		}
	}
	r.members = append(r.members, lockMember{xid, mode})
}

// carry copies the members of from that are still in progress to to (the
// new version an update made, created by xmin): PostgreSQL carries a row's
// key-share lockers onto the new version, so a later key change or delete
// of it still waits for them.
func (lt *lockTable) carry(mgr *txn.Manager, from TID, fromXmin uint64, to TID, toXmin uint64) {
	for _, mb := range lt.live(mgr, from, fromXmin) {
		lt.add(mgr, to, toXmin, mb.xid, mb.mode)
	}
}

// sweepLocked drops the entries whose members all ended and sets the next
// sweep's size. lt.mu is held.
func (lt *lockTable) sweepLocked(mgr *txn.Manager) {
	for tid, r := range lt.rows {
		alive := false
		for _, mb := range r.members {
			if st, _, err := mgr.CommitLSN(mb.xid); err == nil && st == txn.InProgress {
				alive = true
				break
			}
		}
		if !alive && len(r.members) > 0 {
			delete(lt.rows, tid)
		}
	}
	lt.sweepAt = 2*len(lt.rows) + 1024
}

// Locked returns the lock-table members of the version at tid created by
// xmin that are still in progress, as (xid, mode) pairs (tests and
// diagnostics).
func (h *Heap) Locked(tid TID, xmin uint64) map[uint64]LockMode {
	out := map[uint64]LockMode{}
	for _, mb := range h.locks.live(h.mgr, tid, xmin) {
		out[mb.xid] = mb.mode
	}
	return out
}

// keepOuterLock moves an exclusive lock that tx's outer level holds in
// hd's xmax to the lock table before a subtransaction overwrites the xmax,
// so that rolling the subtransaction back leaves the row locked.
func (h *Heap) keepOuterLock(tx *txn.Tx, tid TID, hd *Header) {
	if hd.Xmax != txn.InvalidXid && hd.LockOnly() && hd.Xmax != tx.Xid() && tx.Owns(hd.Xmax) {
		h.locks.add(h.mgr, tid, hd.Xmin, hd.Xmax, xmaxMode(hd))
	}
}

// keySharePast reports whether mode may lock the version hd although its
// xmax is an updater (in progress): a FOR KEY SHARE lock beside an UPDATE
// that leaves the key alone, as PostgreSQL allows. The lock then covers
// the new version too (lockNext, checkSuccessor).
func keySharePast(hd *Header, mode LockMode) bool {
	return mode == LockKeyShare && hd.Updated() && hd.Flags&FlagNoKey != 0
}

// checkSuccessor finishes a FOR KEY SHARE lock taken past an in-progress
// non-key update: the lock was added to the new version at succ (created
// by updater) while the old version's page was latched; if meanwhile the
// updater changed that new version in a way the lock conflicts with (a
// delete, a key update, a further update whose carry may have missed the
// lock) or another transaction did, the caller must wait for that xid
// (BeingModified) and retry.
func (h *Heap) checkSuccessor(ctx context.Context, succ TID, updater uint64, mode LockMode) (TM, error) {
	f, err := h.pin(ctx, succ.Page)
	if err != nil {
		return TM{}, err
	}
	defer h.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	if err := checkHeapPage(f.Page()); err != nil {
		return TM{}, err
	}
	hd, _, found := tupleAt(f.Page(), int(succ.Slot))
	switch {
	case !found || hd.Xmin != updater:
		// Pruned: the updater aborted (its version is dead) or the chain
		// moved on; the old version decides, retry.
		return TM{Result: BeingModified, Xid: updater}, nil
	case hd.Xmax == txn.InvalidXid:
		return TM{Result: OK}, nil
	}
	// Changed or locked since (by the updater, or by another transaction
	// that reached it through an index entry after the updater committed).
	st, _, err := h.mgr.CommitLSN(hd.Xmax)
	switch {
	case err != nil:
		return TM{}, err
	case st == txn.Aborted, hd.LockOnly() && (st == txn.Committed || !mode.Conflicts(xmaxMode(&hd))):
		return TM{Result: OK}, nil
	}
	// Wait for it (at once when it committed) and retry from the old
	// version, which then leads here through the update chain.
	return TM{Result: BeingModified, Xid: hd.Xmax}, nil
}
