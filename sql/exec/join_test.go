package exec

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// testDB is an in-memory database that runs SQL statements, each in its
// own transaction.
type testDB struct {
	tb testing.TB
	db *DB
}

func newTestDB(tb testing.TB) *testDB {
	tb.Helper()
	db, err := Open(context.Background(), memlog.New(nil), 8<<20, true)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	return &testDB{tb: tb, db: db}
}

// query runs sql and returns its rows as text ("NULL" for NULL), or the
// error.
func (d *testDB) query(sql string) ([]string, *Plan, error) {
	ctx := context.Background()
	st, err := ast.ParseOne(sql)
	if err != nil {
		return nil, nil, err
	}
	p, err := d.db.Build(st, d.db.Cat.Current(), nil)
	if err != nil {
		return nil, nil, err
	}
	tx := d.db.Mgr.Begin(txn.ReadCommitted)
	if err := d.db.AssignXid(ctx, tx); err != nil {
		d.tb.Fatal(err)
	}
	c := &Ctx{Ctx: ctx, DB: d.db, Tx: tx, Snap: tx.Snapshot(), Cat: d.db.Cat.Current(), Env: &types.Env{}}
	var rows []string
	_, err = p.Run(c, func(r []types.Datum) error {
		var b strings.Builder
		for i, v := range r {
			if i > 0 {
				b.WriteByte('|')
			}
			if v.IsNull() {
				b.WriteString("NULL")
			} else {
				b.WriteString(types.FormatText(p.ColTypes[i], v, nil))
			}
		}
		rows = append(rows, b.String())
		return nil
	})
	if err != nil {
		tx.Abort()
		return nil, p, err
	}
	if err := tx.Commit(ctx); err != nil {
		d.tb.Fatal(err)
	}
	if p.DDL {
		if err := d.db.Cat.Refresh(ctx); err != nil {
			d.tb.Fatal(err)
		}
	}
	return rows, p, nil
}

func (d *testDB) exec(sql string) []string {
	d.tb.Helper()
	rows, _, err := d.query(sql)
	if err != nil {
		d.tb.Fatalf("%s: %v", sql, err)
	}
	return rows
}

func TestJoins(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table emp (id int primary key, name text, dept int)")
	d.exec("create table dept (dept int primary key, dname text)")
	d.exec("insert into emp values (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', null), (4, 'di', 10)")
	d.exec("insert into dept values (10, 'eng'), (30, 'ops')")
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"select e.name, d.dname from emp e join dept d on e.dept = d.dept order by e.id", "ann|eng di|eng"},
		{"select e.name, d.dname from emp e left join dept d on e.dept = d.dept order by e.id", "ann|eng bob|NULL cy|NULL di|eng"},
		{"select e.name, d.dname from emp e right join dept d on e.dept = d.dept order by d.dept, e.id", "ann|eng di|eng NULL|ops"},
		{"select e.name, d.dname from emp e full join dept d on e.dept = d.dept order by e.id nulls last", "ann|eng bob|NULL cy|NULL di|eng NULL|ops"},
		{"select count(*) from emp cross join dept", "8"},
		{"select count(*) from emp, dept where emp.dept = dept.dept", "2"},
		{"select dept, name, dname from emp join dept using (dept) order by name", "10|ann|eng 10|di|eng"},
		{"select dept, name from emp full join dept using (dept) order by dept, name", "10|ann 10|di 20|bob 30|NULL NULL|cy"},
		{"select * from emp natural join dept order by id", "10|1|ann|eng 10|4|di|eng"},
		{"select a.name, b.name from emp a join emp b on a.id < b.id and a.dept = b.dept", "ann|di"},
		{"select x.n from (select id * 2 as n from emp) as x where x.n > 4 order by 1", "6 8"},
		{"select * from (values (1, 'a'), (2, 'b')) as v(n, s) order by n desc limit 1", "2|b"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			if got := strings.Join(d.exec(tc.sql), " "); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ sql, code string }{
		{"select * from emp, emp", CodeDuplicateAlias},
		{"select dept from emp, dept", CodeAmbiguousColumn},
		{"select x.id from emp", CodeUndefinedTable},
		{"select * from emp join dept using (nope)", CodeUndefinedColumn},
		{"select * from emp join dept on count(*) > 0", CodeGrouping},
		{"select * from (select 1)", types.CodeSyntaxError},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Fatalf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}

func TestExplainTree(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table a (id int primary key, v int)")
	d.exec("create table b (id int primary key, v int)")
	for _, tc := range []struct{ sql, want string }{
		{"explain select v from a where id = 1", "Index Scan using a_pkey on a"},
		{"explain select * from a join b on a.id = b.id order by a.v limit 2",
			"Limit\n  ->  Sort\n        ->  Hash Join\n              ->  Seq Scan on a\n              ->  Seq Scan on b"},
		{"explain select count(*) from a left join b on a.v < b.v", "Aggregate\n  ->  Nested Loop Left Join\n        ->  Seq Scan on a\n        ->  Seq Scan on b"},
	} {
		if got := strings.Join(d.exec(tc.sql), "\n"); got != tc.want {
			t.Fatalf("%s:\n%s\nwant\n%s", tc.sql, got, tc.want)
		}
	}
}

// TestHashJoinMatchesNestedLoop: on random data with NULLs and duplicate
// keys, every join type answers the same rows through the hash join (an
// equality condition) as through the nested loop (the same condition
// written so that no hash key is found).
func TestHashJoinMatchesNestedLoop(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table l (id int primary key, k int)")
	d.exec("create table r (id int primary key, k int)")
	rng := rand.New(rand.NewSource(7))
	val := func() string {
		if rng.Intn(5) == 0 {
			return "null"
		}
		return fmt.Sprint(rng.Intn(6))
	}
	for i := 0; i < 30; i++ {
		d.exec(fmt.Sprintf("insert into l values (%d, %s)", i, val()))
		d.exec(fmt.Sprintf("insert into r values (%d, %s)", i, val()))
	}
	for _, jt := range []string{"join", "left join", "right join", "full join"} {
		hash := fmt.Sprintf("select l.id, r.id from l %s r on l.k = r.k", jt)
		loop := fmt.Sprintf("select l.id, r.id from l %s r on l.k = r.k or false", jt)
		_, hp, err := d.query("explain " + hash)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.exec("explain " + hash)[0], "Hash Join") || strings.Contains(d.exec("explain " + loop)[0], "Hash Join") {
			t.Fatalf("%s: plans are not hash vs nested loop (%v)", jt, hp.Explain)
		}
		a, b := d.exec(hash), d.exec(loop)
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, " ") != strings.Join(b, " ") {
			t.Fatalf("%s: hash join %v, nested loop %v", jt, a, b)
		}
		if len(a) == 0 {
			t.Fatalf("%s: no rows", jt)
		}
	}
}
