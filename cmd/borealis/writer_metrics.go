package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// writerSources are the writer's state the metrics read at scrape time.
type writerSources struct {
	allocatedPages func() uint64       // volume page high-water mark (volmeta NextPage)
	vdl            func() redo.LSN     // volume durable LSN
	epoch          func() uint64       // the writer's volume epoch
	pool           func() buffer.Stats // buffer pool counters
}

// commitMetrics counts commits and their durable waits. It wraps the
// buffer.Log the SQL engine uses: sql/txn calls WaitDurable exactly once per
// commit of a transaction that wrote (read-only transactions write nothing
// and do not wait), after its commit record is logged.
type commitMetrics struct {
	commits  prometheus.Counter
	failures prometheus.Counter
	wait     prometheus.Histogram
}

func newCommitMetrics() *commitMetrics {
	return &commitMetrics{
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "borealis_writer_commits_total",
			Help: "Write transactions whose commit record became durable (on 4 of 6 replicas) and was acknowledged.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "borealis_writer_commit_failures_total",
			Help: "Commits whose durable wait failed (context ended, volume fenced or without quorum).",
		}),
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "borealis_writer_commit_wait_seconds",
			Help: "Commit latency on the storage tier: time from a commit record being logged until it is durable (VDL passes it).",
			// 100 µs .. ~6.5 s.
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 17),
		}),
	}
}

// wrap returns log with WaitDurable instrumented.
func (m *commitMetrics) wrap(log buffer.Log) buffer.Log { return &countingLog{Log: log, m: m} }

// countingLog is a buffer.Log whose WaitDurable calls feed commitMetrics.
type countingLog struct {
	buffer.Log
	m *commitMetrics
}

// WaitDurable waits on the wrapped log and records the wait.
func (l *countingLog) WaitDurable(ctx context.Context, lsn redo.LSN) error {
	start := time.Now()
	err := l.Log.WaitDurable(ctx, lsn)
	l.m.wait.Observe(time.Since(start).Seconds())
	if err != nil {
		l.m.failures.Inc()
	} else {
		l.m.commits.Inc()
	}
	return err
}

// registerWriterMetrics registers the volume, commit and buffer pool
// metrics on reg. Gauges and pool counters are read from src at scrape time.
func registerWriterMetrics(reg prometheus.Registerer, src writerSources, cm *commitMetrics) error {
	poolCounter := func(name, help string, get func(buffer.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(get(src.pool())) })
	}
	cs := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "borealis_writer_volume_allocated_pages",
			Help: "Pages allocated in the volume (the page allocator's high-water mark). There is no free list yet, so this bounds the live pages from above.",
		}, func() float64 { return float64(src.allocatedPages()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "borealis_writer_vdl",
			Help: "Volume durable LSN: every record at or below it is on a write quorum.",
		}, func() float64 { return float64(src.vdl()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "borealis_writer_epoch",
			Help: "The volume epoch this writer holds.",
		}, func() float64 { return float64(src.epoch()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "borealis_writer_buffer_frames",
			Help: "Buffer pool frames in use.",
		}, func() float64 { return float64(src.pool().Frames) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "borealis_writer_buffer_capacity_frames",
			Help: "Buffer pool frames the configured size allows.",
		}, func() float64 { return float64(src.pool().Capacity) }),
		poolCounter("borealis_writer_buffer_hits_total", "Page pins served from the buffer pool.",
			func(s buffer.Stats) uint64 { return s.Hits }),
		poolCounter("borealis_writer_buffer_misses_total", "Page pins that read the page from storage.",
			func(s buffer.Stats) uint64 { return s.Misses }),
		poolCounter("borealis_writer_buffer_evictions_total", "Buffer pool frames reused for another page.",
			func(s buffer.Stats) uint64 { return s.Evictions }),
		poolCounter("borealis_writer_buffer_overflows_total", "Frames added above capacity because no frame was evictable.",
			func(s buffer.Stats) uint64 { return s.Overflows }),
		cm.commits, cm.failures, cm.wait,
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
