package main

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"io"
	"log/slog"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, c config)
	}{
		{"defaults", nil, "", func(t *testing.T, c config) {
			if c.scale != 10 || c.duration != 30*time.Second || !reflect.DeepEqual(c.clients, []int{1, 8, 32}) ||
				!reflect.DeepEqual(c.scripts, []string{"tpcb-like", "select-only"}) || !reflect.DeepEqual(c.modes, []string{"prepared", "simple"}) {
				t.Errorf("defaults: %+v", c)
			}
			if n := len(c.matrix()); n != 12 {
				t.Errorf("default matrix has %d cells, want 12", n)
			}
		}},
		{"quick", []string{"--quick", "--duration", "1m"}, "", func(t *testing.T, c config) {
			if c.duration != 5*time.Second {
				t.Errorf("--quick duration %v", c.duration)
			}
		}},
		{"lists", []string{"--clients", "2, 4", "--modes", "extended", "--scripts", "simple-update"}, "", func(t *testing.T, c config) {
			want := []cell{{"simple-update", 2, "extended"}, {"simple-update", 4, "extended"}}
			if got := c.matrix(); !reflect.DeepEqual(got, want) {
				t.Errorf("matrix %v, want %v", got, want)
			}
		}},
		{"bad client count", []string{"--clients", "1,x"}, `"x" is not a client count`, nil},
		{"zero clients", []string{"--clients", "0"}, "not a client count", nil},
		{"bad mode", []string{"--modes", "fast"}, `"fast" is not one of simple, extended, prepared`, nil},
		{"bad script", []string{"--scripts", "tpcb"}, `"tpcb" is not one of`, nil},
		{"fractional duration", []string{"--duration", "1500ms"}, "whole number of seconds", nil},
		{"scale", []string{"--scale", "0"}, "at least 1", nil},
		{"stray argument", []string{"now"}, "unexpected arguments", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseFlags(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestThreads(t *testing.T) {
	for c, want := range map[int]int{1: 1, 2: 2, 8: 2, 32: 2} {
		if got := (cell{Clients: c}).threads(); got != want {
			t.Errorf("threads(%d) = %d, want %d", c, got, want)
		}
	}
}

// TestProcSetStopsAll starts real processes, one of which ignores the
// polite signal, and checks stopAll ends them all.
func TestProcSetStopsAll(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	ps := &procSet{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	dir := t.TempDir()
	polite, err := ps.start("polite", filepath.Join(dir, "polite.log"), syscall.SIGTERM, nil, sh, "-c", "echo hello; exec sleep 60")
	if err != nil {
		t.Fatal(err)
	}
	stubborn, err := ps.start("stubborn", filepath.Join(dir, "stubborn.log"), syscall.SIGTERM, nil, sh, "-c", "trap '' TERM; echo ready; sleep 60 & wait")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.stopAll)
	// Wait (bounded) until the stubborn shell has installed its trap.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stubborn.logTail(100), "ready") {
		if time.Now().After(deadline) {
			t.Fatal("stubborn process never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ps.grace = time.Second
	done := make(chan struct{})
	go func() { ps.stopAll(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("stopAll did not return")
	}
	if !polite.exited() || !stubborn.exited() {
		t.Fatalf("still running: polite %v stubborn %v", !polite.exited(), !stubborn.exited())
	}
	if got := polite.logTail(100); got != "hello" {
		t.Errorf("log tail %q, want hello", got)
	}
}
