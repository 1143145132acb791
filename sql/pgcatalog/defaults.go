package pgcatalog

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

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
	res, err := pg.Parse("SELECT " + text)
	if err != nil || len(res.Stmts) != 1 {
		return text
	}
	sel := res.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 {
		return text
	}
	val := sel.TargetList[0].GetResTarget().GetVal()
	if out, ok := renderDefault(val, col); ok {
		return out
	}
	return text
}

// renderDefault renders an expression coerced to type col; false when the
// expression is not one DefaultExpr renders itself.
func renderDefault(n *pg.Node, col types.Type) (string, bool) {
	switch {
	case n.GetAConst() != nil:
		c := n.GetAConst()
		switch {
		case c.GetIsnull():
			return "NULL", true
		case c.GetIval() != nil:
			return constText(types.Int4, strconv.FormatInt(int64(c.GetIval().Ival), 10)), true
		case c.GetFval() != nil:
			v := c.GetFval().Fval
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				return constText(types.Int8, v), true // integer literal beyond int4
			}
			return constText(types.Numeric_, v), true
		case c.GetBoolval() != nil:
			return strconv.FormatBool(c.GetBoolval().Boolval), true
		case c.GetSval() != nil:
			return typedLiteral(col, c.GetSval().Sval)
		}
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		t, ok := typeOfName(tc.GetTypeName())
		if !ok {
			return "", false
		}
		if c := tc.GetArg().GetAConst(); c != nil && c.GetSval() != nil {
			return typedLiteral(t, c.GetSval().Sval)
		}
		return "", false
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall()
		if len(f.GetArgs()) > 0 || f.GetAggStar() || f.GetOver() != nil {
			return "", false
		}
		var parts []string
		for _, p := range f.GetFuncname() {
			parts = append(parts, quoteIdent(p.GetString_().GetSval()))
		}
		if len(parts) == 2 && parts[0] == "pg_catalog" {
			parts = parts[1:]
		}
		return strings.Join(parts, ".") + "()", true
	case n.GetSqlvalueFunction() != nil:
		return sqlValueFunction(n.GetSqlvalueFunction())
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

// typeOfName resolves a TypeName node.
func typeOfName(tn *pg.TypeName) (types.Type, bool) {
	if tn == nil || len(tn.GetArrayBounds()) > 0 {
		return types.Type{}, false
	}
	var parts []string
	for _, p := range tn.GetNames() {
		parts = append(parts, p.GetString_().GetSval())
	}
	var mods []int32
	for _, m := range tn.GetTypmods() {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return types.Type{}, false
		}
		mods = append(mods, c.GetIval().Ival)
	}
	t, err := types.LookupType(strings.Join(parts, "."), mods)
	if err != nil {
		return types.Type{}, false
	}
	return t, true
}

// sqlValueFunction prints CURRENT_DATE, CURRENT_TIMESTAMP(p), … as
// PostgreSQL's ruleutils does.
func sqlValueFunction(f *pg.SQLValueFunction) (string, bool) {
	names := map[pg.SQLValueFunctionOp]string{
		pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:        "CURRENT_DATE",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME:        "CURRENT_TIME",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:      "CURRENT_TIME",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:   "CURRENT_TIMESTAMP",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N: "CURRENT_TIMESTAMP",
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME:           "LOCALTIME",
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N:         "LOCALTIME",
		pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:      "LOCALTIMESTAMP",
		pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:    "LOCALTIMESTAMP",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:        "CURRENT_ROLE",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_USER:        "CURRENT_USER",
		pg.SQLValueFunctionOp_SVFOP_USER:                "USER",
		pg.SQLValueFunctionOp_SVFOP_SESSION_USER:        "SESSION_USER",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:     "CURRENT_CATALOG",
		pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:      "CURRENT_SCHEMA",
	}
	name, ok := names[f.GetOp()]
	if !ok {
		return "", false
	}
	switch f.GetOp() {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N,
		pg.SQLValueFunctionOp_SVFOP_LOCALTIME_N, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		name += "(" + strconv.Itoa(int(f.GetTypmod())) + ")"
	}
	return name, true
}
