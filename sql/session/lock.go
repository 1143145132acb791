package session

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/rellock"
	"github.com/borealis-db/borealis/wire"
)

// Relation locks: a statement takes the locks its plan lists (exec
// Plan.Locks; DDL also exec.DDLRel) in the transaction's name before it
// reads the catalog it runs against; if the catalog changed meanwhile the
// plan is rebuilt, and any new lock it needs is taken before the catalog
// is read again (lock → catalog → check). The locks are held until the
// transaction ends, and released only after a DDL commit has refreshed the
// in-memory catalog, so a waiter sees the new definition. A block that
// failed keeps them until ROLLBACK, as PostgreSQL does.

// lockPlan takes p's relation locks (and the DDL lock for a DDL plan).
func (s *Session) lockPlan(ctx context.Context, p *exec.Plan) error {
	db := s.e.db
	if s.lockTx != nil && s.lockTx != s.tx {
		db.Locks.ReleaseAll(s.lockTx) // a transaction that ended without endTx
	}
	s.lockTx = s.tx
	w := rellock.Wait{NoWait: p.LockNoWait, Timeout: s.msSetting("lock_timeout"), RelName: relName(p.Cat), PID: int32(s.pid)}
	if p.DDL && !s.ddlLocked {
		if err := db.Locks.Lock(ctx, s.tx, exec.DDLRel, rellock.AccessExclusive, rellock.Wait{Timeout: w.Timeout, PID: w.PID}); err != nil {
			return lockError(ctx, err)
		}
		s.ddlLocked = true
	}
	for _, r := range p.Locks {
		if err := db.Locks.Lock(ctx, s.tx, r.Rel, r.Mode, w); err != nil {
			return lockError(ctx, err)
		}
	}
	return nil
}

// holdsLocks reports whether the transaction already holds every lock p
// lists.
func (s *Session) holdsLocks(p *exec.Plan) bool {
	if p.DDL && !s.ddlLocked {
		return false
	}
	for _, r := range p.Locks {
		if !s.e.db.Locks.Holds(s.tx, r.Rel, r.Mode) {
			return false
		}
	}
	return true
}

// releaseLocks releases the ended transaction's relation locks.
func (s *Session) releaseLocks() {
	if s.lockTx != nil {
		s.e.db.Locks.ReleaseAll(s.lockTx)
		s.lockTx = nil
	}
	s.ddlLocked = false
}

// lockError maps a lock wait failure to the error PostgreSQL reports.
func lockError(ctx context.Context, err error) error {
	var le *rellock.Error
	if !errors.As(err, &le) {
		return err
	}
	if le.Code == rellock.CodeQueryCanceled && errors.Is(context.Cause(ctx), errStatementTimeout) {
		return &wire.Error{Code: wire.CodeQueryCanceled, Message: errStatementTimeout.Error(), Err: err}
	}
	return &wire.Error{Code: le.Code, Message: le.Message, Detail: le.Detail, Err: err}
}

// relName names a relation for NOWAIT's message.
func relName(cat *catalog.Set) func(uint32) string {
	return func(oid uint32) string {
		if cat != nil {
			if t, ok := cat.ByOID(oid); ok {
				if _, bare, ok := strings.Cut(t.Name, "."); ok {
					return bare
				}
				return t.Name
			}
		}
		return strconv.FormatUint(uint64(oid), 10)
	}
}

// msSetting reads a time setting in PostgreSQL's units (a bare number is
// milliseconds; "0" or unparsable: no limit).
func (s *Session) msSetting(name string) time.Duration {
	v := strings.TrimSpace(s.settings[name])
	if v == "" || v == "0" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Millisecond
	}
	v = strings.ReplaceAll(strings.ReplaceAll(v, "min", "m"), " ", "")
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// errLockOutsideBlock is PostgreSQL's answer to LOCK outside a transaction
// block.
var errLockOutsideBlock = &wire.Error{Code: "25P01", Message: "LOCK TABLE can only be used in transaction blocks"}
