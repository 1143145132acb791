package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var connRE = regexp.MustCompile(`psql "([^"]+)"`)

// psqlConnString is the connection string `borealis up` printed.
func psqlConnString(t *testing.T, out string) string {
	t.Helper()
	m := connRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("up printed no psql connection string:\n%s", out)
	}
	return m[len(m)-1][1]
}

// psql runs the real psql with conn and each statement as a -c, unaligned
// and tuples only, and returns its trimmed output.
func psql(t *testing.T, conn string, stmts ...string) string {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		if _, serr := os.Stat("/usr/bin/psql"); serr != nil {
			t.Skip("psql is not installed (apt-get install postgresql-client-15)")
		}
		bin = "/usr/bin/psql"
	}
	args := []string{conn, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"}
	for _, s := range stmts {
		args = append(args, "-c", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=20")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql %q %q: %v: %s", conn, stmts, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// TestUpGainsWriter: a data directory written by an up that started only the
// six storage nodes gains a writer on the next up, keeping the storage nodes'
// addresses, and psql connects with the printed string.
func TestUpGainsWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of processes")
	}
	bin := borealisBinary(t)
	dir, old := localClusterDir(t)
	if old.hasRole(roleWriter) {
		t.Fatal("the old-style cluster already has a writer")
	}
	up := startUp(t, bin, dir)
	l, err := (&clusterFlags{dir: dir}).load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Nodes) != 7 || !l.hasRole(roleWriter) || l.ID != old.ID {
		t.Fatalf("cluster after up: %+v", l.cluster)
	}
	for i, n := range old.Nodes {
		if l.Nodes[i] != n {
			t.Fatalf("node %s changed: %+v, was %+v", n.Name, l.Nodes[i], n)
		}
	}
	if got := psql(t, psqlConnString(t, up.out.String()), "SELECT 40 + 2"); got != "42" {
		t.Fatalf("psql SELECT 40 + 2 = %q", got)
	}
	if w := statusJSON(t, bin, dir)["writer"]; w.Health != healthUp || w.PID <= 0 {
		t.Fatalf("writer: %+v", w)
	}
	if err := up.interrupt(t); err != nil {
		t.Fatalf("up exited with %v:\n%s", err, up.out.String())
	}
}

var (
	verdictRE = regexp.MustCompile(`(?m)^Verdict: (PASS|FAIL)\b`)
	refusedRE = regexp.MustCompile(`writes refused: (\d+)`)
	servedRE  = regexp.MustCompile(`reads served: (\d+), reads failed: (\d+)`)
	downAckRE = regexp.MustCompile(`begun and acknowledged while the nodes were down: (\d+)`)
	consRE    = regexp.MustCompile(`Consistency: total balance (\d+) \(want (\d+)\) over \d+ accounts; (\d+) acknowledged transfers, (\d+) missing`)
)

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDrills runs every drill as a user would, each against a fresh cluster,
// and checks its report, verdict and exit status; az-plus-one must show
// writes refused and reads served while the nodes are down.
func TestDrills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts clusters of processes")
	}
	bin := borealisBinary(t)
	for i, name := range drillNames {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			t.Cleanup(func() { killLeftovers(t, dir) })
			stdout, stderr, err := runBin(t, bin, "drill", name, "--fresh", "--dir", dir, "--duration", "10s", "--seed", fmt.Sprint(i+1))
			t.Logf("report:\n%s", stdout)
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			if err != nil {
				t.Fatalf("drill %s exited with %v:\n%s\n%s", name, err, stdout, stderr)
			}
			m := verdictRE.FindStringSubmatch(stdout)
			if m == nil || m[1] != "PASS" {
				t.Fatalf("verdict %q:\n%s", m, stdout)
			}
			c := consRE.FindStringSubmatch(stdout)
			if c == nil || c[1] != c[2] || atoi(t, c[3]) == 0 || c[4] != "0" {
				t.Fatalf("consistency line %q:\n%s", c, stdout)
			}
			if !strings.Contains(stdout, "injected: SIGKILL") || !strings.Contains(stdout, "Time to recover: ") {
				t.Fatalf("report without injection or recovery:\n%s", stdout)
			}
			if name == "az-plus-one" {
				r := refusedRE.FindStringSubmatch(stdout)
				s := servedRE.FindStringSubmatch(stdout)
				a := downAckRE.FindStringSubmatch(stdout)
				if r == nil || atoi(t, r[1]) == 0 || s == nil || atoi(t, s[1]) == 0 || s[2] != "0" || a == nil || a[1] != "0" {
					t.Fatalf("az-plus-one: want writes refused and reads served:\n%s", stdout)
				}
			}
			// The fresh cluster is stopped: no node of it runs.
			if files, _ := filepath.Glob(filepath.Join(dir, "run", "*.pid")); len(files) != 0 {
				t.Fatalf("pid files left after the drill: %v", files)
			}
		})
	}
}
