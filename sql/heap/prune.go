package heap

import (
	"context"
	"fmt"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// pruneLocked prunes the X-latched page f in one MTR (see planPrune):
// dead indexed versions become dead stubs or redirects to their chain's
// first live member, dead heap-only versions are freed, and the page is
// compacted. A version is dead when its creator aborted or its deleter
// committed at or below the manager's horizon.
func (h *Heap) pruneLocked(f *buffer.Frame) error {
	acts, err := h.planPrune(f.Page(), h.mgr.Horizon())
	if err != nil || len(acts) == 0 {
		return err
	}
	m := h.pool.Begin()
	for _, a := range acts {
		if a.kind == 0 {
			err = m.KillItem(f, a.slot)
		} else {
			err = m.OverwriteItem(f, a.slot, stubItem(a))
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = m.Compact(f)
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("heap: prune page %d: %w", f.ID(), err)
	}
	return nil
}

// VacuumStats reports what Vacuum did.
type VacuumStats struct {
	Pages   int // pages visited
	Pruned  int // versions turned into stubs in this run
	Freed   int // stubs turned into reusable slots
	Live    int // versions left (live or not yet removable)
	FreeKiB int // free space on the heap's pages afterwards
}

// Vacuum prunes every page, then calls removeIndexEntries with the TIDs of
// all stubs (the caller deletes the index entries pointing at them), then
// turns those stubs into unused, reusable slots. removeIndexEntries may be
// nil for a table without indexes.
func (h *Heap) Vacuum(ctx context.Context, removeIndexEntries func([]TID) error) (VacuumStats, error) {
	var st VacuumStats
	var stubs []TID
	err := h.eachPageX(ctx, func(f *buffer.Frame) error {
		st.Pages++
		before := countStubs(f.Page())
		if err := h.pruneLocked(f); err != nil {
			return err
		}
		pg := f.Page()
		st.Pruned += countStubs(pg) - before
		for i, n := 0, pg.ItemCount(); i < n; i++ {
			if it, ok := pg.Item(i); ok && len(it) == 1 && it[0] == stubDead {
				stubs = append(stubs, TID{Page: f.ID(), Slot: uint16(i)})
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	if len(stubs) > 0 && removeIndexEntries != nil {
		if err := removeIndexEntries(stubs); err != nil {
			return st, fmt.Errorf("heap: vacuum: remove index entries: %w", err)
		}
	}
	set := make(map[TID]bool, len(stubs))
	for _, t := range stubs {
		set[t] = true
	}
	err = h.eachPageX(ctx, func(f *buffer.Frame) error {
		pg := f.Page()
		var m *buffer.MTR
		var err error
		for i, n := 0, pg.ItemCount(); i < n && err == nil; i++ {
			it, ok := pg.Item(i)
			if ok && len(it) == 1 && it[0] == stubDead && set[TID{Page: f.ID(), Slot: uint16(i)}] {
				if m == nil {
					m = h.pool.Begin()
				}
				err = m.KillItem(f, i)
				st.Freed++
			} else if ok && len(it) >= HeaderSize {
				st.Live++
			}
		}
		if m != nil {
			if err == nil {
				err = m.Compact(f)
			}
			if _, e := m.End(); err == nil {
				err = e
			}
		}
		free := pg.FreeSpace()
		st.FreeKiB += free / 1024
		h.fsm.set(f.ID(), free)
		return err
	})
	return st, err
}

func countStubs(pg *redo.Page) int {
	n := 0
	for i, c := 0, pg.ItemCount(); i < c; i++ {
		if it, ok := pg.Item(i); ok && len(it) == 1 && it[0] == stubDead {
			n++
		}
	}
	return n
}

// eachPageX calls fn on every page of the chain, X-latched, one at a time.
func (h *Heap) eachPageX(ctx context.Context, fn func(f *buffer.Frame) error) error {
	id := h.root
	for n := 0; id != 0; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := h.pin(ctx, id)
		if err != nil {
			return err
		}
		f.Lock()
		err = checkHeapPage(f.Page())
		if err == nil {
			err = fn(f)
		}
		next := redo.PageID(0)
		if err == nil {
			next = nextOf(f.Page())
		}
		f.Unlock()
		h.pool.Unpin(f)
		if err != nil {
			return err
		}
		if next == id {
			return fmt.Errorf("heap: page %d links to itself", id)
		}
		id = next
	}
	return nil
}

// Prune prunes one page (tools, tests; inserts and updates prune on their
// own when a page runs short of space).
func (h *Heap) Prune(ctx context.Context, id redo.PageID) error {
	f, err := h.pin(ctx, id)
	if err != nil {
		return err
	}
	defer h.pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	if err := checkHeapPage(f.Page()); err != nil {
		return err
	}
	return h.pruneLocked(f)
}
