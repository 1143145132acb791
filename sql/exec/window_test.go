package exec

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// propRow is one row of the random tables of the property tests.
type propRow struct {
	id   int
	g, v *int // nil is NULL
}

func fmtNull(p *int) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

// randomTable creates table name with n random rows (g in 0..3, v in
// -5..5, both sometimes NULL) and returns them.
func randomTable(t *testing.T, d *testDB, rng *rand.Rand, name string, n int) []propRow {
	t.Helper()
	if _, _, err := d.query("create table " + name + " (id int, g int, v int)"); err != nil {
		t.Fatal(err)
	}
	var rows []propRow
	var vals []string
	for i := 1; i <= n; i++ {
		r := propRow{id: i}
		if rng.Intn(6) > 0 {
			g := rng.Intn(4)
			r.g = &g
		}
		if rng.Intn(5) > 0 {
			v := rng.Intn(11) - 5
			r.v = &v
		}
		rows = append(rows, r)
		vals = append(vals, fmt.Sprintf("(%d, %s, %s)", i, fmtNull(r.g), fmtNull(r.v)))
	}
	if _, _, err := d.query("insert into " + name + " values " + strings.Join(vals, ", ")); err != nil {
		t.Fatal(err)
	}
	return rows
}

func queryRows(t *testing.T, d *testDB, sql string) []string {
	t.Helper()
	rows, _, err := d.query(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

func sameRows(t *testing.T, sql string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", sql, got, want)
	}
}

// TestGroupingProperties checks hash aggregation, DISTINCT and window
// frames on random tables against a direct computation.
func TestGroupingProperties(t *testing.T) {
	d := newTestDB(t)
	for seed := int64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewSource(seed))
		name := fmt.Sprintf("r%d", seed)
		rows := randomTable(t, d, rng, name, 10+rng.Intn(40))

		// GROUP BY g: one row per distinct g (NULLs together), sorted.
		type agg struct {
			n, nv, sum int
			min, max   *int
		}
		groups := map[string]*agg{}
		for _, r := range rows {
			k := fmtNull(r.g)
			a := groups[k]
			if a == nil {
				a = &agg{}
				groups[k] = a
			}
			a.n++
			if r.v != nil {
				a.nv++
				a.sum += *r.v
				if a.min == nil || *r.v < *a.min {
					a.min = r.v
				}
				if a.max == nil || *r.v > *a.max {
					a.max = r.v
				}
			}
		}
		var keys []string
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i] == "NULL" || keys[j] == "NULL" {
				return keys[j] == "NULL" && keys[i] != "NULL"
			}
			var a, b int
			fmt.Sscan(keys[i], &a)
			fmt.Sscan(keys[j], &b)
			return a < b
		})
		var want, wantDistinct []string
		for _, k := range keys {
			a := groups[k]
			sum := "NULL"
			if a.nv > 0 {
				sum = fmt.Sprint(a.sum)
			}
			want = append(want, fmt.Sprintf("%s|%d|%d|%s|%s|%s", k, a.n, a.nv, sum, fmtNull(a.min), fmtNull(a.max)))
			wantDistinct = append(wantDistinct, k)
		}
		q := "select g, count(*), count(v), sum(v), min(v), max(v) from " + name + " group by g order by g"
		sameRows(t, q, queryRows(t, d, q), want)
		q = "select distinct g from " + name + " order by 1"
		sameRows(t, q, queryRows(t, d, q), wantDistinct)

		// Windows: partitions by g ordered by id with a ROWS frame,
		// row_number, and a RANGE frame over v (peers share a frame).
		byG := map[string][]propRow{}
		for _, r := range rows {
			byG[fmtNull(r.g)] = append(byG[fmtNull(r.g)], r)
		}
		want = nil
		for _, r := range rows {
			part := byG[fmtNull(r.g)]
			pos := 0
			for i, o := range part {
				if o.id == r.id {
					pos = i
				}
			}
			sum, nv := 0, 0
			for i := max(0, pos-2); i <= min(len(part)-1, pos+1); i++ {
				if part[i].v != nil {
					sum += *part[i].v
					nv++
				}
			}
			s := "NULL"
			if nv > 0 {
				s = fmt.Sprint(sum)
			}
			peers := 0
			for _, o := range rows {
				if r.v == nil || (o.v != nil && *o.v <= *r.v) {
					peers += o.id
				}
			}
			want = append(want, fmt.Sprintf("%d|%s|%d|%d", r.id, s, pos+1, peers))
		}
		q = "select id, sum(v) over (partition by g order by id rows between 2 preceding and 1 following), " +
			"row_number() over (partition by g order by id), sum(id) over (order by v) from " + name + " order by id"
		sameRows(t, q, queryRows(t, d, q), want)
	}
}

// TestWindowExplain checks the plan shape of grouped and windowed queries.
func TestWindowExplain(t *testing.T) {
	d := newTestDB(t)
	for _, s := range groupSetup {
		if _, _, err := d.query(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ sql, want string }{
		{"explain select dept, count(*) from emp group by dept", "HashAggregate"},
		{"explain select count(*) from emp", "Aggregate"},
		{"explain select distinct dept from emp", "Unique"},
		{"explain select id, rank() over (order by sal) from emp", "WindowAgg"},
	} {
		rows := queryRows(t, d, c.sql)
		if len(rows) == 0 || !strings.Contains(rows[0], c.want) {
			t.Errorf("%s: got %q, want a first line with %q", c.sql, rows, c.want)
		}
	}
}

func TestNtile(t *testing.T) {
	for _, c := range []struct {
		n, k int64
		want string
	}{
		{7, 3, "1 1 1 2 2 3 3"},
		{4, 4, "1 2 3 4"},
		{3, 5, "1 2 3"},
		{6, 4, "1 1 2 2 3 4"},
	} {
		var got []string
		for p := int64(0); p < c.n; p++ {
			got = append(got, fmt.Sprint(ntile(p, c.n, c.k)))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ntile(%d) over %d rows: %s, want %s", c.k, c.n, strings.Join(got, " "), c.want)
		}
	}
}

// FuzzGroupRun plans and runs arbitrary SELECTs over the emp table (the
// grouping and window tests' data): running never panics; it returns rows
// or an error.
func FuzzGroupRun(f *testing.F) {
	for _, s := range []string{
		"select dept, count(*), sum(sal) filter (where active) from emp group by 1 having count(distinct name) > 1 order by 2 desc nulls last",
		"select distinct on (dept) dept, name from emp order by dept, sal desc limit 2 offset 1",
		"select string_agg(distinct name, ',' order by name), array_agg(bonus order by id desc) from emp",
		"select id, rank() over w, lag(sal, 2, 0) over w, sum(bonus) over (w rows between 1 preceding and 2 following exclude ties) from emp window w as (partition by dept order by id)",
		"select id, count(*) over (order by sal range between 10 preceding and 5 following), ntile(3) over (order by id groups 1 preceding) from emp",
		"select sum(sum(sal)) over (), dept from emp group by dept order by row_number() over (order by dept)",
		"select id, nth_value(name, 3) over (order by bonus desc nulls first rows between current row and unbounded following) from emp",
		"select id, sum(id) over (order by id rows between 2 following and 1 following) from emp",
	} {
		f.Add(s)
	}
	d := newTestDB(f)
	for _, s := range groupSetup {
		if _, _, err := d.query(s); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := ast.ParseOne(sql)
		if err != nil {
			return
		}
		if _, ok := st.(*ast.Select); !ok {
			return
		}
		p, err := d.db.Build(st, d.db.Cat.Current(), nil)
		if err != nil {
			return
		}
		ctx := context.Background()
		tx := d.db.Mgr.Begin(txn.ReadCommitted)
		defer tx.Abort()
		c := &Ctx{Ctx: ctx, DB: d.db, Tx: tx, Snap: tx.Snapshot(), Cat: d.db.Cat.Current(), Env: &types.Env{}}
		n := 0
		_, _ = p.Run(c, func([]types.Datum) error {
			if n++; n > 10000 {
				return errStop
			}
			return nil
		})
	})
}
