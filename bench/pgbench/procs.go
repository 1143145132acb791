package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is one child process whose stdout and stderr go to a log file.
type proc struct {
	name    string
	logPath string
	stopSig syscall.Signal // polite stop signal (SIGINT for postgres: fast shutdown)
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error         // exit status, valid once done is closed
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// logTail returns the last n bytes of the process's log.
func (p *proc) logTail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(bytes.TrimRight(b, "\n"))
}

// procSet owns every long-running child process of the benchmark and stops
// them all, newest first, in stopAll.
type procSet struct {
	log   *slog.Logger
	grace time.Duration // how long stopAll waits after the polite signal (0: 20s)
	mu    sync.Mutex
	procs []*proc
}

// start starts a process in its own process group (so that a terminal's
// Ctrl-C reaches only this program, which then stops it in order) with the
// parent-death signal set where the OS has one, so that nothing outlives a
// killed benchmark.
func (s *procSet) start(name, logPath string, stopSig syscall.Signal, cred *syscall.Credential, bin string, args ...string) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr(cred)
	if err := startLocked(cmd); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, logPath: logPath, stopSig: stopSig, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		_ = logf.Close()
		close(p.done)
	}()
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	s.log.Info("started", "proc", name, "pid", cmd.Process.Pid, "log", logPath)
	return p, nil
}

// stop sends the polite signal, waits up to grace, then SIGKILLs the whole
// process group (postgres backends included) and waits for the exit.
func (s *procSet) stop(p *proc, grace time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(p.stopSig)
	select {
	case <-p.done:
	case <-time.After(grace):
		s.log.Warn("did not stop in time, killing", "proc", p.name, "grace", grace.String())
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	// Children left in the group (none expected) go too.
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// stopAll stops every process, newest first.
func (s *procSet) stopAll() {
	s.mu.Lock()
	procs := append([]*proc(nil), s.procs...)
	s.procs = nil
	s.mu.Unlock()
	grace := s.grace
	if grace == 0 {
		grace = 20 * time.Second
	}
	for i := len(procs) - 1; i >= 0; i-- {
		s.stop(procs[i], grace)
	}
	if len(procs) > 0 {
		s.log.Info("stopped all processes", "count", len(procs))
	}
}

// waitUntil polls ready every 100ms until it returns nil, p exits, ctx ends
// or timeout passes.
func waitUntil(ctx context.Context, p *proc, timeout time.Duration, ready func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := ready(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited (%v) before it was ready; log tail:\n%s", p.name, p.waitErr, p.logTail(3000))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w", p.name, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// errAborted marks a stop asked for by a signal.
var errAborted = errors.New("interrupted")
