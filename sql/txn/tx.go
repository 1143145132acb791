package txn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/borealis-db/borealis/redo"
)

// Tx is one transaction. Its xid is assigned on the first write
// (AssignXid), so read-only transactions write nothing and never wait for the
// log. Inside savepoints (see Savepoint) writes use sub-xids. A Tx is used by
// one session at a time.
type Tx struct {
	m   *Manager
	iso Isolation
	xid uint64 // top-level xid
	cid uint32
	// levels is the savepoint stack, outermost first.
	levels []savepoint
	// subs holds the live sub-xids (not rolled back), ascending.
	subs    []uint64
	snap    redo.LSN // RR: the transaction's snapshot LSN (0: not taken)
	snapLSN atomic.Uint64
	done    bool
	// dep is the highest commit LSN of a transaction this one waited for
	// (see Manager.WaitFor): it may not be durable yet (early lock
	// release), and the next snapshot reads at least at it.
	dep redo.LSN
}

// ErrTxDone is returned when a finished transaction is used.
var ErrTxDone = errors.New("txn: transaction already finished")

// Begin starts a transaction.
func (m *Manager) Begin(iso Isolation) *Tx {
	t := &Tx{m: m, iso: iso}
	m.mu.Lock()
	m.txs[t] = struct{}{}
	m.mu.Unlock()
	return t
}

// Isolation returns the transaction's isolation level.
func (t *Tx) Isolation() Isolation { return t.iso }

// Xid returns the xid that writes use now: the innermost savepoint's
// sub-xid inside a savepoint, else the top-level xid; InvalidXid before the
// first write at this level (PostgreSQL's GetCurrentTransactionIdIfAny).
// To ask whether a row version is the transaction's own, use Owns: a
// version written before the current savepoint carries another xid.
func (t *Tx) Xid() uint64 {
	if n := len(t.levels); n > 0 {
		return t.levels[n-1].xid
	}
	return t.xid
}

// TopXid returns the top-level xid, InvalidXid before the first write.
func (t *Tx) TopXid() uint64 { return t.xid }

// Owns reports whether xid is one of this transaction's live xids: its
// top-level xid or a sub-xid not rolled back (PostgreSQL's
// TransactionIdIsCurrentTransactionId). Row versions created, deleted or
// locked by such an xid are the transaction's own.
func (t *Tx) Owns(xid uint64) bool {
	if xid == InvalidXid {
		return false
	}
	if xid == t.xid {
		return true
	}
	_, ok := slices.BinarySearch(t.subs, xid)
	return ok
}

// SubXids returns the live sub-xids (not rolled back), ascending. They
// commit with the top-level xid.
func (t *Tx) SubXids() []uint64 { return slices.Clone(t.subs) }

// CommandID returns the current command id: row versions written now carry
// it, and the current statement's snapshot does not see them.
func (t *Tx) CommandID() uint32 { return t.cid }

// AssignXid gives the current level its xid if it has none and returns it
// (the xid Xid returns from now on). Inside a savepoint that is a new
// sub-xid of the savepoint; the top-level xid is assigned first if needed,
// so a transaction with sub-xids always has a top-level xid.
func (t *Tx) AssignXid(ctx context.Context) (uint64, error) {
	if t.done {
		return 0, ErrTxDone
	}
	if x := t.Xid(); x != InvalidXid {
		return x, nil
	}
	if t.xid == InvalidXid {
		xid, err := t.m.allocXid(ctx, InvalidXid)
		if err != nil {
			return 0, err
		}
		t.xid = xid
		t.m.setTx(xid, t)
	}
	n := len(t.levels)
	if n == 0 {
		return t.xid, nil
	}
	sub, err := t.m.allocXid(ctx, t.xid)
	if err != nil {
		return 0, err
	}
	lv := &t.levels[n-1]
	lv.xid = sub
	lv.xids = append(lv.xids, sub)
	t.subs = append(t.subs, sub) // xids grow: subs stays sorted
	return sub, nil
}

// Snapshot returns the snapshot for the current statement: in Read Committed
// a new one per call (call it once per statement), in Repeatable Read the
// transaction's first one. Its Cid is the current command id; its Xid is
// Xid(), or the top-level xid when the current level has none yet (any
// live xid of the transaction identifies it, see Manager.Visible).
func (t *Tx) Snapshot() Snapshot {
	lsn := t.snap
	if lsn == 0 || t.iso == ReadCommitted {
		// Take and register under the manager's lock, so that Horizon never
		// passes a snapshot in use.
		t.m.mu.Lock()
		lsn = max(t.m.log.VDL(), t.dep)
		t.snapLSN.Store(uint64(lsn))
		t.m.mu.Unlock()
		if t.iso == RepeatableRead {
			t.snap = lsn
		}
	}
	xid := t.Xid()
	if xid == InvalidXid {
		xid = t.xid
	}
	return Snapshot{LSN: lsn, Xid: xid, Cid: t.cid}
}

// NextCommand advances the command id (between statements).
func (t *Tx) NextCommand() error {
	if t.cid == ^uint32(0) {
		return &Error{Code: "54000", Message: "cannot have more than 2^32-1 commands in a transaction"}
	}
	t.cid++
	return nil
}

func (t *Tx) end() {
	t.done = true
	t.m.mu.Lock()
	delete(t.m.txs, t)
	t.m.mu.Unlock()
}

// Commit commits the transaction: for a transaction with an xid, one MTR on
// its clog pages that commits the top-level xid and every live sub-xid at
// one commit LSN (whatever savepoints are still open: COMMIT releases
// them), and a wait until that is durable. Row-lock waiters are woken as
// soon as the commit record is logged (before it is durable): their commits
// come later in the log, and their snapshots read at this commit.
func (t *Tx) Commit(ctx context.Context) error {
	if t.done {
		return ErrTxDone
	}
	defer t.end()
	if t.xid == InvalidXid {
		return nil
	}
	m := t.m
	xid := t.xid
	xids := append([]uint64{xid}, t.subs...)
	_, end, err := m.writeCommit(ctx, xids, func(c redo.LSN) {
		for _, x := range xids {
			m.statusSlot(x).Store(uint64(c))
		}
	})
	if err != nil {
		for _, x := range xids {
			m.finish(x, abortedLSN)
		}
		return err
	}
	// Early lock release: row-lock waiters go on as soon as the commit
	// record is in the log, not after it is durable. Whatever they then
	// write gets later LSNs, so their own commits become durable only after
	// this one, and they acknowledge nothing before; the snapshots they
	// take meanwhile read at this commit's LSN (Tx.dep). Holding the lock
	// through the storage round trip serialized every update of a hot row
	// (pgbench's branch row) on one quorum write each.
	for _, x := range t.subs {
		m.finish(x, 0)
	}
	m.finish(xid, 0)
	err = m.log.WaitDurable(ctx, end)
	if err != nil {
		return fmt.Errorf("txn: commit of xid %d not confirmed durable: %w", xid, err)
	}
	return nil
}

// Abort aborts the transaction. Nothing is written: its row versions are
// dead because its xid never commits.
func (t *Tx) Abort() {
	if t.done {
		return
	}
	t.end()
	for _, x := range t.subs {
		t.m.finish(x, abortedLSN)
	}
	if t.xid != InvalidXid {
		t.m.finish(t.xid, abortedLSN)
	}
}

// Done reports whether the transaction has committed or aborted.
func (t *Tx) Done() bool { return t.done }

// Manager returns the transaction's manager.
func (t *Tx) Manager() *Manager { return t.m }
