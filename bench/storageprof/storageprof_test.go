// Package storageprof runs the storage tier in one process, so that a CPU
// profile shows the storage nodes and the writer's quorum client together:
// six segment.Node servers on loopback ports (a1 a2 b1 b2 c1 c2) and one
// quorum.Volume committing ~100-byte records from 64 goroutines, as
// bench/storage's committers=64 case does over processes. Run it with
//
//	go test -run '^$' -bench . -benchtime 5s -cpuprofile /tmp/storage.cpu ./bench/storageprof
//	go tool pprof -top -nodecount 40 /tmp/storage.cpu
//
// Its figures are not the tier's (one process, one scheduler); use
// bench/storage for those.
package storageprof

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment"
)

// startNodes opens and serves six storage nodes in this process.
func startNodes(b *testing.B) quorum.Layout {
	layout := quorum.Layout{SegmentPages: 1 << 20}
	base := b.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var nodes []*segment.Node
	b.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, n := range nodes {
			_ = n.Close()
		}
	})
	for _, az := range []string{"a", "b", "c"} {
		for i := 1; i <= 2; i++ {
			name := fmt.Sprintf("%s%d", az, i)
			n, err := segment.Open(segment.Config{Dir: base + "/" + name, Listen: "127.0.0.1:0", NodeID: name, AZ: az})
			if err != nil {
				b.Fatalf("open node %s: %v", name, err)
			}
			nodes = append(nodes, n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := n.Serve(ctx); err != nil {
					b.Errorf("serve %s: %v", name, err)
				}
			}()
			layout.Nodes = append(layout.Nodes, quorum.Node{Name: name, Addr: n.Addr(), AZ: az})
		}
	}
	return layout
}

// BenchmarkCommit64 commits one ~100-byte record per Append+WaitDurable from
// 64 goroutines, each on its own page.
func BenchmarkCommit64(b *testing.B) {
	layout := startNodes(b)
	ctx := context.Background()
	v, err := quorum.Open(ctx, quorum.Config{Layout: layout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	const committers = 64
	for i := 0; i < committers; i++ {
		p := redo.PageID(i + 1)
		lsns, err := v.Append(ctx, []redo.Record{redo.InitPage(p, 1, 0), redo.InsertItem(p, 0, make([]byte, 100))})
		if err == nil {
			err = v.WaitDurable(ctx, lsns[len(lsns)-1])
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	per := (b.N + committers - 1) / committers
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, committers)
	for i := 0; i < committers; i++ {
		wg.Add(1)
		go func(p redo.PageID) {
			defer wg.Done()
			payload := make([]byte, 100)
			for n := 0; n < per; n++ {
				payload[0] = byte(n)
				lsns, err := v.Append(ctx, []redo.Record{redo.OverwriteItem(p, 0, payload)})
				if err == nil {
					err = v.WaitDurable(ctx, lsns[0])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(redo.PageID(i + 1))
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(per*committers)/b.Elapsed().Seconds(), "commits/s")
}
