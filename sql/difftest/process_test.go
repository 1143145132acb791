package difftest

import (
	"context"
	"flag"
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

var writerMode = flag.String("writer", "memlog", "Borealis under test: memlog (the engine in-process on an in-memory log) or process (a `borealis writer` process on six storage processes, fresh per script)")

// bin is the borealis binary for -writer=process, built on first use.
var bin = segtest.NewBinary()

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	bin.Remove()
	os.Exit(code)
}

// startBorealisUnderTest starts the Borealis chosen by -writer.
func startBorealisUnderTest(t *testing.T) (server, func()) {
	t.Helper()
	switch *writerMode {
	case "memlog":
		return startBorealis(t)
	case "process":
		return startWriterProcess(t)
	default:
		t.Fatalf("-writer=%q: want memlog or process", *writerMode)
		return server{}, nil
	}
}

// startWriterProcess starts six storage processes and a `borealis writer`
// on them, waits until the writer accepts SQL, and returns a stop function
// that kills all seven.
func startWriterProcess(t *testing.T) (server, func()) {
	t.Helper()
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: 8192})
	var items []string
	for _, n := range cl.Layout().Nodes {
		items = append(items, fmt.Sprintf("%s=%s@%s", n.Name, n.Addr, n.AZ))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	logPath := filepath.Join(t.TempDir(), "writer.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin.Path(t), "writer", "--listen", addr.String(), "--auth", "trust",
		"--storage", strings.Join(items, ","), "--segment-pages", "8192", "--pool-size", fmt.Sprint(64<<20))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	stop := func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
		for _, n := range cl.Names() {
			cl.Kill(n)
		}
	}
	t.Cleanup(stop)
	url := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr)
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			c.Close(context.Background())
			return server{host: "127.0.0.1", port: addr.Port}, stop
		}
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("writer exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("writer did not accept connections: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
