// Command pgbench runs the same pgbench matrix against Borealis (six `borealis
// storage` processes and a `borealis writer`, built from this checkout) and a
// private PostgreSQL 15 with durable commits, in one run on this machine,
// alternating the two per cell, next to the disk's fdatasync rate, and
// prints a markdown table of TPS, latency and failures with the machine, the
// load and the git commit. With --results it appends that to
// bench/RESULTS.md. Every process it starts is stopped when it ends, also on
// Ctrl-C or error.
//
//	go run ./bench/pgbench                 # full matrix, 30 s per run
//	go run ./bench/pgbench --quick         # 5 s per run
//	go run ./bench/pgbench --results       # and append to bench/RESULTS.md
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/borealis-db/borealis/bench"
)

// config is the command line.
type config struct {
	scale         int
	clients       []int
	scripts       []string
	modes         []string
	duration      time.Duration
	quick         bool
	out           string
	results       bool
	resultsFile   string
	dir           string
	keep          bool
	worktree      bool
	pgBin         string
	pgbench       string
	sharedBuffers string
	poolSize      int64
	fsyncTime     time.Duration
	initTimeout   time.Duration
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgbench bench:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err = run(ctx, cfg, log)
	stop()
	if err != nil {
		log.Error("benchmark failed", "err", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	var clients, scripts, modes string
	fs := flag.NewFlagSet("pgbench", flag.ContinueOnError)
	fs.IntVar(&cfg.scale, "scale", 10, "pgbench -i scale factor")
	fs.StringVar(&clients, "clients", "1,8,32", "comma-separated client counts (-c; -j is min(c,2))")
	fs.StringVar(&scripts, "scripts", "tpcb-like,select-only", "comma-separated builtin scripts: tpcb-like, simple-update, select-only")
	fs.StringVar(&modes, "modes", "prepared,simple", "comma-separated query modes (-M): simple, extended, prepared")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "duration of each run (-T, whole seconds)")
	fs.BoolVar(&cfg.quick, "quick", false, "5 s per run instead of --duration")
	fs.StringVar(&cfg.out, "out", "", "also write the markdown report to this file")
	fs.BoolVar(&cfg.results, "results", false, "append the report to --results-file under a dated heading")
	fs.StringVar(&cfg.resultsFile, "results-file", "", "results file (default: bench/RESULTS.md of this checkout)")
	fs.StringVar(&cfg.dir, "dir", "", "parent of the temporary data directory (default: $TMPDIR); put it on the disk to measure")
	fs.BoolVar(&cfg.worktree, "worktree", false, "build borealis from the working tree instead of the HEAD commit")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (data and process logs)")
	fs.StringVar(&cfg.pgBin, "pg-bin", "/usr/lib/postgresql/15/bin", "directory of initdb and postgres")
	fs.StringVar(&cfg.pgbench, "pgbench", "pgbench", "pgbench binary")
	fs.StringVar(&cfg.sharedBuffers, "shared-buffers", "256MB", "PostgreSQL shared_buffers (Borealis's buffer pool default is 256 MiB)")
	fs.Int64Var(&cfg.poolSize, "pool-size", 256<<20, "Borealis writer --pool-size in bytes")
	fs.DurationVar(&cfg.initTimeout, "init-timeout", 20*time.Minute, "bound on each pgbench -i; a system whose init is killed runs no cells")
	fs.DurationVar(&cfg.fsyncTime, "fsync-time", 3*time.Second, "how long to measure fdatasync")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.quick {
		cfg.duration = 5 * time.Second
	}
	if cfg.duration < time.Second || cfg.duration%time.Second != 0 {
		return config{}, fmt.Errorf("--duration %v: want a whole number of seconds, at least 1s", cfg.duration)
	}
	if cfg.initTimeout <= 0 {
		return config{}, fmt.Errorf("--init-timeout %v: want a positive duration", cfg.initTimeout)
	}
	if cfg.scale < 1 {
		return config{}, fmt.Errorf("--scale %d: want at least 1", cfg.scale)
	}
	if cfg.poolSize <= 0 {
		return config{}, fmt.Errorf("--pool-size %d: want a positive size", cfg.poolSize)
	}
	var err error
	if cfg.clients, err = parseClients(clients); err != nil {
		return config{}, err
	}
	if cfg.scripts, err = parseList("--scripts", scripts, "tpcb-like", "simple-update", "select-only"); err != nil {
		return config{}, err
	}
	if cfg.modes, err = parseList("--modes", modes, "simple", "extended", "prepared"); err != nil {
		return config{}, err
	}
	return cfg, nil
}

func parseClients(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1000 {
			return nil, fmt.Errorf("--clients %q: %q is not a client count in 1..1000", s, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseList(flagName, s string, allowed ...string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		ok := false
		for _, a := range allowed {
			ok = ok || f == a
		}
		if !ok {
			return nil, fmt.Errorf("%s %q: %q is not one of %s", flagName, s, f, strings.Join(allowed, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// matrix lists the cells: scripts, then clients, then modes.
func (cfg config) matrix() []cell {
	var cells []cell
	for _, s := range cfg.scripts {
		for _, c := range cfg.clients {
			for _, m := range cfg.modes {
				cells = append(cells, cell{Script: s, Clients: c, Mode: m})
			}
		}
	}
	return cells
}

func run(ctx context.Context, cfg config, log *slog.Logger) (err error) {
	pgbench, err := exec.LookPath(cfg.pgbench)
	if err != nil {
		return fmt.Errorf("pgbench: %w", err)
	}
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(cfg.pgBin, b)); err != nil {
			return fmt.Errorf("PostgreSQL binaries: %w", err)
		}
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(cfg.dir, "borealis-bench-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	if cfg.keep {
		log.Info("keeping data and logs", "dir", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	ps := &procSet{log: log}
	defer ps.stopAll()

	r := &report{Start: time.Now(), Quick: cfg.quick, Scale: cfg.scale, Duration: cfg.duration,
		Machine: readMachine(dir), LoadBefore: loadAvg(), PGArgs: pgArgs(cfg.sharedBuffers)}
	if r.Commit, r.Dirty, err = gitState(ctx, root); err != nil {
		return err
	}
	r.Worktree = cfg.worktree
	if v, err := exec.CommandContext(ctx, pgbench, "--version").Output(); err == nil {
		r.PgbenchVersion = strings.TrimSpace(string(v))
	}

	log.Info("measuring fdatasync", "dir", dir, "for", cfg.fsyncTime.String())
	if fr, err := bench.MeasureFdatasync(dir, cfg.fsyncTime); err != nil {
		r.FsyncErr = err.Error()
	} else {
		r.Fsync = &fr
	}

	bin := filepath.Join(dir, "borealis-bin")
	log.Info("building borealis", "root", root, "commit", r.Commit, "worktree", cfg.worktree)
	if err := buildBorealis(ctx, root, r.Commit, filepath.Join(dir, "src"), bin, cfg.worktree); err != nil {
		return err
	}
	log.Info("starting postgres")
	pg, err := startPostgres(ctx, ps, dir, cfg.pgBin, cfg.sharedBuffers)
	if err != nil {
		return err
	}
	r.PGVersion, r.PGSettings = pg.version, pg.settings
	log.Info("postgres ready", "addr", pg.addr, "version", pg.version, "settings", settingsText(pg.settings))
	log.Info("starting borealis")
	bc, err := startBorealis(ctx, ps, dir, bin, cfg.poolSize)
	if err != nil {
		return err
	}
	r.BorealisArgs = bc.writerArgs
	log.Info("borealis ready", "addr", bc.addr, "writer", strings.Join(elideStorage(bc.writerArgs), " "))

	// Whatever happens from here on, print what was measured.
	defer func() {
		r.End, r.LoadAfter = time.Now(), loadAvg()
		if err != nil {
			r.Incomplete = err.Error()
		}
		if werr := emit(cfg, root, r, err == nil); werr != nil && err == nil {
			err = werr
		}
	}()

	systems := []struct {
		name string
		addr string
		proc *proc
		out  func(*cellResult) *outcome
	}{
		{"borealis", bc.addr, bc.writer, func(c *cellResult) *outcome { return &c.Borealis }},
		{"postgres", pg.addr, pg.proc, func(c *cellResult) *outcome { return &c.PG }},
	}
	// alive says why a system cannot run, if it cannot.
	alive := func(name string, p *proc) string {
		if p.exited() {
			return fmt.Sprintf("%s process exited (%v); log tail:\n%s", name, p.waitErr, p.logTail(1500))
		}
		return ""
	}
	for _, s := range systems {
		o := &r.InitPG
		if s.name == "borealis" {
			o = &r.InitBorealis
		}
		log.Info("pgbench -i", "system", s.name, "scale", cfg.scale)
		out, took, rerr := runPgbench(ctx, pgbench, s.addr, cfg.initTimeout, "-i", "-s", strconv.Itoa(cfg.scale), "-q")
		*o = outcome{Ran: true, Res: parsePgbench(out), Took: took}
		if rerr != nil {
			o.Err = rerr.Error() + "\n" + lastLines(out, 15)
			if ctx.Err() != nil {
				return errAborted
			}
			if why := alive(s.name, s.proc); why != "" {
				o.Err += "\n" + why
			}
			log.Error("pgbench -i failed", "system", s.name, "err", rerr, "output", lastLines(out, 15))
		} else {
			log.Info("pgbench -i done", "system", s.name, "took", took.Round(time.Millisecond).String())
		}
	}

	runTimeout := cfg.duration + 3*time.Minute
	for i, c := range cfg.matrix() {
		cr := cellResult{Cell: c, BorealisFirst: i%2 == 0}
		order := []int{0, 1}
		if !cr.BorealisFirst {
			order = []int{1, 0}
		}
		for _, si := range order {
			s := systems[si]
			o := s.out(&cr)
			initO := r.InitPG
			if s.name == "borealis" {
				initO = r.InitBorealis
			}
			if initO.Err != "" {
				o.Err = "pgbench -i failed"
				continue
			}
			if why := alive(s.name, s.proc); why != "" {
				o.Err = why
				continue
			}
			args := []string{"-c", strconv.Itoa(c.Clients), "-j", strconv.Itoa(c.threads()), "-T", strconv.Itoa(int(cfg.duration.Seconds())), "-M", c.Mode, "-b", c.Script}
			log.Info("pgbench", "system", s.name, "cell", c.label(), "args", strings.Join(args, " "))
			out, took, rerr := runPgbench(ctx, pgbench, s.addr, runTimeout, args...)
			*o = outcome{Ran: true, Res: parsePgbench(out), Took: took}
			if rerr != nil {
				o.Err = rerr.Error()
				if ctx.Err() != nil {
					r.Cells = append(r.Cells, cr)
					return errAborted
				}
				if why := alive(s.name, s.proc); why != "" {
					o.Err += "\n" + why
				}
			}
			log.Info("pgbench done", "system", s.name, "cell", c.label(), "tps", o.Res.TPS, "lat_ms", o.Res.LatencyMS,
				"failed", o.Res.Failed, "aborted", o.Res.Aborted, "err", o.Err, "errors", strings.Join(o.Res.Errors, " | "))
		}
		r.Cells = append(r.Cells, cr)
	}
	return nil
}

// emit prints the report, writes --out, and with --results (and a complete
// run) appends it to the results file.
func emit(cfg config, root string, r *report, complete bool) error {
	heading := fmt.Sprintf("## pgbench, %s UTC", r.Start.UTC().Format("2006-01-02 15:04"))
	if r.Quick {
		heading += " (quick)"
	}
	text := heading + "\n\n" + r.markdown()
	fmt.Println(text)
	var errs []error
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(text), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", cfg.out, err))
		}
	}
	if cfg.results {
		if !complete {
			errs = append(errs, errors.New("run incomplete: not appended to the results file"))
		} else {
			path := cfg.resultsFile
			if path == "" {
				path = filepath.Join(root, "bench", "RESULTS.md")
			}
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				errs = append(errs, fmt.Errorf("results file: %w", err))
			} else {
				_, werr := f.WriteString("\n" + text)
				cerr := f.Close()
				if err := errors.Join(werr, cerr); err != nil {
					errs = append(errs, fmt.Errorf("append to %s: %w", path, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
