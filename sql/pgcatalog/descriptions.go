package pgcatalog

// description is one pg_description row: a comment PostgreSQL 15 ships on a
// built-in object that Borealis also has.
type description struct {
	objoid, classoid uint32
	objsubid         int32
	text             string
}

// descriptions are the built-in comments on the namespaces, access
// methods, collations and types pg_catalog shows (generated from
// PostgreSQL 15's pg_description).
var descriptions = []description{
	{16, 1247, 0, "boolean, 'true'/'false'"},
	{17, 1247, 0, "variable-length string, binary values escaped"},
	{18, 1247, 0, "single character"},
	{19, 1247, 0, "63-byte type for storing system identifiers"},
	{20, 1247, 0, "~18 digit integer, 8-byte storage"},
	{21, 1247, 0, "-32 thousand to 32 thousand, 2-byte storage"},
	{22, 1247, 0, "array of int2, used in system tables"},
	{23, 1247, 0, "-2 billion to 2 billion integer, 4-byte storage"},
	{24, 1247, 0, "registered procedure"},
	{25, 1247, 0, "variable-length string, no limit specified"},
	{26, 1247, 0, "object identifier(oid), maximum 4 billion"},
	{28, 1247, 0, "transaction id"},
	{30, 1247, 0, "array of oids, used in system tables"},
	{114, 1247, 0, "JSON stored as text"},
	{194, 1247, 0, "string representing an internal node tree"},
	{700, 1247, 0, "single-precision floating point number, 4-byte storage"},
	{701, 1247, 0, "double-precision floating point number, 8-byte storage"},
	{705, 1247, 0, "pseudo-type representing an undetermined type"},
	{1033, 1247, 0, "access control list"},
	{1042, 1247, 0, "char(length), blank-padded string, fixed storage length"},
	{1043, 1247, 0, "varchar(length), non-blank-padded string, variable storage length"},
	{1082, 1247, 0, "date"},
	{1114, 1247, 0, "date and time"},
	{1184, 1247, 0, "date and time with time zone"},
	{1186, 1247, 0, "@ <number> <units>, time interval"},
	{1700, 1247, 0, "numeric(precision, decimal), arbitrary precision number"},
	{2205, 1247, 0, "registered class"},
	{2206, 1247, 0, "registered type"},
	{2277, 1247, 0, "pseudo-type representing a polymorphic array type"},
	{2950, 1247, 0, "UUID datatype"},
	{3802, 1247, 0, "Binary JSON"},
	{2, 2601, 0, "heap table access method"},
	{403, 2601, 0, "b-tree index access method"},
	{11, 2615, 0, "system catalog schema"},
	{99, 2615, 0, "reserved schema for TOAST tables"},
	{2200, 2615, 0, "standard public schema"},
	{100, 3456, 0, "database's default collation"},
	{950, 3456, 0, "standard C collation"},
	{951, 3456, 0, "standard POSIX collation"},
}
