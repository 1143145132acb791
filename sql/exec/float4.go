package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// inItems compiles the list of `v IN (list)`. PostgreSQL compares an IN
// list in the common type of v and the items (select_common_type): for a
// real v with integer or numeric items and no double precision one that
// is real, so `c IN (0.1)` compares c with 0.1::real, whereas `c = 0.1`
// compares both as double precision (float48eq). Other types compare the
// same either way, so only real needs the items cast here.
func (cp *compiler) inItems(v expr, list []ast.Expr, sc *scope) ([]expr, error) {
	items := make([]expr, len(list))
	toReal := v.typ().OID == types.OIDFloat4
	for i, item := range list {
		e, err := cp.expr(item, sc)
		if err != nil {
			return nil, err
		}
		items[i] = e
		t := e.typ()
		if t.OID == types.OIDFloat8 || !(t.IsInt() || t.OID == types.OIDNumeric || t.OID == types.OIDFloat4 || isUnknown(e)) {
			toReal = false
		}
	}
	if toReal {
		for i, e := range items {
			if e.typ().OID != types.OIDFloat4 {
				c, err := cp.coerce(e, types.Float4, types.CoerceImplicit)
				if err != nil {
					return nil, err
				}
				items[i] = c
			}
		}
	}
	return items, nil
}
