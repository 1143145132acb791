//go:build !linux

package main

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts the child in its own process group, under cred when not
// nil.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: cred}
}

// startLocked starts cmd.
func startLocked(cmd *exec.Cmd) error { return cmd.Start() }
