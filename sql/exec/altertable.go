package exec

// ALTER TABLE column operations (area "ddl"): ADD COLUMN [IF NOT EXISTS],
// DROP COLUMN [IF EXISTS], ALTER COLUMN SET/DROP DEFAULT and SET/DROP NOT
// NULL, RENAME COLUMN, RENAME TO, and ALTER TABLE IF EXISTS (ALTER COLUMN
// TYPE: altertype.go).
//
// Rows are stored with their attribute count, and a row with fewer
// attributes than the table has columns decodes the missing ones as NULL,
// so ADD COLUMN without a default (or with a NULL one) only changes the
// catalog. ADD COLUMN with a default and DROP COLUMN rewrite the table
// instead of keeping PostgreSQL's "missing value" and attisdropped
// columns: a new heap and new index roots are filled, in the ALTER's
// transaction, with every row its snapshot sees, converted (the default
// evaluated per row, which is also right for volatile defaults; the
// dropped column cut out), and the catalog row points at them. Like
// PostgreSQL's rewrites this is not MVCC-safe for concurrent older
// snapshots (they see the new heap empty until the ALTER commits), and
// there are no table locks: a concurrent writer's changes to the old heap
// during the rewrite are lost.

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// alterTableDDL plans the ALTER TABLE forms of this file; ok false for the
// others (constraints: constraintddl.go).
func (b *builder) alterTableDDL(s *ast.AlterTable) (p *Plan, ok bool, err error) {
	if len(s.Cmds) > 1 {
		return b.alterTableMulti(s)
	}
	cmd := s.Cmds[0]
	switch cmd.Type {
	case ast.AlterAddColumn, ast.AlterDropColumn, ast.AlterSetDefault, ast.AlterSetNotNull, ast.AlterDropNotNull,
		ast.AlterRenameColumn, ast.AlterRenameTable, ast.AlterColumnType:
	default:
		if s.IfExists {
			if _, err := b.relation(s.Table); err != nil {
				return missingTablePlan(s.Table.Name), true, nil
			}
		}
		return nil, false, nil
	}
	t, err := b.relation(s.Table)
	if err != nil {
		if s.IfExists {
			return missingTablePlan(s.Table.Name), true, nil
		}
		return nil, true, err
	}
	if t.View != "" && cmd.Type != ast.AlterRenameTable && cmd.Type != ast.AlterRenameColumn {
		return nil, true, notAView(t)
	}
	if t.Sequence && cmd.Type != ast.AlterRenameTable {
		return nil, true, errf(CodeWrongObjectType, "%q is not a table", t.Name)
	}
	switch cmd.Type {
	case ast.AlterAddColumn:
		p, err = b.addColumn(t, cmd)
	case ast.AlterDropColumn:
		p, err = b.dropColumn(t, cmd)
	case ast.AlterSetDefault:
		p, err = b.setDefault(t, cmd)
	case ast.AlterSetNotNull, ast.AlterDropNotNull:
		p, err = b.setNotNull(t, cmd)
	case ast.AlterRenameColumn:
		p, err = b.renameColumn(t, cmd)
	case ast.AlterRenameTable:
		p, err = b.renameTable(t, cmd)
	case ast.AlterColumnType:
		p, err = b.alterColumnType(t, cmd)
	}
	return p, true, err
}

// missingTablePlan is ALTER TABLE IF EXISTS of a missing table.
func missingTablePlan(name string) *Plan {
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		return "ALTER TABLE", c.notice("00000", "relation %q does not exist, skipping", name)
	}
	return p
}

// alterPlan is a DDL plan that changes table name (as the statement's
// catalog view has it) with fn.
func alterPlan(name string, fn func(c *Ctx, t *catalog.Table) error) *Plan {
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		t, ok := c.Cat.Table(name)
		if !ok {
			return "", errf(CodeUndefinedTable, "relation %q does not exist", name)
		}
		if err := fn(c, t); err != nil {
			return "", err
		}
		return "ALTER TABLE", nil
	}
	return p
}

func columnMissing(t *catalog.Table, col string) error {
	return errf(CodeUndefinedColumn, "column %q of relation %q does not exist", col, t.Name)
}

func (b *builder) addColumn(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	cd := cmd.Def
	if len(cd.Constraints) > 0 {
		return nil, unsupported("constraints in ALTER TABLE ADD COLUMN are not supported (add the column, then ADD CONSTRAINT)")
	}
	typ, seq, err := columnSequence(cd)
	if err != nil {
		return nil, err
	}
	col := catalog.Column{Name: cd.Name, Type: typ, NotNull: cd.NotNull || seq != nil, Identity: cd.Identity}
	var def expr
	if cd.Default != nil {
		e, err := b.cp.expr(cd.Default, &scope{noAggs: "DEFAULT expressions"})
		if err != nil {
			return nil, err
		}
		if def, err = b.cp.coerce(e, typ, types.CoerceAssignment); err != nil {
			return nil, err
		}
		col.Default = cd.DefaultSQL
	}
	ifNotExists := cmd.IfExists
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		if t0.Column(cd.Name) >= 0 {
			if ifNotExists {
				return c.notice(CodeDuplicateColumn, "column %q of relation %q already exists, skipping", cd.Name, t0.Name)
			}
			return errf(CodeDuplicateColumn, "column %q of relation %q already exists", cd.Name, t0.Name)
		}
		nt := t0.Clone()
		nt.Columns = append(nt.Columns, col)
		pos := len(nt.Columns) - 1
		fill := def
		if seq != nil {
			seqs, err := createOwned(c, nt, []ownedSequence{{col: pos, params: *seq}})
			if err != nil {
				return err
			}
			fill = &seqFunc{name: "nextval", fixed: seqs[0]}
		}
		if fill == nil && !col.NotNull {
			// Old rows decode the new column as NULL: nothing to rewrite.
			return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
		}
		return rewriteTable(c, t0, nt, func(vals []types.Datum) ([]types.Datum, error) {
			v := types.Null
			if fill != nil {
				var err error
				if v, err = fill.eval(c, nil); err != nil {
					return nil, err
				}
			}
			if v.IsNull() && col.NotNull {
				return nil, &types.Error{Code: CodeNotNullViolation,
					Message: fmt.Sprintf("column %q of relation %q contains null values", col.Name, nt.Name)}
			}
			return append(vals, v), nil
		})
	}), nil
}

// rewriteTable stores nt (old's new definition) with a new heap and new
// index roots filled with conv of every row of old that c's snapshot sees.
func rewriteTable(c *Ctx, old, nt *catalog.Table, conv func(vals []types.Datum) ([]types.Datum, error)) error {
	var err error
	if nt.Root, err = heap.Create(c.DB.Meta); err != nil {
		return fmt.Errorf("rewrite %s: %w", old.Name, err)
	}
	for i := range nt.Indexes {
		if nt.Indexes[i].Root, err = btree.Create(c.DB.Meta); err != nil {
			return fmt.Errorf("rewrite %s: %w", old.Name, err)
		}
	}
	oh, err := c.DB.heapOf(old)
	if err != nil {
		return err
	}
	nh, err := c.DB.heapOf(nt)
	if err != nil {
		return err
	}
	w := &writer{t: nt, types: nt.Types()}
	oldTypes := old.Types()
	snap := c.Snap
	sc := oh.Scan(c.Ctx, &snap)
	for sc.Next() {
		vals, err := types.DecodeTuple(sc.Data(), oldTypes, nil)
		if err != nil {
			return fmt.Errorf("rewrite %s: row %s: %w", old.Name, sc.TID(), err)
		}
		if vals, err = conv(vals); err != nil {
			return err
		}
		data, err := types.AppendTuple(nil, w.types, vals)
		if err != nil {
			return err
		}
		tid, err := nh.Insert(c.Ctx, c.Tx, data)
		if err != nil {
			return rowErr(err)
		}
		for i := range nt.Indexes {
			// Unique indexes are checked: ALTER COLUMN TYPE can make keys equal.
			if err := w.indexInsert(c, &nt.Indexes[i], vals, tid, true); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("rewrite %s: %w", old.Name, err)
	}
	return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
}

// exprColumns returns the column names an expression's SQL text refers to.
func exprColumns(sql string) map[string]bool {
	out := map[string]bool{}
	st, err := ast.ParseOne("SELECT " + sql)
	if err != nil {
		return out
	}
	ast.Walk(st, func(n ast.Node) bool {
		if r, ok := n.(*ast.ColumnRef); ok && !r.Star {
			out[r.Column] = true
		}
		return true
	})
	return out
}

func (b *builder) dropColumn(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	name, ifExists, cascade := cmd.Column, cmd.IfExists, cmd.Cascade
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		pos := t0.Column(name)
		if pos < 0 {
			if ifExists {
				return c.notice("00000", "column %q of relation %q does not exist, skipping", name, t0.Name)
			}
			return columnMissing(t0, name)
		}
		if err := dropColumnDependents(c, t0, pos, cascade); err != nil { // depend.go
			return err
		}
		has := func(cols []int) bool {
			for _, x := range cols {
				if x == pos {
					return true
				}
			}
			return false
		}
		renum := func(cols []int) []int {
			out := make([]int, len(cols))
			for i, x := range cols {
				out[i] = x
				if x > pos {
					out[i] = x - 1
				}
			}
			return out
		}
		nt := t0.Clone()
		nt.Columns = append(nt.Columns[:pos:pos], t0.Columns[pos+1:]...)
		// Indexes and CHECK constraints on the column go with it.
		nt.Indexes = nt.Indexes[:0]
		for _, ix := range t0.Indexes {
			if !has(ix.Columns) {
				ix.Columns = renum(ix.Columns)
				nt.Indexes = append(nt.Indexes, ix)
			}
		}
		nt.Checks = nt.Checks[:0]
		for _, ck := range t0.Checks {
			if !exprColumns(ck.Expr)[name] {
				nt.Checks = append(nt.Checks, ck)
			}
		}
		nt.ForeignKeys = nt.ForeignKeys[:0]
		for _, fk := range t0.ForeignKeys {
			if has(fk.Columns) {
				continue // the referencing side's constraint goes with the column
			}
			fk.Columns = renum(fk.Columns)
			if fk.RefTable == t0.OID {
				if has(fk.RefColumns) {
					if !cascade {
						return dependsErr(name, t0.Name, fk.Name, t0.Name)
					}
					continue
				}
				fk.RefColumns = renum(fk.RefColumns)
			}
			nt.ForeignKeys = append(nt.ForeignKeys, fk)
		}
		// Foreign keys of other tables on the column.
		for _, o := range c.Cat.Tables() {
			if o.OID == t0.OID {
				continue
			}
			var keep []catalog.ForeignKey
			changed := false
			for _, fk := range o.ForeignKeys {
				if fk.RefTable != t0.OID {
					keep = append(keep, fk)
					continue
				}
				changed = true
				if has(fk.RefColumns) {
					if !cascade {
						return dependsErr(name, t0.Name, fk.Name, o.Name)
					}
					if err := c.notice("00000", "drop cascades to constraint %s on table %s", fk.Name, o.Name); err != nil {
						return err
					}
					continue
				}
				fk.RefColumns = renum(fk.RefColumns)
				keep = append(keep, fk)
			}
			if changed {
				no := o.Clone()
				no.ForeignKeys = keep
				if err := c.DB.Cat.Put(c.Ctx, c.Tx, no); err != nil {
					return err
				}
			}
		}
		// Owned sequences: the column's are dropped, the others follow.
		for _, s := range c.Cat.Tables() {
			if !s.Sequence || s.OwnedBy != t0.OID || s.OwnedCol < pos {
				continue
			}
			if s.OwnedCol == pos {
				if err := c.DB.Cat.Drop(c.Ctx, c.Tx, s); err != nil {
					return err
				}
				continue
			}
			ns := s.Clone()
			ns.OwnedCol--
			if err := c.DB.Cat.Put(c.Ctx, c.Tx, ns); err != nil {
				return err
			}
		}
		return rewriteTable(c, t0, nt, func(vals []types.Datum) ([]types.Datum, error) {
			return append(vals[:pos:pos], vals[pos+1:]...), nil
		})
	}), nil
}

// dependsErr is DROP COLUMN's 2BP01 for a constraint depending on it.
func dependsErr(col, table, cons, on string) error {
	return &types.Error{Code: "2BP01",
		Message: fmt.Sprintf("cannot drop column %s of table %s because other objects depend on it", col, table),
		Detail:  fmt.Sprintf("constraint %s on table %s depends on column %s of table %s", cons, on, col, table),
		Hint:    "Use DROP ... CASCADE to drop the dependent objects too."}
}

func (b *builder) setDefault(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	pos := t.Column(cmd.Column)
	if pos < 0 {
		return nil, columnMissing(t, cmd.Column)
	}
	sql := ""
	if cmd.Default != nil {
		if t.Columns[pos].Identity != "" {
			return nil, &types.Error{Code: "42P16", Message: fmt.Sprintf("column %q of relation %q is an identity column", cmd.Column, t.Name),
				Hint: "Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead."}
		}
		e, err := b.cp.expr(cmd.Default, &scope{noAggs: "DEFAULT expressions"})
		if err != nil {
			return nil, err
		}
		if _, err := b.cp.coerce(e, t.Columns[pos].Type, types.CoerceAssignment); err != nil {
			return nil, err
		}
		sql = cmd.DefaultSQL
	} else if t.Columns[pos].Identity != "" {
		return nil, unsupported("DROP DEFAULT of an identity column is not supported")
	}
	name := cmd.Column
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		i := t0.Column(name)
		if i < 0 {
			return columnMissing(t0, name)
		}
		nt := t0.Clone()
		nt.Columns[i].Default = sql
		return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
	}), nil
}

func (b *builder) setNotNull(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	set := cmd.Type == ast.AlterSetNotNull
	name := cmd.Column
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		pos := t0.Column(name)
		if pos < 0 {
			return columnMissing(t0, name)
		}
		nt := t0.Clone()
		if !set {
			for _, ix := range t0.Indexes {
				if ix.Primary && indexHas(ix, pos) {
					return errf("42P16", "column %q is in a primary key", name)
				}
			}
			if t0.Columns[pos].Identity != "" {
				return errf("42P16", "column %q of relation %q is an identity column", name, t0.Name)
			}
			nt.Columns[pos].NotNull = false
			return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
		}
		if !t0.Columns[pos].NotNull {
			h, err := c.DB.heapOf(t0)
			if err != nil {
				return err
			}
			snap := c.Snap
			sc := h.Scan(c.Ctx, &snap)
			typs := t0.Types()
			for sc.Next() {
				vals, err := types.DecodeTuple(sc.Data(), typs, nil)
				if err != nil {
					return err
				}
				if vals[pos].IsNull() {
					return &types.Error{Code: CodeNotNullViolation,
						Message: fmt.Sprintf("column %q of relation %q contains null values", name, t0.Name)}
				}
			}
			if err := sc.Err(); err != nil {
				return err
			}
		}
		nt.Columns[pos].NotNull = true
		return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
	}), nil
}

func indexHas(ix catalog.Index, pos int) bool {
	for _, x := range ix.Columns {
		if x == pos {
			return true
		}
	}
	return false
}

func (b *builder) renameColumn(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	from, to := cmd.Column, cmd.NewName // a view's columns too (views over it follow: depend.go)
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		pos := t0.Column(from)
		if pos < 0 {
			return errf(CodeUndefinedColumn, "column %q does not exist", from)
		}
		if t0.Column(to) >= 0 {
			return errf(CodeDuplicateColumn, "column %q of relation %q already exists", to, t0.Name)
		}
		// CHECK and DEFAULT expressions are stored as SQL text: a rename
		// would have to rewrite them.
		for _, ck := range t0.Checks {
			if exprColumns(ck.Expr)[from] {
				return unsupported("renaming column %q used by CHECK constraint %q is not supported", from, ck.Name)
			}
		}
		for _, col := range t0.Columns {
			if col.Default != "" && exprColumns(col.Default)[from] {
				return unsupported("renaming column %q used by a DEFAULT expression is not supported", from)
			}
		}
		if err := renameInViews(c, t0, from, to, ""); err != nil { // depend.go
			return err
		}
		nt := t0.Clone()
		nt.Columns[pos].Name = to
		return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
	}), nil
}

func (b *builder) renameTable(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	to := cmd.NewName
	return alterPlan(t.Name, func(c *Ctx, t0 *catalog.Table) error {
		if _, taken := c.Cat.Table(to); taken {
			return errf(CodeDuplicateTable, "relation %q already exists", to)
		}
		if err := renameInViews(c, t0, "", "", to); err != nil { // depend.go
			return err
		}
		nt := t0.Clone()
		nt.Name = to
		return c.DB.Cat.Put(c.Ctx, c.Tx, nt)
	}), nil
}

// alterTableMulti runs several ADD/DROP COLUMN, SET/DROP NOT NULL and
// SET/DROP DEFAULT subcommands of one ALTER TABLE in order, each seeing the
// ones before it (the command counter advances between them, as
// PostgreSQL's CommandCounterIncrement). Other mixes stay 0A000.
func (b *builder) alterTableMulti(s *ast.AlterTable) (*Plan, bool, error) {
	t, err := b.relation(s.Table)
	if err != nil {
		if s.IfExists {
			return missingTablePlan(s.Table.Name), true, nil
		}
		return nil, true, err
	}
	var subs []*Plan
	for _, cmd := range s.Cmds {
		switch cmd.Type {
		case ast.AlterAddColumn, ast.AlterDropColumn, ast.AlterSetNotNull, ast.AlterDropNotNull, ast.AlterSetDefault:
		default:
			return nil, true, unsupported("ALTER TABLE with several commands is supported only for ADD/DROP COLUMN, SET/DROP NOT NULL and SET/DROP DEFAULT")
		}
		if cmd.Type == ast.AlterSetDefault && t.Column(cmd.Column) < 0 {
			return nil, true, unsupported("ALTER TABLE with several commands: SET/DROP DEFAULT of a column added in the same statement is not supported")
		}
		p, _, err := b.alterTableDDL(&ast.AlterTable{Table: s.Table, Cmds: []*ast.AlterCmd{cmd}})
		if err != nil {
			return nil, true, err
		}
		subs = append(subs, p)
	}
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		for i, sp := range subs {
			if i > 0 {
				if err := c.Tx.NextCommand(); err != nil {
					return "", err
				}
				snap := c.Tx.Snapshot()
				cat, err := c.DB.Cat.Load(c.Ctx, &snap)
				if err != nil {
					return "", err
				}
				c.Snap, c.Cat = snap, cat
			}
			if _, err := sp.Run(c, emit); err != nil {
				return "", err
			}
		}
		return "ALTER TABLE", nil
	}
	return p, true, nil
}
