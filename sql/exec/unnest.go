package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// unnestRef plans unnest(array) in FROM (psql's \d+ reads a table's
// options through it): one row per element, in storage order, none for a
// NULL array. The argument may refer to columns of enclosing queries.
func (b *builder) unnestRef(x *ast.FuncRef, outer *scope) (node, error) {
	f := x.Func
	if len(f.Args) != 1 {
		return nil, unsupported("unnest with %d arguments in FROM is not supported", len(f.Args))
	}
	arg, err := b.cp.expr(f.Args[0], &scope{noAggs: "functions in FROM", outer: outer})
	if err != nil {
		return nil, err
	}
	at := arg.typ()
	if isUnknown(arg) {
		return nil, errf(types.CodeUndefinedFunction, "function unnest(unknown) is not unique")
	}
	et, ok := at.ElemType()
	if !ok {
		return nil, errf(types.CodeUndefinedFunction, "function unnest(%s) does not exist", at)
	}
	rel, col := "unnest", "unnest"
	if x.Alias != nil {
		rel, col = x.Alias.Name, x.Alias.Name
		if len(x.Alias.Columns) > 1 {
			return nil, errf(CodeInvalidColumnReference, "table %q has 1 columns available but %d columns specified", rel, len(x.Alias.Columns))
		}
		if len(x.Alias.Columns) == 1 {
			col = x.Alias.Columns[0]
		}
	}
	return &unnestNode{arg: arg, cols: []column{{name: col, typ: et, table: rel}}}, nil
}

// unnestNode emits the elements of an array.
type unnestNode struct {
	arg  expr
	cols []column
}

func (n *unnestNode) columns() []column    { return n.cols }
func (n *unnestNode) explain(e *explainer) { e.line("Function Scan on unnest") }
func (n *unnestNode) run(c *Ctx, emit func([]types.Datum) error) error {
	d, err := n.arg.eval(c, nil)
	if err != nil || d.IsNull() || d.A == nil {
		return err
	}
	for _, v := range d.A.Elems {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit([]types.Datum{v}); err != nil {
			return err
		}
	}
	return nil
}
