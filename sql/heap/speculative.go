package heap

import (
	"context"
	"fmt"

	"github.com/borealis-db/borealis/sql/txn"
)

// SuperDelete kills the version at tid that tx inserted and nobody has
// modified since (PostgreSQL's heap_abort_speculative): its xmin becomes
// InvalidXid, so it is dead to every snapshot at once — tx's own included —
// and prunable, without aborting tx. INSERT ... ON CONFLICT uses it when its
// speculatively inserted row met a conflicting key in an arbiter index:
// other inserters checking that key never wait for tx because of it.
func (h *Heap) SuperDelete(ctx context.Context, tx *txn.Tx, tid TID) error {
	f, err := h.pin(ctx, tid.Page)
	if err != nil {
		return err
	}
	defer h.pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return err
	}
	hd, _, found := tupleAt(pg, int(tid.Slot))
	if !found {
		return fmt.Errorf("heap: super-delete %s: %w", tid, ErrNotFound)
	}
	if !tx.Owns(hd.Xmin) || hd.Xmax != txn.InvalidXid {
		return fmt.Errorf("heap: super-delete %s: not an unmodified version of this transaction (xmin %d, xmax %d)", tid, hd.Xmin, hd.Xmax)
	}
	var zero [8]byte
	m := h.pool.Begin()
	err = m.PatchItem(f, int(tid.Slot), offXmin, zero[:])
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("heap: super-delete %s: %w", tid, err)
	}
	return nil
}
