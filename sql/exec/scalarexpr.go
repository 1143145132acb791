package exec

import (
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// exprMore compiles the expression kinds of the "expr" area: conditional
// expressions (CASE, NULLIF, GREATEST/LEAST), IS [NOT] DISTINCT FROM,
// IS TRUE/FALSE/UNKNOWN, LIKE/ILIKE/SIMILAR TO, ANY/ALL over arrays, ARRAY[],
// subscripts, COLLATE and row constructors in comparisons. Anything else is
// 0A000.
func (cp *compiler) exprMore(n ast.Expr, sc *scope) (expr, error) {
	switch x := n.(type) {
	case *ast.CaseExpr:
		return cp.caseExpr(x, sc)
	case *ast.NullIf:
		return cp.nullIf(x, sc)
	case *ast.MinMax:
		return cp.minMax(x, sc)
	case *ast.IsDistinct:
		if isRowExpr(x.Left) || isRowExpr(x.Right) {
			return cp.rowDistinct(x, sc) // hunt_query.go
		}
		l, err := cp.expr(x.Left, sc)
		if err != nil {
			return nil, err
		}
		r, err := cp.expr(x.Right, sc)
		if err != nil {
			return nil, err
		}
		l, r, as, err := cp.comparable(l, r)
		if err != nil {
			return nil, err
		}
		return &distinctExpr{l: l, r: r, as: as, not: x.Not}, nil
	case *ast.IsBool:
		e, err := cp.expr(x.Expr, sc)
		if err != nil {
			return nil, err
		}
		if e, err = cp.coerce(e, types.Bool, types.CoerceImplicit); err != nil {
			return nil, errf(types.CodeDatatypeMismatch, "argument of IS %s must be type boolean", strings.ToUpper(x.Value))
		}
		return &isBoolExpr{e: e, value: x.Value, not: x.Not}, nil
	case *ast.Like:
		return cp.like(x, sc)
	case *ast.Similar:
		return cp.similar(x, sc)
	case *ast.AnyAll:
		return cp.anyAll(x, sc)
	case *ast.ArrayExpr:
		return cp.arrayCtor(x, sc)
	case *ast.Subscript:
		return cp.subscript(x, sc)
	case *ast.Collate:
		switch strings.TrimPrefix(x.Collation, "pg_catalog.") {
		case "default", "C", "POSIX", "ucs_basic":
		default:
			return nil, unsupported("collation %q is not supported", x.Collation)
		}
		e, err := cp.expr(x.Expr, sc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			return cp.coerce(e, types.Text, types.CoerceImplicit)
		}
		if !e.typ().IsString() {
			return nil, errf(types.CodeDatatypeMismatch, "collations are not supported by type %s", e.typ())
		}
		return e, nil
	case *ast.RowExpr:
		return nil, unsupported("row constructors are only supported in comparisons")
	}
	return nil, unsupported("expression %s is not supported", exprKind(n))
}

func isRowExpr(e ast.Expr) bool { _, ok := e.(*ast.RowExpr); return ok }

// exprCommonType resolves the result type of a set of expressions as
// PostgreSQL's select_common_type does (CASE, COALESCE, GREATEST, ARRAY[],
// VALUES): unknowns are ignored (all unknown → text); the first known type
// wins unless a later one of the same category is preferred or the current
// one casts implicitly to it; different categories are 42804.
func exprCommonType(es []expr, what string) (types.Type, error) {
	t := types.Unknown
	mixed := false
	for _, e := range es {
		et := e.typ()
		if et.OID == types.OIDUnknown {
			mixed = true // an unknown input has no typmod: the result has none
			continue
		}
		if t.OID == types.OIDUnknown {
			t = et
			continue
		}
		if et.OID == t.OID {
			if et.Typmod != t.Typmod {
				t.Typmod = -1
			}
			continue
		}
		if category(et) != category(t) {
			return types.Type{}, errf(types.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", what, t, et)
		}
		toNew, ok1 := types.CastContext(t.OID, et.OID)
		toOld, ok2 := types.CastContext(et.OID, t.OID)
		if !preferred(t) && ok1 && toNew == types.CoerceImplicit && !(ok2 && toOld == types.CoerceImplicit) {
			t = et
		}
		mixed = true
	}
	if mixed {
		t.Typmod = -1 // select_common_typmod: inputs of different types
	}
	if t.OID == types.OIDUnknown {
		return types.Text, nil
	}
	return t, nil
}

// category is pg_type.typcategory ('U' types are each their own).
func category(t types.Type) string {
	if isOIDLike(t) {
		return "N"
	}
	if ti, ok := types.Info(t.OID); ok {
		if ti.Category == 'U' || ti.Category == 'A' {
			return string(ti.Category) + ti.Name
		}
		return string(ti.Category)
	}
	return "?" + t.String()
}

// preferred reports pg_type.typispreferred.
func preferred(t types.Type) bool {
	switch t.OID {
	case types.OIDFloat8, types.OIDText, types.OIDTimestamptz, types.OIDInterval, types.OIDBool:
		return true
	}
	return false
}

// coerceAll coerces every expression to t (implicitly).
func (cp *compiler) coerceAll(es []expr, t types.Type, what string) error {
	for i := range es {
		e, err := cp.coerce(es[i], t, types.CoerceImplicit)
		if err != nil {
			return errf(types.CodeDatatypeMismatch, "%s could not convert type %s to %s", what, es[i].typ(), t)
		}
		es[i] = e
	}
	return nil
}

// caseExpr compiles CASE. A simple CASE (CASE x WHEN v ...) compiles to the
// searched form with x = v conditions (x is evaluated once per WHEN).
func (cp *compiler) caseExpr(x *ast.CaseExpr, sc *scope) (expr, error) {
	out := &caseExpr{}
	var arg expr
	if x.Arg != nil {
		var err error
		if arg, err = cp.expr(x.Arg, sc); err != nil {
			return nil, err
		}
	}
	var results []expr
	for _, w := range x.Whens {
		var cond expr
		var err error
		if arg != nil {
			v, err := cp.expr(w.Cond, sc)
			if err != nil {
				return nil, err
			}
			if cond, err = cp.binaryOp("=", arg, v); err != nil {
				return nil, err
			}
		} else if cond, err = cp.expr(w.Cond, sc); err != nil {
			return nil, err
		}
		c, err := cp.coerce(cond, types.Bool, types.CoerceImplicit)
		if err != nil {
			return nil, errf(types.CodeDatatypeMismatch, "argument of CASE/WHEN must be type boolean, not type %s", cond.typ())
		}
		cond = c
		res, err := cp.expr(w.Result, sc)
		if err != nil {
			return nil, err
		}
		out.conds = append(out.conds, cond)
		results = append(results, res)
	}
	if x.Else != nil {
		e, err := cp.expr(x.Else, sc)
		if err != nil {
			return nil, err
		}
		results = append(results, e)
	} else {
		results = append(results, &constExpr{d: types.Null, t: types.Unknown})
	}
	// PostgreSQL resolves the ELSE branch first (it names it first in 42804).
	t, err := exprCommonType(append([]expr{results[len(results)-1]}, results[:len(results)-1]...), "CASE")
	if err != nil {
		return nil, err
	}
	if err := cp.coerceAll(results, t, "CASE"); err != nil {
		return nil, err
	}
	out.results, out.els, out.t = results[:len(results)-1], results[len(results)-1], t
	return out, nil
}

// caseExpr is a searched CASE.
type caseExpr struct {
	conds, results []expr
	els            expr
	t              types.Type
}

func (e *caseExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	for i, cond := range e.conds {
		ok, err := truthy(c, cond, row)
		if err != nil {
			return types.Null, err
		}
		if ok {
			return e.results[i].eval(c, row)
		}
	}
	return e.els.eval(c, row)
}
func (e *caseExpr) typ() types.Type { return e.t }

// nullIf compiles NULLIF(a, b): NULL when a = b, else a.
func (cp *compiler) nullIf(x *ast.NullIf, sc *scope) (expr, error) {
	l, err := cp.expr(x.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := cp.expr(x.Right, sc)
	if err != nil {
		return nil, err
	}
	if isUnknown(l) && isUnknown(r) {
		if l, err = cp.coerce(l, types.Text, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	eq, err := cp.binaryOp("=", l, r)
	if err != nil {
		return nil, err
	}
	if isUnknown(l) {
		if l, err = cp.coerce(l, r.typ(), types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	// The result is the left operand of the = operator PostgreSQL picks:
	// int = numeric and int = float8 compare as numeric or float8 (there
	// is no cross-type operator), so nullif(1, 1.0) is numeric.
	if lt, rt := l.typ(), r.typ(); lt.OID != rt.OID && !rt.IsInt() && (lt.IsInt() || lt.OID == types.OIDNumeric) &&
		(rt.OID == types.OIDNumeric || rt.OID == types.OIDFloat8) {
		if l, err = cp.coerce(l, rt, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	return &nullIfExpr{v: l, eq: eq}, nil
}

type nullIfExpr struct{ v, eq expr }

func (e *nullIfExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	ok, err := truthy(c, e.eq, row)
	if err != nil || ok {
		return types.Null, err
	}
	return e.v.eval(c, row)
}
func (e *nullIfExpr) typ() types.Type { return e.v.typ() }

// minMax compiles GREATEST / LEAST (NULL arguments are ignored).
func (cp *compiler) minMax(x *ast.MinMax, sc *scope) (expr, error) {
	what := "LEAST"
	if x.Greatest {
		what = "GREATEST"
	}
	args := make([]expr, len(x.Args))
	for i, a := range x.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	t, err := exprCommonType(args, what)
	if err != nil {
		return nil, err
	}
	if err := cp.coerceAll(args, t, what); err != nil {
		return nil, err
	}
	if _, ok := types.Info(t.OID); !ok && t.OID != types.OIDOid {
		return nil, errf(types.CodeUndefinedFunction, "could not identify a comparison function for type %s", t)
	}
	return &minMaxExpr{args: args, t: t, greatest: x.Greatest}, nil
}

type minMaxExpr struct {
	args     []expr
	t        types.Type
	greatest bool
}

func (e *minMaxExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	best := types.Null
	for _, a := range e.args {
		d, err := a.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		if d.IsNull() {
			continue
		}
		if best.IsNull() {
			best = d
			continue
		}
		x := types.CompareAs(e.t, d, best)
		if (e.greatest && x > 0) || (!e.greatest && x < 0) {
			best = d
		}
	}
	return best, nil
}
func (e *minMaxExpr) typ() types.Type { return e.t }

// distinctExpr is IS [NOT] DISTINCT FROM: NULLs compare as equal values.
type distinctExpr struct {
	l, r expr
	as   types.Type
	not  bool
}

func (e *distinctExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	var distinct bool
	switch {
	case a.IsNull() || b.IsNull():
		distinct = a.IsNull() != b.IsNull()
	default:
		distinct = types.CompareAs(e.as, a, b) != 0
	}
	return types.NewBool(distinct != e.not), nil
}
func (e *distinctExpr) typ() types.Type { return types.Bool }

// isBoolExpr is IS [NOT] TRUE / FALSE / UNKNOWN.
type isBoolExpr struct {
	e     expr
	value string
	not   bool
}

func (e *isBoolExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	var v bool
	switch e.value {
	case "true":
		v = !d.IsNull() && d.Bool()
	case "false":
		v = !d.IsNull() && !d.Bool()
	default:
		v = d.IsNull()
	}
	return types.NewBool(v != e.not), nil
}
func (e *isBoolExpr) typ() types.Type { return types.Bool }

// rowCompare compiles a comparison of row constructors, (a, b) op (c, d):
// = is the AND of the pairs, <> their OR, and <, <=, >, >= compare
// lexicographically (the first pair that is not equal decides; a NULL
// there makes the result NULL), as PostgreSQL does.
func (cp *compiler) rowCompare(op string, left, right ast.Expr, sc *scope) (expr, error) {
	lr, lok := left.(*ast.RowExpr)
	rr, rok := right.(*ast.RowExpr)
	if sq, ok := right.(*ast.Subquery); ok && lok && sq.Kind == ast.SubScalar {
		return cp.rowSubCompare(op, lr, sq, sc) // hunt_query.go
	}
	if !lok || !rok {
		return nil, unsupported("comparison of a row constructor with a non-row value is not supported")
	}
	if len(lr.Args) != len(rr.Args) {
		return nil, errf(types.CodeSyntaxError, "unequal number of entries in row expressions")
	}
	if _, ok := cmpOps[op]; !ok {
		return nil, errf(types.CodeUndefinedFunction, "operator %s is not supported for row expressions", op)
	}
	out := &rowCmpExpr{op: cmpOps[op]}
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
		out.l, out.r, out.as = append(out.l, l), append(out.r, r), append(out.as, as)
	}
	if len(out.l) == 0 {
		return nil, unsupported("empty row constructors are not supported")
	}
	return out, nil
}

type rowCmpExpr struct {
	op   cmpOp
	l, r []expr
	as   []types.Type
}

func (e *rowCmpExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	null := false
	for i := range e.l {
		a, err := e.l[i].eval(c, row)
		if err != nil {
			return types.Null, err
		}
		b, err := e.r[i].eval(c, row)
		if err != nil {
			return types.Null, err
		}
		if a.IsNull() || b.IsNull() {
			if e.op == cmpEQ || e.op == cmpNE {
				null = true
				continue
			}
			return types.Null, nil
		}
		x := types.CompareAs(e.as[i], a, b)
		if x == 0 {
			continue
		}
		switch e.op {
		case cmpEQ:
			return types.NewBool(false), nil
		case cmpNE:
			return types.NewBool(true), nil
		case cmpLT, cmpLE:
			return types.NewBool(x < 0), nil
		default:
			return types.NewBool(x > 0), nil
		}
	}
	if null {
		return types.Null, nil
	}
	switch e.op {
	case cmpEQ, cmpLE, cmpGE:
		return types.NewBool(true), nil
	}
	return types.NewBool(false), nil
}
func (e *rowCmpExpr) typ() types.Type { return types.Bool }

// rowIn compiles (a, b) [NOT] IN ((1, 2), (3, 4)) as an OR of row
// equalities (NOT IN: the NOT of it), which has IN's NULL semantics.
func (cp *compiler) rowIn(x *ast.InList, sc *scope) (expr, error) {
	or := &boolExpr{op: ast.Or}
	for _, item := range x.List {
		e, err := cp.rowCompare("=", x.Expr, item, sc)
		if err != nil {
			return nil, err
		}
		or.args = append(or.args, e)
	}
	if x.Not {
		return &boolExpr{op: ast.Not, args: []expr{or}}, nil
	}
	return or, nil
}

// betweenSymmetric compiles x BETWEEN SYMMETRIC a AND b:
// (x >= a AND x <= b) OR (x >= b AND x <= a).
func (cp *compiler) betweenSymmetric(x *ast.Between, sc *scope) (expr, error) {
	part := func(lo, hi ast.Expr) (expr, error) {
		l, err := cp.binary(">=", x.Expr, lo, sc)
		if err != nil {
			return nil, err
		}
		h, err := cp.binary("<=", x.Expr, hi, sc)
		if err != nil {
			return nil, err
		}
		return &boolExpr{op: ast.And, args: []expr{l, h}}, nil
	}
	a, err := part(x.Low, x.High)
	if err != nil {
		return nil, err
	}
	b, err := part(x.High, x.Low)
	if err != nil {
		return nil, err
	}
	var e expr = &boolExpr{op: ast.Or, args: []expr{a, b}}
	if x.Not {
		e = &boolExpr{op: ast.Not, args: []expr{e}}
	}
	return e, nil
}

// coalesce compiles COALESCE(args) with PostgreSQL's common-type rules.
func (cp *compiler) coalesce(x *ast.Coalesce, sc *scope) (expr, error) {
	args := make([]expr, len(x.Args))
	for i, a := range x.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	t, err := exprCommonType(args, "COALESCE")
	if err != nil {
		return nil, err
	}
	if err := cp.coerceAll(args, t, "COALESCE"); err != nil {
		return nil, err
	}
	return &coalesceExpr{args: args, t: t}, nil
}

// figureColname names a select-list expression as PostgreSQL's
// FigureColname does, with its strength: 2 for a real name (column,
// function, ARRAY, ROW, ...), 1 for a fallback (a cast's type name,
// "case"), 0 for none ("?column?").
func figureColname(e ast.Expr) (string, int) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		if x.Star {
			return "?column?", 0
		}
		return x.Column, 2
	case *ast.FuncCall:
		return x.Name, 2
	case *ast.SQLValueFunc:
		return x.Name, 2
	case *ast.Coalesce:
		return "coalesce", 2
	case *ast.NullIf:
		return "nullif", 2
	case *ast.MinMax:
		if x.Greatest {
			return "greatest", 2
		}
		return "least", 2
	case *ast.ArrayExpr:
		return "array", 2
	case *ast.RowExpr:
		return "row", 2
	case *ast.Subscript:
		return figureColname(x.Expr)
	case *ast.Collate:
		return figureColname(x.Expr)
	case *ast.CaseExpr:
		if n, s := figureColname(x.Else); s == 2 {
			return n, 2
		}
		return "case", 1
	case *ast.Cast:
		if n, s := figureColname(x.Expr); s == 2 {
			return n, 2
		}
		return x.Type.Name, 1
	}
	return "?column?", 0
}
