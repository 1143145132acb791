package exec

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestSetReturningFunctions: set-returning functions in the select list
// (ProjectSet: lockstep, NULL padding, zero rows remove the input row,
// nesting, ORDER BY/DISTINCT/LIMIT/aggregates/windows around them) and in
// FROM (ROWS FROM for multi-array unnest, WITH ORDINALITY, column
// aliases). Expected results were produced by PostgreSQL 15
// (psql -A -t, rows joined by spaces).
func TestSetReturningFunctions(t *testing.T) {
	d := newTestDB(t)
	for _, tc := range []struct{ sql, want string }{
		{"select generate_series(1, 3)", "1 2 3"},
		{"select generate_series(1, 3), generate_series(1, 2)", "1|1 2|2 3|NULL"},
		{"select generate_series(1, 2), generate_series(1, 0)", "1|NULL 2|NULL"},
		{"select generate_series(1, 0), 5", ""},
		{"select x, generate_series(1, x) from (values (1), (2), (0)) v(x) order by 1, 2", "1|1 2|1 2|2"},
		{"select generate_series(1, generate_series(1, 3))", "1 1 2 1 2 3"},
		{"select generate_series(1, generate_series(1, 3)), generate_series(1, 2)", "1|1 1|2 2|2 1|NULL 2|NULL 3|NULL"},
		{"select generate_series(1, 3) + 10 as g order by g desc", "13 12 11"},
		{"select distinct unnest(array[3, 1, 3, 2]) order by 1", "1 2 3"},
		{"select unnest(array['a', 'b']), count(*) over ()", "a|1 b|1"},
		{"select count(*), generate_series(1, count(*)::int) from (values (1), (2)) v(x)", "2|1 2|2"},
		{"select generate_series(1, 5) limit 2", "1 2"},
		{"select generate_series(5, 1, -2)", "5 3 1"},
		{"select generate_series(1::bigint, 3::bigint, 2::bigint)", "1 3"},
		{"select generate_series(1.5, 3)", "1.5 2.5"},
		{"select generate_series(0.1, 0.35, 0.1)", "0.1 0.2 0.3"},
		{"select generate_series('2020-01-01'::date, '2020-01-03'::date, '1 day')::text", "2020-01-01 00:00:00+00 2020-01-02 00:00:00+00 2020-01-03 00:00:00+00"},
		{"select generate_series('2020-01-01 00:00'::timestamp, '2020-01-01 01:00', '30 minutes')::text", "2020-01-01 00:00:00 2020-01-01 00:30:00 2020-01-01 01:00:00"},
		{"select regexp_matches('abcabc', '(b)(c)', 'g')", "{b,c} {b,c}"},
		{"select regexp_matches('abcabc', 'b.')", "{bc}"},
		{"select string_to_table('a,b,,c', ',', '')", "a b NULL c"},
		{"select string_to_table('abc', null)", "a b c"},
		{"select jsonb_array_elements('[1, \"a\", null]')", "1 \"a\" null"},
		{"select jsonb_array_elements_text('[1, \"a\", null]')", "1 a NULL"},
		{"select jsonb_object_keys('{\"b\": 1, \"a\": 2}')", "a b"},
		{"select k, v from jsonb_each('{\"b\": 1, \"a\": [2]}') as t(k, v)", "a|[2] b|1"},
		{"select * from jsonb_each_text('{\"b\": 1, \"a\": null}')", "a|NULL b|1"},
		{"select * from unnest(array[1, 2], array['a', 'b', 'c'])", "1|a 2|b NULL|c"},
		{"select * from unnest(array[1, 2], array['a', 'b', 'c']) with ordinality as t(a, b, c)", "1|a|1 2|b|2 NULL|c|3"},
		{"select * from generate_series(1, 3) with ordinality", "1|1 2|2 3|3"},
		{"select g from generate_series(3, 1, -1) g", "3 2 1"},
		{"select * from generate_subscripts(array[5, 6, 7], 1)", "1 2 3"},
		{"select pg_partition_ancestors('pg_class')", ""},
		{"select * from pg_partition_tree('pg_class')", ""},
		{"select generate_series(1, 3) where false", ""},
		{"select 1 as a, unnest('{}'::int[])", ""},
		{"select unnest(array[[1, 2], [3, 4]])", "1 2 3 4"},
		{"select generate_series(1, 2) as g, 'x' as y order by g desc, y", "2|x 1|x"},
		{"select generate_series(1, 2) having count(*) > 0", "1 2"},
		{"select regexp_split_to_table('a1b22c', '[0-9]+')", "a b c"},
		{`select regexp_split_to_table('hello world', '\s*')`, "h e l l o w o r l d"},
		{"select * from regexp_split_to_table('A,b,C', ',', 'i') t", "A b C"},
		// functions after other FROM items are LATERAL
		{"select x, g from (values (1), (3)) v(x), generate_series(1, x) g order by 1, 2", "1|1 3|1 3|2 3|3"},
		{"select x, u.* from (values (1), (2)) v(x) cross join lateral unnest(array[x, x * 10]) with ordinality u(val, n) order by 1, 3", "1|1|1 1|10|2 2|2|1 2|20|2"},
		{`select v.x, j.key from (values ('{"a":1,"b":2}'::jsonb)) v(x), jsonb_each(v.x) j order by 2`, `{"a": 1, "b": 2}|a {"a": 1, "b": 2}|b`},
		{"select x, g from (values (2), (0)) v(x) left join generate_series(1, x) g on true order by 1, 2", "0|NULL 2|1 2|2"},
		{"select count(*) from generate_series(1, 3) a, generate_series(1, a) b", "6"},
		{"select * from (values (1)) v(x), generate_series(1, 2)", "1|1 1|2"},
	} {
		got, _, err := d.query(tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, g, tc.want)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"select sum(generate_series(1, 3))", "0A000"},
		{"select case when true then generate_series(1, 2) end", "0A000"},
		{"select coalesce(generate_series(1, 2), 0)", "0A000"},
		{"select 1 where generate_series(1, 2) > 1", "0A000"},
		{"select * from generate_series(1, generate_series(1, 2))", "0A000"},
		{"select lag(generate_series(1, 3)) over ()", "0A000"},
		{"select unnest(array[1, 2], array['a', 'b'])", "42883"},
		{"select generate_series(1, 3, 0)", "22023"},
		{"select jsonb_array_elements('{\"a\": 1}')", "22023"},
		{"select jsonb_object_keys('[1]')", "22023"},
		{"select * from jsonb_each('1')", "22023"},
		{"select 1 from (values (1)) v(x) join (values (1)) w(y) on generate_series(1, 2) = 1", "0A000"},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Errorf("%s: %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
}

// TestLockstepProperty: for any lengths, calls run in lockstep yield as
// many rows as the longest call, row k holding each call's k-th value or
// NULL once that call has finished.
func TestLockstepProperty(t *testing.T) {
	c := &Ctx{Ctx: context.Background()}
	rng := rand.New(rand.NewPCG(4, 2))
	for iter := 0; iter < 200; iter++ {
		n := 1 + rng.IntN(4)
		lens := make([]int64, n)
		var calls []*srfCall
		longest := int64(0)
		for i := range lens {
			lens[i] = int64(rng.IntN(5))
			longest = max(longest, lens[i])
			calls = append(calls, &srfCall{f: srfFuncs["generate_series"], name: "generate_series",
				args: []expr{&constExpr{d: types.NewInt(1), t: types.Int4}, &constExpr{d: types.NewInt(lens[i]), t: types.Int4}},
				outs: []srfOut{{"generate_series", types.Int4}}})
		}
		k := int64(0)
		err := lockstep(c, calls, nil, func(r []types.Datum) error {
			k++
			for i, d := range r {
				if k <= lens[i] {
					if d.IsNull() || d.I != k {
						t.Fatalf("lens %v row %d call %d: %v", lens, k, i, d)
					}
				} else if !d.IsNull() {
					t.Fatalf("lens %v row %d call %d: %v, want NULL", lens, k, i, d)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if k != longest {
			t.Fatalf("lens %v: %d rows, want %d", lens, k, longest)
		}
	}
}

// TestGroupBySetReturning: set-returning calls in GROUP BY keys run below
// the aggregation (PostgreSQL's ProjectSet under Agg); the select list,
// HAVING and ORDER BY read them as keys. Expected from PostgreSQL 15.
func TestGroupBySetReturning(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table srf_t (id int primary key, tags text[])")
	d.exec("insert into srf_t values (1, array['a', 'b']), (2, array['c', 'a']), (3, null)")
	for _, tc := range []struct{ sql, want string }{
		{"select unnest(tags) as tag, count(*) from srf_t group by tag order by 1", "a|2 b|1 c|1"},
		{"select unnest(tags), count(*) from srf_t group by 1 order by 1", "a|2 b|1 c|1"},
		{"select generate_series(1, id) g, count(*) from srf_t group by g order by g", "1|3 2|2 3|1"},
		{"select upper(unnest(tags)) u, count(*) from srf_t group by unnest(tags) order by 1", "A|2 B|1 C|1"},
		{"select count(*) from srf_t group by unnest(tags) having count(*) > 0 order by 1", "1 1 2"},
		{"select unnest(tags), generate_series(1, 2), count(*) from srf_t group by 1, 2 order by 1, 2", "a|1|1 a|2|1 b|2|1 c|1|1 NULL|1|1 NULL|2|1"},
	} {
		got, _, err := d.query(tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, g, tc.want)
		}
	}
}
