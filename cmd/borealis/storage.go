package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/borealis-db/borealis/segment"
	"github.com/spf13/cobra"
)

// newStorageCmd is the storage node role.
func newStorageCmd() *cobra.Command {
	var cfg segment.Config
	var httpAddr string
	cmd := &cobra.Command{
		Use:   "storage",
		Short: "Run a storage node: hot log, layers, GetPage@LSN, repair, GC",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Dir == "" || cfg.Listen == "" || cfg.NodeID == "" {
				return errors.New("storage: --dir, --listen and --node are required")
			}
			log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("role", "storage", "node", cfg.NodeID)
			reg := newRegistry()
			cfg.Logger, cfg.Registry = log, reg
			node, err := segment.Open(cfg)
			if err != nil {
				return fmt.Errorf("storage: %w", err)
			}
			defer node.Close()
			obs, err := startObservability(httpAddr, reg, node.Healthy, log)
			if err != nil {
				return fmt.Errorf("storage: %w", err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			log.Info("storage node serving", "addr", node.Addr(), "http", obs.Addr(), "dir", cfg.Dir, "az", cfg.AZ)
			serr := node.Serve(ctx)
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := obs.Close(sctx); err != nil {
				log.Warn("metrics server shutdown", "err", err)
			}
			if err := node.Close(); err != nil {
				return fmt.Errorf("storage: close: %w", err)
			}
			if serr != nil {
				return fmt.Errorf("storage: %w", serr)
			}
			log.Info("storage node stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Dir, "dir", "", "data directory (created if missing)")
	f.StringVar(&cfg.Listen, "listen", "", "gRPC listen address, e.g. 127.0.0.1:7001")
	f.StringVar(&cfg.NodeID, "node", "", "node id, e.g. a1")
	f.StringVar(&cfg.AZ, "az", "", "availability zone, e.g. a")
	f.StringVar(&httpAddr, "http", "", "serve /metrics and /healthz on this address")
	f.BoolVar(&cfg.Repair, "repair", false, "discard damaged log frames or delta layers at start-up and refill them from peers")
	f.Int64Var(&cfg.LogFileSize, "log-file-size", 0, "hot-log file size before rolling (0: default 64 MiB)")
	f.IntVar(&cfg.MemtableSize, "memtable-size", 0, "memtable bytes before flushing a delta layer (0: default 16 MiB)")
	f.IntVar(&cfg.CompactLayers, "compact-layers", 0, "layers of a group at which they are merged and garbage below the min read point is collected (0: default 8)")
	return cmd
}
