package btree_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/heap"
)

func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	e := open(b, memlog.New(nil), 1<<15)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	var key [8]byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Scattered keys: splits everywhere, not just at the right edge.
		binary.BigEndian.PutUint64(key[:], uint64(i)*0x9E3779B97F4A7C15)
		if err := tr.Insert(ctx, key[:], heap.TID{Page: redo.PageID(i)}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	ctx := context.Background()
	e := open(b, memlog.New(nil), 1<<15)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	const n = 100000
	var key [8]byte
	for i := 0; i < n; i++ {
		binary.BigEndian.PutUint64(key[:], uint64(i))
		if err := tr.Insert(ctx, key[:], heap.TID{Page: redo.PageID(i)}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		binary.BigEndian.PutUint64(key[:], uint64(i*7919%n))
		tids, err := tr.Lookup(ctx, key[:])
		if err != nil || len(tids) != 1 {
			b.Fatal(len(tids), err)
		}
	}
}
