package txn

// SetHookStatusZero installs fn to run inside CommitLSN between reading a
// zero status word and checking whether the xid is active.
func SetHookStatusZero(m *Manager, fn func(xid uint64)) { m.hookStatusZero = fn }
