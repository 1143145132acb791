package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Notice is an error value a DDL statement reports as a NoticeResponse
// before its result (e.g. "table does not exist, skipping").
type Notice = wire.Error

func (b *builder) createStmt(s *ast.CreateTable) (*Plan, error) {
	if s.Temp {
		return nil, unsupported("temporary tables are not supported")
	}
	name, schema, err := b.createName(s.Name) // schema.go
	if err != nil {
		return nil, err
	}
	def := &catalog.Table{Name: name}
	for _, o := range s.Options {
		switch o.Name {
		case "fillfactor":
			ff, err := strconv.Atoi(o.Value)
			if err != nil || ff < 10 || ff > 100 {
				return nil, errf(CodeInvalidParameterValue, "value %s out of bounds for option \"fillfactor\"", o.Value)
			}
			def.FillFactor = ff
		case "autovacuum_enabled", "toast.autovacuum_enabled":
		default:
			return nil, unsupported("storage parameter %q is not supported", o.Name)
		}
	}
	type keyDef struct {
		cols    []string
		primary bool
		name    string
	}
	var keys []keyDef
	var extra []extraCons // CHECK and FOREIGN KEY (constraintddl.go)
	for _, c := range s.Constraints {
		if c.Type == ast.ConstrCheck || c.Type == ast.ConstrForeignKey {
			extra = append(extra, extraCons{c: c})
			continue
		}
		k, err := keyConstraint(c)
		if err != nil {
			return nil, err
		}
		keys = append(keys, keyDef{k.cols, k.primary, c.Name})
	}
	var owned []ownedSequence // serial and identity columns (sequence.go)
	for _, cd := range s.Columns {
		if def.Column(cd.Name) >= 0 {
			return nil, errf(CodeDuplicateColumn, "column %q specified more than once", cd.Name)
		}
		if err := checkSystemColumnName(cd.Name); err != nil { // syscols.go
			return nil, err
		}
		t, seq, err := columnSequence(cd)
		if err != nil {
			return nil, err
		}
		col := catalog.Column{Name: cd.Name, Type: t, NotNull: cd.NotNull, Identity: cd.Identity}
		if seq != nil {
			owned = append(owned, ownedSequence{col: len(def.Columns), params: *seq})
		}
		if cd.Default != nil {
			// Check that it compiles and fits the column now.
			e, err := b.cp.expr(cd.Default, &scope{noAggs: "DEFAULT expressions"})
			if err != nil {
				return nil, err
			}
			if _, err := b.cp.coerce(e, t, types.CoerceAssignment); err != nil {
				return nil, err
			}
			col.Default = cd.DefaultSQL
		}
		for _, c := range cd.Constraints {
			switch c.Type {
			case ast.ConstrPrimaryKey, ast.ConstrUnique:
				keys = append(keys, keyDef{[]string{cd.Name}, c.Type == ast.ConstrPrimaryKey, c.Name})
			case ast.ConstrCheck, ast.ConstrForeignKey:
				extra = append(extra, extraCons{c: c, col: cd.Name})
			default:
				return nil, unsupported("column constraint %s is not supported", constraintName(c.Type))
			}
		}
		def.Columns = append(def.Columns, col)
	}
	var idx []catalog.Index
	hasPK := false
	for _, k := range keys {
		ix := catalog.Index{Unique: true, Primary: k.primary, Name: k.name, Constraint: true}
		if k.primary {
			if hasPK {
				return nil, errf(CodeInvalidTableDef, "multiple primary keys for table %q are not allowed", name)
			}
			hasPK = true
		}
		for _, cn := range k.cols {
			i := def.Column(cn)
			if i < 0 {
				return nil, errf(CodeUndefinedColumn, "column %q named in key does not exist", cn)
			}
			if k.primary {
				def.Columns[i].NotNull = true
			}
			ix.Columns = append(ix.Columns, i)
		}
		if ix.Name == "" {
			ix.Name = indexName(name, def, ix)
		}
		idx = append(idx, ix)
	}
	def.Indexes = idx
	checks, fks, err := b.planConstraints(def, extra)
	if err != nil {
		return nil, err
	}
	def.Indexes = nil
	ifNotExists := s.IfNotExists
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if err := checkSchema(c.Cat, schema); err != nil { // schema.go
			return "", err
		}
		if _, ok := c.Cat.Table(name); ok {
			if ifNotExists {
				return "CREATE TABLE", c.notice(CodeDuplicateTable, "relation %q already exists, skipping", name)
			}
			return "", errf(CodeDuplicateTable, "relation %q already exists", name)
		}
		t := def.Clone()
		var err error
		if t.OID, err = c.DB.Cat.NewOID(); err != nil {
			return "", err
		}
		if t.Root, err = heap.Create(c.DB.Meta); err != nil {
			return "", fmt.Errorf("create table %s: %w", name, err)
		}
		for i := range idx {
			ix := idx[i]
			ix.Columns = append([]int(nil), ix.Columns...)
			if ix.OID, err = c.DB.Cat.NewOID(); err != nil {
				return "", err
			}
			if ix.Root, err = btree.Create(c.DB.Meta); err != nil {
				return "", fmt.Errorf("create index %s: %w", ix.Name, err)
			}
			t.Indexes = append(t.Indexes, ix)
		}
		t.Checks, t.ForeignKeys = checks, fixSelfRefs(t, fks)
		if _, err := createOwned(c, t, owned); err != nil {
			return "", err
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
			return "", err
		}
		return "CREATE TABLE", nil
	}
	return p, nil
}

func indexName(table string, t *catalog.Table, ix catalog.Index) string {
	if ix.Primary {
		return table + "_pkey"
	}
	parts := []string{table}
	for _, c := range ix.Columns {
		parts = append(parts, t.Columns[c].Name)
	}
	if ix.Unique {
		return strings.Join(parts, "_") + "_key"
	}
	return strings.Join(parts, "_") + "_idx"
}

type keyCons struct {
	cols    []string
	primary bool
}

// constraintName spells a constraint kind as PostgreSQL's parse tree does.
func constraintName(t ast.ConstraintType) string {
	switch t {
	case ast.ConstrPrimaryKey:
		return "PRIMARY"
	case ast.ConstrUnique:
		return "UNIQUE"
	case ast.ConstrCheck:
		return "CHECK"
	case ast.ConstrForeignKey:
		return "FOREIGN"
	}
	return "constraint"
}

func keyConstraint(c *ast.Constraint) (keyCons, error) {
	switch c.Type {
	case ast.ConstrPrimaryKey, ast.ConstrUnique:
	case ast.ConstrForeignKey:
		return keyCons{}, unsupported("FOREIGN KEY constraints are not supported")
	default:
		return keyCons{}, unsupported("table constraint %s is not supported", constraintName(c.Type))
	}
	if len(c.Options) > 0 {
		return keyCons{}, unsupported("index options in constraints are not supported")
	}
	return keyCons{cols: c.Columns, primary: c.Type == ast.ConstrPrimaryKey}, nil
}

func (b *builder) dropStmt(s *ast.Drop) (*Plan, error) {
	if s.Type == ast.DropSequence {
		return b.dropSequenceStmt(s)
	}
	if s.Type == ast.DropSchema {
		return b.dropSchemaStmt(s)
	}
	if s.Type == ast.DropIndex {
		return b.dropIndexStmt(s) // depend.go
	}
	if s.Type != ast.DropTable {
		return nil, unsupported("%s is not supported", ast.CommandTag(s))
	}
	var names []string
	for _, q := range s.Names {
		n, err := catalog.NormalizeName(q.Schema, q.Name)
		if err != nil {
			if s.IfExists {
				continue
			}
			return nil, errf("3F000", "schema %q does not exist", q.Schema)
		}
		names = append(names, n)
	}
	missingOK := s.IfExists
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		var origins []catalog.Object
		for _, n := range names {
			t, ok := c.Cat.Table(n)
			if !ok {
				if missingOK {
					if err := c.notice("00000", "table %q does not exist, skipping", n); err != nil {
						return "", err
					}
					continue
				}
				return "", errf(CodeUndefinedTable, "table %q does not exist", n)
			}
			if t.View != "" || t.Sequence {
				return "", &types.Error{Code: CodeWrongObjectType, Message: fmt.Sprintf("%q is not a table", n), Hint: dropHint(t)}
			}
			origins = append(origins, catalog.RelObject(t))
		}
		if err := dropObjects(c, origins, s.Cascade); err != nil { // depend.go
			return "", err
		}
		return "DROP TABLE", nil
	}
	return p, nil
}

func (b *builder) truncateStmt(s *ast.Truncate) (*Plan, error) {
	var tables []*catalog.Table
	for _, q := range s.Tables {
		t, err := b.table(q)
		if err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	restartIdentity := s.RestartIdentity
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if err := truncateReferenced(c.Cat, tables); err != nil {
			return "", err
		}
		for _, t0 := range tables {
			t := t0.Clone()
			var err error
			if t.Root, err = heap.Create(c.DB.Meta); err != nil {
				return "", fmt.Errorf("truncate %s: %w", t.Name, err)
			}
			for i := range t.Indexes {
				if t.Indexes[i].Root, err = btree.Create(c.DB.Meta); err != nil {
					return "", fmt.Errorf("truncate %s: %w", t.Name, err)
				}
			}
			if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
				return "", err
			}
			if restartIdentity {
				if err := restartOwnedSequences(c, t); err != nil {
					return "", err
				}
			}
		}
		return "TRUNCATE TABLE", nil
	}
	return p, nil
}

func (b *builder) alterTableStmt(s *ast.AlterTable) (*Plan, error) {
	if p, ok, err := b.alterTableDDL(s); ok { // altertable.go
		return p, err
	}
	t, err := b.table(s.Table)
	if err != nil {
		return nil, err
	}
	if len(s.Cmds) != 1 {
		return nil, unsupported("ALTER TABLE with several commands is not supported")
	}
	cmd := s.Cmds[0]
	if cmd.Type == ast.AlterDropConstraint {
		return b.alterDropConstraint(t, cmd)
	}
	if cmd.Type != ast.AlterAddConstraint {
		return nil, unsupported("this form of ALTER TABLE is not supported")
	}
	c := cmd.Constraint
	if c.Type == ast.ConstrCheck || c.Type == ast.ConstrForeignKey {
		return b.alterAddConstraint(t, c)
	}
	k, err := keyConstraint(c)
	if err != nil {
		return nil, err
	}
	ix := catalog.Index{Unique: true, Primary: k.primary, Name: c.Name, Constraint: true}
	for _, cn := range k.cols {
		i := t.Column(cn)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q named in key does not exist", cn)
		}
		ix.Columns = append(ix.Columns, i)
	}
	if ix.Name == "" {
		ix.Name = indexName(t.Name, t, ix)
	}
	return b.buildIndexPlan(t.Name, ix, "ALTER TABLE", false)
}

func (b *builder) indexStmt(s *ast.CreateIndex) (*Plan, error) {
	switch {
	case s.Where != nil:
		return nil, unsupported("partial indexes are not supported")
	case len(s.Include) > 0:
		return nil, unsupported("INCLUDE is not supported")
	case s.Method != "" && s.Method != "btree":
		return nil, unsupported("access method %q is not supported", s.Method)
	case len(s.Options) > 0:
		return nil, unsupported("index storage parameters are not supported")
	}
	t, err := b.table(s.Table)
	if err != nil {
		return nil, err
	}
	ix := catalog.Index{Unique: s.Unique, Name: s.Name}
	for _, e := range s.Columns {
		if e.Expr != nil {
			return nil, unsupported("expression indexes are not supported")
		}
		if e.Desc {
			return nil, unsupported("descending index columns are not supported")
		}
		i := t.Column(e.Column)
		if i < 0 {
			return nil, errf(CodeUndefinedColumn, "column %q does not exist", e.Column)
		}
		ix.Columns = append(ix.Columns, i)
	}
	if ix.Name == "" {
		ix.Name = indexName(t.Name, t, ix)
	}
	return b.buildIndexPlan(t.Name, ix, "CREATE INDEX", s.IfNotExists)
}

// buildIndexPlan adds index ix to table name and fills it from the heap.
func (b *builder) buildIndexPlan(name string, ix catalog.Index, tag string, ifNotExists bool) (*Plan, error) {
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		t0, ok := c.Cat.Table(name)
		if !ok {
			return "", errf(CodeUndefinedTable, "relation %q does not exist", name)
		}
		for _, other := range t0.Indexes {
			if ix.Primary && other.Primary {
				return "", errf(CodeInvalidTableDef, "multiple primary keys for table %q are not allowed", name)
			}
		}
		for _, other := range t0.Indexes {
			if other.Name == ix.Name {
				if ifNotExists {
					return tag, c.notice(CodeDuplicateTable, "relation %q already exists, skipping", ix.Name)
				}
				return "", errf(CodeDuplicateTable, "relation %q already exists", ix.Name)
			}
		}
		t := t0.Clone()
		nix := ix
		nix.Columns = append([]int(nil), ix.Columns...)
		var err error
		if nix.OID, err = c.DB.Cat.NewOID(); err != nil {
			return "", err
		}
		if nix.Root, err = btree.Create(c.DB.Meta); err != nil {
			return "", fmt.Errorf("create index %s: %w", ix.Name, err)
		}
		w := &writer{t: t, types: t.Types()}
		h, err := c.DB.heapOf(t)
		if err != nil {
			return "", err
		}
		// Every version that is or may become live gets an entry.
		if err := w.fillIndex(c, h, &nix); err != nil {
			return "", err
		}
		if nix.Primary {
			for _, col := range nix.Columns {
				t.Columns[col].NotNull = true
			}
		}
		t.Indexes = append(t.Indexes, nix)
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
			return "", err
		}
		return tag, nil
	}
	return p, nil
}

// deadToAll reports a version no transaction will ever see again: its
// creator aborted or its deleter committed.
func deadToAll(mgr *txn.Manager, tx *txn.Tx, hd heap.Header) (bool, error) {
	if !tx.Owns(hd.Xmin) {
		st, _, err := mgr.CommitLSN(hd.Xmin)
		if err != nil || st == txn.Aborted {
			return st == txn.Aborted, err
		}
	}
	if hd.Xmax == txn.InvalidXid || hd.LockOnly() {
		return false, nil
	}
	if tx.Owns(hd.Xmax) {
		return true, nil
	}
	st, _, err := mgr.CommitLSN(hd.Xmax)
	return st == txn.Committed, err
}

func (b *builder) vacuumStmt(s *ast.Vacuum) (*Plan, error) {
	vacuum := !s.IsAnalyze
	var tables []*catalog.Table
	for _, r := range s.Tables {
		t, err := b.table(r.Table)
		if err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	tag := "ANALYZE"
	if vacuum {
		tag = "VACUUM"
	}
	p := &Plan{Kind: KindQuery, NoTxBlock: vacuum}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if !vacuum {
			return tag, nil
		}
		list := tables
		if len(list) == 0 {
			list = c.Cat.Tables()
		}
		for _, t := range list {
			if t.View != "" {
				continue
			}
			if err := vacuumTable(c, t); err != nil {
				return "", err
			}
		}
		return tag, nil
	}
	return p, nil
}

// vacuumTable prunes dead versions of t and removes their index entries.
func vacuumTable(c *Ctx, t *catalog.Table) error {
	h, err := c.DB.heapOf(t)
	if err != nil {
		return err
	}
	_, err = h.Vacuum(c.Ctx, func(tids []heap.TID) error {
		dead := make(map[heap.TID]bool, len(tids))
		for _, tid := range tids {
			dead[tid] = true
		}
		for i := range t.Indexes {
			if _, err := c.DB.treeOf(&t.Indexes[i]).DeleteTIDs(c.Ctx, func(tid heap.TID) bool { return dead[tid] }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("vacuum %s: %w", t.Name, err)
	}
	return nil
}
