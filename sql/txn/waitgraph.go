package txn

// One wait-for graph for row locks and table locks: row-lock waits are
// kept here (xact.waitingFor), table-lock waits in the relation lock
// manager (sql/rellock). Each side checks for a cycle through both when a
// wait starts: WaitFor follows the edges SetLockWaits reports, and the lock
// manager asks RowWaits.

// setTx records t as the transaction of its top-level xid.
func (m *Manager) setTx(xid uint64, t *Tx) {
	m.mu.Lock()
	if x := m.active[xid]; x != nil {
		x.tx = t
	}
	m.mu.Unlock()
}

// SetLockWaits installs f, which returns the table-lock wait-for edges
// (waiting transaction → the transactions it waits for). It is called
// without the manager's lock held. nil removes it.
func (m *Manager) SetLockWaits(f func() map[*Tx][]*Tx) {
	if f == nil {
		m.lockWaits.Store(nil)
		return
	}
	m.lockWaits.Store(&f)
}

// RowWaits returns the row-lock wait-for edges: each transaction waiting
// for a row lock (WaitFor) → the transaction holding it.
func (m *Manager) RowWaits() map[*Tx]*Tx {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[*Tx]*Tx{}
	for _, x := range m.active {
		if x.top != x || x.tx == nil || x.waitingFor == InvalidXid {
			continue
		}
		if h := m.active[x.waitingFor]; h != nil && h.top.tx != nil {
			out[x.tx] = h.top.tx
		}
	}
	return out
}

// deadlockViaLocks reports whether t, now recorded as waiting for a row
// lock, is on a cycle of the combined graph (row and table lock waits).
// Without table-lock edges it answers false: WaitFor's own chain walk
// covers row locks alone.
func (m *Manager) deadlockViaLocks(t *Tx) bool {
	f := m.lockWaits.Load()
	if f == nil {
		return false
	}
	g := (*f)()
	if len(g) == 0 {
		return false
	}
	for w, h := range m.RowWaits() {
		g[w] = append(g[w], h)
	}
	seen := map[*Tx]bool{}
	stack := append([]*Tx(nil), g[t]...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == t {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, g[x]...)
		}
	}
	return false
}
