package heap_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
)

// TestInsertBatch inserts random batches (mixed sizes, some after single
// inserts and deletes that leave free space) and checks: the TIDs fetch
// the right rows, a committed batch is visible, an aborted or crashed one
// is not, and a batch takes far fewer MTRs than tuples.
func TestInsertBatch(t *testing.T) {
	ctx := context.Background()
	for _, end := range []string{"commit", "abort", "crash"} {
		t.Run(end, func(t *testing.T) {
			log := memlog.New(nil)
			e := open(t, log, 64, 0, heap.Options{})
			rng := rand.New(rand.NewPCG(1, 2))
			base := e.mgr.Begin(txn.ReadCommitted)
			for i := 0; i < 50; i++ {
				if _, err := e.h.Insert(ctx, base, row(uint64(100000+i), "base")); err != nil {
					t.Fatal(err)
				}
			}
			if err := base.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			tx := e.mgr.Begin(txn.ReadCommitted)
			var datas [][]byte
			for i := 0; i < 3000; i++ {
				datas = append(datas, row(uint64(i), strings.Repeat("x", rng.IntN(300))))
			}
			before := len(log.Records())
			mtrsBefore := countMTRs(log.Records())
			tids, err := e.h.InsertBatch(ctx, tx, datas)
			if err != nil {
				t.Fatal(err)
			}
			if len(tids) != len(datas) {
				t.Fatalf("%d TIDs for %d tuples", len(tids), len(datas))
			}
			if recs := len(log.Records()) - before; recs < len(datas) {
				t.Fatalf("%d records for %d tuples", recs, len(datas))
			}
			if mtrs := countMTRs(log.Records()) - mtrsBefore; mtrs > len(datas)/5 {
				t.Fatalf("%d MTRs for %d tuples: not batched", mtrs, len(datas))
			}
			seen := map[heap.TID]bool{}
			if err := tx.NextCommand(); err != nil {
				t.Fatal(err)
			}
			own := tx.Snapshot()
			for i, tid := range tids {
				if seen[tid] {
					t.Fatalf("TID %s twice", tid)
				}
				seen[tid] = true
				_, _, data, ok, err := e.h.FetchIndexed(ctx, tid, &own, nil)
				if err != nil || !ok || string(data) != string(datas[i]) {
					t.Fatalf("tuple %d at %s: ok=%v %v", i, tid, ok, err)
				}
			}
			switch end {
			case "commit":
				if err := tx.Commit(ctx); err != nil {
					t.Fatal(err)
				}
			case "abort":
				tx.Abort()
			case "crash":
				e = open(t, log, 64, e.h.Root(), heap.Options{})
			}
			r := e.mgr.Begin(txn.ReadCommitted)
			snap := r.Snapshot()
			got := visible(t, e.h, &snap)
			want := 50
			if end == "commit" {
				want += len(datas)
			}
			if len(got) != want {
				t.Fatalf("%d rows visible, want %d", len(got), want)
			}
			if end == "commit" {
				for i := range datas {
					if v := got[uint64(i)]; v.tid != tids[i] || v.data != string(datas[i]) {
						t.Fatalf("row %d: %+v, want at %s", i, v, tids[i])
					}
				}
			}
		})
	}
}

func countMTRs(recs []redo.Record) int {
	n := 0
	for _, r := range recs {
		if r.CPL {
			n++
		}
	}
	return n
}

func TestInsertBatchErrors(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64, 0, heap.Options{})
	tx := e.mgr.Begin(txn.ReadCommitted)
	cases := []struct {
		datas [][]byte
		err   error
		n     int
	}{
		{nil, nil, 0},
		{[][]byte{row(1, "a"), make([]byte, heap.MaxData+1)}, heap.ErrTooBig, 0},
		{[][]byte{make([]byte, heap.MaxData), row(2, "b"), make([]byte, heap.MaxData)}, nil, 3},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			tids, err := e.h.InsertBatch(ctx, tx, c.datas)
			if !errors.Is(err, c.err) || len(tids) != c.n {
				t.Fatalf("got %d TIDs, %v; want %d, %v", len(tids), err, c.n, c.err)
			}
		})
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
