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

One binary: every role (storage, writer) is a subcommand, as are the local
cluster and the operator commands.

  borealis up                 start (or resume) a local cluster in ./borealis-data
                              and print the psql connection string
  borealis status             every node, its health, epoch, SCL/VDL; quorum per group
  borealis kill|stop|start N  fault injection by hand
  borealis drill NAME         rehearse a failure under a bank-transfer load`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(subcommands()...)
	return root
}
