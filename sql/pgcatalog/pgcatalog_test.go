package pgcatalog

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

func TestDefaultExpr(t *testing.T) {
	vc40, _ := types.LookupType("varchar", []int32{40})
	ch3, _ := types.LookupType("char", []int32{3})
	num, _ := types.LookupType("numeric", []int32{12, 2})
	for _, c := range []struct {
		text string
		col  types.Type
		want string
	}{
		// Outputs checked against PostgreSQL 15 (see TestMatchesPostgres).
		{"0", num, "0"},
		{"-1", types.Int2, "'-1'::integer"},
		{"-1", types.Int4, "'-1'::integer"},
		{"42", types.Int8, "42"},
		{"1.5", types.Float8, "1.5"},
		{"-2.5", num, "'-2.5'::numeric"},
		{"'none'", types.Text, "'none'::text"},
		{"'none'", vc40, "'none'::character varying"},
		{"'abc'", ch3, "'abc'::bpchar"},
		{"'it''s'", types.Varchar, "'it''s'::character varying"},
		{"'5'", types.Int4, "5"},
		{"'5'", types.Int8, "'5'::bigint"},
		{"'5'", types.Numeric_, "'5'::numeric"},
		{"'f'", types.Bool, "false"},
		{"true", types.Bool, "true"},
		{"'2020-01-02 03:04:05'", types.Timestamp, "'2020-01-02 03:04:05'::timestamp without time zone"},
		{"'2020-1-2'::date", types.Date, "'2020-01-02'::date"},
		{"now()", types.Timestamptz, "now()"},
		{"pg_catalog.now()", types.Timestamptz, "now()"},
		{"CURRENT_DATE", types.Date, "CURRENT_DATE"},
		{"CURRENT_TIMESTAMP(3)", types.Timestamptz, "CURRENT_TIMESTAMP(3)"},
		{"9999999999", types.Int8, "'9999999999'::bigint"},
		// Not rendered: returned as stored.
		{"1 + 2", types.Int4, "1 + 2"},
		{"lower('X')", types.Text, "lower('X')"},
		{"'x'::nosuchtype", types.Text, "'x'::nosuchtype"},
		{"'abc'", types.Int4, "'abc'"}, // not an integer: left alone
		{"((", types.Int4, "(("},
		{"1; DROP TABLE t", types.Int4, "1; DROP TABLE t"},
	} {
		if got := DefaultExpr(c.text, c.col); got != c.want {
			t.Errorf("DefaultExpr(%q, %s) = %q, want %q", c.text, c.col, got, c.want)
		}
	}
}

func TestSizePretty(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		// PostgreSQL 15's outputs.
		{0, "0 bytes"}, {8192, "8192 bytes"}, {10239, "10239 bytes"}, {10240, "10 kB"},
		{-10240, "-10 kB"}, {1 << 20, "1024 kB"}, {20*1024*1024 - 1, "20 MB"},
		{20 * 1024 * 1024, "20 MB"}, {1 << 62, "4096 PB"}, {9223372036854775807, "8192 PB"},
	} {
		if got := SizePretty(c.n); got != c.want {
			t.Errorf("SizePretty(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestRegclassInErrors(t *testing.T) {
	env := &Env{Cat: catalogSet(t, &catalog.Table{OID: 16384, Name: "t", Columns: []catalog.Column{{Name: "a", Type: types.Int4}}})}
	for _, c := range []struct {
		name, code string
	}{
		{"nope", "42P01"}, {`"T"`, "42P01"}, {`"t`, "42602"}, {"a..b", "42602"}, {"", "42602"},
		{"a.b.c.d", "42602"}, {"x.t", "3F000"}, {"other.public.t", "0A000"},
	} {
		_, err := RegclassIn(env, c.name)
		te, ok := err.(*types.Error)
		if !ok || te.Code != c.code {
			t.Errorf("RegclassIn(%q): %v, want SQLSTATE %s", c.name, err, c.code)
		}
	}
	for _, name := range []string{"t", "T", "public.t", `"t"`, ` t `, "postgres.public.t", "16384"} {
		if o, err := RegclassIn(env, name); err != nil || o != 16384 {
			t.Errorf("RegclassIn(%q) = %d, %v; want 16384", name, o, err)
		}
	}
}

// randomCatalog builds n random tables with random columns and indexes.
func randomCatalog(tb testing.TB, rng *rand.Rand, n int) []*catalog.Table {
	typs := []types.Type{types.Int2, types.Int4, types.Int8, types.Text, types.Bool, types.Float8,
		types.Numeric_, types.Date, types.Timestamp, types.Timestamptz, types.Bytea, types.UUID, types.JSONB,
		types.Interval_, {OID: types.OIDVarchar, Typmod: 14}, {OID: types.OIDBpchar, Typmod: 5},
		{OID: types.OIDNumeric, Typmod: (10<<16 | 2) + 4}, {OID: types.OIDInt4Array, Typmod: -1}}
	defaults := []string{"", "", "0", "-3", "'x'", "now()", "CURRENT_DATE", "true", "1 + 2", "'7'"}
	names := []string{"id", "a", "B", "select", "with space", "x\"q", "z9", "_u"}
	oid := uint32(16384)
	var out []*catalog.Table
	for k := 0; k < n; k++ {
		t := &catalog.Table{OID: oid, Name: fmt.Sprintf("t%d%s", k, []string{"", "X", " y"}[rng.Intn(3)])}
		oid++
		ncol := 1 + rng.Intn(len(names))
		for c := 0; c < ncol; c++ {
			t.Columns = append(t.Columns, catalog.Column{Name: names[c], Type: typs[rng.Intn(len(typs))],
				NotNull: rng.Intn(2) == 0, Default: defaults[rng.Intn(len(defaults))]})
		}
		for x := rng.Intn(3); x > 0; x-- {
			ix := catalog.Index{OID: oid, Name: fmt.Sprintf("%s_i%d", t.Name, x), Unique: rng.Intn(2) == 0}
			oid++
			ix.Columns = append(ix.Columns, rng.Perm(ncol)[:1+rng.Intn(ncol)]...)
			ix.Primary = x == 1 && ix.Unique
			t.Indexes = append(t.Indexes, ix)
		}
		if rng.Intn(3) == 0 {
			t.FillFactor = 10 + rng.Intn(90)
		}
		out = append(out, t)
	}
	return out
}

// kindOK reports whether a Datum of kind k may be a value of type t.
func kindOK(t types.Type, d types.Datum) bool {
	if d.IsNull() {
		return true
	}
	if t.OID == types.OIDOid {
		return d.K == types.KindInt
	}
	return t.Kind() == d.K
}

// TestInvariants checks, over random catalogs, that every virtual table
// generates well-formed rows and that the relations agree with each other:
// every attribute, index, constraint and default belongs to a relation
// pg_class shows, relnatts counts the attributes, regclass names round-trip,
// and every index has a definition.
func TestInvariants(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rounds := 20
	if testing.Short() {
		rounds = 4
	}
	r := funcs.NewRegistry()
	Register(r, func(_ context.Context, oid uint32) (int64, error) { return int64(oid % 7), nil })
	for round := 0; round < rounds; round++ {
		tables := randomCatalog(t, rng, 1+rng.Intn(5))
		env := &Env{Cat: catalogSet(t, tables...), User: "u", Database: "d"}
		rowsOfTable := map[string][][]types.Datum{}
		for _, vt := range Tables() {
			rows, err := vt.Rows(env)
			if err != nil {
				t.Fatalf("%s.%s: %v", vt.Schema, vt.Name, err)
			}
			for _, row := range rows {
				if len(row) != len(vt.Columns) {
					t.Fatalf("%s: %d values for %d columns", vt.Name, len(row), len(vt.Columns))
				}
				for k, d := range row {
					if !kindOK(vt.Columns[k].Type, d) {
						t.Fatalf("%s.%s: %v is not a %s", vt.Name, vt.Columns[k].Name, d, vt.Columns[k].Type)
					}
				}
			}
			rowsOfTable[vt.Name] = rows
		}
		get := func(table, col string, row []types.Datum) types.Datum {
			vt, _ := Lookup("", table)
			return row[vt.Column(col)]
		}
		natts := map[int64]int64{}
		kinds := map[int64]string{}
		for _, row := range rowsOfTable["pg_class"] {
			o := get("pg_class", "oid", row).I
			if _, dup := natts[o]; dup {
				t.Fatalf("pg_class: duplicate oid %d", o)
			}
			natts[o] = get("pg_class", "relnatts", row).I
			kinds[o] = get("pg_class", "relkind", row).S
			name := RegclassOut(env, uint32(o))
			if back, err := RegclassIn(env, name); err != nil || int64(back) != o {
				t.Fatalf("regclass %d -> %q -> %d, %v", o, name, back, err)
			}
		}
		count := map[int64]int64{}
		for _, row := range rowsOfTable["pg_attribute"] {
			rel := get("pg_attribute", "attrelid", row).I
			count[rel]++
			if get("pg_attribute", "attnum", row).I != count[rel] {
				t.Fatalf("pg_attribute of %d: attnums not 1..n", rel)
			}
		}
		for o, n := range natts {
			if count[o] != n {
				t.Fatalf("relation %d: relnatts %d, %d attributes", o, n, count[o])
			}
		}
		fc := &funcs.Context{Ctx: context.Background(), Cat: env.Cat, User: "u", Database: "d"}
		for _, row := range rowsOfTable["pg_index"] {
			ix, rel := get("pg_index", "indexrelid", row).I, get("pg_index", "indrelid", row).I
			if kinds[ix] != "i" || kinds[rel] != "r" {
				t.Fatalf("pg_index %d on %d: relkinds %q, %q", ix, rel, kinds[ix], kinds[rel])
			}
			def, err := call(t, r, fc, "pg_get_indexdef", []types.Datum{types.NewInt(ix)}, []types.Type{typOID})
			if err != nil || !strings.HasPrefix(def.S, "CREATE ") {
				t.Fatalf("pg_get_indexdef(%d) = %v, %v", ix, def, err)
			}
			size, err := call(t, r, fc, "pg_total_relation_size", []types.Datum{types.NewInt(rel)}, []types.Type{typOID})
			if err != nil || size.I%8192 != 0 || size.I < int64(rel%7)*8192 {
				t.Fatalf("pg_total_relation_size(%d) = %v, %v", rel, size, err)
			}
		}
		for _, row := range rowsOfTable["pg_constraint"] {
			con := get("pg_constraint", "oid", row).I
			if kinds[get("pg_constraint", "conindid", row).I] != "i" {
				t.Fatalf("constraint %d: conindid is not an index", con)
			}
			def, err := call(t, r, fc, "pg_get_constraintdef", []types.Datum{types.NewInt(con)}, []types.Type{typOID})
			if err != nil || def.IsNull() {
				t.Fatalf("pg_get_constraintdef(%d) = %v, %v", con, def, err)
			}
		}
		for _, row := range rowsOfTable["pg_attrdef"] {
			if kinds[get("pg_attrdef", "adrelid", row).I] != "r" {
				t.Fatalf("pg_attrdef row for a non-table")
			}
		}
	}
}

func TestLookup(t *testing.T) {
	seen := map[string]bool{}
	for _, vt := range Tables() {
		key := vt.Schema + "." + vt.Name
		if seen[key] {
			t.Errorf("%s defined twice", key)
		}
		seen[key] = true
		if len(vt.Columns) == 0 {
			t.Errorf("%s has no columns", key)
		}
		if got, ok := Lookup(strings.ToUpper(vt.Schema), vt.Name); !ok || got.OID != vt.OID {
			t.Errorf("Lookup(%s) failed", key)
		}
		if got, ok := LookupOID(vt.OID); !ok || got.Name != vt.Name {
			t.Errorf("LookupOID(%d) failed", vt.OID)
		}
	}
	for key := range pgColumns {
		if !seen[key] {
			t.Errorf("columns of %s are defined but no table uses them", key)
		}
	}
	if _, ok := Lookup("", "pg_class"); !ok {
		t.Error("unqualified pg_class not found")
	}
	if _, ok := Lookup("", "columns"); ok {
		t.Error("information_schema.columns found without its schema")
	}
}

func TestVisibility(t *testing.T) {
	set := catalogSet(t, &catalog.Table{OID: 16384, Name: "t", Columns: []catalog.Column{{Name: "a", Type: types.Int4}}})
	r := funcs.NewRegistry()
	Register(r, nil)
	for _, c := range []struct {
		path string
		oid  int64
		want string
	}{
		{"", 16384, "t"}, {"public", 16384, "t"}, {"other", 16384, "f"}, {`"$user", public`, 16384, "t"},
		{"other", 1259, "t"}, {"other", 99999, "NULL"},
	} {
		setting := func(name string) (string, bool) { return c.path, name == "search_path" && c.path != "" }
		fc := &funcs.Context{Cat: set, Setting: setting}
		got, err := call(t, r, fc, "pg_table_is_visible", []types.Datum{types.NewInt(c.oid)}, []types.Type{typOID})
		if err != nil || formatDatum(types.Bool, got) != c.want {
			t.Errorf("search_path %q: pg_table_is_visible(%d) = %v, %v; want %s", c.path, c.oid, got, err, c.want)
		}
		if c.oid == 16384 {
			want := "t"
			if c.want == "f" {
				want = "public.t"
			}
			if got := RegclassOut(&Env{Cat: set, Setting: setting}, 16384); got != want {
				t.Errorf("search_path %q: regclass %q, want %q", c.path, got, want)
			}
		}
	}
}

func FuzzDefaultExpr(f *testing.F) {
	for _, s := range []string{"0", "-1", "'x'", "now()", "CURRENT_TIMESTAMP(3)", "'a'::varchar(3)", "1 +", "'''", "NULL", "9999999999999999999999"} {
		f.Add(s)
	}
	typs := []types.Type{types.Int4, types.Int8, types.Text, types.Numeric_, types.Bool, types.Date, types.Timestamptz, {OID: types.OIDBpchar, Typmod: 5}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ty := range typs {
			if DefaultExpr(s, ty) == "" && s != "" {
				t.Fatalf("DefaultExpr(%q, %s) is empty", s, ty)
			}
		}
	})
}

func FuzzRegclassIn(f *testing.F) {
	for _, s := range []string{"t", "public.t", `"T"`, `"a""b".c`, "pg_catalog.pg_class", "a.b.c.d", `"`, "", "123", "99999999999"} {
		f.Add(s)
	}
	set := catalogSet(f, &catalog.Table{OID: 16384, Name: "t", Columns: []catalog.Column{{Name: "a", Type: types.Int4}}})
	env := &Env{Cat: set}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := RegclassIn(env, s)
		if err != nil {
			if _, ok := err.(*types.Error); !ok {
				t.Fatalf("RegclassIn(%q): error without SQLSTATE: %v", s, err)
			}
			return
		}
		if _, known := findRel(env, o); !known {
			return // a number is taken as an OID whether or not it exists
		}
		if back, err := RegclassIn(env, RegclassOut(env, o)); err != nil || back != o {
			t.Fatalf("RegclassIn(%q) = %d, round trip gives %d, %v", s, o, back, err)
		}
	})
}

// TestRegisterWithBuiltins resolves each registered signature in a registry
// that also holds the built-in functions: no name clashes into ambiguity,
// and unknown-typed literals (as psql sends them) resolve.
func TestRegisterWithBuiltins(t *testing.T) {
	r := funcs.Builtins()
	Register(r, nil)
	U, B, I4, I8 := types.Unknown, types.Bool, types.Int4, types.Int8
	textArr := types.Type{OID: types.OIDTextArray, Typmod: -1}
	for _, c := range []struct {
		name string
		args []types.Type
	}{
		{"format_type", []types.Type{typOID, I4}}, {"format_type", []types.Type{U, U}},
		{"pg_get_indexdef", []types.Type{typOID}}, {"pg_get_indexdef", []types.Type{typOID, I4, B}},
		{"pg_get_indexdef", []types.Type{typOID, types.Int2, B}},
		{"pg_get_constraintdef", []types.Type{typOID}}, {"pg_get_constraintdef", []types.Type{typOID, B}},
		{"pg_get_expr", []types.Type{types.Text, typOID}}, {"pg_get_expr", []types.Type{types.Text, typOID, B}},
		{"pg_table_is_visible", []types.Type{typOID}}, {"pg_type_is_visible", []types.Type{typOID}},
		{"pg_function_is_visible", []types.Type{typOID}}, {"pg_get_userbyid", []types.Type{typOID}},
		{"obj_description", []types.Type{typOID, U}}, {"obj_description", []types.Type{typOID}},
		{"col_description", []types.Type{typOID, I4}}, {"shobj_description", []types.Type{typOID, U}},
		{"pg_encoding_to_char", []types.Type{I4}}, {"pg_char_to_encoding", []types.Type{U}},
		{"has_table_privilege", []types.Type{U, U}}, {"has_table_privilege", []types.Type{typOID, U}},
		{"has_table_privilege", []types.Type{U, U, U}}, {"has_schema_privilege", []types.Type{U, U}},
		{"has_database_privilege", []types.Type{U, U}},
		{"pg_relation_size", []types.Type{typOID}}, {"pg_relation_size", []types.Type{typOID, U}},
		{"pg_table_size", []types.Type{typOID}}, {"pg_total_relation_size", []types.Type{typOID}},
		{"pg_indexes_size", []types.Type{typOID}}, {"pg_size_pretty", []types.Type{I8}},
		{"pg_size_pretty", []types.Type{I4}}, {"pg_relation_is_publishable", []types.Type{U}},
		{"pg_get_statisticsobjdef_columns", []types.Type{typOID}},
		{"pg_get_function_result", []types.Type{typOID}}, {"pg_get_function_arguments", []types.Type{typOID}},
		{"array_to_string", []types.Type{textArr, U}}, {"array_to_string", []types.Type{textArr, U, U}},
	} {
		if _, _, err := r.Resolve(c.name, c.args); err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
		}
	}
}
