package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// The SELECT planner turns an ast.Select into a tree of nodes:
//
//	from (scan / values / generate_series / joins)
//	  -> filter (WHERE)
//	  -> aggregate (when the query has aggregates)
//	  -> project (select list, plus hidden ORDER BY expressions)
//	  -> sort -> limit -> project (dropping the hidden columns)
//
// Names resolve through scopes: each node's output schema is the scope of
// the expressions evaluated over its rows; a subquery's scope has the
// enclosing query's scope as outer.

// selectQuery plans a SELECT (or VALUES); outer is the enclosing query's
// scope (nil at top level). The result's columns are the visible output
// columns.
func (b *builder) selectQuery(s *ast.Select, outer *scope) (node, error) {
	switch {
	case s.With != nil:
		return b.withSelect(s, outer)
	case s.Op != ast.SetNone:
		return b.setOp(s, outer)
	}
	var in node
	var err error
	targets := s.Targets
	if s.Values != nil {
		if in, err = b.values(s.Values, nil); err != nil {
			return nil, err
		}
		targets = []*ast.Target{{Expr: &ast.ColumnRef{Star: true}}}
	} else if in, err = b.lockingFrom(s, outer); err != nil { // locking.go
		return nil, err
	}
	sc := &scope{cols: in.columns(), outer: outer}
	if s.Where != nil {
		w, err := b.cp.predicate(s.Where, sc, "WHERE")
		if err != nil {
			return nil, err
		}
		if scan, ok := in.(*scanNode); ok {
			scan.chooseIndex(b.cp, s.Where)
		}
		in = &filterNode{in: in, cond: w}
	}
	if len(s.Locking) > 0 {
		if in, err = b.lockRows(s, in); err != nil { // locking.go
			return nil, err
		}
	}
	agg := len(s.GroupBy) > 0 || s.Having != nil || s.GroupEmpty
	for _, t := range targets {
		agg = agg || b.cp.hasAggregate(t.Expr)
	}
	for _, o := range s.OrderBy {
		agg = agg || b.cp.hasAggregate(o.Expr)
	}
	var aggs []*aggSpec
	// tsc is the scope of the select list and ORDER BY (group.go)
	tsc, gp, err := b.groupScope(s, sc, outer, agg, &aggs)
	if err != nil {
		return nil, err
	}
	if err := b.allowSRFs(s, targets, tsc); err != nil { // projectset.go
		return nil, err
	}
	var exprs []expr
	var cols []column
	for _, t := range targets {
		if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
			if agg && (len(s.From) > 0 || s.Values != nil) {
				if exprs, cols, err = gp.groupedStar(cr, exprs, cols); err != nil {
					return nil, err
				}
				continue
			}
			if len(s.From) == 0 && s.Values == nil {
				return nil, errf(types.CodeSyntaxError, "SELECT * with no tables specified is not valid")
			}
			idx, err := sc.star(cr.Table)
			if err != nil {
				return nil, err
			}
			b.cp.rec.star(cr, sc.cols, idx) // depend.go
			for _, i := range idx {
				exprs = append(exprs, &colExpr{i: i, t: sc.cols[i].typ})
				c := sc.cols[i]
				c.table, c.merged = "", false
				cols = append(cols, c)
			}
			continue
		}
		e, err := b.cp.expr(t.Expr, tsc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = b.cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		c := column{name: targetName(t), typ: e.typ()}
		if ce, ok := e.(*colExpr); ok && !agg {
			c.tableOID, c.attr = sc.cols[ce.i].tableOID, sc.cols[ce.i].attr
		}
		exprs = append(exprs, e)
		cols = append(cols, c)
	}
	visible := len(exprs)
	var keys []sortKey
	for _, o := range s.OrderBy {
		k := sortKey{desc: o.Desc, col: -1}
		k.nullsFirst = k.desc
		if o.NullsFirst != nil {
			k.nullsFirst = *o.NullsFirst
		}
		if c, ok := o.Expr.(*ast.Const); ok && (c.Type.OID != types.OIDInt4 || c.Value.IsNull()) {
			return nil, errf(types.CodeSyntaxError, "non-integer constant in ORDER BY")
		} else if ok {
			pos := int(c.Value.I)
			if pos < 1 || pos > visible {
				return nil, errf(codeInvalidColumnRef, "ORDER BY position %d is not in select list", pos)
			}
			k.col = pos - 1
		} else if cr, ok := o.Expr.(*ast.ColumnRef); ok && cr.Table == "" && !cr.Star {
			if k.col, err = outputName(cr.Column, exprs, cols, visible); err != nil {
				return nil, err
			}
		}
		if k.col < 0 {
			if k.col, err = gp.orderByTarget(o.Expr, visible); err != nil {
				return nil, err
			}
		}
		if k.col < 0 {
			e, err := b.cp.expr(o.Expr, tsc)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
			cols = append(cols, column{typ: e.typ()})
			k.col = len(exprs) - 1
		}
		k.t = exprs[k.col].typ()
		keys = append(keys, k)
	}
	if keys, err = gp.distinctKeys(&exprs, &cols, visible, keys); err != nil {
		return nil, err
	}
	if in, err = gp.below(in); err != nil { // aggregation, HAVING, windows
		return nil, err
	}
	in = tsc.srf.project(in, exprs, cols)
	if keys != nil {
		in = &sortNode{in: in, keys: keys}
	}
	in = gp.distinctNode(in)
	if in, err = b.limitClause(s, in, keys); err != nil { // hunt_query.go
		return nil, err
	}
	if len(exprs) > visible {
		trim := make([]expr, visible)
		for i := range trim {
			trim[i] = &colExpr{i: i, t: cols[i].typ}
		}
		in = &projectNode{in: in, exprs: trim, cols: cols[:visible]}
	}
	return in, nil
}

// targetName is the column name PostgreSQL gives a select-list item.
func targetName(t *ast.Target) string {
	if t.Alias != "" {
		return t.Alias
	}
	e := t.Expr
	for {
		c, ok := e.(*ast.Cast)
		if !ok {
			break
		}
		e = c.Expr
	}
	switch x := e.(type) {
	case *ast.ColumnRef:
		return x.Column
	case *ast.FuncCall:
		return x.Name
	case *ast.SQLValueFunc:
		return x.Name
	case *ast.Coalesce:
		return "coalesce"
	case *ast.NullIf:
		return "nullif"
	case *ast.MinMax:
		if x.Greatest {
			return "greatest"
		}
		return "least"
	case *ast.CaseExpr, *ast.Subscript, *ast.Collate, *ast.ArrayExpr, *ast.RowExpr:
		n, _ := figureColname(x)
		return n
	case *ast.Subquery:
		return subqueryName(x)
	}
	if c, ok := t.Expr.(*ast.Cast); ok {
		return c.Type.Name
	}
	return "?column?"
}

// values plans VALUES lists; with colTypes the values are coerced
// (assignment) to them, else each column takes the common type of its
// values (select_common_type, unknowns last, text when all are unknown). A
// nil expression in a row is DEFAULT (only with colTypes).
func (b *builder) values(lists [][]ast.Expr, colTypes []types.Type) (*valuesNode, error) {
	return b.valuesFor(lists, colTypes, nil)
}

// valuesFor is values with the target columns' names (INSERT) for
// PostgreSQL's assignment error message (nil: none).
func (b *builder) valuesFor(lists [][]ast.Expr, colTypes []types.Type, colNames []string) (*valuesNode, error) {
	n := &valuesNode{}
	for _, items := range lists {
		if len(n.rows) > 0 && len(items) != len(n.rows[0]) {
			return nil, errf(types.CodeSyntaxError, "VALUES lists must all be the same length")
		}
		if colTypes != nil && len(items) > len(colTypes) {
			return nil, errf(types.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		row := make([]expr, len(items))
		for i, it := range items {
			if _, ok := it.(*ast.Default); ok && colTypes != nil {
				continue // DEFAULT
			}
			e, err := b.cp.expr(it, &scope{noAggs: "VALUES"})
			if err != nil {
				return nil, err
			}
			if colTypes != nil {
				if e, err = b.cp.coerce(e, colTypes[i], types.CoerceAssignment); err != nil {
					if i < len(colNames) {
						err = assignErr(err, colNames[i])
					}
					return nil, err
				}
			}
			row[i] = e
		}
		n.rows = append(n.rows, row)
	}
	if colTypes == nil && len(n.rows) > 0 {
		for i := range n.rows[0] {
			col := make([]expr, len(n.rows))
			for r, row := range n.rows {
				col[r] = row[i]
			}
			t, err := exprCommonType(col, "VALUES")
			if err != nil {
				return nil, err
			}
			for _, row := range n.rows {
				if row[i], err = b.cp.coerce(row[i], t, types.CoerceImplicit); err != nil {
					return nil, err
				}
			}
		}
	}
	if colTypes == nil && len(n.rows) > 0 {
		for i, e := range n.rows[0] {
			n.cols = append(n.cols, column{name: fmt.Sprintf("column%d", i+1), typ: e.typ(), table: "*VALUES*"})
		}
	}
	return n, nil
}
