package main

import (
	"reflect"
	"strings"
	"testing"
)

// okOutput is pgbench 15's output of a clean run.
const okOutput = `pgbench (15.18 (Debian 15.18-0+deb12u1))
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: prepared
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 30 s
number of transactions actually processed: 18234
number of failed transactions: 0 (0.000%)
latency average = 13.164 ms
initial connection time = 21.558 ms
tps = 607.713528 (without initial connection time)
`

// failedOutput has serialization failures counted by pgbench (--max-tries).
const failedOutput = `transaction type: <builtin: TPC-B (sort of)>
number of transactions actually processed: 997
number of failed transactions: 3 (0.300%)
number of serialization failures: 3 (0.300%)
latency average = 2.5 ms
tps = 399.1 (without initial connection time)
`

// abortedOutput is a run whose clients aborted on a server error.
const abortedOutput = `pgbench (15.18 (Debian 15.18-0+deb12u1))
starting vacuum...end.
pgbench: error: client 1 script 0 aborted in command 8 query 0: ERROR:  could not serialize access
pgbench: error: client 0 script 0 aborted in command 8 query 0: ERROR:  could not serialize access
pgbench: error: client 2 script 0 aborted in command 5 query 0: ERROR:  unsupported statement
transaction type: <builtin: TPC-B (sort of)>
number of transactions actually processed: 41
number of failed transactions: 0 (0.000%)
latency average = 30.1 ms
tps = 33.2 (without initial connection time)
pgbench: error: Run was aborted; the above results are incomplete.
`

func TestParsePgbench(t *testing.T) {
	for _, tc := range []struct {
		name      string
		out       string
		want      pgbenchResult
		errPrefix []string // expected error lines, by prefix
	}{
		{"clean", okOutput, pgbenchResult{HasTPS: true, TPS: 607.713528, LatencyMS: 13.164, Processed: 18234}, nil},
		{"failed", failedOutput, pgbenchResult{HasTPS: true, TPS: 399.1, LatencyMS: 2.5, Processed: 997, Failed: 3}, nil},
		{"aborted", abortedOutput, pgbenchResult{HasTPS: true, TPS: 33.2, LatencyMS: 30.1, Processed: 41, Aborted: true}, []string{
			"pgbench: error: client 1 script 0 aborted in command 8",
			"pgbench: error: client 0 script 0 aborted in command 8",
			"pgbench: error: client 2 script 0 aborted in command 5",
			"pgbench: error: Run was aborted",
		}},
		{"connection refused", "pgbench: error: connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n", pgbenchResult{}, []string{"pgbench: error: connection to server"}},
		{"empty", "", pgbenchResult{}, nil},
		{"tps without the suffix is not taken", "tps = 12.5\n", pgbenchResult{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parsePgbench(tc.out)
			errs := got.Errors
			got.Errors = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parse = %+v, want %+v", got, tc.want)
			}
			if len(errs) != len(tc.errPrefix) {
				t.Fatalf("error lines %q, want %d lines", errs, len(tc.errPrefix))
			}
			for i, p := range tc.errPrefix {
				if !strings.HasPrefix(errs[i], p) {
					t.Errorf("error line %d = %q, want prefix %q", i, errs[i], p)
				}
			}
		})
	}
}

func TestParsePgbenchBoundsErrors(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 50; i++ {
		b.WriteString("pgbench: error: client ")
		b.WriteString(strings.Repeat("x", i*20))
		b.WriteString(" aborted\n")
	}
	b.WriteString("pgbench: error: client y aborted\npgbench: error: client y aborted\n")
	got := parsePgbench(b.String())
	if len(got.Errors) != maxErrors {
		t.Fatalf("%d error lines kept, want %d", len(got.Errors), maxErrors)
	}
	for _, e := range got.Errors {
		if len(e) > 300+len("…") {
			t.Errorf("error line of %d bytes kept", len(e))
		}
	}
}

// FuzzParsePgbench: any output parses without panicking, with bounded error
// lines and non-negative figures.
func FuzzParsePgbench(f *testing.F) {
	for _, s := range []string{okOutput, failedOutput, abortedOutput, "", "tps = 1e999 (without initial connection time)\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		r := parsePgbench(out)
		if len(r.Errors) > maxErrors {
			t.Fatalf("%d error lines", len(r.Errors))
		}
		if r.TPS < 0 || r.LatencyMS < 0 || r.Processed < 0 || r.Failed < 0 {
			t.Fatalf("negative figure: %+v", r)
		}
		if r.HasTPS != tpsRe.MatchString(out) {
			t.Fatalf("HasTPS %v for %q", r.HasTPS, out)
		}
	})
}
