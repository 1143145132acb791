package exec

import (
	"errors"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestHuntQueryAnswers checks the answers fixed by the adversarial difftest
// scripts (sql/testdata/diff/60-66): the expected results are PostgreSQL
// 15's (psql -At, NULL shown as NULL).
func TestHuntQueryAnswers(t *testing.T) {
	d := newTestDB(t)
	for _, s := range []string{
		"create table p (id int, k int)",
		"insert into p values (1, 1), (2, 2), (3, null)",
		"create table q (k int)",
		"insert into q values (1), (2), (2), (null)",
		"create table o (id int, a int)",
		"insert into o values (1, 3), (2, null), (3, 1), (4, 3), (5, 2), (6, null)",
		"create table ma (id int primary key, a int, b text)",
		"insert into ma values (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z')",
	} {
		d.exec(s)
	}
	for _, tc := range []struct{ sql, want string }{
		// = ALL over an empty subquery is true, even for a NULL left side.
		{"select id from p where k = all (select k from q where k = 9) order by id", "1 2 3"},
		{"select id from p where k = all (select k from q where k = 2) order by id", "2"},
		{"select id, k = all (select k from q where k is not null) from p order by id", "1|f 2|f 3|NULL"},
		{"select id from p where k = any (select k from q) order by id", "1 2"},
		// VALUES columns take the common type of every row.
		{"select * from (values (1, null), (null, 2.5)) v(x, y) order by x", "1|NULL NULL|2.5"},
		{"select pg_typeof(x) from (values (1), (2.5)) v(x) limit 1", "numeric"},
		{"select distinct * from (values (1, null), (1, null), (null, 2)) v(x, y) order by 1, 2", "1|NULL NULL|2"},
		// Merged USING columns have the common type of both sides.
		{"select a, pg_typeof(a) from (select 1::int as a) x full join (select 2.5 as a) y using (a) order by a", "1|numeric 2.5|numeric"},
		// LIMIT/OFFSET take numerics (rounded) by assignment.
		{"select id from o order by id limit 1.5", "1 2"},
		{"select id from o order by id limit 2.5 offset 0.4", "1 2 3"},
		// FETCH FIRST ... WITH TIES.
		{"select id, a from o order by a fetch first 2 rows with ties", "3|1 5|2"},
		{"select id, a from o order by a desc nulls last, id fetch first 1 rows with ties", "1|3"},
		{"select id, a from o order by a desc nulls last fetch first 1 rows with ties", "1|3 4|3"},
		{"select id, a from o order by a nulls first fetch first 1 row with ties", "2|NULL 6|NULL"},
		{"select id, a from o order by a offset 2 fetch first 1 rows with ties", "1|3 4|3"},
		{"select a from o union all select 3 order by a desc nulls last fetch first 1 rows with ties", "3 3 3"},
		// Row compared with a one-row subquery.
		{"select id from p where (id, k) = (select 2, 2)", "2"},
		{"select id from p where (id, k) < (select 2, 0) order by id", "1"},
		{"select (1, 2) = (select 1, 2 where false)", "NULL"},
		// UPDATE SET (a, b) = (...).
		{"update ma set (a, b) = (b, a::text) where id = 1 returning a, b", ""},
		{"update ma set (a, b) = (10, 'ten') where id = 1 returning *", "1|10|ten"},
		{"update ma set (b, a) = (select 'sub', 20) where id = 2 returning *", "2|20|sub"},
		// Join aliases hide the joined tables and rename the join's columns.
		{"select j.a, j.k from (p join q using (k)) as j(k, a) order by 1", "1|1 2|2 2|2"},
		{"select x.* from (p join q on p.k = q.k) x where x.id = 1", "1|1|1"},
		// ORDER BY ... USING, row IS [NOT] DISTINCT FROM, table column aliases.
		{"select id from o order by a using >, id using < limit 3", "2 6 1"},
		{"select (1, null) is not distinct from (1, null), (1, 2) is distinct from (1, null)", "t|t"},
		{"select z.x, z.a from o as z(x) where z.x < 3 order by 1", "1|3 2|NULL"},
		// min/max return the later of equal values (bpchar: the first).
		{"select max(x)::text, min(x)::text from (values (1.0), (1.00), (1.000)) v(x)", "1.000|1.000"},
		{"select max(x)::text from (values ('1 day'::interval), ('24 hours'::interval)) v(x)", "24:00:00"},
		// GROUP BY (): one group, even over no rows.
		{"select count(*), max(id) from o where false group by ()", "0|NULL"},
		{"select a, count(*) from o group by (), a order by a nulls first", "NULL|2 1|1 2|1 3|2"},
		{"with u as (update ma set (a, b) = (select a + 100, b || '!' from ma m2 where m2.id = ma.id - 1) returning *) select * from u order by id", "1|NULL|NULL 2|110|ten! 3|120|sub!"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			rows, _, err := d.query(tc.sql)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got %q, want an error", rows)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rows, " "); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHuntQueryErrors checks the SQLSTATEs PostgreSQL 15 answers.
func TestHuntQueryErrors(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table l (id int, k int, v text)")
	d.exec("create table r (id int, k int)")
	d.exec("insert into l values (1, 1, 'a')")
	d.exec("insert into r values (1, 1), (2, 1)")
	for _, tc := range []struct{ sql, code string }{
		{"insert into l (id, k) values (1)", "42601"},
		{"insert into l (id, k) select 1", "42601"},
		{"insert into l (id) values (1, 2)", "42601"},
		{"select * from l join r using (k, k)", "42701"},
		{"select id from l order by 'x'", "42601"},
		{"select id from l order by null", "42601"},
		{"select id from l order by 1.5", "42601"},
		{"select 1 union select 2 order by 'x'", "42601"},
		{"select 1 union select 2 order by 5", "42P10"},
		{"select id from l limit true", "42804"},
		{"select id from l offset 'x'::text", "42804"},
		{"select 1 fetch first 1 rows with ties", "42601"},
		{"select 1 order by 1 fetch first null rows with ties", "2201W"},
		{"select 1 where 1", "42804"},
		{"select 1 where 'abc'", "22P02"},
		{"select 1 from l join r on 1", "42804"},
		{"select id from l where (id, k) = (select 1)", "42601"},
		{"select id from l where (id, k) = (select 1, 2, 3)", "42601"},
		{"select id from l where (id, k) = (select id, k from r)", "21000"},
		{"update l set (id, k) = (select 1)", "42601"},
		{"update l set (id, k) = (1, 2, 3)", "42601"},
		{"update l set (id) = (5)", "0A000"},
		{"update l set (id, k) = (select id, k from r)", "21000"},
		{"select l.v from (l join r using (k)) j", "42P01"},
		{"select j.id from (l join r using (k)) j", "42702"},
		{"select * from (l join r using (k)) j(a, b, c, d, e, f)", "42P10"},
		{"select sum(id) over (order by id rows between current row and unbounded preceding) from l", "42P20"},
		{"select sum(id) over (order by id rows unbounded following) from l", "42P20"},
		{"select id from l order by id using <=", "42809"},
		{"select (1, 2) is distinct from 1", "42883"},
		{"select id from l group by ()", "42803"},
		{"select 1 from l group by () for update", "0A000"},
		{"with recursive r(n) as (select 1 union all select count(*) from r) select * from r", "42P19"},
		{"select (1, 2) is distinct from (1, 2, 3)", "42601"},
		{"select * from l as x(a, b, c, d)", "42P10"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			_, _, err := d.query(tc.sql)
			var te *types.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("got %v, want SQLSTATE %s", err, tc.code)
			}
		})
	}
}
