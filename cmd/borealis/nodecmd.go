package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// nodeCmd builds stop, start and kill: nodes by name (or all of them with
// --all), found through --dir or --config.
func nodeCmd(use, short, long string, run func(ctx context.Context, out io.Writer, l *loaded, n *node) error) *cobra.Command {
	var (
		f   clusterFlags
		all bool
	)
	cmd := &cobra.Command{
		Use:     use + " NODE...",
		Short:   short,
		Long:    long,
		Example: "  borealis " + use + " b1\n  borealis " + use + " a1 a2 --dir /var/lib/borealis\n  borealis " + use + " --all",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return fmt.Errorf("%s takes node names, for example `borealis %s b1`, or --all", use, use)
			}
			if len(args) > 0 && all {
				return fmt.Errorf("%s takes node names or --all, not both", use)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.load()
			if err != nil {
				return err
			}
			var nodes []*node
			for _, name := range args {
				n, err := l.node(name)
				if err != nil {
					return err
				}
				nodes = append(nodes, n)
			}
			if all {
				for i := range l.Nodes {
					nodes = append(nodes, &l.Nodes[i])
				}
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			for _, n := range nodes {
				if err := run(ctx, cmd.OutOrStdout(), l, n); err != nil {
					return err
				}
			}
			return nil
		},
	}
	addClusterFlags(cmd, &f)
	cmd.Flags().BoolVar(&all, "all", false, "every node of the cluster")
	return cmd
}

func newStopCmd() *cobra.Command {
	return nodeCmd("stop", "Stop nodes cleanly (SIGTERM, then SIGKILL after a grace period)",
		`Stop nodes of a running cluster: send each SIGTERM, wait for it to exit
(SIGKILL after 15 seconds), and remove its pid file. Stopping a node that is not
running is not an error. `+"`borealis start NODE`"+` brings it back.`,
		func(ctx context.Context, out io.Writer, l *loaded, n *node) error {
			was, err := signalNode(ctx, l, n, syscall.SIGTERM, stopGrace)
			if err != nil {
				return err
			}
			if !was {
				fmt.Fprintf(out, "%s is not running\n", n.Name)
				return nil
			}
			fmt.Fprintf(out, "stopped %s\n", n.Name)
			return nil
		})
}

func newKillCmd() *cobra.Command {
	return nodeCmd("kill", "Kill nodes with SIGKILL (a crash, for fault injection)",
		`Kill nodes with SIGKILL, as a crash would, and wait until it is gone.
Its data stays; `+"`borealis start NODE`"+` brings it back.`,
		func(ctx context.Context, out io.Writer, l *loaded, n *node) error {
			was, err := signalNode(ctx, l, n, syscall.SIGKILL, 10*time.Second)
			if err != nil {
				return err
			}
			if !was {
				fmt.Fprintf(out, "%s is not running\n", n.Name)
				return nil
			}
			fmt.Fprintf(out, "killed %s\n", n.Name)
			return nil
		})
}

func newStartCmd() *cobra.Command {
	var wait time.Duration
	cmd := nodeCmd("start", "Start stopped or killed nodes again",
		`Start nodes of the cluster again, with the same arguments `+"`borealis up`"+` uses,
as a background process that outlives this command (its log goes to
<dir>/logs/NODE.log), and wait until it answers.`,
		func(ctx context.Context, out io.Writer, l *loaded, n *node) error {
			return startOne(ctx, out, l, n, wait)
		})
	cmd.Flags().DurationVar(&wait, "wait", time.Minute, "how long to wait for the node to answer")
	return cmd
}

func startOne(ctx context.Context, out io.Writer, l *loaded, n *node, wait time.Duration) error {
	pid, alive, err := l.nodePID(n)
	if err != nil {
		return err
	}
	if alive {
		fmt.Fprintf(out, "%s is already running (pid %d)\n", n.Name, pid)
		return nil
	}
	if err := checkPortsFree(l, []*node{n}); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this binary: %w", err)
	}
	cmd, err := startNode(l, n, exe)
	if err != nil {
		return err
	}
	c := &child{n: n, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := waitReady(ctx, []*child{c}, wait, l); err != nil {
		_ = cmd.Process.Kill()
		<-c.done
		removePIDIf(l.pidFile(n), cmd.Process.Pid)
		return err
	}
	fmt.Fprintf(out, "started %s (pid %d)\n", n.Name, cmd.Process.Pid)
	return nil
}
