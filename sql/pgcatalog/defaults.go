package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// DefaultExpr returns a column default the way PostgreSQL's
// pg_get_expr(adbin, adrelid, true) prints it, given the SQL text the
// catalog stores (catalog.Column.Default) and the column's type.
//
// PostgreSQL stores the default after coercing it to the column type and
// prints it back from that tree: an untyped literal becomes a constant of
// the column type ('x' in a text column prints as 'x'::text, in a
// varchar(n) column as 'x'::character varying, '5' in an int8 column as
// '5'::bigint, in an int4 column as 5), a number keeps its own type and
// the implicit cast to the column type is not shown (0 in a numeric
// column prints as 0, -1 in a smallint column as '-1'::integer), and
// function calls and CURRENT_TIMESTAMP-like keywords print as written.
// Literals, negative numbers, casts of literals, calls without arguments
// and those keywords are rendered that way; any other expression is
// returned as the catalog stores it (PostgreSQL's own deparse of the
// parse tree, which can differ from pg_get_expr in parentheses and casts).
// Timestamps in literals are printed in UTC.
func DefaultExpr(text string, col types.Type) string {
	e, err := ast.ParseScalar(text)
	if err != nil {
		return text
	}
	if out, ok := renderDefault(e, col); ok {
		return out
	}
	return text
}

// renderDefault renders an expression coerced to type col; false when the
// expression is not one DefaultExpr renders itself.
func renderDefault(n ast.Expr, col types.Type) (string, bool) {
	switch e := n.(type) {
	case *ast.Const:
		switch {
		case e.Value.IsNull():
			return "NULL", true
		case e.Type.OID == types.OIDInt4 || e.Type.OID == types.OIDInt8:
			return constText(e.Type, strconv.FormatInt(e.Value.I, 10)), true
		case e.Type.OID == types.OIDNumeric:
			return constText(types.Numeric_, types.FormatText(types.Numeric_, e.Value, nil)), true
		case e.Type.OID == types.OIDBool:
			return strconv.FormatBool(e.Value.Bool()), true
		case e.Type.OID == types.OIDUnknown:
			return typedLiteral(col, e.Value.S)
		}
	case *ast.Cast:
		t, err := e.Type.Resolve()
		if err != nil || e.Type.ArrayBounds > 0 {
			return "", false
		}
		if c, ok := e.Expr.(*ast.Const); ok && c.Type.OID == types.OIDUnknown && !c.Value.IsNull() {
			return typedLiteral(t, c.Value.S)
		}
		return "", false
	case *ast.FuncCall:
		if len(e.Args) > 0 || e.Star || e.Over != nil || e.Distinct || e.Filter != nil || len(e.OrderBy) > 0 {
			return "", false
		}
		name := quoteIdent(e.Name) + "()"
		if e.Schema != "" && e.Schema != "pg_catalog" {
			name = quoteIdent(e.Schema) + "." + name
		}
		return name, true
	case *ast.SQLValueFunc:
		name := strings.ToUpper(e.Name)
		if e.Precision >= 0 {
			name += "(" + strconv.Itoa(int(e.Precision)) + ")"
		}
		return name, true
	}
	return "", false
}

// typedLiteral renders a string literal made a constant of type t: the
// value in t's canonical output form, labelled unless t is one PostgreSQL
// prints bare.
func typedLiteral(t types.Type, lit string) (string, bool) {
	if !t.Supported() {
		return "", false
	}
	base := types.Type{OID: t.OID, Typmod: -1}
	d, err := types.ParseText(base, lit, nil)
	if err != nil {
		return "", false
	}
	return constText(base, types.FormatText(base, d, nil)), true
}

// constText is PostgreSQL's get_const_expr for a constant of type t whose
// output form is v.
func constText(t types.Type, v string) string {
	label := "::" + formatType(t.OID, t.Typmod, true)
	switch t.OID {
	case types.OIDInt4:
		if !strings.HasPrefix(v, "-") {
			return v
		}
		return quoteLiteral(v) + label
	case types.OIDNumeric:
		if v != "" && v[0] >= '0' && v[0] <= '9' && strings.ContainsAny(v, "eE.") {
			return v
		}
		return quoteLiteral(v) + label
	case types.OIDBool:
		if v == "t" {
			return "true"
		}
		return "false"
	case types.OIDUnknown:
		return quoteLiteral(v)
	}
	return quoteLiteral(v) + label
}

// quoteLiteral quotes s as PostgreSQL's simple_quote_literal does
// (standard_conforming_strings on: only quotes are doubled).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
