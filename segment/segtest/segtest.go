// Package segtest starts real storage nodes (`borealis storage` processes) on
// loopback for tests: it builds the borealis binary once per test process,
// starts six nodes (a1 a2 b1 b2 c1 c2 in AZs a, b, c), waits until each
// answers Status, and lets a test kill, stop and restart them. Every process
// is killed in t.Cleanup; each one's stderr goes to a file in the test
// directory and its tail is printed when the test fails.
package segtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// Binary builds the borealis binary at most once. Create one in TestMain
// (NewBinary) and call Remove after m.Run.
type Binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// NewBinary returns a builder; nothing is built until Path is called.
func NewBinary() *Binary { return &Binary{} }

// BinaryEnv names an environment variable: when set, Path uses the borealis
// binary at that path instead of building one (for a checkout whose other
// packages are mid-edit and do not build).
const BinaryEnv = "BOREALIS_TEST_BINARY"

// Path builds the binary on first use (go build of cmd/borealis from the
// module root, or the binary BinaryEnv names) and returns its path; a build
// failure fails tb.
func (b *Binary) Path(tb testing.TB) string {
	tb.Helper()
	b.once.Do(func() {
		if p := os.Getenv(BinaryEnv); p != "" {
			if _, err := os.Stat(p); err != nil {
				b.err = fmt.Errorf("segtest: %s: %w", BinaryEnv, err)
			}
			b.path = p
			return
		}
		root, err := moduleRoot()
		if err != nil {
			b.err = err
			return
		}
		if b.dir, err = os.MkdirTemp("", "segtest-bin-"); err != nil {
			b.err = fmt.Errorf("segtest: temp dir: %w", err)
			return
		}
		b.path = filepath.Join(b.dir, "borealis")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.path, "github.com/borealis-db/borealis/cmd/borealis")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("segtest: go build cmd/borealis: %w\n%s", err, out)
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.path
}

// Remove deletes the built binary.
func (b *Binary) Remove() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("segtest: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("segtest: not inside a Go module")
	}
	return filepath.Dir(mod), nil
}

// Node is one storage process.
type Node struct {
	Name, AZ, Dir, Addr string
	stderr              string // file collecting the process's stderr

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the running process has exited
}

// Cluster is a set of storage processes of one test.
type Cluster struct {
	tb    testing.TB
	bin   string
	pages uint64
	nodes []*Node
	args  []string
}

// Options configure Start.
type Options struct {
	// SegmentPages is the segment size the Layout reports (0: 64 pages, so
	// that tests span several protection groups).
	SegmentPages uint64
	// Args are extra flags for every `borealis storage` process.
	Args []string
	// ReadyTimeout bounds waiting for a node to answer Status (default 60s).
	ReadyTimeout time.Duration
}

// Start starts six storage nodes, a1 a2 b1 b2 c1 c2 in AZs a, b, c, each on
// a free loopback port with its own directory under tb.TempDir(), and waits
// until all answer Status.
func Start(tb testing.TB, bin *Binary, opts Options) *Cluster {
	tb.Helper()
	if opts.SegmentPages == 0 {
		opts.SegmentPages = 64
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	c := &Cluster{tb: tb, bin: bin.Path(tb), pages: opts.SegmentPages, args: opts.Args}
	base := tb.TempDir()
	tb.Cleanup(c.cleanup)
	for _, az := range []string{"a", "b", "c"} {
		for i := 1; i <= 2; i++ {
			name := fmt.Sprintf("%s%d", az, i)
			n := &Node{Name: name, AZ: az, Dir: filepath.Join(base, name), Addr: freeAddr(tb), stderr: filepath.Join(base, name+".stderr")}
			c.nodes = append(c.nodes, n)
		}
	}
	for _, n := range c.nodes {
		c.start(n)
	}
	for _, n := range c.nodes {
		c.waitReady(n, opts.ReadyTimeout)
	}
	return c
}

func freeAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("segtest: free port: %v", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func (c *Cluster) start(n *Node) {
	c.tb.Helper()
	f, err := os.OpenFile(n.stderr, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.tb.Fatalf("segtest: stderr file: %v", err)
	}
	fmt.Fprintf(f, "=== segtest: starting %s at %s\n", n.Name, time.Now().Format(time.RFC3339Nano))
	args := append([]string{"storage", "--dir", n.Dir, "--listen", n.Addr, "--node", n.Name, "--az", n.AZ}, c.args...)
	cmd := exec.Command(c.bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		c.tb.Fatalf("segtest: start %s: %v", n.Name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = f.Close()
		close(done)
	}()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
}

// waitReady polls Status until the node answers or timeout passes.
func (c *Cluster) waitReady(n *Node, timeout time.Duration) {
	c.tb.Helper()
	cc, err := grpc.NewClient(n.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		c.tb.Fatalf("segtest: client for %s: %v", n.Name, err)
	}
	defer cc.Close()
	client := storagerpc.NewClient(cc)
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		n.mu.Lock()
		done := n.done
		n.mu.Unlock()
		select {
		case <-done:
			c.tb.Fatalf("segtest: node %s exited before it was ready\n%s", n.Name, tail(n.stderr, 30))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, last = client.Status(ctx, &storagerpc.StatusRequest{})
		cancel()
		if last == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.tb.Fatalf("segtest: node %s not ready after %v: %v\n%s", n.Name, timeout, last, tail(n.stderr, 30))
}

// Node returns a node by name; an unknown name fails the test.
func (c *Cluster) Node(name string) *Node {
	c.tb.Helper()
	for _, n := range c.nodes {
		if n.Name == name {
			return n
		}
	}
	c.tb.Fatalf("segtest: no node %q", name)
	return nil
}

// Names lists the node names in start order.
func (c *Cluster) Names() []string {
	var out []string
	for _, n := range c.nodes {
		out = append(out, n.Name)
	}
	return out
}

// Addr is a node's gRPC address.
func (c *Cluster) Addr(name string) string { return c.Node(name).Addr }

// Layout describes the cluster for quorum.Volume.
func (c *Cluster) Layout() quorum.Layout {
	l := quorum.Layout{SegmentPages: c.pages}
	for _, n := range c.nodes {
		l.Nodes = append(l.Nodes, quorum.Node{Name: n.Name, Addr: n.Addr, AZ: n.AZ})
	}
	return l
}

// Running reports whether a node's process is alive.
func (c *Cluster) Running(name string) bool {
	n := c.Node(name)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// signal sends sig to a node and waits (up to wait) for it to exit, then
// kills it.
func (c *Cluster) signal(n *Node, sig syscall.Signal, wait time.Duration) {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
		return
	case <-time.After(wait):
	}
	_ = cmd.Process.Kill()
	<-done
}

// Kill SIGKILLs a node and waits for it to exit.
func (c *Cluster) Kill(name string) { c.signal(c.Node(name), syscall.SIGKILL, time.Minute) }

// Stop SIGTERMs a node and waits for it to exit (SIGKILL after 15s).
func (c *Cluster) Stop(name string) { c.signal(c.Node(name), syscall.SIGTERM, 15*time.Second) }

// Restart starts a stopped or killed node again on the same directory and
// port (killing it first if it runs) and waits until it answers Status.
func (c *Cluster) Restart(name string) {
	c.tb.Helper()
	n := c.Node(name)
	if c.Running(name) {
		c.Kill(name)
	}
	c.start(n)
	c.waitReady(n, 60*time.Second)
}

// Status asks a node for its status with a short deadline.
func (c *Cluster) Status(ctx context.Context, name string) (*storagerpc.StatusResponse, error) {
	cc, err := grpc.NewClient(c.Addr(name), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return storagerpc.NewClient(cc).Status(ctx, &storagerpc.StatusRequest{})
}

func (c *Cluster) cleanup() {
	for _, n := range c.nodes {
		c.signal(n, syscall.SIGKILL, time.Minute)
	}
	if c.tb.Failed() {
		for _, n := range c.nodes {
			c.tb.Logf("segtest: stderr of %s (last lines):\n%s", n.Name, tail(n.stderr, 25))
		}
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
