package exec

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// bulkEntry is one index entry of a bulk build.
type bulkEntry struct {
	key  []byte
	tid  heap.TID
	seq  int  // position in the heap scan
	null bool // a NULL key column: never a unique conflict
}

func cmpBulk(a, b bulkEntry) int {
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.tid.Page != b.tid.Page:
		return cmpU64(uint64(a.tid.Page), uint64(b.tid.Page))
	default:
		return cmpU64(uint64(a.tid.Slot), uint64(b.tid.Slot))
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fillIndex fills the new, empty index ix of w.t from heap h: it collects
// the (key, TID) of every version that is or may become live, checks
// uniqueness on the sorted entries and builds the tree bottom-up
// (btree.Build) instead of inserting entry by entry.
//
// The unique check gives the answers of inserting in heap scan order with
// the per-row check (writer.indexInsert): there every entry of a key is
// checked with writer.conflicts against each entry of the key inserted
// before it, so the entries checked are all but the key's last in scan
// order, and the conflict reported is the one the scan would have met
// first.
func (w *writer) fillIndex(c *Ctx, h *heap.Heap, ix *catalog.Index) error {
	var ents []bulkEntry
	sc := h.Scan(c.Ctx, nil)
	mgr := c.DB.Mgr
	for sc.Next() {
		hd := sc.Header()
		if dead, err := deadToAll(mgr, c.Tx, hd); err != nil {
			return err
		} else if dead {
			continue
		}
		vals, err := types.DecodeTuple(sc.Data(), w.types, nil)
		if err != nil {
			return err
		}
		if ix.Primary {
			for _, col := range ix.Columns {
				if vals[col].IsNull() {
					return &types.Error{Code: CodeNotNullViolation,
						Message: fmt.Sprintf("column %q of relation %q contains null values", w.t.Columns[col].Name, w.t.Name)}
				}
			}
		}
		ents = append(ents, bulkEntry{key: indexKey(w.t, ix, vals), tid: sc.TID(), seq: len(ents), null: hasNullKey(ix, vals)})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	slices.SortFunc(ents, cmpBulk)
	if ix.Unique {
		if err := w.checkBulkUnique(c, h, ix, ents); err != nil {
			if te, ok := err.(*types.Error); ok && te.Code == CodeUniqueViolation {
				te.Message = fmt.Sprintf("could not create unique index %q", ix.Name)
				te.Detail = strings.Replace(te.Detail, "already exists", "is duplicated", 1)
			}
			return err
		}
	}
	i := 0
	err := c.DB.treeOf(ix).Build(c.Ctx, func() ([]byte, heap.TID, bool, error) {
		if i >= len(ents) {
			return nil, heap.TID{}, false, nil
		}
		e := ents[i]
		ents[i].key = nil // let the collected keys go as the build proceeds
		i++
		return e.key, e.tid, true, nil
	})
	return err // as the per-row path: btree.ErrKeyTooLong as is
}

// checkBulkUnique runs the unique check over entries sorted by (key, TID):
// for each key with several non-NULL entries, every entry but the last in
// scan order is checked (waiting for in-progress transactions as the
// per-row path does). Entry by entry, a conflicting entry D fails the
// insertion of the key's next entry after D in scan order; the conflict
// returned is the one with the earliest such failing insertion.
func (w *writer) checkBulkUnique(c *Ctx, h *heap.Heap, ix *catalog.Index, ents []bulkEntry) error {
	var firstErr error
	failSeq := -1 // scan position of the failing insertion so far
	var group []bulkEntry
	for i := 0; i < len(ents); {
		j := i + 1
		for j < len(ents) && bytes.Equal(ents[j].key, ents[i].key) {
			j++
		}
		if j-i < 2 || ents[i].null {
			i = j
			continue
		}
		group = append(group[:0], ents[i:j]...)
		slices.SortFunc(group, func(a, b bulkEntry) int { return a.seq - b.seq })
		for k, e := range group[:len(group)-1] {
			if failSeq >= 0 && group[k+1].seq >= failSeq {
				break // cannot fail earlier than the conflict in hand
			}
			err := w.conflictsWaiting(c, h, ix, e.key, e.tid)
			if err != nil {
				var te *types.Error
				if !errors.As(err, &te) || te.Code != CodeUniqueViolation {
					return err
				}
				firstErr, failSeq = err, group[k+1].seq
				break
			}
		}
		i = j
	}
	return firstErr
}

// conflictsWaiting is writer.conflicts, waiting out (and re-checking after)
// transactions in progress.
func (w *writer) conflictsWaiting(c *Ctx, h *heap.Heap, ix *catalog.Index, key []byte, tid heap.TID) error {
	for {
		err := w.conflicts(c, h, ix, key, tid)
		var we *waitErr
		if !errors.As(err, &we) {
			return err
		}
		if err := c.DB.Mgr.WaitFor(c.Ctx, c.Tx, we.xid); err != nil {
			return err
		}
	}
}
