package heap_test

import (
	"context"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
)

func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	e := open(b, memlog.New(nil), 1<<15, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	data := row(1, string(make([]byte, 90)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.h.Insert(ctx, tx, data); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = tx.Commit(ctx)
}

func BenchmarkFetch(b *testing.B) {
	ctx := context.Background()
	e := open(b, memlog.New(nil), 1<<15, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	var tids []heap.TID
	for i := 0; i < 10000; i++ {
		tid, err := e.h.Insert(ctx, tx, row(uint64(i), string(make([]byte, 90))))
		if err != nil {
			b.Fatal(err)
		}
		tids = append(tids, tid)
	}
	_ = tx.Commit(ctx)
	r := e.mgr.Begin(txn.ReadCommitted)
	snap := r.Snapshot()
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, d, ok, err := e.h.Fetch(ctx, tids[i%len(tids)], &snap, buf[:0])
		if err != nil || !ok || len(d) != 98 {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkUpdateCommit is one committed single-row update per iteration
// (the tpcb-like row path, without indexes).
func BenchmarkUpdateCommit(b *testing.B) {
	ctx := context.Background()
	e := open(b, memlog.New(nil), 1<<15, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	var tids []heap.TID
	for i := 0; i < 1000; i++ {
		tid, err := e.h.Insert(ctx, tx, row(uint64(i), string(make([]byte, 90))))
		if err != nil {
			b.Fatal(err)
		}
		tids = append(tids, tid)
	}
	_ = tx.Commit(ctx)
	data := row(1, string(make([]byte, 90)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx := e.mgr.Begin(txn.ReadCommitted)
		j := i % len(tids)
		ntid, tm, err := e.h.Update(ctx, tx, tids[j], data)
		if err != nil || tm.Result != heap.OK {
			b.Fatal(tm.Result, err)
		}
		tids[j] = ntid
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
