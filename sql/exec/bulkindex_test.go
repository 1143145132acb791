package exec

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// checkIndexes runs btree Check on every index of table and returns the
// entry counts by index name.
func checkIndexes(t *testing.T, d *testDB, table string) map[string]int {
	t.Helper()
	tb, ok := d.db.Cat.Current().Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	out := map[string]int{}
	for i := range tb.Indexes {
		ix := &tb.Indexes[i]
		st, err := d.db.treeOf(ix).Check(context.Background())
		if err != nil {
			t.Fatalf("index %s: %v", ix.Name, err)
		}
		out[ix.Name] = st.Entries
	}
	return out
}

// TestBulkIndexBuild builds indexes (CREATE INDEX, CREATE UNIQUE INDEX, ADD
// PRIMARY KEY) over tables with updated, deleted, aborted and NULL rows and
// checks the answers the per-row path gave: which duplicates conflict,
// the error texts, and the entries (every version not dead to all).
func TestBulkIndexBuild(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table t (a int, b text)")
	d.exec("insert into t select g, 'x' || g from generate_series(1, 3000) g")
	d.exec("update t set b = 'y' || a where a % 10 = 0")     // old versions dead: no entries
	d.exec("delete from t where a % 7 = 0")                  // gone
	d.exec("insert into t values (7, 'again'), (NULL, 'n')") // 7's old row deleted: no conflict
	d.exec("insert into t values (NULL, 'n2')")              // NULLs never conflict
	ab := d.begin()
	ab.must("insert into t values (1, 'aborted')")
	ab.tx.Abort() // an aborted duplicate is no conflict
	runSteps(t, d, []step{
		{sql: "create unique index t_a on t (a)", want: ""},
		{sql: "create index t_b on t (b)", want: ""},
		{sql: "alter table t add primary key (a)", code: "23502", msg: `column "a" of relation "t" contains null values`},
		{sql: "delete from t where a is null", want: ""},
		{sql: "alter table t add primary key (a)", want: ""},
		{sql: "select count(*) from t where a = 7", want: "1"},
		{sql: "select b from t where a = 7", want: "again"},
		{sql: "select b from t where a = 20", want: "y20"},
		{sql: "select count(*) from t where a = 14", want: "0"},
		{sql: "select a from t where b = 'y30'", want: "30"},
		{sql: "insert into t values (5, 'dup')", code: "23505", msg: `Key (a)=(5) already exists.`},
		{sql: "insert into t select g, 'z' from generate_series(3001, 4000) g", want: ""},
		{sql: "select count(*) from t where a between 2990 and 3010", want: "20"},
	})
	live := 3000 - 3000/7 + 1 + 1000
	got := checkIndexes(t, d, "t")
	// Entries: live rows plus dead versions made after the build (none here
	// but the deleted NULL rows, which t_a and t_b index but the primary
	// key, built after their delete, does not).
	want := map[string]int{"t_a": live + 2, "t_b": live + 2, "t_pkey": live}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("index entries %v, want %v", got, want)
	}

	// Live duplicates: the error the per-row path reported.
	d.exec("create table u (id int, k text)")
	d.exec("insert into u values (1, 'a'), (2, 'b'), (3, 'b'), (4, 'c'), (5, 'a')")
	runSteps(t, d, []step{
		{sql: "create unique index u_k on u (k)", code: "23505", msg: `could not create unique index "u_k" | Key (k)=(b) is duplicated.`},
		{sql: "alter table u add constraint u_k_key unique (k)", code: "23505", msg: `Key (k)=(b) is duplicated.`},
		{sql: "update u set k = 'd' where id = 3", want: ""},
		{sql: "create unique index u_k on u (k)", code: "23505", msg: `Key (k)=(a) is duplicated.`},
		{sql: "delete from u where id = 5", want: ""},
		{sql: "create unique index u_k on u (k)", want: ""},
		{sql: "create unique index u_id on u (id, k)", want: ""},
		{sql: "select id from u where k = 'd'", want: "3"},
		{sql: "select count(*) from u", want: "4"},
	})
	checkIndexes(t, d, "u")
}

// TestBulkIndexWaitsForInProgress: a duplicate whose deleter (or creator)
// is in progress makes the build wait for it, then decide as the per-row
// path does.
func TestBulkIndexWaitsForInProgress(t *testing.T) {
	cases := []struct {
		name     string
		inTx     string
		commit   bool
		wantCode string
	}{
		{"delete committed", "delete from w where id = 2", true, ""},
		{"delete aborted", "delete from w where id = 2", false, "23505"},
		{"insert committed", "insert into w values (9, 'a')", true, "23505"},
		{"insert aborted", "insert into w values (9, 'a')", false, ""},
		{"update key committed", "update w set k = 'z' where id = 2", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The row the holder changes comes first in the heap: entry by
			// entry, only the entries of a key before its last (in scan
			// order) are checked, so this one is, whenever the build runs.
			d := newTestDB(t)
			d.exec("create table w (id int, k text)")
			var holder *openTx
			if c.inTx[:6] == "insert" {
				holder = d.begin()
				holder.must(c.inTx)
				d.exec("insert into w values (1, 'a'), (2, 'b')")
			} else {
				d.exec("insert into w values (2, 'a'), (1, 'a')")
				holder = d.begin()
				holder.must(c.inTx)
			}
			done := make(chan error, 1)
			go func() {
				_, _, err := d.query("create unique index w_k on w (k)")
				done <- err
			}()
			// The build waits for the holder whether or not it has reached
			// the duplicate yet; ending the holder decides it.
			if c.commit {
				if err := holder.tx.Commit(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else {
				holder.tx.Abort()
			}
			err := <-done
			var te *types.Error
			switch {
			case c.wantCode == "" && err != nil:
				t.Fatalf("create unique index: %v", err)
			case c.wantCode != "" && (!errors.As(err, &te) || te.Code != c.wantCode):
				t.Fatalf("create unique index: %v, want %s", err, c.wantCode)
			}
			checkIndexes(t, d, "w")
		})
	}
}
