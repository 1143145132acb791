package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// rowNullTest compiles ROW(...) IS [NOT] NULL: IS NULL holds when every
// field is NULL, IS NOT NULL when none is (so both can be false).
func (cp *compiler) rowNullTest(row *ast.RowExpr, not bool, sc *scope) (expr, error) {
	es := make([]expr, len(row.Args))
	for i, a := range row.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	return &rowNullExpr{es: es, not: not}, nil
}

type rowNullExpr struct {
	es  []expr
	not bool
}

func (e *rowNullExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	for _, x := range e.es {
		d, err := x.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		if d.IsNull() == e.not { // a non-NULL field for IS NULL, a NULL one for IS NOT NULL
			return types.NewBool(false), nil
		}
	}
	return types.NewBool(true), nil
}

func (e *rowNullExpr) typ() types.Type { return types.Bool }
