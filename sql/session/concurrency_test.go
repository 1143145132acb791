package session

import (
	"sync"
	"testing"
)

// TestConcurrentIncrements: concurrent read-modify-write updates of one row
// serialize: no update is lost and the row never duplicates.
func TestConcurrentIncrements(t *testing.T) {
	ts := startServer(t)
	runIncrements(t, ts)
}

func runIncrements(t *testing.T, ts *testServer) {
	c := ts.connect(t)
	mustExec(t, c, "create table t (id int primary key, v int)")
	mustExec(t, c, "insert into t values (1, 0), (2, 0)")
	const workers, per = 4, 150
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		conn := ts.connect(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := ctxT(t)
			for i := 0; i < per; i++ {
				tx, err := conn.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := tx.Exec(ctx, "update t set v = v + 1 where id = $1", 1); err != nil {
					errs <- err
					return
				}
				if _, err := tx.Exec(ctx, "update t set v = v + 1 where id = 2"); err != nil {
					errs <- err
					return
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
	ctx := ctxT(t)
	var n, sum int64
	if err := c.QueryRow(ctx, "select count(*), sum(v) from t").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 2 || sum != 2*workers*per {
		t.Fatalf("count %d sum %d, want 2 and %d", n, sum, 2*workers*per)
	}
}
