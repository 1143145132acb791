package ast

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// SplitStatements splits a script into its statements with PostgreSQL's
// own scanner (string literals, comments and dollar quotes are respected).
// Each part is the statement's text without the ';'; parts that are empty
// or only comments are kept as they are (callers drop them).
func SplitStatements(sql string) ([]string, error) {
	parts, err := pg.SplitWithScanner(sql, true)
	if err != nil {
		return nil, fmt.Errorf("split statements: %w", err)
	}
	return parts, nil
}

// ParseScalar parses the SQL text of one scalar expression (a stored
// DEFAULT or CHECK expression) into the typed tree: the expression must be
// the whole text (no FROM, no second target, no second statement).
func ParseScalar(text string) (Expr, error) {
	st, err := ParseOne("SELECT " + text)
	if err != nil {
		return nil, err
	}
	sel, ok := st.(*Select)
	if !ok || len(sel.Targets) != 1 || len(sel.From) > 0 || sel.Where != nil ||
		len(sel.GroupBy) > 0 || sel.Having != nil || sel.Op != 0 || sel.Values != nil ||
		sel.Targets[0].Expr == nil {
		return nil, fmt.Errorf("%q is not a single scalar expression", text)
	}
	return sel.Targets[0].Expr, nil
}
