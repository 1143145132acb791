package pgcatalog

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// diffSchema is created in PostgreSQL; diffTables below is the same schema
// as sql/catalog tables (OIDs copied from PostgreSQL after creation).
const diffSchema = `
CREATE TABLE accounts (
  id int PRIMARY KEY,
  name varchar(40) NOT NULL,
  balance numeric(12,2) DEFAULT 0,
  created timestamptz DEFAULT now(),
  note text DEFAULT 'none',
  flag boolean DEFAULT true
);
CREATE UNIQUE INDEX accounts_name_key ON accounts (name);
CREATE TABLE orders (
  order_id bigint NOT NULL,
  account_id int NOT NULL,
  qty smallint DEFAULT -1,
  price double precision DEFAULT 1.5,
  code char(3) DEFAULT 'abc',
  shipped boolean DEFAULT 'f',
  day date DEFAULT CURRENT_DATE,
  big bigint DEFAULT '5',
  stamp timestamp DEFAULT '2020-01-02 03:04:05',
  amount numeric DEFAULT '5',
  ratio numeric(6,3) DEFAULT -2.5,
  label varchar DEFAULT 'it''s',
  n4 int DEFAULT '7',
  PRIMARY KEY (order_id, account_id)
);
CREATE INDEX orders_account_idx ON orders (account_id, day);
CREATE TABLE "Mixed Case" ("Col" int PRIMARY KEY, "select" text, c1 char, ts timestamp(3), tags text[]);
CREATE TABLE ff (a int NOT NULL, b bytea, u uuid, j jsonb, iv interval) WITH (fillfactor=70);
`

func diffTables(oids map[string]uint32) []*catalog.Table {
	ty := func(name string, mods ...int32) types.Type {
		t, err := types.LookupType(name, mods)
		if err != nil {
			panic(err)
		}
		return t
	}
	textArr, _ := types.ArrayOf(types.Text)
	return []*catalog.Table{
		{OID: oids["accounts"], Name: "accounts", Columns: []catalog.Column{
			{Name: "id", Type: types.Int4, NotNull: true},
			{Name: "name", Type: ty("varchar", 40), NotNull: true},
			{Name: "balance", Type: ty("numeric", 12, 2), Default: "0"},
			{Name: "created", Type: types.Timestamptz, Default: "now()"},
			{Name: "note", Type: types.Text, Default: "'none'"},
			{Name: "flag", Type: types.Bool, Default: "true"},
		}, Indexes: []catalog.Index{
			{OID: oids["accounts_pkey"], Name: "accounts_pkey", Columns: []int{0}, Unique: true, Primary: true},
			{OID: oids["accounts_name_key"], Name: "accounts_name_key", Columns: []int{1}, Unique: true},
		}},
		{OID: oids["orders"], Name: "orders", Columns: []catalog.Column{
			{Name: "order_id", Type: types.Int8, NotNull: true},
			{Name: "account_id", Type: types.Int4, NotNull: true},
			{Name: "qty", Type: types.Int2, Default: "-1"},
			{Name: "price", Type: types.Float8, Default: "1.5"},
			{Name: "code", Type: ty("char", 3), Default: "'abc'"},
			{Name: "shipped", Type: types.Bool, Default: "'f'"},
			{Name: "day", Type: types.Date, Default: "CURRENT_DATE"},
			{Name: "big", Type: types.Int8, Default: "'5'"},
			{Name: "stamp", Type: types.Timestamp, Default: "'2020-01-02 03:04:05'"},
			{Name: "amount", Type: types.Numeric_, Default: "'5'"},
			{Name: "ratio", Type: ty("numeric", 6, 3), Default: "-2.5"},
			{Name: "label", Type: types.Varchar, Default: "'it''s'"},
			{Name: "n4", Type: types.Int4, Default: "'7'"},
		}, Indexes: []catalog.Index{
			{OID: oids["orders_pkey"], Name: "orders_pkey", Columns: []int{0, 1}, Unique: true, Primary: true},
			{OID: oids["orders_account_idx"], Name: "orders_account_idx", Columns: []int{1, 6}},
		}},
		{OID: oids["Mixed Case"], Name: "Mixed Case", Columns: []catalog.Column{
			{Name: "Col", Type: types.Int4, NotNull: true},
			{Name: "select", Type: types.Text},
			{Name: "c1", Type: ty("char")},
			{Name: "ts", Type: ty("timestamp", 3)},
			{Name: "tags", Type: textArr},
		}, Indexes: []catalog.Index{
			{OID: oids["Mixed Case_pkey"], Name: "Mixed Case_pkey", Columns: []int{0}, Unique: true, Primary: true},
		}},
		{OID: oids["ff"], Name: "ff", FillFactor: 70, Columns: []catalog.Column{
			{Name: "a", Type: types.Int4, NotNull: true},
			{Name: "b", Type: types.Bytea},
			{Name: "u", Type: types.UUID},
			{Name: "j", Type: types.JSONB},
			{Name: "iv", Type: types.Interval_},
		}},
	}
}

// pgRows runs a query on PostgreSQL and returns its rows as sorted lines.
func pgRows(t *testing.T, conn *pgconn.PgConn, sql string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := conn.ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatalf("%s: %v", sql, res.Err)
	}
	var out []string
	for _, r := range res.Rows {
		vals := make([]string, len(r))
		for k, v := range r {
			if v == nil {
				vals[k] = "NULL"
			} else {
				vals[k] = string(v)
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	sort.Strings(out)
	return out
}

func diffLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	if strings.Join(want, "\n") == strings.Join(got, "\n") {
		return
	}
	t.Errorf("%s differs from PostgreSQL\n--- PostgreSQL\n%s\n--- Borealis\n%s", what, strings.Join(want, "\n"), strings.Join(got, "\n"))
}

// TestMatchesPostgres compares the virtual tables' rows (the columns psql
// and drivers read) and the catalog functions' results with PostgreSQL 15's
// for the same schema.
func TestMatchesPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	pgtest.Exec(t, conn, diffSchema)
	oids := map[string]uint32{}
	for _, line := range pgRows(t, conn, "SELECT relname, oid FROM pg_class WHERE relnamespace = 2200") {
		k := strings.LastIndexByte(line, '|')
		n, err := strconv.ParseUint(line[k+1:], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		oids[line[:k]] = uint32(n)
	}
	set := catalogSet(t, diffTables(oids)...)
	env := &Env{Cat: set, User: "postgres", Database: "postgres"}
	var userRels []string
	for _, o := range oids {
		userRels = append(userRels, fmt.Sprint(o))
	}
	inUser := "(" + strings.Join(userRels, ",") + ")"
	isUser := func(col string) func(get func(string) types.Datum) bool {
		return func(get func(string) types.Datum) bool {
			v := get(col)
			_, ok := set.ByOID(uint32(v.I))
			if ok {
				return true
			}
			for _, o := range oids {
				if uint32(v.I) == o {
					return true
				}
			}
			return false
		}
	}
	type tc struct {
		schema, name string
		cols         []string
		pgWhere      string
		keep         func(get func(string) types.Datum) bool
	}
	// PostgreSQL's select list where it differs from ours: adbin is a node
	// tree there, the deparsed expression here.
	pgSelect := map[string][]string{"pg_attrdef": {"adrelid", "adnum", "pg_get_expr(adbin, adrelid, true)"}}
	userAttr := func(get func(string) types.Datum) bool {
		return isUser("attrelid")(get) && get("attnum").I > 0
	}
	cases := []tc{
		{"pg_catalog", "pg_class", []string{"oid", "relname", "relnamespace", "relkind", "relam", "relnatts",
			"relhasindex", "relpersistence", "relowner", "relispartition", "relchecks", "relhasrules",
			"relhastriggers", "relrowsecurity", "relforcerowsecurity", "reltablespace", "reloftype",
			"relreplident", "reloptions", "relisshared", "relispopulated", "relhassubclass"},
			"relnamespace = 2200", isUser("oid")},
		{"pg_catalog", "pg_attribute", []string{"attrelid", "attname", "atttypid", "attlen", "attnum", "atttypmod",
			"attbyval", "attalign", "attstorage", "attnotnull", "atthasdef", "attisdropped", "attidentity",
			"attgenerated", "attcollation", "attndims", "attislocal", "attinhcount", "attstattarget"},
			"attrelid IN " + inUser + " AND attnum > 0", userAttr},
		{"pg_catalog", "pg_index", []string{"indexrelid", "indrelid", "indnatts", "indnkeyatts", "indisunique",
			"indisprimary", "indisexclusion", "indimmediate", "indisclustered", "indisvalid", "indisreplident",
			"indkey", "indcollation", "indclass", "indoption", "indnullsnotdistinct", "indisready", "indislive"},
			"indrelid IN " + inUser, nil},
		{"pg_catalog", "pg_constraint", []string{"conname", "contype", "conrelid", "conindid", "condeferrable",
			"condeferred", "convalidated", "conkey", "connamespace", "conislocal", "connoinherit", "coninhcount",
			"confrelid", "contypid"},
			"conrelid IN " + inUser, nil},
		{"pg_catalog", "pg_attrdef", []string{"adrelid", "adnum", "adbin"}, "adrelid IN " + inUser, nil},
		{"pg_catalog", "pg_description", []string{"objoid", "classoid", "objsubid", "description"},
			"(classoid, objoid) IN (" + descriptionKeys() + ")", nil},
		{"pg_catalog", "pg_shdescription", []string{"objoid", "classoid", "description"}, "objoid = 5", nil},
		{"pg_catalog", "pg_namespace", []string{"oid", "nspname", "nspowner", "nspacl"}, "", nil},
		{"pg_catalog", "pg_database", []string{"oid", "datname", "datdba", "encoding", "datlocprovider",
			"datcollate", "datctype", "datistemplate", "datallowconn", "datconnlimit", "dattablespace",
			"daticulocale"}, "datname = 'postgres'", nil},
		{"pg_catalog", "pg_roles", []string{"oid", "rolname", "rolsuper", "rolinherit", "rolcreaterole",
			"rolcreatedb", "rolcanlogin", "rolreplication", "rolconnlimit", "rolvaliduntil", "rolbypassrls",
			"rolpassword"}, "", nil},
		{"pg_catalog", "pg_user", []string{"usename", "usesysid", "usecreatedb", "usesuper", "userepl",
			"usebypassrls", "passwd", "valuntil"}, "", nil},
		{"pg_catalog", "pg_auth_members", []string{"roleid", "member", "grantor", "admin_option"}, "", nil},
		{"pg_catalog", "pg_am", []string{"oid", "amname", "amtype"}, "oid IN (2, 403)", nil},
		{"pg_catalog", "pg_collation", []string{"oid", "collname", "collnamespace", "collprovider",
			"collisdeterministic", "collencoding", "collcollate", "collctype"}, "oid < 1000", nil},
		{"pg_catalog", "pg_tablespace", []string{"oid", "spcname", "spcowner"}, "", nil},
		{"pg_catalog", "pg_type", []string{"oid", "typname", "typnamespace", "typowner", "typlen", "typbyval",
			"typtype", "typcategory", "typispreferred", "typdelim", "typelem", "typarray", "typalign",
			"typstorage", "typnotnull", "typbasetype", "typtypmod", "typndims", "typcollation", "typrelid"},
			"oid IN (" + typeOIDList() + ")", nil},
		{"pg_catalog", "pg_tables", []string{"schemaname", "tablename", "tableowner", "hasindexes",
			"hasrules", "hastriggers", "rowsecurity"}, "schemaname = 'public'",
			func(get func(string) types.Datum) bool { return get("schemaname").S == "public" }},
		{"pg_catalog", "pg_indexes", []string{"schemaname", "tablename", "indexname", "indexdef"},
			"schemaname = 'public'", nil},
		{"information_schema", "schemata", []string{"catalog_name", "schema_name", "schema_owner"}, "", nil},
		{"information_schema", "tables", []string{"table_catalog", "table_schema", "table_name", "table_type",
			"is_insertable_into", "is_typed", "commit_action"}, "table_schema = 'public'",
			func(get func(string) types.Datum) bool { return get("table_schema").S == "public" }},
		{"information_schema", "columns", []string{"table_name", "column_name", "ordinal_position",
			"column_default", "is_nullable", "data_type", "character_maximum_length",
			"character_octet_length", "numeric_precision", "numeric_precision_radix", "numeric_scale",
			"datetime_precision", "udt_catalog", "udt_schema", "udt_name", "dtd_identifier", "is_updatable",
			"is_identity", "is_generated", "is_self_referencing", "identity_cycle", "collation_name"},
			"table_schema = 'public'",
			func(get func(string) types.Datum) bool { return get("table_schema").S == "public" }},
	}
	for _, c := range cases {
		t.Run(c.schema+"."+c.name, func(t *testing.T) {
			sel := c.cols
			if p, ok := pgSelect[c.name]; ok {
				sel = p
			}
			q := "SELECT " + strings.Join(sel, ", ") + " FROM " + c.schema + "." + c.name
			if c.pgWhere != "" {
				q += " WHERE " + c.pgWhere
			}
			want := pgRows(t, conn, q)
			if len(want) == 0 {
				t.Fatalf("%s: PostgreSQL returns no rows: the comparison would prove nothing", q)
			}
			diffLines(t, q, want, selectRows(t, env, c.schema, c.name, c.cols, c.keep))
		})
	}

	t.Run("functions", func(t *testing.T) {
		r := funcs.NewRegistry()
		Register(r, nil)
		fc := &funcs.Context{Ctx: context.Background(), Cat: set, User: "postgres", Database: "postgres"}
		type fcall struct {
			sql  string // the call in PostgreSQL
			name string
			args []types.Datum
			typs []types.Type
		}
		O := func(o uint32) types.Datum { return types.NewInt(int64(o)) }
		var calls []fcall
		// format_type over every type and typmod the user columns have, plus NULL typmods.
		for _, tb := range diffTables(oids) {
			for _, col := range tb.Columns {
				calls = append(calls,
					fcall{fmt.Sprintf("format_type(%d, %d)", col.Type.OID, col.Type.Typmod), "format_type",
						[]types.Datum{O(uint32(col.Type.OID)), types.NewInt(int64(col.Type.Typmod))}, []types.Type{typOID, types.Int4}},
					fcall{fmt.Sprintf("format_type(%d, NULL)", col.Type.OID), "format_type",
						[]types.Datum{O(uint32(col.Type.OID)), types.Null}, []types.Type{typOID, types.Int4}},
					fcall{fmt.Sprintf("format_type(%d, -1)", col.Type.OID), "format_type",
						[]types.Datum{O(uint32(col.Type.OID)), types.NewInt(-1)}, []types.Type{typOID, types.Int4}})
			}
			calls = append(calls,
				fcall{fmt.Sprintf("pg_table_is_visible(%d)", tb.OID), "pg_table_is_visible", []types.Datum{O(tb.OID)}, []types.Type{typOID}},
				fcall{fmt.Sprintf("pg_relation_is_publishable(%d)", tb.OID), "pg_relation_is_publishable", []types.Datum{O(tb.OID)}, []types.Type{typOID}},
				fcall{fmt.Sprintf("obj_description(%d, 'pg_class')", tb.OID), "obj_description", []types.Datum{O(tb.OID), types.NewString("pg_class")}, []types.Type{typOID, types.Text}},
				fcall{fmt.Sprintf("col_description(%d, 1)", tb.OID), "col_description", []types.Datum{O(tb.OID), types.NewInt(1)}, []types.Type{typOID, types.Int4}},
				fcall{fmt.Sprintf("has_table_privilege(%d, 'SELECT')", tb.OID), "has_table_privilege", []types.Datum{O(tb.OID), types.NewString("SELECT")}, []types.Type{typOID, types.Text}},
				fcall{fmt.Sprintf("has_table_privilege('postgres', %s, 'select,insert')", pgtest.QuoteLit(quoteIdent(tb.Name))), "has_table_privilege",
					[]types.Datum{types.NewString("postgres"), types.NewString(quoteIdent(tb.Name)), types.NewString("select,insert")}, []types.Type{types.Text, types.Text, types.Text}})
			for _, ix := range tb.Indexes {
				calls = append(calls,
					fcall{fmt.Sprintf("pg_get_indexdef(%d, 0, true)", ix.OID), "pg_get_indexdef", []types.Datum{O(ix.OID), types.NewInt(0), types.NewBool(true)}, []types.Type{typOID, types.Int4, types.Bool}},
					fcall{fmt.Sprintf("pg_get_indexdef(%d)", ix.OID), "pg_get_indexdef", []types.Datum{O(ix.OID)}, []types.Type{typOID}},
					fcall{fmt.Sprintf("pg_table_is_visible(%d)", ix.OID), "pg_table_is_visible", []types.Datum{O(ix.OID)}, []types.Type{typOID}})
				for k := range ix.Columns {
					calls = append(calls, fcall{fmt.Sprintf("pg_get_indexdef(%d, %d, true)", ix.OID, k+1), "pg_get_indexdef",
						[]types.Datum{O(ix.OID), types.NewInt(int64(k + 1)), types.NewBool(true)}, []types.Type{typOID, types.Int4, types.Bool}})
				}
			}
		}
		for _, o := range []uint32{10, 6171, 3373, 424242} {
			calls = append(calls, fcall{fmt.Sprintf("pg_get_userbyid(%d)", o), "pg_get_userbyid", []types.Datum{O(o)}, []types.Type{typOID}})
		}
		for e := -1; e <= 43; e++ {
			calls = append(calls, fcall{fmt.Sprintf("pg_encoding_to_char(%d)", e), "pg_encoding_to_char", []types.Datum{types.NewInt(int64(e))}, []types.Type{types.Int4}})
		}
		for _, n := range []string{"UTF8", "utf8", "latin1", "Unicode", "win1252", "nope", "SQL_ASCII"} {
			calls = append(calls, fcall{fmt.Sprintf("pg_char_to_encoding('%s')", n), "pg_char_to_encoding", []types.Datum{types.NewString(n)}, []types.Type{types.Text}})
		}
		for _, pt := range pgTypes {
			for _, mod := range []string{"NULL", "-1"} {
				m := types.Null
				if mod == "-1" {
					m = types.NewInt(-1)
				}
				calls = append(calls, fcall{fmt.Sprintf("format_type(%d, %s)", pt.oid, mod), "format_type", []types.Datum{O(uint32(pt.oid)), m}, []types.Type{typOID, types.Int4}})
			}
			calls = append(calls, fcall{fmt.Sprintf("pg_type_is_visible(%d)", pt.oid), "pg_type_is_visible", []types.Datum{O(uint32(pt.oid))}, []types.Type{typOID}})
		}
		calls = append(calls,
			fcall{"format_type(999999, NULL)", "format_type", []types.Datum{O(999999), types.Null}, []types.Type{typOID, types.Int4}},
			fcall{"pg_table_is_visible(1259)", "pg_table_is_visible", []types.Datum{O(1259)}, []types.Type{typOID}},
			fcall{"pg_table_is_visible(999999)", "pg_table_is_visible", []types.Datum{O(999999)}, []types.Type{typOID}},
			fcall{"pg_type_is_visible(999999)", "pg_type_is_visible", []types.Datum{O(999999)}, []types.Type{typOID}},
			fcall{"shobj_description(5, 'pg_database')", "shobj_description", []types.Datum{O(5), types.NewString("pg_database")}, []types.Type{typOID, types.Text}},
			fcall{"has_table_privilege(999999, 'SELECT')", "has_table_privilege", []types.Datum{O(999999), types.NewString("SELECT")}, []types.Type{typOID, types.Text}},
			fcall{"array_to_string(ARRAY['a',NULL,'c'], ',')", "array_to_string",
				[]types.Datum{types.NewArray(types.MakeArray([]types.Datum{types.NewString("a"), types.Null, types.NewString("c")})), types.NewString(",")},
				[]types.Type{{OID: types.OIDTextArray, Typmod: -1}, types.Text}},
			fcall{"array_to_string(ARRAY[1,NULL,3], '-', '*')", "array_to_string",
				[]types.Datum{types.NewArray(types.MakeArray([]types.Datum{types.NewInt(1), types.Null, types.NewInt(3)})), types.NewString("-"), types.NewString("*")},
				[]types.Type{{OID: types.OIDInt4Array, Typmod: -1}, types.Text, types.Text}},
		)
		for _, v := range sizeSamples() {
			calls = append(calls, fcall{fmt.Sprintf("pg_size_pretty(%d::bigint)", v), "pg_size_pretty", []types.Datum{types.NewInt(v)}, []types.Type{types.Int8}})
		}
		// Constraint definitions: PostgreSQL's by name, ours by the synthesized OID.
		for _, tb := range diffTables(oids) {
			for k := range tb.Indexes {
				ix := &tb.Indexes[k]
				if !isConstraint(ix) {
					continue
				}
				calls = append(calls, fcall{
					fmt.Sprintf("(SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conindid = %d)", ix.OID),
					"pg_get_constraintdef", []types.Datum{O(constraintOID(ix)), types.NewBool(true)}, []types.Type{typOID, types.Bool}})
			}
		}
		for _, c := range calls {
			want := pgtest.Query(t, conn, "SELECT "+c.sql)
			got, err := call(t, r, fc, c.name, c.args, c.typs)
			switch {
			case want.Code != "":
				var te *types.Error
				if err == nil || !asTypesError(err, &te) || te.Code != want.Code {
					t.Errorf("%s: PostgreSQL fails with %s %s, Borealis gives %v, %v", c.sql, want.Code, want.Msg, got, err)
				}
			case err != nil:
				t.Errorf("%s: %v (PostgreSQL: %q)", c.sql, err, want.Text)
			case want.Null != got.IsNull():
				t.Errorf("%s: PostgreSQL null=%v %q, Borealis %v", c.sql, want.Null, want.Text, got)
			case !want.Null && want.Text != formatDatum(types.Text, got):
				t.Errorf("%s: PostgreSQL %q, Borealis %q", c.sql, want.Text, formatDatum(types.Text, got))
			}
		}
	})

	t.Run("regclass", func(t *testing.T) {
		for _, name := range []string{"accounts", "public.accounts", `"Mixed Case"`, "pg_class", "pg_catalog.pg_type",
			"information_schema.columns", "accounts_pkey", "ACCOUNTS", `"ACCOUNTS"`, "nope", "public.nope", "nosuch.accounts", "postgres.public.accounts"} {
			want := pgtest.Query(t, conn, "SELECT "+pgtest.QuoteLit(name)+"::regclass::oid")
			got, err := RegclassIn(env, name)
			if want.Code != "" {
				var te *types.Error
				if err == nil || !asTypesError(err, &te) || te.Code != want.Code {
					t.Errorf("%s::regclass: PostgreSQL fails with %s, Borealis gives %d, %v", name, want.Code, got, err)
				}
				continue
			}
			if err != nil || fmt.Sprint(got) != want.Text {
				t.Errorf("%s::regclass: PostgreSQL %s, Borealis %d, %v", name, want.Text, got, err)
				continue
			}
			wantName := pgtest.Query(t, conn, fmt.Sprintf("SELECT %d::regclass::text", got))
			if gotName := RegclassOut(env, got); gotName != wantName.Text {
				t.Errorf("%d::regclass::text: PostgreSQL %q, Borealis %q", got, wantName.Text, gotName)
			}
		}
		for _, pt := range pgTypes {
			want := pgtest.Query(t, conn, fmt.Sprintf("SELECT %d::regtype::text", pt.oid))
			if got := RegtypeOut(uint32(pt.oid)); got != want.Text {
				t.Errorf("%d::regtype: PostgreSQL %q, Borealis %q", pt.oid, want.Text, got)
			}
		}
	})
}

func descriptionKeys() string {
	var parts []string
	for _, d := range descriptions {
		parts = append(parts, fmt.Sprintf("(%d,%d)", d.classoid, d.objoid))
	}
	return strings.Join(parts, ",")
}

func typeOIDList() string {
	var parts []string
	for _, pt := range pgTypes {
		parts = append(parts, fmt.Sprint(pt.oid))
	}
	return strings.Join(parts, ",")
}

// sizeSamples are byte counts around every pg_size_pretty unit boundary.
func sizeSamples() []int64 {
	out := []int64{0, 1, -1, 8192, 10239, 10240, -10239, -10240, 1 << 62, -(1 << 62), 9223372036854775807, -9223372036854775807}
	for bits := 10; bits <= 60; bits += 10 {
		for _, m := range []int64{1, 10, 20, 20*1024 - 1} {
			for _, d := range []int64{-1, 0, 1, 511, 512, 513} {
				v := m<<bits + d
				out = append(out, v, -v)
			}
		}
	}
	return out
}
