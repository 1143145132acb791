package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildOnce builds the borealis binary once per test run.
var buildOnce = struct {
	sync.Once
	bin string
	err error
}{}

// borealisBinary returns the path of a freshly built borealis binary.
func borealisBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "borealis-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "borealis")
		out, err := exec.Command("go", "build", "-o", buildOnce.bin, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.bin
}

// syncBuffer is a bytes.Buffer safe for a process writing and a test reading.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// upProcess is `borealis up` running as a user would run it: in its own
// process group, as from a terminal.
type upProcess struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// startUp runs `borealis up --dir dir [extra...]` and waits until the
// cluster is up.
func startUp(t *testing.T, bin, dir string, extra ...string) *upProcess {
	t.Helper()
	p := &upProcess{out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"up", "--dir", dir}, extra...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		killLeftovers(t, dir)
	})
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(p.out.String(), "Press Ctrl-C") {
		select {
		case <-p.done:
			t.Fatalf("borealis up exited (%v):\n%s", p.err, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("borealis up did not come up:\n%s", p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

// interrupt sends Ctrl-C to up's process group and waits for it to exit.
func (p *upProcess) interrupt(t *testing.T) error {
	t.Helper()
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(2 * time.Minute):
		t.Fatalf("borealis up did not exit after Ctrl-C:\n%s", p.out.String())
		return nil
	}
}

// killLeftovers SIGKILLs any node a failed test left running.
func killLeftovers(t *testing.T, dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "run", "*.pid"))
	for _, f := range files {
		if pid, err := readPID(f); err == nil && pid > 0 {
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				t.Logf("killed leftover node process %d (%s)", pid, f)
			}
		}
	}
}

// runBin runs the binary and returns stdout, stderr and the error.
func runBin(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return stdout.String(), stderr.String(), err
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("borealis %s did not finish", strings.Join(args, " "))
		return "", "", nil
	}
}

func statusJSON(t *testing.T, bin, dir string) map[string]nodeStatus {
	t.Helper()
	out, stderr, err := runBin(t, bin, "status", "--json", "--dir", dir)
	if err != nil {
		t.Fatalf("status: %v: %s", err, stderr)
	}
	var r statusReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	m := map[string]nodeStatus{}
	for _, n := range r.Nodes {
		m[n.Name] = n
	}
	return m
}

// waitHealth polls status until node has the wanted health.
func waitHealth(t *testing.T, bin, dir, name, want string) nodeStatus {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := statusJSON(t, bin, dir)[name]
		if s.Health == want {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %q, want %q", name, s.Health, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUpAsAUser runs the binary as a user would: up, psql with the printed
// connection string (CREATE TABLE, INSERT), status, kill and start nodes,
// Ctrl-C, up again on the same directory and psql finds the data; and bad
// inputs against a real cluster.
func TestUpAsAUser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of processes")
	}
	bin := borealisBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	up := startUp(t, bin, dir)

	st := statusJSON(t, bin, dir)
	pids := map[string]int{}
	for _, s := range localStorage {
		n, ok := st[s.name]
		if !ok || n.Role != roleStorage || n.AZ != s.az || n.Health != healthUp || n.PID <= 0 {
			t.Fatalf("node %s: %+v", s.name, n)
		}
		pids[s.name] = n.PID
	}
	if w := st["writer"]; w.Role != roleWriter || w.Health != healthUp || w.PID <= 0 || w.Epoch == 0 {
		t.Fatalf("writer: %+v", w)
	}
	pids["writer"] = st["writer"].PID
	if len(st) != 7 {
		t.Fatalf("status shows %d nodes, want 7", len(st))
	}
	config, err := os.ReadFile(filepath.Join(dir, clusterFile))
	if err != nil {
		t.Fatal(err)
	}

	// psql connects with the printed string; what it writes is durable on
	// the storage tier, which status shows per protection group.
	conn := psqlConnString(t, up.out.String())
	want := "acknowledged before the restart"
	psql(t, conn, "CREATE TABLE kept (id int PRIMARY KEY, note text)", "INSERT INTO kept VALUES (1, '"+want+"')")
	groups := func() []groupStatus {
		out, _, err := runBin(t, bin, "status", "--json", "--dir", dir)
		if err != nil {
			t.Fatal(err)
		}
		var r statusReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Groups
	}
	g := groups()
	if len(g) == 0 || g[0].Reachable != 6 || !g[0].WriteQuorum || g[0].HighestSCL == 0 {
		t.Fatalf("groups after a write: %+v", g)
	}
	for name, n := range statusJSON(t, bin, dir) {
		if n.Epoch == 0 || (n.Role == roleStorage && len(n.Groups) == 0) || (n.Role == roleWriter && n.VDL == 0) {
			t.Fatalf("%s after a write: %+v", name, n)
		}
	}
	table, _, err := runBin(t, bin, "status", "--dir", dir)
	if err != nil || !strings.Contains(table, "WRITE QUORUM") || !strings.Contains(table, "6/6") || !strings.Contains(table, "yes") {
		t.Fatalf("status table after a write (%v):\n%s", err, table)
	}
	t.Logf("status:\n%s", table)

	// A second up on the same directory is refused while the first runs.
	before := hashTree(t, filepath.Join(dir, "run"))
	_, stderr, err := runBin(t, bin, "up", "--dir", dir)
	if err == nil || !strings.Contains(stderr, "already running") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("second up: %v, %q", err, stderr)
	}
	// Unknown node: one line naming the valid ones, non-zero exit.
	_, stderr, err = runBin(t, bin, "kill", "x9", "--dir", dir)
	if err == nil || !strings.Contains(stderr, "valid nodes are a1, a2, b1, b2, c1, c2, writer") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("kill x9: %v, %q", err, stderr)
	}
	if hashTree(t, filepath.Join(dir, "run")) != before {
		t.Fatal("refused commands changed the pid files")
	}

	// kill b1: it is down, the others stay up.
	if out, stderr, err := runBin(t, bin, "kill", "b1", "--dir", dir); err != nil || !strings.Contains(out, "killed b1") {
		t.Fatalf("kill b1: %v %q %q", err, out, stderr)
	}
	st = statusJSON(t, bin, dir)
	if st["b1"].Health != healthDown || st["b1"].PID != 0 || processAlive(pids["b1"], &node{Role: roleStorage, Name: "b1"}) {
		t.Fatalf("after kill, b1: %+v", st["b1"])
	}
	for _, name := range []string{"a1", "a2", "b2", "c1", "c2"} {
		if st[name].Health != healthUp {
			t.Fatalf("after kill b1, %s: %+v", name, st[name])
		}
	}
	if g := groups(); len(g) == 0 || g[0].Reachable != 5 || !g[0].WriteQuorum {
		t.Fatalf("groups with b1 down: %+v", g)
	}
	// start b1 brings it back, as a new process.
	if out, stderr, err := runBin(t, bin, "start", "b1", "--dir", dir); err != nil || !strings.Contains(out, "started b1") {
		t.Fatalf("start b1: %v %q %q", err, out, stderr)
	}
	b1 := waitHealth(t, bin, dir, "b1", healthUp)
	if b1.PID <= 0 || b1.PID == pids["b1"] {
		t.Fatalf("b1 after start: %+v", b1)
	}
	// stop a2 cleanly.
	if out, _, err := runBin(t, bin, "stop", "a2", "--dir", dir); err != nil || !strings.Contains(out, "stopped a2") {
		t.Fatalf("stop a2: %v %q", err, out)
	}
	waitHealth(t, bin, dir, "a2", healthDown)
	if out, _, err := runBin(t, bin, "stop", "c1", "c2", "--dir", dir); err != nil || !strings.Contains(out, "stopped c2") {
		t.Fatalf("stop c1 c2: %v %q", err, out)
	}
	if g := groups(); len(g) == 0 || g[0].Reachable != 3 || g[0].WriteQuorum {
		t.Fatalf("groups with a2, c1, c2 down: %+v", g)
	}
	if out, _, err := runBin(t, bin, "start", "a2", "c1", "c2", "--dir", dir); err != nil || !strings.Contains(out, "started c2") {
		t.Fatalf("start a2 c1 c2: %v %q", err, out)
	}
	st = statusJSON(t, bin, dir)
	for name, n := range st {
		if n.Health != healthUp {
			t.Fatalf("after start, %s: %+v", name, n)
		}
		pids[name+"again"] = n.PID
	}

	// Ctrl-C: up exits 0 and every node process is gone, including b1,
	// which `start` launched outside up's process group.
	if err := up.interrupt(t); err != nil {
		t.Fatalf("up exited with %v after Ctrl-C:\n%s", err, up.out.String())
	}
	for name, pid := range pids {
		n := &node{Role: roleStorage, Name: strings.TrimSuffix(name, "again")}
		if n.Name == "writer" {
			n.Role = roleWriter
		}
		if processAlive(pid, n) {
			t.Fatalf("node %s (pid %d) still runs after Ctrl-C", name, pid)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "run", "*.pid")); len(files) != 0 {
		t.Fatalf("pid files left: %v", files)
	}

	// up again resumes on the same ports and data.
	up = startUp(t, bin, dir)
	again, err := os.ReadFile(filepath.Join(dir, clusterFile))
	if err != nil || !bytes.Equal(again, config) {
		t.Fatalf("cluster.toml changed on resume: %v", err)
	}
	st2 := statusJSON(t, bin, dir)
	for name, n := range st2 {
		if n.Health != healthUp || n.Epoch < st[name].Epoch || n.SCL < st[name].SCL {
			t.Fatalf("after resume %s: %+v (before %+v)", name, n, st[name])
		}
	}
	if got := psql(t, psqlConnString(t, up.out.String()), "SELECT note FROM kept WHERE id = 1"); got != want {
		t.Fatalf("after resume psql read %q, want %q", got, want)
	}
	if err := up.interrupt(t); err != nil {
		t.Fatalf("second up exited with %v:\n%s", err, up.out.String())
	}
}

// TestUpPortInUseProcess: the real binary refuses a taken port with one line
// and a non-zero exit, and changes nothing.
func TestUpPortInUseProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := borealisBinary(t)
	dir, c := localClusterDir(t)
	ln, err := listenTCP(c.Nodes[3].Listen)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	before := hashTree(t, dir)
	_, stderr, err := runBin(t, bin, "up", "--dir", dir)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("up with a taken port: %v", err)
	}
	line := strings.TrimSpace(stderr)
	if strings.Contains(line, "\n") || !strings.Contains(line, c.Nodes[3].Listen) || !strings.Contains(line, "already in use") {
		t.Fatalf("stderr %q", stderr)
	}
	if hashTree(t, dir) != before {
		t.Fatal("the data directory changed")
	}
}

// TestUpConfigFile: up with a cluster file outside the data directory (the
// multi-host way) marks the directory with the cluster's id, and a writer node
// is started only when the binary has the writer role.
func TestUpConfigFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of processes")
	}
	bin := borealisBinary(t)
	c, err := newLocalCluster(true)
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.encode()
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(t.TempDir(), "cluster.toml"), string(data))
	dir := filepath.Join(t.TempDir(), "data")
	up := startUp(t, bin, dir, "--config", cfg)
	hasWriter := hasSubcommand(newRootCmd(), roleWriter)
	if !hasWriter && !strings.Contains(up.out.String(), "Not started: writer") {
		t.Fatalf("up without a writer role:\n%s", up.out.String())
	}
	copied, err := os.ReadFile(filepath.Join(dir, clusterFile))
	if err != nil || !bytes.Equal(copied, data) {
		t.Fatalf("the data directory's copy of the cluster file: %v", err)
	}
	out, _, err := runBin(t, bin, "status", "--json", "--config", cfg, "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	var r statusReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.ClusterID != c.ID || len(r.Nodes) != 7 {
		t.Fatalf("status: %+v", r)
	}
	for _, n := range r.Nodes {
		want := healthUp
		if n.Role == roleWriter && !hasWriter {
			want = healthDown
		}
		if n.Health != want {
			t.Fatalf("%s is %s, want %s", n.Name, n.Health, want)
		}
	}
	if err := up.interrupt(t); err != nil {
		t.Fatalf("up exited with %v:\n%s", err, up.out.String())
	}
}
