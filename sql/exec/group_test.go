package exec

import (
	"errors"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// groupSetup is the table the grouping and window tests query.
var groupSetup = []string{
	"create table emp (id int primary key, dept text, name text, sal numeric(8,2), bonus int, active boolean)",
	"insert into emp values (1, 'eng', 'ann', 100.00, 10, true), (2, 'eng', 'bob', 120.50, null, true), (3, 'ops', 'cat', 90.00, 5, false), (4, 'ops', 'dan', 90.00, 5, true), (5, 'eng', 'eve', 150.00, 20, true), (6, null, 'fay', 70.00, null, null), (7, 'hr', 'gus', 80.25, 0, false)",
}

// TestGroupingAndWindows runs GROUP BY, DISTINCT, aggregate options and
// window function queries; the expected rows and SQLSTATEs are
// PostgreSQL 15's answers to the same statements on the same table.
func TestGroupingAndWindows(t *testing.T) {
	d := newTestDB(t)
	for _, s := range groupSetup {
		if _, _, err := d.query(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	cases := []struct {
		sql  string
		rows []string
		code string
	}{
		{"select dept, count(*), sum(sal), avg(bonus) from emp group by dept order by dept nulls first", []string{"NULL|1|70.00|NULL", "eng|3|370.50|15.0000000000000000", "hr|1|80.25|0.00000000000000000000", "ops|2|180.00|5.0000000000000000"}, ""},
		{"select dept, active, count(*) from emp group by 1, 2 order by 1, 2", []string{"eng|t|3", "hr|f|1", "ops|f|1", "ops|t|1", "NULL|NULL|1"}, ""},
		{"select upper(dept) as u, max(sal) from emp group by u order by u", []string{"ENG|150.00", "HR|80.25", "OPS|90.00", "NULL|70.00"}, ""},
		{"select dept, sum(bonus) * 2 from emp group by dept having count(*) > 1 order by 1", []string{"eng|60", "ops|20"}, ""},
		{"select id, name, sal from emp group by id order by id", []string{"1|ann|100.00", "2|bob|120.50", "3|cat|90.00", "4|dan|90.00", "5|eve|150.00", "6|fay|70.00", "7|gus|80.25"}, ""},
		{"select count(*) from emp where false", []string{"0"}, ""},
		{"select dept, count(*) from emp where false group by dept", []string{}, ""},
		{"select count(*) from emp having count(*) > 10", []string{}, ""},
		{"select count(distinct dept), count(distinct sal), sum(distinct sal) from emp", []string{"3|6|610.75"}, ""},
		{"select string_agg(name, ',' order by sal desc, name) from emp", []string{"eve,bob,ann,cat,dan,gus,fay"}, ""},
		{"select string_agg(distinct dept, '/') from emp", []string{"eng/hr/ops"}, ""},
		{"select array_agg(distinct bonus order by bonus desc) from emp", []string{"{NULL,20,10,5,0}"}, ""},
		{"select count(*) filter (where sal > 90), sum(bonus) filter (where active) from emp", []string{"3|35"}, ""},
		{"select bool_and(active), bool_or(active), every(sal > 60) from emp", []string{"f|t|t"}, ""},
		{"select distinct dept from emp order by dept", []string{"eng", "hr", "ops", "NULL"}, ""},
		{"select distinct on (dept) dept, name from emp order by dept, sal desc, name", []string{"eng|eve", "hr|gus", "ops|cat", "NULL|fay"}, ""},
		{"select distinct on (active) name from emp order by active, id", []string{"cat", "ann", "fay"}, ""},
		{"select name from emp order by bonus nulls first, id", []string{"bob", "fay", "gus", "cat", "dan", "ann", "eve"}, ""},
		{"select name from emp order by id limit 2 offset 3", []string{"dan", "eve"}, ""},
		{"select name from emp order by id limit all offset 5", []string{"fay", "gus"}, ""},
		{"select id, row_number() over (partition by dept order by id), rank() over (order by sal), dense_rank() over (order by sal) from emp order by id", []string{"1|1|5|4", "2|2|6|5", "3|1|3|3", "4|2|3|3", "5|3|7|6", "6|1|1|1", "7|1|2|2"}, ""},
		{"select id, percent_rank() over (order by sal), cume_dist() over (order by sal), ntile(3) over (order by id) from emp order by id", []string{"1|0.6666666666666666|0.7142857142857143|1", "2|0.8333333333333334|0.8571428571428571|1", "3|0.3333333333333333|0.5714285714285714|1", "4|0.3333333333333333|0.5714285714285714|2", "5|1|1|2", "6|0|0.14285714285714285|3", "7|0.16666666666666666|0.2857142857142857|3"}, ""},
		{"select id, lag(name) over w, lead(name, 2, 'none') over w from emp window w as (order by id) order by id", []string{"1|NULL|cat", "2|ann|dan", "3|bob|eve", "4|cat|fay", "5|dan|gus", "6|eve|none", "7|fay|none"}, ""},
		{"select id, sum(sal) over (partition by dept order by id), count(*) over () from emp order by id", []string{"1|100.00|7", "2|220.50|7", "3|90.00|7", "4|180.00|7", "5|370.50|7", "6|70.00|7", "7|80.25|7"}, ""},
		{"select id, sum(bonus) over (order by id rows between 1 preceding and 1 following) from emp order by id", []string{"1|10", "2|15", "3|10", "4|30", "5|25", "6|20", "7|0"}, ""},
		{"select id, sum(id) over (order by sal groups between 1 preceding and current row) from emp order by id", []string{"1|8", "2|3", "3|14", "4|14", "5|7", "6|6", "7|13"}, ""},
		{"select id, sum(id) over (order by id rows between unbounded preceding and unbounded following exclude current row) from emp order by id", []string{"1|27", "2|26", "3|25", "4|24", "5|23", "6|22", "7|21"}, ""},
		{"select id, first_value(name) over w, last_value(name) over w, nth_value(name, 2) over w from emp window w as (order by id rows between 1 preceding and 1 following) order by id", []string{"1|ann|bob|bob", "2|ann|cat|bob", "3|bob|dan|cat", "4|cat|eve|dan", "5|dan|fay|eve", "6|eve|gus|fay", "7|fay|gus|gus"}, ""},
		{"select id, count(*) over (order by sal range between 10 preceding and 10 following) from emp order by id", []string{"1|3", "2|1", "3|4", "4|4", "5|1", "6|1", "7|3"}, ""},
		{"select dept, sum(sal), rank() over (order by sum(sal) desc) from emp group by dept order by dept", []string{"eng|370.50|1", "hr|80.25|3", "ops|180.00|2", "NULL|70.00|4"}, ""},
		{"select dept, count(*), sum(count(*)) over () from emp group by dept order by dept", []string{"eng|3|7", "hr|1|7", "ops|2|7", "NULL|1|7"}, ""},
		{"select dept, name from emp group by dept", nil, "42803"},
		{"select count(*) from emp group by 3", nil, "42P10"},
		{"select count(*) from emp group by 'x'", nil, "42601"},
		{"select count(*) from emp group by count(*)", nil, "42803"},
		{"select distinct dept from emp order by name", nil, "42P10"},
		{"select distinct on (dept) dept, name from emp order by name", nil, "42P10"},
		{"select name from emp order by 9", nil, "42P10"},
		{"select id from emp where row_number() over () > 1", nil, "42P20"},
		{"select dept from emp group by dept having rank() over () > 0", nil, "42P20"},
		{"select sum(row_number() over ()) from emp", nil, "42803"},
		{"select lower(name) over () from emp", nil, "42809"},
		{"select id, row_number() over nosuch from emp", nil, "42704"},
		{"select id, ntile(0) over () from emp", nil, "22014"},
		{"select string_agg(distinct name, ',' order by sal) from emp", nil, "42P10"},
		{"select id, sum(id) over (order by name range 1 preceding) from emp", nil, "0A000"},
		{"select id, rank(id) over () from emp", nil, "42809"},
		{"select sum(sum(sal)) from emp", nil, "42803"},
		{"select id as x, name as x from emp order by x", nil, "42702"},
		{"select id as x, id as x from emp order by x limit 2", []string{"1|1", "2|2"}, ""},
		{"select id, sum(id) over w, count(*) over w from emp window w as (order by sal groups between current row and 1 following exclude group) order by id", []string{"1|2|1", "2|5|1", "3|1|1", "4|1|1", "5|NULL|0", "6|7|1", "7|7|2"}, ""},
		{"select id, first_value(name) over w, last_value(name) over w, nth_value(name, 2) over w from emp window w as (order by sal, id rows between 1 preceding and 1 following exclude current row) order by id", []string{"1|dan|bob|bob", "2|ann|eve|eve", "3|gus|dan|dan", "4|cat|ann|ann", "5|bob|bob|NULL", "6|gus|gus|NULL", "7|fay|cat|cat"}, ""},
		{"select * from emp group by id order by id", []string{"1|eng|ann|100.00|10|t", "2|eng|bob|120.50|NULL|t", "3|ops|cat|90.00|5|f", "4|ops|dan|90.00|5|t", "5|eng|eve|150.00|20|t", "6|NULL|fay|70.00|NULL|NULL", "7|hr|gus|80.25|0|f"}, ""},
		{"select * from emp group by dept", nil, "42803"},
		{"select e.* from emp e group by e.id order by 1 limit 2", []string{"1|eng|ann|100.00|10|t", "2|eng|bob|120.50|NULL|t"}, ""},
		{"select * from emp e join emp f using (id) group by e.id order by 1 limit 1", nil, "42803"},
	}
	for _, c := range cases {
		rows, _, err := d.query(c.sql)
		if c.code != "" {
			var te *types.Error
			if !errors.As(err, &te) || te.Code != c.code {
				t.Errorf("%s: got %v, want SQLSTATE %s", c.sql, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if strings.Join(rows, "\n") != strings.Join(c.rows, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.sql, rows, c.rows)
		}
	}
}
