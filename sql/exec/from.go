package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// from plans a FROM list: comma-separated items are cross joined left to
// right; no items is one empty row.
func (b *builder) from(items []ast.TableExpr, outer *scope) (node, error) {
	if len(items) == 0 {
		return resultNode{}, nil
	}
	var out node
	for _, it := range items {
		if sr, ok := isLateral(it); ok && out != nil {
			var err error
			if out, err = b.lateralJoin(nil, out, sr, outer); err != nil {
				return nil, err
			}
			continue
		}
		n, err := b.tableExpr(it, outer)
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
	return out, nil
}

// table resolves a table name (not a view: see relation).
func (b *builder) table(q ast.QualifiedName) (*catalog.Table, error) {
	t, err := b.relation(q)
	if err == nil && t.View != "" {
		return nil, notAView(t)
	}
	if err == nil && t.Sequence {
		return nil, errf(CodeWrongObjectType, "cannot change sequence %q", t.Name)
	}
	return t, err
}

// tableExpr plans one FROM item.
func (b *builder) tableExpr(te ast.TableExpr, outer *scope) (node, error) {
	switch x := te.(type) {
	case *ast.TableRef:
		if n, ok, err := b.cteRef(x); ok {
			return n, err
		}
		alias := ""
		if x.Alias != nil {
			if len(x.Alias.Columns) > 0 {
				return b.columnAliases(x, outer) // hunt_query.go
			}
			alias = x.Alias.Name
		}
		q := x.Name
		if n, ok, err := b.catalogRef(q, alias); ok {
			return n, err
		}
		t, err := b.relation(q)
		if err != nil {
			return nil, err
		}
		b.cp.rec.table(x, t) // depend.go
		if t.View != "" {
			return b.viewRef(t, alias)
		}
		if alias == "" && q.Schema != "" {
			alias = q.Name // schema.name is referred to as name
		}
		if t.Sequence {
			return &sequenceNode{t: t, cols: tableColumns(t, alias)}, nil
		}
		if b.sys {
			return newScan(t, alias).withSystemColumns(), nil // syscols.go
		}
		return newScan(t, alias), nil
	case *ast.FuncRef:
		return b.funcRef(x, outer)
	case *ast.Join:
		l, err := b.tableExpr(x.Left, outer)
		if err != nil {
			return nil, err
		}
		var j node
		if sr, ok := isLateral(x.Right); ok {
			j, err = b.lateralJoin(x, l, sr, outer)
		} else {
			var r node
			if r, err = b.tableExpr(x.Right, outer); err != nil {
				return nil, err
			}
			j, err = b.join(x, l, r, outer)
		}
		if err != nil || x.Alias == nil {
			return j, err
		}
		return joinAlias(j, x.Alias) // hunt_query.go
	case *ast.SubqueryRef:
		if x.Lateral {
			return nil, unsupported("LATERAL is not supported")
		}
		if x.Alias == nil {
			err := errf(types.CodeSyntaxError, "subquery in FROM must have an alias")
			err.Hint = "For example, FROM (SELECT ...) [AS] foo."
			return nil, err
		}
		in, err := b.selectQuery(x.Select, nil)
		if err != nil {
			return nil, err
		}
		cols := append([]column(nil), in.columns()...)
		if len(x.Alias.Columns) > len(cols) {
			return nil, errf(CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", x.Alias.Name, len(cols), len(x.Alias.Columns))
		}
		for i := range cols {
			cols[i].table = x.Alias.Name
			if i < len(x.Alias.Columns) {
				cols[i].name = x.Alias.Columns[i]
			}
		}
		return &renameNode{in: in, cols: cols}, nil
	}
	return nil, unsupported("this FROM item is not supported")
}

// CodeInvalidColumnReference is 42P10.
const CodeInvalidColumnReference = "42P10"

// renameNode passes its input's rows under another schema (a subquery's
// alias).
type renameNode struct {
	in   node
	cols []column
}

func (n *renameNode) columns() []column { return n.cols }
func (n *renameNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, emit)
}
func (n *renameNode) explain(e *explainer) {
	e.line("Subquery Scan")
	e.child(n.in)
}

// funcRef plans a function in FROM: a set-returning function (srf.go)
// as a srfScanNode (unnest.go).
func (b *builder) funcRef(x *ast.FuncRef, outer *scope) (node, error) {
	return b.srfRef(x, outer)
}
