package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pgbenchResult is what one pgbench run reported.
type pgbenchResult struct {
	HasTPS    bool    // a "tps = ..." line was found
	TPS       float64 // without initial connection time
	LatencyMS float64 // latency average in ms (0 if not reported)
	Processed int64   // transactions actually processed
	Failed    int64   // failed transactions (pgbench 15 counts serialization/deadlock failures here)
	Aborted   bool    // pgbench reported that clients aborted ("Run was aborted")
	Errors    []string
}

var (
	tpsRe       = regexp.MustCompile(`(?m)^tps = ([0-9]+(?:\.[0-9]+)?) \(without initial connection time\)`)
	latencyRe   = regexp.MustCompile(`(?m)^latency average = ([0-9]+(?:\.[0-9]+)?) ms`)
	processedRe = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
	failedRe    = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
)

// maxErrors bounds the distinct error lines kept per run.
const maxErrors = 5

// parsePgbench extracts the figures and error lines from pgbench's combined
// output. Missing figures stay zero; it never fails.
func parsePgbench(out string) pgbenchResult {
	var r pgbenchResult
	if m := tpsRe.FindStringSubmatch(out); m != nil {
		if v, err := strconv.ParseFloat(m[1], 64); err == nil {
			r.TPS, r.HasTPS = v, true
		}
	}
	if m := latencyRe.FindStringSubmatch(out); m != nil {
		r.LatencyMS, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := processedRe.FindStringSubmatch(out); m != nil {
		r.Processed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := failedRe.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, "Run was aborted") {
			r.Aborted = true
		}
		if !isErrorLine(line) {
			continue
		}
		if len(line) > 300 {
			line = line[:300] + "…"
		}
		if !seen[line] && len(r.Errors) < maxErrors {
			seen[line] = true
			r.Errors = append(r.Errors, line)
		}
	}
	return r
}

// isErrorLine reports whether a pgbench output line describes an error.
func isErrorLine(line string) bool {
	for _, s := range []string{"ERROR:", "FATAL:", "PANIC:", "pgbench: error", "aborted", "Run was aborted", "error:", "connection to server"} {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// runPgbench runs pgbench against addr (user and database postgres, no TLS)
// with args, bounded by timeout, and returns its combined output and how it
// exited. A non-zero exit is returned as an error next to the output, which
// still holds whatever pgbench printed.
func runPgbench(ctx context.Context, pgbench, addr string, timeout time.Duration, args ...string) (string, time.Duration, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("pgbench address %q: %w", addr, err)
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	all := append([]string{"-h", host, "-p", port, "-U", "postgres"}, args...)
	all = append(all, "postgres")
	cmd := exec.CommandContext(rctx, pgbench, all...)
	cmd.Env = append(cmd.Environ(), "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGAPPNAME=borealis-bench")
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return string(out), took, ctx.Err()
		}
		if errors.Is(rctx.Err(), context.DeadlineExceeded) {
			return string(out), took, fmt.Errorf("pgbench %s: killed after %v", strings.Join(args, " "), timeout)
		}
		return string(out), took, fmt.Errorf("pgbench %s: %w", strings.Join(args, " "), err)
	}
	return string(out), took, nil
}
