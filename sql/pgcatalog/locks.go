package pgcatalog

import "github.com/borealis-db/borealis/sql/types"

// LockInfo is one relation lock, held or awaited, as pg_locks shows it.
type LockInfo struct {
	// Relation is the locked relation's OID.
	Relation uint32
	// Mode is PostgreSQL's mode name ("AccessShareLock", ...).
	Mode string
	// Granted: held (false: waited for).
	Granted bool
	// PID is the holder's or waiter's process id (pg_backend_pid; 0: unknown).
	PID int32
}

// locksOID is pg_locks' pg_class OID in PostgreSQL 15.
const locksOID = 12073

// locksColumns are pg_locks' columns (PostgreSQL 15; xid shown as int8).
func locksColumns() []Column {
	return []Column{
		{"locktype", types.Text, 25}, {"database", typOID, 26}, {"relation", typOID, 26},
		{"page", types.Int4, 23}, {"tuple", types.Int2, 21}, {"virtualxid", types.Text, 25},
		{"transactionid", types.Int8, 28}, {"classid", typOID, 26}, {"objid", typOID, 26},
		{"objsubid", types.Int2, 21}, {"virtualtransaction", types.Text, 25}, {"pid", types.Int4, 23},
		{"mode", types.Text, 25}, {"granted", types.Bool, 16}, {"fastpath", types.Bool, 16},
		{"waitstart", types.Timestamptz, 1184},
	}
}

// locksRows lists the relation locks of Env.Locks (row locks are not
// shown: they live in the tuples, as PostgreSQL's do until someone waits).
func locksRows(_ *Table, env *Env) ([]rowMap, error) {
	if env.Locks == nil {
		return nil, nil
	}
	var out []rowMap
	for _, l := range env.Locks() {
		r := rowMap{"locktype": s("relation"), "database": i(DatabaseOID), "relation": i(int64(l.Relation)),
			"mode": s(l.Mode), "granted": types.NewBool(l.Granted), "fastpath": dFals}
		if l.PID != 0 {
			r["pid"] = i(int64(l.PID))
		}
		out = append(out, r)
	}
	return out, nil
}
