package txn

import (
	"fmt"
	"slices"
)

// savepoint is one level of a transaction's savepoint stack.
type savepoint struct {
	name string
	// xid is the level's own sub-xid, InvalidXid until its first write.
	xid uint64
	// xids are the sub-xids that a rollback to this savepoint aborts: xid
	// and those of savepoints released into this one.
	xids []uint64
}

// Savepoint establishes a savepoint named name (SAVEPOINT name): a new
// subtransaction nested in the current one. Writes after it use a sub-xid
// of its own (assigned on its first write, see AssignXid), so that
// RollbackTo can make exactly them aborted. A name may repeat: the newest
// savepoint of that name shadows the older ones until it is released.
// Nothing is written to the log.
func (t *Tx) Savepoint(name string) error {
	if t.done {
		return ErrTxDone
	}
	t.levels = append(t.levels, savepoint{name: name})
	return nil
}

// find returns the index of the innermost savepoint named name, or a 3B001
// *Error.
func (t *Tx) find(name string) (int, error) {
	for i := len(t.levels) - 1; i >= 0; i-- {
		if t.levels[i].name == name {
			return i, nil
		}
	}
	return 0, &Error{Code: CodeInvalidSavepoint, Message: fmt.Sprintf("savepoint \"%s\" does not exist", name)}
}

// RollbackTo rolls the transaction back to the innermost savepoint named
// name (ROLLBACK TO SAVEPOINT name): every sub-xid of that savepoint and of
// the savepoints established after it (released into it or not) is aborted
// at once, in memory (nothing is logged: an xid that never commits is
// aborted, after a crash too). Their row versions become invisible to
// everyone, the transaction included; the row locks they took are
// released and transactions waiting on them wake up. The savepoints inside
// it are destroyed; the savepoint itself stays, as a fresh subtransaction.
// An unknown name is a 3B001 *Error and changes nothing.
func (t *Tx) RollbackTo(name string) error {
	if t.done {
		return ErrTxDone
	}
	i, err := t.find(name)
	if err != nil {
		return err
	}
	var dead []uint64
	for _, lv := range t.levels[i:] {
		dead = append(dead, lv.xids...)
	}
	slices.Sort(dead)
	t.subs = slices.DeleteFunc(t.subs, func(x uint64) bool {
		_, found := slices.BinarySearch(dead, x)
		return found
	})
	for _, x := range dead {
		t.m.finish(x, abortedLSN)
	}
	clear(t.levels[i+1:])
	t.levels = t.levels[:i+1]
	t.levels[i] = savepoint{name: name}
	return nil
}

// Release releases the innermost savepoint named name and every savepoint
// established after it (RELEASE SAVEPOINT name). Their sub-xids stay live:
// they now belong to the enclosing savepoint (aborted if that one is
// rolled back) or, at the outermost level, to the transaction, and commit
// with it. An unknown name is a 3B001 *Error and changes nothing.
func (t *Tx) Release(name string) error {
	if t.done {
		return ErrTxDone
	}
	i, err := t.find(name)
	if err != nil {
		return err
	}
	if i > 0 {
		parent := &t.levels[i-1]
		for _, lv := range t.levels[i:] {
			parent.xids = append(parent.xids, lv.xids...)
		}
	}
	clear(t.levels[i:])
	t.levels = t.levels[:i]
	return nil
}

// Savepoints returns the names of the open savepoints, outermost first. The
// last one is the current subtransaction: after an error inside a
// savepoint, the session rolls back to it (RollbackTo of the last name),
// which releases the failed subtransaction's row locks at once, as
// PostgreSQL aborts the failed subtransaction.
func (t *Tx) Savepoints() []string {
	out := make([]string, len(t.levels))
	for i, lv := range t.levels {
		out[i] = lv.name
	}
	return out
}
