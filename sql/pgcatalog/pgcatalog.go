// Package pgcatalog presents Borealis's catalog (sql/catalog) the way
// PostgreSQL 15 presents its own: the pg_catalog relations and the
// information_schema views that psql, drivers and tools query, as read-only
// virtual tables generated from a catalog.Set, and the catalog functions
// those queries call (format_type, pg_get_indexdef, pg_table_is_visible, …),
// registered into a funcs.Registry.
//
// It is pure data and functions: the planner looks relations up with Lookup,
// asks a Table for its rows with an Env, and resolves the functions through
// the registry. Built-in objects carry PostgreSQL's real OIDs (pg_catalog is
// namespace 11, public 2200, int4 is type 23, pg_class is relation 1259, the
// bootstrap superuser is role 10, heap is access method 2, btree 403); user
// tables and indexes carry the OIDs sql/catalog gave them.
//
// Column types: Borealis has no oid, name, "char", regproc, int2vector,
// oidvector, aclitem, xid or pg_node_tree types, so columns of those types
// are declared with the nearest Borealis type and Column.PGType keeps the
// type PostgreSQL declares: oid and regproc columns have type OID 26 with
// integer Datums (as sql/exec's oid values), name and "char" are text,
// int2vector and oidvector are text in PostgreSQL's output form ("1 2"),
// aclitem[] and "char"[] are text[], oid[] is int8[], xid is int8, real is
// float8, pg_node_tree is text holding the deparsed expression (so
// pg_get_expr returns it unchanged), and information_schema's domains are
// their base types (sql_identifier text, cardinal_number int4,
// character_data and yes_or_no text).
package pgcatalog

import (
	"sort"
	"strings"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// Namespace OIDs (PostgreSQL 15's values).
const (
	NamespaceCatalog    = catalog.NamespaceCatalog // pg_catalog
	NamespacePublic     = catalog.NamespacePublic  // public
	NamespaceToast      = 99                       // pg_toast
	NamespaceInfoSchema = 13207                    // information_schema (assigned by initdb; 13207 in 15)
)

// Role OIDs.
const (
	// RoleSuperuser is the bootstrap superuser (PostgreSQL's oid 10); in
	// Borealis it is the session's user, the owner of every object.
	RoleSuperuser = 10
	// RoleDatabaseOwner is pg_database_owner, owner of schema public.
	RoleDatabaseOwner = 6171
)

// Access method, tablespace and database OIDs.
const (
	AMHeap            = 2
	AMBtree           = 403
	TablespaceDefault = 1663
	TablespaceGlobal  = 1664
	// DatabaseOID is the OID of the one database of a Borealis volume
	// (PostgreSQL's "postgres" database has 5).
	DatabaseOID = 5
	// EncodingUTF8 is pg_database.encoding for UTF8.
	EncodingUTF8 = 6
	// CollationDefault is the OID of the "default" collation, which
	// collatable types (text, varchar, bpchar) carry.
	CollationDefault = 100
)

// Synthesized OID ranges for objects sql/catalog does not give an OID of
// their own (it has no field for them yet): a PRIMARY KEY/UNIQUE
// constraint's OID is ConstraintOIDBase + its index's OID, a column
// default's is AttrDefOIDBase + (table OID << 11 | attnum) truncated to 30
// bits. Catalog OIDs are allocated upwards from 16384 and stay far below.
const (
	ConstraintOIDBase = 0x80000000
	AttrDefOIDBase    = 0xC0000000
)

// typOID is the Borealis type of oid and regproc columns (integer Datums).
var typOID = types.Type{OID: types.OIDOid, Typmod: -1}

var (
	typTextArray = types.Type{OID: types.OIDTextArray, Typmod: -1}
	typInt2Array = types.Type{OID: types.OIDInt2Array, Typmod: -1}
	typInt8Array = types.Type{OID: types.OIDInt8Array, Typmod: -1}
)

// Column is a column of a virtual table.
type Column struct {
	// Name is the column name.
	Name string
	// Type is the Borealis type of its values.
	Type types.Type
	// PGType is the pg_type OID PostgreSQL declares the column with (it
	// differs from Type.OID where Borealis lacks the type; see the package
	// documentation).
	PGType types.OID
}

// Env is what a virtual table's rows are generated from.
type Env struct {
	// Cat is the catalog (nil: no user tables).
	Cat *catalog.Set
	// User is the session user: the name of role 10, owner of everything.
	User string
	// Database is the database name (pg_database has one row).
	Database string
	// Setting returns a session setting by lower-case name (search_path
	// decides pg_table_is_visible); nil means defaults.
	Setting func(name string) (string, bool)
	// Sequence reads a sequence's parameters for pg_sequence (nil: it has
	// no rows).
	Sequence SequenceReader
	// Locks lists the relation locks for pg_locks (nil: it has no rows).
	Locks func() []LockInfo
}

// Table is a read-only virtual relation.
type Table struct {
	// Schema is "pg_catalog" or "information_schema".
	Schema string
	// Name is the relation name.
	Name string
	// OID is its pg_class OID (PostgreSQL 15's).
	OID uint32
	// Kind is its relkind: 'r' for a system catalog, 'v' for a view.
	Kind byte
	// Columns are its columns in order.
	Columns []Column
	// Rows generates its rows, each with one Datum per column.
	Rows func(env *Env) ([][]types.Datum, error)
}

// Column returns the position of the column named name, or -1.
func (t *Table) Column(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Types returns the column types in order.
func (t *Table) Types() []types.Type {
	ts := make([]types.Type, len(t.Columns))
	for i, c := range t.Columns {
		ts[i] = c.Type
	}
	return ts
}

// Tables returns every virtual table, ordered by schema and name. The
// slice and the tables are fresh copies the caller may keep.
func Tables() []*Table {
	defs := tableDefs()
	sort.Slice(defs, func(i, j int) bool {
		if defs[i].Schema != defs[j].Schema {
			return defs[i].Schema < defs[j].Schema
		}
		return defs[i].Name < defs[j].Name
	})
	return defs
}

// Lookup finds a virtual table by schema and name. An empty schema means
// pg_catalog, which PostgreSQL searches before the search_path; for
// information_schema the schema must be named.
func Lookup(schema, name string) (*Table, bool) {
	if schema == "" {
		schema = "pg_catalog"
	}
	schema, name = strings.ToLower(schema), strings.ToLower(name)
	for _, t := range tableDefs() {
		if t.Schema == schema && t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// LookupOID finds a virtual table by its pg_class OID.
func LookupOID(oid uint32) (*Table, bool) {
	for _, t := range tableDefs() {
		if t.OID == oid {
			return t, true
		}
	}
	return nil, false
}
