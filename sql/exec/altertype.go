package exec

// ALTER TABLE ... ALTER COLUMN c [SET DATA] TYPE t [USING expr].
//
// A change that keeps every stored value valid (the same type with a
// typmod that accepts all old values: a longer or unlimited varchar, an
// unlimited numeric) only changes the catalog. Anything else rewrites the
// table through rewriteTable (the path of ADD COLUMN with a default and
// DROP COLUMN): each row's new value is the USING expression, or the old
// value, converted to t with the assignment cast, as PostgreSQL's
// ATExecAlterColumnType does; every index is rebuilt in the new heap (so a
// conversion that makes two keys equal fails with 23505), NOT NULL and the
// CHECK constraints that name the column are checked on the converted rows,
// and any error leaves the table as it was (the ALTER's transaction
// aborts). Refused with 0A000: columns in a FOREIGN KEY (either side) and
// columns a view reads (the view's text names the table and the column, or
// selects *).

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// alterColumnType plans ALTER COLUMN ... TYPE.
func (b *builder) alterColumnType(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	pos := t.Column(cmd.Column)
	if pos < 0 {
		return nil, columnMissing(t, cmd.Column)
	}
	nt, err := typeName(cmd.Def.Type)
	if err != nil {
		return nil, err
	}
	name := cmd.Column
	col := t.Columns[pos]
	old := col.Type
	trivial := old.OID == nt.OID && (old.Typmod == nt.Typmod || nt.Typmod < 0 ||
		(old.OID == types.OIDVarchar && old.Typmod >= 0 && nt.Typmod >= old.Typmod))
	if trivial && cmd.Using == nil {
		return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
			i := t0.Column(name)
			if i < 0 {
				return columnMissing(t0, name)
			}
			t1 := t0.Clone()
			t1.Columns[i].Type = nt
			return c.DB.Cat.Put(c.Ctx, c.Tx, t1)
		}), nil
	}
	conv, err := b.typeConversion(t, pos, nt, cmd.Using)
	if err != nil {
		return nil, err
	}
	if col.Default != "" && col.Identity == "" {
		if err := b.checkDefaultCast(col, nt); err != nil {
			return nil, err
		}
	}
	// The table as it will be, to compile its CHECKs on the column.
	newT := t.Clone()
	newT.Columns[pos].Type = nt
	type check struct {
		name string
		e    expr
	}
	var checks []check
	for _, ck := range t.Checks {
		if !exprColumns(ck.Expr)[name] {
			continue
		}
		e, err := b.compileCheck(newT, ck.Expr)
		if err != nil {
			return nil, err
		}
		checks = append(checks, check{ck.Name, e})
	}
	ncols := len(t.Columns)
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		i := t0.Column(name)
		if i < 0 {
			return columnMissing(t0, name)
		}
		if i != pos || len(t0.Columns) != ncols {
			return errf("55006", "table %q changed while ALTER COLUMN TYPE was planned", t0.Name)
		}
		if err := alterTypeDependents(c, t0, i); err != nil {
			return err
		}
		t1 := t0.Clone()
		t1.Columns[i].Type = nt
		notNull := t0.Columns[i].NotNull
		return rewriteTable(c, t0, t1, func(vals []types.Datum) ([]types.Datum, error) {
			v, err := conv.eval(c, vals)
			if err != nil {
				return nil, err
			}
			if notNull && v.IsNull() {
				return nil, &types.Error{Code: CodeNotNullViolation,
					Message: fmt.Sprintf("column %q of relation %q contains null values", name, t0.Name)}
			}
			out := append([]types.Datum(nil), vals...)
			out[i] = v
			for _, ck := range checks {
				r, err := ck.e.eval(c, out)
				if err != nil {
					return nil, err
				}
				if !r.IsNull() && !r.Bool() {
					return nil, &types.Error{Code: CodeCheckViolation,
						Message: fmt.Sprintf("check constraint %q of relation %q is violated by some row", ck.name, t0.Name)}
				}
			}
			return out, nil
		})
	}), nil
}

// typeConversion compiles the new value of column pos of t: using (or
// the column itself) over t's row, cast to nt in assignment context; 42804
// with PostgreSQL's message and hint when no such cast exists.
func (b *builder) typeConversion(t *catalog.Table, pos int, nt types.Type, using ast.Expr) (expr, error) {
	name := t.Columns[pos].Name
	src := using
	if src == nil {
		src = &ast.ColumnRef{Column: name}
	} else if b.cp.hasAggregate(src) {
		return nil, errf(CodeGrouping, "aggregate functions are not allowed in transform expressions")
	} else if hasSubquery(src) {
		return nil, unsupported("cannot use subquery in transform expression")
	}
	x, err := b.cp.expr(src, &scope{cols: tableColumns(t, ""), noAggs: "transform expressions"})
	if err != nil {
		return nil, err
	}
	if isUnknown(x) && using != nil {
		return b.cp.coerce(x, nt, types.CoerceAssignment)
	}
	if cc, ok := types.CastContext(x.typ().OID, nt.OID); !ok || cc > types.CoerceAssignment {
		if using != nil {
			return nil, &types.Error{Code: types.CodeDatatypeMismatch,
				Message: fmt.Sprintf("result of USING clause for column %q cannot be cast automatically to type %s", name, nt),
				Hint:    "You might need to add an explicit cast."}
		}
		return nil, &types.Error{Code: types.CodeDatatypeMismatch,
			Message: fmt.Sprintf("column %q cannot be cast automatically to type %s", name, nt),
			Hint:    fmt.Sprintf("You might need to specify \"USING %s::%s\".", funcs.QuoteIdent(name), nt)}
	}
	return b.cp.coerce(x, nt, types.CoerceAssignment)
}

// checkDefaultCast is PostgreSQL's check that the column's default still
// converts to the new type (42804 otherwise).
func (b *builder) checkDefaultCast(col catalog.Column, nt types.Type) error {
	st, err := ast.ParseOne("SELECT " + col.Default)
	sel, ok := st.(*ast.Select)
	if err != nil || !ok || len(sel.Targets) != 1 {
		return fmt.Errorf("default of %s: %q does not parse", col.Name, col.Default)
	}
	e, err := b.cp.expr(sel.Targets[0].Expr, &scope{noAggs: "DEFAULT expressions"})
	if err == nil {
		from := e.typ()
		if isUnknown(e) { // a literal stored as written: it has the column's old type
			from = col.Type
		}
		if cc, ok := types.CastContext(from.OID, nt.OID); ok && cc <= types.CoerceAssignment {
			return nil
		}
	}
	return &types.Error{Code: types.CodeDatatypeMismatch,
		Message: fmt.Sprintf("default for column %q cannot be cast automatically to type %s", col.Name, nt)}
}

// alterTypeDependents refuses (0A000) a column that a foreign key or a
// view depends on.
func alterTypeDependents(c *Ctx, t *catalog.Table, pos int) error {
	name := t.Columns[pos].Name
	for _, fk := range t.ForeignKeys {
		if indexHas(catalog.Index{Columns: fk.Columns}, pos) {
			return unsupported("ALTER COLUMN TYPE of column %q used by foreign key constraint %q is not supported", name, fk.Name)
		}
	}
	for _, o := range c.Cat.Tables() {
		for _, fk := range o.ForeignKeys {
			if fk.RefTable == t.OID && indexHas(catalog.Index{Columns: fk.RefColumns}, pos) {
				return unsupported("ALTER COLUMN TYPE of column %q referenced by foreign key constraint %q is not supported", name, fk.Name)
			}
		}
		if o.View != "" && viewReadsColumn(o.View, t.Name, name) {
			return &types.Error{Code: types.CodeFeatureNotSupported,
				Message: "cannot alter type of a column used by a view or rule",
				Detail:  fmt.Sprintf("rule _RETURN on view %s depends on column %q", o.Name, name)}
		}
	}
	return nil
}

// viewReadsColumn reports whether a view's query text names table and
// either the column or a star (conservative: a column of the same name in
// another table of the view also counts).
func viewReadsColumn(view, table, column string) bool {
	st, err := ast.ParseOne(view)
	if err != nil {
		return true
	}
	names, reads := false, false
	ast.Walk(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.TableRef:
			if x.Name.Name == table {
				names = true
			}
		case *ast.ColumnRef:
			if x.Star || x.Column == column {
				reads = true
			}
		}
		return true
	})
	return names && reads
}

// hasSubquery reports whether e contains a subquery.
func hasSubquery(e ast.Expr) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		if _, ok := n.(*ast.Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}
