package exec

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// Constraints: CHECK and FOREIGN KEY definitions (catalog.Table.Checks and
// ForeignKeys), compiled into the table's writer, and their enforcement.
//
// CHECK expressions are stored as SQL text and compiled against the
// table's columns; a row violates one when it evaluates to false (NULL
// passes). The referencing side's FOREIGN KEY checks run at the end of
// the statement (deferChecks), the referenced side's actions per row
// (PostgreSQL runs NO ACTION at the end of the statement too). They read the newest committed state
// plus the transaction's own work, like PostgreSQL's RI queries:
//   - referencing side (INSERT/UPDATE changing the key): the referenced row
//     is looked up through the unique index on the referenced columns and
//     locked (the heap's row lock is exclusive, so it is stronger than
//     PostgreSQL's FOR KEY SHARE: a concurrent DELETE waits, and so does a
//     concurrent UPDATE of the referenced row);
//   - referenced side (DELETE, UPDATE changing the key): the referencing
//     rows are found through an index on exactly the referencing columns
//     when one exists, else by a scan, and the action runs: NO ACTION and
//     RESTRICT fail with 23503, CASCADE deletes or updates them, SET NULL
//     and SET DEFAULT update them (through their own writer, so their
//     constraints and cascades apply in turn).

// CodeForeignKeyViolation is 23503.
const CodeForeignKeyViolation = "23503"

// CodeCheckViolation is 23514.
const CodeCheckViolation = "23514"

// CodeDependentObjects is 2BP01.
const CodeDependentObjects = "2BP01"

// checkCons is a compiled CHECK constraint.
type checkCons struct {
	name string
	e    expr
}

// fkRef is a foreign key of the writer's table on a parent table.
type fkRef struct {
	fk     catalog.ForeignKey
	parent *catalog.Table
	pix    *catalog.Index // the parent's unique index on fk.RefColumns
	// order[i] is the position in fk.Columns of pix.Columns[i].
	order []int
}

// fkDep is a foreign key of another (or the same) table on the writer's
// table.
type fkDep struct {
	fk    catalog.ForeignKey
	child *catalog.Table
	cw    *writer        // the child's writer
	cix   *catalog.Index // an index on exactly fk.Columns, or nil (scan)
	order []int          // position in fk.Columns of cix.Columns[i]
}

// addConstraints compiles t's CHECK constraints and resolves the foreign
// keys from and to it into w, building the writers of referencing tables
// (recursively, once per table: cache).
func (b *builder) addConstraints(w *writer) error {
	return b.addConstraintsIn(w, map[uint32]*writer{})
}

func (b *builder) addConstraintsIn(w *writer, cache map[uint32]*writer) error {
	t := w.t
	cache[t.OID] = w
	for _, ck := range t.Checks {
		e, err := b.compileCheck(t, ck.Expr)
		if err != nil {
			return fmt.Errorf("check constraint %s of %s: %w", ck.Name, t.Name, err)
		}
		w.checks = append(w.checks, checkCons{name: ck.Name, e: e})
	}
	for _, fk := range t.ForeignKeys {
		parent, ok := b.cat.ByOID(fk.RefTable)
		if !ok {
			return fmt.Errorf("foreign key %s of %s: referenced table %d is missing", fk.Name, t.Name, fk.RefTable)
		}
		pix, order := indexOn(parent, fk.RefColumns)
		if pix == nil || !pix.Unique {
			return fmt.Errorf("foreign key %s of %s: no unique index on the referenced columns", fk.Name, t.Name)
		}
		w.refs = append(w.refs, &fkRef{fk: fk, parent: parent, pix: pix, order: order})
	}
	for _, child := range b.cat.Tables() {
		for _, fk := range child.ForeignKeys {
			if fk.RefTable != t.OID {
				continue
			}
			d := &fkDep{fk: fk, child: child}
			d.cix, d.order = indexOn(child, fk.Columns)
			w.deps = append(w.deps, d)
		}
	}
	for _, d := range w.deps {
		if cw, ok := cache[d.child.OID]; ok {
			d.cw = cw
			continue
		}
		cw, err := b.newWriterOnly(d.child)
		if err != nil {
			return err
		}
		if err := b.addConstraintsIn(cw, cache); err != nil {
			return err
		}
		d.cw = cw
	}
	return nil
}

// indexOn finds an index of t on exactly the column set cols (in any
// order), preferring unique ones; order maps its key columns to positions
// in cols.
func indexOn(t *catalog.Table, cols []int) (*catalog.Index, []int) {
	var best *catalog.Index
	var bestOrder []int
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if len(ix.Columns) != len(cols) {
			continue
		}
		order := make([]int, len(cols))
		ok := true
		for j, c := range ix.Columns {
			order[j] = -1
			for k, want := range cols {
				if c == want {
					order[j] = k
				}
			}
			if order[j] < 0 {
				ok = false
				break
			}
		}
		if ok && (best == nil || (ix.Unique && !best.Unique)) {
			best, bestOrder = ix, order
		}
	}
	return best, bestOrder
}

// compileCheck compiles a CHECK expression's SQL text over t's columns.
func (b *builder) compileCheck(t *catalog.Table, text string) (expr, error) {
	st, err := ast.ParseOne("SELECT " + text)
	sel, ok := st.(*ast.Select)
	if err != nil || !ok || len(sel.Targets) != 1 {
		return nil, fmt.Errorf("%q does not parse", text)
	}
	return b.checkExpr(t, sel.Targets[0].Expr)
}

// checkExpr compiles a CHECK expression over t's columns; it must be
// boolean.
func (b *builder) checkExpr(t *catalog.Table, e ast.Expr) (expr, error) {
	if b.cp.hasAggregate(e) {
		return nil, errf(CodeGrouping, "aggregate functions are not allowed in check constraints")
	}
	x, err := b.cp.expr(e, &scope{cols: tableColumns(t, ""), noAggs: "check constraints"})
	if err != nil {
		return nil, err
	}
	if isUnknown(x) {
		if x, err = b.cp.coerce(x, types.Bool, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	if x.typ().OID != types.OIDBool {
		return nil, errf("42804", "argument of CHECK must be type boolean, not type %s", x.typ())
	}
	return x, nil
}

// failingRow renders vals as PostgreSQL's "Failing row contains (...)".
func failingRow(c *Ctx, t *catalog.Table, vals []types.Datum) string {
	var b []byte
	b = append(b, "Failing row contains ("...)
	for i, d := range vals {
		if i > 0 {
			b = append(b, ", "...)
		}
		if d.IsNull() {
			b = append(b, "null"...)
			continue
		}
		b = types.AppendText(b, t.Columns[i].Type, d, c.Env)
	}
	return string(append(b, ")."...))
}

// checkRow enforces NOT NULL and the CHECK constraints on a new row.
func (w *writer) checkRow(c *Ctx, vals []types.Datum) error {
	for i, col := range w.t.Columns {
		if col.NotNull && vals[i].IsNull() {
			return &types.Error{Code: CodeNotNullViolation,
				Message: fmt.Sprintf("null value in column %q of relation %q violates not-null constraint", col.Name, w.t.Name),
				Detail:  failingRow(c, w.t, vals)}
		}
	}
	for _, ck := range w.checks {
		d, err := ck.e.eval(c, vals)
		if err != nil {
			return err
		}
		if !d.IsNull() && !d.Bool() {
			return &types.Error{Code: CodeCheckViolation,
				Message: fmt.Sprintf("new row for relation %q violates check constraint %q", w.t.Name, ck.name),
				Detail:  failingRow(c, w.t, vals)}
		}
	}
	return nil
}

// latestSnapshot sees everything committed plus all of the transaction's
// own work (PostgreSQL's RI checks in Read Committed).
func latestSnapshot(c *Ctx) txn.Snapshot {
	xid := c.Tx.Xid()
	if xid == txn.InvalidXid {
		xid = c.Snap.Xid
	}
	return txn.Snapshot{LSN: redo.LSN(math.MaxUint64), Xid: xid, Cid: math.MaxUint32}
}

func anyNull(vals []types.Datum, cols []int) bool {
	for _, c := range cols {
		if vals[c].IsNull() {
			return true
		}
	}
	return false
}

// sameKey reports whether a and b hold the same values in cols (by key
// encoding: NULLs are equal here).
func sameKey(t *catalog.Table, a, b []types.Datum, cols []int) bool {
	return bytes.Equal(colsKey(t, cols, a), colsKey(t, cols, b))
}

// colsKey encodes vals[cols] like indexKey.
func colsKey(t *catalog.Table, cols []int, vals []types.Datum) []byte {
	var key []byte
	for _, col := range cols {
		if vals[col].IsNull() {
			key = append(key, 0x00)
			continue
		}
		key = append(key, 0x01)
		key = types.AppendKey(key, t.Columns[col].Type, vals[col], false)
	}
	return key
}

// keyText renders "(a, b)=(1, 2)" of cols of t.
func keyText(c *Ctx, t *catalog.Table, cols []int, vals []types.Datum) string {
	var names, vs []string
	for _, col := range cols {
		names = append(names, t.Columns[col].Name)
		if vals[col].IsNull() {
			vs = append(vs, "null")
		} else {
			vs = append(vs, types.FormatText(t.Columns[col].Type, vals[col], c.Env))
		}
	}
	return "(" + strings.Join(names, ", ") + ")=(" + strings.Join(vs, ", ") + ")"
}

// deferChecks makes p's statement queue the referencing side's foreign
// key checks and run them when its rows are all written (PostgreSQL runs
// them as AFTER triggers at the end of the statement, so a statement may
// insert a child before its parent). RETURNING rows are held until the
// checks passed, as PostgreSQL sends none when one fails.
func deferChecks(p *Plan) *Plan {
	run := p.run
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		if c.fkQueue != nil { // a nested statement (data-modifying CTE)
			return run(c, emit)
		}
		var queue []func() error
		c.fkQueue = &queue
		defer func() { c.fkQueue = nil }()
		var held [][]types.Datum
		tag, err := run(c, func(r []types.Datum) error {
			held = append(held, r)
			return nil
		})
		if err != nil {
			return tag, err
		}
		for len(queue) > 0 {
			check := queue[0]
			queue = queue[1:]
			if err := check(); err != nil {
				return "", err
			}
		}
		for _, r := range held {
			if err := emit(r); err != nil {
				return "", err
			}
		}
		return tag, nil
	}
	return p
}

// checkParents enforces the table's foreign keys on a new row version
// (old is the previous version on UPDATE, nil on INSERT): at the end of
// the statement when it queues them (deferChecks), else at once.
func (w *writer) checkParents(c *Ctx, vals, old []types.Datum) error {
	for _, r := range w.refs {
		if anyNull(vals, r.fk.Columns) {
			continue // MATCH SIMPLE
		}
		if old != nil && sameKey(w.t, old, vals, r.fk.Columns) {
			continue
		}
		if c.fkQueue != nil {
			r, vals := r, append([]types.Datum(nil), vals...)
			*c.fkQueue = append(*c.fkQueue, func() error { return w.checkParent(c, r, vals) })
			continue
		}
		if err := w.checkParent(c, r, vals); err != nil {
			return err
		}
	}
	return nil
}

// checkParent checks (and locks) the parent row of vals for foreign key r.
func (w *writer) checkParent(c *Ctx, r *fkRef, vals []types.Datum) error {
	ok, err := r.lockParent(c, vals)
	if err != nil {
		return err
	}
	if !ok {
		return &types.Error{Code: CodeForeignKeyViolation,
			Message: fmt.Sprintf("insert or update on table %q violates foreign key constraint %q", w.t.Name, r.fk.Name),
			Detail:  fmt.Sprintf("Key %s is not present in table %q.", keyText(c, w.t, r.fk.Columns, vals), r.parent.Name)}
	}
	return nil
}

// lockParent finds and locks the parent row holding the child's key.
func (r *fkRef) lockParent(c *Ctx, vals []types.Datum) (bool, error) {
	pvals := make([]types.Datum, len(r.parent.Columns))
	for i, pc := range r.fk.RefColumns {
		pvals[pc] = vals[r.fk.Columns[i]]
	}
	key := indexKey(r.parent, r.pix, pvals)
	h, err := c.DB.heapOf(r.parent)
	if err != nil {
		return false, err
	}
	tids, err := c.DB.treeOf(r.pix).Lookup(c.Ctx, key)
	if err != nil {
		return false, fmt.Errorf("index %s: %w", r.pix.Name, err)
	}
	snap := latestSnapshot(c)
	ptypes := r.parent.Types()
	for _, tid := range tids {
		vtid, hd, data, ok, err := h.FetchIndexed(c.Ctx, tid, &snap, nil)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		row, err := types.DecodeTuple(data, ptypes, nil)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(indexKey(r.parent, r.pix, row), key) {
			continue
		}
		if c.Tx.Owns(hd.Xmin) && hd.Xmax == txn.InvalidXid {
			// This transaction wrote the version: nobody else can change
			// it before we commit (they wait for us on the previous one).
			return true, nil
		}
		// FOR KEY SHARE, as PostgreSQL's RI check: other children of the
		// parent and its non-key updates go on; its DELETE or key UPDATE waits.
		_, data, ok, err = h.LockLatestWith(c.Ctx, c.Tx, vtid, &snap, nil, heap.LockKeyShare)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if row, err = types.DecodeTuple(data, ptypes, nil); err != nil {
			return false, err
		}
		if bytes.Equal(indexKey(r.parent, r.pix, row), key) {
			return true, nil
		}
	}
	return false, nil
}

// referencing returns the child rows (newest committed or own versions)
// whose foreign key d holds the parent key of pvals.
func (d *fkDep) referencing(c *Ctx, parent *catalog.Table, pvals []types.Datum) ([]heap.TID, [][]types.Datum, error) {
	cvals := make([]types.Datum, len(d.child.Columns))
	for i, cc := range d.fk.Columns {
		cvals[cc] = pvals[d.fk.RefColumns[i]]
	}
	want := colsKey(d.child, d.fk.Columns, cvals)
	h, err := c.DB.heapOf(d.child)
	if err != nil {
		return nil, nil, err
	}
	snap := latestSnapshot(c)
	ctypes := d.child.Types()
	var tids []heap.TID
	var rows [][]types.Datum
	match := func(tid heap.TID, data []byte) error {
		row, err := types.DecodeTuple(data, ctypes, nil)
		if err != nil {
			return fmt.Errorf("%s: row %s: %w", d.child.Name, tid, err)
		}
		if bytes.Equal(colsKey(d.child, d.fk.Columns, row), want) {
			tids, rows = append(tids, tid), append(rows, row)
		}
		return nil
	}
	if d.cix != nil {
		list, err := c.DB.treeOf(d.cix).Lookup(c.Ctx, indexKey(d.child, d.cix, cvals))
		if err != nil {
			return nil, nil, fmt.Errorf("index %s: %w", d.cix.Name, err)
		}
		seen := map[heap.TID]bool{}
		for _, tid := range list {
			vtid, _, data, ok, err := h.FetchIndexed(c.Ctx, tid, &snap, nil)
			if err != nil {
				return nil, nil, err
			}
			if !ok || seen[vtid] {
				continue
			}
			seen[vtid] = true
			if err := match(vtid, data); err != nil {
				return nil, nil, err
			}
		}
		return tids, rows, nil
	}
	sc := h.Scan(c.Ctx, &snap)
	for sc.Next() {
		if err := match(sc.TID(), sc.Data()); err != nil {
			return nil, nil, err
		}
	}
	return tids, rows, sc.Err()
}

// parentChanged runs the referential actions of the foreign keys on the
// writer's table for a row deleted (nv nil) or updated from old to nv.
func (w *writer) parentChanged(c *Ctx, old, nv []types.Datum) error {
	for _, d := range w.deps {
		if anyNull(old, d.fk.RefColumns) {
			continue
		}
		if nv != nil && sameKey(w.t, old, nv, d.fk.RefColumns) {
			continue
		}
		action := d.fk.OnDelete
		if nv != nil {
			action = d.fk.OnUpdate
		}
		tids, rows, err := d.referencing(c, w.t, old)
		if err != nil {
			return err
		}
		if len(tids) == 0 {
			continue
		}
		switch action {
		case "c", "n", "d":
		default: // NO ACTION, RESTRICT
			return &types.Error{Code: CodeForeignKeyViolation,
				Message: fmt.Sprintf("update or delete on table %q violates foreign key constraint %q on table %q", w.t.Name, d.fk.Name, d.child.Name),
				Detail:  fmt.Sprintf("Key %s is still referenced from table %q.", keyText(c, w.t, d.fk.RefColumns, old), d.child.Name)}
		}
		want := colsKey(d.child, d.fk.Columns, rows[0])
		recheck := func(row []types.Datum) (bool, error) {
			return bytes.Equal(colsKey(d.child, d.fk.Columns, row), want), nil
		}
		for i, tid := range tids {
			if action == "c" && nv == nil {
				if _, err := d.cw.deleteLatest(c, tid, rows[i], recheck); err != nil {
					return err
				}
				continue
			}
			change := func(row []types.Datum) ([]types.Datum, error) {
				out := append([]types.Datum(nil), row...)
				for j, cc := range d.fk.Columns {
					switch action {
					case "c":
						out[cc] = nv[d.fk.RefColumns[j]]
						if err := fitColumn(d.child.Columns[cc].Type, out[cc]); err != nil {
							return nil, err
						}
					case "n":
						out[cc] = types.Null
					case "d":
						out[cc] = types.Null
						if def := d.cw.defaults[cc]; def != nil {
							v, err := def.eval(c, nil)
							if err != nil {
								return nil, err
							}
							out[cc] = v
						}
					}
				}
				return out, nil
			}
			nv2, _, err := d.cw.updateLatest(c, tid, rows[i], recheck, change)
			if err != nil {
				return err
			}
			if action == "d" && nv2 != nil {
				// The default may equal the key just removed: check it
				// even though the child's key did not change.
				if err := d.cw.checkParents(c, nv2, nil); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// updateRow replaces the version at tid (values old) by nv: constraints,
// heap update (HOT when no index key changes), index entries, foreign keys.
// When the TM is not OK nothing was done.
func (w *writer) updateRow(c *Ctx, tid heap.TID, old, nv []types.Datum) (heap.TID, heap.TM, error) {
	if err := w.checkRow(c, nv); err != nil {
		return tid, heap.TM{}, err
	}
	data, err := types.AppendTuple(nil, w.types, nv)
	if err != nil {
		return tid, heap.TM{}, err
	}
	h, err := c.DB.heapOf(w.t)
	if err != nil {
		return tid, heap.TM{}, err
	}
	t := w.t
	keysChanged := false
	mode := heap.LockNoKeyUpdate // no unique key changes: FOR KEY SHARE goes on
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !bytes.Equal(indexKey(t, ix, old), indexKey(t, ix, nv)) {
			keysChanged = true
			if ix.Unique {
				mode = heap.LockUpdate
			}
		}
	}
	var newTID heap.TID
	var tm heap.TM
	heapOnly := false
	newTID, heapOnly, tm, err = h.UpdateWith(c.Ctx, c.Tx, tid, data, !keysChanged && len(t.Indexes) > 0, mode)
	if err != nil {
		return tid, tm, rowErr(err)
	}
	if tm.Result != heap.OK {
		return tid, tm, nil
	}
	if !heapOnly {
		for i := range t.Indexes {
			ix := &t.Indexes[i]
			changed := !bytes.Equal(indexKey(t, ix, old), indexKey(t, ix, nv))
			if err := w.indexInsert(c, ix, nv, newTID, changed); err != nil {
				return newTID, tm, err
			}
		}
	}
	if err := w.checkParents(c, nv, old); err != nil {
		return newTID, tm, err
	}
	return newTID, tm, w.parentChanged(c, old, nv)
}

// deleteRow deletes the version at tid (values old) and runs the
// referential actions. When the TM is not OK nothing was done.
func (w *writer) deleteRow(c *Ctx, tid heap.TID, old []types.Datum) (heap.TM, error) {
	h, err := c.DB.heapOf(w.t)
	if err != nil {
		return heap.TM{}, err
	}
	tm, err := h.Delete(c.Ctx, c.Tx, tid)
	if err != nil || tm.Result != heap.OK {
		return tm, err
	}
	return tm, w.parentChanged(c, old, nil)
}

// followLatest handles a TM other than OK from an update or delete of the
// version at tid: it waits for and locks the row's newest version
// (EvalPlanQual). It returns that version's TID and values, and false when
// there is nothing left to do (row gone, or already changed by this
// command).
func (w *writer) followLatest(c *Ctx, tid heap.TID, row []types.Datum, tm heap.TM) (heap.TID, []types.Datum, bool, error) {
	switch tm.Result {
	case heap.SelfModified:
		return tid, nil, false, nil
	case heap.Invisible:
		return tid, nil, false, fmt.Errorf("%s: row version %s not visible", w.t.Name, tid)
	}
	h, err := c.DB.heapOf(w.t)
	if err != nil {
		return tid, nil, false, err
	}
	if tm.Result == heap.BeingModified {
		// The holder may hold a lock that the lock below does not conflict
		// with (a FOR KEY SHARE locker, for a key update): wait for it here.
		if err := c.DB.Mgr.WaitFor(c.Ctx, c.Tx, tm.Xid); err != nil {
			return tid, nil, false, err
		}
	}
	// FOR NO KEY UPDATE: a key update or delete then asks for more itself.
	ltid, data, ok, err := h.LockLatestWith(c.Ctx, c.Tx, tid, &c.Snap, nil, heap.LockNoKeyUpdate)
	if err != nil || !ok {
		return tid, nil, false, err
	}
	if ltid == tid {
		return tid, row, true, nil
	}
	nrow, err := types.DecodeTuple(data, w.types, nil)
	if err != nil {
		return tid, nil, false, err
	}
	return ltid, nrow, true, nil
}

// updateLatest updates the row whose version at tid holds row to
// change(row), following concurrent updates (recheck decides whether a
// newer version still qualifies). It returns the new values, or nil when
// the row was not updated.
func (w *writer) updateLatest(c *Ctx, tid heap.TID, row []types.Datum, recheck func([]types.Datum) (bool, error), change func([]types.Datum) ([]types.Datum, error)) ([]types.Datum, heap.TID, error) {
	for {
		nv, err := change(row)
		if err != nil {
			return nil, tid, err
		}
		ntid, tm, err := w.updateRow(c, tid, row, nv)
		if err != nil {
			return nil, tid, err
		}
		if tm.Result == heap.OK {
			return nv, ntid, nil
		}
		ltid, lrow, ok, err := w.followLatest(c, tid, row, tm)
		if err != nil || !ok {
			return nil, tid, err
		}
		if ltid != tid && recheck != nil {
			if ok, err := recheck(lrow); err != nil || !ok {
				return nil, tid, err
			}
		}
		tid, row = ltid, lrow
	}
}

// deleteLatest deletes the row whose version at tid holds row, following
// concurrent updates; it returns the deleted values (nil: not deleted).
func (w *writer) deleteLatest(c *Ctx, tid heap.TID, row []types.Datum, recheck func([]types.Datum) (bool, error)) ([]types.Datum, error) {
	for {
		tm, err := w.deleteRow(c, tid, row)
		if err != nil {
			return nil, err
		}
		if tm.Result == heap.OK {
			return row, nil
		}
		ltid, lrow, ok, err := w.followLatest(c, tid, row, tm)
		if err != nil || !ok {
			return nil, err
		}
		if ltid != tid && recheck != nil {
			if ok, err := recheck(lrow); err != nil || !ok {
				return nil, err
			}
		}
		tid, row = ltid, lrow
	}
}
