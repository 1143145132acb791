package exec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// CREATE TABLE / ALTER TABLE constraint definitions: CHECK and FOREIGN KEY
// (UNIQUE and PRIMARY KEY are unique indexes marked Constraint), ALTER
// TABLE ADD CONSTRAINT (checking the existing rows) and DROP CONSTRAINT,
// and the dependencies DROP TABLE and TRUNCATE respect.

// CodeInvalidForeignKey is 42830.
const CodeInvalidForeignKey = "42830"

// extraCons is a CHECK or FOREIGN KEY constraint of CREATE/ALTER TABLE;
// col names the column of a column constraint.
type extraCons struct {
	c   *ast.Constraint
	col string
}

// constraintNames returns the names of t's constraints and indexes.
func constraintNames(t *catalog.Table) map[string]bool {
	used := map[string]bool{}
	for _, ix := range t.Indexes {
		used[ix.Name] = true
	}
	for _, ck := range t.Checks {
		used[ck.Name] = true
	}
	for _, fk := range t.ForeignKeys {
		used[fk.Name] = true
	}
	return used
}

// chooseName is PostgreSQL's ChooseConstraintName: rel_col_label (or
// rel_label), then with 1, 2, ... appended to the label until unused.
func chooseName(rel, col, label string, used map[string]bool) string {
	base := rel
	if col != "" {
		base += "_" + col
	}
	for i := 0; ; i++ {
		l := label
		if i > 0 {
			l += strconv.Itoa(i)
		}
		name := base + "_" + l
		if len(name) > 63 {
			name = name[len(name)-63:]
		}
		if !used[name] {
			used[name] = true
			return name
		}
	}
}

// checkColumn is the one column a CHECK expression references ("" when
// it references none or several), for its default name.
func checkColumn(e ast.Expr) string {
	cols := map[string]bool{}
	ast.Walk(e, func(n ast.Node) bool {
		if cr, ok := n.(*ast.ColumnRef); ok && !cr.Star {
			cols[cr.Column] = true
		}
		return true
	})
	if len(cols) != 1 {
		return ""
	}
	for c := range cols {
		return c
	}
	return ""
}

// planConstraints turns CHECK and FOREIGN KEY constraints into catalog
// definitions for def, whose columns and indexes are final. A foreign key
// on def itself has RefTable def.OID (0 while def is being created:
// fixSelfRefs fills it in).
func (b *builder) planConstraints(def *catalog.Table, extra []extraCons) ([]catalog.Check, []catalog.ForeignKey, error) {
	used := constraintNames(def)
	var checks []catalog.Check
	var fks []catalog.ForeignKey
	for _, x := range extra {
		name := x.c.Name
		if name != "" {
			if used[name] {
				return nil, nil, errf(CodeDuplicateObject, "constraint %q for relation %q already exists", name, def.Name)
			}
			used[name] = true
		}
		switch x.c.Type {
		case ast.ConstrCheck:
			if _, err := b.checkExpr(def, x.c.Check); err != nil {
				return nil, nil, err
			}
			if name == "" {
				name = chooseName(def.Name, checkColumn(x.c.Check), "check", used)
			}
			checks = append(checks, catalog.Check{Name: name, Expr: x.c.CheckSQL})
		case ast.ConstrForeignKey:
			fk, err := b.planForeignKey(def, x)
			if err != nil {
				return nil, nil, err
			}
			if name == "" {
				var cols []string
				for _, c := range fk.Columns {
					cols = append(cols, def.Columns[c].Name)
				}
				name = chooseName(def.Name, strings.Join(cols, "_"), "fkey", used)
			}
			fk.Name = name
			fks = append(fks, fk)
		default:
			return nil, nil, unsupported("constraint %s is not supported here", constraintName(x.c.Type))
		}
	}
	return checks, fks, nil
}

func (b *builder) planForeignKey(def *catalog.Table, x extraCons) (catalog.ForeignKey, error) {
	c := x.c
	fk := catalog.ForeignKey{OnDelete: c.OnDelete, OnUpdate: c.OnUpdate}
	for _, a := range []*string{&fk.OnDelete, &fk.OnUpdate} {
		if *a == "" {
			*a = "a"
		}
	}
	names := c.Columns
	if x.col != "" {
		names = []string{x.col}
	}
	for _, n := range names {
		i := def.Column(n)
		if i < 0 {
			return fk, errf(CodeUndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
		}
		fk.Columns = append(fk.Columns, i)
	}
	var parent *catalog.Table
	refName, err := catalog.NormalizeName(c.RefTable.Schema, c.RefTable.Name)
	if err == nil && refName == def.Name {
		parent = def
	} else if parent, err = b.table(c.RefTable); err != nil {
		return fk, err
	}
	fk.RefTable = parent.OID
	if len(c.RefColumns) == 0 {
		for _, ix := range parent.Indexes {
			if ix.Primary {
				fk.RefColumns = append([]int(nil), ix.Columns...)
			}
		}
		if fk.RefColumns == nil {
			return fk, errf(CodeInvalidForeignKey, "there is no primary key for referenced table %q", parent.Name)
		}
	}
	for _, n := range c.RefColumns {
		i := parent.Column(n)
		if i < 0 {
			return fk, errf(CodeUndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
		}
		fk.RefColumns = append(fk.RefColumns, i)
	}
	if len(fk.RefColumns) != len(fk.Columns) {
		return fk, errf(CodeInvalidForeignKey, "number of referencing and referenced columns for foreign key disagree")
	}
	if ix, _ := indexOn(parent, fk.RefColumns); ix == nil || !ix.Unique {
		return fk, errf(CodeInvalidForeignKey, "there is no unique constraint matching given keys for referenced table %q", parent.Name)
	}
	for i, col := range fk.Columns {
		ct, pt := def.Columns[col].Type, parent.Columns[fk.RefColumns[i]].Type
		if !fkCompatible(ct, pt) {
			name := c.Name
			if name == "" {
				var cols []string
				for _, col := range fk.Columns {
					cols = append(cols, def.Columns[col].Name)
				}
				name = def.Name + "_" + strings.Join(cols, "_") + "_fkey"
			}
			return fk, &types.Error{Code: "42804",
				Message: fmt.Sprintf("foreign key constraint %q cannot be implemented", name),
				Detail: fmt.Sprintf("Key columns %q and %q are of incompatible types: %s and %s.",
					def.Columns[col].Name, parent.Columns[fk.RefColumns[i]].Name, ct, pt)}
		}
	}
	return fk, nil
}

// fixSelfRefs sets the RefTable of foreign keys planned while t had no OID.
func fixSelfRefs(t *catalog.Table, fks []catalog.ForeignKey) []catalog.ForeignKey {
	out := make([]catalog.ForeignKey, len(fks))
	for i, fk := range fks {
		fk.Columns = append([]int(nil), fk.Columns...)
		fk.RefColumns = append([]int(nil), fk.RefColumns...)
		if fk.RefTable == 0 {
			fk.RefTable = t.OID
		}
		out[i] = fk
	}
	return out
}

// truncateReferenced refuses to truncate a table referenced by a foreign
// key of a table not truncated with it (PostgreSQL's 0A000).
func truncateReferenced(cat *catalog.Set, tables []*catalog.Table) error {
	skip := map[string]bool{}
	for _, t := range tables {
		skip[t.Name] = true
	}
	for _, t := range tables {
		for _, o := range cat.Tables() {
			if skip[o.Name] {
				continue
			}
			for _, fk := range o.ForeignKeys {
				if fk.RefTable == t.OID {
					return &types.Error{Code: types.CodeFeatureNotSupported,
						Message: "cannot truncate a table referenced in a foreign key constraint",
						Detail:  fmt.Sprintf("Table %q references %q.", o.Name, t.Name),
						Hint:    fmt.Sprintf("Truncate table %q at the same time, or use TRUNCATE ... CASCADE.", o.Name)}
				}
			}
		}
	}
	return nil
}

// alterAddConstraint is ALTER TABLE t ADD CHECK / FOREIGN KEY: the
// existing rows must satisfy it.
func (b *builder) alterAddConstraint(t *catalog.Table, con *ast.Constraint) (*Plan, error) {
	checks, fks, err := b.planConstraints(t, []extraCons{{c: con}})
	if err != nil {
		return nil, err
	}
	var exprs []checkCons
	for _, ck := range checks {
		e, err := b.compileCheck(t, ck.Expr)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, checkCons{name: ck.Name, e: e})
	}
	var refs []*fkRef
	for _, fk := range fks {
		parent, ok := b.cat.ByOID(fk.RefTable)
		if !ok {
			return nil, errf(CodeUndefinedTable, "referenced table of %s does not exist", fk.Name)
		}
		pix, order := indexOn(parent, fk.RefColumns)
		refs = append(refs, &fkRef{fk: fk, parent: parent, pix: pix, order: order})
	}
	name := t.Name
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		t0, ok := c.Cat.Table(name)
		if !ok {
			return "", errf(CodeUndefinedTable, "relation %q does not exist", name)
		}
		h, err := c.DB.heapOf(t0)
		if err != nil {
			return "", err
		}
		snap := latestSnapshot(c)
		ttypes := t0.Types()
		sc := h.Scan(c.Ctx, &snap)
		for sc.Next() {
			row, err := types.DecodeTuple(sc.Data(), ttypes, nil)
			if err != nil {
				return "", fmt.Errorf("%s: row %s: %w", name, sc.TID(), err)
			}
			for _, ck := range exprs {
				d, err := ck.e.eval(c, row)
				if err != nil {
					return "", err
				}
				if !d.IsNull() && !d.Bool() {
					return "", errf(CodeCheckViolation, "check constraint %q of relation %q is violated by some row", ck.name, name)
				}
			}
			w := &writer{t: t0, refs: refs}
			if err := w.checkParents(c, row, nil); err != nil {
				return "", err
			}
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		nt := t0.Clone()
		nt.Checks = append(nt.Checks, checks...)
		nt.ForeignKeys = append(nt.ForeignKeys, fixSelfRefs(nt, fks)...)
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, nt); err != nil {
			return "", err
		}
		return "ALTER TABLE", nil
	}
	return p, nil
}

// alterDropConstraint is ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name.
func (b *builder) alterDropConstraint(t *catalog.Table, cmd *ast.AlterCmd) (*Plan, error) {
	name, cname, ifExists, cascade := t.Name, cmd.Column, cmd.IfExists, cmd.Cascade
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		t0, ok := c.Cat.Table(name)
		if !ok {
			return "", errf(CodeUndefinedTable, "relation %q does not exist", name)
		}
		nt := t0.Clone()
		found := false
		nt.Checks = nt.Checks[:0]
		for _, ck := range t0.Checks {
			if ck.Name == cname {
				found = true
				continue
			}
			nt.Checks = append(nt.Checks, ck)
		}
		nt.ForeignKeys = nt.ForeignKeys[:0]
		for _, fk := range t0.ForeignKeys {
			if fk.Name == cname {
				found = true
				continue
			}
			nt.ForeignKeys = append(nt.ForeignKeys, fk)
		}
		nt.Indexes = nt.Indexes[:0]
		for i, ix := range t0.Indexes {
			if ix.Name != cname || !(ix.Constraint || ix.Primary) {
				nt.Indexes = append(nt.Indexes, ix)
				continue
			}
			found = true
			// Foreign keys that need this index.
			for _, o := range c.Cat.Tables() {
				for _, fk := range o.ForeignKeys {
					if fk.RefTable != t0.OID {
						continue
					}
					if dix, _ := indexOn(t0, fk.RefColumns); dix == &t0.Indexes[i] {
						if !cascade {
							return "", &types.Error{Code: CodeDependentObjects,
								Message: fmt.Sprintf("cannot drop constraint %s on table %s because other objects depend on it", cname, name),
								Detail:  fmt.Sprintf("constraint %s on table %s depends on index %s", fk.Name, o.Name, cname),
								Hint:    "Use DROP ... CASCADE to drop the dependent objects too."}
						}
						return "", unsupported("ALTER TABLE DROP CONSTRAINT ... CASCADE is not supported")
					}
				}
			}
		}
		if !found {
			if ifExists {
				return "ALTER TABLE", c.notice("00000", "constraint %q of relation %q does not exist, skipping", cname, name)
			}
			return "", errf(CodeUndefinedObject, "constraint %q of relation %q does not exist", cname, name)
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, nt); err != nil {
			return "", err
		}
		return "ALTER TABLE", nil
	}
	return p, nil
}

// fkCompatible reports whether a referencing column of type ct can
// reference one of type pt: the same type, or two types whose values and
// index keys are alike (the integer family; text and varchar).
func fkCompatible(ct, pt types.Type) bool {
	family := func(t types.Type) int {
		switch t.OID {
		case types.OIDInt2, types.OIDInt4, types.OIDInt8:
			return 1
		case types.OIDText, types.OIDVarchar:
			return 2
		}
		return 0
	}
	return ct.OID == pt.OID || (family(ct) != 0 && family(ct) == family(pt))
}

// fitColumn checks that a value copied from a referenced column fits the
// referencing column's type (ON UPDATE CASCADE from int8 into int4, or
// from text into varchar(n)).
func fitColumn(t types.Type, d types.Datum) error {
	if d.IsNull() {
		return nil
	}
	switch t.OID {
	case types.OIDInt2:
		if d.I < -32768 || d.I > 32767 {
			return errf("22003", "smallint out of range")
		}
	case types.OIDInt4:
		if d.I < -2147483648 || d.I > 2147483647 {
			return errf("22003", "integer out of range")
		}
	case types.OIDVarchar:
		if n := t.Typmod - 4; t.Typmod >= 4 && len([]rune(d.S)) > int(n) {
			return errf("22001", "value too long for type character varying(%d)", n)
		}
	}
	return nil
}
