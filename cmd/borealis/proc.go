package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long a node gets to exit after SIGTERM before SIGKILL.
const stopGrace = 15 * time.Second

// roleArgs are the arguments that run node n as its role of this binary. They
// depend only on the configuration, so `up` and `start` run a node the same way.
// Every role accepts --node, --az, --listen, --http and --dir (its own data
// directory); roles other than storage also get --config, the absolute path of
// the cluster file, to find the storage nodes. processAlive recognises a
// node's process by its role and --node.
func roleArgs(l *loaded, n *node) ([]string, error) {
	data, err := filepath.Abs(l.dataDir(n))
	if err != nil {
		return nil, fmt.Errorf("data directory of %s: %w", n.Name, err)
	}
	args := []string{n.Role, "--node", n.Name, "--az", n.AZ, "--listen", n.Listen, "--http", n.HTTP, "--dir", data}
	if n.Role != roleStorage {
		cfg, err := filepath.Abs(l.path)
		if err != nil {
			return nil, fmt.Errorf("cluster file: %w", err)
		}
		args = append(args, "--config", cfg)
	}
	return args, nil
}

// readPID returns the pid recorded for a node, 0 when there is none.
func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s holds %q, not a pid: remove it if no node runs", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// removePIDIf removes a pid file if it still names pid.
func removePIDIf(path string, pid int) {
	if cur, err := readPID(path); err == nil && cur == pid {
		_ = os.Remove(path)
	}
}

// processAlive reports whether pid is a live (not zombie) process running
// node n of this binary (`ROLE ... --node NAME ...`, as roleArgs builds it).
// Without /proc it trusts kill(pid, 0).
func processAlive(pid int, n *node) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if _, perr := os.Stat("/proc/self/stat"); perr == nil {
			return false // /proc works, so the process is gone
		}
		return true
	}
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 {
		if f := strings.Fields(string(stat[i+1:])); len(f) > 0 && (f[0] == "Z" || f[0] == "X") {
			return false
		}
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if len(args) < 2 || args[1] != n.Role {
		return false
	}
	for i := 2; i+1 < len(args); i++ {
		if args[i] == "--node" && args[i+1] == n.Name {
			return true
		}
	}
	return false
}

// nodePID returns the pid of node n if it is running from this data directory.
func (l *loaded) nodePID(n *node) (int, bool, error) {
	pid, err := readPID(l.pidFile(n))
	if err != nil || pid == 0 {
		return 0, false, err
	}
	return pid, processAlive(pid, n), nil
}

// startNode starts node n as a child process in its own session, with its
// output appended to its log file, and records its pid. The caller waits for
// the process (or releases it).
func startNode(l *loaded, n *node, exe string) (*exec.Cmd, error) {
	args, err := roleArgs(l, n)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{filepath.Dir(l.logFile(n)), filepath.Dir(l.pidFile(n)), l.dataDir(n)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("start %s: %w", n.Name, err)
		}
	}
	logf, err := os.OpenFile(l.logFile(n), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: open log: %w", n.Name, err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", n.Name, err)
	}
	if err := writeFileAtomic(l.pidFile(n), []byte(strconv.Itoa(cmd.Process.Pid)+"\n")); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("start %s: %w", n.Name, err)
	}
	return cmd, nil
}

// signalNode sends sig to node n's process and waits until it is gone, up to
// grace; after that it sends SIGKILL and waits once more. It reports whether
// the node was running.
func signalNode(ctx context.Context, l *loaded, n *node, sig syscall.Signal, grace time.Duration) (bool, error) {
	pid, alive, err := l.nodePID(n)
	if err != nil {
		return false, err
	}
	if !alive {
		return false, nil
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return true, fmt.Errorf("signal %s (pid %d): %w", n.Name, pid, err)
	}
	if waitGone(ctx, pid, n, grace) {
		removePIDIf(l.pidFile(n), pid)
		waitPortsFree(ctx, n, 5*time.Second)
		return true, nil
	}
	if sig != syscall.SIGKILL {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if waitGone(ctx, pid, n, 10*time.Second) {
			removePIDIf(l.pidFile(n), pid)
			waitPortsFree(ctx, n, 5*time.Second)
			return true, nil
		}
	}
	return true, fmt.Errorf("%s (pid %d) is still running after %s: look at %s", n.Name, pid, sig, l.logFile(n))
}

// waitGone polls until the process is gone or d has passed.
func waitGone(ctx context.Context, pid int, n *node, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if !processAlive(pid, n) {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPortsFree polls, up to d, until node n's addresses can be listened on
// again: a killed process shows as a zombie a moment before the last of its
// threads has closed its sockets, and an immediate restart would find its
// ports taken.
func waitPortsFree(ctx context.Context, n *node, d time.Duration) {
	deadline := time.Now().Add(d)
	for {
		free := true
		for _, a := range []string{n.Listen, n.HTTP} {
			ln, err := listenTCP(a)
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free || time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPortsFree fails with a one-line error when an address of a node is
// already taken.
func checkPortsFree(l *loaded, nodes []*node) error {
	for _, n := range nodes {
		for _, a := range []struct{ what, addr string }{{"listen", n.Listen}, {"http", n.HTTP}} {
			ln, err := listenTCP(a.addr)
			if err != nil {
				return fmt.Errorf("port %s (%s address of node %s) is already in use: stop the program using it, or change the port in %s", a.addr, a.what, n.Name, l.path)
			}
			ln.Close()
		}
	}
	return nil
}

// lastLine returns the last non-empty line of a file, for error messages.
func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	s := strings.TrimSpace(lines[len(lines)-1])
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
