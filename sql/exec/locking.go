package exec

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// SELECT ... FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE
// [OF t, ...] [NOWAIT | SKIP LOCKED].
//
// Each strength takes the heap's row lock of that strength (see
// heap.LockMode: FOR SHARE and FOR KEY SHARE lockers share a row, FOR KEY
// SHARE also with FOR NO KEY UPDATE and non-key UPDATEs). Rows are locked
// after the WHERE clause passed on them; a row changed by a concurrent
// transaction is followed to its newest version, which is locked and
// re-checked (Read Committed; Repeatable Read answers 40001). Over one
// table, lockNode locks through the table's scan; over joins, see
// joinLockNode below. Grouping, aggregates, DISTINCT and set operations
// answer 0A000, as in PostgreSQL.

// CodeLockNotAvailable is 55P03.
const CodeLockNotAvailable = "55P03"

// lockNode scans a table and locks each row that passes cond.
type lockNode struct {
	scan     *scanNode
	cond     expr // nil: none
	strength string
	mode     heap.LockMode
	noWait   bool
	skip     bool
}

func (n *lockNode) columns() []column { return n.scan.cols }

func (n *lockNode) explain(e *explainer) {
	e.line("LockRows")
	e.child(n.scan)
}

func (n *lockNode) run(c *Ctx, emit func([]types.Datum) error) error {
	h, err := c.DB.heapOf(n.scan.table)
	if err != nil {
		return err
	}
	colTypes := n.scan.table.Types()
	return n.scan.scan(c, func(tid heap.TID, row []types.Datum) error {
		if n.cond != nil {
			ok, err := truthy(c, n.cond, row)
			if err != nil || !ok {
				return err
			}
		}
		if n.noWait || n.skip {
			tm, err := h.LockWith(c.Ctx, c.Tx, tid, n.mode)
			if err != nil {
				return err
			}
			switch tm.Result {
			case heap.OK, heap.SelfModified:
				return emit(row)
			case heap.BeingModified:
				if n.skip {
					return nil
				}
				return errf(CodeLockNotAvailable, "could not obtain lock on row in relation %q", n.scan.table.Name)
			}
		}
		ltid, data, ok, err := h.LockLatestWith(c.Ctx, c.Tx, tid, &c.Snap, nil, n.mode)
		if err != nil || !ok {
			return err
		}
		if ltid != tid {
			if row, err = types.DecodeTuple(data, colTypes, nil); err != nil {
				return fmt.Errorf("%s: row %s: %w", n.scan.table.Name, ltid, err)
			}
			if n.cond != nil {
				ok, err := truthy(c, n.cond, row)
				if err != nil || !ok {
					return err
				}
			}
		}
		return emit(row)
	})
}

// lockRows plans s's locking clause over in, the FROM item with its WHERE
// filter.
func (b *builder) lockRows(s *ast.Select, in node) (node, error) {
	what := "FOR " + strings.ToUpper(s.Locking[0].Strength)
	switch {
	case s.Distinct || len(s.DistinctOn) > 0:
		return nil, unsupported("%s is not allowed with DISTINCT clause", what)
	case len(s.GroupBy) > 0 || s.GroupEmpty:
		return nil, unsupported("%s is not allowed with GROUP BY clause", what)
	case s.Having != nil:
		return nil, unsupported("%s is not allowed with HAVING clause", what)
	}
	for _, t := range s.Targets {
		if b.cp.hasAggregate(t.Expr) {
			return nil, unsupported("%s is not allowed with aggregate functions", what)
		}
	}
	var cond expr
	if f, ok := in.(*filterNode); ok {
		in, cond = f.in, f.cond
	}
	scan, ok := in.(*scanNode)
	if !ok {
		return b.lockJoinRows(s, in, cond)
	}
	n := &lockNode{scan: scan, cond: cond, strength: s.Locking[0].Strength, mode: lockMode(s.Locking[0].Strength)}
	name := scan.cols[0].table
	if len(scan.cols) == 0 {
		name = scan.table.Name
	}
	for _, l := range s.Locking {
		if len(l.Tables) == 0 {
			n.noWait, n.skip = n.noWait || l.NoWait, n.skip || l.SkipLock
			n.mode = max(n.mode, lockMode(l.Strength))
		}
		for _, q := range l.Tables {
			if q.Name != name {
				return nil, errf(CodeUndefinedTable, "relation %q in %s clause not found in FROM clause", q.Name, "FOR "+strings.ToUpper(l.Strength))
			}
			n.noWait, n.skip = n.noWait || l.NoWait, n.skip || l.SkipLock
			n.mode = max(n.mode, lockMode(l.Strength))
		}
	}
	return n, nil
}

// lockingCommand names a locking SELECT for the read-only check ("" when
// s locks nothing).
func lockingCommand(s *ast.Select) string {
	if len(s.Locking) == 0 {
		return ""
	}
	return "SELECT FOR " + strings.ToUpper(s.Locking[0].Strength)
}

// lockMode maps a locking clause's strength to the heap's.
func lockMode(strength string) heap.LockMode {
	switch strength {
	case "key share":
		return heap.LockKeyShare
	case "share":
		return heap.LockShare
	case "no key update":
		return heap.LockNoKeyUpdate
	}
	return heap.LockUpdate
}

// FOR UPDATE/SHARE over joins: the FROM items are planned by lockingFrom
// with every base table's scan carrying its row version's TID in two
// hidden columns ("ctid.page <name in the query>", "ctid.slot", with the
// table's OID). joinLockNode runs the join and the WHERE,
// then locks, in FROM order, the row of each locked table (all base
// tables, or those named by OF) that produced the result row, at the
// strongest strength a clause names for it. When a locked row was changed
// by a concurrent transaction, its newest version (followed and locked as
// UPDATE does) replaces that table's columns in the result row and the
// WHERE clause is evaluated again (EvalPlanQual); a deleted row drops the
// result row. The ON conditions of inner joins are re-checked too (over the
// whole row; outer joins' are not, where PostgreSQL re-runs the join for
// the row and may NULL-extend it). Subqueries, views and
// CTEs in FROM answer 0A000; set-returning functions are joined but not
// locked; a locked table on the nullable side of an outer join is 0A000,
// as in PostgreSQL.

const (
	tidPageCol = "ctid.page"
	tidSlotCol = "ctid.slot"
)

// lockScanNode is a base table's scan whose rows end with the version's
// TID as two hidden columns qualified by the table's name in the query.
type lockScanNode struct {
	scan *scanNode
	cols []column
}

func newLockScan(t *catalog.Table, name string) *lockScanNode {
	s := newScan(t, name)
	cols := append([]column(nil), s.cols...)
	// Unqualified (t.* leaves them out), hidden from unqualified names and
	// "*" (merged); the page column's name carries the table's.
	cols = append(cols, column{name: tidPageCol + " " + name, typ: types.Int8, tableOID: t.OID, merged: true},
		column{name: tidSlotCol, typ: types.Int4, tableOID: t.OID, merged: true})
	return &lockScanNode{scan: s, cols: cols}
}

func (n *lockScanNode) columns() []column    { return n.cols }
func (n *lockScanNode) explain(e *explainer) { n.scan.explain(e) }
func (n *lockScanNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.scan.scan(c, func(tid heap.TID, row []types.Datum) error {
		return emit(append(row, types.NewInt(int64(tid.Page)), types.NewInt(int64(tid.Slot))))
	})
}

// lockingFrom plans s's FROM items: as usual when s locks nothing or
// reads one table (lockNode locks through its scan), else with TID
// columns on every base table for joinLockNode.
func (b *builder) lockingFrom(s *ast.Select, outer *scope) (node, error) {
	if len(s.Locking) == 0 || len(s.From) == 0 {
		return b.from(s.From, outer)
	}
	if len(s.From) == 1 {
		if _, ok := s.From[0].(*ast.TableRef); ok {
			return b.from(s.From, outer)
		}
	}
	what := "FOR " + strings.ToUpper(s.Locking[0].Strength)
	locked := func(name string) bool {
		for _, l := range s.Locking {
			if len(l.Tables) == 0 {
				return true
			}
			for _, q := range l.Tables {
				if q.Name == name {
					return true
				}
			}
		}
		return false
	}
	var ons []ast.Expr // inner joins' ON conditions, re-checked with WHERE
	var item func(te ast.TableExpr, nullable bool) (node, error)
	item = func(te ast.TableExpr, nullable bool) (node, error) {
		switch x := te.(type) {
		case *ast.TableRef:
			if _, ok, _ := b.cteRef(x); ok {
				return nil, unsupported("%s over a WITH query in FROM is not supported", what)
			}
			name := x.Name.Name
			if x.Alias != nil {
				if len(x.Alias.Columns) > 0 {
					return nil, unsupported("column aliases for tables are not supported")
				}
				name = x.Alias.Name
			}
			if _, ok, _ := b.catalogRef(x.Name, name); ok {
				return nil, unsupported("%s cannot be applied to a system catalog", what)
			}
			t, err := b.relation(x.Name)
			if err != nil {
				return nil, err
			}
			switch {
			case t.View != "":
				return nil, unsupported("%s over a view in a join is not supported", what)
			case t.Sequence:
				return nil, unsupported("%s cannot be applied to a sequence", what)
			case nullable && locked(name):
				return nil, unsupported("%s cannot be applied to the nullable side of an outer join", what)
			}
			return newLockScan(t, name), nil
		case *ast.Join:
			if x.Alias != nil {
				return nil, unsupported("aliases for joins are not supported")
			}
			if _, ok := isLateral(x.Right); ok {
				return nil, unsupported("%s with LATERAL is not supported", what)
			}
			ln := nullable || x.Type == ast.JoinRight || x.Type == ast.JoinFull
			rn := nullable || x.Type == ast.JoinLeft || x.Type == ast.JoinFull
			l, err := item(x.Left, ln)
			if err != nil {
				return nil, err
			}
			r, err := item(x.Right, rn)
			if err != nil {
				return nil, err
			}
			if x.Type == ast.JoinInner && x.On != nil && !nullable {
				ons = append(ons, x.On)
			}
			return b.join(x, l, r, outer)
		case *ast.SubqueryRef:
			return nil, unsupported("%s over a subquery in FROM is not supported", what)
		}
		return b.tableExpr(te, outer) // a function: joined, not locked
	}
	var out node
	for _, it := range s.From {
		n, err := item(it, false)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = n
			continue
		}
		if out, err = b.join(&ast.Join{Type: ast.JoinCross}, out, n, outer); err != nil {
			return nil, err
		}
	}
	lf := &lockFromNode{in: out}
	sc := &scope{cols: out.columns(), outer: outer}
	for _, on := range ons {
		// Compiled over the whole FROM row; a condition that does not
		// compile there (a name ambiguous outside its join) is not
		// re-checked.
		if e, err := b.cp.predicate(on, sc, "JOIN/ON"); err == nil {
			lf.ons = append(lf.ons, e)
		}
	}
	return lf, nil
}

// lockFromNode is lockingFrom's join, passed through, with the inner joins'
// ON conditions for joinLockNode's re-check.
type lockFromNode struct {
	in  node
	ons []expr
}

func (n *lockFromNode) columns() []column    { return n.in.columns() }
func (n *lockFromNode) explain(e *explainer) { n.in.explain(e) }
func (n *lockFromNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, emit)
}

// joinTarget is one locked table of a joinLockNode.
type joinTarget struct {
	t            *catalog.Table
	name         string
	start        int // its columns: row[start : start+len(t.Columns)]
	tid          int // its TID: row[tid], row[tid+1]
	mode         heap.LockMode
	noWait, skip bool
}

// joinLockNode locks the rows of its targets behind each result row of a
// join (see lockingFrom).
type joinLockNode struct {
	in      node
	cond    expr   // the WHERE clause (nil: none)
	ons     []expr // inner joins' ON conditions, re-checked with cond
	targets []joinTarget
}

func (n *joinLockNode) columns() []column { return n.in.columns() }

func (n *joinLockNode) explain(e *explainer) {
	e.line("LockRows")
	if n.cond != nil {
		e.child(&filterNode{in: n.in, cond: n.cond})
		return
	}
	e.child(n.in)
}

// lockJoinRows plans the locking clause of s over in (a join from
// lockingFrom, with its WHERE filter).
func (b *builder) lockJoinRows(s *ast.Select, in node, cond expr) (node, error) {
	n := &joinLockNode{in: in, cond: cond}
	if lf, ok := in.(*lockFromNode); ok {
		n.ons = lf.ons
	}
	cols := in.columns()
	named := map[string]bool{}
	for i := 0; i+1 < len(cols); i++ {
		name, ok := strings.CutPrefix(cols[i].name, tidPageCol+" ")
		if !ok || !cols[i].merged || cols[i].table != "" || cols[i+1].name != tidSlotCol {
			continue
		}
		t, ok := b.cat.ByOID(cols[i].tableOID)
		if !ok {
			return nil, fmt.Errorf("locking: table OID %d not in the catalog", cols[i].tableOID)
		}
		tg := joinTarget{t: t, name: name, start: i - len(t.Columns), tid: i}
		if tg.start < 0 {
			return nil, fmt.Errorf("locking: columns of %s out of place", tg.name)
		}
		for k := range t.Columns {
			if c := cols[tg.start+k]; c.tableOID != t.OID || c.table != tg.name {
				return nil, unsupported("FOR %s over this join is not supported", strings.ToUpper(s.Locking[0].Strength))
			}
		}
		use := false
		for _, l := range s.Locking {
			match := len(l.Tables) == 0
			for _, q := range l.Tables {
				if q.Name == tg.name {
					match = true
					named[q.Name] = true
				}
			}
			if match {
				if !use || lockMode(l.Strength) > tg.mode {
					tg.mode = lockMode(l.Strength)
				}
				use = true
				tg.noWait, tg.skip = tg.noWait || l.NoWait, tg.skip || l.SkipLock
			}
		}
		if use {
			n.targets = append(n.targets, tg)
		}
	}
	for _, l := range s.Locking {
		for _, q := range l.Tables {
			if !named[q.Name] {
				return nil, errf(CodeUndefinedTable, "relation %q in %s clause not found in FROM clause", q.Name, "FOR "+strings.ToUpper(l.Strength))
			}
		}
	}
	return n, nil
}

func (n *joinLockNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, func(row []types.Datum) error {
		if n.cond != nil {
			ok, err := truthy(c, n.cond, row)
			if err != nil || !ok {
				return err
			}
		}
		changed := false
		for i := range n.targets {
			tg := &n.targets[i]
			if row[tg.tid].IsNull() {
				continue // NULL-extended: nothing to lock
			}
			h, err := c.DB.heapOf(tg.t)
			if err != nil {
				return err
			}
			tid := heap.TID{Page: redo.PageID(row[tg.tid].I), Slot: uint16(row[tg.tid+1].I)}
			if tg.noWait || tg.skip {
				tm, err := h.LockWith(c.Ctx, c.Tx, tid, tg.mode)
				if err != nil {
					return err
				}
				switch tm.Result {
				case heap.OK, heap.SelfModified:
					continue
				case heap.BeingModified:
					if tg.skip {
						return nil
					}
					return errf(CodeLockNotAvailable, "could not obtain lock on row in relation %q", tg.t.Name)
				}
			}
			ltid, data, ok, err := h.LockLatestWith(c.Ctx, c.Tx, tid, &c.Snap, nil, tg.mode)
			if err != nil || !ok {
				return err
			}
			if ltid != tid {
				nv, err := types.DecodeTuple(data, tg.t.Types(), nil)
				if err != nil {
					return fmt.Errorf("%s: row %s: %w", tg.t.Name, ltid, err)
				}
				if !changed {
					row = append([]types.Datum(nil), row...)
					changed = true
				}
				copy(row[tg.start:], nv[:len(tg.t.Columns)])
				row[tg.tid], row[tg.tid+1] = types.NewInt(int64(ltid.Page)), types.NewInt(int64(ltid.Slot))
			}
		}
		if changed {
			for _, e := range n.ons {
				ok, err := truthy(c, e, row)
				if err != nil || !ok {
					return err
				}
			}
			if n.cond != nil {
				ok, err := truthy(c, n.cond, row)
				if err != nil || !ok {
					return err
				}
			}
		}
		return emit(row)
	})
}
