package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// Views: CREATE [OR REPLACE] VIEW stores a catalog.Table with View set to
// the query's deparsed SQL and Columns to its output columns (no heap). A
// view named in FROM is parsed and planned again there, as a subquery under
// the view's name (so it follows later changes of the tables it reads).
// INSERT, UPDATE, DELETE, TRUNCATE, COPY, ALTER TABLE and CREATE INDEX on a
// view answer 0A000 (PostgreSQL updates simple views automatically; this
// engine does not).

// CodeInvalidTableDefinition is 42P16.
const (
	CodeInvalidTableDefinition = "42P16"
)

// relation resolves a table or view name.
func (b *builder) relation(q ast.QualifiedName) (*catalog.Table, error) {
	if t, ok := b.pathLookup(q); ok { // schema.go: search_path
		return t, nil
	}
	name, err := catalog.NormalizeName(q.Schema, q.Name)
	if err != nil {
		return nil, errf(CodeUndefinedTable, "relation \"%s.%s\" does not exist", q.Schema, q.Name)
	}
	t, ok := b.cat.Table(name)
	if !ok || (q.Schema == "" && !b.pathHasPublic()) { // schema.go
		return nil, errf(CodeUndefinedTable, "relation %q does not exist", q.Name)
	}
	return t, nil
}

// notAView is the error for a statement that needs a table but names a view.
func notAView(t *catalog.Table) error {
	return unsupported("%q is a view: changing views (INSERT/UPDATE/DELETE, TRUNCATE, COPY, ALTER, indexes) is not supported", t.Name)
}

// viewRef plans a view in FROM under alias ("" the view's name).
func (b *builder) viewRef(t *catalog.Table, alias string) (node, error) {
	st, err := ast.ParseOne(t.View)
	if err != nil {
		return nil, errf(CodeInvalidTableDefinition, "view %q has an unreadable definition: %v", t.Name, err)
	}
	sel, ok := st.(*ast.Select)
	if !ok {
		return nil, errf(CodeInvalidTableDefinition, "view %q has a definition that is not a query", t.Name)
	}
	// The view's query sees none of the referencing query's CTEs.
	sq := b.cp.sq
	saved := sq.ctes
	sq.ctes = nil
	rec := b.cp.rec // the view's own references are not the outer query's
	b.cp.rec = nil
	in, err := b.selectQuery(sel, nil)
	b.cp.rec = rec
	sq.ctes = saved
	if err != nil {
		return nil, err
	}
	cols := append([]column(nil), in.columns()...)
	if len(cols) != len(t.Columns) {
		return nil, errf(CodeInvalidTableDefinition, "view %q no longer matches its tables (%d columns, defined with %d)", t.Name, len(cols), len(t.Columns))
	}
	if alias == "" {
		alias = t.Name
	}
	for i := range cols {
		cols[i] = column{name: t.Columns[i].Name, typ: cols[i].typ, table: alias, tableOID: t.OID, attr: uint16(i + 1)}
	}
	return &renameNode{in: in, cols: cols}, nil
}

// createViewStmt plans CREATE [OR REPLACE] VIEW.
func (b *builder) createViewStmt(s *ast.CreateView) (*Plan, error) {
	name, err := catalog.NormalizeName(s.Name.Schema, s.Name.Name)
	if err != nil {
		return nil, errf("3F000", "schema %q does not exist", s.Name.Schema)
	}
	if s.SQL == "" {
		return nil, unsupported("this view definition is not supported")
	}
	rec := newViewRecorder() // depend.go
	b.cp.rec = rec
	in, err := b.selectQuery(s.Query, nil)
	b.cp.rec = nil
	if err != nil {
		return nil, err
	}
	if len(b.cp.ps.types) > 0 {
		return nil, errf(CodeUndefinedParameter, "there is no parameter $1")
	}
	out := in.columns()
	if len(s.Columns) > len(out) {
		return nil, errf(types.CodeSyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	var cols []catalog.Column
	seen := map[string]bool{}
	for i, c := range out {
		n := c.name
		if i < len(s.Columns) {
			n = s.Columns[i]
		}
		if seen[n] {
			return nil, errf(CodeDuplicateColumn, "column %q specified more than once", n)
		}
		seen[n] = true
		t := c.typ
		if t.OID == types.OIDUnknown {
			t = types.Text
		}
		cols = append(cols, catalog.Column{Name: n, Type: t})
	}
	text := b.expandStars(s.SQL) // depend.go
	rec.joinColumns(s.Query, b.cat)
	depends := rec.depends(b.cat)
	replace := s.OrReplace
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		old, exists := c.Cat.Table(name)
		var t *catalog.Table
		switch {
		case exists && (!replace || old.View == ""):
			if replace {
				return "", errf(CodeWrongObjectType, "%q is not a view", name)
			}
			return "", errf(CodeDuplicateTable, "relation %q already exists", name)
		case exists:
			if err := replaceableColumns(old.Columns, cols); err != nil {
				return "", err
			}
			t = old.Clone()
		default:
			t = &catalog.Table{Name: name}
			var err error
			if t.OID, err = c.DB.Cat.NewOID(); err != nil {
				return "", err
			}
		}
		t.View = text
		t.Depends = depends
		t.Columns = append([]catalog.Column(nil), cols...)
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
			return "", err
		}
		return "CREATE VIEW", nil
	}
	return p, nil
}

// replaceableColumns checks CREATE OR REPLACE VIEW's new columns against
// the old ones: the same names and types first, new ones only at the end.
func replaceableColumns(old, cols []catalog.Column) error {
	if len(cols) < len(old) {
		return errf(CodeInvalidTableDefinition, "cannot drop columns from view")
	}
	for i, o := range old {
		n := cols[i]
		if n.Name != o.Name {
			return errf(CodeInvalidTableDefinition, "cannot change name of view column %q to %q", o.Name, n.Name)
		}
		if n.Type.OID != o.Type.OID || n.Type.Typmod != o.Type.Typmod {
			return errf(CodeInvalidTableDefinition, "cannot change data type of view column %q from %s to %s", o.Name, o.Type, n.Type)
		}
	}
	return nil
}

// dropViewStmt plans DROP VIEW [IF EXISTS].
func (b *builder) dropViewStmt(s *ast.Drop) (*Plan, error) {
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
	missingOK, cascade := s.IfExists, s.Cascade
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		var drop []*catalog.Table
		for _, n := range names {
			t, ok := c.Cat.Table(n)
			switch {
			case !ok && missingOK:
				if err := c.notice("00000", "view %q does not exist, skipping", n); err != nil {
					return "", err
				}
				continue
			case !ok:
				return "", errf(CodeUndefinedTable, "view %q does not exist", n)
			case t.View == "":
				return "", &types.Error{Code: CodeWrongObjectType, Message: "\"" + n + "\" is not a view", Hint: "Use DROP TABLE to remove a table."}
			}
			drop = append(drop, t)
		}
		var origins []catalog.Object
		for _, t := range drop {
			origins = append(origins, catalog.RelObject(t))
		}
		if err := dropObjects(c, origins, cascade); err != nil { // depend.go
			return "", err
		}
		return "DROP VIEW", nil
	}
	return p, nil
}
