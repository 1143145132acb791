package segment

import (
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a storage node. Zero tuning knobs take the defaults below.
type Config struct {
	Dir    string // data directory (created if missing)
	Listen string // gRPC listen address, e.g. 127.0.0.1:7001 (port 0: any free port)
	NodeID string // node name reported by Status
	AZ     string // availability zone reported by Status

	Logger   *slog.Logger          // nil: discard
	Registry prometheus.Registerer // nil: metrics are kept but not exported

	// Repair makes start-up discard damaged data (a corrupt log frame and
	// the rest of its file, a corrupt delta layer) instead of refusing to
	// start; the lost records are refilled from peers.
	Repair bool

	// LogFileSize is the size at which the hot log rolls to a new file
	// (default 64 MiB).
	LogFileSize int64
	// MemtableSize is the memtable size (bytes of records) above which the
	// records at or below the writer's VDL are flushed to a delta layer
	// (default 16 MiB).
	MemtableSize int
	// LayerBlockSize is the uncompressed size of a layer block (default 64 KiB).
	LayerBlockSize int
	// CompactLayers is the number of layers of a group at which they are
	// merged, collapsing history below the min read point into an image
	// layer (default 8).
	CompactLayers int
	// MaxBatch bounds the bytes of one group commit (default 16 MiB).
	MaxBatch int
	// RepairInterval is how often each group compares itself with its peers
	// (default 1s).
	RepairInterval time.Duration
	// MaintenanceInterval is how often an idle node checks whether to flush
	// or collect (default 1s).
	MaintenanceInterval time.Duration
	// RPCTimeout bounds each call to a peer (default 5s).
	RPCTimeout time.Duration
}

func (c *Config) withDefaults() (Config, error) {
	d := *c
	if d.Dir == "" {
		return d, errors.New("segment: Config.Dir is required")
	}
	if d.Listen == "" {
		return d, errors.New("segment: Config.Listen is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(v *int, x int) {
		if *v <= 0 {
			*v = x
		}
	}
	if d.LogFileSize <= 0 {
		d.LogFileSize = 64 << 20
	}
	def(&d.MemtableSize, 16<<20)
	def(&d.LayerBlockSize, 64<<10)
	def(&d.CompactLayers, 8)
	def(&d.MaxBatch, 16<<20)
	dur := func(v *time.Duration, x time.Duration) {
		if *v <= 0 {
			*v = x
		}
	}
	dur(&d.RepairInterval, time.Second)
	dur(&d.MaintenanceInterval, time.Second)
	dur(&d.RPCTimeout, 5*time.Second)
	return d, nil
}
