package exec

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// waitUntilWaiting fails t unless o's transaction starts waiting for a lock
// before the deadline (or finishes early, which done reports).
func waitUntilWaiting(t *testing.T, d *testDB, o *openTx, done <-chan string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.db.Mgr.WaitingFor(o.tx.Xid()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("never waited")
		}
		select {
		case s := <-done:
			t.Fatalf("did not wait: %q", s)
		default:
		}
		time.Sleep(time.Millisecond)
	}
}

func runAsync(o *openTx, sql string) <-chan string {
	done := make(chan string, 1)
	go func() {
		s, err := o.run(context.Background(), sql)
		if err != nil {
			s = err.Error()
		}
		done <- s
	}()
	return done
}

func recv(t *testing.T, done <-chan string) string {
	t.Helper()
	select {
	case s := <-done:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting")
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var te *types.Error
	if !errors.As(err, &te) || te.Code != code {
		t.Fatalf("got %v, want SQLSTATE %s", err, code)
	}
}

// TestForUpdateJoin: FOR UPDATE/SHARE [OF t] over joins locks the rows of
// the named tables behind each result row, and PostgreSQL's errors for
// what cannot be locked.
func TestForUpdateJoin(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table a (id int primary key, v int)")
	d.exec("create table b (id int primary key, aid int, w int)")
	d.exec("insert into a values (1, 10), (2, 20), (3, 30)")
	d.exec("insert into b values (1, 1, 100), (2, 1, 200), (3, 2, 300)")
	runSteps(t, d, []step{
		{sql: "select a.id, b.id from a join b on b.aid = a.id order by b.id for update", want: "1|1 1|2 2|3"},
		{sql: "select a.id, b.w from a, b where b.aid = a.id and b.w > 150 order by 2 for share of b", want: "1|200 2|300"},
		{sql: "select a.id from a join b using (id) order by 1 for update of a, b", want: "1 2 3"},
		{sql: "select a.id, b.id from a left join b on b.aid = a.id order by 1, 2 for update of a", want: "1|1 1|2 2|3 3|NULL"},
		{sql: "select a.id from a left join b on b.aid = a.id for update", code: "0A000", msg: "nullable side of an outer join"},
		{sql: "select a.id from a left join b on b.aid = a.id for update of b", code: "0A000", msg: "nullable side"},
		{sql: "select a.id from a, b for update of c", code: "42P01", msg: `relation "c" in FOR UPDATE clause not found in FROM clause`},
		{sql: "select x.id from a x, b for update of a", code: "42P01"},
		{sql: "select a.id from a, (select 1) s for update", code: "0A000"},
		{sql: "select distinct a.id from a, b for update", code: "0A000", msg: "DISTINCT"},
		{sql: "select a.id, count(*) from a, b group by a.id for update", code: "0A000", msg: "GROUP BY"},
		{sql: "select count(*) from a, b for share", code: "0A000", msg: "aggregate"},
		{sql: "select id from a union select id from b for update", code: "0A000"},
		{sql: "select a.id, g from a, generate_series(1, 2) g where a.id = 1 order by 2 for update", want: "1|1 1|2"},
		{sql: "select * from a join b on b.aid = a.id where b.id = 3 for update", want: "2|20|3|2|300"},
		{sql: "select * from a join b using (id) where id = 1 for share", want: "1|10|1|100"},
		{sql: "select b.* from a, b where b.aid = a.id and b.id = 1 for update of a", want: "1|1|100"},
	})

	// FOR UPDATE OF a locks a's rows only.
	t1 := d.begin()
	if got := t1.must("select a.id from a join b on b.aid = a.id where b.id = 3 for update of a"); got != "2" {
		t.Fatalf("t1 locked %q", got)
	}
	t2 := d.begin()
	if got := t2.must("select id from b where id = 3 for update nowait"); got != "3" {
		t.Fatalf("b's row: %q", got)
	}
	_, err := t2.run(context.Background(), "select id from a where id = 2 for update nowait")
	wantCode(t, err, CodeLockNotAvailable)
	t2.tx.Abort()

	// EvalPlanQual: a join row whose locked row a concurrent update made
	// fail WHERE is dropped; one it still passes shows the new values.
	t3 := d.begin()
	done := runAsync(t3, "select a.v from a join b on b.aid = a.id where a.v < 25 order by b.id for update")
	waitUntilWaiting(t, d, t3, done)
	t1.must("update a set v = 99 where id = 2")
	if err := t1.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, done); got != "10 10" {
		t.Fatalf("after the concurrent update: %q, want 10 10", got)
	}
	t3.tx.Abort()
	t4 := d.begin()
	t4.must("update a set v = 11 where id = 1")
	t5 := d.begin()
	done = runAsync(t5, "select a.v, b.id from a, b where b.aid = a.id and a.v < 25 order by b.id for no key update of a")
	waitUntilWaiting(t, d, t5, done)
	if err := t4.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, done); got != "11 11" {
		t.Fatalf("after the concurrent update: %q, want 11 11", got)
	}
	t5.tx.Abort()

	// A key update that breaks an inner join's ON condition drops the row.
	t6 := d.begin()
	t6.must("update b set aid = 3 where id = 3")
	t7 := d.begin()
	done = runAsync(t7, "select b.id from a join b on b.aid = a.id where a.id = 2 for update of b")
	waitUntilWaiting(t, d, t7, done)
	if err := t6.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, done); got != "" {
		t.Fatalf("row whose ON no longer holds: %q, want none", got)
	}
	t7.tx.Abort()
}

// TestSharedLocksSQL: FOR SHARE readers do not block each other; foreign
// key checks take FOR KEY SHARE on the parent, so children of one parent
// insert concurrently, a non-key update of the parent goes on (and a child
// insert beside one in progress), while a
// delete of the parent waits for them and then fails 23503.
func TestSharedLocksSQL(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table p (id int primary key, note text)")
	d.exec("create table c (id int primary key, pid int references p)")
	d.exec("insert into p values (1, 'x'), (2, 'y')")
	r1, r2 := d.begin(), d.begin()
	r1.must("select id from p where id = 1 for share")
	r2.must("select id from p where id = 1 for share nowait")
	w := d.begin()
	_, err := w.run(context.Background(), "select id from p where id = 1 for no key update nowait")
	wantCode(t, err, CodeLockNotAvailable)
	w.must("select id from p where id = 1 for key share nowait")
	r1.tx.Abort()
	r2.tx.Abort()
	w.tx.Abort()

	c1, c2 := d.begin(), d.begin()
	c1.must("insert into c values (1, 1)")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c2.run(ctx, "insert into c values (2, 1)"); err != nil {
		t.Fatalf("second child of one parent: %v", err)
	}
	up := d.begin()
	if _, err := up.run(ctx, "update p set note = 'z' where id = 1"); err != nil {
		t.Fatalf("non-key update of the parent: %v", err)
	}
	if err := up.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	del := d.begin()
	done := runAsync(del, "delete from p where id = 1")
	waitUntilWaiting(t, d, del, done)
	for _, o := range []*openTx{c1, c2} {
		if err := o.tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := recv(t, done); !contains(got, "23503") && !contains(got, "violates foreign key") {
		t.Fatalf("parent delete after the children committed: %q, want 23503", got)
	}
	del.tx.Abort()
	// A child insert goes on beside a non-key update of its parent in
	// progress (FOR KEY SHARE past a FOR NO KEY UPDATE updater).
	up2, c4 := d.begin(), d.begin()
	up2.must("update p set note = 'w' where id = 1")
	if _, err := c4.run(ctx, "insert into c values (5, 1)"); err != nil {
		t.Fatalf("child insert beside a non-key parent update: %v", err)
	}
	for _, o := range []*openTx{up2, c4} {
		if err := o.tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// A key update of a parent waits for a child insert in progress too.
	c3 := d.begin()
	c3.must("insert into c values (3, 2)")
	ku := d.begin()
	done = runAsync(ku, "update p set id = 20 where id = 2")
	waitUntilWaiting(t, d, ku, done)
	c3.tx.Abort()
	if got := recv(t, done); got != "" {
		t.Fatalf("key update once the child aborted: %q", got)
	}
	ku.tx.Abort()
}

// TestLockKeptAcrossRollbackTo: a row locked before a savepoint stays
// locked after ROLLBACK TO a savepoint that updated it.
func TestLockKeptAcrossRollbackTo(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table r (id int primary key, v int)")
	d.exec("insert into r values (1, 1)")
	t1 := d.begin()
	t1.must("select id from r for update")
	if err := t1.tx.Savepoint("s"); err != nil {
		t.Fatal(err)
	}
	t1.must("update r set v = 2")
	if err := t1.tx.RollbackTo("s"); err != nil {
		t.Fatal(err)
	}
	t2 := d.begin()
	_, err := t2.run(context.Background(), "select id from r for share nowait")
	wantCode(t, err, CodeLockNotAvailable)
	t2.tx.Abort()
	t1.tx.Abort()
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
