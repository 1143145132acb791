package main

import (
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/bench"
)

func okRun(tps, lat float64) outcome {
	return outcome{Ran: true, Res: pgbenchResult{HasTPS: true, TPS: tps, LatencyMS: lat, Processed: 100}, Took: 5 * time.Second}
}

func TestMarkdown(t *testing.T) {
	aborted := okRun(30, 40)
	aborted.Res.Aborted = true
	aborted.Res.Errors = []string{"pgbench: error: client 0 script 0 aborted in command 5 query 0: ERROR:  boom"}
	aborted.Err = "pgbench -c 8: exit status 2"
	failed := okRun(500, 2)
	failed.Res.Failed = 7
	r := &report{
		Start: time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 25, 13, 20, 0, 0, time.UTC),
		Machine: machine{CPU: "Test CPU", Cores: 2, MemGiB: 4, Disk: "/dev/x ext4 (rw) at /", Kernel: "6.1"},
		Commit:  "abc", Fsync: &bench.FsyncResult{Ops: 900, PerSec: 300, P50: time.Millisecond, P99: 5 * time.Millisecond},
		Scale: 10, Duration: 30 * time.Second, PGVersion: "15.18", PGArgs: pgArgs("256MB"),
		PGSettings:   [][2]string{{"fsync", "on"}},
		BorealisArgs: []string{"writer", "--storage", "a1=127.0.0.1:1@a", "--auth", "trust"},
		InitBorealis: okRun(0, 0), InitPG: okRun(0, 0),
		Cells: []cellResult{
			{Cell: cell{"tpcb-like", 8, "prepared"}, Borealis: okRun(200, 40), PG: okRun(100, 80), BorealisFirst: true},
			{Cell: cell{"tpcb-like", 8, "simple"}, Borealis: aborted, PG: okRun(100, 80)},
			{Cell: cell{"select-only", 1, "simple"}, Borealis: failed, PG: okRun(1000, 1), BorealisFirst: true},
			{Cell: cell{"select-only", 8, "simple"}, Borealis: outcome{Err: "borealis process exited"}, PG: okRun(1000, 1)},
		},
	}
	md := r.markdown()
	for _, want := range []string{
		"| tpcb-like c=8 prepared | 200.0 | 100.0 | 2.00 | 40.00 | 80.00 | 0 / 0 | B |",
		"| tpcb-like c=8 simple | 30.0 (aborted) | 100.0 | 0.30 | 40.00 | 80.00 | 0 +aborted / 0 | PG |",
		"| select-only c=1 simple | 500.0 | 1000.0 | 0.50 | 2.00 | 1.00 | 7 / 0 | B |",
		"| select-only c=8 simple | not run | 1000.0 | — | — | 1.00 | — / 0 | PG |",
		"tpcb-like c=8 prepared 2.00 met",
		"tpcb-like c=8 simple 0.30 not met",
		"select-only c=8 simple no ratio (not met)",
		"- Borealis tpcb-like c=8 simple: pgbench -c 8: exit status 2",
		"ERROR:  boom",
		"- Borealis select-only c=1 simple (7 failed transactions)",
		"- Borealis select-only c=8 simple: borealis process exited",
		"--storage …",
		"fdatasync of 8 KiB appends on this disk: 300/s, p50 1ms, p99 5ms",
		"borealis built from commit abc",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "127.0.0.1:1") {
		t.Errorf("storage list not elided:\n%s", md)
	}
}

// TestTargetsNeedCleanRuns: a ratio over 1.0 with failed transactions is
// not a met target.
func TestTargetsNeedCleanRuns(t *testing.T) {
	b := okRun(300, 1)
	b.Res.Failed = 1
	r := &report{Cells: []cellResult{{Cell: cell{"select-only", 32, "prepared"}, Borealis: b, PG: okRun(100, 1)}}}
	if got := r.targets(); got != "select-only c=32 prepared 3.00 not met" {
		t.Errorf("targets = %q", got)
	}
}

func TestMachineParsing(t *testing.T) {
	if got := cpuModel("processor\t: 0\nvendor_id\t: X\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: other\n"); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel("garbage"); got != "unknown" {
		t.Errorf("cpuModel(garbage) = %q", got)
	}
	if got := memTotalGiB("MemTotal:       2097152 kB\nMemFree: 1 kB\n"); got != 2 {
		t.Errorf("memTotalGiB = %v", got)
	}
	mounts := "/dev/vda / ext4 rw,relatime 0 0\ntmpfs /tmp tmpfs rw 0 0\n/dev/vdb /data xfs rw,noatime 0 0\n/dev/vdc /data2 ext4 rw 0 0\n"
	for _, tc := range []struct{ path, want string }{
		{"/tmp/borealis-bench-1", "tmpfs tmpfs (rw) at /tmp"},
		{"/data/x", "/dev/vdb xfs (rw,noatime) at /data"},
		{"/data", "/dev/vdb xfs (rw,noatime) at /data"},
		{"/data2x/y", "/dev/vda ext4 (rw,relatime) at /"},
		{"/work", "/dev/vda ext4 (rw,relatime) at /"},
	} {
		if got := mountOf(mounts, tc.path); got != tc.want {
			t.Errorf("mountOf(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
