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
		Use:           "borealis",
		Short:         "Borealis: an Aurora-style log-structured Postgres-compatible database",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(subcommands()...)
	return root
}
