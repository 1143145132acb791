package pgcatalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// rel is one pg_class row's source: a user table, one of its indexes, or a
// virtual table of this package.
type rel struct {
	oid   uint32
	name  string
	ns    uint32
	nsnam string // schema name ("" for a built-in namespace: namespaceName)
	kind  byte   // relkind
	table *catalog.Table
	index *catalog.Index // set for an index (table is its table)
	vt    *Table
}

// natts is relnatts.
func (r *rel) natts() int {
	switch {
	case r.index != nil:
		return len(r.index.Columns)
	case r.table != nil:
		return len(r.table.Columns)
	}
	return len(r.vt.Columns)
}

// attr is one pg_attribute row's source.
type attr struct {
	name    string
	typ     types.Type // Borealis type (typmod included)
	pgType  types.OID  // atttypid
	notNull bool
	hasDef  bool
	// identity is attidentity: "a" (ALWAYS), "d" (BY DEFAULT) or "".
	identity string
}

// attrs returns the relation's columns in attnum order.
func (r *rel) attrs() []attr {
	switch {
	case r.index != nil:
		out := make([]attr, len(r.index.Columns))
		for i, c := range r.index.Columns {
			col := r.table.Columns[c]
			out[i] = attr{name: col.Name, typ: col.Type, pgType: col.Type.OID}
		}
		return out
	case r.table != nil:
		out := make([]attr, len(r.table.Columns))
		for i, col := range r.table.Columns {
			out[i] = attr{name: col.Name, typ: col.Type, pgType: col.Type.OID, notNull: col.NotNull, hasDef: hasDefault(col), identity: col.Identity}
		}
		return out
	}
	out := make([]attr, len(r.vt.Columns))
	for i, col := range r.vt.Columns {
		out[i] = attr{name: col.Name, typ: types.Type{OID: col.PGType, Typmod: -1}, pgType: col.PGType}
	}
	return out
}

// hasDefault reports whether a column has a stored default: PostgreSQL
// stores none for DEFAULT NULL, nor for an identity column (its nextval is
// implied by attidentity).
func hasDefault(c catalog.Column) bool {
	if c.Identity != "" {
		return false
	}
	d := strings.TrimSpace(c.Default)
	return d != "" && !strings.EqualFold(d, "null")
}

// relations lists every relation pg_class shows, ordered by OID.
func relations(env *Env) []*rel {
	var out []*rel
	for _, vt := range tableDefs() {
		ns := uint32(NamespaceCatalog)
		if vt.Schema == "information_schema" {
			ns = NamespaceInfoSchema
		}
		out = append(out, &rel{oid: vt.OID, name: vt.Name, ns: ns, kind: vt.Kind, vt: vt})
	}
	if env != nil && env.Cat != nil {
		for _, t := range env.Cat.Tables() {
			out = append(out, tableRel(env, t))
			for i := range t.Indexes {
				out = append(out, indexRel(env, t, &t.Indexes[i]))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].oid < out[j].oid })
	return out
}

// findRel returns the relation with OID oid.
func findRel(env *Env, oid uint32) (*rel, bool) {
	if vt, ok := LookupOID(oid); ok {
		ns := uint32(NamespaceCatalog)
		if vt.Schema == "information_schema" {
			ns = NamespaceInfoSchema
		}
		return &rel{oid: vt.OID, name: vt.Name, ns: ns, kind: vt.Kind, vt: vt}, true
	}
	if env == nil || env.Cat == nil {
		return nil, false
	}
	if t, ok := env.Cat.ByOID(oid); ok {
		return tableRel(env, t), true
	}
	for _, t := range env.Cat.Tables() {
		for i := range t.Indexes {
			if t.Indexes[i].OID == oid {
				return indexRel(env, t, &t.Indexes[i]), true
			}
		}
	}
	return nil, false
}

// isConstraint reports whether an index backs a pg_constraint row: a
// PRIMARY KEY or UNIQUE constraint's index (not CREATE UNIQUE INDEX's).
func isConstraint(ix *catalog.Index) bool { return ix.Primary || ix.Constraint }

// tableKind is the relkind of a catalog relation: 'S' for a sequence, 'v'
// for a view, 'r' for a table.
func tableKind(t *catalog.Table) byte {
	switch {
	case t.Sequence:
		return 'S'
	case t.View != "":
		return 'v'
	}
	return 'r'
}

// constraintOID is the synthesized OID of the constraint an index backs.
func constraintOID(ix *catalog.Index) uint32 { return ConstraintOIDBase + ix.OID }

// attrDefOID is the synthesized OID of a column default.
func attrDefOID(table uint32, attnum int) uint32 {
	return AttrDefOIDBase + (table<<11|uint32(attnum))&0x3fffffff
}

// namespaceName names a namespace OID.
func namespaceName(oid uint32) (string, bool) {
	switch oid {
	case NamespaceCatalog:
		return "pg_catalog", true
	case NamespacePublic:
		return "public", true
	case NamespaceToast:
		return "pg_toast", true
	case NamespaceInfoSchema:
		return "information_schema", true
	}
	return "", false
}

// typeInfo returns the pg_type row of a type OID.
func typeInfo(oid types.OID) (*pgType, bool) {
	for i := range pgTypes {
		if pgTypes[i].oid == oid {
			return &pgTypes[i], true
		}
	}
	return nil, false
}

// superuser is role 10's name.
func (env *Env) superuser() string {
	if env == nil || env.User == "" {
		return "postgres"
	}
	return env.User
}

// database is the database name.
func (env *Env) database() string {
	if env == nil || env.Database == "" {
		return "postgres"
	}
	return env.Database
}

// searchPath returns the schemas of search_path in order, "$user"
// dropped (Borealis has no per-user schemas).
func searchPath(setting func(string) (string, bool)) []string {
	path := `"$user", public`
	if setting != nil {
		if v, ok := setting("search_path"); ok {
			path = v
		}
	}
	var out []string
	for _, part := range strings.Split(path, ",") {
		s := strings.TrimSpace(part)
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		} else {
			s = strings.ToLower(s)
		}
		if s != "" && s != "$user" {
			out = append(out, s)
		}
	}
	return out
}

// visible reports whether unqualified names resolve in namespace ns:
// pg_catalog always (it is searched first unless listed), another schema
// when search_path names it.
func visible(setting func(string) (string, bool), ns uint32) bool {
	if ns == NamespaceCatalog {
		return true
	}
	name, ok := namespaceName(ns)
	if !ok {
		return false
	}
	return visibleName(setting, name)
}

// visibleName reports whether schema name is on the search_path.
func visibleName(setting func(string) (string, bool), name string) bool {
	for _, s := range searchPath(setting) {
		if s == name {
			return true
		}
	}
	return false
}

// quoteIdent quotes an identifier as PostgreSQL's quote_ident does.
func quoteIdent(s string) string { return funcs.QuoteIdent(s) }

// qualifiedName is schema.name as regclass and pg_get_indexdef print it.
func qualifiedName(r *rel) string {
	ns := r.nspname()
	return quoteIdent(ns) + "." + quoteIdent(r.name)
}

// int2vector prints numbers PostgreSQL's int2vector/oidvector way.
func int2vector[T int | int16 | uint32](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatInt(int64(v), 10)
	}
	return strings.Join(parts, " ")
}

// formatType is format_type(oid, typmod); typmodGiven is false when the
// typmod argument is NULL. Unknown OIDs print as "???" as in PostgreSQL.
func formatType(oid types.OID, typmod int32, typmodGiven bool) string {
	ti, ok := typeInfo(oid)
	if !ok {
		return "???"
	}
	if strings.HasPrefix(ti.name, "_") {
		// an array prints as its element type (with the typmod) plus []
		return formatType(ti.elem, typmod, typmodGiven) + "[]"
	}
	if oid == types.OIDBpchar && typmod < 0 {
		// bpchar without a length: "character" means character(1), so
		// PostgreSQL prints "bpchar" when a typmod of -1 is given.
		if typmodGiven {
			return "bpchar"
		}
		return "character"
	}
	if typmod >= 0 && typmodGiven {
		if t := (types.Type{OID: oid, Typmod: typmod}); t.Supported() {
			return t.String()
		}
	}
	return ti.sqlName
}

// textArray builds a text[] value.
func textArray(ss ...string) types.Datum {
	elems := make([]types.Datum, len(ss))
	for i, s := range ss {
		elems[i] = types.NewString(s)
	}
	return types.NewArray(types.MakeArray(elems))
}

// charDatum is a "char" value ("" for PostgreSQL's '\0').
func charDatum(c byte) types.Datum {
	if c == 0 {
		return types.NewString("")
	}
	return types.NewString(string(c))
}

// row builds a row for cols from values by column name; columns not named
// are NULL. A name that is not a column is a programming error reported as
// an error, never a panic.
func row(t *Table, vals map[string]types.Datum) ([]types.Datum, error) {
	out := make([]types.Datum, len(t.Columns))
	for name, v := range vals {
		i := t.Column(name)
		if i < 0 {
			return nil, fmt.Errorf("pgcatalog: %s.%s has no column %q", t.Schema, t.Name, name)
		}
		out[i] = v
	}
	return out, nil
}

// rowsOf builds the rows of t from maps.
func rowsOf(t *Table, maps []map[string]types.Datum) ([][]types.Datum, error) {
	out := make([][]types.Datum, 0, len(maps))
	for _, m := range maps {
		r, err := row(t, m)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// nspname is the name of the relation's schema.
func (r *rel) nspname() string {
	if r.nsnam != "" {
		return r.nsnam
	}
	n, _ := namespaceName(r.ns)
	return n
}

// relVisible reports pg_table_is_visible for r (pg_catalog always, else
// its schema on the search_path).
func relVisible(setting func(string) (string, bool), r *rel) bool {
	if r.ns == NamespaceCatalog {
		return true
	}
	return visibleName(setting, r.nspname())
}

// splitSchema splits a catalog name "schema.name" of a relation in a
// CREATE SCHEMA schema (sql/catalog's form) into its schema's OID and
// name and the relation name; other names are in public.
func splitSchema(env *Env, name string) (uint32, string, string) {
	if k := strings.IndexByte(name, '.'); k > 0 && env != nil && env.Cat != nil {
		if sc, ok := env.Cat.Schema(name[:k]); ok {
			return sc.OID, name[:k], name[k+1:]
		}
	}
	return NamespacePublic, "public", name
}

// tableRel is the rel of a catalog table.
func tableRel(env *Env, t *catalog.Table) *rel {
	ns, nsnam, name := splitSchema(env, t.Name)
	return &rel{oid: t.OID, name: name, ns: ns, nsnam: nsnam, kind: tableKind(t), table: t}
}

// indexRel is the rel of one of t's indexes (in t's schema).
func indexRel(env *Env, t *catalog.Table, ix *catalog.Index) *rel {
	ns, nsnam, _ := splitSchema(env, t.Name)
	name := ix.Name
	if k := strings.IndexByte(name, '.'); k > 0 && name[:k] == nsnam {
		name = name[k+1:]
	}
	return &rel{oid: ix.OID, name: name, ns: ns, nsnam: nsnam, kind: 'i', table: t, index: ix}
}

// schema finds a CREATE SCHEMA schema by name.
func (env *Env) schema(name string) (*catalog.Table, bool) {
	if env == nil || env.Cat == nil {
		return nil, false
	}
	return env.Cat.Schema(name)
}
