package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/borealis-db/borealis/bench"
)

// cell is one pgbench configuration of the matrix.
type cell struct {
	Script  string // builtin script name: tpcb-like, select-only, simple-update
	Clients int
	Mode    string // -M: simple, extended, prepared
}

// label names a cell in the table.
func (c cell) label() string { return fmt.Sprintf("%s c=%d %s", c.Script, c.Clients, c.Mode) }

// threads is pgbench's -j for the cell: min(clients, 2).
func (c cell) threads() int { return min(c.Clients, 2) }

// outcome is one system's run of a cell (or of pgbench -i).
type outcome struct {
	Ran  bool          // pgbench was started
	Res  pgbenchResult // parsed output
	Err  string        // pgbench exit error, or why it did not run
	Took time.Duration // wall time of the pgbench process
}

// cellResult is a cell measured on both systems.
type cellResult struct {
	Cell          cell
	Borealis, PG  outcome
	BorealisFirst bool
}

// report is everything one run measured and where.
type report struct {
	Start, End            time.Time
	Quick                 bool
	Machine               machine
	LoadBefore, LoadAfter string
	Commit                string
	Dirty                 int
	Worktree              bool // built from the working tree, not from Commit
	Fsync                 *bench.FsyncResult
	FsyncErr              string
	PgbenchVersion        string
	Scale                 int
	Duration              time.Duration
	PGVersion             string
	PGArgs                []string
	PGSettings            [][2]string
	BorealisArgs          []string
	InitBorealis, InitPG  outcome
	Cells                 []cellResult
	Incomplete            string // why the run stopped early, if it did
}

// tpsText formats a run's TPS, or says why there is none.
func tpsText(o outcome) string {
	switch {
	case !o.Ran && o.Err != "":
		return "not run"
	case !o.Ran:
		return "—"
	case o.Res.HasTPS && (o.Err != "" || o.Res.Aborted):
		return fmt.Sprintf("%.1f (aborted)", o.Res.TPS)
	case o.Res.HasTPS:
		return fmt.Sprintf("%.1f", o.Res.TPS)
	default:
		return "error"
	}
}

// latText formats a run's average latency in ms.
func latText(o outcome) string {
	if !o.Ran || !o.Res.HasTPS || o.Res.LatencyMS == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", o.Res.LatencyMS)
}

// failText formats a run's failed transactions.
func failText(o outcome) string {
	if !o.Ran {
		return "—"
	}
	s := fmt.Sprint(o.Res.Failed)
	if o.Res.Aborted || o.Err != "" {
		s += " +aborted"
	}
	return s
}

// ratio is Borealis TPS over PostgreSQL TPS, when both ran cleanly.
func ratio(b, p outcome) (float64, bool) {
	if !b.Ran || !p.Ran || !b.Res.HasTPS || !p.Res.HasTPS || p.Res.TPS == 0 {
		return 0, false
	}
	return b.Res.TPS / p.Res.TPS, true
}

// clean reports whether a run finished with no error, abort or failure.
func clean(o outcome) bool {
	return o.Ran && o.Res.HasTPS && o.Err == "" && !o.Res.Aborted && o.Res.Failed == 0
}

// markdown renders the report (without a heading) for RESULTS.md.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	dur := r.Duration.String()
	if r.Quick {
		dur += " (--quick)"
	}
	w("- date: %s → %s UTC\n", r.Start.UTC().Format("2006-01-02 15:04:05"), r.End.UTC().Format("15:04:05"))
	switch {
	case r.Worktree && r.Dirty > 0:
		w("- git: built from the working tree: %s plus %d modified tracked files (not reproducible from the commit)\n", r.Commit, r.Dirty)
	case r.Worktree:
		w("- git: built from the working tree at %s (no modified tracked files)\n", r.Commit)
	default:
		w("- git: borealis built from commit %s (git archive of that commit)\n", r.Commit)
	}
	w("- machine: %s, %d logical CPUs, %.1f GiB RAM, kernel %s\n", r.Machine.CPU, r.Machine.Cores, r.Machine.MemGiB, r.Machine.Kernel)
	w("- disk (both systems' data and the fdatasync probe): %s\n", r.Machine.Disk)
	w("- load average (1/5/15 min): %s before, %s after (machine shared with other work)\n", r.LoadBefore, r.LoadAfter)
	if r.Fsync != nil {
		w("- fdatasync of 8 KiB appends on this disk: %.0f/s, p50 %v, p99 %v (%d ops)\n", r.Fsync.PerSec, r.Fsync.P50.Round(time.Microsecond), r.Fsync.P99.Round(time.Microsecond), r.Fsync.Ops)
	} else {
		w("- fdatasync probe failed: %s\n", r.FsyncErr)
	}
	w("- %s; scale %d; each cell `pgbench -c C -j min(C,2) -T %d -M mode -b script` over TCP 127.0.0.1; duration %s\n",
		r.PgbenchVersion, r.Scale, int(r.Duration.Seconds()), dur)
	w("- PostgreSQL %s: `postgres %s`; in effect: %s\n", r.PGVersion, strings.Join(r.PGArgs, " "), settingsText(r.PGSettings))
	w("- Borealis: 6 `borealis storage` processes (a1 a2 b1 b2 c1 c2, AZs a b c, default flags) and `borealis %s` (storage list elided); commits wait for 4 of 6 fdatasync'ed replicas\n",
		strings.Join(elideStorage(r.BorealisArgs), " "))
	w("- `pgbench -i -s %d`: Borealis %s, PostgreSQL %s\n", r.Scale, initText(r.InitBorealis), initText(r.InitPG))
	if r.Incomplete != "" {
		w("- **run incomplete**: %s\n", r.Incomplete)
	}
	w("\n| cell | Borealis TPS | PostgreSQL TPS | ratio B/P | Borealis lat avg ms | PostgreSQL lat avg ms | failed B / P | first |\n")
	w("|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, c := range r.Cells {
		rt := "—"
		if v, ok := ratio(c.Borealis, c.PG); ok {
			rt = fmt.Sprintf("%.2f", v)
		}
		first := "PG"
		if c.BorealisFirst {
			first = "B"
		}
		w("| %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", c.Cell.label(), tpsText(c.Borealis), tpsText(c.PG), rt,
			latText(c.Borealis), latText(c.PG), failText(c.Borealis), failText(c.PG), first)
	}
	if t := r.targets(); t != "" {
		w("\nTargets of issue 3 (ratio ≥ 1.0 for tpcb-like at 8 clients and for select-only): %s\n", t)
	}
	var errs []string
	add := func(what string, o outcome) {
		if o.Err == "" && len(o.Res.Errors) == 0 && o.Res.Failed == 0 {
			return
		}
		var e strings.Builder
		fmt.Fprintf(&e, "- %s", what)
		if o.Err != "" {
			fmt.Fprintf(&e, ": %s", firstLine(o.Err))
		}
		if o.Res.Failed > 0 {
			fmt.Fprintf(&e, " (%d failed transactions)", o.Res.Failed)
		}
		e.WriteString("\n")
		lines := o.Res.Errors
		if extra := restLines(o.Err); extra != "" {
			lines = append(lines, extra)
		}
		if len(lines) > 0 {
			e.WriteString("\n  ```\n")
			for _, l := range lines {
				for _, ll := range strings.Split(l, "\n") {
					fmt.Fprintf(&e, "  %s\n", strings.ReplaceAll(ll, "```", "'''"))
				}
			}
			e.WriteString("  ```\n")
		}
		errs = append(errs, e.String())
	}
	add("Borealis pgbench -i", r.InitBorealis)
	add("PostgreSQL pgbench -i", r.InitPG)
	for _, c := range r.Cells {
		add("Borealis "+c.Cell.label(), c.Borealis)
		add("PostgreSQL "+c.Cell.label(), c.PG)
	}
	if len(errs) > 0 {
		w("\nErrors and failures (first distinct lines of pgbench's output):\n\n")
		for _, e := range errs {
			b.WriteString(e)
		}
	}
	return b.String()
}

// targets states the issue-3 target cells' ratios.
func (r *report) targets() string {
	var parts []string
	for _, c := range r.Cells {
		if !(c.Cell.Script == "tpcb-like" && c.Cell.Clients == 8) && c.Cell.Script != "select-only" {
			continue
		}
		v, ok := ratio(c.Borealis, c.PG)
		switch {
		case !ok:
			parts = append(parts, c.Cell.label()+" no ratio (not met)")
		case v >= 1.0 && clean(c.Borealis):
			parts = append(parts, fmt.Sprintf("%s %.2f met", c.Cell.label(), v))
		default:
			parts = append(parts, fmt.Sprintf("%s %.2f not met", c.Cell.label(), v))
		}
	}
	return strings.Join(parts, "; ")
}

func initText(o outcome) string {
	switch {
	case !o.Ran && o.Err != "":
		return "not run (" + firstLine(o.Err) + ")"
	case !o.Ran:
		return "not run"
	case o.Err != "":
		return fmt.Sprintf("failed after %.1f s", o.Took.Seconds())
	default:
		return fmt.Sprintf("%.1f s", o.Took.Seconds())
	}
}

func settingsText(kv [][2]string) string {
	var parts []string
	for _, s := range kv {
		parts = append(parts, s[0]+"="+s[1])
	}
	return strings.Join(parts, ", ")
}

// elideStorage replaces the value of --storage (long, made of free ports).
func elideStorage(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--storage" {
			out[i+1] = "…"
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func restLines(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(rest)
}
