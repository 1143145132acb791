package segment

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the node's Prometheus metrics.
type metrics struct {
	appends     prometheus.Counter
	appendBytes prometheus.Counter
	records     prometheus.Counter
	fsyncs      prometheus.Counter
	fsyncSecs   prometheus.Histogram
	scl         *prometheus.GaugeVec
	layers      prometheus.Gauge
	diskBytes   prometheus.Gauge
	repaired    prometheus.Counter
	flushes     prometheus.Counter
	gcs         prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		appends:     prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_append_requests_total", Help: "Append requests (batches) received."}),
		appendBytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_append_bytes_total", Help: "Bytes of redo records received in Append requests."}),
		records:     prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_records_stored_total", Help: "New redo records made durable (appended or repaired)."}),
		fsyncs:      prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_fsyncs_total", Help: "Hot-log fsyncs (one per group commit)."}),
		fsyncSecs: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "borealis_storage_fsync_seconds", Help: "Hot-log fsync latency.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		scl:       prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "borealis_storage_scl", Help: "Segment complete LSN per protection group."}, []string{"pg"}),
		layers:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "borealis_storage_layers", Help: "Live layer files."}),
		diskBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "borealis_storage_disk_bytes", Help: "Bytes of the data directory's files."}),
		repaired:  prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_repaired_records_total", Help: "Records fetched from peers to fill gaps."}),
		flushes:   prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_flushes_total", Help: "Memtable flushes to delta layers."}),
		gcs:       prometheus.NewCounter(prometheus.CounterOpts{Name: "borealis_storage_gc_total", Help: "Compactions that collected history below the min read point."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.appends, m.appendBytes, m.records, m.fsyncs, m.fsyncSecs, m.scl, m.layers, m.diskBytes, m.repaired, m.flushes, m.gcs} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register storage metrics: %w", err)
		}
	}
	return m, nil
}
