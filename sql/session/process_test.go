package session

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/borealis-db/borealis/segment/segtest"
)

// writerProc is a `borealis writer` process over a segtest cluster.
type writerProc struct {
	cmd  *exec.Cmd
	addr string
	log  string
	done chan struct{}
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

// startWriter starts a writer on the cluster's storage nodes and waits until
// it accepts SQL.
func startWriter(t *testing.T, cl *segtest.Cluster, segPages uint64) *writerProc {
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
	w.cmd = exec.Command(bin.Path(t), "writer", "--listen", w.addr, "--auth", "trust",
		"--storage", strings.Join(items, ","), "--segment-pages", fmt.Sprint(segPages), "--pool-size", fmt.Sprint(64<<20))
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

// TestPgbenchOnStorageProcesses runs pgbench against a writer process over
// six storage processes, then SIGKILLs the writer, starts a new one and
// checks that every committed transfer is there.
func TestPgbenchOnStorageProcesses(t *testing.T) {
	pg := pgbenchPath(t)
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: 8192})
	w := startWriter(t, cl, 8192)
	ts := &testServer{addr: w.addr}
	out := runPgbench(t, pg, w.addr, "-i", "-s", "1", "-q")
	t.Log(out)
	before := sums(t, ts)
	for _, mode := range []string{"simple", "prepared"} {
		out = runPgbench(t, pg, w.addr, "-c", "4", "-j", "2", "-T", "10", "-M", mode)
		n := checkRun(t, out)
		t.Logf("%s: %d transactions\n%s", mode, n, out)
		checkInvariant(t, ts, before, "")
		before = sums(t, ts)
	}
	s := sums(t, ts)
	if s[0] != s[1] || s[1] != s[2] {
		t.Fatalf("balances differ: %v", s)
	}
	// Crash the writer; a new one recovers without replaying the log.
	w.kill()
	start := time.Now()
	w2 := startWriter(t, cl, 8192)
	t.Logf("new writer serving after %v", time.Since(start))
	ts2 := &testServer{addr: w2.addr}
	after := sums(t, ts2)
	if after[0] != s[0] || after[1] != s[1] || after[2] != s[2] || after[3] != s[3] {
		t.Fatalf("after writer restart sums %v, before %v", after, s)
	}
	out = runPgbench(t, pg, w2.addr, "-c", "2", "-T", "3", "-M", "extended")
	checkRun(t, out)
}
