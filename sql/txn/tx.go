package txn

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/borealis-db/borealis/redo"
)

// Tx is one transaction. Its xid is assigned on the first write
// (AssignXid), so read-only transactions write nothing and never wait for the
// log. A Tx is used by one session at a time.
type Tx struct {
	m       *Manager
	iso     Isolation
	xid     uint64
	cid     uint32
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

// Xid returns the transaction id, InvalidXid before the first write.
func (t *Tx) Xid() uint64 { return t.xid }

// CommandID returns the current command id: row versions written now carry
// it, and the current statement's snapshot does not see them.
func (t *Tx) CommandID() uint32 { return t.cid }

// AssignXid gives the transaction its xid if it has none and returns it.
func (t *Tx) AssignXid(ctx context.Context) (uint64, error) {
	if t.done {
		return 0, ErrTxDone
	}
	if t.xid != InvalidXid {
		return t.xid, nil
	}
	xid, err := t.m.allocXid(ctx)
	if err != nil {
		return 0, err
	}
	t.xid = xid
	return xid, nil
}

// Snapshot returns the snapshot for the current statement: in Read Committed
// a new one per call (call it once per statement), in Repeatable Read the
// transaction's first one. Its Cid is the current command id.
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
	return Snapshot{LSN: lsn, Xid: t.xid, Cid: t.cid}
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
// its clog page and a wait until that is durable. Row-lock waiters are woken
// as soon as the commit record is logged (before it is durable): their
// commits come later in the log, and their snapshots read at this commit.
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
	slot := m.statusSlot(xid)
	_, end, err := m.writeCommit(ctx, xid, func(c redo.LSN) { slot.Store(uint64(c)) })
	if err != nil {
		m.finish(xid, abortedLSN)
		return err
	}
	// Early lock release: row-lock waiters go on as soon as the commit
	// record is in the log, not after it is durable. Whatever they then
	// write gets later LSNs, so their own commits become durable only after
	// this one, and they acknowledge nothing before; the snapshots they
	// take meanwhile read at this commit's LSN (Tx.dep). Holding the lock
	// through the storage round trip serialized every update of a hot row
	// (pgbench's branch row) on one quorum write each.
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
	if t.xid != InvalidXid {
		t.m.finish(t.xid, abortedLSN)
	}
}

// Done reports whether the transaction has committed or aborted.
func (t *Tx) Done() bool { return t.done }

// Manager returns the transaction's manager.
func (t *Tx) Manager() *Manager { return t.m }
