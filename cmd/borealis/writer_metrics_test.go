package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/txn"
)

// gather returns every metric of reg by name (the first sample of each).
func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.Metric{}
	for _, mf := range mfs {
		if len(mf.GetMetric()) > 0 {
			out[mf.GetName()] = mf.GetMetric()[0]
		}
	}
	return out
}

// value is a gauge's or counter's value.
func value(m *dto.Metric) float64 {
	if g := m.GetGauge(); g != nil {
		return g.GetValue()
	}
	return m.GetCounter().GetValue()
}

// TestWriterMetrics runs the real commit path (sql/txn over the wrapped
// log) on an in-process memlog and checks what the writer's metrics report.
func TestWriterMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ml := memlog.New(nil)
	cm := newCommitMetrics()
	db, err := exec.Open(ctx, cm.wrap(ml), 8<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := prometheus.NewRegistry()
	src := writerSources{
		allocatedPages: func() uint64 { return uint64(db.Meta.NextPage()) },
		vdl:            ml.VDL,
		epoch:          func() uint64 { return 7 },
		pool:           db.Pool.Stats,
	}
	if err := registerWriterMetrics(reg, src, cm); err != nil {
		t.Fatal(err)
	}
	if err := registerWriterMetrics(prometheus.NewRegistry(), src, newCommitMetrics()); err != nil {
		t.Fatalf("a second registry: %v", err)
	}

	// Commits of writing transactions count; a read-only commit and an
	// abort do not.
	const writes = 5
	for i := 0; i < writes; i++ {
		tx := db.Mgr.Begin(txn.ReadCommitted)
		if err := db.AssignXid(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Mgr.Begin(txn.ReadCommitted).Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ab := db.Mgr.Begin(txn.ReadCommitted)
	if err := db.AssignXid(ctx, ab); err != nil {
		t.Fatal(err)
	}
	ab.Abort()

	// A commit whose durable wait ends with its context is a failure.
	ml.Hold()
	tx := db.Mgr.Begin(txn.ReadCommitted)
	if err := db.AssignXid(ctx, tx); err != nil {
		t.Fatal(err)
	}
	short, c2 := context.WithTimeout(ctx, 50*time.Millisecond)
	if err := tx.Commit(short); err == nil {
		t.Fatal("commit returned while VDL was held")
	}
	c2()
	ml.Release()

	m := gather(t, reg)
	for _, tc := range []struct {
		name string
		want func(float64) bool
		desc string
	}{
		{"borealis_writer_commits_total", func(v float64) bool { return v == writes }, "5"},
		{"borealis_writer_commit_failures_total", func(v float64) bool { return v == 1 }, "1"},
		{"borealis_writer_epoch", func(v float64) bool { return v == 7 }, "7"},
		{"borealis_writer_vdl", func(v float64) bool { return v == float64(ml.VDL()) && v > 0 }, "memlog's VDL"},
		{"borealis_writer_volume_allocated_pages", func(v float64) bool { return v == float64(db.Meta.NextPage()) && v > 2 }, "NextPage"},
		{"borealis_writer_buffer_hits_total", func(v float64) bool { return v == float64(db.Pool.Stats().Hits) }, "pool hits"},
		{"borealis_writer_buffer_misses_total", func(v float64) bool { return v == float64(db.Pool.Stats().Misses) }, "pool misses"},
		{"borealis_writer_buffer_frames", func(v float64) bool { return v > 0 }, "> 0"},
		{"borealis_writer_buffer_capacity_frames", func(v float64) bool { return v == float64(db.Pool.Stats().Capacity) }, "capacity"},
		{"borealis_writer_buffer_evictions_total", func(v float64) bool { return v >= 0 }, ">= 0"},
		{"borealis_writer_buffer_overflows_total", func(v float64) bool { return v >= 0 }, ">= 0"},
	} {
		got, ok := m[tc.name]
		if !ok {
			t.Errorf("%s missing", tc.name)
			continue
		}
		if v := value(got); !tc.want(v) {
			t.Errorf("%s = %v, want %s", tc.name, v, tc.desc)
		}
	}
	h, ok := m["borealis_writer_commit_wait_seconds"]
	if !ok {
		t.Fatal("commit wait histogram missing")
	}
	if n := h.GetHistogram().GetSampleCount(); n != writes+1 {
		t.Errorf("commit wait samples = %d, want %d", n, writes+1)
	}
	if s := h.GetHistogram().GetSampleSum(); s < 0.05 {
		t.Errorf("commit wait sum %v s does not include the held commit's 50 ms wait", s)
	}
}
