package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a node process (a "sleeper"
// whose command line looks like `storage --node NAME`), so that pid files and
// signals can be tested without building the real roles.
func TestMain(m *testing.M) {
	switch os.Getenv("BOREALIS_TEST_SLEEPER") {
	case "term":
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		os.Exit(0)
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		select {}
	case "exit":
		fmt.Fprintln(os.Stderr, `{"msg":"stand-in node exits"}`)
		os.Exit(0)
	}
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		// Started as a node without a stand-in mode: never run the tests
		// recursively.
		fmt.Fprintln(os.Stderr, "test binary started as a node without BOREALIS_TEST_SLEEPER")
		os.Exit(2)
	}
	code := m.Run()
	if buildOnce.bin != "" {
		_ = os.RemoveAll(filepath.Dir(buildOnce.bin))
	}
	os.Exit(code)
}

// startSleeper starts a stand-in process for node n and records its pid as
// startNode would.
func startSleeper(t *testing.T, l *loaded, n *node, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], n.Role, "--node", n.Name)
	cmd.Env = append(os.Environ(), "BOREALIS_TEST_SLEEPER="+mode)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	if err := os.MkdirAll(filepath.Dir(l.pidFile(n)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(l.pidFile(n), []byte(strconv.Itoa(cmd.Process.Pid)+"\n")); err != nil {
		t.Fatal(err)
	}
	// Wait until the process runs our binary (exec has happened).
	deadline := time.Now().Add(30 * time.Second)
	for !processAlive(cmd.Process.Pid, n) {
		if time.Now().After(deadline) {
			t.Fatal("sleeper did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd
}

func testLoaded(t *testing.T) *loaded {
	t.Helper()
	c, err := parseCluster("x", []byte(validTOML))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &loaded{cluster: c, dir: dir, path: filepath.Join(dir, clusterFile)}
}

func TestSignalNode(t *testing.T) {
	tests := []struct {
		name  string
		mode  string
		sig   syscall.Signal
		grace time.Duration
	}{
		{"sigterm", "term", syscall.SIGTERM, 30 * time.Second},
		{"sigterm ignored escalates to sigkill", "ignore-term", syscall.SIGTERM, 200 * time.Millisecond},
		{"sigkill", "ignore-term", syscall.SIGKILL, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := testLoaded(t)
			n := &l.Nodes[0]
			cmd := startSleeper(t, l, n, tt.mode)
			pid, alive, err := l.nodePID(n)
			if err != nil || !alive || pid != cmd.Process.Pid {
				t.Fatalf("nodePID = %d %v %v, want %d alive", pid, alive, err, cmd.Process.Pid)
			}
			was, err := signalNode(context.Background(), l, n, tt.sig, tt.grace)
			if err != nil || !was {
				t.Fatalf("signalNode = %v, %v", was, err)
			}
			if processAlive(cmd.Process.Pid, n) {
				t.Fatal("process still alive")
			}
			if _, err := os.Stat(l.pidFile(n)); !os.IsNotExist(err) {
				t.Fatalf("pid file left behind: %v", err)
			}
			was, err = signalNode(context.Background(), l, n, tt.sig, tt.grace)
			if err != nil || was {
				t.Fatalf("second signalNode = %v, %v; want not running", was, err)
			}
		})
	}
}

// TestProcessAliveIdentity: a pid file naming a process that is not this
// node (pid reuse, a stale file) does not count as the node running.
func TestProcessAliveIdentity(t *testing.T) {
	l := testLoaded(t)
	a1, w := &l.Nodes[0], &l.Nodes[1]
	cmd := startSleeper(t, l, a1, "term")
	if processAlive(cmd.Process.Pid, w) {
		t.Fatal("a1's process taken for w")
	}
	if processAlive(cmd.Process.Pid, &node{Role: roleStorage, Name: "storage"}) {
		t.Fatal("a node named like an argument matched")
	}
	if processAlive(os.Getpid(), a1) {
		t.Fatal("the test process taken for a1")
	}
	if processAlive(0, a1) || processAlive(-1, a1) {
		t.Fatal("non-positive pid alive")
	}
	if err := os.WriteFile(l.pidFile(w), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.nodePID(w); err == nil {
		t.Fatal("garbage pid file accepted")
	}
}

func TestStartNodeWritesLogAndPid(t *testing.T) {
	l := testLoaded(t)
	n := &l.Nodes[0]
	// The test binary as "exe", as a stand-in that logs a line and exits:
	// what matters is the files startNode leaves.
	t.Setenv("BOREALIS_TEST_SLEEPER", "exit")
	cmd, err := startNode(l, n, os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if pid, err := readPID(l.pidFile(n)); err != nil || pid != cmd.Process.Pid {
		t.Fatalf("pid file: %d %v", pid, err)
	}
	if fi, err := os.Stat(l.logFile(n)); err != nil || fi.Size() == 0 {
		t.Fatalf("log file: %v", err)
	}
	if fi, err := os.Stat(l.dataDir(n)); err != nil || !fi.IsDir() {
		t.Fatalf("data dir: %v", err)
	}
	args, err := roleArgs(l, n)
	if err != nil || args[0] != n.Role || !contains(args, n.Name) || !contains(args, n.Listen) || !contains(args, n.HTTP) {
		t.Fatalf("role args %v %v", args, err)
	}
}
