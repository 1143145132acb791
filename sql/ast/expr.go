package ast

import (
	"math"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/borealis-db/borealis/sql/types"
)

func (c *converter) optExpr(n *pg.Node) (Expr, error) {
	if n == nil || n.Node == nil {
		return nil, nil
	}
	return c.expr(n)
}

func (c *converter) exprs(nodes []*pg.Node) ([]Expr, error) {
	out := make([]Expr, 0, len(nodes))
	for _, n := range nodes {
		e, err := c.expr(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func opName(nodes []*pg.Node) string {
	parts := strList(nodes)
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// aConst types a literal as PostgreSQL's make_const does.
func (c *converter) aConst(a *pg.A_Const) (*Const, error) {
	loc := c.pos(a.Location) - 1
	if a.Isnull {
		return &Const{Value: types.Null, Type: types.Unknown, Loc: loc}, nil
	}
	switch v := a.Val.(type) {
	case *pg.A_Const_Ival:
		return &Const{Value: types.NewInt(int64(v.Ival.Ival)), Type: types.Int4, Loc: loc}, nil
	case *pg.A_Const_Fval:
		s := v.Fval.Fval
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return &Const{Value: types.NewInt(i), Type: types.Int4, Loc: loc}, nil
			}
			return &Const{Value: types.NewInt(i), Type: types.Int8, Loc: loc}, nil
		}
		n, err := types.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return &Const{Value: types.NewNumeric(n), Type: types.Numeric_, Loc: loc}, nil
	case *pg.A_Const_Boolval:
		return &Const{Value: types.NewBool(v.Boolval.Boolval), Type: types.Bool, Loc: loc}, nil
	case *pg.A_Const_Sval:
		return &Const{Value: types.NewString(v.Sval.Sval), Type: types.Unknown, Loc: loc}, nil
	case *pg.A_Const_Bsval:
		return nil, c.unsupported("bit-string literals", a.Location)
	}
	return nil, c.unsupported("literal", a.Location)
}

func (c *converter) expr(n *pg.Node) (Expr, error) {
	if n == nil || n.Node == nil {
		return nil, c.unsupported("empty expression", -1)
	}
	switch e := n.Node.(type) {
	case *pg.Node_AConst:
		return c.aConst(e.AConst)
	case *pg.Node_ColumnRef:
		return c.columnRef(e.ColumnRef)
	case *pg.Node_ParamRef:
		return &Param{Index: int(e.ParamRef.Number), Loc: c.pos(e.ParamRef.Location) - 1}, nil
	case *pg.Node_AExpr:
		return c.aExpr(e.AExpr)
	case *pg.Node_BoolExpr:
		args, err := c.exprs(e.BoolExpr.Args)
		if err != nil {
			return nil, err
		}
		op := map[pg.BoolExprType]BoolOp{pg.BoolExprType_AND_EXPR: And, pg.BoolExprType_OR_EXPR: Or, pg.BoolExprType_NOT_EXPR: Not}[e.BoolExpr.Boolop]
		if op == 0 {
			return nil, c.unsupported("boolean operator", e.BoolExpr.Location)
		}
		return &BoolExpr{Op: op, Args: args}, nil
	case *pg.Node_FuncCall:
		return c.funcCall(e.FuncCall)
	case *pg.Node_CaseExpr:
		ce := e.CaseExpr
		out := &CaseExpr{}
		var err error
		if out.Arg, err = c.optExpr(ce.Arg); err != nil {
			return nil, err
		}
		for _, w := range ce.Args {
			cw := w.GetCaseWhen()
			if cw == nil {
				return nil, c.unsupported(nodeName(w)+" in CASE", ce.Location)
			}
			cond, err := c.expr(cw.Expr)
			if err != nil {
				return nil, err
			}
			res, err := c.expr(cw.Result)
			if err != nil {
				return nil, err
			}
			out.Whens = append(out.Whens, &When{Cond: cond, Result: res})
		}
		if out.Else, err = c.optExpr(ce.Defresult); err != nil {
			return nil, err
		}
		return out, nil
	case *pg.Node_CoalesceExpr:
		args, err := c.exprs(e.CoalesceExpr.Args)
		if err != nil {
			return nil, err
		}
		return &Coalesce{Args: args}, nil
	case *pg.Node_MinMaxExpr:
		args, err := c.exprs(e.MinMaxExpr.Args)
		if err != nil {
			return nil, err
		}
		return &MinMax{Greatest: e.MinMaxExpr.Op == pg.MinMaxOp_IS_GREATEST, Args: args}, nil
	case *pg.Node_TypeCast:
		arg, err := c.expr(e.TypeCast.Arg)
		if err != nil {
			return nil, err
		}
		tn, err := c.typeName(e.TypeCast.TypeName)
		if err != nil {
			return nil, err
		}
		return &Cast{Expr: arg, Type: tn, Loc: c.pos(e.TypeCast.Location) - 1}, nil
	case *pg.Node_SubLink:
		return c.subLink(e.SubLink)
	case *pg.Node_NullTest:
		arg, err := c.expr(e.NullTest.Arg)
		if err != nil {
			return nil, err
		}
		return &IsNull{Expr: arg, Not: e.NullTest.Nulltesttype == pg.NullTestType_IS_NOT_NULL}, nil
	case *pg.Node_BooleanTest:
		arg, err := c.expr(e.BooleanTest.Arg)
		if err != nil {
			return nil, err
		}
		out := &IsBool{Expr: arg}
		switch e.BooleanTest.Booltesttype {
		case pg.BoolTestType_IS_TRUE, pg.BoolTestType_IS_NOT_TRUE:
			out.Value = "true"
		case pg.BoolTestType_IS_FALSE, pg.BoolTestType_IS_NOT_FALSE:
			out.Value = "false"
		default:
			out.Value = "unknown"
		}
		switch e.BooleanTest.Booltesttype {
		case pg.BoolTestType_IS_NOT_TRUE, pg.BoolTestType_IS_NOT_FALSE, pg.BoolTestType_IS_NOT_UNKNOWN:
			out.Not = true
		}
		return out, nil
	case *pg.Node_SqlvalueFunction:
		return c.sqlValueFunc(e.SqlvalueFunction)
	case *pg.Node_AArrayExpr:
		elems, err := c.exprs(e.AArrayExpr.Elements)
		if err != nil {
			return nil, err
		}
		return &ArrayExpr{Elems: elems}, nil
	case *pg.Node_SetToDefault:
		return &Default{}, nil
	case *pg.Node_RowExpr:
		args, err := c.exprs(e.RowExpr.Args)
		if err != nil {
			return nil, err
		}
		return &RowExpr{Args: args}, nil
	case *pg.Node_CollateClause:
		arg, err := c.expr(e.CollateClause.Arg)
		if err != nil {
			return nil, err
		}
		return &Collate{Expr: arg, Collation: strings.Join(strList(e.CollateClause.Collname), "."), Loc: c.pos(e.CollateClause.Location) - 1}, nil
	case *pg.Node_AIndirection:
		return c.indirection(e.AIndirection)
	case *pg.Node_GroupingFunc:
		return nil, c.unsupported("GROUPING", e.GroupingFunc.Location)
	}
	return nil, c.unsupported("expression "+nodeName(n), -1)
}

func (c *converter) columnRef(cr *pg.ColumnRef) (Expr, error) {
	out := &ColumnRef{Loc: c.pos(cr.Location) - 1}
	var parts []string
	for i, f := range cr.Fields {
		switch v := f.Node.(type) {
		case *pg.Node_String_:
			parts = append(parts, v.String_.Sval)
		case *pg.Node_AStar:
			if i != len(cr.Fields)-1 {
				return nil, c.unsupported("misplaced *", cr.Location)
			}
			out.Star = true
		default:
			return nil, c.unsupported("column reference "+nodeName(f), cr.Location)
		}
	}
	if !out.Star {
		if len(parts) == 0 {
			return nil, c.unsupported("empty column reference", cr.Location)
		}
		out.Column, parts = parts[len(parts)-1], parts[:len(parts)-1]
	}
	switch len(parts) {
	case 0:
	case 1:
		out.Table = parts[0]
	case 2:
		out.Schema, out.Table = parts[0], parts[1]
	default:
		return nil, c.unsupported("cross-database references", cr.Location)
	}
	return out, nil
}

func (c *converter) aExpr(a *pg.A_Expr) (Expr, error) {
	loc := c.pos(a.Location) - 1
	op := opName(a.Name)
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		r, err := c.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		if a.Lexpr == nil {
			return &UnaryExpr{Op: op, Expr: r, Loc: loc}, nil
		}
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		return &BinaryExpr{Op: op, Left: l, Right: r, Loc: loc}, nil
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return &AnyAll{Op: op, All: a.Kind == pg.A_Expr_Kind_AEXPR_OP_ALL, Left: l, Right: r}, nil
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return &IsDistinct{Left: l, Right: r, Not: a.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT}, nil
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return &NullIf{Left: l, Right: r}, nil
	case pg.A_Expr_Kind_AEXPR_IN:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		list, err := c.exprs(a.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		return &InList{Expr: l, List: list, Not: op == "<>"}, nil
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		out := &Like{Expr: l, Not: strings.HasPrefix(op, "!"), CaseInsensitive: a.Kind == pg.A_Expr_Kind_AEXPR_ILIKE}
		if fc := a.Rexpr.GetFuncCall(); fc != nil && opName(fc.Funcname) == "like_escape" && len(fc.Args) == 2 {
			if out.Pattern, err = c.expr(fc.Args[0]); err != nil {
				return nil, err
			}
			if out.Escape, err = c.expr(fc.Args[1]); err != nil {
				return nil, err
			}
		} else if out.Pattern, err = c.expr(a.Rexpr); err != nil {
			return nil, err
		}
		return out, nil
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		l, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		bounds, err := c.exprs(a.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		if len(bounds) != 2 {
			return nil, c.unsupported("BETWEEN form", a.Location)
		}
		return &Between{Expr: l, Low: bounds[0], High: bounds[1],
			Not:       a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM,
			Symmetric: a.Kind == pg.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM}, nil
	case pg.A_Expr_Kind_AEXPR_SIMILAR:
		return c.similar(a, op)
	}
	return nil, c.unsupported("operator expression "+a.Kind.String(), a.Location)
}

func (c *converter) funcCall(f *pg.FuncCall) (*FuncCall, error) {
	if f.AggWithinGroup {
		return nil, c.unsupported("WITHIN GROUP", f.Location)
	}
	names := strList(f.Funcname)
	out := &FuncCall{Star: f.AggStar, Distinct: f.AggDistinct, Variadic: f.FuncVariadic, Loc: c.pos(f.Location) - 1}
	switch len(names) {
	case 1:
		out.Name = names[0]
	case 2:
		out.Schema, out.Name = names[0], names[1]
		if out.Schema == "pg_catalog" {
			out.Schema = ""
		}
	default:
		return nil, c.unsupported("cross-database references", f.Location)
	}
	var err error
	if out.Args, out.ArgNames, err = c.funcArgs(f.Args); err != nil { // namedargs.go
		return nil, err
	}
	if out.OrderBy, err = c.orderBy(f.AggOrder); err != nil {
		return nil, err
	}
	if out.Filter, err = c.optExpr(f.AggFilter); err != nil {
		return nil, err
	}
	if w := f.Over; w != nil {
		wd, err := c.windowDef(w)
		if err != nil {
			return nil, err
		}
		if w.Name != "" && w.Refname == "" {
			wd.RefName, wd.Exact = w.Name, true
		}
		out.Over = wd
	}
	return out, nil
}

// windowDef converts an OVER clause or a WINDOW clause entry.
func (c *converter) windowDef(w *pg.WindowDef) (*WindowDef, error) {
	wd := &WindowDef{RefName: w.Refname, FrameOptions: w.FrameOptions, Loc: c.pos(w.Location) - 1}
	var err error
	if wd.PartitionBy, err = c.exprs(w.PartitionClause); err != nil {
		return nil, err
	}
	if wd.OrderBy, err = c.orderBy(w.OrderClause); err != nil {
		return nil, err
	}
	if wd.StartOffset, err = c.optExpr(w.StartOffset); err != nil {
		return nil, err
	}
	if wd.EndOffset, err = c.optExpr(w.EndOffset); err != nil {
		return nil, err
	}
	return wd, nil
}

func (c *converter) subLink(s *pg.SubLink) (Expr, error) {
	sel := s.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, c.unsupported("subquery "+nodeName(s.Subselect), s.Location)
	}
	q, err := c.selectStmt(sel)
	if err != nil {
		return nil, err
	}
	out := &Subquery{Select: q}
	switch s.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		out.Kind = SubExists
	case pg.SubLinkType_EXPR_SUBLINK:
		out.Kind = SubScalar
	case pg.SubLinkType_ARRAY_SUBLINK:
		out.Kind = SubArray
	case pg.SubLinkType_ANY_SUBLINK, pg.SubLinkType_ALL_SUBLINK:
		out.Kind = SubAny
		if s.SubLinkType == pg.SubLinkType_ALL_SUBLINK {
			out.Kind = SubAll
		}
		out.Op = opName(s.OperName)
		if out.Op == "" {
			out.Op = "=" // IN (subquery)
		}
		if out.Left, err = c.expr(s.Testexpr); err != nil {
			return nil, err
		}
	default:
		return nil, c.unsupported("subquery of kind "+s.SubLinkType.String(), s.Location)
	}
	return out, nil
}

func (c *converter) sqlValueFunc(f *pg.SQLValueFunction) (Expr, error) {
	out := &SQLValueFunc{Precision: -1, Loc: c.pos(f.Location) - 1}
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		out.Name = "current_date"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
		out.Name = "current_time"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		out.Name = "current_timestamp"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIME, pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		out.Name = "localtime"
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		out.Name = "localtimestamp"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		out.Name = "current_role"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER:
		out.Name = "current_user"
	case pg.SQLValueFunctionOp_SVFOP_USER:
		out.Name = "user"
	case pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
		out.Name = "session_user"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		out.Name = "current_catalog"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		out.Name = "current_schema"
	default:
		return nil, c.unsupported("SQL value function", f.Location)
	}
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N,
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		out.Precision = f.Typmod
	}
	return out, nil
}

// RowExpr is ROW(a, b, ...) or (a, b, ...).
type RowExpr struct{ Args []Expr }

// Collate is "expr COLLATE name" (Collation as written, schema-qualified
// names joined with a dot: "pg_catalog.default").
type Collate struct {
	Expr      Expr
	Collation string
	Loc       int
}

// Subscript is expr[i], expr[lo:hi], one Index per dimension.
type Subscript struct {
	Expr    Expr
	Indices []*SubscriptIndex
}

// SubscriptIndex is one [i] (Upper only) or [lo:hi] (Slice; either bound
// may be nil for an open end).
type SubscriptIndex struct {
	Lower, Upper Expr
	Slice        bool
}

// Similar is "expr [NOT] SIMILAR TO pattern [ESCAPE e]".
type Similar struct {
	Expr    Expr
	Pattern Expr
	Escape  Expr // nil: the default escape (backslash)
	Not     bool
}

func (*RowExpr) node()   {}
func (*Collate) node()   {}
func (*Subscript) node() {}
func (*Similar) node()   {}
func (*RowExpr) expr()   {}
func (*Collate) expr()   {}
func (*Subscript) expr() {}
func (*Similar) expr()   {}

// indirection converts subscripts (a[i], a[i:j]); field selection is not
// supported.
func (c *converter) indirection(ind *pg.A_Indirection) (Expr, error) {
	arg, err := c.expr(ind.Arg)
	if err != nil {
		return nil, err
	}
	out := &Subscript{Expr: arg}
	for _, n := range ind.Indirection {
		ai := n.GetAIndices()
		if ai == nil {
			return nil, c.unsupported("field selection", -1)
		}
		si := &SubscriptIndex{Slice: ai.IsSlice}
		if si.Lower, err = c.optExpr(ai.Lidx); err != nil {
			return nil, err
		}
		if si.Upper, err = c.optExpr(ai.Uidx); err != nil {
			return nil, err
		}
		out.Indices = append(out.Indices, si)
	}
	return out, nil
}

// similar converts SIMILAR TO: the grammar wraps the pattern in
// similar_to_escape(pattern [, escape]).
func (c *converter) similar(a *pg.A_Expr, op string) (Expr, error) {
	l, err := c.expr(a.Lexpr)
	if err != nil {
		return nil, err
	}
	out := &Similar{Expr: l, Not: strings.HasPrefix(op, "!")}
	fc := a.Rexpr.GetFuncCall()
	if fc == nil || opName(fc.Funcname) != "similar_to_escape" || len(fc.Args) < 1 || len(fc.Args) > 2 {
		return nil, c.unsupported("SIMILAR TO form", a.Location)
	}
	if out.Pattern, err = c.expr(fc.Args[0]); err != nil {
		return nil, err
	}
	if len(fc.Args) == 2 {
		if out.Escape, err = c.expr(fc.Args[1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
