package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"
)

// drillNames are the drills `borealis drill` knows.
var drillNames = []string{"storage-loss", "az-outage", "az-plus-one", "writer-crash"}

// drillFlags are the options of `borealis drill`.
type drillFlags struct {
	clusterFlags
	fresh, keep    bool
	duration, hold time.Duration
	txnTimeout     time.Duration
	recoverWait    time.Duration
	accounts       int
	clients        int
	seed           uint64
}

// errDrillFailed is returned when the verdict of a drill is FAIL.
var errDrillFailed = errors.New("drill failed")

func newDrillCmd() *cobra.Command {
	var f drillFlags
	cmd := &cobra.Command{
		Use:   "drill NAME",
		Short: "Rehearse a failure under a bank-transfer load and check nothing acknowledged is lost",
		Long: `Run a failure drill against the local cluster in --dir (it must be up), or
against a fresh cluster started for the drill with --fresh. The drill creates
the tables drill_accounts (--accounts accounts of 1000 each) and
drill_transfers (dropping them first), runs a bank-transfer load through the
SQL writer (--clients connections, each: BEGIN; two UPDATEs moving an amount;
INSERT of the transfer under a client-generated id; COMMIT) and a reader (all
balances and the transfer log, twice a second), injects the fault at a random
moment, holds it (--hold), brings the nodes back, keeps the load going until
commits flow again, and prints a report: what was injected and when, commits,
the errors clients saw by kind, the longest gap without a commit, the time to
recover, what happened during the fault, and the consistency verdict (total
balance unchanged, every acknowledged transfer in the log, no transfer in the
log that was never attempted, balances equal to what the log says).

Drills:
  storage-loss   SIGKILL 2 random storage nodes: writes go on (4 of 6 left)
  az-outage      SIGKILL both storage nodes of a random AZ: writes go on
  az-plus-one    SIGKILL one AZ and one more storage node: writes must stop
                 (commits time out), reads of everything acknowledged go on
  writer-crash   SIGKILL the writer and start a new one at once

The exit status is 1 when the verdict is FAIL: something acknowledged was lost,
the total changed, the log holds a transfer never attempted, a read during the
fault was wrong, or (az-plus-one) a write begun during the fault was
acknowledged or a read failed. Drills kill nodes through their pid files, so
they run on the host of a local cluster.`,
		Example: `  borealis up &                 # in another terminal
  borealis drill az-outage
  borealis drill az-plus-one --duration 20s --hold 8s
  borealis drill writer-crash --fresh`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 || !contains(drillNames, args[0]) {
				return fmt.Errorf("name one drill: %s", strings.Join(drillNames, ", "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			if !cmd.Flags().Changed("seed") {
				f.seed = rand.Uint64()
			}
			if !cmd.Flags().Changed("hold") {
				f.hold = f.duration / 4
			}
			return runDrill(ctx, cmd.Root(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f, cmd.Flags().Changed("dir"))
		},
	}
	addClusterFlags(cmd, &f.clusterFlags)
	fl := cmd.Flags()
	fl.BoolVar(&f.fresh, "fresh", false, "start a fresh cluster for the drill (in --dir when given, which must be new or empty, else a temporary directory) and stop it afterwards")
	fl.BoolVar(&f.keep, "keep", false, "with --fresh: keep the temporary data directory")
	fl.DurationVar(&f.duration, "duration", 30*time.Second, "how long the load runs at least; the fault comes at a random moment in its first half")
	fl.DurationVar(&f.hold, "hold", 0, "how long the fault is held before the nodes are started again (default: a quarter of --duration; az-plus-one holds at least twice --txn-timeout; writer-crash starts the new writer at once)")
	fl.DurationVar(&f.txnTimeout, "txn-timeout", 3*time.Second, "a client gives up on a transaction (and reports it) after this long")
	fl.DurationVar(&f.recoverWait, "recover-timeout", 2*time.Minute, "how long to wait for commits to flow again after the nodes are back")
	fl.IntVar(&f.accounts, "accounts", 100, "number of bank accounts")
	fl.IntVar(&f.clients, "clients", 4, "number of concurrent clients")
	fl.Uint64Var(&f.seed, "seed", 0, "random seed: which nodes, when (default: random; the report prints it)")
	return cmd
}

// event is one line of a drill's timeline.
type event struct {
	at   time.Duration
	what string
}

// drill is one run of a drill.
type drill struct {
	name    string
	f       drillFlags
	l       *loaded
	writer  *node
	victims []*node
	load    *bankLoad

	mu     sync.Mutex
	events []event
	phase  string

	injected, gone, restoring, restored time.Duration // since the load started
}

func (d *drill) note(what string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.events = append(d.events, event{d.load.since(), what})
}

func (d *drill) setPhase(p string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.phase = p
}

// planFault picks the nodes a drill kills.
func planFault(name string, c *cluster, rng *rand.Rand) ([]*node, error) {
	var storage []*node
	azs := map[string][]*node{}
	var writer *node
	for i := range c.Nodes {
		n := &c.Nodes[i]
		switch n.Role {
		case roleStorage:
			storage = append(storage, n)
			azs[n.AZ] = append(azs[n.AZ], n)
		case roleWriter:
			writer = n
		}
	}
	var azNames []string
	for az := range azs {
		azNames = append(azNames, az)
	}
	sort.Strings(azNames)
	pickAZ := func() ([]*node, string) {
		az := azNames[rng.IntN(len(azNames))]
		return azs[az], az
	}
	switch name {
	case "storage-loss":
		if len(storage) < 2 {
			return nil, errors.New("storage-loss needs at least 2 storage nodes")
		}
		p := rng.Perm(len(storage))
		return []*node{storage[p[0]], storage[p[1]]}, nil
	case "az-outage":
		if len(azNames) < 2 {
			return nil, errors.New("az-outage needs storage nodes in at least 2 AZs")
		}
		v, _ := pickAZ()
		return v, nil
	case "az-plus-one":
		if len(azNames) < 2 {
			return nil, errors.New("az-plus-one needs storage nodes in at least 2 AZs")
		}
		v, az := pickAZ()
		var others []*node
		for _, n := range storage {
			if n.AZ != az {
				others = append(others, n)
			}
		}
		return append(append([]*node(nil), v...), others[rng.IntN(len(others))]), nil
	case "writer-crash":
		if writer == nil {
			return nil, errors.New("writer-crash needs a writer node in the cluster")
		}
		return []*node{writer}, nil
	}
	return nil, fmt.Errorf("unknown drill %q: use one of %s", name, strings.Join(drillNames, ", "))
}

// runDrill runs drill name and prints its report to out and its progress to
// progress. It returns errDrillFailed (wrapped) when the verdict is FAIL.
func runDrill(ctx context.Context, root *cobra.Command, out, progress io.Writer, name string, f drillFlags, dirGiven bool) error {
	switch {
	case f.duration <= 0 || f.hold < 0 || f.txnTimeout <= 0 || f.recoverWait <= 0:
		return errors.New("--duration, --txn-timeout and --recover-timeout must be positive and --hold not negative")
	case f.accounts < 2 || f.accounts > 100000:
		return errors.New("--accounts must be between 2 and 100000")
	case f.clients < 1 || f.clients > 256:
		return errors.New("--clients must be between 1 and 256")
	case f.keep && !f.fresh:
		return errors.New("--keep goes with --fresh")
	}
	if f.fresh {
		stopCluster, l, err := freshCluster(ctx, root, &f, dirGiven, progress)
		if err != nil {
			return err
		}
		defer stopCluster()
		f.clusterFlags = clusterFlags{dir: l.dir}
	}
	l, err := f.load()
	if err != nil {
		return err
	}
	d := &drill{name: name, f: f, l: l}
	for i := range l.Nodes {
		n := &l.Nodes[i]
		if n.Role == roleWriter {
			d.writer = n
		}
		if _, alive, err := l.nodePID(n); err != nil {
			return err
		} else if !alive {
			return fmt.Errorf("node %s of %s is not running on this host: start the cluster with `borealis up --dir %s` (or `borealis start %s`), or use --fresh", n.Name, l.path, l.dir, n.Name)
		}
		if p := probeNode(ctx, n); !p.ok {
			return fmt.Errorf("node %s does not answer (%s): wait for it or restart it, then run the drill again", n.Name, p.err)
		}
	}
	if d.writer == nil {
		return fmt.Errorf("%s has no writer node: run `borealis up --dir %s` once with this binary to add it", l.path, l.dir)
	}
	rng := rand.New(rand.NewPCG(f.seed, 0x6472696c6c))
	if d.victims, err = planFault(name, l.cluster, rng); err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(connString(d.writer) + " sslmode=disable")
	if err != nil {
		return fmt.Errorf("writer connection string: %w", err)
	}
	if pw := os.Getenv(writerPasswordEnv); pw != "" {
		cfg.Password = pw
	}
	d.load = newBankLoad(cfg, f.accounts, f.clients, f.txnTimeout, f.seed)
	fmt.Fprintf(progress, "drill %s: creating %d accounts…\n", name, f.accounts)
	if err := d.load.setup(ctx); err != nil {
		return err
	}

	injectAt := time.Duration(float64(f.duration) * (0.2 + 0.25*rng.Float64()))
	hold := f.hold
	switch name {
	case "writer-crash":
		hold = 0
	case "az-plus-one":
		// Long enough for stuck commits to reach the clients' timeout, so
		// that the report shows them refused.
		hold = max(hold, 2*f.txnTimeout)
	}
	d.load.run(ctx)
	d.note(fmt.Sprintf("load started: %d clients over %d accounts (total %d)", f.clients, f.accounts, d.load.total()))
	d.setPhase("before the fault")
	pctx, stopProgress := context.WithCancel(ctx)
	var pwg sync.WaitGroup
	pwg.Add(1)
	go func() { defer pwg.Done(); d.progress(pctx, progress) }()
	finishProgress := func() {
		stopProgress()
		pwg.Wait()
	}

	interrupted := sleepCtx(ctx, injectAt)
	if !interrupted {
		d.inject(ctx)
		d.setPhase("fault held")
		interrupted = sleepCtx(ctx, hold)
	}
	// Nodes come back even when the drill is interrupted.
	restoreErr := d.restore(context.WithoutCancel(ctx))
	recovered := false
	if restoreErr == nil && !interrupted {
		d.setPhase("recovering")
		recovered = d.waitRecovered(ctx)
		d.setPhase("after recovery")
		if rest := f.duration - d.load.since(); rest > 0 {
			sleepCtx(ctx, rest)
		}
		sleepCtx(ctx, time.Second) // a little load after recovery, always
	}
	d.load.finish()
	d.note("load stopped")
	finishProgress()
	if ctx.Err() != nil {
		return fmt.Errorf("drill %s interrupted: the nodes were started again: check `borealis status --dir %s`", name, l.dir)
	}
	if restoreErr != nil {
		return fmt.Errorf("drill %s: bring the nodes back: %w", name, restoreErr)
	}
	state, readErr := d.load.readFinal(ctx, time.Minute)
	r := d.report(recovered, state, readErr)
	r.print(out)
	if !r.pass {
		return fmt.Errorf("drill %s: %w: %s", name, errDrillFailed, strings.Join(r.failures, "; "))
	}
	return nil
}

// sleepCtx waits d; it reports whether ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() != nil
	}
	select {
	case <-ctx.Done():
		return true
	case <-time.After(d):
		return false
	}
}

// inject SIGKILLs the victims, all at once, and waits until they are gone.
func (d *drill) inject(ctx context.Context) {
	var names []string
	for _, n := range d.victims {
		names = append(names, fmt.Sprintf("%s (%s, az %s)", n.Name, n.Role, n.AZ))
	}
	at := d.load.since()
	var wg sync.WaitGroup
	errs := make([]error, len(d.victims))
	for i, n := range d.victims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = signalNode(ctx, d.l, n, syscall.SIGKILL, 10*time.Second)
		}()
	}
	wg.Wait()
	d.mu.Lock()
	d.injected, d.gone = at, d.load.since()
	d.events = append(d.events, event{at, "injected: SIGKILL " + strings.Join(names, ", ")},
		event{d.gone, "all killed processes are gone"})
	d.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		d.note("kill failed: " + oneLine(err.Error()))
	}
}

// restore starts the victims again (storage before the writer) and waits
// until each answers.
func (d *drill) restore(ctx context.Context) error {
	d.mu.Lock()
	d.restoring = d.load.since()
	d.mu.Unlock()
	var names []string
	for _, n := range d.victims {
		names = append(names, n.Name)
	}
	d.note("restoring: start " + strings.Join(names, ", "))
	d.setPhase("restoring")
	var errs []error
	for _, role := range []string{roleStorage, roleWriter} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, n := range d.victims {
			if n.Role != role {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := startOne(ctx, io.Discard, d.l, n, 2*time.Minute); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("start %s: %w", n.Name, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	d.mu.Lock()
	d.restored = d.load.since()
	d.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		d.note("restore failed: " + oneLine(err.Error()))
		return err
	}
	d.note("restored: " + strings.Join(names, ", ") + " answer again")
	return nil
}

// waitRecovered waits until a transaction begun after the nodes were back
// is acknowledged, or --recover-timeout passes.
func (d *drill) waitRecovered(ctx context.Context) bool {
	deadline := time.Now().Add(d.f.recoverWait)
	for time.Now().Before(deadline) {
		if at, ok := d.firstAckBegunAfter(d.restored); ok {
			d.note(fmt.Sprintf("first commit of a transaction begun after the restore (acknowledged at +%s)", secs(at)))
			return true
		}
		if sleepCtx(ctx, 50*time.Millisecond) {
			return false
		}
	}
	d.note("no commit within --recover-timeout after the restore")
	return false
}

// firstAckBegunAfter is the earliest acknowledgement of a transaction that
// began at or after t.
func (d *drill) firstAckBegunAfter(t time.Duration) (time.Duration, bool) {
	b := d.load
	b.mu.Lock()
	defer b.mu.Unlock()
	var best time.Duration
	found := false
	for _, a := range b.attempts {
		if a.acked && a.begin >= t && (!found || a.end < best) {
			best, found = a.end, true
		}
	}
	return best, found
}

// progress prints a live line: with a carriage return on a terminal, as a
// line every 2 seconds otherwise.
func (d *drill) progress(ctx context.Context, w io.Writer) {
	tty := isTerminal(w)
	every := 2 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	line := func() string {
		b := d.load
		b.mu.Lock()
		committed, failed := len(b.acked), 0
		for _, a := range b.attempts {
			if a.kind != "" {
				failed++
			}
		}
		failed += len(b.connErrs)
		reads, readFails := 0, 0
		for _, r := range b.reads {
			if r.ok {
				reads++
			} else {
				readFails++
			}
		}
		now := b.since()
		last := now - b.lastAck
		if committed == 0 {
			last = now
		}
		b.mu.Unlock()
		d.mu.Lock()
		phase := d.phase
		d.mu.Unlock()
		return fmt.Sprintf("[%6ss] %-16s committed %d  errors %d  reads %d ok / %d failed  last commit %ss ago",
			secs(now), phase, committed, failed, reads, readFails, secs(last))
	}
	for {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintf(w, "\r%s\n", line())
			}
			return
		case <-t.C:
			if tty {
				fmt.Fprintf(w, "\r%s\x1b[K", line())
			} else {
				fmt.Fprintln(w, line())
			}
		}
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// secs formats a duration as seconds with one decimal.
func secs(d time.Duration) string { return fmt.Sprintf("%.1f", d.Seconds()) }

// freshCluster starts a new local cluster for a drill, in-process as `up`
// does, and returns a function that stops it (and removes a temporary data
// directory unless --keep).
func freshCluster(ctx context.Context, root *cobra.Command, f *drillFlags, dirGiven bool, progress io.Writer) (func(), *loaded, error) {
	dir := f.dir
	temp := false
	if !dirGiven {
		var err error
		if dir, err = os.MkdirTemp("", "borealis-drill-"); err != nil {
			return nil, nil, fmt.Errorf("temporary data directory: %w", err)
		}
		temp = true
	} else if _, err := os.Stat(filepath.Join(dir, clusterFile)); err == nil {
		return nil, nil, fmt.Errorf("--fresh needs a new or empty --dir, but %s already holds a cluster: drop --fresh to drill it, or choose another --dir", dir)
	}
	cleanupDir := func() {
		if temp && !f.keep {
			_ = os.RemoveAll(dir)
		}
	}
	fmt.Fprintf(progress, "starting a fresh cluster in %s…\n", dir)
	upCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var upOut syncWriter
	upErr := make(chan error, 1)
	go func() { upErr <- runUp(upCtx, root, &upOut, clusterFlags{dir: dir}, nil, 3*time.Minute) }()
	stop := func() {
		cancel()
		if err := <-upErr; err != nil {
			fmt.Fprintf(progress, "stopping the fresh cluster: %v\n", err)
		}
		if temp && f.keep {
			fmt.Fprintf(progress, "kept the drill's cluster data in %s\n", dir)
		}
		cleanupDir()
	}
	for !strings.Contains(upOut.String(), "Press Ctrl-C") {
		select {
		case err := <-upErr:
			cancel()
			cleanupDir()
			if err == nil {
				err = errors.New("it stopped")
			}
			return nil, nil, fmt.Errorf("start a fresh cluster: %w", err)
		case <-ctx.Done():
			stop()
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	l, err := (&clusterFlags{dir: dir}).load()
	if err != nil {
		stop()
		return nil, nil, err
	}
	return stop, l, nil
}

// syncWriter is a buffer safe for concurrent writes and reads.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
