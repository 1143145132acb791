package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// Subquery expressions: (SELECT ...), EXISTS, IN / op ANY / op ALL
// (SELECT ...) and ARRAY(SELECT ...).
//
// A subquery is planned with the scope it appears in as its outer scope.
// A column found in an outer scope compiles to an outerColExpr naming that
// scope; every subquery between the reference and that scope is marked
// correlated. At run time a subqueryExpr evaluated over row r binds (its
// scope, r) on the statement's binding stack (subRun.binds) while its plan
// runs, and an outerColExpr reads the row bound to its scope. An
// uncorrelated subquery runs once per statement execution (its rows are
// cached in the Ctx); a correlated one runs once per evaluation.

// subqState is the planning state of a statement's subqueries and CTEs.
type subqState struct {
	b      *builder
	frames []*subFrame // subqueries being compiled, innermost last
	ctes   []*cteDef   // CTEs in scope, innermost last
	top    *ast.With   // the statement's top-level WITH (may hold DML)
}

// subFrame is a subquery (or CTE body) being compiled.
type subFrame struct {
	sc         *scope // the scope whose row the subquery is evaluated over
	correlated bool   // the subquery references a scope outside itself
	// barrier: outer references across this frame are not supported (why).
	barrier string
}

// subRun is the run-time state of one statement execution.
type subRun struct {
	binds []binding
	cache map[any][][]types.Datum // uncorrelated subqueries' rows, materialized CTEs
	sets  map[*subqueryExpr]*valueSet
}

// binding is the current row of a scope that a running subquery reads
// outer references from.
type binding struct {
	sc  *scope
	row []types.Datum
}

// subq returns the run-time subquery state of c.
func (c *Ctx) subq() *subRun {
	if c.sub == nil {
		c.sub = &subRun{cache: map[any][][]types.Datum{}}
	}
	return c.sub
}

// within runs fn with row bound as the current row of sc.
func (c *Ctx) within(sc *scope, row []types.Datum, fn func() error) error {
	r := c.subq()
	n := len(r.binds)
	r.binds = append(r.binds, binding{sc: sc, row: row})
	err := fn()
	r.binds = r.binds[:n]
	return err
}

// isAncestor reports whether a is s or one of its outer scopes.
func isAncestor(a, s *scope) bool {
	for ; s != nil; s = s.outer {
		if s == a {
			return true
		}
	}
	return false
}

// outerRef compiles a reference to column i of the outer scope s, made
// from scope sc (inside a subquery).
func (cp *compiler) outerRef(s *scope, i int, sc *scope) (expr, error) {
	return cp.outerRefAt(s, i, s.cols[i].typ, sc)
}

// outerRefAt compiles a reference to column i (of type t) of the rows
// scope s is evaluated over, made from scope sc inside a subquery.
func (cp *compiler) outerRefAt(s *scope, i int, t types.Type, sc *scope) (expr, error) {
	if cp.sq == nil {
		return nil, unsupported("correlated subqueries are not supported here")
	}
	if sc.aggs != nil && sc.inAgg {
		return nil, unsupported("aggregates over outer query columns are not supported")
	}
	fr := cp.sq.frames
	for k := len(fr) - 1; k >= 0; k-- {
		f := fr[k]
		if !isAncestor(s, f.sc) {
			break
		}
		if f.barrier != "" {
			return nil, unsupported("%s", f.barrier)
		}
		f.correlated = true
		if f.sc == s {
			return &outerColExpr{sc: s, i: i, t: t}, nil
		}
	}
	return nil, unsupported("this correlated reference is not supported")
}

// outerGroupedRef compiles a reference from inside a subquery to a column
// of the aggregating query around it (scope s, evaluated over its
// aggregation rows): the column must be grouped. ok is false when s's
// input has no such column.
func (cp *compiler) outerGroupedRef(ref *ast.ColumnRef, s, sc *scope) (expr, bool, error) {
	i, err := s.in.lookup(ref)
	if err != nil || i < 0 {
		return nil, err != nil, err
	}
	g, err := cp.groupedColumn(ref, i, s)
	if err != nil {
		return nil, true, err
	}
	ce, ok := g.(*colExpr)
	if !ok {
		return nil, true, unsupported("this correlated reference is not supported")
	}
	e, err := cp.outerRefAt(s, ce.i, ce.t, sc)
	return e, true, err
}

// outerColExpr is a column of an enclosing query's current row.
type outerColExpr struct {
	sc *scope
	i  int
	t  types.Type
}

func (e *outerColExpr) eval(c *Ctx, _ []types.Datum) (types.Datum, error) {
	if c.sub != nil {
		for k := len(c.sub.binds) - 1; k >= 0; k-- {
			if b := c.sub.binds[k]; b.sc == e.sc {
				return b.row[e.i], nil
			}
		}
	}
	return types.Null, fmt.Errorf("exec: outer reference evaluated outside its subquery")
}
func (e *outerColExpr) typ() types.Type { return e.t }

// subplan plans sel as a subquery evaluated over rows of sc; correlated
// reports whether it references sc or a scope outside it.
func (cp *compiler) subplan(sel *ast.Select, sc *scope, barrier string) (n node, correlated bool, err error) {
	if cp.sq == nil {
		return nil, false, unsupported("subqueries are not supported in this context")
	}
	f := &subFrame{sc: sc, barrier: barrier}
	cp.sq.frames = append(cp.sq.frames, f)
	defer func() { cp.sq.frames = cp.sq.frames[:len(cp.sq.frames)-1] }()
	n, err = cp.sq.b.selectQuery(sel, sc)
	return n, f.correlated, err
}

// subqueryExpr is a subquery used as an expression.
type subqueryExpr struct {
	kind       ast.SubqueryKind
	plan       node
	sc         *scope // the scope it is evaluated over (bound while it runs)
	correlated bool
	limit      int // rows needed (0: all)
	t          types.Type

	// ANY / ALL: l over the outer row, r over the subquery's row, compared
	// as types as with op (several for a row: (a, b) IN (SELECT x, y ...),
	// = or <> only).
	l, r []expr
	op   cmpOp
	as   []types.Type
	// hashed: an uncorrelated "x = ANY (SELECT y ...)" of one hashable
	// type probes a set of the subquery's values (built once per execution).
	hashed bool
}

// valueSet is the probe set of a hashed = ANY subquery.
type valueSet struct {
	keys    map[string]bool
	hasNull bool
	empty   bool
}

// subqueryName is the column name PostgreSQL gives a subquery in a select
// list: "exists", "array", a scalar subquery's own column name.
func subqueryName(x *ast.Subquery) string {
	switch x.Kind {
	case ast.SubExists:
		return "exists"
	case ast.SubArray:
		return "array"
	case ast.SubScalar:
		s := x.Select
		for s != nil && s.Op != ast.SetNone {
			s = s.Left
		}
		if s != nil && len(s.Targets) > 0 {
			if cr, ok := s.Targets[0].Expr.(*ast.ColumnRef); !ok || !cr.Star {
				return targetName(s.Targets[0])
			}
		}
		if s != nil && s.Values != nil {
			return "column1"
		}
	}
	return "?column?"
}

// subquery compiles a subquery expression in scope sc.
func (cp *compiler) subquery(x *ast.Subquery, sc *scope) (expr, error) {
	switch {
	case sc.noAggs == "DEFAULT expressions":
		return nil, unsupported("cannot use subquery in DEFAULT expression")
	case sc.noAggs == "check constraints":
		return nil, unsupported("cannot use subquery in check constraint")
	case cp.sq == nil:
		return nil, unsupported("cannot use subquery in this context")
	}
	plan, corr, err := cp.subplan(x.Select, sc, "")
	if err != nil {
		return nil, err
	}
	cols := plan.columns()
	e := &subqueryExpr{kind: x.Kind, plan: plan, sc: sc, correlated: corr}
	left := []ast.Expr{x.Left}
	if row, ok := x.Left.(*ast.RowExpr); ok {
		left = row.Args
	}
	if x.Kind != ast.SubExists && len(cols) != len(left) {
		if x.Kind == ast.SubAny || x.Kind == ast.SubAll {
			if len(cols) > len(left) {
				return nil, errf(types.CodeSyntaxError, "subquery has too many columns")
			}
			return nil, errf(types.CodeSyntaxError, "subquery has too few columns")
		}
		return nil, errf(types.CodeSyntaxError, "subquery must return only one column")
	}
	switch x.Kind {
	case ast.SubExists:
		e.limit, e.t = 1, types.Bool
	case ast.SubScalar:
		e.limit, e.t = 2, cols[0].typ
		if e.t.OID == types.OIDUnknown {
			e.t = types.Text
		}
	case ast.SubArray:
		et := cols[0].typ
		if et.OID == types.OIDUnknown {
			et = types.Text
		}
		at, err := types.ArrayOf(et)
		if err != nil {
			return nil, err
		}
		e.t = at
	case ast.SubAny, ast.SubAll:
		op, ok := cmpOps[x.Op]
		if !ok || (len(left) > 1 && op != cmpEQ && op != cmpNE) {
			return nil, unsupported("operator %s with ANY/ALL (subquery) is not supported", x.Op)
		}
		for i, a := range left {
			l, err := cp.expr(a, sc)
			if err != nil {
				return nil, err
			}
			l2, r2, as, err := cp.comparable(l, &colExpr{i: i, t: cols[i].typ})
			if err != nil {
				if te, ok := err.(*types.Error); ok && te.Code == types.CodeUndefinedFunction {
					return nil, noOperator("operator does not exist: %s %s %s", l.typ(), x.Op, cols[i].typ)
				}
				return nil, err
			}
			e.l, e.r, e.as = append(e.l, l2), append(e.r, r2), append(e.as, as)
		}
		e.op, e.t = op, types.Bool
		e.hashed = x.Kind == ast.SubAny && !corr && op == cmpEQ && len(left) == 1 && hashable(e.as[0]) &&
			e.l[0].typ().OID == e.as[0].OID && e.r[0].typ().OID == e.as[0].OID
	default:
		return nil, unsupported("this kind of subquery is not supported")
	}
	return e, nil
}

// rows runs the subquery for the outer row (or returns its cached rows).
func (e *subqueryExpr) rows(c *Ctx, row []types.Datum) ([][]types.Datum, error) {
	if !e.correlated {
		if rs, ok := c.subq().cache[e]; ok {
			return rs, nil
		}
	}
	var out [][]types.Datum
	run := func() error {
		err := e.plan.run(c, func(r []types.Datum) error {
			out = append(out, r)
			if e.limit > 0 && len(out) >= e.limit {
				return errStop
			}
			return nil
		})
		if err == errStop {
			err = nil
		}
		return err
	}
	if err := c.within(e.sc, row, run); err != nil {
		return nil, err
	}
	if !e.correlated {
		c.subq().cache[e] = out
	}
	return out, nil
}

func (e *subqueryExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	left := make([]types.Datum, len(e.l))
	for i, l := range e.l {
		var err error
		if left[i], err = l.eval(c, row); err != nil {
			return types.Null, err
		}
	}
	rs, err := e.rows(c, row)
	if err != nil {
		return types.Null, err
	}
	switch e.kind {
	case ast.SubExists:
		return types.NewBool(len(rs) > 0), nil
	case ast.SubScalar:
		switch len(rs) {
		case 0:
			return types.Null, nil
		case 1:
			return rs[0][0], nil
		}
		return types.Null, errf(CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
	case ast.SubArray:
		if e.t.OID == e.plan.columns()[0].typ.OID { // array of arrays
			subs := make([]*types.Array, len(rs))
			for i, r := range rs {
				subs[i] = r[0].A
			}
			a, err := types.MakeArrayOfArrays(subs)
			if err != nil {
				return types.Null, err
			}
			return types.NewArray(a), nil
		}
		elems := make([]types.Datum, len(rs))
		for i, r := range rs {
			elems[i] = r[0]
		}
		return types.NewArray(types.MakeArray(elems)), nil
	}
	if e.hashed {
		return e.probe(c, left[0], rs)
	}
	// ANY / ALL with three-valued logic.
	all := e.kind == ast.SubAll
	sawNull := false
	for _, r := range rs {
		v, null, err := e.compare(c, left, r)
		if err != nil {
			return types.Null, err
		}
		if null {
			sawNull = true
			continue
		}
		if v != all {
			return types.NewBool(!all), nil
		}
	}
	if sawNull {
		return types.Null, nil
	}
	return types.NewBool(all), nil
}

func (e *subqueryExpr) typ() types.Type { return e.t }

// probe answers a hashed "x = ANY (subquery)" from the value set of the
// subquery's rows rs (built on first use): true when x is in it, else NULL
// when x or a value is NULL (and the set is not empty), else false.
func (e *subqueryExpr) probe(c *Ctx, x types.Datum, rs [][]types.Datum) (types.Datum, error) {
	r := c.subq()
	if r.sets == nil {
		r.sets = map[*subqueryExpr]*valueSet{}
	}
	set := r.sets[e]
	if set == nil {
		set = &valueSet{keys: map[string]bool{}, empty: len(rs) == 0}
		for _, row := range rs {
			v, err := e.r[0].eval(c, row)
			if err != nil {
				return types.Null, err
			}
			if v.IsNull() {
				set.hasNull = true
				continue
			}
			set.keys[string(types.AppendKey(nil, e.as[0], v, false))] = true
		}
		r.sets[e] = set
	}
	switch {
	case set.empty:
		return types.NewBool(false), nil
	case x.IsNull():
		return types.Null, nil
	case set.keys[string(types.AppendKey(nil, e.as[0], x, false))]:
		return types.NewBool(true), nil
	case set.hasNull:
		return types.Null, nil
	}
	return types.NewBool(false), nil
}

// compare applies the ANY/ALL operator to the left values and a subquery
// row: its truth value, or null. A row comparison is = (every pair equal;
// false when a non-NULL pair differs, else NULL when a pair has a NULL) or
// its negation <>.
func (e *subqueryExpr) compare(c *Ctx, left, r []types.Datum) (v, null bool, err error) {
	eq := true
	for i, l := range left {
		rv, err := e.r[i].eval(c, r)
		if err != nil {
			return false, false, err
		}
		if l.IsNull() || rv.IsNull() {
			null = true
			continue
		}
		x := types.CompareAs(e.as[i], l, rv)
		if len(left) == 1 {
			return cmpResult(e.op, x), false, nil
		}
		if x != 0 {
			eq = false
		}
	}
	if len(left) > 1 && !eq {
		return e.op == cmpNE, false, nil
	}
	if null {
		return false, true, nil
	}
	return e.op == cmpEQ, false, nil
}

// cmpResult applies a comparison operator to a three-way comparison.
func cmpResult(op cmpOp, x int) bool {
	switch op {
	case cmpEQ:
		return x == 0
	case cmpNE:
		return x != 0
	case cmpLT:
		return x < 0
	case cmpLE:
		return x <= 0
	case cmpGT:
		return x > 0
	}
	return x >= 0
}
