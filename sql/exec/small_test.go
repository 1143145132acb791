package exec

import (
	"errors"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestSmallSetTargetErrors: a qualified or subscripted SET target answers
// PostgreSQL 15's SQLSTATE (42703 when the first name is not a column of
// the table, else 0A000 since Borealis has no composite columns).
func TestSmallSetTargetErrors(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table d (id int primary key, a int, arr int[])")
	d.exec("insert into d values (1, 1, '{1}')")
	for _, tc := range []struct{ sql, code string }{
		{"update d set d.a = 1 where id = 1", "42703"},
		{"update d set x[1] = 1", "42703"},
		{"update d set arr[1] = 2", "0A000"},
		{"update d set a.b = 2", "0A000"},
		{"insert into d values (1, 2) on conflict (id) do update set d.a = 3", "42703"},
		{"insert into d values (1, 2) on conflict (id) do update set arr[1] = 3", "0A000"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			_, _, err := d.query(tc.sql)
			var te *types.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("got %v, want SQLSTATE %s", err, tc.code)
			}
		})
	}
	rows, _, err := d.query("select a, arr from d")
	if err != nil || len(rows) != 1 || rows[0] != "1|{1}" {
		t.Fatalf("table changed: %v %v", rows, err)
	}
}

// TestSmallUnknownMinusText: unknown - text resolves to jsonb - text, as in
// PostgreSQL 15 (so 'a' - 'b'::text is json's 22P02).
func TestSmallUnknownMinusText(t *testing.T) {
	d := newTestDB(t)
	for _, tc := range []struct{ sql, want, code string }{
		{`select '{"a":1,"b":2}' - 'a'::text`, `{"b": 2}`, ""},
		{`select '["a","b"]' - array['a']::text[]`, `["b"]`, ""},
		{`select 'a' - 'b'::text`, "", "22P02"},
	} {
		rows, _, err := d.query(tc.sql)
		if tc.code != "" {
			var te *types.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", tc.sql, err, tc.code)
			}
			continue
		}
		if err != nil || len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.sql, rows, err, tc.want)
		}
	}
}

// TestSmallEmptyArrayCast: ARRAY[] cast to an array type is that type's
// empty array; to anything else it stays 42P18 (PostgreSQL 15's answers).
func TestSmallEmptyArrayCast(t *testing.T) {
	d := newTestDB(t)
	for _, tc := range []struct{ sql, want, code string }{
		{`select coalesce(array[]::int[], array[1]), array[]::int[] < array[1], array[]::text[], cardinality(array[]::int[]), array[]::int[] = '{}'`, "{}|t|{}|0|t", ""},
		{`select array_length(array[]::int[] || 5, 1)`, "1", ""},
		{`select array[]::int`, "", "42P18"},
		{`select array[]`, "", "42P18"},
	} {
		rows, _, err := d.query(tc.sql)
		if tc.code != "" {
			var te *types.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", tc.sql, err, tc.code)
			}
			continue
		}
		if err != nil || len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.sql, rows, err, tc.want)
		}
	}
}

// TestSmallRecursiveForwardRef: in WITH RECURSIVE a reference to a later
// WITH query is refused with 0A000 (PostgreSQL's code for mutual recursion)
// rather than resolved to a table of that name.
func TestSmallRecursiveForwardRef(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table b (n int)")
	for _, tc := range []struct{ sql, want, code string }{
		{"with recursive a(n) as (select 1 union all select n + 1 from b where n < 3), b(n) as (select n from a) select * from a", "", "0A000"},
		{"with recursive a as (select n from b), b(n) as (select 1) select * from a", "", "0A000"},
		{"with recursive b(n) as (select 1), a as (select n from b) select * from a", "1", ""},
		{"with recursive a(n) as (select 1 union all select n + 1 from a where n < 3) select count(*) from a", "3", ""},
		{"with a as (select n from b), b(n) as (select 1) select count(*) from a", "0", ""},
	} {
		rows, _, err := d.query(tc.sql)
		if tc.code != "" {
			var te *types.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", tc.sql, err, tc.code)
			}
			continue
		}
		if err != nil || len(rows) != 1 || rows[0] != tc.want {
			t.Errorf("%s = %v, %v; want %s", tc.sql, rows, err, tc.want)
		}
	}
}
