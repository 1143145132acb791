package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestPostgresPgbench starts the benchmark's PostgreSQL, runs a small
// pgbench against it through runPgbench and parsePgbench, and checks that
// stopAll ends the server. Skipped with -short or without PostgreSQL 15 and
// pgbench.
func TestPostgresPgbench(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not starting PostgreSQL")
	}
	const pgBin = "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(filepath.Join(pgBin, "postgres")); err != nil {
		t.Skip("PostgreSQL 15 binaries not installed")
	}
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Not t.TempDir: as root, the postgres user must reach the directory, and
	// t.TempDir's parent is private to root.
	dir, err := os.MkdirTemp("", "pgbench-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ps := &procSet{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	t.Cleanup(ps.stopAll)
	pg, err := startPostgres(ctx, ps, dir, pgBin, "32MB")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"fsync": "on", "synchronous_commit": "on", "shared_buffers": "32MB"}
	for _, kv := range pg.settings {
		if w, ok := want[kv[0]]; ok {
			if kv[1] != w {
				t.Errorf("%s = %q, want %q", kv[0], kv[1], w)
			}
			delete(want, kv[0])
		}
	}
	if len(want) > 0 {
		t.Errorf("settings not reported: %v (got %v)", want, pg.settings)
	}
	if out, _, err := runPgbench(ctx, pgbench, pg.addr, 2*time.Minute, "-i", "-s", "1", "-q"); err != nil {
		t.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	out, _, err := runPgbench(ctx, pgbench, pg.addr, 2*time.Minute, "-c", "2", "-j", "2", "-T", "1", "-M", "prepared", "-b", "select-only")
	if err != nil {
		t.Fatalf("pgbench: %v\n%s", err, out)
	}
	r := parsePgbench(out)
	if !r.HasTPS || r.TPS <= 0 || r.Processed <= 0 || r.LatencyMS <= 0 || r.Failed != 0 || r.Aborted || len(r.Errors) > 0 {
		t.Fatalf("parsed %+v from\n%s", r, out)
	}
	// A run against a closed port is an error with pgbench's reason kept.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = runPgbench(ctx, pgbench, "127.0.0.1:"+itoa(port), time.Minute, "-c", "1", "-T", "1")
	if err == nil {
		t.Fatalf("pgbench against a closed port succeeded:\n%s", out)
	}
	if r := parsePgbench(out); len(r.Errors) == 0 || r.HasTPS {
		t.Errorf("closed port: parsed %+v from\n%s", r, out)
	}
	ps.stopAll()
	if !pg.proc.exited() {
		t.Fatal("postgres still running after stopAll")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
