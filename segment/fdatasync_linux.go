package segment

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data (and its size when it changed) to stable storage.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
