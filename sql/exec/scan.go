package exec

import (
	"errors"
	"fmt"
	"math"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// scanNode reads a table's visible rows: a sequential scan of the heap, or
// an index point lookup when every column of an index is fixed by an
// equality in the WHERE clause (see chooseIndex).
type scanNode struct {
	table *catalog.Table
	cols  []column

	index    *catalog.Index // equality lookup on every column of index
	keyExprs []expr
	sys      bool // system columns follow the table's (syscols.go)
}

func newScan(t *catalog.Table, alias string) *scanNode {
	return &scanNode{table: t, cols: tableColumns(t, alias)}
}

func (n *scanNode) columns() []column { return n.cols }

func (n *scanNode) explain(e *explainer) {
	if n.index != nil {
		e.line("Index Scan using %s on %s", n.index.Name, n.table.Name)
		return
	}
	e.line("Seq Scan on %s", n.table.Name)
}

func (n *scanNode) run(c *Ctx, emit func([]types.Datum) error) error {
	if n.sys {
		return n.runSys(c, emit)
	}
	return n.scan(c, func(_ heap.TID, row []types.Datum) error { return emit(row) })
}

// rowFunc receives one input row with its version's TID; the row slice is
// owned by the callee.
type rowFunc func(tid heap.TID, row []types.Datum) error

// scan reads the rows with their TIDs (DML uses them).
func (n *scanNode) scan(c *Ctx, fn rowFunc) error {
	return n.scanHeaders(c, func(tid heap.TID, _ *heap.Header, row []types.Datum) error { return fn(tid, row) })
}

// scanHeaders reads the rows with their TIDs and version headers.
func (n *scanNode) scanHeaders(c *Ctx, fn func(tid heap.TID, hd *heap.Header, row []types.Datum) error) error {
	h, err := c.DB.heapOf(n.table)
	if err != nil {
		return err
	}
	colTypes := n.table.Types()
	if n.index != nil {
		key, err := n.lookupKey(c)
		if errors.Is(err, errNoMatch) {
			return nil
		}
		if err != nil {
			return err
		}
		tids, err := c.DB.treeOf(n.index).Lookup(c.Ctx, key)
		if err != nil {
			return fmt.Errorf("index %s: %w", n.index.Name, err)
		}
		for _, tid := range tids {
			vtid, hd, data, ok, err := h.FetchIndexed(c.Ctx, tid, &c.Snap, nil)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			row, err := types.DecodeTuple(data, colTypes, nil)
			if err != nil {
				return fmt.Errorf("%s: row %s: %w", n.table.Name, vtid, err)
			}
			if err := fn(vtid, &hd, row); err != nil {
				return err
			}
		}
		return nil
	}
	sc := h.Scan(c.Ctx, &c.Snap)
	for sc.Next() {
		row, err := types.DecodeTuple(sc.Data(), colTypes, make([]types.Datum, 0, len(colTypes)))
		if err != nil {
			return fmt.Errorf("%s: row %s: %w", n.table.Name, sc.TID(), err)
		}
		hd := sc.Header()
		if err := fn(sc.TID(), &hd, row); err != nil {
			return err
		}
	}
	return sc.Err()
}

// refsColumns reports whether e references a column (or anything that may).
func refsColumns(e ast.Expr) bool {
	switch x := e.(type) {
	case nil:
		return false
	case *ast.Const, *ast.Param:
		return false
	case *ast.Cast:
		return refsColumns(x.Expr)
	case *ast.UnaryExpr:
		return refsColumns(x.Expr)
	case *ast.BinaryExpr:
		return refsColumns(x.Left) || refsColumns(x.Right)
	}
	return true
}

// conjuncts flattens a WHERE clause's top-level ANDs.
func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	if be, ok := e.(*ast.BoolExpr); ok && be.Op == ast.And {
		for _, a := range be.Args {
			out = conjuncts(a, out)
		}
		return out
	}
	return append(out, e)
}

// chooseIndex picks an index whose every column is fixed by an equality
// with a constant or parameter in where (point lookups by key). alias is
// the name the table is referred to by.
func (n *scanNode) chooseIndex(cp *compiler, where ast.Expr) {
	t := n.table
	if len(t.Indexes) == 0 || where == nil {
		return
	}
	alias := n.cols[0].table
	eq := map[int]ast.Expr{}
	for _, c := range conjuncts(where, nil) {
		b, ok := c.(*ast.BinaryExpr)
		if !ok || b.Op != "=" {
			continue
		}
		col, other := b.Left, b.Right
		if _, ok := col.(*ast.ColumnRef); !ok {
			col, other = other, col
		}
		cr, ok := col.(*ast.ColumnRef)
		if !ok || cr.Star || refsColumns(other) || (cr.Table != "" && cr.Table != alias) {
			continue
		}
		if i := t.Column(cr.Column); i >= 0 {
			if _, dup := eq[i]; !dup {
				eq[i] = other
			}
		}
	}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		var keys []expr
		for _, col := range ix.Columns {
			x, ok := eq[col]
			if !ok {
				keys = nil
				break
			}
			e, err := cp.expr(x, &scope{})
			if err != nil {
				keys = nil
				break
			}
			ct := t.Columns[col].Type
			if isUnknown(e) {
				if e, err = cp.coerce(e, ct, types.CoerceImplicit); err != nil {
					keys = nil
					break
				}
			}
			et := e.typ()
			if !(et.OID == ct.OID || (et.IsInt() && ct.IsInt()) || (et.IsString() && ct.IsString() && ct.OID != types.OIDBpchar && et.OID != types.OIDBpchar)) {
				keys = nil
				break
			}
			keys = append(keys, e)
		}
		if keys != nil {
			n.index, n.keyExprs = ix, keys
			return
		}
	}
}

var errNoMatch = errors.New("no row can match")

// lookupKey evaluates the key of an index lookup; errNoMatch when the key
// cannot match any row (NULL, or an integer outside the column's range).
func (n *scanNode) lookupKey(c *Ctx) ([]byte, error) {
	var key []byte
	for i, e := range n.keyExprs {
		d, err := e.eval(c, nil)
		if err != nil {
			return nil, err
		}
		if d.IsNull() {
			return nil, errNoMatch
		}
		ct := n.table.Columns[n.index.Columns[i]].Type
		if ct.IsInt() {
			lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
			switch ct.OID {
			case types.OIDInt2:
				lo, hi = math.MinInt16, math.MaxInt16
			case types.OIDInt4:
				lo, hi = math.MinInt32, math.MaxInt32
			}
			if d.I < lo || d.I > hi {
				return nil, errNoMatch
			}
		}
		key = append(key, 0x01)
		key = types.AppendKey(key, ct, d, false)
	}
	return key, nil
}
