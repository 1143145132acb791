package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/borealis-db/borealis/segment/storagerpc"
)

// borealisCluster is six `borealis storage` processes and one `borealis
// writer` on loopback.
type borealisCluster struct {
	writer     *proc
	storage    []*proc
	addr       string   // writer's PostgreSQL address
	writerArgs []string // flags the writer was started with
}

// buildBorealis builds cmd/borealis into out: from the commit rev of the
// checkout at root (exported with git archive into srcDir, so that what is
// measured is exactly that commit), or from the working tree itself when
// worktree is set.
func buildBorealis(ctx context.Context, root, rev, srcDir, out string, worktree bool) error {
	bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	src := root
	if !worktree {
		src = srcDir
		if err := os.MkdirAll(src, 0o755); err != nil {
			return fmt.Errorf("source dir: %w", err)
		}
		archive := exec.CommandContext(bctx, "git", "-C", root, "archive", rev)
		untar := exec.CommandContext(bctx, "tar", "-x", "-C", src)
		pipe, err := archive.StdoutPipe()
		if err != nil {
			return fmt.Errorf("git archive: %w", err)
		}
		untar.Stdin = pipe
		var aerr, terr strings.Builder
		archive.Stderr, untar.Stderr = &aerr, &terr
		if err := untar.Start(); err != nil {
			return fmt.Errorf("tar: %w", err)
		}
		if err := archive.Run(); err != nil {
			_ = untar.Wait()
			return fmt.Errorf("git archive %s: %w\n%s", rev, err, aerr.String())
		}
		if err := untar.Wait(); err != nil {
			return fmt.Errorf("tar -x of git archive %s: %w\n%s", rev, err, terr.String())
		}
	}
	cmd := exec.CommandContext(bctx, "go", "build", "-o", out, "./cmd/borealis")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/borealis in %s: %w\n%s", src, err, b)
	}
	return nil
}

// startBorealis starts storage nodes a1 a2 b1 b2 c1 c2 (AZs a, b, c) with
// data under dir/borealis, waits until each answers Status, then starts the
// writer over them (trust auth, buffer pool poolSize bytes) and waits until
// it accepts connections.
func startBorealis(ctx context.Context, ps *procSet, dir, bin string, poolSize int64) (*borealisCluster, error) {
	base := filepath.Join(dir, "borealis")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("borealis dir: %w", err)
	}
	c := &borealisCluster{}
	var items []string
	var addrs []string
	for _, az := range []string{"a", "b", "c"} {
		for i := 1; i <= 2; i++ {
			name := fmt.Sprintf("%s%d", az, i)
			port, err := freePort()
			if err != nil {
				return nil, err
			}
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			p, err := ps.start("storage-"+name, filepath.Join(base, name+".log"), syscall.SIGTERM, nil, bin,
				"storage", "--dir", filepath.Join(base, name), "--listen", addr, "--node", name, "--az", az)
			if err != nil {
				return nil, err
			}
			c.storage = append(c.storage, p)
			addrs = append(addrs, addr)
			items = append(items, fmt.Sprintf("%s=%s@%s", name, addr, az))
		}
	}
	for i, p := range c.storage {
		if err := waitUntil(ctx, p, time.Minute, statusCheck(addrs[i])); err != nil {
			return nil, fmt.Errorf("borealis storage: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c.writerArgs = []string{"writer", "--listen", c.addr, "--auth", "trust",
		"--pool-size", strconv.FormatInt(poolSize, 10), "--storage", strings.Join(items, ",")}
	c.writer, err = ps.start("writer", filepath.Join(base, "writer.log"), syscall.SIGTERM, nil, bin, c.writerArgs...)
	if err != nil {
		return nil, err
	}
	url := connURL(c.addr)
	if err := waitUntil(ctx, c.writer, 3*time.Minute, func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	}); err != nil {
		return nil, fmt.Errorf("borealis writer: %w", err)
	}
	return c, nil
}

// statusCheck returns a readiness check that asks a storage node for its
// Status.
func statusCheck(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return fmt.Errorf("grpc client %s: %w", addr, err)
		}
		defer cc.Close()
		if _, err := storagerpc.NewClient(cc).Status(ctx, &storagerpc.StatusRequest{}); err != nil {
			return fmt.Errorf("status %s: %w", addr, err)
		}
		return nil
	}
}
