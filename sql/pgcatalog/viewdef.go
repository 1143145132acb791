package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// pg_get_viewdef (psql's \d+ VIEW "View definition:" and \sv) in
// PostgreSQL 15's pretty layout:
//
//	 SELECT orders.id,
//	    orders.customer_id
//	   FROM orders
//	  WHERE orders.id > 10;
//
// Column references are qualified with their relation's name (or alias), as
// PostgreSQL 15 prints a view's query; a view in FROM has its output
// columns. Rendered here: a select list of
// columns, * and constants; FROM a comma list of tables; WHERE of
// comparisons, AND/OR/NOT and IS [NOT] NULL over columns and constants.
// Any other view prints the query text the catalog stores, in the same
// frame.

// registerViewdef adds pg_get_viewdef(oid[, bool]).
func registerViewdef(r *funcs.Registry) {
	eval := func(c *funcs.Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		e := env(c)
		if e.Cat == nil {
			return types.Null, nil
		}
		for _, t := range e.Cat.Tables() {
			if t.OID == uint32(a[0].I) {
				if t.View == "" {
					return types.Null, nil
				}
				return types.NewString(viewDef(e.Cat, t)), nil
			}
		}
		return types.Null, nil
	}
	r.Add(&funcs.Func{Name: "pg_get_viewdef", Args: []types.Type{typOID}, Result: types.Text, Strict: true, Eval: eval})
	r.Add(&funcs.Func{Name: "pg_get_viewdef", Args: []types.Type{typOID, types.Bool}, Result: types.Text, Strict: true, Eval: eval})
}

// viewDef renders view v's query.
func viewDef(cat *catalog.Set, v *catalog.Table) string {
	st, err := ast.ParseOne(v.View)
	if err == nil {
		if sel, ok := st.(*ast.Select); ok {
			if out, ok := renderView(cat, v, sel); ok {
				return out
			}
		}
	}
	return " " + v.View + ";"
}

// viewRel is a FROM item of a rendered view: its name for qualifying
// columns and its table.
type viewRel struct {
	ref string
	t   *catalog.Table
}

// renderView renders sel in PostgreSQL's layout; false when it holds
// something not rendered here.
func renderView(cat *catalog.Set, v *catalog.Table, sel *ast.Select) (string, bool) {
	if sel.With != nil || sel.Op != ast.SetNone || sel.Values != nil || sel.Distinct || len(sel.DistinctOn) > 0 ||
		sel.Offset != nil || sel.WithTies || len(sel.Locking) > 0 || len(sel.From) == 0 {
		return "", false
	}
	var rels []viewRel
	var from []string
	for _, f := range sel.From {
		item, ok := viewFrom(cat, &rels, f)
		if !ok {
			return "", false
		}
		from = append(from, item)
	}
	// ON conditions see every relation of the FROM list
	for _, f := range sel.From {
		if !viewJoinConds(rels, f, &from) {
			return "", false
		}
	}
	var targets []string
	k := 0
	for _, tg := range sel.Targets {
		if cr, ok := tg.Expr.(*ast.ColumnRef); ok && cr.Star {
			for _, r := range rels {
				if cr.Table != "" && cr.Table != r.ref {
					continue
				}
				for _, c := range r.t.Columns {
					if k >= len(v.Columns) {
						return "", false
					}
					s := quoteIdent(r.ref) + "." + quoteIdent(c.Name)
					if v.Columns[k].Name != c.Name {
						s += " AS " + quoteIdent(v.Columns[k].Name)
					}
					targets = append(targets, s)
					k++
				}
			}
			continue
		}
		if k >= len(v.Columns) {
			return "", false
		}
		s, _, ok := viewExpr(rels, tg.Expr, 0, false)
		if !ok {
			return "", false
		}
		attname := "?column?"
		if cr, ok := tg.Expr.(*ast.ColumnRef); ok {
			attname = cr.Column
		}
		if name := v.Columns[k].Name; name != attname {
			s += " AS " + quoteIdent(name)
		}
		targets = append(targets, s)
		k++
	}
	if k != len(v.Columns) {
		return "", false
	}
	var b strings.Builder
	b.WriteString(" SELECT " + strings.Join(targets, ",\n    "))
	b.WriteString("\n   FROM " + strings.Join(from, ",\n    "))
	clause := func(prefix string, e ast.Expr) bool {
		if e == nil {
			return true
		}
		w, _, ok := viewExpr(rels, e, 0, false)
		b.WriteString(prefix + w)
		return ok
	}
	if !clause("\n  WHERE ", sel.Where) {
		return "", false
	}
	if len(sel.GroupBy) > 0 {
		var keys []string
		for _, g := range sel.GroupBy {
			s, _, ok := viewExpr(rels, g, 0, false)
			if !ok {
				return "", false
			}
			keys = append(keys, s)
		}
		b.WriteString("\n  GROUP BY " + strings.Join(keys, ", "))
	}
	if !clause("\n HAVING ", sel.Having) {
		return "", false
	}
	if len(sel.OrderBy) > 0 {
		var keys []string
		for _, o := range sel.OrderBy {
			s, _, ok := viewExpr(rels, o.Expr, 0, false)
			if !ok || o.NullsFirst != nil {
				return "", false
			}
			if o.Desc {
				s += " DESC"
			}
			keys = append(keys, s)
		}
		b.WriteString("\n  ORDER BY " + strings.Join(keys, ", "))
	}
	if sel.Limit != nil {
		c, ok := sel.Limit.(*ast.Const)
		if !ok || c.Type.OID != types.OIDInt4 {
			return "", false
		}
		b.WriteString("\n LIMIT " + strconv.FormatInt(c.Value.I, 10))
	}
	b.WriteString(";")
	return b.String(), true
}

// viewFrom renders a FROM item without its ON conditions (viewJoinConds
// appends them once every relation is known), adding its relations.
func viewFrom(cat *catalog.Set, rels *[]viewRel, f ast.TableExpr) (string, bool) {
	switch x := f.(type) {
	case *ast.TableRef:
		if x.Only || (x.Alias != nil && len(x.Alias.Columns) > 0) {
			return "", false
		}
		key, err := catalog.NormalizeName(x.Name.Schema, x.Name.Name)
		if err != nil {
			return "", false
		}
		t, ok := cat.Table(key)
		if !ok || t.Sequence {
			return "", false
		}
		ref, item := x.Name.Name, quoteIdent(x.Name.Name)
		if x.Name.Schema != "" && x.Name.Schema != "public" {
			item = quoteIdent(x.Name.Schema) + "." + item
		}
		if x.Alias != nil {
			ref = x.Alias.Name
			item += " " + quoteIdent(ref)
		}
		for _, r := range *rels {
			if r.ref == ref {
				return "", false
			}
		}
		*rels = append(*rels, viewRel{ref: ref, t: t})
		return item, true
	case *ast.Join:
		if x.Natural || x.Alias != nil {
			return "", false
		}
		l, ok := viewFrom(cat, rels, x.Left)
		if !ok {
			return "", false
		}
		if _, nested := x.Right.(*ast.TableRef); !nested {
			return "", false
		}
		r, ok := viewFrom(cat, rels, x.Right)
		if !ok {
			return "", false
		}
		kw := map[ast.JoinType]string{ast.JoinInner: "JOIN", ast.JoinLeft: "LEFT JOIN", ast.JoinRight: "RIGHT JOIN",
			ast.JoinFull: "FULL JOIN", ast.JoinCross: "CROSS JOIN"}[x.Type]
		if kw == "" {
			return "", false
		}
		out := l + "\n     " + kw + " " + r
		if len(x.Using) > 0 {
			us := make([]string, len(x.Using))
			for i, u := range x.Using {
				us[i] = quoteIdent(u)
			}
			out += " USING (" + strings.Join(us, ", ") + ")"
		} else if x.On != nil {
			out += " ON \x00" // the condition, filled in by viewJoinConds
		}
		return out, true
	}
	return "", false
}

// viewJoinConds fills in the ON conditions of FROM item f (rendered into
// the last matching entry of from) in order.
func viewJoinConds(rels []viewRel, f ast.TableExpr, from *[]string) bool {
	var conds []ast.Expr
	var walk func(ast.TableExpr)
	walk = func(t ast.TableExpr) {
		if j, ok := t.(*ast.Join); ok {
			walk(j.Left)
			if len(j.Using) == 0 && j.On != nil {
				conds = append(conds, j.On)
			}
		}
	}
	walk(f)
	for _, c := range conds {
		s, _, ok := viewExpr(rels, c, 0, false)
		if !ok {
			return false
		}
		for i := range *from {
			if strings.Contains((*from)[i], "\x00") {
				(*from)[i] = strings.Replace((*from)[i], "\x00", s, 1)
				break
			}
		}
	}
	return true
}

// viewColumn qualifies a column reference, finding its relation.
func viewColumn(rels []viewRel, cr *ast.ColumnRef) (string, types.Type, bool) {
	found := -1
	var typ types.Type
	for i, r := range rels {
		if cr.Table != "" && cr.Table != r.ref {
			continue
		}
		if n := r.t.Column(cr.Column); n >= 0 {
			if found >= 0 {
				return "", typ, false
			}
			found, typ = i, r.t.Columns[n].Type
		}
	}
	if found < 0 || cr.Schema != "" {
		return "", typ, false
	}
	return quoteIdent(rels[found].ref) + "." + quoteIdent(cr.Column), typ, true
}

// Operator precedences for parentheses (higher binds tighter).
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precIs
	precAdd
	precMul
	precUnary
)

// viewExpr renders an expression of the rendered subset with its type
// (int4, text or bool); parent is the precedence of the enclosing operator
// (0: none) and right whether e is its right operand, for parentheses.
func viewExpr(rels []viewRel, e ast.Expr, parent int, right bool) (string, types.Type, bool) {
	wrap := func(s string, prec int) string {
		if parent > prec || (parent == prec && right) {
			return "(" + s + ")"
		}
		return s
	}
	switch x := e.(type) {
	case *ast.ColumnRef:
		if x.Star {
			return "", types.Type{}, false
		}
		s, t, ok := viewColumn(rels, x)
		return s, t, ok && (t.OID == types.OIDInt4 || t.OID == types.OIDText || t.OID == types.OIDBool)
	case *ast.Const:
		switch {
		case x.Value.IsNull():
			return "NULL", types.Unknown, true
		case x.Type.OID == types.OIDInt4:
			return constText(x.Type, strconv.FormatInt(x.Value.I, 10)), types.Int4, true
		case x.Type.OID == types.OIDBool:
			return strconv.FormatBool(x.Value.Bool()), types.Bool, true
		case x.Type.OID == types.OIDUnknown:
			return quoteLiteral(x.Value.S), types.Unknown, true
		}
	case *ast.BinaryExpr:
		prec := map[string]int{"=": precCmp, "<>": precCmp, "<": precCmp, ">": precCmp, "<=": precCmp, ">=": precCmp,
			"+": precAdd, "-": precAdd, "*": precMul, "/": precMul}[x.Op]
		if prec == 0 {
			return "", types.Type{}, false
		}
		l, lt, ok1 := viewExpr(rels, x.Left, prec, false)
		r, rt, ok2 := viewExpr(rels, x.Right, prec, true)
		if !ok1 || !ok2 {
			return "", types.Type{}, false
		}
		// an untyped literal takes the other side's type, labelled
		switch {
		case lt.OID == types.OIDUnknown && rt.OID == types.OIDText:
			l, lt = l+"::text", rt
		case rt.OID == types.OIDUnknown && lt.OID == types.OIDText:
			r, rt = r+"::text", lt
		}
		isInt := func(t types.Type) bool { return t.OID == types.OIDInt4 || t.OID == types.OIDInt8 }
		ints, texts := isInt(lt) && isInt(rt), lt.OID == types.OIDText && rt.OID == types.OIDText
		if !(ints || (texts && prec == precCmp)) {
			return "", types.Type{}, false
		}
		t := lt
		switch {
		case prec == precCmp:
			t = types.Bool
		case rt.OID == types.OIDInt8:
			t = rt
		}
		return wrap(l+" "+x.Op+" "+r, prec), t, true
	case *ast.UnaryExpr:
		if x.Op != "-" {
			return "", types.Type{}, false
		}
		s, t, ok := viewExpr(rels, x.Expr, precUnary, false)
		if !ok || t.OID != types.OIDInt4 {
			return "", types.Type{}, false
		}
		return "- " + s, t, true
	case *ast.IsNull:
		s, _, ok := viewExpr(rels, x.Expr, precIs, false)
		if x.Not {
			return wrap(s+" IS NOT NULL", precIs), types.Bool, ok
		}
		return wrap(s+" IS NULL", precIs), types.Bool, ok
	case *ast.FuncCall:
		if x.Schema != "" || x.Distinct || x.Filter != nil || x.Over != nil || len(x.OrderBy) > 0 {
			return "", types.Type{}, false
		}
		if x.Star && x.Name == "count" && len(x.Args) == 0 {
			return "count(*)", types.Int8, true
		}
		return "", types.Type{}, false
	case *ast.BoolExpr:
		prec, sep := precOr, " OR "
		switch x.Op {
		case ast.And:
			prec, sep = precAnd, " AND "
		case ast.Not:
			if len(x.Args) != 1 {
				return "", types.Type{}, false
			}
			s, _, ok := viewExpr(rels, x.Args[0], precNot, false)
			return wrap("NOT "+s, precNot), types.Bool, ok
		}
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			s, _, ok := viewExpr(rels, a, prec, false)
			if !ok {
				return "", types.Type{}, false
			}
			parts[i] = s
		}
		return wrap(strings.Join(parts, sep), prec), types.Bool, true
	}
	return "", types.Type{}, false
}
