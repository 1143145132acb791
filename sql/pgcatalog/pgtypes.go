package pgcatalog

import "github.com/borealis-db/borealis/sql/types"

// pgType is one pg_type row (PostgreSQL 15's values).
type pgType struct {
	oid       types.OID
	name      string // typname
	sqlName   string // format_type without a modifier
	len       int16
	byVal     bool
	align     byte
	storage   byte
	category  byte
	typtype   byte
	elem      types.OID
	array     types.OID
	collation uint32
	// opclass is the default btree operator class for the type (0: none).
	opclass uint32
}

// pgTypes are the types pg_type shows: Borealis's own types and those
// PostgreSQL declares catalog columns with. Generated from PostgreSQL 15's
// pg_type and pg_opclass.
var pgTypes = []pgType{
	{16, "bool", "boolean", 1, true, 'c', 'p', 'B', 'b', 0, 1000, 0, 10003},
	{17, "bytea", "bytea", -1, false, 'i', 'x', 'U', 'b', 0, 1001, 0, 10006},
	{18, "char", "\"char\"", 1, true, 'c', 'p', 'Z', 'b', 0, 1002, 0, 10007},
	{19, "name", "name", 64, false, 'c', 'p', 'S', 'b', 18, 1003, 950, 10028},
	{20, "int8", "bigint", 8, true, 'd', 'p', 'N', 'b', 0, 1016, 0, 3124},
	{21, "int2", "smallint", 2, true, 's', 'p', 'N', 'b', 0, 1005, 0, 1979},
	{22, "int2vector", "int2vector", -1, false, 'i', 'p', 'A', 'b', 21, 1006, 0, 10000},
	{23, "int4", "integer", 4, true, 'i', 'p', 'N', 'b', 0, 1007, 0, 1978},
	{24, "regproc", "regproc", 4, true, 'i', 'p', 'N', 'b', 0, 1008, 0, 0},
	{25, "text", "text", -1, false, 'i', 'x', 'S', 'b', 0, 1009, 100, 3126},
	{26, "oid", "oid", 4, true, 'i', 'p', 'N', 'b', 0, 1028, 0, 1981},
	{28, "xid", "xid", 4, true, 'i', 'p', 'U', 'b', 0, 1011, 0, 0},
	{30, "oidvector", "oidvector", -1, false, 'i', 'p', 'A', 'b', 26, 1013, 0, 10000},
	{114, "json", "json", -1, false, 'i', 'x', 'U', 'b', 0, 199, 0, 0},
	{194, "pg_node_tree", "pg_node_tree", -1, false, 'i', 'x', 'Z', 'b', 0, 0, 100, 0},
	{199, "_json", "json[]", -1, false, 'i', 'x', 'A', 'b', 114, 0, 0, 10000},
	{700, "float4", "real", 4, true, 'i', 'p', 'N', 'b', 0, 1021, 0, 10012},
	{701, "float8", "double precision", 8, true, 'd', 'p', 'N', 'b', 0, 1022, 0, 3123},
	{705, "unknown", "unknown", -2, false, 'c', 'p', 'X', 'p', 0, 0, 0, 0},
	{1000, "_bool", "boolean[]", -1, false, 'i', 'x', 'A', 'b', 16, 0, 0, 10000},
	{1001, "_bytea", "bytea[]", -1, false, 'i', 'x', 'A', 'b', 17, 0, 0, 10000},
	{1002, "_char", "\"char\"[]", -1, false, 'i', 'x', 'A', 'b', 18, 0, 0, 10000},
	{1003, "_name", "name[]", -1, false, 'i', 'x', 'A', 'b', 19, 0, 950, 10000},
	{1005, "_int2", "smallint[]", -1, false, 'i', 'x', 'A', 'b', 21, 0, 0, 10000},
	{1006, "_int2vector", "int2vector[]", -1, false, 'i', 'x', 'A', 'b', 22, 0, 0, 10000},
	{1007, "_int4", "integer[]", -1, false, 'i', 'x', 'A', 'b', 23, 0, 0, 10000},
	{1008, "_regproc", "regproc[]", -1, false, 'i', 'x', 'A', 'b', 24, 0, 0, 10000},
	{1009, "_text", "text[]", -1, false, 'i', 'x', 'A', 'b', 25, 0, 100, 10000},
	{1013, "_oidvector", "oidvector[]", -1, false, 'i', 'x', 'A', 'b', 30, 0, 0, 10000},
	{1014, "_bpchar", "character[]", -1, false, 'i', 'x', 'A', 'b', 1042, 0, 100, 10000},
	{1015, "_varchar", "character varying[]", -1, false, 'i', 'x', 'A', 'b', 1043, 0, 100, 10000},
	{1016, "_int8", "bigint[]", -1, false, 'd', 'x', 'A', 'b', 20, 0, 0, 10000},
	{1021, "_float4", "real[]", -1, false, 'i', 'x', 'A', 'b', 700, 0, 0, 10000},
	{1022, "_float8", "double precision[]", -1, false, 'd', 'x', 'A', 'b', 701, 0, 0, 10000},
	{1028, "_oid", "oid[]", -1, false, 'i', 'x', 'A', 'b', 26, 0, 0, 10000},
	{1033, "aclitem", "aclitem", 12, false, 'i', 'p', 'U', 'b', 0, 1034, 0, 0},
	{1034, "_aclitem", "aclitem[]", -1, false, 'i', 'x', 'A', 'b', 1033, 0, 0, 10000},
	{1042, "bpchar", "character", -1, false, 'i', 'x', 'S', 'b', 0, 1014, 100, 10004},
	{1043, "varchar", "character varying", -1, false, 'i', 'x', 'S', 'b', 0, 1015, 100, 3126},
	{1082, "date", "date", 4, true, 'i', 'p', 'D', 'b', 0, 1182, 0, 3122},
	{1083, "time", "time without time zone", 8, true, 'd', 'p', 'D', 'b', 0, 1183, 0, 10038},
	{1114, "timestamp", "timestamp without time zone", 8, true, 'd', 'p', 'D', 'b', 0, 1115, 0, 3128},
	{1115, "_timestamp", "timestamp without time zone[]", -1, false, 'd', 'x', 'A', 'b', 1114, 0, 0, 10000},
	{1182, "_date", "date[]", -1, false, 'i', 'x', 'A', 'b', 1082, 0, 0, 10000},
	{1183, "_time", "time without time zone[]", -1, false, 'd', 'x', 'A', 'b', 1083, 0, 0, 10000},
	{1184, "timestamptz", "timestamp with time zone", 8, true, 'd', 'p', 'D', 'b', 0, 1185, 0, 3127},
	{1185, "_timestamptz", "timestamp with time zone[]", -1, false, 'd', 'x', 'A', 'b', 1184, 0, 0, 10000},
	{1186, "interval", "interval", 16, false, 'd', 'p', 'T', 'b', 0, 1187, 0, 10022},
	{1187, "_interval", "interval[]", -1, false, 'd', 'x', 'A', 'b', 1186, 0, 0, 10000},
	{1231, "_numeric", "numeric[]", -1, false, 'i', 'x', 'A', 'b', 1700, 0, 0, 10000},
	{1266, "timetz", "time with time zone", 12, false, 'd', 'p', 'D', 'b', 0, 1270, 0, 10041},
	{1270, "_timetz", "time with time zone[]", -1, false, 'd', 'x', 'A', 'b', 1266, 0, 0, 10000},
	{1700, "numeric", "numeric", -1, false, 'i', 'm', 'N', 'b', 0, 1231, 0, 3125},
	{2205, "regclass", "regclass", 4, true, 'i', 'p', 'N', 'b', 0, 2210, 0, 0},
	{2206, "regtype", "regtype", 4, true, 'i', 'p', 'N', 'b', 0, 2211, 0, 0},
	{2210, "_regclass", "regclass[]", -1, false, 'i', 'x', 'A', 'b', 2205, 0, 0, 10000},
	{2211, "_regtype", "regtype[]", -1, false, 'i', 'x', 'A', 'b', 2206, 0, 0, 10000},
	{2277, "anyarray", "anyarray", -1, false, 'd', 'x', 'P', 'p', 0, 0, 0, 10000},
	{2950, "uuid", "uuid", 16, false, 'c', 'p', 'U', 'b', 0, 2951, 0, 10065},
	{2951, "_uuid", "uuid[]", -1, false, 'i', 'x', 'A', 'b', 2950, 0, 0, 10000},
	{3802, "jsonb", "jsonb", -1, false, 'i', 'x', 'U', 'b', 0, 3807, 0, 10088},
	{3807, "_jsonb", "jsonb[]", -1, false, 'i', 'x', 'A', 'b', 3802, 0, 0, 10000},
}
