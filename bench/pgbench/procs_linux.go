package main

import (
	"os/exec"
	"runtime"
	"syscall"
)

// sysProcAttr puts the child in its own process group, under cred when not
// nil, and has the kernel SIGKILL it if this program dies.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
}

// startLocked starts cmd from a locked OS thread: the parent-death signal
// follows the thread that forked, and a locked thread that is unlocked
// again stays alive in the runtime's pool.
func startLocked(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Start()
}
