package session

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestConcurrentUpsert is the property of INSERT ... ON CONFLICT under
// concurrency (speculative insertion): K sessions run M upserts each over a
// key range they all walk up together, one per autocommit statement or several in ascending key
// order per explicit block, in Read Committed. No upsert fails with 23505;
// DO UPDATE: sum(n) equals the acknowledged upserts exactly and no key is
// duplicated; DO NOTHING: inserted + skipped equals the attempts and the
// table holds exactly the inserted rows.
func TestConcurrentUpsert(t *testing.T) {
	const keys = 5
	workers, per := 8, 400
	if testing.Short() {
		per = 50
	}
	for _, tc := range []struct {
		name    string
		stmt    string
		blocked bool
		nothing bool
	}{
		{"update-autocommit", "insert into c(k, n) values ($1, 1) on conflict (k) do update set n = c.n + 1", false, false},
		{"update-blocks", "insert into c(k, n) values ($1, 1) on conflict (k) do update set n = c.n + 1", true, false},
		{"nothing-autocommit", "insert into c(k, n) values ($1, 1) on conflict (k) do nothing", false, true},
		{"nothing-blocks", "insert into c(k, n) values ($1, 1) on conflict do nothing", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t)
			admin := ts.connect(t)
			mustExec(t, admin, "create table c (k int primary key, n int not null)")
			var acked, inserted, skipped atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := 0; w < workers; w++ {
				conn := ts.connect(t)
				rng := rand.New(rand.NewSource(int64(w) + 1))
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := ctxT(t)
					for i := 0; i < per; {
						n := 1
						if tc.blocked {
							n = 1 + rng.Intn(3)
						}
						// Keys move up together in every session, so most
						// are new and contended when first inserted; a
						// random one of the first keys now and then.
						ks := make([]int, n)
						for j := range ks {
							ks[j] = (i + j) / 2
							if rng.Intn(4) == 0 {
								ks[j] = rng.Intn(keys)
							}
						}
						sortInts(ks)
						var tx pgx.Tx
						var err error
						if tc.blocked {
							if tx, err = conn.Begin(ctx); err != nil {
								errs <- err
								return
							}
						}
						var ins, skip int64
						for _, k := range ks {
							var tag int64
							if tx != nil {
								ct, err := tx.Exec(ctx, tc.stmt, k)
								if err != nil {
									errs <- fmt.Errorf("key %d: %w", k, err)
									return
								}
								tag = ct.RowsAffected()
							} else {
								ct, err := conn.Exec(ctx, tc.stmt, k)
								if err != nil {
									errs <- fmt.Errorf("key %d: %w", k, err)
									return
								}
								tag = ct.RowsAffected()
							}
							if tag == 1 {
								ins++
							} else {
								skip++
							}
						}
						if tx != nil {
							if err := tx.Commit(ctx); err != nil {
								errs <- err
								return
							}
						}
						acked.Add(ins)
						inserted.Add(ins)
						skipped.Add(skip)
						i += n
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			ctx := ctxT(t)
			var rows, distinct, sum int64
			if err := admin.QueryRow(ctx, "select count(*), count(distinct k), coalesce(sum(n), 0) from c").Scan(&rows, &distinct, &sum); err != nil {
				t.Fatal(err)
			}
			if rows != distinct {
				t.Fatalf("%d rows but %d distinct keys", rows, distinct)
			}
			if tc.nothing {
				if rows != inserted.Load() || sum != inserted.Load() {
					t.Fatalf("table holds %d rows (sum %d), %d acknowledged inserts", rows, sum, inserted.Load())
				}
				if rows > int64(per) {
					t.Fatalf("%d rows over at most %d keys", rows, per)
				}
				return
			}
			if skipped.Load() != 0 {
				t.Fatalf("%d DO UPDATE upserts affected no row", skipped.Load())
			}
			if sum != acked.Load() {
				t.Fatalf("sum(n) = %d, acknowledged upserts %d", sum, acked.Load())
			}
		})
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
