package exec

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// insertArity is transformInsertRow's check that an INSERT with an explicit
// column list gives a value for every listed column (n values, want
// columns): 42601, with PostgreSQL's hint when the only value is a row of
// the right width (extra parentheses).
func insertArity(s *ast.Insert, n, want int) error {
	if len(s.Columns) == 0 || n >= want {
		return nil
	}
	err := errf(types.CodeSyntaxError, "INSERT has more target columns than expressions")
	if s.Source != nil && s.Source.Values != nil && n == 1 && len(s.Source.Values) > 0 && len(s.Source.Values[0]) == 1 {
		if row, ok := s.Source.Values[0][0].(*ast.RowExpr); ok && len(row.Args) == want {
			err.Hint = "The insertion source is a row expression containing the same number of columns expected by the INSERT. Did you accidentally use extra parentheses?"
		}
	}
	return err
}

// specificType is coerce_to_specific_type: e as type t by assignment
// coercion (unknown literals and parameters take t), or 42804 "argument of
// CONSTRUCT must be type t, not type u" when no such coercion exists.
func (cp *compiler) specificType(e expr, t types.Type, construct string) (expr, error) {
	from := e.typ()
	if _, param := e.(*paramExpr); !param && from.OID != t.OID && !isUnknown(e) {
		if cc, ok := types.CastContext(from.OID, t.OID); !ok || cc > types.CoerceAssignment {
			return nil, errf(types.CodeDatatypeMismatch, "argument of %s must be type %s, not type %s",
				construct, formatTypeBe(t), formatTypeBe(from))
		}
	}
	return cp.coerce(e, t, types.CoerceAssignment)
}

// formatTypeBe is format_type_be: the type's name without its modifier.
func formatTypeBe(t types.Type) string {
	return types.Type{OID: t.OID, Typmod: -1}.String()
}

// limitClause puts LIMIT / OFFSET / FETCH FIRST over in. keys are the
// query's sort keys, ORDER BY's first: FETCH FIRST n ROWS WITH TIES also
// returns the rows after the nth that sort equal to it on the ORDER BY
// items.
func (b *builder) limitClause(s *ast.Select, in node, keys []sortKey) (node, error) {
	if s.Limit == nil && s.Offset == nil {
		return in, nil
	}
	ln := &limitNode{in: in}
	if s.WithTies {
		if len(s.OrderBy) == 0 || len(keys) < len(s.OrderBy) {
			return nil, errf(types.CodeSyntaxError, "WITH TIES cannot be specified without ORDER BY clause")
		}
		ln.ties = keys[:len(s.OrderBy)]
	}
	for _, x := range []struct {
		e         ast.Expr
		dst       *expr
		construct string
	}{{s.Limit, &ln.limit, "LIMIT"}, {s.Offset, &ln.offset, "OFFSET"}} {
		if x.e == nil {
			continue
		}
		if c, ok := x.e.(*ast.Const); ok && c.Value.IsNull() {
			if s.WithTies && x.construct == "LIMIT" {
				return nil, errf(codeInvalidRowCount, "row count cannot be null in FETCH FIRST ... WITH TIES clause")
			}
			continue // LIMIT ALL / NULL
		}
		e, err := b.cp.expr(x.e, &scope{noAggs: x.construct})
		if err != nil {
			return nil, err
		}
		if *x.dst, err = b.cp.specificType(e, types.Int8, x.construct); err != nil {
			return nil, err
		}
	}
	if ln.limit == nil && ln.offset == nil {
		return in, nil
	}
	return ln, nil
}

// codeInvalidRowCount is 2201W (invalid_row_count_in_limit_clause).
const codeInvalidRowCount = "2201W"

// rowSubCompare compiles (a, b) op (SELECT x, y ...) (PostgreSQL's
// ROWCOMPARE sublink): the subquery must return at most one row (21000
// for more; no row gives NULL) with as many columns as the row, and the
// row compares with it as row constructors do.
func (cp *compiler) rowSubCompare(op string, lr *ast.RowExpr, sq *ast.Subquery, sc *scope) (expr, error) {
	if _, ok := cmpOps[op]; !ok {
		return nil, errf(types.CodeUndefinedFunction, "operator %s is not supported for row expressions", op)
	}
	plan, corr, err := cp.subplan(sq.Select, sc, "")
	if err != nil {
		return nil, err
	}
	cols := plan.columns()
	switch {
	case len(cols) > len(lr.Args):
		return nil, errf(types.CodeSyntaxError, "subquery has too many columns")
	case len(cols) < len(lr.Args):
		return nil, errf(types.CodeSyntaxError, "subquery has too few columns")
	}
	n := len(lr.Args)
	out := &rowSubCmpExpr{sub: &subqueryExpr{kind: ast.SubScalar, plan: plan, sc: sc, correlated: corr, limit: 2, t: types.Bool}}
	out.cmp = &rowCmpExpr{op: cmpOps[op]}
	for i, a := range lr.Args {
		l, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		// Both sides are compared over one row: the left values, then the
		// subquery's.
		l2, r2, as, err := cp.comparable(&colExpr{i: i, t: l.typ()}, &colExpr{i: n + i, t: cols[i].typ})
		if err != nil {
			return nil, err
		}
		out.l = append(out.l, l)
		out.cmp.l, out.cmp.r, out.cmp.as = append(out.cmp.l, l2), append(out.cmp.r, r2), append(out.cmp.as, as)
	}
	return out, nil
}

// rowSubCmpExpr is a row compared with a one-row subquery: cmp runs over
// the left values followed by the subquery row's values.
type rowSubCmpExpr struct {
	l   []expr // left values, over the outer row
	sub *subqueryExpr
	cmp *rowCmpExpr
}

func (e *rowSubCmpExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	both := make([]types.Datum, 0, 2*len(e.l))
	for _, l := range e.l {
		d, err := l.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		both = append(both, d)
	}
	rs, err := e.sub.rows(c, row)
	if err != nil {
		return types.Null, err
	}
	switch len(rs) {
	case 0:
		return types.Null, nil
	case 1:
	default:
		return types.Null, errf(CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
	}
	return e.cmp.eval(c, append(both, rs[0]...))
}

func (e *rowSubCmpExpr) typ() types.Type { return types.Bool }

// multiAssign compiles one column of SET (a, b, ...) = (SELECT ...): the
// subquery is planned once per clause (plans keyed by its AST) and must
// return at most one row (21000 for more; no row sets NULLs).
func (cp *compiler) multiAssign(ma *ast.MultiAssign, sc *scope, plans map[*ast.Subquery]*subqueryExpr) (expr, error) {
	sub := plans[ma.Source]
	if sub == nil {
		plan, corr, err := cp.subplan(ma.Source.Select, sc, "")
		if err != nil {
			return nil, err
		}
		if len(plan.columns()) != ma.N {
			return nil, errf(types.CodeSyntaxError, "number of columns does not match number of values")
		}
		sub = &subqueryExpr{kind: ast.SubScalar, plan: plan, sc: sc, correlated: corr, limit: 2, t: types.Unknown}
		plans[ma.Source] = sub
	}
	t := sub.plan.columns()[ma.Col].typ
	if t.OID == types.OIDUnknown {
		t = types.Text
	}
	return &multiColExpr{sub: sub, i: ma.Col, t: t}, nil
}

// multiColExpr is column i of a multiple-column assignment's sub-SELECT.
// Each column runs the (correlated) subquery for its row; uncorrelated
// ones run once per execution.
type multiColExpr struct {
	sub *subqueryExpr
	i   int
	t   types.Type
}

func (e *multiColExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	rs, err := e.sub.rows(c, row)
	if err != nil {
		return types.Null, err
	}
	switch len(rs) {
	case 0:
		return types.Null, nil
	case 1:
		return rs[0][e.i], nil
	}
	return types.Null, errf(CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
}

func (e *multiColExpr) typ() types.Type { return e.t }

// joinAlias applies "(l JOIN r ...) AS a [(c1, ...)]": the join's columns
// are reachable as a.c only (the alias hides the joined tables' names, so
// the inputs' copies of USING columns become unreachable), renamed by the
// column list in order.
func joinAlias(n node, a *ast.Alias) (node, error) {
	in := n.columns()
	cols := make([]column, len(in))
	visible := 0
	for i, c := range in {
		if c.merged {
			c.table = ""
		} else {
			c.table = a.Name
			if visible < len(a.Columns) {
				c.name = a.Columns[visible]
			}
			visible++
		}
		cols[i] = c
	}
	if len(a.Columns) > visible {
		return nil, errf(CodeInvalidColumnReference, "join expression %q has %d columns available but %d columns specified", a.Name, visible, len(a.Columns))
	}
	return &joinAliasNode{in: n, cols: cols}, nil
}

// joinAliasNode passes a join's rows under its alias.
type joinAliasNode struct {
	in   node
	cols []column
}

func (n *joinAliasNode) columns() []column { return n.cols }
func (n *joinAliasNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, emit)
}
func (n *joinAliasNode) explain(e *explainer) { n.in.explain(e) }

// missingRTE is errorMissingRTE: 42P01 for a qualifier no FROM item
// has, with PostgreSQL's message and hint when a table of that name is in
// the FROM clause under an alias.
func (cp *compiler) missingRTE(table string, sc *scope) error {
	for s := sc; s != nil; s = s.outer {
		for _, c := range s.cols {
			if c.tableOID == 0 || c.table == "" || c.table == table || cp.cat == nil {
				continue
			}
			if t, ok := cp.cat.ByOID(c.tableOID); ok && t.Name == table {
				err := errf(CodeUndefinedTable, "invalid reference to FROM-clause entry for table %q", table)
				err.Hint = fmt.Sprintf("Perhaps you meant to reference the table alias %q.", c.table)
				return err
			}
		}
	}
	return errf(CodeUndefinedTable, "missing FROM-clause entry for table %q", table)
}

// groupedName names input column i in a 42803 error as PostgreSQL does:
// qualified by its FROM item's name when it has one.
func groupedName(ref *ast.ColumnRef, i int, sc *scope) string {
	in := sc.in
	if sc.grp != nil && sc.grp.in != nil {
		in = sc.grp.in
	}
	if in != nil && i >= 0 && i < len(in.cols) && in.cols[i].table != "" {
		return in.cols[i].table + "." + in.cols[i].name
	}
	return refName(ref)
}

// rowDistinct compiles (a, b) IS [NOT] DISTINCT FROM (c, d): the rows are
// distinct when any pair is (NULLs compare as values), so NOT DISTINCT is
// the AND of the pairs' IS NOT DISTINCT FROM and DISTINCT the OR of their
// IS DISTINCT FROM.
func (cp *compiler) rowDistinct(x *ast.IsDistinct, sc *scope) (expr, error) {
	lr, lok := x.Left.(*ast.RowExpr)
	rr, rok := x.Right.(*ast.RowExpr)
	if !lok || !rok {
		other, lt, rt := x.Right, "record", ""
		if !lok {
			other = x.Left
		}
		e, err := cp.expr(other, sc)
		if err != nil {
			return nil, err
		}
		if rt = formatTypeBe(e.typ()); !lok {
			lt, rt = rt, "record"
		}
		te := errf(types.CodeUndefinedFunction, "operator does not exist: %s = %s", lt, rt)
		te.Hint = "No operator matches the given name and argument types. You might need to add explicit type casts."
		return nil, te
	}
	if len(lr.Args) != len(rr.Args) {
		return nil, errf(types.CodeSyntaxError, "unequal number of entries in row expressions")
	}
	out := &boolExpr{op: ast.Or}
	if x.Not {
		out.op = ast.And
	}
	for i := range lr.Args {
		l, err := cp.expr(lr.Args[i], sc)
		if err != nil {
			return nil, err
		}
		r, err := cp.expr(rr.Args[i], sc)
		if err != nil {
			return nil, err
		}
		l, r, as, err := cp.comparable(l, r)
		if err != nil {
			return nil, err
		}
		out.args = append(out.args, &distinctExpr{l: l, r: r, as: as, not: x.Not})
	}
	if len(out.args) == 0 {
		return nil, unsupported("empty row constructors are not supported")
	}
	return out, nil
}

// columnAliases plans "FROM t AS x (c1, c2, ...)": t under alias x with its
// first columns renamed (42P10 when more names than columns).
func (b *builder) columnAliases(x *ast.TableRef, outer *scope) (node, error) {
	plain := *x
	plain.Alias = &ast.Alias{Name: x.Alias.Name}
	n, err := b.tableExpr(&plain, outer)
	if err != nil {
		return nil, err
	}
	cols := append([]column(nil), n.columns()...)
	if len(x.Alias.Columns) > len(cols) {
		return nil, errf(CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", x.Alias.Name, len(cols), len(x.Alias.Columns))
	}
	for i, name := range x.Alias.Columns {
		cols[i].name = name
	}
	return &joinAliasNode{in: n, cols: cols}, nil
}

// recursiveTermAggs refuses aggregates in a simple recursive term (42P19,
// as PostgreSQL's parseCheckAggregates; GROUP BY and HAVING alone are
// allowed).
func (b *builder) recursiveTermAggs(term *ast.Select) error {
	if term.Op != ast.SetNone || term.Values != nil {
		return nil
	}
	agg := term.Having != nil && b.cp.hasAggregate(term.Having)
	for _, t := range term.Targets {
		agg = agg || b.cp.hasAggregate(t.Expr)
	}
	if agg {
		return errf(CodeInvalidRecursion, "aggregate functions are not allowed in a recursive query's recursive term")
	}
	return nil
}

// assignErr gives a failed assignment coercion to column col PostgreSQL's
// message and hint (the coercion reports it without the column's name).
func assignErr(err error, col string) error {
	te, ok := err.(*types.Error)
	if !ok || te.Code != types.CodeDatatypeMismatch || !strings.HasPrefix(te.Message, "column is of type ") {
		return err
	}
	out := *te
	out.Message = fmt.Sprintf("column %q %s", col, strings.TrimPrefix(te.Message, "column "))
	out.Hint = "You will need to rewrite or cast the expression."
	return &out
}

// noOperator is 42883 for a missing operator, with PostgreSQL's hint.
func noOperator(format string, args ...any) *types.Error {
	err := errf(types.CodeUndefinedFunction, format, args...)
	err.Hint = "No operator matches the given name and argument types. You might need to add explicit type casts."
	return err
}
