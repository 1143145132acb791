package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/session"
	"github.com/borealis-db/borealis/wire"
)

// writerFlags are the writer role's options.
type writerFlags struct {
	node, az, listen, httpAddr, dir string
	config, storage                 string
	auth, user, passwordEnv         string
	tlsCert, tlsKey                 string
	poolSize                        int64
	segmentPages                    uint64
}

// newWriterCmd is the SQL writer role.
func newWriterCmd() *cobra.Command {
	var f writerFlags
	cmd := &cobra.Command{
		Use:   "writer",
		Short: "Run the SQL writer: the PostgreSQL protocol over the storage tier",
		Long: `Run the SQL writer. It recovers the volume from the storage nodes (no log
replay: a new writer raises the epoch, computes the durable LSN and starts),
then serves the PostgreSQL protocol. Every commit is acknowledged only after
its commit record is on 4 of the 6 replicas of its protection group.

The storage nodes come from --config (the cluster file that 'borealis up'
writes; its storage nodes are used) or from --storage, a comma-separated list
of NAME=HOST:PORT@AZ, e.g. a1=127.0.0.1:7001@a,a2=127.0.0.1:7002@a,...

Authentication: --auth scram asks for the password in the environment
variable named by --password-env (default BOREALIS_PASSWORD) for --user;
--auth trust accepts any client (local development). Without --auth, scram
is used when that variable is set and trust otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runWriter(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.node, "node", "writer", "node name")
	fl.StringVar(&f.az, "az", "", "availability zone")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:5432", "PostgreSQL listen address")
	fl.StringVar(&f.httpAddr, "http", "", "serve /metrics and /healthz on this address")
	fl.StringVar(&f.dir, "dir", "", "data directory (TLS certificate of a self-signed setup)")
	fl.StringVar(&f.config, "config", "", "cluster file naming the storage nodes")
	fl.StringVar(&f.storage, "storage", "", "storage nodes as NAME=HOST:PORT@AZ,... (instead of --config)")
	fl.StringVar(&f.auth, "auth", "", "client authentication: scram or trust (default: see above)")
	fl.StringVar(&f.user, "user", "borealis", "user name whose password --password-env gives")
	fl.StringVar(&f.passwordEnv, "password-env", "BOREALIS_PASSWORD", "environment variable holding the password")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (with --tls-key); none: plain connections only")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS key file")
	fl.Int64Var(&f.poolSize, "pool-size", 0, "buffer pool size in bytes (0: 256 MiB)")
	fl.Uint64Var(&f.segmentPages, "segment-pages", 0, "pages per segment (0: 10 GiB segments); must never change for a volume")
	return cmd
}

// storageNodes returns the storage nodes from --config or --storage.
func (f *writerFlags) storageNodes() ([]quorum.Node, error) {
	switch {
	case f.config != "" && f.storage != "":
		return nil, errors.New("writer: give either --config or --storage, not both")
	case f.config != "":
		data, err := os.ReadFile(f.config)
		if err != nil {
			return nil, fmt.Errorf("writer: read cluster file: %w", err)
		}
		c, err := parseCluster(f.config, data)
		if err != nil {
			return nil, err
		}
		var out []quorum.Node
		for _, n := range c.Nodes {
			if n.Role == roleStorage {
				out = append(out, quorum.Node{Name: n.Name, Addr: n.Listen, AZ: n.AZ})
			}
		}
		return out, nil
	case f.storage != "":
		var out []quorum.Node
		for _, item := range strings.Split(f.storage, ",") {
			item = strings.TrimSpace(item)
			name, rest, ok1 := strings.Cut(item, "=")
			addr, az, ok2 := strings.Cut(rest, "@")
			if !ok1 || !ok2 || name == "" || az == "" {
				return nil, fmt.Errorf("writer: --storage item %q: want NAME=HOST:PORT@AZ", item)
			}
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return nil, fmt.Errorf("writer: --storage item %q: %w", item, err)
			}
			out = append(out, quorum.Node{Name: name, Addr: addr, AZ: az})
		}
		return out, nil
	}
	return nil, errors.New("writer: --config or --storage is required")
}

func runWriter(parent context.Context, f writerFlags) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("role", "writer", "node", f.node)
	nodes, err := f.storageNodes()
	if err != nil {
		return err
	}
	layout := quorum.Layout{SegmentPages: f.segmentPages, Nodes: nodes}
	if err := layout.Validate(); err != nil {
		return fmt.Errorf("writer: storage layout: %w", err)
	}
	authMethod := wire.AuthTrust
	password := os.Getenv(f.passwordEnv)
	switch f.auth {
	case "":
		if password != "" {
			authMethod = wire.AuthSCRAM
		}
	default:
		if authMethod, err = wire.ParseAuthMethod(f.auth); err != nil {
			return fmt.Errorf("writer: %w", err)
		}
	}
	var auth wire.Auth
	if authMethod == wire.AuthSCRAM {
		if password == "" {
			return fmt.Errorf("writer: --auth scram needs a password in $%s", f.passwordEnv)
		}
		ma := wire.NewMemoryAuth()
		if err := ma.SetPassword(f.user, password); err != nil {
			return fmt.Errorf("writer: %w", err)
		}
		auth = ma
	}
	ctx, stop := signal.NotifyContext(parent, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	start := time.Now()
	octx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	vol, err := quorum.Open(octx, quorum.Config{Layout: layout, Logger: log})
	cancel()
	if err != nil {
		return fmt.Errorf("writer: open volume: %w", err)
	}
	defer vol.Close()
	cm := newCommitMetrics()
	octx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	db, err := exec.Open(octx, cm.wrap(vol.Log()), f.poolSize, true)
	cancel()
	if err != nil {
		return fmt.Errorf("writer: open database: %w", err)
	}
	defer db.Close()
	log.Info("volume open", "epoch", vol.Epoch(), "vdl", vol.VDL(), "took", time.Since(start).String())

	reg := newRegistry()
	src := writerSources{
		allocatedPages: func() uint64 { return uint64(db.Meta.NextPage()) },
		vdl:            vol.VDL,
		epoch:          vol.Epoch,
		pool:           db.Pool.Stats,
	}
	if err := registerWriterMetrics(reg, src, cm); err != nil {
		return fmt.Errorf("writer: metrics: %w", err)
	}
	health := func() error { return vol.Err() }
	obs, err := startObservability(f.httpAddr, reg, health, log)
	if err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = obs.Close(sctx)
	}()

	cfg := wire.Config{Engine: session.New(db, log), AuthMethod: authMethod, Auth: auth, Logger: log}
	if f.tlsCert != "" || f.tlsKey != "" {
		tc, err := wire.LoadTLS(f.tlsCert, f.tlsKey, f.dir)
		if err != nil {
			return fmt.Errorf("writer: %w", err)
		}
		cfg.TLS = tc
	}
	srv, err := wire.NewServer(cfg)
	if err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("writer: listen: %w", err)
	}
	log.Info("writer serving", "addr", ln.Addr().String(), "auth", authMethod.String(), "http", obs.Addr())
	serr := make(chan error, 1)
	go func() { serr <- srv.Serve(ctx, ln) }()
	select {
	case <-ctx.Done():
	case err := <-serr:
		if err != nil {
			return fmt.Errorf("writer: serve: %w", err)
		}
	}
	sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
	defer c()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	log.Info("writer stopped")
	return nil
}
