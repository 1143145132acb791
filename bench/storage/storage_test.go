// Package storage benchmarks the storage tier end to end: one writer (a
// quorum.Volume) appending ~100-byte redo records to six local `borealis
// storage` processes, next to this disk's own fdatasync rate measured in the
// same run. Run it with
//
//	go test -run '^$' -bench . -benchtime 3s ./bench/storage
//
// and copy the figures into bench/RESULTS.md with the machine and the date.
// BenchmarkInProcess (inproc_test.go) runs the same committers=64 cases with
// the six nodes inside the test process, for CPU, block and mutex profiles
// and per-node fsync counts.
package storage

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/borealis-db/borealis/bench"
	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/segtest"
)

var binary = segtest.NewBinary()

func TestMain(m *testing.M) {
	code := m.Run()
	binary.Remove()
	os.Exit(code)
}

// BenchmarkFdatasync8K is the floor of any durable commit on this disk.
func BenchmarkFdatasync8K(b *testing.B) {
	res, err := bench.MeasureFdatasync(b.TempDir(), 3*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.PerSec, "fsync/s")
	b.ReportMetric(float64(res.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.P99.Microseconds()), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCommit measures durable commits of one ~100-byte record each
// (append, then wait until VDL passes it) with 1, 8 and 64 concurrent
// committers, and BenchmarkCommit/batch the records/s when each committer
// commits 32 records at a time.
func BenchmarkCommit(b *testing.B) {
	c := segtest.Start(b, binary, segtest.Options{SegmentPages: 1 << 20})
	ctx := context.Background()
	v, err := quorum.Open(ctx, quorum.Config{Layout: c.Layout(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	nextPage := redo.PageID(1)
	for _, tc := range []struct {
		committers, perCommit int
	}{{1, 1}, {8, 1}, {64, 1}, {64, 32}} {
		b.Run(fmt.Sprintf("committers=%d/records=%d", tc.committers, tc.perCommit), func(b *testing.B) {
			pages := make([]redo.PageID, tc.committers)
			for i := range pages {
				pages[i] = nextPage
				nextPage++
				recs := []redo.Record{redo.InitPage(pages[i], 1, 0), redo.InsertItem(pages[i], 0, make([]byte, 100))}
				lsns, err := v.Append(ctx, recs)
				if err != nil {
					b.Fatal(err)
				}
				if err := v.WaitDurable(ctx, lsns[len(lsns)-1]); err != nil {
					b.Fatal(err)
				}
			}
			var mu sync.Mutex
			var lat []time.Duration
			per := (b.N + tc.committers - 1) / tc.committers
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			errs := make(chan error, tc.committers)
			for i := 0; i < tc.committers; i++ {
				wg.Add(1)
				go func(page redo.PageID) {
					defer wg.Done()
					payload := make([]byte, 100)
					mine := make([]time.Duration, 0, per)
					recs := make([]redo.Record, tc.perCommit)
					for n := 0; n < per; n++ {
						payload[0] = byte(n)
						for j := range recs {
							recs[j] = redo.OverwriteItem(page, 0, payload)
						}
						t0 := time.Now()
						lsns, err := v.Append(ctx, recs)
						if err == nil {
							err = v.WaitDurable(ctx, lsns[len(lsns)-1])
						}
						if err != nil {
							errs <- err
							return
						}
						mine = append(mine, time.Since(t0))
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				}(pages[i])
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(len(lat)*tc.perCommit)/elapsed.Seconds(), "records/s")
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "commits/s")
			b.ReportMetric(float64(bench.Percentile(lat, 0.50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(bench.Percentile(lat, 0.99).Microseconds()), "p99-µs")
		})
	}
}
