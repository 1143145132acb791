// Command borealis is the one Borealis binary: every role (storage, writer,
// ...) is a subcommand, as are the local cluster (up) and operator commands.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "borealis:", oneLine(err.Error()))
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "borealis",
		Short: "Borealis: an Aurora-style log-structured Postgres-compatible database",
		Long: `Borealis: an Aurora-style log-structured Postgres-compatible database.

One binary: every role (storage, and later writer, reader, proxy) is a
subcommand, as are the local cluster and the operator commands.

  borealis up                 start (or resume) a local cluster in ./borealis-data
  borealis status             every node, its health, epoch, SCL; quorum per group
  borealis kill|stop|start N  fault injection by hand`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(subcommands()...)
	return root
}
