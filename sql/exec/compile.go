package exec

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// params are the statement's parameter types, resolved while compiling:
// given by the client, or inferred from the first context that fixes them.
type params struct {
	types []types.Type
}

func (p *params) get(n int) *types.Type {
	for len(p.types) <= n {
		p.types = append(p.types, types.Type{})
	}
	return &p.types[n]
}

// compiler compiles the expressions of one statement (ast.Expr to expr).
// To add an expression kind: a case in compiler.expr building an expr
// (expr.go holds the evaluators; each implements eval over the row of the
// scope it was compiled in, and typ).
type compiler struct {
	ps    *params
	cat   *catalog.Set
	funcs *funcs.Registry // functions beyond the executor's own (nil: none)
	sq    *subqState      // subqueries and CTEs (nil: subqueries not allowed)
	rec   *viewRecorder   // CREATE VIEW: what the query references (depend.go)
}

// column compiles a column reference: resolved in sc, else in the outer
// scopes (correlated references are not supported yet).
func (cp *compiler) column(ref *ast.ColumnRef, sc *scope) (expr, error) {
	if ref.Star {
		return nil, unsupported("* is not supported here")
	}
	look := sc
	if sc.aggs != nil {
		look = sc.in // aggregate arguments and grouped columns
	}
	for s, depth := look, 0; s != nil; s, depth = s.outer, depth+1 {
		if depth > 0 && s.aggs != nil { // an aggregating query around a subquery
			if e, ok, err := cp.outerGroupedRef(ref, s, sc); ok || err != nil {
				return e, err
			}
			continue
		}
		i, err := s.lookup(ref)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			continue
		}
		cp.rec.column(ref, s.cols[i])
		if depth > 0 {
			return cp.outerRef(s, i, sc)
		}
		if sc.aggs != nil && !sc.inAgg {
			return cp.groupedColumn(ref, i, sc)
		}
		return &colExpr{i: i, t: s.cols[i].typ}, nil
	}
	if ref.Table != "" {
		found := false
		for s := look; s != nil; s = s.outer {
			found = found || s.hasTable(ref.Table)
		}
		if !found {
			return nil, cp.missingRTE(ref.Table, look) // hunt_query.go
		}
		return nil, errf(CodeUndefinedColumn, "column %s.%s does not exist", ref.Table, ref.Column)
	}
	return nil, errf(CodeUndefinedColumn, "column %q does not exist", refName(ref))
}

// typeName resolves a type name.
func typeName(tn *ast.TypeName) (types.Type, error) {
	if tn.Resolved != nil {
		return *tn.Resolved, nil
	}
	if tn.ArrayBounds > 0 {
		return tn.Resolve()
	}
	if t, ok := regTypeName(tn.Name); ok {
		return t, nil
	}
	if t, ok := sysTypeName(tn.Name); ok && tn.ArrayBounds == 0 && len(tn.Mods) == 0 { // syscols.go
		return t, nil
	}
	t, err := types.LookupType(tn.Name, tn.Mods)
	if err != nil {
		return t, knownUnsupportedType(tn, err)
	}
	if !t.Supported() {
		return t, unsupported("type %s is not supported", tn.Name)
	}
	return t, nil
}

// isUnknown reports an expression whose type is not fixed yet: an untyped
// literal or an unresolved parameter.
func isUnknown(e expr) bool { return e.typ().OID == types.OIDUnknown }

// coerce converts e to type t in context ctx (implicit, assignment or
// explicit), resolving unknown literals and parameters to t.
func (cp *compiler) coerce(e expr, t types.Type, ctx types.CoercionContext) (expr, error) {
	if p, ok := e.(*paramExpr); ok {
		pt := cp.ps.get(p.n)
		if pt.OID == 0 {
			*pt = types.Type{OID: t.OID, Typmod: -1}
			if isRegType(t) {
				*pt = types.Text
			}
		}
		if ctx == types.CoerceImplicit && pt.OID == t.OID {
			return e, nil // an operator's argument: no typmod coercion ($1 * numeric(6,2) column)
		}
	}
	from := e.typ()
	if r, ok, err := cp.regCoerce(e, from, t); ok {
		return r, err
	}
	if r, ok, err := cp.sysCoerce(e, from, t, ctx); ok { // syscols.go
		return r, err
	}
	if t.OID == OIDRegclass {
		return &regclassExpr{e: e}, nil
	}
	if t.OID == types.OIDOid {
		if from.IsInt() || from.OID == types.OIDOid {
			return e, nil
		}
		return &regclassExpr{e: e}, nil
	}
	if from.OID == t.OID && (from.Typmod == t.Typmod || t.Typmod < 0) {
		return e, nil
	}
	if from.OID == types.OIDOid && t.IsInt() {
		return e, nil
	}
	cc, ok := types.CastContext(from.OID, t.OID)
	if !ok || cc > ctx {
		switch ctx {
		case types.CoerceAssignment:
			return nil, errf(types.CodeDatatypeMismatch, "column is of type %s but expression is of type %s", t, from)
		case types.CoerceExplicit:
			return nil, errf(types.CodeCannotCoerce, "cannot cast type %s to %s", from, t)
		}
		return nil, noOperator("operator does not exist: %s = %s", from, t)
	}
	// Casts from or to timestamptz/timetz depend on the session's TimeZone:
	// folded here they would use UTC (and a cached plan outlives SET).
	zoned := func(o types.OID) bool { return o == types.OIDTimestamptz || o == types.OIDTimetz }
	if c, ok := e.(*constExpr); ok && !zoned(from.OID) && !zoned(t.OID) {
		d, err := types.Cast(c.d, from, t, ctx, nil)
		if err != nil {
			return nil, err
		}
		return &constExpr{d: d, t: t}, nil
	}
	return &castExpr{e: e, to: t, ctx: ctx}, nil
}

// unify resolves unknown sides of a binary operator to the other side's type.
func (cp *compiler) unify(l, r expr) (expr, expr, error) {
	var err error
	switch {
	case isUnknown(l) && isUnknown(r):
		if l, err = cp.coerce(l, types.Text, types.CoerceImplicit); err != nil {
			return nil, nil, err
		}
		r, err = cp.coerce(r, types.Text, types.CoerceImplicit)
	case isUnknown(l):
		l, err = cp.coerce(l, r.typ(), types.CoerceImplicit)
	case isUnknown(r):
		r, err = cp.coerce(r, l.typ(), types.CoerceImplicit)
	}
	return l, r, err
}

func numericFamily(t types.Type) bool {
	return t.IsInt() || t.OID == types.OIDNumeric || t.OID == types.OIDFloat8 || t.OID == types.OIDFloat4 || isOIDLike(t)
}

// comparable makes l and r comparable, inserting an implicit cast if needed.
func (cp *compiler) comparable(l, r expr) (expr, expr, types.Type, error) {
	l, r, err := cp.unify(l, r)
	if err != nil {
		return nil, nil, types.Type{}, err
	}
	lt, rt := l.typ(), r.typ()
	switch {
	case lt.OID == rt.OID:
		return l, r, lt, nil
	case xidIntComparable(lt, rt): // syscols.go
		return l, r, types.Int8, nil
	case numericFamily(lt) && numericFamily(rt):
		return l, r, lt, nil
	case lt.IsString() && rt.IsString():
		if lt.OID == types.OIDBpchar && rt.OID == types.OIDBpchar {
			return l, r, lt, nil
		}
		// char(n) against varchar compares as char(n) (varchar casts to
		// it); against text as text, the char(n) side losing its blanks.
		switch {
		case lt.OID == types.OIDBpchar && rt.OID == types.OIDVarchar:
			return l, r, lt, nil
		case rt.OID == types.OIDBpchar && lt.OID == types.OIDVarchar:
			return l, r, rt, nil
		case lt.OID == types.OIDBpchar:
			l = &castExpr{e: l, to: types.Text, ctx: types.CoerceImplicit}
		case rt.OID == types.OIDBpchar:
			r = &castExpr{e: r, to: types.Text, ctx: types.CoerceImplicit}
		}
		return l, r, types.Text, nil
	}
	if cc, ok := types.CastContext(rt.OID, lt.OID); ok && cc == types.CoerceImplicit {
		return l, &castExpr{e: r, to: lt, ctx: cc}, lt, nil
	}
	if cc, ok := types.CastContext(lt.OID, rt.OID); ok && cc == types.CoerceImplicit {
		return &castExpr{e: l, to: rt, ctx: cc}, r, rt, nil
	}
	return nil, nil, types.Type{}, noOperator("operator does not exist: %s = %s", lt, rt)
}

// predicate compiles a boolean condition of clause (WHERE, ON, ...).
func (cp *compiler) predicate(e ast.Expr, sc *scope, clause string) (expr, error) {
	if cp.hasAggregate(e) {
		return nil, errf(CodeGrouping, "aggregate functions are not allowed in %s", clause)
	}
	if hasWindow(e) {
		return nil, errf(codeWindowing, "window functions are not allowed in %s", clause)
	}
	if containsSRF(e) {
		return nil, srfError("set-returning functions are not allowed in " + clause)
	}
	w, err := cp.expr(e, sc)
	if err != nil {
		return nil, err
	}
	if clause == "JOIN conditions" {
		clause = "JOIN/ON" // coerce_to_boolean's name for it
	}
	return cp.specificType(w, types.Bool, clause)
}

// expr compiles a scalar expression evaluated over rows of scope sc.
func (cp *compiler) expr(n ast.Expr, sc *scope) (expr, error) {
	if e, ok := cp.groupKeyRef(n, sc); ok {
		return e, nil
	}
	switch x := n.(type) {
	case nil:
		return nil, errf(types.CodeSyntaxError, "missing expression")
	case *ast.ColumnRef:
		return cp.column(x, sc)
	case *ast.Const:
		return &constExpr{d: x.Value, t: x.Type}, nil
	case *ast.Param:
		if x.Index < 1 || x.Index > 65535 {
			return nil, errf(CodeUndefinedParameter, "there is no parameter $%d", x.Index)
		}
		cp.ps.get(x.Index - 1)
		return &paramExpr{n: x.Index - 1, ps: cp.ps}, nil
	case *ast.Cast:
		t, err := typeName(x.Type)
		if err != nil {
			return nil, err
		}
		if a, ok := x.Expr.(*ast.ArrayExpr); ok && len(a.Elems) == 0 && t.IsArray() {
			return &constExpr{d: types.NewArray(&types.Array{}), t: t}, nil // ARRAY[]::t[] (small area)
		}
		e, err := cp.expr(x.Expr, sc)
		if err != nil {
			return nil, err
		}
		return cp.coerce(e, t, types.CoerceExplicit)
	case *ast.BinaryExpr:
		return cp.binary(x.Op, x.Left, x.Right, sc)
	case *ast.UnaryExpr:
		return cp.unary(x, sc)
	case *ast.Between:
		if x.Symmetric {
			return cp.betweenSymmetric(x, sc)
		}
		l, err := cp.binary(">=", x.Expr, x.Low, sc)
		if err != nil {
			return nil, err
		}
		h, err := cp.binary("<=", x.Expr, x.High, sc)
		if err != nil {
			return nil, err
		}
		var e expr = &boolExpr{op: ast.And, args: []expr{l, h}}
		if x.Not {
			e = &boolExpr{op: ast.Not, args: []expr{e}}
		}
		return e, nil
	case *ast.InList:
		if isRowExpr(x.Expr) {
			return cp.rowIn(x, sc)
		}
		v, err := cp.expr(x.Expr, sc)
		if err != nil {
			return nil, err
		}
		ie := &inExpr{not: x.Not}
		items, err := cp.inItems(v, x.List, sc) // float4.go
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			vv, ee, _, err := cp.comparable(v, e)
			if err != nil {
				return nil, err
			}
			v = vv
			ie.list = append(ie.list, ee)
		}
		ie.x = v
		return ie, nil
	case *ast.BoolExpr:
		out := &boolExpr{op: x.Op}
		for _, a := range x.Args {
			e, err := cp.expr(a, sc)
			if err != nil {
				return nil, err
			}
			if e, err = cp.coerce(e, types.Bool, types.CoerceImplicit); err != nil {
				return nil, errf(types.CodeDatatypeMismatch, "argument of %s must be type boolean", boolOpName(x.Op))
			}
			out.args = append(out.args, e)
		}
		return out, nil
	case *ast.IsNull:
		if row, ok := x.Expr.(*ast.RowExpr); ok {
			return cp.rowNullTest(row, x.Not, sc) // rownull.go
		}
		e, err := cp.expr(x.Expr, sc)
		if err != nil {
			return nil, err
		}
		return &nullTest{e: e, not: x.Not}, nil
	case *ast.SQLValueFunc:
		return sqlValueFunc(x)
	case *ast.Coalesce:
		return cp.coalesce(x, sc)
	case *ast.FuncCall:
		return cp.funcCall(x, sc)
	case *ast.Default:
		return nil, errf(types.CodeSyntaxError, "DEFAULT is not allowed in this context")
	case *ast.Subquery:
		return cp.subquery(x, sc)
	}
	return cp.exprMore(n, sc)
}

// exprKind names an expression's syntax for error messages.
func exprKind(n ast.Expr) string {
	switch n.(type) {
	case *ast.CaseExpr:
		return "CASE"
	case *ast.NullIf:
		return "NULLIF"
	case *ast.MinMax:
		return "GREATEST/LEAST"
	case *ast.Like:
		return "LIKE"
	case *ast.IsBool:
		return "IS TRUE/FALSE/UNKNOWN"
	case *ast.IsDistinct:
		return "IS DISTINCT FROM"
	case *ast.AnyAll:
		return "ANY/ALL"
	case *ast.ArrayExpr:
		return "ARRAY"
	}
	return strings.TrimPrefix(strings.TrimPrefix(typeNameOf(n), "*"), "ast.")
}

func boolOpName(op ast.BoolOp) string {
	switch op {
	case ast.And:
		return "AND"
	case ast.Or:
		return "OR"
	}
	return "NOT"
}

func sqlValueFunc(x *ast.SQLValueFunc) (expr, error) {
	if x.Precision >= 0 {
		return sqlValueFuncMore(x)
	}
	switch x.Name {
	case "current_timestamp":
		return &nowExpr{t: types.Timestamptz}, nil
	case "localtimestamp":
		return &nowExpr{t: types.Timestamp}, nil
	case "current_date":
		return &nowExpr{t: types.Date}, nil
	case "current_user", "session_user", "user", "current_role":
		return &textFuncExpr{fn: func(c *Ctx) types.Datum { return types.NewString(c.User) }}, nil
	case "current_catalog":
		return &textFuncExpr{fn: func(c *Ctx) types.Datum { return types.NewString(c.Database) }}, nil
	case "current_schema": // as current_schema(): the first schema of search_path
		return &textFuncExpr{fn: func(c *Ctx) types.Datum {
			if s := currentSchemas(c); len(s) > 0 {
				return types.NewString(s[0])
			}
			return types.Null
		}}, nil
	}
	return sqlValueFuncMore(x)
}

func (cp *compiler) unary(x *ast.UnaryExpr, sc *scope) (expr, error) {
	r, err := cp.expr(x.Expr, sc)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "-":
		if c, ok := r.(*constExpr); ok && !c.d.IsNull() {
			d, err := types.Neg(c.t, c.d)
			if err == nil {
				return &constExpr{d: d, t: c.t}, nil
			}
		}
		if isUnknown(r) { // numeric, float8, interval, ...: PostgreSQL cannot choose
			return nil, errf(types.CodeAmbiguousFunction, "operator is not unique: - unknown")
		}
		return &negExpr{e: r}, nil
	case "+":
		return r, nil
	}
	return cp.unaryMore(x.Op, r)
}

func (cp *compiler) binary(op string, left, right ast.Expr, sc *scope) (expr, error) {
	if isRowExpr(left) || isRowExpr(right) {
		return cp.rowCompare(op, left, right, sc)
	}
	l, err := cp.expr(left, sc)
	if err != nil {
		return nil, err
	}
	r, err := cp.expr(right, sc)
	if err != nil {
		return nil, err
	}
	return cp.binaryOp(op, l, r)
}

// binaryOp compiles "l op r" over compiled operands.
func (cp *compiler) binaryOp(op string, l, r expr) (expr, error) {
	var err error
	if cop, ok := cmpOps[op]; ok {
		l2, r2, as, err := cp.comparable(l, r)
		if err != nil {
			if te, ok := err.(*types.Error); ok && te.Code == types.CodeUndefinedFunction {
				return nil, noOperator("operator does not exist: %s %s %s", l.typ(), op, r.typ())
			}
			return nil, err
		}
		if l2.typ().OID == types.OIDJSON || r2.typ().OID == types.OIDJSON { // json has no comparison operators
			return nil, noOperator("operator does not exist: %s %s %s", l.typ(), op, r.typ())
		}
		if !sysOperatorOK(op, l2.typ(), r2.typ()) { // syscols.go
			return nil, noOperator("operator does not exist: %s %s %s", l.typ(), op, r.typ())
		}
		return &cmpExpr{op: cop, l: l2, r: r2, as: as}, nil
	}
	if op == "-" && isUnknown(l) && (r.typ().OID == types.OIDText || r.typ().OID == types.OIDVarchar || r.typ().OID == types.OIDTextArray) && cp.funcs != nil {
		// unknown - text: jsonb - text is PostgreSQL's only candidate (small area)
		if l, err = cp.coerce(l, types.JSONB, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	if op == "-" && l.typ().OID == types.OIDJSONB && cp.funcs != nil {
		return cp.jsonDelete(l, r) // operators.go
	}
	var aop types.ArithOp
	switch op {
	case "+":
		aop = types.OpAdd
	case "-":
		aop = types.OpSub
	case "*":
		aop = types.OpMul
	case "/":
		aop = types.OpDiv
	case "%":
		aop = types.OpMod
	default:
		return cp.operator(op, l, r)
	}
	if isUnknown(l) && isUnknown(r) {
		return nil, errf(types.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", op)
	}
	if l, r, err = cp.datetimePlusUnknown(aop, l, r); err != nil { // timeexpr.go
		return nil, err
	}
	if l, r, err = cp.unify(l, r); err != nil {
		return nil, err
	}
	t, err := types.ArithResultType(aop, l.typ(), r.typ())
	if err != nil {
		return nil, err
	}
	lc, lok := l.(*constExpr)
	rc, rok := r.(*constExpr)
	if lok && rok && lc.t.OID != types.OIDTimestamptz && rc.t.OID != types.OIDTimestamptz {
		if d, _, err := types.Arith(aop, lc.t, lc.d, rc.t, rc.d); err == nil {
			return &constExpr{d: d, t: t}, nil
		}
	}
	return &arithExpr{op: aop, l: l, r: r, t: t}, nil
}

// isAggregate reports whether name is an aggregate function.
func (cp *compiler) isAggregate(name string) bool {
	return aggNames[name] || (cp.funcs != nil && cp.funcs.IsAggregate(name))
}

// aggNames are the aggregates the executor implements itself.
var aggNames = map[string]bool{"count": true, "sum": true, "min": true, "max": true, "avg": true}

func (cp *compiler) funcCall(f *ast.FuncCall, sc *scope) (expr, error) {
	if f.ArgNames != nil { // named notation: namedargs.go
		nf, err := positionalCall(f, func(i int) types.Type { return cp.argType(f.Args[i], sc) })
		if err != nil {
			return nil, err
		}
		f = nf
	}
	name := f.Name
	if srf, ok := lookupSRF(f.Schema, name); ok && f.Over == nil {
		return cp.srfCallExpr(f, srf, sc) // projectset.go
	}
	if f.Schema != "" {
		return nil, errf(types.CodeUndefinedFunction, "function %s.%s does not exist", f.Schema, name)
	}
	if f.Over != nil {
		return cp.windowCall(f, sc)
	}
	if cp.isAggregate(name) {
		return cp.aggregate(f, sc)
	}
	args := make([]expr, len(f.Args))
	for i, a := range f.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	e, err := cp.builtin(name, args)
	if err != nil {
		return nil, err
	}
	if e == nil {
		if e, err = cp.registryFunc(name, args); err != nil || e == nil {
			if err == nil {
				err = errf(types.CodeUndefinedFunction, "function %s(%d arguments) does not exist", name, len(args))
			}
			return nil, err
		}
	}
	if f.Distinct || f.Star || len(f.OrderBy) > 0 || f.Filter != nil {
		return nil, errf(CodeWrongObjectType, "%s is not an aggregate function", name)
	}
	return e, nil
}

// builtin compiles a call of a scalar function the executor implements.
func (cp *compiler) builtin(name string, args []expr) (expr, error) {
	if e, err := cp.sequenceFunc(name, args); e != nil || err != nil {
		return e, err
	}
	switch {
	case (name == "now" || name == "transaction_timestamp" || name == "statement_timestamp") && len(args) == 0:
		return &nowExpr{t: types.Timestamptz}, nil
	case name == "version" && len(args) == 0:
		return &textFuncExpr{fn: func(*Ctx) types.Datum {
			return types.NewString("PostgreSQL 16.4 (Borealis) on x86_64-pc-linux-gnu, compiled by Go")
		}}, nil
	case name == "current_database" && len(args) == 0:
		return &textFuncExpr{fn: func(c *Ctx) types.Datum { return types.NewString(c.Database) }}, nil
	case name == "current_schema" && len(args) == 0:
		return &textFuncExpr{fn: func(c *Ctx) types.Datum { // schema.go
			if s := currentSchemas(c); len(s) > 0 {
				return types.NewString(s[0])
			}
			return types.Null
		}}, nil
	case name == "current_setting" && len(args) == 1:
		a, err := cp.coerce(args[0], types.Text, types.CoerceImplicit)
		if err != nil {
			return nil, err
		}
		return &settingExpr{name: a}, nil
	}
	return cp.builtinMore(name, args)
}

// settingExpr is current_setting(name).
type settingExpr struct{ name expr }

func (e *settingExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	n, err := e.name.eval(c, row)
	if err != nil || n.IsNull() {
		return types.Null, err
	}
	if c.Setting != nil {
		if v, ok := c.Setting(strings.ToLower(n.S)); ok {
			return types.NewString(v), nil
		}
	}
	return types.Null, errf(CodeUndefinedObject, "unrecognized configuration parameter %q", n.S)
}
func (e *settingExpr) typ() types.Type { return types.Text }

// hasAggregate reports whether e contains an aggregate call (not looking
// into subqueries).
func (cp *compiler) hasAggregate(e ast.Node) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Subquery, *ast.Select:
			return false
		case *ast.FuncCall:
			if x.Over == nil && cp.isAggregate(x.Name) && x.Schema == "" {
				found = true
			}
		}
		return !found
	})
	return found
}

func typeNameOf(v any) string { return fmt.Sprintf("%T", v) }
