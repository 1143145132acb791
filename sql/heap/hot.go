package heap

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/txn"
)

// FetchIndexed returns the version an index entry's tid leads to that snap
// sees: it follows a redirect stub and the HOT chain on the page. It returns
// that version's TID, header and data (appended to dst); ok is false when
// no member of the chain is visible or the entry leads nowhere (pruned).
func (h *Heap) FetchIndexed(ctx context.Context, tid TID, snap *txn.Snapshot, dst []byte) (TID, Header, []byte, bool, error) {
	f, err := h.pin(ctx, tid.Page)
	if err != nil {
		return tid, Header{}, dst, false, err
	}
	defer h.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return tid, Header{}, dst, false, err
	}
	slot := int(tid.Slot)
	if it, ok := pg.Item(slot); ok {
		if t, ok := redirectOf(it); ok {
			slot = t
		}
	}
	var prevXmax uint64
	for hop := 0; hop <= pg.ItemCount(); hop++ {
		hd, d, ok := tupleAt(pg, slot)
		if !ok {
			return tid, Header{}, dst, false, nil
		}
		if hop > 0 && (!hd.HeapOnly() || hd.Xmin != prevXmax) {
			return tid, Header{}, dst, false, nil // chain broken: slot reused
		}
		vis, err := h.mgr.Visible(hd.Xmin, hd.Xmax, hd.Cmin, hd.Cmax, hd.LockOnly(), snap)
		if err != nil {
			return tid, Header{}, dst, false, err
		}
		if vis {
			return TID{Page: tid.Page, Slot: uint16(slot)}, hd, append(dst, d...), true, nil
		}
		if !hd.HotUpdated() || hd.CTID.Page != tid.Page {
			return tid, Header{}, dst, false, nil
		}
		prevXmax, slot = hd.Xmax, int(hd.CTID.Slot)
	}
	return tid, Header{}, dst, false, fmt.Errorf("heap: HOT chain at %s loops", tid)
}

// pruneActions computes the pruning of a page: for every HOT-chain root
// (an indexed version or a redirect) that is dead, a redirect to the
// chain's first live member or a dead stub; every dead heap-only version is
// freed (no index points at it). dead[i] says whether item i is a dead
// version.
type pruneAction struct {
	slot     int
	kind     byte // stubDead, stubRedirect, or 0: free (KillItem)
	redirect int
}

func (h *Heap) planPrune(pg *redo.Page, horizon redo.LSN) ([]pruneAction, error) {
	n := pg.ItemCount()
	if n == 0 {
		return nil, nil
	}
	dead := make([]bool, n)
	isTuple := make([]bool, n)
	any := false
	for i := 0; i < n; i++ {
		hd, _, ok := tupleAt(pg, i)
		if !ok {
			continue
		}
		isTuple[i] = true
		d, err := h.mgr.Dead(hd.Xmin, hd.Xmax, hd.LockOnly(), horizon)
		if err != nil {
			return nil, err
		}
		dead[i] = d
		any = any || d
	}
	if !any {
		return nil, nil
	}
	// firstLive walks a chain from slot and returns its first live member
	// (-1: none).
	firstLive := func(slot int, hop0 bool) int {
		var prevXmax uint64
		for hop := 0; hop <= n; hop++ {
			if slot < 0 || slot >= n || !isTuple[slot] {
				return -1
			}
			hd, _, _ := tupleAt(pg, slot)
			if (hop > 0 || !hop0) && !hd.HeapOnly() {
				return -1
			}
			if hop > 0 && hd.Xmin != prevXmax {
				return -1
			}
			if !dead[slot] {
				return slot
			}
			if !hd.HotUpdated() || hd.CTID.Page != pg.ID() {
				return -1
			}
			prevXmax, slot = hd.Xmax, int(hd.CTID.Slot)
		}
		return -1
	}
	var acts []pruneAction
	for i := 0; i < n; i++ {
		it, ok := pg.Item(i)
		if !ok {
			continue
		}
		if target, ok := redirectOf(it); ok {
			l := firstLive(target, false)
			switch {
			case l < 0:
				acts = append(acts, pruneAction{slot: i, kind: stubDead})
			case l != target:
				acts = append(acts, pruneAction{slot: i, kind: stubRedirect, redirect: l})
			}
			continue
		}
		if !isTuple[i] {
			continue
		}
		hd, _, _ := tupleAt(pg, i)
		if hd.HeapOnly() {
			if dead[i] {
				acts = append(acts, pruneAction{slot: i})
			}
			continue
		}
		if !dead[i] {
			continue
		}
		if l := firstLive(i, true); l >= 0 {
			acts = append(acts, pruneAction{slot: i, kind: stubRedirect, redirect: l})
		} else {
			acts = append(acts, pruneAction{slot: i, kind: stubDead})
		}
	}
	return acts, nil
}

func stubItem(a pruneAction) []byte {
	if a.kind == stubRedirect {
		return binary.LittleEndian.AppendUint16([]byte{stubRedirect}, uint16(a.redirect))
	}
	return []byte{stubDead}
}

// Dirty is what FetchDirty found.
type Dirty struct {
	// Found: a version that holds the row for uniqueness purposes (its
	// creator committed or is own, and it is not deleted by a committed or
	// own command).
	Found  bool
	TID    TID
	Header Header
	Data   []byte
	// WaitXid, when not zero: a transaction in progress decides whether
	// the row exists (its inserter or deleter); wait for it and retry.
	WaitXid uint64
}

// FetchDirty is the unique check's view of an index entry (PostgreSQL's
// dirty snapshot): it follows the entry's redirect and HOT chain and
// returns the member that holds the row, or the transaction to wait for.
// own is the checking transaction's xid. Callers re-check the key on the
// returned data (slots are reused after VACUUM).
func (h *Heap) FetchDirty(ctx context.Context, tid TID, own uint64, dst []byte) (Dirty, error) {
	f, err := h.pin(ctx, tid.Page)
	if err != nil {
		return Dirty{}, err
	}
	defer h.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return Dirty{}, err
	}
	slot := int(tid.Slot)
	if it, ok := pg.Item(slot); ok {
		if t, ok := redirectOf(it); ok {
			slot = t
		}
	}
	var prevXmax uint64
	for hop := 0; hop <= pg.ItemCount(); hop++ {
		hd, d, ok := tupleAt(pg, slot)
		if !ok || (hop > 0 && (!hd.HeapOnly() || hd.Xmin != prevXmax)) {
			return Dirty{}, nil
		}
		if hd.Xmin != own || own == txn.InvalidXid {
			st, _, err := h.mgr.CommitLSN(hd.Xmin)
			if err != nil {
				return Dirty{}, err
			}
			switch st {
			case txn.Aborted:
				return Dirty{}, nil
			case txn.InProgress:
				if !h.mgr.SameTx(own, hd.Xmin) {
					return Dirty{WaitXid: hd.Xmin}, nil
				}
			}
		}
		gone := false
		if hd.Xmax != txn.InvalidXid && !hd.LockOnly() {
			if hd.Xmax == own && own != txn.InvalidXid {
				gone = true
			} else {
				st, _, err := h.mgr.CommitLSN(hd.Xmax)
				if err != nil {
					return Dirty{}, err
				}
				switch {
				case st == txn.Committed || h.mgr.SameTx(own, hd.Xmax):
					gone = true
				case st == txn.InProgress:
					return Dirty{WaitXid: hd.Xmax}, nil
				}
			}
		}
		if !gone {
			return Dirty{Found: true, TID: TID{Page: tid.Page, Slot: uint16(slot)}, Header: hd, Data: append(dst, d...)}, nil
		}
		if !hd.HotUpdated() || hd.CTID.Page != tid.Page {
			return Dirty{}, nil
		}
		prevXmax, slot = hd.Xmax, int(hd.CTID.Slot)
	}
	return Dirty{}, fmt.Errorf("heap: HOT chain at %s loops", tid)
}
