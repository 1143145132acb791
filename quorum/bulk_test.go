package quorum_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/segtest"
)

// TestVolumeBulkLoadKeepsStreams pushes a bulk load (loaders appending
// 32-record mini-transactions that fill fresh pages, as fast as Append
// takes them, waiting for durability only at the end, like a COPY) through
// a Volume on six storage processes whose small memtables make them flush
// and compact throughout. The writer must adapt to the pace of storage
// (send-queue back-pressure) without a single replica stream being
// dropped or reconnected, and every page must read back as written.
func TestVolumeBulkLoadKeepsStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: starts six storage processes")
	}
	c := segtest.Start(t, binary, segtest.Options{
		SegmentPages: 4096,
		Args:         []string{"--memtable-size", "2097152", "--compact-layers", "2"},
	})
	cfg := testConfig(t, c)
	// The streams must stay up through the writer's own flow control, not
	// by luck: a generous ack timeout, since on a shared 2-core machine a
	// storage process can be starved of CPU and disk for seconds.
	cfg.CallTimeout = 30 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	v, err := quorum.Open(ctx, cfg)
	cancel()
	if err != nil {
		t.Fatalf("open volume: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })

	const (
		loaders      = 4
		bytesPerLoad = 6 << 20 // payload bytes per loader
		itemSize     = 200
		itemsPerPage = 38 // 38 × (200 + 4) bytes fit an 8 KiB page
		mtrRecords   = 2
	)
	m := newModel()
	rng := newRand(t)
	seed := rng.Uint64()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, loaders)
	lasts := make([]redo.LSN, loaders)
	for i := 0; i < loaders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lrng := rand.New(rand.NewPCG(seed, uint64(i)))
			// A few distinct rows, so that the loaders produce far faster
			// than storage absorbs (the records are never modified).
			rows := make([][]byte, 64)
			for k := range rows {
				rows[k] = make([]byte, itemSize)
				for j := range rows[k] {
					rows[k][j] = byte(lrng.Uint32() % 16) // compressible, like table rows
				}
			}
			page := redo.PageID(1 + i*100_000)
			item := 0
			var recs []redo.Record
			for written := 0; written < bytesPerLoad; written += itemSize {
				if item == 0 {
					recs = append(recs, redo.InitPage(page, 1, 8))
				}
				recs = append(recs, redo.InsertItem(page, item, rows[lrng.IntN(len(rows))]))
				if item++; item == itemsPerPage {
					item, page = 0, page+1
				}
				if len(recs) >= mtrRecords {
					lsns, err := v.Append(ctx, recs)
					if err != nil {
						errs[i] = fmt.Errorf("loader %d: append: %w", i, err)
						return
					}
					m.appended(recs)
					lasts[i] = lsns[len(lsns)-1]
					recs = nil
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range lasts {
		if err := v.WaitDurable(ctx, l); err != nil {
			t.Fatalf("wait durable: %v", err)
		}
	}
	took := time.Since(start)
	st := v.Status()
	t.Logf("loaded %d MiB of payload in %v (%.0f records/s); VDL %d, %d stream drops",
		loaders*bytesPerLoad>>20, took.Round(time.Millisecond), float64(loaders*bytesPerLoad/itemSize)/took.Seconds(), st.VDL, st.StreamDrops)
	for _, g := range st.Groups {
		for _, r := range g.Replicas {
			if r.Drops != 0 || !r.Connected {
				t.Errorf("group %d replica %s: %d drops, connected %v (%s)", g.PG, r.Node.Name, r.Drops, r.Connected, r.Err)
			}
		}
	}
	if st.StreamDrops != 0 {
		t.Fatalf("%d replica streams were dropped during the bulk load", st.StreamDrops)
	}
	m.verify(t, v)
}
