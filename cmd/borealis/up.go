package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// addClusterFlags adds --dir and --config to an operator command.
func addClusterFlags(cmd *cobra.Command, f *clusterFlags) {
	cmd.Flags().StringVar(&f.dir, "dir", defaultDir, "the cluster's data directory (cluster.toml, node data, logs, pid files)")
	cmd.Flags().StringVar(&f.config, "config", "", "a cluster file describing a multi-host cluster (default: <dir>/cluster.toml)")
}

func newUpCmd() *cobra.Command {
	var (
		f     clusterFlags
		nodes []string
		wait  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start a whole cluster as child processes and run it until Ctrl-C",
		Long: `Start a whole cluster as child processes of this binary and keep it running
until Ctrl-C (or SIGTERM), which stops every node cleanly.

Without a cluster in --dir, up creates one: six storage nodes a1 a2 b1 b2 c1 c2
in three availability zones (a, b, c) and the SQL writer, on free loopback
ports recorded in <dir>/cluster.toml; it waits until the writer accepts
connections and prints the psql connection string. Running up again on the
same directory resumes on the same ports and data; a directory written before
the writer existed (storage nodes only) gains a writer node.

Authentication: the writer trusts every client (local development on
loopback) unless BOREALIS_PASSWORD is set in up's environment; then it asks
for that password (SCRAM-SHA-256) for user borealis.

With --config, up starts the nodes of that cluster file that listen on this
host (or those named by --nodes), so the same file serves every host of a
multi-host cluster. Node logs go to <dir>/logs/<node>.log.`,
		Example: `  borealis up
  borealis up --dir /var/lib/borealis
  borealis up --config cluster.toml --dir /var/lib/borealis`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUp(cmd.Context(), cmd.Root(), cmd.OutOrStdout(), f, nodes, wait)
		},
	}
	addClusterFlags(cmd, &f)
	cmd.Flags().StringSliceVar(&nodes, "nodes", nil, "start only these nodes (default: every node of this host)")
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for every node to answer")
	return cmd
}

// hasSubcommand reports whether this binary has a subcommand (a role) name.
func hasSubcommand(root *cobra.Command, name string) bool {
	for _, c := range root.Commands() {
		if c.Name() == name {
			return true
		}
	}
	return false
}

// child is a node process started by up.
type child struct {
	n    *node
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been waited for
	err  error         // its exit, valid after done
}

// exitEvent reports a child that exited.
type exitEvent struct{ c *child }

func runUp(ctx context.Context, root *cobra.Command, out io.Writer, f clusterFlags, only []string, wait time.Duration) error {
	if ctx == nil {
		ctx = context.Background()
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this binary: %w", err)
	}
	hasWriter := hasSubcommand(root, roleWriter)

	// Everything up to writing the cluster file only reads, so that bad input
	// changes nothing on disk.
	l, err := f.load()
	write := false
	switch {
	case errors.Is(err, errNoCluster):
		dir := f.dir
		if dir == "" {
			dir = defaultDir
		}
		if err := checkFreshDir(dir); err != nil {
			return err
		}
		c, err := newLocalCluster(hasWriter)
		if err != nil {
			return err
		}
		l = &loaded{cluster: c, dir: dir, path: filepath.Join(dir, clusterFile)}
		write = true
	case err != nil:
		return err
	case l.fromFile:
		write = true // the data directory keeps a copy: it marks whose data it holds
	case hasWriter && !l.hasRole(roleWriter) && l.allLoopback():
		if err := l.addLocalWriter(); err != nil {
			return err
		}
		write = true
	}

	sel, err := l.selectNodes(only)
	if err != nil {
		return err
	}
	var starts []*node
	var skipped []string
	for _, n := range sel {
		pid, alive, err := l.nodePID(n)
		if err != nil {
			return err
		}
		if alive {
			return fmt.Errorf("node %s is already running (pid %d): the cluster is up; see `borealis status --dir %s`, or stop it with `borealis stop --all --dir %s`", n.Name, pid, l.dir, l.dir)
		}
		if !hasSubcommand(root, n.Role) {
			skipped = append(skipped, n.Name)
			continue
		}
		starts = append(starts, n)
	}
	if len(sel) == 0 {
		return fmt.Errorf("no node of %s runs on this host: name them with --nodes", l.path)
	}
	if err := checkPortsFree(l, sel); err != nil {
		return err
	}
	if !hasSubcommand(root, roleStorage) {
		return errors.New("this borealis binary has no storage role yet: build it from a checkout that has cmd/borealis/storage.go")
	}

	if write {
		if err := os.MkdirAll(l.dir, 0o755); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		data, err := l.encode()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(l.dir, clusterFile), data); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	exits := make(chan exitEvent, len(starts))
	var children []*child
	var wg sync.WaitGroup
	stopAll := func() error {
		var mu sync.Mutex
		var errs []error
		var swg sync.WaitGroup
		for _, n := range starts {
			swg.Add(1)
			go func() {
				defer swg.Done()
				if _, err := signalNode(context.Background(), l, n, syscall.SIGTERM, stopGrace); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		swg.Wait()
		wg.Wait()
		return errors.Join(errs...)
	}

	// Storage first: the other roles need it to be serving.
	for _, phase := range [][]string{{roleStorage}, {roleWriter}} {
		var batch []*child
		for _, n := range starts {
			if !contains(phase, n.Role) {
				continue
			}
			cmd, err := startNode(l, n, exe)
			if err != nil {
				return errors.Join(err, stopAll())
			}
			c := &child{n: n, cmd: cmd, done: make(chan struct{})}
			children = append(children, c)
			batch = append(batch, c)
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.err = c.cmd.Wait()
				removePIDIf(l.pidFile(c.n), c.cmd.Process.Pid)
				close(c.done)
				exits <- exitEvent{c}
			}()
		}
		if err := waitReady(ctx, batch, wait, l); err != nil {
			if ctx.Err() != nil {
				return stopAll() // interrupted while starting: a clean stop
			}
			return errors.Join(err, stopAll())
		}
	}

	printNodes(out, l, children)
	for _, c := range children {
		if c.n.Role == roleWriter {
			fmt.Fprintf(out, "\nConnect:  psql %q\n", connString(c.n))
			if os.Getenv(writerPasswordEnv) != "" {
				fmt.Fprintf(out, "          (SCRAM: the password is the one in $%s; give it to psql as PGPASSWORD)\n", writerPasswordEnv)
			} else {
				fmt.Fprintf(out, "          (trust authentication on loopback; set %s before `up` to require a password)\n", writerPasswordEnv)
			}
		}
	}
	if !hasWriter {
		fmt.Fprintln(out, "\nThis binary has no SQL writer role: the storage tier runs, but there is nothing to connect psql to.")
	}
	for _, s := range skipped {
		fmt.Fprintf(out, "Not started: %s (this binary has no %q role)\n", s, mustNode(l, s).Role)
	}
	fmt.Fprintf(out, "Status:   borealis status --dir %s\nLogs:     %s\nPress Ctrl-C to stop the cluster.\n", l.dir, filepath.Join(l.dir, "logs"))

	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "Stopping the cluster…")
			if err := stopAll(); err != nil {
				return err
			}
			fmt.Fprintln(out, "Stopped.")
			return nil
		case e := <-exits:
			fmt.Fprintf(out, "node %s exited (%s): restart it with `borealis start %s --dir %s`\n", e.c.n.Name, exitText(e.c.err), e.c.n.Name, l.dir)
		}
	}
}

func mustNode(l *loaded, name string) *node {
	n, _ := l.node(name)
	return n
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// allLoopback reports whether every node listens on loopback: a local cluster.
func (c *cluster) allLoopback() bool {
	for _, n := range c.Nodes {
		for _, a := range []string{n.Listen, n.HTTP} {
			host, _, err := net.SplitHostPort(a)
			if err != nil {
				return false
			}
			ip := net.ParseIP(host)
			if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return false
			}
		}
	}
	return true
}

// selectNodes returns the nodes named by only, or else the nodes whose
// service address is on this host.
func (l *loaded) selectNodes(only []string) ([]*node, error) {
	var sel []*node
	if len(only) > 0 {
		for _, name := range only {
			n, err := l.node(name)
			if err != nil {
				return nil, err
			}
			sel = append(sel, n)
		}
		return sel, nil
	}
	local := localHosts()
	for i := range l.Nodes {
		host, _, _ := net.SplitHostPort(l.Nodes[i].Listen)
		if ip := net.ParseIP(host); local[host] || (ip != nil && ip.IsLoopback()) {
			sel = append(sel, &l.Nodes[i])
		}
	}
	return sel, nil
}

// localHosts is the set of host names and addresses of this machine.
func localHosts() map[string]bool {
	hosts := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	if h, err := os.Hostname(); err == nil {
		hosts[h] = true
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				hosts[ipn.IP.String()] = true
			}
		}
	}
	return hosts
}

// waitReady polls the nodes until each answers its health probe, a node
// exits, ctx ends, or d passes.
func waitReady(ctx context.Context, cs []*child, d time.Duration, l *loaded) error {
	deadline := time.Now().Add(d)
	pending := append([]*child(nil), cs...)
	for len(pending) > 0 {
		var still []*child
		for _, c := range pending {
			select {
			case <-c.done:
				return fmt.Errorf("node %s exited while starting (%s): see %s: %s", c.n.Name, exitText(c.err), l.logFile(c.n), lastLine(l.logFile(c.n)))
			default:
			}
			if p := probeNode(ctx, c.n); !p.ok {
				still = append(still, c)
			}
		}
		pending = still
		if len(pending) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			var names []string
			for _, c := range pending {
				names = append(names, c.n.Name)
			}
			return fmt.Errorf("nodes %s did not answer within %s: see their logs in %s", strings.Join(names, ", "), d, filepath.Join(l.dir, "logs"))
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// printNodes prints the table of started nodes.
func printNodes(out io.Writer, l *loaded, cs []*child) {
	fmt.Fprintf(out, "Borealis cluster %s is up (%s)\n\n", l.ID, l.path)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tAZ\tPID\tADDRESS\tHTTP\tLOG")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", c.n.Name, c.n.Role, c.n.AZ, c.cmd.Process.Pid, c.n.Listen, c.n.HTTP, l.logFile(c.n))
	}
	tw.Flush()
}

// writerPasswordEnv is the environment variable holding the writer's password
// (user borealis); unset, the writer trusts every client.
const writerPasswordEnv = "BOREALIS_PASSWORD"

// writerUser and writerDB are the user and database a local cluster's
// connection string names.
const (
	writerUser = "borealis"
	writerDB   = "borealis"
)

// connString is the libpq connection string (as psql and pgx take it) of a
// writer node.
func connString(n *node) string {
	host, port, _ := net.SplitHostPort(n.Listen)
	return fmt.Sprintf("host=%s port=%s user=%s dbname=%s", host, port, writerUser, writerDB)
}
