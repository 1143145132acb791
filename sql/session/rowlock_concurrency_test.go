package session

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// begin opens an explicit block on c.
func begin(t *testing.T, c *pgx.Conn) pgx.Tx {
	t.Helper()
	tx, err := c.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// quick runs sql in tx with a short deadline: the statement must not wait
// for another transaction (a wait would end in 57014 or a timeout).
func quick(t *testing.T, tx pgx.Tx, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestSharedRowLocksSessions: through real connections, FOR SHARE readers
// of one row do not block each other, children of one parent insert in
// concurrent transactions, and the crossed schedules below — which
// PostgreSQL runs without a deadlock because both take shared locks —
// finish here too; a parent delete then fails 23503.
func TestSharedRowLocksSessions(t *testing.T) {
	ts := startServer(t)
	admin := ts.connect(t)
	mustExec(t, admin, "create table p (id int primary key, note text)")
	mustExec(t, admin, "create table ch (id int primary key, pid int references p)")
	mustExec(t, admin, "insert into p values (1, 'a'), (2, 'b')")
	a, b := ts.connect(t), ts.connect(t)

	ta, tb := begin(t, a), begin(t, b)
	quick(t, ta, "select id from p where id = 1 for share")
	quick(t, tb, "select id from p where id = 1 for share nowait")
	quick(t, tb, "select id from p where id = 2 for key share")
	quick(t, ta, "select id from p where id = 2 for share")
	if err := ta.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := tb.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}

	// Crossed child inserts: A → p1, B → p2, A → p2, B → p1.
	ta, tb = begin(t, a), begin(t, b)
	quick(t, ta, "insert into ch values (1, 1)")
	quick(t, tb, "insert into ch values (2, 2)")
	quick(t, ta, "insert into ch values (3, 2)")
	quick(t, tb, "insert into ch values (4, 1)")
	quick(t, tb, "update p set note = 'c' where id = 1") // non-key update beside A's KEY SHARE
	c := ts.connect(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.Exec(ctxT(t), "delete from p where id = 2")
		done <- err
	}()
	if err := ta.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := tb.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; sqlState(err) != "23503" {
		t.Fatalf("parent delete beside its children: %v, want 23503", err)
	}
	var n int
	if err := admin.QueryRow(ctxT(t), "select count(*) from ch").Scan(&n); err != nil || n != 4 {
		t.Fatalf("children: %d, %v", n, err)
	}
}

// TestConcurrentChildInserts is a property over real sessions: K sessions
// insert, in blocks of several rows in random parent order, children
// referencing a few parents. Foreign key checks share the parents' rows
// (FOR KEY SHARE), so no insert fails (with exclusive parent locks, such
// crossed blocks deadlock) and every acknowledged child is there.
func TestConcurrentChildInserts(t *testing.T) {
	ts := startServer(t)
	admin := ts.connect(t)
	mustExec(t, admin, "create table p (id int primary key)")
	mustExec(t, admin, "create table ch (id int primary key, pid int not null references p)")
	mustExec(t, admin, "insert into p select generate_series(1, 3)")
	workers, blocks := 4, 40
	if testing.Short() {
		blocks = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		conn := ts.connect(t)
		rng := rand.New(rand.NewSource(int64(w)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := ctxT(t)
			for i := 0; i < blocks; i++ {
				tx, err := conn.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				for j := 0; j < 3; j++ {
					id := (w*blocks+i)*3 + j
					if _, err := tx.Exec(ctx, "insert into ch values ($1, $2)", id, 1+rng.Intn(3)); err != nil {
						errs <- fmt.Errorf("child %d: %w", id, err)
						_ = tx.Rollback(ctx)
						return
					}
				}
				if err := tx.Commit(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := admin.QueryRow(ctxT(t), "select count(*) from ch").Scan(&n); err != nil || n != workers*blocks*3 {
		t.Fatalf("children: %d (%v), want %d", n, err, workers*blocks*3)
	}
}

// TestLockSurvivesRollbackToSession: a row locked before a savepoint stays
// locked after ROLLBACK TO a savepoint that updated it (PostgreSQL keeps
// the outer lock through its MultiXact).
func TestLockSurvivesRollbackToSession(t *testing.T) {
	ts := startServer(t)
	admin := ts.connect(t)
	mustExec(t, admin, "create table r (id int primary key, v int)")
	mustExec(t, admin, "insert into r values (1, 1)")
	a := ts.connect(t)
	ta := begin(t, a)
	quick(t, ta, "select * from r where id = 1 for update")
	quick(t, ta, "savepoint s")
	quick(t, ta, "update r set v = 2 where id = 1")
	quick(t, ta, "rollback to savepoint s")
	_, err := admin.Exec(ctxT(t), "select * from r where id = 1 for update nowait")
	if sqlState(err) != "55P03" {
		t.Fatalf("after ROLLBACK TO: %v, want 55P03", err)
	}
	if err := ta.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, admin, "select * from r where id = 1 for update nowait")
}
