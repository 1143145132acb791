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
// PostgreSQL 15 prints a view's query. Rendered here: a select list of
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
		len(sel.GroupBy) > 0 || sel.Having != nil || len(sel.OrderBy) > 0 || sel.Limit != nil || sel.Offset != nil || sel.WithTies ||
		len(sel.Locking) > 0 || len(sel.From) == 0 {
		return "", false
	}
	var rels []viewRel
	var from []string
	for _, f := range sel.From {
		tr, ok := f.(*ast.TableRef)
		if !ok || tr.Only || (tr.Alias != nil && len(tr.Alias.Columns) > 0) {
			return "", false
		}
		key, err := catalog.NormalizeName(tr.Name.Schema, tr.Name.Name)
		if err != nil {
			return "", false
		}
		t, ok := cat.Table(key)
		if !ok || t.View != "" || t.Sequence {
			return "", false
		}
		ref, item := tr.Name.Name, quoteIdent(tr.Name.Name)
		if tr.Name.Schema != "" && tr.Name.Schema != "public" {
			item = quoteIdent(tr.Name.Schema) + "." + item
		}
		if tr.Alias != nil {
			ref = tr.Alias.Name
			item += " " + quoteIdent(ref)
		}
		rels = append(rels, viewRel{ref: ref, t: t})
		from = append(from, item)
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
		s, ok := viewExpr(rels, tg.Expr, 0)
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
	if sel.Where != nil {
		w, ok := viewExpr(rels, sel.Where, 0)
		if !ok {
			return "", false
		}
		b.WriteString("\n  WHERE " + w)
	}
	b.WriteString(";")
	return b.String(), true
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

// viewExpr renders an expression of the rendered subset; parent is the
// precedence of the enclosing operator (0: none), for parentheses.
func viewExpr(rels []viewRel, e ast.Expr, parent int) (string, bool) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		if x.Star {
			return "", false
		}
		s, _, ok := viewColumn(rels, x)
		return s, ok
	case *ast.Const:
		switch {
		case x.Value.IsNull():
			return "NULL", true
		case x.Type.OID == types.OIDInt4:
			return constText(x.Type, strconv.FormatInt(x.Value.I, 10)), true
		case x.Type.OID == types.OIDBool:
			return strconv.FormatBool(x.Value.Bool()), true
		}
		return "", false
	case *ast.BinaryExpr:
		switch x.Op {
		case "=", "<>", "<", ">", "<=", ">=":
		default:
			return "", false
		}
		// only integer columns against integer constants or columns: no
		// implicit casts to print
		for _, side := range []ast.Expr{x.Left, x.Right} {
			switch s := side.(type) {
			case *ast.ColumnRef:
				if _, t, ok := viewColumn(rels, s); !ok || t.OID != types.OIDInt4 {
					return "", false
				}
			case *ast.Const:
				if s.Type.OID != types.OIDInt4 || s.Value.IsNull() {
					return "", false
				}
			default:
				return "", false
			}
		}
		l, ok1 := viewExpr(rels, x.Left, 3)
		r, ok2 := viewExpr(rels, x.Right, 3)
		return l + " " + x.Op + " " + r, ok1 && ok2
	case *ast.IsNull:
		s, ok := viewExpr(rels, x.Expr, 4)
		if x.Not {
			return s + " IS NOT NULL", ok
		}
		return s + " IS NULL", ok
	case *ast.BoolExpr:
		prec, sep := 1, " OR "
		switch x.Op {
		case ast.And:
			prec, sep = 2, " AND "
		case ast.Not:
			if len(x.Args) != 1 {
				return "", false
			}
			s, ok := viewExpr(rels, x.Args[0], 5)
			return "NOT " + s, ok
		}
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			s, ok := viewExpr(rels, a, prec)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		out := strings.Join(parts, sep)
		if parent > 0 && parent != prec {
			out = "(" + out + ")"
		}
		return out, true
	}
	return "", false
}
