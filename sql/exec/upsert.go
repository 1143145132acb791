package exec

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// INSERT ... ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO
// UPDATE SET ... [WHERE ...].
//
// Before inserting a row, the arbiter unique indexes are probed for a
// conflicting row with the uniqueness check's view (heap.FetchDirty): a
// row whose inserter or deleter is still in progress is waited for, then
// the probe is repeated, as PostgreSQL does. DO NOTHING skips the row; DO
// UPDATE locks the conflicting row's newest version (starting over when a
// concurrent transaction changed or deleted it), refuses a row this
// command already inserted or updated (21000), evaluates WHERE and SET
// over the existing row and the proposed one (excluded), and updates it
// through the writer. When the probe finds nothing, the row is inserted
// speculatively (speculate): heap tuple, then the arbiter indexes' entries
// with a unique check that reports a conflict instead of raising 23505 or
// waiting; on a conflict (a concurrent inserter got the key first) the
// tuple is super-deleted (heap.SuperDelete: dead to everyone, the
// transaction goes on), the other inserter is waited for if in progress,
// and the probe runs again, as PostgreSQL's speculative insertion does. So
// DO NOTHING never raises 23505 for an arbiter key, and DO UPDATE updates
// the winner's row.

type upsert struct {
	t        *catalog.Table
	arbiters []*catalog.Index
	doUpdate bool
	sets     []upsertSet
	where    expr // over existing ++ excluded
}

type upsertSet struct {
	col int
	e   expr
}

// onConflict plans s's ON CONFLICT clause (nil when there is none).
func (b *builder) onConflict(s *ast.Insert, t *catalog.Table, w *writer) (*upsert, error) {
	oc := s.OnConflict
	if oc == nil {
		return nil, nil
	}
	u := &upsert{t: t, doUpdate: oc.DoUpdate}
	switch {
	case oc.TargetWhere != nil:
		return nil, unsupported("ON CONFLICT with a partial index predicate is not supported")
	case oc.Constraint != "":
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			if ix.Name == oc.Constraint && (ix.Constraint || ix.Primary) {
				u.arbiters = append(u.arbiters, ix)
			}
		}
		if u.arbiters == nil {
			return nil, errf(CodeUndefinedObject, "constraint %q for table %q does not exist", oc.Constraint, t.Name)
		}
	case len(oc.Columns) > 0:
		var cols []int
		for _, name := range oc.Columns {
			i := t.Column(name)
			if i < 0 {
				return nil, errf(CodeUndefinedColumn, "column %q does not exist", name)
			}
			cols = append(cols, i)
		}
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			if !ix.Unique || len(ix.Columns) != len(cols) {
				continue
			}
			if m, _ := indexOn(&catalog.Table{Indexes: []catalog.Index{*ix}}, cols); m != nil {
				u.arbiters = append(u.arbiters, ix)
			}
		}
		if u.arbiters == nil {
			return nil, errf(CodeInvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	default:
		if oc.DoUpdate {
			return nil, errf(types.CodeSyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name")
		}
		for i := range t.Indexes {
			if t.Indexes[i].Unique {
				u.arbiters = append(u.arbiters, &t.Indexes[i])
			}
		}
	}
	if !oc.DoUpdate {
		return u, nil
	}
	sc := &scope{cols: append(tableColumns(t, s.Alias), tableColumns(t, "excluded")...)}
	for _, set := range oc.Set {
		i := t.Column(set.Column)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q of relation %q does not exist", set.Column, t.Name)
		}
		if set.Indirect {
			return nil, unsupported("subscripts and field selection in SET")
		}
		var e expr
		var err error
		if _, ok := set.Expr.(*ast.Default); ok {
			e = w.defaults[i]
			if e == nil {
				e = &constExpr{d: types.Null, t: t.Columns[i].Type}
			}
		} else {
			if b.cp.hasAggregate(set.Expr) {
				return nil, errf(CodeGrouping, "aggregate functions are not allowed in UPDATE")
			}
			if containsSRF(set.Expr) {
				return nil, srfError("set-returning functions are not allowed in UPDATE")
			}
			if e, err = b.cp.expr(set.Expr, sc); err != nil {
				return nil, err
			}
			if e, err = b.cp.coerce(e, t.Columns[i].Type, types.CoerceAssignment); err != nil {
				return nil, err
			}
		}
		u.sets = append(u.sets, upsertSet{i, e})
	}
	if oc.Where != nil {
		var err error
		if u.where, err = b.cp.predicate(oc.Where, sc, "WHERE"); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// insert inserts vals, or takes the conflict action. It returns the row
// inserted or updated, or nil when nothing was (DO NOTHING, or the DO
// UPDATE's WHERE was false).
func (u *upsert) insert(c *Ctx, w *writer, vals []types.Datum) ([]types.Datum, error) {
	h, err := c.DB.heapOf(u.t)
	if err != nil {
		return nil, err
	}
	for {
		tid, found, wait, err := u.probe(c, w, h, vals)
		if err != nil {
			return nil, err
		}
		if wait != txn.InvalidXid {
			if err := c.DB.Mgr.WaitFor(c.Ctx, c.Tx, wait); err != nil {
				return nil, err
			}
			continue
		}
		if !found {
			done, wait, err := u.speculate(c, w, h, vals)
			if err != nil {
				return nil, err
			}
			if !done {
				if wait != txn.InvalidXid {
					if err := c.DB.Mgr.WaitFor(c.Ctx, c.Tx, wait); err != nil {
						return nil, err
					}
				}
				continue // a conflicting row appeared: probe again
			}
			return vals, nil
		}
		if !u.doUpdate {
			return nil, nil
		}
		if c.Tx.Isolation() == txn.RepeatableRead {
			hd, _, ok, err := h.Fetch(c.Ctx, tid, nil, nil)
			if err != nil || !ok {
				return nil, err
			}
			vis, err := c.DB.Mgr.Visible(hd.Xmin, hd.Xmax, hd.Cmin, hd.Cmax, hd.LockOnly(), &c.Snap)
			if err != nil {
				return nil, err
			}
			if !vis && !c.Tx.Owns(hd.Xmin) {
				return nil, &txn.Error{Code: txn.CodeSerializationFailure, Message: "could not serialize access due to concurrent update"}
			}
		}
		ltid, data, ok, err := h.LockLatestWith(c.Ctx, c.Tx, tid, &c.Snap, nil, u.lockMode())
		if err != nil {
			return nil, err
		}
		if !ok || ltid != tid {
			continue // changed or deleted meanwhile: probe again
		}
		hd, _, _, err := h.Fetch(c.Ctx, ltid, nil, nil)
		if err != nil {
			return nil, err
		}
		if c.Tx.Owns(hd.Xmin) && hd.Cmin == c.Tx.CommandID() {
			return nil, &types.Error{Code: CodeCardinalityViolation,
				Message: "ON CONFLICT DO UPDATE command cannot affect row a second time",
				Hint:    "Ensure that no rows proposed for insertion within the same command have duplicate constrained values."}
		}
		existing, err := types.DecodeTuple(data, w.types, nil)
		if err != nil {
			return nil, err
		}
		full := append(append([]types.Datum(nil), existing...), vals...)
		if u.where != nil {
			ok, err := truthy(c, u.where, full)
			if err != nil || !ok {
				return nil, err
			}
		}
		nv := append([]types.Datum(nil), existing...)
		for _, s := range u.sets {
			d, err := s.e.eval(c, full)
			if err != nil {
				return nil, err
			}
			nv[s.col] = d
		}
		_, tm, err := w.updateRow(c, ltid, existing, nv)
		if err != nil {
			return nil, err
		}
		if tm.Result != heap.OK {
			return nil, fmt.Errorf("on conflict update of %s: locked row version %s changed (%s)", u.t.Name, ltid, tm.Result)
		}
		return nv, nil
	}
}

// probe looks for a row conflicting with vals in the arbiter indexes: its
// TID, or a transaction to wait for.
func (u *upsert) probe(c *Ctx, w *writer, h *heap.Heap, vals []types.Datum) (heap.TID, bool, uint64, error) {
	own := c.Tx.Xid()
	for _, ix := range u.arbiters {
		if hasNullKey(ix, vals) {
			continue
		}
		key := indexKey(u.t, ix, vals)
		tids, err := c.DB.treeOf(ix).Lookup(c.Ctx, key)
		if err != nil {
			return heap.TID{}, false, 0, fmt.Errorf("index %s: %w", ix.Name, err)
		}
		for _, tid := range tids {
			d, err := h.FetchDirty(c.Ctx, tid, own, nil)
			if err != nil {
				return heap.TID{}, false, 0, err
			}
			if d.WaitXid != txn.InvalidXid {
				return heap.TID{}, false, d.WaitXid, nil
			}
			if !d.Found {
				continue
			}
			row, err := types.DecodeTuple(d.Data, w.types, nil)
			if err != nil {
				return heap.TID{}, false, 0, err
			}
			if bytes.Equal(indexKey(u.t, ix, row), key) {
				return d.TID, true, 0, nil
			}
		}
	}
	return heap.TID{}, false, 0, nil
}

// specConflict is the arbiter indexes' unique check answer during a
// speculative insertion: a conflicting row exists (xid: its inserter or
// deleter still in progress, to wait for; InvalidXid: committed).
type specConflict struct{ xid uint64 }

func (e *specConflict) Error() string {
	return fmt.Sprintf("speculative insertion conflict (transaction %d)", e.xid)
}

// isArbiter reports whether ix is one of u's arbiter indexes.
func (u *upsert) isArbiter(ix *catalog.Index) bool {
	for _, a := range u.arbiters {
		if a.Name == ix.Name {
			return true
		}
	}
	return false
}

// speculate inserts vals as the writer's insert does, with the arbiter
// indexes' entries first and their unique check turned into a conflict
// report. It returns true when the row is in; false (and the transaction
// to wait for, if any) when an arbiter index already held the key: the
// tuple is then super-deleted and the caller probes again.
func (u *upsert) speculate(c *Ctx, w *writer, h *heap.Heap, vals []types.Datum) (bool, uint64, error) {
	if err := w.checkRow(c, vals); err != nil {
		return false, 0, err
	}
	data, err := types.AppendTuple(nil, w.types, vals)
	if err != nil {
		return false, 0, err
	}
	tid, err := h.Insert(c.Ctx, c.Tx, data)
	if err != nil {
		return false, 0, rowErr(err)
	}
	for _, ix := range u.arbiters {
		err := u.arbiterInsert(c, w, h, ix, vals, tid)
		var sc *specConflict
		if errors.As(err, &sc) {
			if err := h.SuperDelete(c.Ctx, c.Tx, tid); err != nil {
				return false, 0, err
			}
			return false, sc.xid, nil
		}
		if err != nil {
			return false, 0, err
		}
	}
	for i := range w.t.Indexes {
		ix := &w.t.Indexes[i]
		if u.isArbiter(ix) {
			continue
		}
		if err := w.indexInsert(c, ix, vals, tid, true); err != nil {
			return false, 0, err
		}
	}
	return true, 0, w.checkParents(c, vals, nil)
}

// arbiterInsert adds vals's entry to the arbiter index ix; an existing
// live or possibly live row with the key is a *specConflict.
func (u *upsert) arbiterInsert(c *Ctx, w *writer, h *heap.Heap, ix *catalog.Index, vals []types.Datum, tid heap.TID) error {
	if hasNullKey(ix, vals) {
		return w.indexInsert(c, ix, vals, tid, false)
	}
	key := indexKey(w.t, ix, vals)
	err := c.DB.treeOf(ix).Insert(c.Ctx, key, tid, func(existing heap.TID) error {
		if existing == tid {
			return nil
		}
		err := w.conflicts(c, h, ix, key, existing)
		var we *waitErr
		var te *types.Error
		switch {
		case errors.As(err, &we):
			return &specConflict{xid: we.xid}
		case errors.As(err, &te) && te.Code == CodeUniqueViolation:
			return &specConflict{}
		}
		return err
	})
	if err != nil {
		var sc *specConflict
		if errors.As(err, &sc) {
			return err
		}
		return fmt.Errorf("index %s: %w", ix.Name, err)
	}
	return nil
}

// lockMode is the strength DO UPDATE locks the conflicting row with:
// FOR UPDATE when SET assigns a column of a unique index, else FOR NO KEY
// UPDATE (PostgreSQL's ExecUpdateLockMode).
func (u *upsert) lockMode() heap.LockMode {
	for _, s := range u.sets {
		for i := range u.t.Indexes {
			ix := &u.t.Indexes[i]
			if ix.Unique && slices.Contains(ix.Columns, s.col) {
				return heap.LockUpdate
			}
		}
	}
	return heap.LockNoKeyUpdate
}
