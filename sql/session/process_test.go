package session

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

// writerProc is a `borealis writer` process over a segtest cluster.
type writerProc struct {
	cmd      *exec.Cmd
	addr     string // PostgreSQL address
	httpAddr string // /metrics and /healthz address ("" when not served)
	log      string // the process's stdout+stderr (JSON slog lines)
	done     chan struct{}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// writerOptions configure startWriterWith.
type writerOptions struct {
	segPages uint64 // --segment-pages; must match the cluster's
	poolSize int64  // --pool-size in bytes (0: the writer's default, 256 MiB)
	http     bool   // serve /metrics and /healthz on a free port
}

// startWriter starts a writer with a 64 MiB buffer pool on the cluster's
// storage nodes and waits until it accepts SQL.
func startWriter(t *testing.T, cl *segtest.Cluster, segPages uint64) *writerProc {
	t.Helper()
	return startWriterWith(t, cl, writerOptions{segPages: segPages, poolSize: 64 << 20})
}

// startWriterWith starts a writer on the cluster's storage nodes and waits
// until it accepts SQL. It is SIGKILLed when the test ends.
func startWriterWith(t *testing.T, cl *segtest.Cluster, o writerOptions) *writerProc {
	t.Helper()
	var items []string
	for _, n := range cl.Layout().Nodes {
		items = append(items, fmt.Sprintf("%s=%s@%s", n.Name, n.Addr, n.AZ))
	}
	w := &writerProc{addr: freeAddr(t), log: filepath.Join(t.TempDir(), "writer.log"), done: make(chan struct{})}
	logf, err := os.Create(w.log)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"writer", "--listen", w.addr, "--auth", "trust",
		"--storage", strings.Join(items, ","), "--segment-pages", fmt.Sprint(o.segPages)}
	if o.poolSize > 0 {
		args = append(args, "--pool-size", fmt.Sprint(o.poolSize))
	}
	if o.http {
		w.httpAddr = freeAddr(t)
		args = append(args, "--http", w.httpAddr)
	}
	w.cmd = exec.Command(bin.Path(t), args...)
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.cmd.Wait(); logf.Close(); close(w.done) }()
	t.Cleanup(func() {
		w.kill()
		if t.Failed() {
			b, _ := os.ReadFile(w.log)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("writer log tail:\n%s", b)
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, w.url())
		cancel()
		if err == nil {
			c.Close(context.Background())
			return w
		}
		select {
		case <-w.done:
			b, _ := os.ReadFile(w.log)
			t.Fatalf("writer exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("writer did not accept connections: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (w *writerProc) url() string {
	host, port, _ := net.SplitHostPort(w.addr)
	return fmt.Sprintf("postgres://tester@%s:%s/test?sslmode=disable", host, port)
}

// kill SIGKILLs the writer and waits for it to exit.
func (w *writerProc) kill() {
	select {
	case <-w.done:
		return
	default:
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.done
}

// metric scrapes the writer's /metrics and returns the value of the
// unlabelled sample name.
func (w *writerProc) metric(t *testing.T, name string) float64 {
	t.Helper()
	if w.httpAddr == "" {
		t.Fatal("writer started without --http")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+w.httpAddr+"/metrics", nil)
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

// logLine returns the fields of the first JSON log line of the writer whose
// msg is msg, or nil.
func (w *writerProc) logLine(t *testing.T, msg string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(w.log)
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
