// Package writertest starts `borealis writer` processes over segtest
// storage clusters and drives pgbench against them, for tests: the
// launcher, the writer's /metrics and log lines, and the pgbench checks
// (clean runs, pgbench's balance invariant, row counts after init).
package writertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/borealis-db/borealis/segment/segtest"
)

// Writer is a `borealis writer` process over a segtest cluster.
type Writer struct {
	// Addr is the PostgreSQL address.
	Addr string
	// HTTPAddr serves /metrics and /healthz ("" when not served).
	HTTPAddr string
	// LogPath holds the process's stdout and stderr (JSON slog lines).
	LogPath string

	cmd  *exec.Cmd
	done chan struct{}
}

// Options configure Start.
type Options struct {
	// SegmentPages is --segment-pages; it must match the cluster's.
	SegmentPages uint64
	// PoolSize is --pool-size in bytes (0: the writer's default, 256 MiB).
	PoolSize int64
	// HTTP serves /metrics and /healthz on a free port.
	HTTP bool
}

// FreeAddr returns a loopback address with a port that was free just now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Start starts a writer (trust authentication) on the cluster's storage
// nodes and waits until it accepts SQL. It is SIGKILLed when the test ends;
// its log tail is printed if the test failed.
func Start(t testing.TB, bin *segtest.Binary, cl *segtest.Cluster, o Options) *Writer {
	t.Helper()
	var items []string
	for _, n := range cl.Layout().Nodes {
		items = append(items, fmt.Sprintf("%s=%s@%s", n.Name, n.Addr, n.AZ))
	}
	w := &Writer{Addr: FreeAddr(t), LogPath: filepath.Join(t.TempDir(), "writer.log"), done: make(chan struct{})}
	logf, err := os.Create(w.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"writer", "--listen", w.Addr, "--auth", "trust",
		"--storage", strings.Join(items, ","), "--segment-pages", fmt.Sprint(o.SegmentPages)}
	if o.PoolSize > 0 {
		args = append(args, "--pool-size", fmt.Sprint(o.PoolSize))
	}
	if o.HTTP {
		w.HTTPAddr = FreeAddr(t)
		args = append(args, "--http", w.HTTPAddr)
	}
	w.cmd = exec.Command(bin.Path(t), args...)
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.cmd.Wait(); logf.Close(); close(w.done) }()
	t.Cleanup(func() {
		w.Kill()
		if t.Failed() {
			b, _ := os.ReadFile(w.LogPath)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("writer log tail:\n%s", b)
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, w.URL())
		cancel()
		if err == nil {
			c.Close(context.Background())
			return w
		}
		select {
		case <-w.done:
			b, _ := os.ReadFile(w.LogPath)
			t.Fatalf("writer exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("writer did not accept connections: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URL is the writer's connection URL (user tester, database test).
func (w *Writer) URL() string { return URL(w.Addr) }

// URL is the connection URL of a server at addr (user tester, database test,
// no TLS).
func URL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return fmt.Sprintf("postgres://tester@%s:%s/test?sslmode=disable", host, port)
}

// Kill SIGKILLs the writer and waits for it to exit.
func (w *Writer) Kill() {
	select {
	case <-w.done:
		return
	default:
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.done
}

// Metric scrapes the writer's /metrics and returns the value of the
// unlabelled sample name.
func (w *Writer) Metric(t testing.TB, name string) float64 {
	t.Helper()
	if w.HTTPAddr == "" {
		t.Fatal("writer started without HTTP")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+w.HTTPAddr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape metrics: status %d, %v", resp.StatusCode, err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric %s: %q: %v", name, v, err)
			}
			return f
		}
	}
	t.Fatalf("metric %s not in /metrics", name)
	return 0
}

// LogLine returns the fields of the first JSON log line of the writer whose
// msg is msg, or nil.
func (w *Writer) LogLine(t testing.TB, msg string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(w.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			return m
		}
	}
	return nil
}
