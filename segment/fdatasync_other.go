//go:build !linux

package segment

import "os"

// fdatasync flushes f to stable storage (fsync where fdatasync is missing).
func fdatasync(f *os.File) error { return f.Sync() }
