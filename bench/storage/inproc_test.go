package storage

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment"
)

// inprocNodes opens and serves six storage nodes in this process (so that a
// CPU, block or mutex profile shows the nodes and the writer together) and
// returns the layout and each node's metrics registry.
func inprocNodes(b *testing.B) (quorum.Layout, []*prometheus.Registry) {
	layout := quorum.Layout{SegmentPages: 1 << 20}
	base := b.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var nodes []*segment.Node
	var regs []*prometheus.Registry
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
			reg := prometheus.NewRegistry()
			n, err := segment.Open(segment.Config{Dir: base + "/" + name, Listen: "127.0.0.1:0", NodeID: name, AZ: az, Registry: reg})
			if err != nil {
				b.Fatalf("open node %s: %v", name, err)
			}
			nodes, regs = append(nodes, n), append(regs, reg)
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
	return layout, regs
}

// counter sums a counter over the registries.
func counter(b *testing.B, regs []*prometheus.Registry, name string) float64 {
	var sum float64
	for _, r := range regs {
		mfs, err := r.Gather()
		if err != nil {
			b.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name {
				for _, m := range mf.Metric {
					if h := m.GetHistogram(); h != nil {
						sum += h.GetSampleSum()
					} else {
						sum += m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	return sum
}

// BenchmarkInProcess runs the committers=64 cases with the six nodes in this
// process and reports, per node, fsyncs per second and Append requests per
// fsync: run it with -cpuprofile/-blockprofile/-mutexprofile to see where a
// commit's time goes. Its figures are not the tier's (one process).
func BenchmarkInProcess(b *testing.B) {
	layout, regs := inprocNodes(b)
	ctx := context.Background()
	v, err := quorum.Open(ctx, quorum.Config{Layout: layout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	nextPage := redo.PageID(1)
	for _, perCommit := range []int{1, 32} {
		b.Run(fmt.Sprintf("committers=64/records=%d", perCommit), func(b *testing.B) {
			const committers = 64
			pages := make([]redo.PageID, committers)
			for i := range pages {
				pages[i] = nextPage
				nextPage++
				lsns, err := v.Append(ctx, []redo.Record{redo.InitPage(pages[i], 1, 0), redo.InsertItem(pages[i], 0, make([]byte, 100))})
				if err == nil {
					err = v.WaitDurable(ctx, lsns[len(lsns)-1])
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			fs0 := counter(b, regs, "borealis_storage_fsyncs_total")
			ap0 := counter(b, regs, "borealis_storage_append_requests_total")
			fsec0 := counter(b, regs, "borealis_storage_fsync_seconds")
			per := (b.N + committers - 1) / committers
			b.ResetTimer()
			var wg sync.WaitGroup
			errs := make(chan error, committers)
			for i := 0; i < committers; i++ {
				wg.Add(1)
				go func(p redo.PageID) {
					defer wg.Done()
					payload := make([]byte, 100)
					recs := make([]redo.Record, perCommit)
					for n := 0; n < per; n++ {
						payload[0] = byte(n)
						for j := range recs {
							recs[j] = redo.OverwriteItem(p, 0, payload)
						}
						lsns, err := v.Append(ctx, recs)
						if err == nil {
							err = v.WaitDurable(ctx, lsns[len(lsns)-1])
						}
						if err != nil {
							errs <- err
							return
						}
					}
				}(pages[i])
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			secs := b.Elapsed().Seconds()
			fs := counter(b, regs, "borealis_storage_fsyncs_total") - fs0
			ap := counter(b, regs, "borealis_storage_append_requests_total") - ap0
			b.ReportMetric(float64(per*committers*perCommit)/secs, "records/s")
			b.ReportMetric(float64(per*committers)/secs, "commits/s")
			b.ReportMetric(fs/6/secs, "fsyncs/s/node")
			b.ReportMetric(ap/fs, "appends/fsync")
			b.ReportMetric((counter(b, regs, "borealis_storage_fsync_seconds")-fsec0)/fs*1e6, "µs/fsync")
			b.ReportMetric(float64(per*committers)/(fs/6), "commits/fsync")
		})
	}
}
