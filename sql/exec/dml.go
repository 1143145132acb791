package exec

import (
	"bytes"

	"errors"
	"fmt"
	"github.com/borealis-db/borealis/sql/ast"
	"math"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// waitErr asks the caller to wait for transaction xid and retry.
type waitErr struct{ xid uint64 }

func (e *waitErr) Error() string { return fmt.Sprintf("wait for transaction %d", e.xid) }

// writer writes rows of one table: heap plus index maintenance.
type writer struct {
	t        *catalog.Table
	types    []types.Type
	defaults []expr // per column; nil: NULL
	// Constraints (constraint.go).
	checks []checkCons
	refs   []*fkRef // foreign keys of t
	deps   []*fkDep // foreign keys on t
}

func (b *builder) newWriter(t *catalog.Table) (*writer, error) {
	w, err := b.newWriterOnly(t)
	if err != nil {
		return nil, err
	}
	return w, b.addConstraints(w)
}

// newWriterOnly is newWriter without the constraints.
func (b *builder) newWriterOnly(t *catalog.Table) (*writer, error) {
	w := &writer{t: t, types: t.Types(), defaults: make([]expr, len(t.Columns))}
	for i, c := range t.Columns {
		if c.Default == "" {
			continue
		}
		st, err := ast.ParseOne("SELECT " + c.Default)
		sel, ok := st.(*ast.Select)
		if err != nil || !ok || len(sel.Targets) != 1 {
			return nil, fmt.Errorf("default of %s.%s: %q does not parse", t.Name, c.Name, c.Default)
		}
		e, err := (&compiler{ps: &params{}, cat: b.cat, funcs: b.cp.funcs}).expr(sel.Targets[0].Expr, &scope{noAggs: "DEFAULT expressions"})
		if err != nil {
			return nil, err
		}
		if e, err = b.cp.coerce(e, c.Type, types.CoerceAssignment); err != nil {
			return nil, err
		}
		w.defaults[i] = e
	}
	return w, nil
}

func indexKey(t *catalog.Table, ix *catalog.Index, vals []types.Datum) []byte {
	var key []byte
	for _, col := range ix.Columns {
		if vals[col].IsNull() {
			key = append(key, 0x00) // NULLs first; never equal for uniqueness
			continue
		}
		key = append(key, 0x01)
		key = types.AppendKey(key, t.Columns[col].Type, vals[col], false)
	}
	return key
}

func hasNullKey(ix *catalog.Index, vals []types.Datum) bool {
	for _, col := range ix.Columns {
		if vals[col].IsNull() {
			return true
		}
	}
	return false
}

// insert adds a row version and its index entries.
func (w *writer) insert(c *Ctx, vals []types.Datum) (heap.TID, error) {
	if err := w.checkRow(c, vals); err != nil {
		return heap.TID{}, err
	}
	data, err := types.AppendTuple(nil, w.types, vals)
	if err != nil {
		return heap.TID{}, err
	}
	h, err := c.DB.heapOf(w.t)
	if err != nil {
		return heap.TID{}, err
	}
	tid, err := h.Insert(c.Ctx, c.Tx, data)
	if err != nil {
		return tid, rowErr(err)
	}
	for i := range w.t.Indexes {
		if err := w.indexInsert(c, &w.t.Indexes[i], vals, tid, true); err != nil {
			return tid, err
		}
	}
	return tid, w.checkParents(c, vals, nil)
}

func rowErr(err error) error {
	if errors.Is(err, heap.ErrTooBig) {
		return &types.Error{Code: "54000", Message: err.Error()}
	}
	return err
}

// indexInsert adds (key(vals), tid) to ix, checking uniqueness when asked.
func (w *writer) indexInsert(c *Ctx, ix *catalog.Index, vals []types.Datum, tid heap.TID, checkUnique bool) error {
	key := indexKey(w.t, ix, vals)
	tree := c.DB.treeOf(ix)
	var unique func(heap.TID) error
	if ix.Unique && checkUnique && !hasNullKey(ix, vals) {
		h, err := c.DB.heapOf(w.t)
		if err != nil {
			return err
		}
		unique = func(existing heap.TID) error {
			if existing == tid {
				return nil
			}
			return w.conflicts(c, h, ix, key, existing)
		}
	}
	for {
		err := tree.Insert(c.Ctx, key, tid, unique)
		var we *waitErr
		if errors.As(err, &we) {
			if err := c.DB.Mgr.WaitFor(c.Ctx, c.Tx, we.xid); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		return nil
	}
}

// conflicts reports whether the row version at existing holds key live (a
// unique violation), or may (a waitErr).
func (w *writer) conflicts(c *Ctx, h *heap.Heap, ix *catalog.Index, key []byte, existing heap.TID) error {
	mgr := c.DB.Mgr
	own := c.Tx.Xid()
	// Everything committed, plus this transaction's own work.
	all := txn.Snapshot{LSN: redo.LSN(math.MaxUint64), Xid: own, Cid: math.MaxUint32}
	_, hd, data, ok, err := h.FetchIndexed(c.Ctx, existing, &all, nil)
	if err != nil {
		return err
	}
	if !ok {
		// Nothing committed lives there; a version created by a transaction
		// still in progress may yet commit: wait for it.
		raw, _, _, err := h.Fetch(c.Ctx, existing, nil, nil)
		if errors.Is(err, heap.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !c.Tx.Owns(raw.Xmin) {
			st, _, err := mgr.CommitLSN(raw.Xmin)
			if err != nil {
				return err
			}
			if st == txn.InProgress {
				return &waitErr{xid: raw.Xmin}
			}
		}
		return nil
	}
	if hd.Xmax != txn.InvalidXid && !hd.LockOnly() && !c.Tx.Owns(hd.Xmax) {
		st, _, err := mgr.CommitLSN(hd.Xmax)
		if err != nil {
			return err
		}
		if st == txn.InProgress {
			return &waitErr{xid: hd.Xmax}
		}
	}
	vals, err := types.DecodeTuple(data, w.types, nil)
	if err != nil {
		return err
	}
	if !bytes.Equal(indexKey(w.t, ix, vals), key) {
		return nil // a reused slot: the entry is stale
	}
	var cols, vs []byte
	for i, col := range ix.Columns {
		if i > 0 {
			cols, vs = append(cols, ", "...), append(vs, ", "...)
		}
		cols = append(cols, w.t.Columns[col].Name...)
		vs = types.AppendText(vs, w.t.Columns[col].Type, vals[col], c.Env)
	}
	return &types.Error{Code: CodeUniqueViolation,
		Message: fmt.Sprintf("duplicate key value violates unique constraint %q", ix.Name),
		Detail:  fmt.Sprintf("Key (%s)=(%s) already exists.", cols, vs)}
}

// returning compiles a RETURNING list over the table's columns.
type returning struct {
	exprs []expr
	cols  []wire.Column
	sys   bool // rows carry the system columns after the table's (syscols.go)
}

func (b *builder) returning(list []*ast.Target, t *catalog.Table, alias string) (*returning, error) {
	if len(list) == 0 {
		return nil, nil
	}
	sc := &scope{cols: tableColumns(t, alias)}
	if b.sys {
		sc.cols = append(sc.cols, sysColumns(t, alias)...) // syscols.go
	}
	r, err := b.returningIn(list, sc)
	if r != nil {
		r.sys = b.sys
	}
	return r, err
}

// returningIn compiles a RETURNING list over the columns of sc.
func (b *builder) returningIn(list []*ast.Target, sc *scope) (*returning, error) {
	if len(list) == 0 {
		return nil, nil
	}
	r := &returning{}
	for _, tg := range list {
		if cr, ok := tg.Expr.(*ast.ColumnRef); ok && cr.Star {
			idx, err := sc.star(cr.Table)
			if err != nil {
				return nil, err
			}
			for _, i := range idx {
				r.exprs = append(r.exprs, &colExpr{i: i, t: sc.cols[i].typ})
				r.cols = append(r.cols, sc.cols[i].desc())
			}
			continue
		}
		if b.cp.hasAggregate(tg.Expr) {
			return nil, errf(CodeGrouping, "aggregate functions are not allowed in RETURNING")
		}
		if containsSRF(tg.Expr) {
			return nil, srfError("set-returning functions are not allowed in RETURNING")
		}
		e, err := b.cp.expr(tg.Expr, sc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = b.cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		r.exprs = append(r.exprs, e)
		r.cols = append(r.cols, column{name: targetName(tg), typ: e.typ()}.desc())
	}
	return r, nil
}

func (r *returning) emit(c *Ctx, row []types.Datum, emit func([]types.Datum) error) error {
	if r == nil {
		return nil
	}
	out := make([]types.Datum, len(r.exprs))
	for i, e := range r.exprs {
		d, err := e.eval(c, row)
		if err != nil {
			return err
		}
		out[i] = d
	}
	return emit(out)
}

func (r *returning) plan(p *Plan) {
	if r == nil {
		return
	}
	p.Columns = r.cols
	for _, e := range r.exprs {
		p.ColTypes = append(p.ColTypes, e.typ())
	}
}

// ---------------------------------------------------------------------------
// INSERT

func (b *builder) insertStmt(s *ast.Insert) (*Plan, error) {
	if s.With != nil {
		return nil, unsupported("WITH is not supported")
	}
	t, err := b.table(s.Table)
	if err != nil {
		return nil, err
	}
	w, err := b.newWriter(t)
	if err != nil {
		return nil, err
	}
	var target []int
	if len(s.Columns) == 0 {
		for i := range t.Columns {
			target = append(target, i)
		}
	}
	seen := map[int]bool{}
	for _, name := range s.Columns {
		i := t.Column(name)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
		}
		if seen[i] {
			return nil, errf(CodeDuplicateColumn, "column %q specified more than once", name)
		}
		seen[i] = true
		target = append(target, i)
	}
	ttypes := make([]types.Type, len(target))
	for i, col := range target {
		ttypes[i] = t.Columns[col].Type
	}
	var rows [][]expr
	var sub node
	var subConv []expr
	switch {
	case s.DefaultValues || s.Source == nil:
		rows = [][]expr{{}} // DEFAULT VALUES
		target = nil
	case s.Source.Values != nil && s.Source.Op == ast.SetNone && s.Source.OrderBy == nil && s.Source.Limit == nil && s.Source.Offset == nil && s.Source.With == nil:
		names := make([]string, len(target))
		for i, col := range target {
			names[i] = t.Columns[col].Name
		}
		vn, err := b.valuesFor(s.Source.Values, ttypes, names) // select.go
		if err != nil {
			return nil, err
		}
		rows = vn.rows
		if len(rows) > 0 {
			if err := insertArity(s, len(rows[0]), len(target)); err != nil {
				return nil, err
			}
		}
	default:
		if sub, err = b.selectQuery(s.Source, nil); err != nil {
			return nil, err
		}
		outCols := sub.columns()
		if len(outCols) > len(target) {
			return nil, errf(types.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		if err := insertArity(s, len(outCols), len(target)); err != nil {
			return nil, err
		}
		for i, oc := range outCols {
			mode := types.CoerceAssignment
			if unknownTarget(s.Source, i) { // modify.go
				mode = types.CoerceExplicit
			}
			e, err := b.cp.coerce(&colExpr{i: i, t: oc.typ}, ttypes[i], mode)
			if err != nil {
				return nil, assignErr(err, t.Columns[target[i]].Name) // hunt_query.go
			}
			subConv = append(subConv, e)
		}
	}
	if err := identityTargets(t, target, rows, sub != nil, s.Overriding); err != nil { // sequence.go
		return nil, err
	}
	ret, err := b.returning(s.Returning, t, s.Alias)
	if err != nil {
		return nil, err
	}
	oc, err := b.onConflict(s, t, w) // upsert.go
	if err != nil {
		return nil, err
	}
	if oc != nil && ret != nil && ret.sys && targetsName(s.Returning, "ctid") { // syscols.go
		return nil, unsupported("ctid is not supported in the RETURNING list of INSERT ... ON CONFLICT")
	}
	p := &Plan{Kind: KindQuery, Explain: "Insert on " + t.Name}
	ret.plan(p)
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		n := 0
		one := func(vals []expr, in []types.Datum) error {
			full := make([]types.Datum, len(t.Columns))
			set := make([]bool, len(t.Columns))
			for i, e := range vals {
				if e == nil {
					continue
				}
				d, err := e.eval(c, in)
				if err != nil {
					return err
				}
				full[target[i]], set[target[i]] = d, true
			}
			for i, def := range w.defaults {
				if !set[i] && def != nil {
					d, err := def.eval(c, nil)
					if err != nil {
						return err
					}
					full[i] = d
				}
			}
			if oc != nil {
				out, err := oc.insert(c, w, full)
				if err != nil || out == nil {
					return err
				}
				n++
				if ret != nil && ret.sys {
					// upsert.insert returns full itself when it inserted.
					updated := len(out) > 0 && len(full) > 0 && &out[0] != &full[0]
					out = insertedSys(c, t, out, heap.TID{}, updated) // syscols.go
				}
				return ret.emit(c, out, emit)
			}
			tid, err := w.insert(c, full)
			if err != nil {
				return err
			}
			n++
			if ret != nil && ret.sys {
				full = insertedSys(c, t, full, tid, false) // syscols.go
			}
			return ret.emit(c, full, emit)
		}
		if sub != nil {
			err := sub.run(c, func(r []types.Datum) error { return one(subConv, r) })
			if err == errStop {
				err = nil
			}
			return fmt.Sprintf("INSERT 0 %d", n), err
		}
		for _, r := range rows {
			if err := one(r, nil); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("INSERT 0 %d", n), nil
	}
	return deferChecks(p), nil // constraint.go
}

// CodeDuplicateColumn is 42701.
const CodeDuplicateColumn = "42701"
