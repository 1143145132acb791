package main

import "github.com/spf13/cobra"

// subcommands lists every subcommand of the binary. Each lives in its own file.
func subcommands() []*cobra.Command {
	return []*cobra.Command{
		newStorageCmd(),
		newWriterCmd(),
		newUpCmd(),
		newStatusCmd(),
		newStopCmd(),
		newStartCmd(),
		newKillCmd(),
		newDrillCmd(),
	}
}
