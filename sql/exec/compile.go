package exec

import (
	"math"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/borealis-db/borealis/sql/catalog"
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

// scope names the columns of the row an expression is evaluated over.
type scope struct {
	rel   string // relation name or alias ("" none)
	names []string
	types []types.Type
	table *catalog.Table // for result column descriptions (may be nil)
	// aggregation: when aggs is non-nil, aggregate calls compile into aggs
	// and column references outside them are errors.
	aggs  *[]*aggSpec
	inAgg bool
}

// compiler compiles expressions of one statement.
type compiler struct {
	ps  *params
	cat *catalog.Set
}

func nodeName(nodes []*pg.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func (cp *compiler) column(ref *pg.ColumnRef, sc *scope) (expr, error) {
	var parts []string
	for _, f := range ref.Fields {
		if f.GetAStar() != nil {
			return nil, unsupported("* is not supported here")
		}
		parts = append(parts, f.GetString_().GetSval())
	}
	name := parts[len(parts)-1]
	if len(parts) > 1 {
		q := parts[len(parts)-2]
		if q != sc.rel {
			return nil, errf(CodeUndefinedTable, "missing FROM-clause entry for table %q", q)
		}
	}
	for i, n := range sc.names {
		if n == name {
			if sc.aggs != nil && !sc.inAgg {
				return nil, errf(CodeGrouping, "column %q must appear in the GROUP BY clause or be used in an aggregate function", joinDot(parts))
			}
			return &colExpr{i: i, t: sc.types[i]}, nil
		}
	}
	return nil, errf(CodeUndefinedColumn, "column %q does not exist", joinDot(parts))
}

func joinDot(p []string) string { return strings.Join(p, ".") }

// constant compiles an A_Const.
func constant(c *pg.A_Const) (expr, error) {
	switch {
	case c.Isnull:
		return &constExpr{d: types.Null, t: types.Unknown}, nil
	case c.GetIval() != nil:
		return &constExpr{d: types.NewInt(int64(c.GetIval().Ival)), t: types.Int4}, nil
	case c.GetFval() != nil:
		s := c.GetFval().Fval
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			if v >= math.MinInt32 && v <= math.MaxInt32 {
				return &constExpr{d: types.NewInt(v), t: types.Int4}, nil
			}
			return &constExpr{d: types.NewInt(v), t: types.Int8}, nil
		}
		n, err := types.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return &constExpr{d: types.NewNumeric(n), t: types.Numeric_}, nil
	case c.GetBoolval() != nil:
		return &constExpr{d: types.NewBool(c.GetBoolval().Boolval), t: types.Bool}, nil
	case c.GetSval() != nil:
		return &constExpr{d: types.NewString(c.GetSval().Sval), t: types.Unknown}, nil
	}
	return nil, unsupported("constant %v is not supported", c)
}

// typeName resolves a TypeName.
func typeName(tn *pg.TypeName) (types.Type, error) {
	if len(tn.ArrayBounds) > 0 {
		return types.Type{}, unsupported("array types are not supported")
	}
	names := nodeName(tn.Names)
	if len(names) == 0 {
		return types.Type{}, unsupported("type %v is not supported", tn)
	}
	name := names[len(names)-1]
	if name == "regclass" {
		return types.Type{OID: OIDRegclass, Typmod: -1}, nil
	}
	if name == "oid" {
		return types.Type{OID: types.OIDOid, Typmod: -1}, nil
	}
	var mods []int32
	for _, m := range tn.Typmods {
		ac := m.GetAConst()
		if ac == nil || ac.GetIval() == nil {
			return types.Type{}, errf(types.CodeSyntaxError, "type modifiers must be simple constants")
		}
		mods = append(mods, ac.GetIval().Ival)
	}
	t, err := types.LookupType(name, mods)
	if err != nil {
		return t, err
	}
	if !t.Supported() {
		return t, unsupported("type %s is not supported", name)
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
			if t.OID == OIDRegclass || t.OID == types.OIDOid {
				*pt = types.Text
			}
		}
	}
	from := e.typ()
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
		return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s = %s", from, t)
	}
	if c, ok := e.(*constExpr); ok {
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
	return t.IsInt() || t.OID == types.OIDNumeric || t.OID == types.OIDFloat8 || t.OID == types.OIDOid
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
	case numericFamily(lt) && numericFamily(rt):
		return l, r, lt, nil
	case lt.IsString() && rt.IsString():
		if lt.OID == types.OIDBpchar && rt.OID == types.OIDBpchar {
			return l, r, lt, nil
		}
		return l, r, types.Text, nil
	}
	if cc, ok := types.CastContext(rt.OID, lt.OID); ok && cc == types.CoerceImplicit {
		return l, &castExpr{e: r, to: lt, ctx: cc}, lt, nil
	}
	if cc, ok := types.CastContext(lt.OID, rt.OID); ok && cc == types.CoerceImplicit {
		return &castExpr{e: l, to: rt, ctx: cc}, r, rt, nil
	}
	return nil, nil, types.Type{}, errf(types.CodeUndefinedFunction, "operator does not exist: %s = %s", lt, rt)
}

// expr compiles a scalar expression.
func (cp *compiler) expr(n *pg.Node, sc *scope) (expr, error) {
	switch {
	case n == nil:
		return nil, errf(types.CodeSyntaxError, "missing expression")
	case n.GetColumnRef() != nil:
		return cp.column(n.GetColumnRef(), sc)
	case n.GetAConst() != nil:
		return constant(n.GetAConst())
	case n.GetParamRef() != nil:
		num := int(n.GetParamRef().Number)
		if num < 1 || num > 65535 {
			return nil, errf(CodeUndefinedParameter, "there is no parameter $%d", num)
		}
		cp.ps.get(num - 1)
		return &paramExpr{n: num - 1, ps: cp.ps}, nil
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		t, err := typeName(tc.TypeName)
		if err != nil {
			return nil, err
		}
		e, err := cp.expr(tc.Arg, sc)
		if err != nil {
			return nil, err
		}
		return cp.coerce(e, t, types.CoerceExplicit)
	case n.GetAExpr() != nil:
		return cp.aexpr(n.GetAExpr(), sc)
	case n.GetBoolExpr() != nil:
		be := n.GetBoolExpr()
		out := &boolExpr{op: be.Boolop}
		for _, a := range be.Args {
			e, err := cp.expr(a, sc)
			if err != nil {
				return nil, err
			}
			if e, err = cp.coerce(e, types.Bool, types.CoerceImplicit); err != nil {
				return nil, errf(types.CodeDatatypeMismatch, "argument of %s must be type boolean", be.Boolop)
			}
			out.args = append(out.args, e)
		}
		return out, nil
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		e, err := cp.expr(nt.Arg, sc)
		if err != nil {
			return nil, err
		}
		return &nullTest{e: e, not: nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL}, nil
	case n.GetSqlvalueFunction() != nil:
		switch n.GetSqlvalueFunction().Op {
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:
			return &nowExpr{t: types.Timestamptz}, nil
		case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:
			return &nowExpr{t: types.Timestamp}, nil
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return &nowExpr{t: types.Date}, nil
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_SESSION_USER,
			pg.SQLValueFunctionOp_SVFOP_USER, pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
			return &textFuncExpr{fn: func(c *Ctx) types.Datum { return types.NewString(c.User) }}, nil
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return &textFuncExpr{fn: func(c *Ctx) types.Datum { return types.NewString(c.Database) }}, nil
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return &textFuncExpr{fn: func(*Ctx) types.Datum { return types.NewString("public") }}, nil
		}
		return nil, unsupported("%s is not supported", n.GetSqlvalueFunction().Op)
	case n.GetCoalesceExpr() != nil:
		var args []expr
		var t types.Type = types.Unknown
		for _, a := range n.GetCoalesceExpr().Args {
			e, err := cp.expr(a, sc)
			if err != nil {
				return nil, err
			}
			if !isUnknown(e) && t.OID == types.OIDUnknown {
				t = e.typ()
			}
			args = append(args, e)
		}
		if t.OID == types.OIDUnknown {
			t = types.Text
		}
		for i := range args {
			var err error
			if args[i], err = cp.coerce(args[i], t, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		return &coalesceExpr{args: args, t: t}, nil
	case n.GetFuncCall() != nil:
		return cp.funcCall(n.GetFuncCall(), sc)
	}
	return nil, unsupported("expression %s is not supported", nodeKind(n))
}

// nodeKind names a node's type for error messages.
func nodeKind(n *pg.Node) string {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.Split(strings.TrimSpace(n.String()), ":")[0], "node"), " ")
	if s == "" {
		return "node"
	}
	return s
}

func (cp *compiler) aexpr(a *pg.A_Expr, sc *scope) (expr, error) {
	op := strings.Join(nodeName(a.Name), ".")
	op = strings.TrimPrefix(op, "pg_catalog.")
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
	case pg.A_Expr_Kind_AEXPR_IN:
		x, err := cp.expr(a.Lexpr, sc)
		if err != nil {
			return nil, err
		}
		list := a.Rexpr.GetList()
		if list == nil {
			return nil, unsupported("IN with a subquery is not supported")
		}
		ie := &inExpr{not: op == "<>"}
		for _, item := range list.Items {
			e, err := cp.expr(item, sc)
			if err != nil {
				return nil, err
			}
			xx, ee, _, err := cp.comparable(x, e)
			if err != nil {
				return nil, err
			}
			x = xx
			ie.list = append(ie.list, ee)
		}
		ie.x = x
		return ie, nil
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		list := a.Rexpr.GetList()
		if list == nil || len(list.Items) != 2 {
			return nil, errf(types.CodeSyntaxError, "malformed BETWEEN")
		}
		lo := &pg.A_Expr{Kind: pg.A_Expr_Kind_AEXPR_OP, Name: []*pg.Node{pg.MakeStrNode(">=")}, Lexpr: a.Lexpr, Rexpr: list.Items[0]}
		hi := &pg.A_Expr{Kind: pg.A_Expr_Kind_AEXPR_OP, Name: []*pg.Node{pg.MakeStrNode("<=")}, Lexpr: a.Lexpr, Rexpr: list.Items[1]}
		l, err := cp.aexpr(lo, sc)
		if err != nil {
			return nil, err
		}
		h, err := cp.aexpr(hi, sc)
		if err != nil {
			return nil, err
		}
		var e expr = &boolExpr{op: pg.BoolExprType_AND_EXPR, args: []expr{l, h}}
		if a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN {
			e = &boolExpr{op: pg.BoolExprType_NOT_EXPR, args: []expr{e}}
		}
		return e, nil
	default:
		return nil, unsupported("operator kind %s is not supported", a.Kind)
	}
	if a.Lexpr == nil {
		r, err := cp.expr(a.Rexpr, sc)
		if err != nil {
			return nil, err
		}
		switch op {
		case "-":
			if c, ok := r.(*constExpr); ok && !c.d.IsNull() {
				d, err := types.Neg(c.t, c.d)
				if err == nil {
					return &constExpr{d: d, t: c.t}, nil
				}
			}
			if isUnknown(r) {
				if r, err = cp.coerce(r, types.Numeric_, types.CoerceImplicit); err != nil {
					return nil, err
				}
			}
			return &negExpr{e: r}, nil
		case "+":
			return r, nil
		}
		return nil, unsupported("prefix operator %s is not supported", op)
	}
	l, err := cp.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	r, err := cp.expr(a.Rexpr, sc)
	if err != nil {
		return nil, err
	}
	if cop, ok := cmpOps[op]; ok {
		l, r, as, err := cp.comparable(l, r)
		if err != nil {
			if te, ok := err.(*types.Error); ok && te.Code == types.CodeUndefinedFunction {
				return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", l0(l, a), op, r0(r, a))
			}
			return nil, err
		}
		return &cmpExpr{op: cop, l: l, r: r, as: as}, nil
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
		return nil, unsupported("operator %s is not supported", op)
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
	if lok && rok {
		if d, _, err := types.Arith(aop, lc.t, lc.d, rc.t, rc.d); err == nil {
			return &constExpr{d: d, t: t}, nil
		}
	}
	return &arithExpr{op: aop, l: l, r: r, t: t}, nil
}

func l0(e expr, _ *pg.A_Expr) string {
	if e == nil {
		return "?"
	}
	return e.typ().String()
}
func r0(e expr, a *pg.A_Expr) string { return l0(e, a) }

var aggNames = map[string]bool{"count": true, "sum": true, "min": true, "max": true, "avg": true}

func (cp *compiler) funcCall(f *pg.FuncCall, sc *scope) (expr, error) {
	names := nodeName(f.Funcname)
	name := names[len(names)-1]
	if len(names) > 1 && names[0] != "pg_catalog" {
		return nil, errf(types.CodeUndefinedFunction, "function %s does not exist", strings.Join(names, "."))
	}
	if f.Over != nil {
		return nil, unsupported("window functions are not supported")
	}
	if aggNames[name] {
		return cp.aggregate(name, f, sc)
	}
	args := make([]expr, len(f.Args))
	for i, a := range f.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
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
		return &textFuncExpr{fn: func(*Ctx) types.Datum { return types.NewString("public") }}, nil
	case name == "current_setting" && len(args) == 1:
		a, err := cp.coerce(args[0], types.Text, types.CoerceImplicit)
		if err != nil {
			return nil, err
		}
		return &settingExpr{name: a}, nil
	}
	return nil, errf(types.CodeUndefinedFunction, "function %s(%d arguments) does not exist", name, len(args))
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

// hasAggregate reports whether n contains an aggregate call (not looking
// into subqueries).
func hasAggregate(n *pg.Node) bool {
	if n == nil {
		return false
	}
	switch {
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall()
		names := nodeName(f.Funcname)
		if len(names) > 0 && aggNames[names[len(names)-1]] && f.Over == nil {
			return true
		}
		for _, a := range f.Args {
			if hasAggregate(a) {
				return true
			}
		}
	case n.GetAExpr() != nil:
		return hasAggregate(n.GetAExpr().Lexpr) || hasAggregate(n.GetAExpr().Rexpr)
	case n.GetTypeCast() != nil:
		return hasAggregate(n.GetTypeCast().Arg)
	case n.GetBoolExpr() != nil:
		for _, a := range n.GetBoolExpr().Args {
			if hasAggregate(a) {
				return true
			}
		}
	case n.GetResTarget() != nil:
		return hasAggregate(n.GetResTarget().Val)
	case n.GetCoalesceExpr() != nil:
		for _, a := range n.GetCoalesceExpr().Args {
			if hasAggregate(a) {
				return true
			}
		}
	case n.GetNullTest() != nil:
		return hasAggregate(n.GetNullTest().Arg)
	}
	return false
}
