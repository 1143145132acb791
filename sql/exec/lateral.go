package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// LATERAL subqueries in FROM: "left, LATERAL (sub) s" and "left [INNER |
// LEFT | CROSS] JOIN LATERAL (sub) s [ON cond]". The subquery is planned
// like a subquery expression evaluated over the left input's rows (its
// outer scope is the left side's): for each left row it runs with that row
// bound, and its rows are joined to it (LEFT: a left row without match gets
// NULLs).

// isLateral reports a LATERAL subquery in FROM. A function in FROM is
// implicitly LATERAL, as in PostgreSQL: it becomes LATERAL (SELECT * FROM
// f(...)) under the function's alias (lateralFunc, unnest.go).
func isLateral(te ast.TableExpr) (*ast.SubqueryRef, bool) {
	if fr, ok := te.(*ast.FuncRef); ok {
		return lateralFunc(fr), true
	}
	sr, ok := te.(*ast.SubqueryRef)
	return sr, ok && sr.Lateral
}

// lateralJoin plans left joined to the LATERAL subquery sr; j is the JOIN
// (nil for a comma).
func (b *builder) lateralJoin(j *ast.Join, left node, sr *ast.SubqueryRef, outer *scope) (node, error) {
	if sr.Alias == nil {
		return nil, errf(types.CodeSyntaxError, "subquery in FROM must have an alias")
	}
	lc := left.columns()
	lsc := &scope{cols: lc, outer: outer}
	right, correlated, err := b.cp.subplan(sr.Select, lsc, "")
	if err != nil {
		return nil, err
	}
	rc := append([]column(nil), right.columns()...)
	if len(sr.Alias.Columns) > len(rc) {
		return nil, errf(CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", sr.Alias.Name, len(rc), len(sr.Alias.Columns))
	}
	for i := range rc {
		rc[i].table = sr.Alias.Name
		if i < len(sr.Alias.Columns) {
			rc[i].name = sr.Alias.Columns[i]
		}
	}
	if !correlated { // an ordinary join
		if j == nil {
			j = &ast.Join{Type: ast.JoinCross}
		}
		return b.join(j, left, &renameNode{in: right, cols: rc}, outer)
	}
	typ := ast.JoinCross
	if j != nil {
		typ = j.Type
		if j.Natural || len(j.Using) > 0 {
			return nil, unsupported("JOIN LATERAL with USING or NATURAL is not supported")
		}
		if typ != ast.JoinCross && typ != ast.JoinInner && typ != ast.JoinLeft {
			return nil, errf(CodeInvalidColumnReference, "invalid reference to FROM-clause entry: the combining JOIN type must be INNER or LEFT for a LATERAL reference")
		}
	}
	for _, a := range lc {
		if a.table == sr.Alias.Name {
			return nil, errf(CodeDuplicateAlias, "table name %q specified more than once", a.table)
		}
	}
	n := &lateralNode{left: left, right: right, lsc: lsc, outerJoin: typ == ast.JoinLeft, nright: len(rc)}
	n.cols = append(append([]column(nil), lc...), rc...)
	if j != nil && j.On != nil {
		both := &scope{cols: n.cols, outer: outer}
		if n.on, err = b.cp.predicate(j.On, both, "JOIN conditions"); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// lateralNode runs its right input once per left row, with the left row
// bound for the right side's outer references.
type lateralNode struct {
	left, right node
	lsc         *scope
	on          expr // over left++right (nil: true)
	outerJoin   bool
	nright      int
	cols        []column
}

func (n *lateralNode) columns() []column { return n.cols }
func (n *lateralNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.left.run(c, func(l []types.Datum) error {
		matched := false
		var rows [][]types.Datum
		if err := c.within(n.lsc, l, func() error {
			return n.right.run(c, func(r []types.Datum) error {
				row := append(append(make([]types.Datum, 0, len(l)+len(r)), l...), r...)
				if n.on != nil {
					ok, err := truthy(c, n.on, row)
					if err != nil || !ok {
						return err
					}
				}
				rows = append(rows, row)
				return nil
			})
		}); err != nil {
			return err
		}
		for _, row := range rows {
			matched = true
			if err := emit(row); err != nil {
				return err
			}
		}
		if !matched && n.outerJoin {
			row := append(append(make([]types.Datum, 0, len(l)+n.nright), l...), make([]types.Datum, n.nright)...)
			for i := len(l); i < len(row); i++ {
				row[i] = types.Null
			}
			return emit(row)
		}
		return nil
	})
}
func (n *lateralNode) explain(e *explainer) {
	name := "Nested Loop"
	if n.outerJoin {
		name += " Left Join"
	}
	e.line("%s", name)
	e.child(n.left)
	e.child(n.right)
}
