package exec

import (
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// The expected results below are PostgreSQL 15's answers to the same
// statements on the same data (psql -At, NULL shown as NULL).

var subqSetup = []string{
	"create table a (id int primary key, v int, grp text)",
	"create table b (id int primary key, a_id int, w int)",
	"insert into a values (1, 10, 'x'), (2, 20, 'x'), (3, 30, 'y'), (4, null, 'z')",
	"insert into b values (1, 1, 100), (2, 1, 200), (3, 3, 300), (4, null, 400)",
	"create table s1 (x int)",
	"create table s2 (x int)",
	"insert into s1 values (1), (2), (2), (3), (null)",
	"insert into s2 values (2), (3), (3), (4), (null)",
	"create table tree (id int, parent int, name text)",
	"insert into tree values (1, null, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, 3, 'b1')",
}

func subqDB(t *testing.T) *testDB {
	d := newTestDB(t)
	for _, s := range subqSetup {
		d.exec(s)
	}
	return d
}

// TestSubqueriesSetOpsCTEs runs subquery expressions (scalar, IN, NOT IN,
// EXISTS, ANY/ALL, ARRAY, correlated at one and two levels), set
// operations and WITH [RECURSIVE] queries.
func TestSubqueriesSetOpsCTEs(t *testing.T) {
	d := subqDB(t)
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"select id, (select max(w) from b) as maxw from a order by id", "1|400 2|400 3|400 4|400"},
		{"select id, (select w from b where b.id = a.id) from a order by id", "1|100 2|200 3|300 4|400"},
		{"select id, (select count(*) from b where b.a_id = a.id) as n from a order by id", "1|2 2|0 3|1 4|0"},
		{"select id from a where id in (select a_id from b) order by id", "1 3"},
		{"select id from a where id not in (select a_id from b where a_id is not null) order by id", "2 4"},
		{"select id from a where id not in (select a_id from b) order by id", ""},
		{"select id from a where exists (select 1 from b where b.a_id = a.id) order by id", "1 3"},
		{"select id from a where not exists (select 1 from b where b.a_id = a.id) order by id", "2 4"},
		{"select id, v from a where v > (select avg(v) from a) order by id", "3|30"},
		{"select id from a where v = any (select w / 10 from b) order by id", "1 2 3"},
		{"select id from a where v > all (select v from a where grp = 'x' and v is not null) order by id", "3"},
		{"select id from a where v > all (select v from a where grp = 'nope') order by id", "1 2 3 4"},
		{"select id, v < all (select v from a) from a order by id", "1|f 2|f 3|f 4|NULL"},
		{"select id, v = any (select v from a where id > 2) from a order by id", "1|NULL 2|NULL 3|t 4|NULL"},
		{"select id, (select b.w from b where b.a_id = a.id order by b.w desc limit 1) from a order by id", "1|200 2|NULL 3|300 4|NULL"},
		{"select id from a a1 where v = (select max(v) from a a2 where a2.grp = a1.grp) order by id", "2 3"},
		{"select (select 1 from b where id > 100)", "NULL"},
		{"select array(select w from b order by w desc)", "{400,300,200,100}"},
		{"select array(select grp from a where id > 5)", "{}"},
		{"select id, array(select w from b where b.a_id = a.id order by w) from a order by id", "1|{100,200} 2|{} 3|{300} 4|{}"},
		{"select id, (select (select a.v + b.w from b where b.id = a.id)) from a order by id", "1|110 2|220 3|330 4|NULL"},
		{"select id, exists (select 1 from b where b.a_id = a.id and b.w > 150) from a order by id", "1|t 2|f 3|t 4|f"},
		{"select id from a order by (select count(*) from b where b.a_id = a.id) desc, id", "1 3 2 4"},
		{"select x from s1 union select x from s2 order by x", "1 2 3 4 NULL"},
		{"select x from s1 union all select x from s2 order by x nulls first", "NULL NULL 1 2 2 2 3 3 3 4"},
		{"select x from s1 intersect select x from s2 order by x", "2 3 NULL"},
		{"select x from s1 intersect all select x from s2 order by x", "2 3 NULL"},
		{"select x from s1 except select x from s2 order by x", "1"},
		{"select x from s1 except all select x from s2 order by x", "1 2"},
		{"select x from s2 except select x from s1 order by x", "4"},
		{"select 1 as a, 'one' as b union select 2, 'two' order by a", "1|one 2|two"},
		{"select x from s1 union select x from s2 order by x desc limit 2", "NULL 4"},
		{"(select x from s1 order by x limit 1) union all (select x from s2 order by x desc nulls last limit 1) order by x", "1 4"},
		{"select count(*) from (select x from s1 union select x from s2) u", "5"},
		{"select x from s1 union select x from s2 except select x from s1 where x = 3 order by 1", "1 2 4 NULL"},
		{"select x from s1 union (select x from s2 except select 2) order by 1", "1 2 3 4 NULL"},
		{"select 1 union select 2.5 order by 1", "1 2.5"},
		{"select 'a' union select 'b' order by 1", "a b"},
		{"select null union select 1 order by 1", "1 NULL"},
		{"select x from s1 where x in (select x from s2 union select 1) order by x", "1 2 2 3"},
		{"with t as (select x * 10 as y from s1 where x is not null) select y from t order by y", "10 20 20 30"},
		{"with t as (select x from s1), u as (select x from s2) select t.x from t join u on t.x = u.x order by 1", "2 2 3 3"},
		{"with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) select sum(n), count(*) from r", "55|10"},
		{"with recursive fib(a, b, i) as (select 0::bigint, 1::bigint, 1 union all select b, a + b, i + 1 from fib where i < 20) select a from fib order by i desc limit 1", "4181"},
		{"with recursive sub as (select id, name, 0 as depth from tree where id = 2 union all select t.id, t.name, s.depth + 1 from tree t join sub s on t.parent = s.id) select * from sub order by depth, id", "2|a|0 4|a1|1 5|a1x|2"},
		{"with recursive path(id, p) as (select id, name::text from tree where parent is null union all select t.id, path.p || '/' || t.name from tree t join path on t.parent = path.id) select p from path order by p", "root root/a root/a/a1 root/a/a1/a1x root/b root/b/b1"},
		{"with cnt as (select count(*) as c from tree) select c, c * 2 from cnt", "6|12"},
		{"with recursive r(n) as (select 1 union select n from r) select n from r", "1"},
		{"with recursive t(n) as (select 1 union all select n + 1 from t) select n from t limit 5", "1 2 3 4 5"},
		{"with t(a, b) as (select 1, 2) select b, a from t", "2|1"},
		{"with t as (select 1 as one) select * from t t1, t t2", "1|1"},
		{"with t as (select id from a) select id from a where id in (select id from t where id > 2) order by id", "3 4"},
		{"select * from (with q as (select 5 as z) select z + 1 as z1 from q) s", "6"},
		{"select a.id, s.w from a, lateral (select w from b where b.a_id = a.id order by w desc limit 1) s order by a.id", "1|200 3|300"},
		{"select a.id, s.w from a left join lateral (select w from b where b.a_id = a.id order by w desc limit 1) s on true order by a.id", "1|200 2|NULL 3|300 4|NULL"},
		{"select a.id, s.w from a join lateral (select w from b where b.a_id = a.id) s on s.w > 150 order by a.id, s.w", "1|200 3|300"},
		{"select a.id, s.n, s.m from a cross join lateral (select count(*) as n, max(w) as m from b where b.a_id = a.id) s order by a.id", "1|2|200 2|0|NULL 3|1|300 4|0|NULL"},
		{"select a.id, t.x from a, lateral (select a.v * 2 as x union all select a.v * 3) t where a.id < 3 order by 1, 2", "1|20 1|30 2|40 2|60"},
		{"select count(*) from a right join lateral (select 1 as one) s on true", "4"},
		{"with r as (select random() as x) select r1.x = r2.x from r r1, r r2", "t"},
		{"select count(distinct x) from (select (select random()) as x from a) s", "1"},
		{"select grp, count(*) from a a1 group by grp having (select count(*) from a a2 where a2.grp = a1.grp) > 1", "x|2"},
		{"select grp from a a1 group by grp order by (select count(*) from a a2 where a2.grp = a1.grp) desc, grp desc", "x z y"},
		{"select distinct on (grp) grp, (select max(w) from b where b.a_id = a.id) from a order by grp, id desc", "x|NULL y|300 z|NULL"},
		{"select id, sum(v) over (order by id), (select count(*) from b where b.a_id = a.id) from a order by id", "1|10|2 2|30|0 3|60|1 4|60|0"},
		{"select grp, (select count(*) from a a2 where a2.grp = a1.grp) from a a1 group by grp order by grp", "x|2 y|1 z|1"},
		{"select id from a where (v, grp) in (select v, grp from a where id < 3) order by id", "1 2"},
		{"select id, (v, grp) not in (select v, grp from a where id > 2), (id, v) = any (select a_id, w/10 from b) from a order by id", "1|t|t 2|t|f 3|f|t 4|NULL|NULL"},
		{"select grp, count(*) from a a1 group by grp having count(*) < (select count(*) from b where b.a_id is not null) - 1 order by grp", "y|1 z|1"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			if got := strings.Join(d.exec(tc.sql), " "); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSubqueryErrors checks the SQLSTATEs PostgreSQL answers.
func TestSubqueryErrors(t *testing.T) {
	d := subqDB(t)
	for _, tc := range []struct{ sql, code string }{
		{"select (select id from b)", "21000"},
		{"select (select id, w from b)", "42601"},
		{"select id from a where id in (select id, w from b)", "42601"},
		{"select 1 union select 'a'", "22P02"},
		{"select 1 union select 1, 2", "42601"},
		{"select 1 union select true", "42804"},
		{"select x from s1 union select x from s2 order by s1.x", "42P01"},
		{"select x from s1 union select x from s2 order by x + 1", "0A000"},
		{"select x from s1 union select x from s2 order by nope", "42703"},
		{"with t(a, b) as (select 1) select * from t", "42P10"},
		{"with t as (select 1), t as (select 2) select 1", "42712"},
		{"with recursive r(n) as (select n from r union all select 1) select 1", "42P19"},
		{"with recursive r(n) as (select 1 union all select n::bigint + 1 from r where n < 3) select * from r", "42804"},
		{"select array(select 1, 2)", "42601"},
		{"create view v9 as select 1, 2", "42701"},
		{"select grp, (select max(w) from b where b.a_id < a1.id) from a a1 group by grp", "42803"},
		{"select (1,2) in (select 1)", "42601"},
		{"select a.id, s.w from a right join lateral (select w from b where b.a_id = a.id) s on true", "42P10"},
		{"create table zz (a int default (select 1))", "0A000"},
		{"create view vp as select $1::int as p", "42P02"},
		{"create table zz (a int check (a > (select 1)))", "0A000"},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}

// TestViewsAndDMLSubqueries runs, in order, DML with subqueries and WITH,
// and CREATE [OR REPLACE] / DROP VIEW; want is the rows or "ERROR code".
func TestViewsAndDMLSubqueries(t *testing.T) {
	d := subqDB(t)
	for _, tc := range []struct{ sql, want string }{
		{"create table c (id int primary key, n int)", ""},
		{"insert into c select id, v from a where v is not null", ""},
		{"update c set n = (select max(w) from b where b.a_id = c.id) where id in (select a_id from b)", ""},
		{"select id, n from c order by id", "1|200 2|20 3|300"},
		{"delete from c where exists (select 1 from b where b.a_id = c.id and b.w > 250)", ""},
		{"select id, n from c order by id", "1|200 2|20"},
		{"with src as (select id + 10 as id, v from a where v is not null) insert into c select id, v from src", ""},
		{"select count(*), sum(n) from c", "5|280"},
		{"with big as (select id from c where n > 15) update c set n = -n where id in (select id from big)", ""},
		{"select id, n from c order by id", "1|-200 2|-20 11|10 12|-20 13|-30"},
		{"with gone as (select id from c where n < 0) delete from c where id in (select id from gone)", ""},
		{"select id, n from c order by id", "11|10"},
		{"create view va as select id, v * 2 as v2 from a where v is not null", ""},
		{"select * from va order by id", "1|20 2|40 3|60"},
		{"select va.v2, b.w from va join b on b.a_id = va.id order by 1, 2", "20|100 20|200 60|300"},
		{"create view va as select 1 as z", "ERROR 42P07"},
		{"create or replace view va as select id, v * 2 as v2, grp from a", ""},
		{"select id, v2, grp from va order by id", "1|20|x 2|40|x 3|60|y 4|NULL|z"},
		{"create or replace view va as select id from a", "ERROR 42P16"},
		{"create or replace view va as select id, v as v3 from a", "ERROR 42P16"},
		{"create view vb (k, cnt) as select grp, count(*) from a group by grp", ""},
		{"select k, cnt from vb where k in (select grp from va) order by k", "x|2 y|1 z|1"},
		{"insert into va values (9, 9, 'q')", "ERROR 0A000"},
		{"drop table va", "ERROR 42809"},
		{"drop view c", "ERROR 42809"},
		{"drop view vb", ""},
		{"drop view if exists vb", ""},
		{"drop view nope", "ERROR 42P01"},
		{"select * from vb", "ERROR 42P01"},
		{"drop view va", ""},
	} {
		rows, _, err := d.query(tc.sql)
		got := strings.Join(rows, " ")
		if err != nil {
			got = "ERROR " + err.Error()
			if te, ok := err.(*types.Error); ok {
				got = "ERROR " + te.Code
			}
		}
		if got != tc.want {
			t.Fatalf("%s: got %q, want %q", tc.sql, got, tc.want)
		}
	}
}

// TestSubqueryColumnNames checks the result column names PostgreSQL gives
// subqueries in a select list.
func TestSubqueryColumnNames(t *testing.T) {
	d := subqDB(t)
	_, p, err := d.query("select (select w from b limit 1), exists(select 1), array(select 1), 1 in (select 1), (select 1 union select 2 limit 1), (values (1))")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, ","), "w,exists,array,?column?,?column?,column1"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestDataModifyingCTEs runs INSERT/UPDATE/DELETE ... RETURNING in WITH
// (each runs once, before the main query, which does not see its changes)
// in order; want is PostgreSQL's rows or "ERROR code".
func TestDataModifyingCTEs(t *testing.T) {
	d := newTestDB(t)
	for _, tc := range []struct{ sql, want string }{
		{"create table dm (id int primary key, v int)", ""},
		{"insert into dm values (1, 10), (2, 20), (3, 30)", ""},
		{"with ins as (insert into dm values (4, 40), (5, 50) returning id, v) select id, v, (select count(*) from dm) as before from ins order by id", "4|40|3 5|50|3"},
		{"select count(*), sum(v) from dm", "5|150"},
		{"with d as (delete from dm where v > 35 returning id) select count(*) from d", "2"},
		{"select count(*), sum(v) from dm", "3|60"},
		{"with u as (update dm set v = v + 1 where id < 3 returning id, v) select * from u order by id", "1|11 2|21"},
		{"with u as (update dm set v = v + 1 where id = 3) select 1", "1"},
		{"select id, v from dm order by id", "1|11 2|21 3|31"},
		{"with u as (update dm set v = v + 1 where id = 3) select * from u", "ERROR 0A000"},
		{"with x as (delete from dm where id = 1 returning *) insert into dm select id + 10, v from x", ""},
		{"select id, v from dm order by id", "2|21 3|31 11|11"},
		{"select * from (with i as (insert into dm values (99, 0) returning id) select * from i) s", "ERROR 0A000"},
	} {
		rows, _, err := d.query(tc.sql)
		got := strings.Join(rows, " ")
		if err != nil {
			got = "ERROR " + err.Error()
			if te, ok := err.(*types.Error); ok {
				got = "ERROR " + te.Code
			}
		}
		if got != tc.want {
			t.Fatalf("%s: got %q, want %q", tc.sql, got, tc.want)
		}
	}
}

// TestDataModifyingCTEPlanWrites: a SELECT whose WITH holds DML is a
// writing statement (refused in read-only transactions as the DML).
func TestDataModifyingCTEPlanWrites(t *testing.T) {
	d := subqDB(t)
	for _, tc := range []struct {
		sql      string
		readOnly bool
		command  string
	}{
		{"with i as (insert into s1 values (1) returning x) select * from i", false, "INSERT"},
		{"with i as (select x from s1) select * from i", true, ""},
	} {
		st, err := ast.ParseOne(tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.db.Build(st, d.db.Cat.Current(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.ReadOnly != tc.readOnly || p.WriteCommand != tc.command {
			t.Errorf("%s: ReadOnly %v WriteCommand %q, want %v %q", tc.sql, p.ReadOnly, p.WriteCommand, tc.readOnly, tc.command)
		}
	}
}
