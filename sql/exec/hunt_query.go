package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// insertArity is transformInsertRow's check that an INSERT with an explicit
// column list gives a value for every listed column (n values, want
// columns): 42601, with PostgreSQL's hint when the only value is a row of
// the right width (extra parentheses).
func insertArity(s *ast.Insert, n, want int) error {
	if len(s.Columns) == 0 || n >= want {
		return nil
	}
	err := errf(types.CodeSyntaxError, "INSERT has more target columns than expressions")
	if s.Source != nil && s.Source.Values != nil && n == 1 && len(s.Source.Values) > 0 && len(s.Source.Values[0]) == 1 {
		if row, ok := s.Source.Values[0][0].(*ast.RowExpr); ok && len(row.Args) == want {
			err.Hint = "The insertion source is a row expression containing the same number of columns expected by the INSERT. Did you accidentally use extra parentheses?"
		}
	}
	return err
}

// specificType is coerce_to_specific_type: e as type t by assignment
// coercion (unknown literals and parameters take t), or 42804 "argument of
// CONSTRUCT must be type t, not type u" when no such coercion exists.
func (cp *compiler) specificType(e expr, t types.Type, construct string) (expr, error) {
	from := e.typ()
	if _, param := e.(*paramExpr); !param && from.OID != t.OID && !isUnknown(e) {
		if cc, ok := types.CastContext(from.OID, t.OID); !ok || cc > types.CoerceAssignment {
			return nil, errf(types.CodeDatatypeMismatch, "argument of %s must be type %s, not type %s",
				construct, formatTypeBe(t), formatTypeBe(from))
		}
	}
	return cp.coerce(e, t, types.CoerceAssignment)
}

// formatTypeBe is format_type_be: the type's name without its modifier.
func formatTypeBe(t types.Type) string {
	return types.Type{OID: t.OID, Typmod: -1}.String()
}

// limitClause puts LIMIT / OFFSET / FETCH FIRST over in. keys are the
// query's sort keys, ORDER BY's first: FETCH FIRST n ROWS WITH TIES also
// returns the rows after the nth that sort equal to it on the ORDER BY
// items.
func (b *builder) limitClause(s *ast.Select, in node, keys []sortKey) (node, error) {
	if s.Limit == nil && s.Offset == nil {
		return in, nil
	}
	ln := &limitNode{in: in}
	if s.WithTies {
		if len(s.OrderBy) == 0 || len(keys) < len(s.OrderBy) {
			return nil, errf(types.CodeSyntaxError, "WITH TIES cannot be specified without ORDER BY clause")
		}
		ln.ties = keys[:len(s.OrderBy)]
	}
	for _, x := range []struct {
		e         ast.Expr
		dst       *expr
		construct string
	}{{s.Limit, &ln.limit, "LIMIT"}, {s.Offset, &ln.offset, "OFFSET"}} {
		if x.e == nil {
			continue
		}
		if c, ok := x.e.(*ast.Const); ok && c.Value.IsNull() {
			if s.WithTies && x.construct == "LIMIT" {
				return nil, errf(codeInvalidRowCount, "row count cannot be null in FETCH FIRST ... WITH TIES clause")
			}
			continue // LIMIT ALL / NULL
		}
		e, err := b.cp.expr(x.e, &scope{noAggs: x.construct})
		if err != nil {
			return nil, err
		}
		if *x.dst, err = b.cp.specificType(e, types.Int8, x.construct); err != nil {
			return nil, err
		}
	}
	if ln.limit == nil && ln.offset == nil {
		return in, nil
	}
	return ln, nil
}

// codeInvalidRowCount is 2201W (invalid_row_count_in_limit_clause).
const codeInvalidRowCount = "2201W"
