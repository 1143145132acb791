package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// srfRef plans a set-returning function in FROM (srf.go): generate_series,
// unnest (several arrays side by side, as ROWS FROM), jsonb_each, ...,
// optionally WITH ORDINALITY and with a column alias list. The arguments may
// refer to columns of enclosing queries; a function after other FROM items
// may refer to theirs (lateralFunc).
func (b *builder) srfRef(x *ast.FuncRef, outer *scope) (node, error) {
	fc := x.Func
	f, ok := lookupSRF(fc.Schema, fc.Name)
	if !ok {
		return nil, unsupported("function %s in FROM is not supported", fc.Name)
	}
	if fc.Over != nil || fc.Star || fc.Distinct || len(fc.OrderBy) > 0 || fc.Filter != nil {
		return nil, errf(types.CodeSyntaxError, "invalid call of %s in FROM", fc.Name)
	}
	sc := &scope{noAggs: "functions in FROM", outer: outer}
	args := make([]expr, len(fc.Args))
	for i, a := range fc.Args {
		if containsSRF(a) {
			return nil, srfError("set-returning functions must appear at top level of FROM")
		}
		e, err := b.cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	var calls []*srfCall
	if fc.Name == "unnest" && len(args) > 1 { // unnest(a, b, ...) is ROWS FROM(unnest(a), unnest(b), ...)
		for _, a := range args {
			pa, outs, err := f.plan(b.cp, fc.Name, []expr{a})
			if err != nil {
				return nil, err
			}
			calls = append(calls, &srfCall{f: f, name: fc.Name, args: pa, outs: outs})
		}
	} else {
		pa, outs, err := f.plan(b.cp, fc.Name, args)
		if err != nil {
			return nil, err
		}
		calls = []*srfCall{{f: f, name: fc.Name, args: pa, outs: outs}}
	}
	rel := fc.Name
	if x.Alias != nil {
		rel = x.Alias.Name
	}
	var cols []column
	for _, s := range calls {
		for _, o := range s.outs {
			cols = append(cols, column{name: o.name, typ: o.typ, table: rel})
		}
	}
	// A function with one unnamed result column is named after its alias.
	if len(cols) == 1 && x.Alias != nil && cols[0].name == fc.Name {
		cols[0].name = x.Alias.Name
	}
	if x.WithOrdinality {
		cols = append(cols, column{name: "ordinality", typ: types.Int8, table: rel})
	}
	if x.Alias != nil {
		if len(x.Alias.Columns) > len(cols) {
			return nil, errf(CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", rel, len(cols), len(x.Alias.Columns))
		}
		for i, c := range x.Alias.Columns {
			cols[i].name = c
		}
	}
	return &srfScanNode{calls: calls, ordinal: x.WithOrdinality, cols: cols}, nil
}

// lateralFunc is a function in FROM after other FROM items, which may refer
// to their columns: LATERAL (SELECT * FROM f(...) [AS alias(cols)]) named
// as the function is (its alias, else its name).
func lateralFunc(x *ast.FuncRef) *ast.SubqueryRef {
	name := x.Func.Name
	if x.Alias != nil {
		name = x.Alias.Name
	}
	inner := *x
	inner.Lateral = false
	return &ast.SubqueryRef{
		Select:  &ast.Select{Targets: []*ast.Target{{Expr: &ast.ColumnRef{Star: true}}}, From: []ast.TableExpr{&inner}},
		Alias:   &ast.Alias{Name: name},
		Lateral: true,
	}
}
