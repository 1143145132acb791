package ast

import (
	"github.com/borealis-db/borealis/sql/types"
	pg "github.com/pganalyze/pg_query_go/v5"
)

// MultiAssign is one column of UPDATE ... SET (a, b, ...) = (SELECT ...):
// the Col-th (0-based) of the N output columns of Source, which all the
// clause's columns share (one *Subquery, planned and run once per row).
type MultiAssign struct {
	Source *Subquery
	Col, N int
}

func (*MultiAssign) node() {}
func (*MultiAssign) expr() {}

// multiAssign converts the SET items of one "(a, b, ...) = source" clause
// (PostgreSQL's parser gives one MultiAssignRef per column, each holding
// the source): a ROW source becomes one SetClause per column with its
// value (as transformMultiAssignRef), a sub-SELECT becomes MultiAssign
// columns over one Subquery; anything else is 42601.
func (c *converter) multiAssign(items []*pg.ResTarget) ([]*SetClause, error) {
	ref := items[0].Val.GetMultiAssignRef()
	n := int(ref.Ncolumns)
	var out []*SetClause
	src := ref.Source
	if row := src.GetRowExpr(); row != nil {
		if len(row.Args) != n {
			return nil, &types.Error{Code: types.CodeSyntaxError, Message: "number of columns does not match number of values"}
		}
		for i, rt := range items {
			e, err := c.expr(row.Args[i])
			if err != nil {
				return nil, err
			}
			out = append(out, &SetClause{Column: rt.Name, Expr: e})
		}
		return out, nil
	}
	if sl := src.GetSubLink(); sl != nil && sl.SubLinkType == pg.SubLinkType_EXPR_SUBLINK {
		e, err := c.expr(src)
		if err != nil {
			return nil, err
		}
		sq, ok := e.(*Subquery)
		if !ok {
			return nil, c.unsupported("this multiple-column assignment source", sl.Location)
		}
		for i, rt := range items {
			out = append(out, &SetClause{Column: rt.Name, Expr: &MultiAssign{Source: sq, Col: i, N: n}})
		}
		return out, nil
	}
	return nil, &types.Error{Code: types.CodeFeatureNotSupported, Message: "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression"}
}
