package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// UPDATE [FROM] and DELETE [USING].
//
// The rows to change come from a source node: the target table's scan
// with two hidden columns carrying each row version's TID (tidNode),
// joined with the FROM/USING items when there are any (the WHERE clause is
// then the join condition, so equality conditions hash-join). Each source
// row changes its target row through the table's writer (constraints,
// indexes, foreign keys); a target row matched twice is changed once (the
// second attempt finds it modified by this command). A row changed by a
// concurrent transaction is followed to its newest version, which is
// re-checked against the WHERE clause with the other tables' values of the
// same source row (EvalPlanQual).

// tidNode is a target table's scan whose rows end with the version's TID
// as two hidden columns (page, slot).
type tidNode struct {
	scan *scanNode
	cols []column
}

func newTidNode(s *scanNode) *tidNode {
	cols := append([]column(nil), s.cols...)
	cols = append(cols, column{name: "ctid.page", typ: types.Int8, merged: true},
		column{name: "ctid.slot", typ: types.Int4, merged: true})
	return &tidNode{scan: s, cols: cols}
}

func (n *tidNode) columns() []column    { return n.cols }
func (n *tidNode) explain(e *explainer) { n.scan.explain(e) }
func (n *tidNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.scan.scan(c, func(tid heap.TID, row []types.Datum) error {
		return emit(append(row, types.NewInt(int64(tid.Page)), types.NewInt(int64(tid.Slot))))
	})
}

// modifySource plans the rows an UPDATE or DELETE changes.
type modifySource struct {
	t      *catalog.Table
	n      int  // target columns: row[:n]; the TID is row[n], row[n+1]
	src    node // rows: target ++ TID ++ FROM items
	sc     *scope
	where  expr // nil: none
	joined bool // the join applied where already
}

func (b *builder) modifySource(table ast.QualifiedName, alias string, from []ast.TableExpr, where ast.Expr, with *ast.With) (*modifySource, error) {
	if with != nil {
		return nil, unsupported("WITH is not supported")
	}
	t, err := b.table(table)
	if err != nil {
		return nil, err
	}
	if b.sys {
		return nil, unsupported("system columns (ctid, xmin, xmax, cmin, cmax, tableoid) are not supported in UPDATE and DELETE") // syscols.go
	}
	scan := newScan(t, alias)
	m := &modifySource{t: t, n: len(t.Columns)}
	var src node = newTidNode(scan)
	if len(from) > 0 {
		right, err := b.from(from, nil)
		if err != nil {
			return nil, err
		}
		j := &ast.Join{Type: ast.JoinCross}
		if where != nil {
			j = &ast.Join{Type: ast.JoinInner, On: where}
			m.joined = true
		}
		if src, err = b.join(j, src, right, nil); err != nil {
			return nil, err
		}
	}
	m.src = src
	m.sc = &scope{cols: src.columns()}
	if where != nil {
		if m.where, err = b.cp.predicate(where, m.sc, "WHERE"); err != nil {
			return nil, err
		}
		if len(from) == 0 {
			scan.chooseIndex(b.cp, where)
		}
	}
	return m, nil
}

// each runs fn for every source row that qualifies, with the target row
// version's TID.
func (m *modifySource) each(c *Ctx, fn func(tid heap.TID, row []types.Datum) error) error {
	err := m.src.run(c, func(row []types.Datum) error {
		if m.where != nil && !m.joined {
			ok, err := truthy(c, m.where, row)
			if err != nil || !ok {
				return err
			}
		}
		tid := heap.TID{Page: redo.PageID(row[m.n].I), Slot: uint16(row[m.n+1].I)}
		return fn(tid, row)
	})
	if err == errStop {
		err = nil
	}
	return err
}

// withTarget returns row with its target part replaced by trow.
func (m *modifySource) withTarget(row, trow []types.Datum) []types.Datum {
	full := append([]types.Datum(nil), row...)
	copy(full, trow)
	return full
}

// recheck re-evaluates WHERE on a newer version trow of the target row.
func (m *modifySource) recheck(c *Ctx, row []types.Datum) func([]types.Datum) (bool, error) {
	return func(trow []types.Datum) (bool, error) {
		if m.where == nil {
			return true, nil
		}
		return truthy(c, m.where, m.withTarget(row, trow))
	}
}

func (b *builder) updateStmt(s *ast.Update) (*Plan, error) {
	m, err := b.modifySource(s.Table, s.Alias, s.From, s.Where, s.With)
	if err != nil {
		return nil, err
	}
	t := m.t
	w, err := b.newWriter(t)
	if err != nil {
		return nil, err
	}
	type set struct {
		col int
		e   expr
	}
	var sets []set
	multi := map[*ast.Subquery]*subqueryExpr{} // SET (a, b) = (SELECT ...): one plan per clause
	for _, sc := range s.Set {
		i := t.Column(sc.Column)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q of relation %q does not exist", sc.Column, t.Name)
		}
		if sc.Indirect {
			return nil, unsupported("subscripts and field selection in SET")
		}
		var e expr
		if _, ok := sc.Expr.(*ast.Default); ok {
			e = w.defaults[i]
			if e == nil {
				e = &constExpr{d: types.Null, t: t.Columns[i].Type}
			}
		} else {
			if t.Columns[i].Identity == "a" { // sequence.go
				return nil, identityUpdateErr(t.Columns[i].Name)
			}
			if b.cp.hasAggregate(sc.Expr) {
				return nil, errf(CodeGrouping, "aggregate functions are not allowed in UPDATE")
			}
			if containsSRF(sc.Expr) {
				return nil, srfError("set-returning functions are not allowed in UPDATE")
			}
			if ma, ok := sc.Expr.(*ast.MultiAssign); ok {
				e, err = b.cp.multiAssign(ma, m.sc, multi) // hunt_query.go
			} else {
				e, err = b.cp.expr(sc.Expr, m.sc)
			}
			if err != nil {
				return nil, err
			}
			if e, err = b.cp.coerce(e, t.Columns[i].Type, types.CoerceAssignment); err != nil {
				return nil, assignErr(err, t.Columns[i].Name) // hunt_query.go
			}
		}
		sets = append(sets, set{i, e})
	}
	ret, err := b.returningIn(s.Returning, m.sc)
	if err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindQuery, Explain: "Update on " + t.Name + " via " + explainPlan(m.src)}
	ret.plan(p)
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		n := 0
		err := m.each(c, func(tid heap.TID, row []types.Datum) error {
			change := func(trow []types.Datum) ([]types.Datum, error) {
				full := m.withTarget(row, trow)
				nv := append([]types.Datum(nil), trow[:m.n]...)
				for _, s := range sets {
					d, err := s.e.eval(c, full)
					if err != nil {
						return nil, err
					}
					nv[s.col] = d
				}
				return nv, nil
			}
			nv, _, err := w.updateLatest(c, tid, row[:m.n], m.recheck(c, row), change)
			if err != nil || nv == nil {
				return err
			}
			n++
			return ret.emit(c, m.withTarget(row, nv), emit)
		})
		return fmt.Sprintf("UPDATE %d", n), err
	}
	return deferChecks(p), nil
}

func (b *builder) deleteStmt(s *ast.Delete) (*Plan, error) {
	m, err := b.modifySource(s.Table, s.Alias, s.Using, s.Where, s.With)
	if err != nil {
		return nil, err
	}
	t := m.t
	w, err := b.newWriter(t)
	if err != nil {
		return nil, err
	}
	ret, err := b.returningIn(s.Returning, m.sc)
	if err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindQuery, Explain: "Delete on " + t.Name + " via " + explainPlan(m.src)}
	ret.plan(p)
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		n := 0
		err := m.each(c, func(tid heap.TID, row []types.Datum) error {
			old, err := w.deleteLatest(c, tid, row[:m.n], m.recheck(c, row))
			if err != nil || old == nil {
				return err
			}
			n++
			return ret.emit(c, m.withTarget(row, old), emit)
		})
		return fmt.Sprintf("DELETE %d", n), err
	}
	return deferChecks(p), nil
}

// unknownTarget reports whether output column i of an INSERT's SELECT is
// an untyped literal (a string constant or NULL): PostgreSQL types it as
// the target column, so its text converts like an input literal ('42'
// into an integer column) where a text value would be 42804.
func unknownTarget(s *ast.Select, i int) bool {
	if s == nil || s.Op != ast.SetNone || s.Values != nil || i >= len(s.Targets) {
		return false
	}
	c, ok := s.Targets[i].Expr.(*ast.Const)
	return ok && c.Type.OID == types.OIDUnknown
}
