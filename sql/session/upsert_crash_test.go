package session

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/sql/session/writertest"
)

// TestUpsertSurvivesWriterKill: sessions upsert (DO UPDATE, so some
// speculative insertions are super-deleted) and insert children under FOR
// KEY SHARE parent locks against a `borealis writer` process, which is
// SIGKILLed mid-run. A new writer on the same storage has every
// acknowledged upsert (sum(n) is at least the acknowledged count and at
// most that plus the statements in flight), no duplicate key, every
// acknowledged child, and no row lock left.
func TestUpsertSurvivesWriterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts storage and writer processes")
	}
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: writertest.SegmentPages})
	w := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, w.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"create table c (k int primary key, n int not null)",
		"create table p (id int primary key)",
		"create table ch (id int primary key, pid int references p)",
		"insert into p values (1), (2)",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	admin.Close(ctx)
	const workers = 4
	var acked atomic.Int64
	var children sync.Map // acknowledged child ids
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		conn, err := pgx.Connect(ctx, w.URL())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close(context.Background())
			for i := 0; ; i++ {
				_, err := conn.Exec(ctx, "insert into c values ($1, 1) on conflict (k) do update set n = c.n + 1", (i/2)%50)
				if err != nil {
					return // the writer is gone
				}
				acked.Add(1)
				if i%5 == 0 {
					id := g*1_000_000 + i
					if _, err := conn.Exec(ctx, "insert into ch values ($1, $2)", id, 1+i%2); err != nil {
						return
					}
					children.Store(id, true)
				}
			}
		}()
	}
	for acked.Load() < 400 {
		if ctx.Err() != nil {
			t.Fatal("upserts did not get going")
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.Kill()
	wg.Wait()
	got := acked.Load()

	w2 := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages})
	conn, err := pgx.Connect(ctx, w2.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, distinct, sum int64
	if err := conn.QueryRow(ctx, "select count(*), count(distinct k), coalesce(sum(n), 0) from c").Scan(&rows, &distinct, &sum); err != nil {
		t.Fatal(err)
	}
	if rows != distinct || sum < got || sum > got+workers {
		t.Fatalf("after the kill: %d rows, %d distinct keys, sum(n) %d; %d upserts acknowledged", rows, distinct, sum, got)
	}
	var missing []int
	children.Range(func(k, _ any) bool {
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from ch where id = $1", k).Scan(&n); err != nil || n != 1 {
			missing = append(missing, k.(int))
		}
		return true
	})
	if len(missing) > 0 {
		t.Fatalf("acknowledged children missing: %v", missing)
	}
	// No lock survived: both parents can be locked FOR UPDATE at once.
	if _, err := conn.Exec(ctx, "select * from p for update nowait"); err != nil {
		t.Fatalf("parents still locked after restart: %v", err)
	}
	t.Logf("%d upserts acknowledged before the kill, sum(n) %d", got, sum)
}
