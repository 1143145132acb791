package exec

import (
	"context"
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/pgcatalog"
	"github.com/borealis-db/borealis/sql/types"
)

// This file wires package pgcatalog into the planner: pg_catalog and
// information_schema relations in FROM, the regclass / regtype /
// regnamespace types (casts in and out, comparisons with oid), and the
// page counts behind pg_relation_size & co.

// pg_type OIDs of the object-identifier alias types besides regclass
// (OIDRegclass): values are integer Datums holding the OID, like oid.
const (
	OIDRegtype      types.OID = 2206
	OIDRegnamespace types.OID = 4089
)

// isRegType reports one of the reg* alias types (regclass, regtype,
// regnamespace): an oid whose text form is the object's name.
func isRegType(t types.Type) bool {
	return t.OID == OIDRegclass || t.OID == OIDRegtype || t.OID == OIDRegnamespace
}

// isOIDLike reports oid or a reg* type: integer Datums compared as numbers.
func isOIDLike(t types.Type) bool { return t.OID == types.OIDOid || isRegType(t) }

// pgEnv is the pgcatalog environment of a running statement.
func pgEnv(c *Ctx) *pgcatalog.Env {
	return &pgcatalog.Env{Cat: c.Cat, User: c.User, Database: c.Database, Setting: c.Setting, Sequence: c.sequenceParams,
		Locks: c.DB.lockInfo}
}

// catalogRef plans q as a pg_catalog or information_schema relation when
// it names one: schema-qualified with either schema, or unqualified and
// present in pg_catalog, which is implicitly searched first (as in
// PostgreSQL, pg_class means pg_catalog.pg_class even when a table of that
// name exists in public). ok is false when q is some other relation.
func (b *builder) catalogRef(q ast.QualifiedName, alias string) (n node, ok bool, err error) {
	schema := strings.ToLower(q.Schema)
	switch schema {
	case "pg_catalog", "information_schema":
	case "":
		if _, found := pgcatalog.Lookup("", q.Name); !found {
			return nil, false, nil
		}
	default:
		return nil, false, nil
	}
	t, found := pgcatalog.Lookup(schema, q.Name)
	if !found {
		return nil, true, errf(CodeUndefinedTable, "relation \"%s.%s\" does not exist", schema, q.Name)
	}
	if alias == "" {
		alias = t.Name
	}
	cn := &catalogNode{t: t}
	for _, c := range t.Columns {
		cn.cols = append(cn.cols, column{name: c.Name, typ: c.Type, table: alias, tableOID: t.OID})
	}
	return cn, true, nil
}

// catalogNode reads a pgcatalog virtual relation, generated from the
// statement's catalog snapshot when it runs.
type catalogNode struct {
	t    *pgcatalog.Table
	cols []column
}

func (n *catalogNode) columns() []column { return n.cols }
func (n *catalogNode) explain(e *explainer) {
	e.line("Seq Scan on %s.%s", n.t.Schema, n.t.Name)
}
func (n *catalogNode) run(c *Ctx, emit func([]types.Datum) error) error {
	rows, err := n.t.Rows(pgEnv(c))
	if err != nil {
		return fmt.Errorf("read %s.%s: %w", n.t.Schema, n.t.Name, err)
	}
	for _, r := range rows {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// regTypeName resolves the names of the reg* types (typeName's hook).
func regTypeName(name string) (types.Type, bool) {
	switch name {
	case "regclass":
		return types.Type{OID: OIDRegclass, Typmod: -1}, true
	case "regtype":
		return types.Type{OID: OIDRegtype, Typmod: -1}, true
	case "regnamespace":
		return types.Type{OID: OIDRegnamespace, Typmod: -1}, true
	case "oid":
		return types.Type{OID: types.OIDOid, Typmod: -1}, true
	}
	return types.Type{}, false
}

// regCoerce compiles a cast to or from a reg* type; ok is false when
// neither side is one. Into a reg* type: from an integer or oid the value
// is kept, from text it is the named object's OID. Out of one: to oid or
// an integer the value is kept, to text it is the object's name.
func (cp *compiler) regCoerce(e expr, from, to types.Type) (expr, bool, error) {
	switch {
	case isRegType(to):
		if from.IsInt() || isOIDLike(from) {
			return &retypeExpr{e: e, t: to}, true, nil
		}
		if !from.IsString() {
			return nil, true, errf(types.CodeCannotCoerce, "cannot cast type %s to %s", typeLabel(from), typeLabel(to))
		}
		return &regInExpr{e: e, t: to}, true, nil
	case isRegType(from):
		if to.OID == types.OIDOid || to.IsInt() {
			return &retypeExpr{e: e, t: to}, true, nil
		}
		if to.IsString() {
			return &regOutExpr{e: e, from: from, t: to}, true, nil
		}
		return nil, true, errf(types.CodeCannotCoerce, "cannot cast type %s to %s", typeLabel(from), typeLabel(to))
	}
	return nil, false, nil
}

// typeLabel names a type in messages, including the reg* and oid types
// package types does not know.
func typeLabel(t types.Type) string {
	switch t.OID {
	case types.OIDOid:
		return "oid"
	case OIDRegclass:
		return "regclass"
	case OIDRegtype:
		return "regtype"
	case OIDRegnamespace:
		return "regnamespace"
	}
	return t.String()
}

// retypeExpr gives a value another type with the same representation
// (int ↔ oid ↔ reg*).
type retypeExpr struct {
	e expr
	t types.Type
}

func (e *retypeExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return types.Null, err
	}
	if d.K != types.KindInt {
		return types.Null, errf(types.CodeInvalidTextRep, "invalid input syntax for type %s: %q", typeLabel(e.t), d.S)
	}
	if isOIDLike(e.t) && (d.I < 0 || d.I > 0xffffffff) {
		return types.Null, errf(types.CodeNumericValueOutOfRange, "OID out of range")
	}
	return types.NewInt(d.I), nil
}
func (e *retypeExpr) typ() types.Type { return e.t }

// regInExpr resolves an object name (text) to its OID: 'accounts'::regclass.
type regInExpr struct {
	e expr
	t types.Type
}

func (e *regInExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return types.Null, err
	}
	if d.K == types.KindInt {
		return d, nil
	}
	oid, err := regIn(c, e.t.OID, d.S)
	if err != nil {
		return types.Null, err
	}
	return types.NewInt(int64(oid)), nil
}
func (e *regInExpr) typ() types.Type { return e.t }

// regIn is the input function of reg* type t.
func regIn(c *Ctx, t types.OID, s string) (uint32, error) {
	name := strings.TrimSpace(s)
	if name != "" && strings.Trim(name, "0123456789") == "" {
		var n uint64
		if _, err := fmt.Sscan(name, &n); err == nil && n <= 0xffffffff {
			return uint32(n), nil
		}
		return 0, errf(types.CodeNumericValueOutOfRange, "value \"%s\" is out of range for type oid", name)
	}
	switch t {
	case OIDRegclass:
		return pgcatalog.RegclassIn(pgEnv(c), s)
	case OIDRegtype:
		return regtypeIn(name)
	case OIDRegnamespace:
		n := strings.ToLower(name)
		if len(name) > 1 && name[0] == '"' && name[len(name)-1] == '"' {
			n = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		}
		if oid, ok := namespaceOIDs[n]; ok {
			return oid, nil
		}
		if c.Cat != nil {
			if sc, ok := c.Cat.Schema(n); ok {
				return sc.OID, nil
			}
		}
		return 0, errf(CodeUndefinedSchema, "schema \"%s\" does not exist", n)
	}
	return 0, errf(types.CodeCannotCoerce, "cannot cast to type %d", t)
}

// CodeUndefinedSchema is SQLSTATE 3F000 (invalid_schema_name).
const CodeUndefinedSchema = "3F000"

// namespaceOIDs are the schemas Borealis has, by name.
var namespaceOIDs = map[string]uint32{
	"pg_catalog":         pgcatalog.NamespaceCatalog,
	"public":             pgcatalog.NamespacePublic,
	"pg_toast":           pgcatalog.NamespaceToast,
	"information_schema": pgcatalog.NamespaceInfoSchema,
}

// regtypeIn resolves a type name as written in SQL ('integer',
// 'pg_catalog.int4', 'character varying') to its OID.
func regtypeIn(name string) (uint32, error) {
	st, err := ast.ParseOne("SELECT NULL::" + name)
	if err == nil {
		if sel, ok := st.(*ast.Select); ok && len(sel.Targets) == 1 {
			if cast, ok := sel.Targets[0].Expr.(*ast.Cast); ok {
				if t, err := typeName(cast.Type); err == nil {
					return uint32(t.OID), nil
				}
			}
		}
	}
	return 0, errf(types.CodeUndefinedObject, "type \"%s\" does not exist", name)
}

// regOutExpr is a reg* value's text form: the object's name.
type regOutExpr struct {
	e    expr
	from types.Type
	t    types.Type
}

func (e *regOutExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return types.Null, err
	}
	return types.NewString(regOut(c, e.from.OID, uint32(d.I))), nil
}
func (e *regOutExpr) typ() types.Type { return e.t }

// regOut is the output function of reg* type t.
func regOut(c *Ctx, t types.OID, oid uint32) string {
	switch t {
	case OIDRegclass:
		return pgcatalog.RegclassOut(pgEnv(c), oid)
	case OIDRegtype:
		return pgcatalog.RegtypeOut(oid)
	case OIDRegnamespace:
		for name, o := range namespaceOIDs {
			if o == oid {
				return name
			}
		}
		if c.Cat != nil {
			for _, sc := range c.Cat.Schemas() {
				if sc.OID == oid {
					return funcs.QuoteIdent(sc.Name)
				}
			}
		}
	}
	return fmt.Sprint(oid)
}

// regOutput makes a query's reg* result columns print as names: their
// values become text (the RowDescription keeps the reg* type, as
// PostgreSQL's; only the text format is produced for them).
func regOutput(root node, colTypes []types.Type) node {
	var idx []int
	for i, t := range colTypes {
		if isRegType(t) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return root
	}
	from := make([]types.OID, len(idx))
	for k, i := range idx {
		from[k] = colTypes[i].OID
		colTypes[i] = types.Text
	}
	return &regOutputNode{in: root, idx: idx, from: from}
}

// regOutputNode converts the reg* columns of its input to text.
type regOutputNode struct {
	in   node
	idx  []int
	from []types.OID
}

func (n *regOutputNode) columns() []column    { return n.in.columns() }
func (n *regOutputNode) explain(e *explainer) { n.in.explain(e) }
func (n *regOutputNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, func(r []types.Datum) error {
		r = append([]types.Datum(nil), r...)
		for k, i := range n.idx {
			if i < len(r) && !r[i].IsNull() {
				r[i] = types.NewString(regOut(c, n.from[k], uint32(r[i].I)))
			}
		}
		return emit(r)
	})
}

// pageCount is the pgcatalog.PageCounter of db: the pages of a table's
// heap (its page chain, read through a scan that sees every version) or of
// an index's B-tree (its leaf and inner pages), found by OID in the
// committed catalog. Both walk the relation, so they cost a full read;
// a sequence has its one page; other OIDs (views, catalog relations) have
// 0 pages.
func (db *DB) pageCount(ctx context.Context, oid uint32) (int64, error) {
	for _, t := range db.Cat.Current().Tables() {
		if t.OID == oid {
			switch {
			case t.Sequence:
				return 1, nil // its one page (sql/sequence)
			case t.View != "" || t.Root == 0:
				return 0, nil
			}
			return db.heapPages(ctx, t)
		}
		for i := range t.Indexes {
			if t.Indexes[i].OID == oid {
				st, err := db.treeOf(&t.Indexes[i]).Check(ctx)
				if err != nil {
					return 0, fmt.Errorf("count pages of index %s: %w", t.Indexes[i].Name, err)
				}
				return int64(st.Leaves + st.Inner), nil
			}
		}
	}
	return 0, nil
}

// heapPages counts the pages of t's heap.
func (db *DB) heapPages(ctx context.Context, t *catalog.Table) (int64, error) {
	h, err := db.heapOf(t)
	if err != nil {
		return 0, err
	}
	sc := h.Scan(ctx, nil)
	for sc.Next() {
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("count pages of %s: %w", t.Name, err)
	}
	return int64(sc.Pages()), nil
}

// oidArgs lists argument type vectors for a second function lookup when
// the first finds none: PostgreSQL casts reg* values and integers to oid
// implicitly (pg_table_is_visible('t'::regclass), format_type(23, -1)).
// Every vector maps the reg* types to oid; the first maps every integer
// too, the others one integer position each.
func oidArgs(in []types.Type) [][]types.Type {
	oid := types.Type{OID: types.OIDOid, Typmod: -1}
	base := make([]types.Type, len(in))
	all := make([]types.Type, len(in))
	var ints []int
	changed := false
	for i, t := range in {
		base[i], all[i] = t, t
		switch {
		case isRegType(t):
			base[i], all[i] = oid, oid
			changed = true
		case t.IsInt():
			all[i] = oid
			ints = append(ints, i)
		}
	}
	var out [][]types.Type
	if len(ints) > 0 || changed {
		out = append(out, all)
	}
	if len(ints) > 1 || (len(ints) == 1 && changed) {
		for _, i := range ints {
			v := append([]types.Type(nil), base...)
			v[i] = oid
			out = append(out, v)
		}
	}
	if changed && len(ints) > 0 {
		out = append(out, base)
	}
	return out
}
