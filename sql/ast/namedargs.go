package ast

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

// funcArgs converts a call's arguments, unwrapping named notation
// (`name => value`): the names come back beside the arguments ("" for a
// positional one), or nil when no argument is named.
func (c *converter) funcArgs(nodes []*pg.Node) ([]Expr, []string, error) {
	var names []string
	args := make([]Expr, 0, len(nodes))
	for i, n := range nodes {
		if na := n.GetNamedArgExpr(); na != nil {
			if names == nil {
				names = make([]string, len(nodes))
			}
			names[i] = na.Name
			n = na.Arg
		}
		e, err := c.expr(n)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, e)
	}
	return args, names, nil
}
