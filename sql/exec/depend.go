package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/ast"
	"sort"
	"strings"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Dependency-aware DROP (catalog.Set.Dependencies gives the edges). As
// PostgreSQL's findDependentObjects: starting from the objects named by
// the statement, the dependents of each object are visited depth first,
// newest first (OID descending), and every object is listed after its
// dependents; the list read backwards is the report order. Dependents
// reached through a normal ('n') dependency need CASCADE (RESTRICT: 2BP01
// with one "X depends on Y" DETAIL line each) and are reported in the
// NOTICE; auto and internal ones go silently. Then every listed object is
// dropped, dependents first, in the statement's transaction.

// dropTarget is an object to drop and why: via is the object whose
// dependent it is (nil for an object the statement names), typ the
// dependency type.
type dropTarget struct {
	obj catalog.Object
	via *catalog.Object
	typ byte
}

// dropper collects the objects one DROP removes.
type dropper struct {
	c       *Ctx
	deps    []catalog.Dependency
	origin  map[catalog.Object]bool
	visited map[catalog.Object]bool
	targets []dropTarget
	// skip leaves dependencies out (ALTER TABLE DROP COLUMN handles the
	// table's own parts and foreign keys itself).
	skip func(catalog.Dependency) bool
}

func newDropper(c *Ctx, origins []catalog.Object) *dropper {
	d := &dropper{c: c, deps: c.Cat.Dependencies(), origin: map[catalog.Object]bool{}, visited: map[catalog.Object]bool{}}
	for _, o := range origins {
		d.origin[o] = true
	}
	return d
}

// order is the sort key of a dependent: PostgreSQL visits dependents by
// OID, newest first; a constraint or default counts as its table.
func order(o catalog.Object) uint32 {
	switch o.Kind {
	case catalog.ObjRelation, catalog.ObjIndex, catalog.ObjKey, catalog.ObjSchema:
		return o.OID
	}
	return o.Table
}

// visit adds obj (reached through via with type typ) and its dependents.
func (d *dropper) visit(obj catalog.Object, via *catalog.Object, typ byte) {
	if d.visited[obj] || d.visited[obj.Whole()] {
		return
	}
	d.visited[obj] = true
	var deps []catalog.Dependency
	for _, dep := range d.deps {
		if !obj.Covers(dep.Ref) || d.visited[dep.Obj] || (d.origin[dep.Obj] && dep.Obj != obj) {
			continue
		}
		if d.skip != nil && d.skip(dep) {
			continue
		}
		if dep.Obj.Kind != catalog.ObjRelation && d.dropsWhole(obj, dep.Obj.Table) {
			dep.Type = 'a' // a part of a relation that goes (a default on its own owned sequence, a foreign key on itself)
		}
		deps = append(deps, dep)
	}
	sort.SliceStable(deps, func(i, j int) bool { return order(deps[i].Obj) > order(deps[j].Obj) })
	self := obj
	for _, dep := range deps {
		d.visit(dep.Obj, &self, dep.Type)
	}
	d.targets = append(d.targets, dropTarget{obj: obj, via: via, typ: typ})
}

// internalOf refuses to drop o on its own when it is an internal part of
// another object that does not go with it (an identity column's sequence,
// a constraint's index): PostgreSQL's "cannot drop X because Y requires
// it".
func (d *dropper) internalOf(o catalog.Object) error {
	for _, dep := range d.deps {
		if dep.Type != 'i' || dep.Obj != o {
			continue
		}
		owner := dep.Ref
		if d.origin[owner] || d.origin[owner.Whole()] {
			continue
		}
		return &types.Error{Code: CodeDependentObjects,
			Message: fmt.Sprintf("cannot drop %s because %s requires it", d.describe(o), d.describe(owner)),
			Hint:    fmt.Sprintf("You can drop %s instead.", d.describe(owner))}
	}
	return nil
}

// dropsWhole reports whether relation oid goes as a whole: it is obj or
// an object the statement names, or was visited as a whole.
func (d *dropper) dropsWhole(obj catalog.Object, oid uint32) bool {
	rel := catalog.Object{Kind: catalog.ObjRelation, OID: oid, Table: oid}
	return obj == rel || d.origin[rel] || d.visited[rel]
}

// collect visits every origin and checks RESTRICT; with cascade it sends
// the NOTICE listing what else goes.
func (d *dropper) collect(origins []catalog.Object, cascade bool) error {
	for _, o := range origins {
		if err := d.internalOf(o); err != nil {
			return err
		}
	}
	for _, o := range origins {
		d.visit(o, nil, 0)
	}
	var lines []string
	var reported []dropTarget
	for i := len(d.targets) - 1; i >= 0; i-- {
		t := d.targets[i]
		if t.via == nil || t.typ != 'n' {
			continue
		}
		reported = append(reported, t)
	}
	if len(reported) == 0 {
		return nil
	}
	if !cascade {
		for _, t := range reported {
			lines = append(lines, d.describe(t.obj)+" depends on "+d.describe(*t.via))
		}
		msg := fmt.Sprintf("cannot drop %s because other objects depend on it", d.describe(origins[0]))
		if len(origins) > 1 {
			msg = "cannot drop desired object(s) because other objects depend on them"
		}
		return &types.Error{Code: CodeDependentObjects, Message: msg,
			Detail: strings.Join(lines, "\n"),
			Hint:   "Use DROP ... CASCADE to drop the dependent objects too."}
	}
	for _, t := range reported {
		lines = append(lines, "drop cascades to "+d.describe(t.obj))
	}
	if d.c.Notice == nil {
		return nil
	}
	n := &wire.Error{Severity: wire.SeverityNotice, Code: "00000"}
	if len(lines) == 1 {
		n.Message = lines[0]
	} else {
		n.Message = fmt.Sprintf("drop cascades to %d other objects", len(lines))
		n.Detail = strings.Join(lines, "\n")
	}
	return d.c.Notice(n)
}

// describe is PostgreSQL's getObjectDescription for obj.
func (d *dropper) describe(o catalog.Object) string {
	cat := d.c.Cat
	rel, _ := cat.ByOID(o.Table)
	relName := fmt.Sprint(o.Table)
	if rel != nil {
		relName = rel.Name
	}
	colName := func(pos int) string {
		if rel != nil && pos >= 1 && pos <= len(rel.Columns) {
			return rel.Columns[pos-1].Name
		}
		return fmt.Sprint(pos)
	}
	switch o.Kind {
	case catalog.ObjRelation:
		if rel == nil {
			return "relation " + relName
		}
		if o.Sub > 0 {
			return fmt.Sprintf("column %s of %s %s", colName(o.Sub), relKind(rel), relName)
		}
		return relKind(rel) + " " + relName
	case catalog.ObjIndex:
		return "index " + indexQualified(relName, o.Name)
	case catalog.ObjKey, catalog.ObjCheck, catalog.ObjForeignKey:
		return fmt.Sprintf("constraint %s on table %s", o.Name, relName)
	case catalog.ObjDefault:
		return fmt.Sprintf("default value for column %s of table %s", colName(o.Sub), relName)
	case catalog.ObjSchema:
		return "schema " + o.Name
	}
	return "object"
}

// indexQualified is an index's name as DROP reports it: qualified like
// its table.
func indexQualified(table, index string) string {
	if sc, _ := catalog.SchemaOf(table); sc != "public" {
		return sc + "." + index
	}
	return index
}

// drop removes every collected object, dependents first. Parts of a
// relation that goes too (its indexes, constraints, defaults) go with its
// catalog row; columns are the caller's (ALTER TABLE DROP COLUMN).
func (d *dropper) drop() error {
	c := d.c
	gone := map[uint32]bool{}
	for _, t := range d.targets {
		if t.obj.Kind == catalog.ObjRelation && t.obj.Sub == 0 {
			gone[t.obj.OID] = true
		}
	}
	work := map[uint32]*catalog.Table{}
	current := func(oid uint32) (*catalog.Table, bool) {
		if t, ok := work[oid]; ok {
			return t, true
		}
		t, ok := c.Cat.ByOID(oid)
		if !ok {
			return nil, false
		}
		t = t.Clone()
		work[oid] = t
		return t, true
	}
	for _, tg := range d.targets {
		o := tg.obj
		switch o.Kind {
		case catalog.ObjRelation:
			if o.Sub != 0 {
				continue
			}
			t, ok := current(o.OID)
			if !ok {
				continue
			}
			if err := c.DB.Cat.Drop(c.Ctx, c.Tx, t); err != nil {
				return err
			}
			continue
		case catalog.ObjSchema:
			if sc, ok := c.Cat.Schema(o.Name); ok {
				if err := c.DB.Cat.Drop(c.Ctx, c.Tx, sc); err != nil {
					return err
				}
			}
			continue
		}
		if gone[o.Table] {
			continue
		}
		t, ok := current(o.Table)
		if !ok {
			continue
		}
		switch o.Kind {
		case catalog.ObjIndex, catalog.ObjKey:
			var keep []catalog.Index
			for _, ix := range t.Indexes {
				if ix.OID != o.OID {
					keep = append(keep, ix)
				}
			}
			t.Indexes = keep
		case catalog.ObjCheck:
			var keep []catalog.Check
			for _, ck := range t.Checks {
				if ck.Name != o.Name {
					keep = append(keep, ck)
				}
			}
			t.Checks = keep
		case catalog.ObjForeignKey:
			var keep []catalog.ForeignKey
			for _, fk := range t.ForeignKeys {
				if fk.Name != o.Name {
					keep = append(keep, fk)
				}
			}
			t.ForeignKeys = keep
		case catalog.ObjDefault:
			if o.Sub >= 1 && o.Sub <= len(t.Columns) {
				t.Columns[o.Sub-1].Default = ""
				t.Columns[o.Sub-1].Identity = ""
			}
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
			return err
		}
	}
	return nil
}

// dropObjects drops origins and what depends on them (RESTRICT: 2BP01
// when anything does through a normal dependency).
func dropObjects(c *Ctx, origins []catalog.Object, cascade bool) error {
	if len(origins) == 0 {
		return nil
	}
	d := newDropper(c, origins)
	if err := d.collect(origins, cascade); err != nil {
		return err
	}
	return d.drop()
}

// findIndex finds the index named name (a catalog name, "schema.index"
// outside public) and its table.
func findIndex(cat *catalog.Set, name string) (*catalog.Table, catalog.Index, bool) {
	sc, bare := catalog.SchemaOf(name)
	for _, t := range cat.Tables() {
		if ts, _ := catalog.SchemaOf(t.Name); ts != sc {
			continue
		}
		for _, ix := range t.Indexes {
			if ix.Name == bare || ix.Name == name {
				return t, ix, true
			}
		}
	}
	return nil, catalog.Index{}, false
}

// dropIndexStmt plans DROP INDEX [IF EXISTS] ... [CASCADE]. An index that
// implements a UNIQUE or PRIMARY KEY constraint is dropped with
// ALTER TABLE DROP CONSTRAINT (2BP01 here, as in PostgreSQL).
func (b *builder) dropIndexStmt(s *ast.Drop) (*Plan, error) {
	var names []string
	for _, q := range s.Names {
		n, err := catalog.NormalizeName(q.Schema, q.Name)
		if err != nil {
			if s.IfExists {
				continue
			}
			return nil, errf(CodeUndefinedSchema, "schema %q does not exist", q.Schema)
		}
		names = append(names, n)
	}
	missingOK, cascade := s.IfExists, s.Cascade
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		var origins []catalog.Object
		for _, n := range names {
			t, ix, ok := findIndex(c.Cat, n)
			if !ok {
				if r, isRel := c.Cat.Table(n); isRel {
					return "", &types.Error{Code: CodeWrongObjectType, Message: fmt.Sprintf("%q is not an index", n), Hint: dropHint(r)}
				}
				if missingOK {
					if err := c.notice("00000", "index %q does not exist, skipping", n); err != nil {
						return "", err
					}
					continue
				}
				return "", errf(types.CodeUndefinedObject, "index %q does not exist", n)
			}
			if ix.Constraint {
				name := indexQualified(t.Name, ix.Name)
				return "", &types.Error{Code: CodeDependentObjects,
					Message: fmt.Sprintf("cannot drop index %s because constraint %s on table %s requires it", name, ix.Name, t.Name),
					Hint:    fmt.Sprintf("You can drop constraint %s on table %s instead.", ix.Name, t.Name)}
			}
			origins = append(origins, catalog.Object{Kind: catalog.ObjIndex, OID: ix.OID, Table: t.OID, Name: ix.Name})
		}
		if err := dropObjects(c, origins, cascade); err != nil {
			return "", err
		}
		return "DROP INDEX", nil
	}
	return p, nil
}

// viewRecorder collects, while CREATE VIEW (or a rename) plans a view's
// query, what its names resolve to: the relations in FROM and the columns
// of relations (tables and views) that column references and stars reach.
// Its methods do nothing on a nil recorder (ordinary planning).
type viewRecorder struct {
	refs  map[int]recordedRef // ColumnRef.Loc → what it resolved to
	rels  map[int]uint32      // TableRef.Loc → relation OID
	stars map[int][][]string  // star ColumnRef.Loc → [qualifier,] column of each expanded column
	used  map[uint32]map[uint16]bool
	// names maps the names FROM items are referred to by (alias, else
	// the relation's name) to their relations.
	names map[string]uint32
}

// recordedRef is a column reference resolved to column attr of relation
// rel, written with qualifier qual ("" none).
type recordedRef struct {
	rel  uint32
	attr uint16
	qual string
	name string
	// direct: the column is the relation's own (through its FROM item),
	// not an output column of a subquery or CTE that selects it.
	direct bool
}

func newViewRecorder() *viewRecorder {
	return &viewRecorder{refs: map[int]recordedRef{}, rels: map[int]uint32{},
		stars: map[int][][]string{}, used: map[uint32]map[uint16]bool{}, names: map[string]uint32{}}
}

func (r *viewRecorder) use(rel uint32, attr uint16) {
	if r.used[rel] == nil {
		r.used[rel] = map[uint16]bool{}
	}
	r.used[rel][attr] = true
}

// column records ref resolving to c.
func (r *viewRecorder) column(ref *ast.ColumnRef, c column) {
	if r == nil {
		return
	}
	direct := c.tableOID != 0 && r.names[c.table] == c.tableOID // not a subquery's or CTE's column carrying its origin
	r.refs[ref.Loc] = recordedRef{rel: c.tableOID, attr: c.attr, qual: ref.Table, name: ref.Column, direct: direct}
	if c.tableOID != 0 && c.attr != 0 {
		r.use(c.tableOID, c.attr)
	}
}

// star records "*" or "t.*" expanding to cols[idx...].
func (r *viewRecorder) star(ref *ast.ColumnRef, cols []column, idx []int) {
	if r == nil {
		return
	}
	var out [][]string
	for _, i := range idx {
		c := cols[i]
		if c.tableOID != 0 && c.attr != 0 {
			r.use(c.tableOID, c.attr)
		}
		if c.table != "" {
			out = append(out, []string{c.table, c.name})
		} else {
			out = append(out, []string{c.name})
		}
	}
	r.stars[ref.Loc] = out
}

// table records a FROM item naming relation t.
func (r *viewRecorder) table(ref *ast.TableRef, t *catalog.Table) {
	if r == nil {
		return
	}
	r.rels[ref.Loc] = t.OID
	if ref.Alias != nil {
		r.names[ref.Alias.Name] = t.OID
	} else {
		r.names[ref.Name.Name] = t.OID
	}
	if r.used[t.OID] == nil {
		r.used[t.OID] = map[uint16]bool{}
	}
}

// joinColumns records the columns JOIN ... USING names, which the
// planner matches without resolving references: of every relation under
// the join that has them.
func (r *viewRecorder) joinColumns(sel *ast.Select, cat *catalog.Set) {
	if r == nil {
		return
	}
	ast.Walk(sel, func(n ast.Node) bool {
		j, ok := n.(*ast.Join)
		if !ok || len(j.Using) == 0 {
			return true
		}
		ast.Walk(j, func(m ast.Node) bool {
			tr, ok := m.(*ast.TableRef)
			if !ok {
				return true
			}
			t, ok := cat.ByOID(r.rels[tr.Loc])
			if !ok {
				return true
			}
			for _, u := range j.Using {
				if pos := t.Column(u); pos >= 0 {
					r.use(t.OID, uint16(pos+1))
				}
			}
			return true
		})
		return true
	})
}

// depends is the view's dependency record: each relation of cat it reads
// (sorted by OID), then the columns it uses.
func (r *viewRecorder) depends(cat *catalog.Set) []catalog.ViewDep {
	oids := make([]uint32, 0, len(r.used))
	for o := range r.used {
		if _, ok := cat.ByOID(o); ok {
			oids = append(oids, o)
		}
	}
	sort.Slice(oids, func(i, j int) bool { return oids[i] < oids[j] })
	var out []catalog.ViewDep
	for _, o := range oids {
		t, _ := cat.ByOID(o)
		out = append(out, catalog.ViewDep{Rel: o})
		attrs := make([]int, 0, len(r.used[o]))
		for a := range r.used[o] {
			attrs = append(attrs, int(a))
		}
		sort.Ints(attrs)
		for _, a := range attrs {
			if a >= 1 && a <= len(t.Columns) {
				out = append(out, catalog.ViewDep{Rel: o, Column: t.Columns[a-1].Name})
			}
		}
	}
	return out
}

// expandStars replaces the select-list stars of a view's query text by
// the columns they stand for, as PostgreSQL fixes a view's columns when it
// is created (a column added to the table later is not the view's). The
// text is planned again (positions are the text's own); on any failure it
// is returned as it is.
func (b *builder) expandStars(sql string) string {
	_, rec, err := recordView(b, sql)
	if err != nil || len(rec.stars) == 0 {
		return sql
	}
	out, err := ast.RenameQuery(sql, ast.Renames{Stars: rec.stars})
	if err != nil {
		return sql
	}
	return out
}

// recordView plans a view's query text with a recorder, with b's catalog,
// functions and search_path.
func recordView(b *builder, sql string) (*ast.Select, *viewRecorder, error) {
	st, err := ast.ParseOne(sql)
	if err != nil {
		return nil, nil, err
	}
	sel, ok := st.(*ast.Select)
	if !ok {
		return nil, nil, errf(CodeInvalidTableDefinition, "the view's definition is not a query")
	}
	nb := &builder{cp: &compiler{ps: &params{}, cat: b.cat, funcs: b.cp.funcs}, cat: b.cat, path: b.path}
	nb.cp.sq = &subqState{b: nb}
	rec := newViewRecorder()
	nb.cp.rec = rec
	if _, err := nb.selectQuery(sel, nil); err != nil {
		return nil, nil, err
	}
	return sel, rec, nil
}

// sessionPath is the session's search_path as the planner takes it.
func sessionPath(c *Ctx) []string {
	if c.Setting != nil {
		if v, ok := c.Setting("search_path"); ok {
			return parseSearchPath(v)
		}
	}
	return nil
}

// renameInViews makes the views that read relation t follow a rename, in
// the renaming transaction: of t's column col to newCol, or (col "") of t
// itself to newName. Each such view's query is planned again with a
// recorder against the catalog before the rename, and the references that
// resolve to the renamed column or relation are rewritten in its text
// (PostgreSQL binds views by OID and attribute number, so they follow;
// pg_get_viewdef then prints the new names).
func renameInViews(c *Ctx, t *catalog.Table, col, newCol, newName string) error {
	pos := -1
	if col != "" {
		if pos = t.Column(col); pos < 0 {
			return nil
		}
	}
	_, oldBare := catalog.SchemaOf(t.Name)
	_, newBare := catalog.SchemaOf(newName)
	for _, v := range c.Cat.Tables() {
		if v.View == "" || !viewDependsOn(v, t.OID, "") {
			continue
		}
		b := &builder{cp: &compiler{cat: c.Cat, funcs: c.DB.Funcs}, cat: c.Cat, path: sessionPath(c)}
		sel, rec, err := recordView(b, v.View)
		if err != nil {
			return fmt.Errorf("view %s: %w", v.Name, err)
		}
		if col != "" {
			if err := joinNamesColumn(sel, v.Name, col); err != nil {
				return err
			}
		}
		r := ast.Renames{Columns: map[int]string{}, Qualifiers: map[int]string{}, Relations: map[int]string{}}
		type spelling struct{ qual, name string }
		renamed := map[spelling]bool{}
		for loc, ref := range rec.refs {
			if ref.rel != t.OID || !ref.direct {
				continue
			}
			switch {
			case col != "" && int(ref.attr) == pos+1:
				r.Columns[loc] = newCol
				renamed[spelling{ref.qual, ref.name}] = true
			case col == "" && ref.qual == oldBare && rec.names[oldBare] == t.OID && !aliased(sel, oldBare):
				r.Qualifiers[loc] = newBare
				renamed[spelling{ref.qual, ref.name}] = true
			}
		}
		// References the planner matched without resolving them (a
		// select-list item equal to a GROUP BY key) follow the same
		// spelling.
		ast.Walk(sel, func(n ast.Node) bool {
			ref, ok := n.(*ast.ColumnRef)
			if !ok || ref.Star {
				return true
			}
			if _, seen := rec.refs[ref.Loc]; seen {
				return true
			}
			switch {
			case ref.Table == "" && renamed[spelling{"", ref.Column}]:
			case ref.Table != "" && rec.names[ref.Table] == t.OID && (col == "" || ref.Column == col) &&
				(col != "" || (ref.Table == oldBare && !aliased(sel, oldBare))):
			default:
				return true
			}
			if col != "" {
				r.Columns[ref.Loc] = newCol
			} else {
				r.Qualifiers[ref.Loc] = newBare
			}
			return true
		})
		if col == "" {
			for loc, oid := range rec.rels {
				if oid == t.OID {
					r.Relations[loc] = newBare
				}
			}
		}
		text, err := ast.RenameQuery(v.View, r)
		if err != nil {
			return fmt.Errorf("view %s: %w", v.Name, err)
		}
		nv := v.Clone()
		nv.View = text
		for i := range nv.Depends {
			if col != "" && nv.Depends[i].Rel == t.OID && nv.Depends[i].Column == col {
				nv.Depends[i].Column = newCol
			}
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, nv); err != nil {
			return err
		}
	}
	return nil
}

// viewDependsOn reports whether view v reads relation rel (col "") or its
// column col.
func viewDependsOn(v *catalog.Table, rel uint32, col string) bool {
	for _, d := range v.Depends {
		if d.Rel == rel && (col == "" || d.Column == col) {
			return true
		}
	}
	return false
}

// dropColumnDependents handles what depends on column pos of t0 under
// ALTER TABLE DROP COLUMN other than t0's own indexes, constraints and
// owned sequences and other tables' foreign keys, which dropColumn
// handles itself: views reading the column (2BP01, or dropped with
// CASCADE) and defaults using sequences that go.
func dropColumnDependents(c *Ctx, t0 *catalog.Table, pos int, cascade bool) error {
	origin := []catalog.Object{catalog.ColumnObject(t0, pos)}
	d := newDropper(c, origin)
	d.skip = func(dep catalog.Dependency) bool {
		if dep.Obj.Table == t0.OID || dep.Obj.Kind == catalog.ObjForeignKey {
			return true
		}
		if dep.Obj.Kind == catalog.ObjRelation {
			if s, ok := c.Cat.ByOID(dep.Obj.OID); ok && s.Sequence && s.OwnedBy == t0.OID {
				return true
			}
		}
		return false
	}
	if err := d.collect(origin, cascade); err != nil {
		return err
	}
	return d.drop()
}

// aliased reports whether a FROM item of the query is given alias name.
func aliased(sel *ast.Select, name string) bool {
	found := false
	ast.Walk(sel, func(n ast.Node) bool {
		if tr, ok := n.(*ast.TableRef); ok && tr.Alias != nil && tr.Alias.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// cascadeRelations returns the OIDs of the relations a DROP ... CASCADE of
// origins would drop besides them (views over them, tables of a schema,
// owned sequences), dependents first: what the statement must lock
// AccessExclusive too.
func cascadeRelations(cat *catalog.Set, origins []catalog.Object) []uint32 {
	d := newDropper(&Ctx{Cat: cat}, origins)
	for _, o := range origins {
		d.visit(o, nil, 0)
	}
	var out []uint32
	for _, t := range d.targets {
		if t.via != nil && t.obj.Kind == catalog.ObjRelation && t.obj.Sub == 0 {
			out = append(out, t.obj.OID)
		}
	}
	return out
}

// joinNamesColumn refuses (0A000) a column rename under a view whose joins
// match columns by name (USING naming it, NATURAL): the text cannot
// follow it.
func joinNamesColumn(sel *ast.Select, view, col string) error {
	var err error
	ast.Walk(sel, func(n ast.Node) bool {
		j, ok := n.(*ast.Join)
		if !ok || err != nil {
			return err == nil
		}
		named := j.Natural
		for _, u := range j.Using {
			named = named || u == col
		}
		if named {
			err = unsupported("renaming column %q is not supported: view %q joins by column names (USING or NATURAL)", col, view)
		}
		return err == nil
	})
	return err
}
