package exec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// psqlSchema creates sql/testdata/psql/schema.sql's tables in d.
func psqlSchema(t *testing.T, d *testDB) {
	t.Helper()
	text, err := os.ReadFile("../testdata/psql/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range strings.Split(string(text), ";\n") {
		if st = strings.TrimSpace(st); st != "" {
			d.exec(st)
		}
	}
}

// TestPsqlQueriesPlan runs every statement psql 15 sends for its
// meta-commands (sql/testdata/psql/queries) over the schema they were
// captured on: each must plan and run, and the listing queries must name
// the schema's relations as PostgreSQL does (sql/testdata/psql/expected).
func TestPsqlQueriesPlan(t *testing.T) {
	d := newTestDB(t)
	psqlSchema(t, d)
	files, err := filepath.Glob("../testdata/psql/queries/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no psql queries: %v", err)
	}
	results := map[string][]string{}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range strings.Split(string(text), ";\n") {
			var lines []string
			for _, l := range strings.Split(st, "\n") {
				if !strings.HasPrefix(l, "--") {
					lines = append(lines, l)
				}
			}
			st = strings.TrimSpace(strings.Join(lines, "\n"))
			if st == "" {
				continue
			}
			rows, _, err := d.query(st)
			if err != nil {
				t.Errorf("%s #%d: %v\n%s", filepath.Base(f), i+1, err, st)
				continue
			}
			if i == 0 {
				results[strings.TrimSuffix(filepath.Base(f), ".sql")] = rows
			}
		}
	}
	for _, tc := range []struct{ name, want string }{
		{"dt", "public|accounts|table|postgres public|orders|table|postgres"},
		{"ds", "public|order_seq|sequence|postgres"},
		{"d", "public|accounts|table|postgres public|order_seq|sequence|postgres public|orders|table|postgres"},
		{"dn", "public|pg_database_owner"},
		{"di", "public|accounts_name_key|index|postgres|accounts public|accounts_pkey|index|postgres|accounts " +
			"public|orders_account_idx|index|postgres|orders public|orders_code_idx|index|postgres|orders public|orders_pkey|index|postgres|orders"},
		{"tabcomplete", "accounts|NULL"},
	} {
		if got := strings.Join(results[tc.name], " "); got != tc.want {
			t.Errorf("\\%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestCatalogRelations covers pg_catalog / information_schema name
// resolution and the reg* casts; expected values are PostgreSQL 15's.
func TestCatalogRelations(t *testing.T) {
	d := newTestDB(t)
	psqlSchema(t, d)
	for _, tc := range []struct{ sql, want string }{
		{"select 'pg_class'::regclass::oid, 1259::regclass::text, 'accounts'::regclass::text, 23::regtype::text, 'integer'::regtype::oid, 'pg_catalog'::regnamespace::oid, 2200::regnamespace::text",
			"1259|pg_class|accounts|integer|23|11|public"},
		{"select relkind from pg_class where oid = 'accounts'::regclass", "r"},
		{"select relname from pg_catalog.pg_class where oid = 'accounts_pkey'::regclass", "accounts_pkey"},
		{"select table_name from information_schema.tables where table_schema = 'public' and table_name like 'acc%' order by 1", "accounts"},
		{"select format_type(23, -1), format_type(1043, 44)", "integer|character varying(40)"},
		{"select c.oid::regclass from pg_class c where relname = 'accounts'", "accounts"},
		{"select 'accounts'::regclass = 'accounts'::regclass::oid, pg_table_is_visible('accounts'::regclass)", "t|t"},
		{"select 'character varying'::regtype, 'public.accounts'::regclass, '\"accounts\"'::regclass", "character varying|accounts|accounts"},
		{"select nspname from pg_namespace where oid = 'public'::regnamespace", "public"},
		{"select conname, contype from pg_constraint where conrelid = 'accounts'::regclass order by 1", "accounts_name_key|u accounts_pkey|p"},
		{"select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'accounts'::regclass and attnum > 0 order by attnum",
			"id|integer name|character varying(40) balance|numeric(12,2) created|timestamp with time zone note|text"},
		{"select 'pg_class'::regclass::oid = 1259, 1259 = 'pg_class'::regclass", "t|t"},
		{"select relname from pg_class where relname = 'order_seq' and relkind = 'S'", "order_seq"},
		{"select count(*) from pg_class where relname = 'pg_class'", "1"},
		{"create schema s1", ""},
		{"create table s1.t (a int primary key)", ""},
		{"select 's1.t'::regclass, 's1'::regnamespace, pg_table_is_visible('s1.t'::regclass)", "s1.t|s1|f"},
		{"select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 's1' order by 2", "s1|t s1|t_pkey"},
		{"select x from unnest(array[3,1,2]) x", "3 1 2"},
		{"select count(*) from unnest(null::int[])", "0"},
		{"select u.v from unnest(array['a','b']) as u(v) order by 1 desc", "b a"},
		{"select unnest from unnest(array[1])", "1"},
		{"select c.relname, array(select 'toast.' || x from unnest(t.reloptions) x) from pg_class c left join pg_class t on c.reltoastrelid = t.oid where c.relname = 'accounts'", "accounts|{}"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			rows, _, err := d.query(tc.sql)
			if got := strings.Join(rows, " "); err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ sql, code string }{
		{"select 'nosuch'::regclass", CodeUndefinedTable},
		{"select 'nosuch'::regtype", types.CodeUndefinedObject},
		{"select 'nosuch'::regnamespace", CodeUndefinedSchema},
		{"select * from pg_catalog.nosuch", CodeUndefinedTable},
		{"select * from information_schema.nosuch", CodeUndefinedTable},
		{"select 1::regclass::text, '-1'::regclass", CodeUndefinedTable},
		{"select true::regclass", types.CodeCannotCoerce},
		{"select * from unnest(1)", types.CodeUndefinedFunction},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
