package session

import (
	"context"
	"errors"

	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/wire"
)

// savepoint runs SAVEPOINT, RELEASE [SAVEPOINT] and ROLLBACK TO [SAVEPOINT]
// on the block's transaction (txn.Tx's subtransactions). They need an
// explicit block (25P01 otherwise, also in an implicit one, as in
// PostgreSQL). In a failed block only ROLLBACK TO runs: it undoes the failed
// part (fail already rolled the innermost savepoint back) and clears the
// failure. DDL rolled back this way disappears with its sub-xid: the
// session's catalog view is read through its snapshot.
func (s *Session) savepoint(ctx context.Context, p *exec.Plan, out *output) error {
	what := map[exec.Kind]string{exec.KindSavepoint: "SAVEPOINT", exec.KindRelease: "RELEASE SAVEPOINT",
		exec.KindRollbackTo: "ROLLBACK TO SAVEPOINT"}[p.Kind]
	if !s.inBlock {
		return &wire.Error{Code: "25P01", Message: what + " can only be used in transaction blocks"}
	}
	if s.failed && p.Kind != exec.KindRollbackTo {
		return &wire.Error{Code: exec.CodeInFailedTransaction,
			Message: "current transaction is aborted, commands ignored until end of transaction block"}
	}
	if s.tx == nil {
		if p.Kind != exec.KindSavepoint {
			// No savepoint can exist without a transaction.
			err := &wire.Error{Code: "3B001", Message: "savepoint \"" + p.Name + "\" does not exist"}
			if s.failed {
				return err
			}
			return s.fail(ctx, err)
		}
		s.beginTx()
	}
	var err error
	switch p.Kind {
	case exec.KindSavepoint:
		if err = s.tx.Savepoint(p.Name); err == nil {
			s.savepointSettings(p.Name)
		}
	case exec.KindRelease:
		if err = s.tx.Release(p.Name); err == nil {
			s.releaseSettings(p.Name)
		}
	case exec.KindRollbackTo:
		err = s.tx.RollbackTo(p.Name)
		if err == nil {
			s.failed = false
			s.pendingParams = append(s.pendingParams, s.rollbackToSettings(p.Name)...)
			if err := s.flushParams(out); err != nil {
				return err
			}
		}
	}
	if err != nil {
		var xe *txn.Error
		if s.failed && errors.As(err, &xe) {
			return toWire(err) // the block stays failed
		}
		return s.fail(ctx, err)
	}
	return out.complete(p.Tag)
}

// failSubtransaction handles an error inside a savepoint: the innermost
// savepoint's work is rolled back at once (releasing its row locks, as
// PostgreSQL aborts the failed subtransaction) and the transaction stays
// open for ROLLBACK TO. It reports false when there is no savepoint.
func (s *Session) failSubtransaction() bool {
	if s.tx == nil || s.tx.Done() {
		return false
	}
	sps := s.tx.Savepoints()
	if len(sps) == 0 {
		return false
	}
	if err := s.tx.RollbackTo(sps[len(sps)-1]); err != nil {
		return false
	}
	return true
}

// seqSession returns the session's sequence state (currval, lastval).
func (s *Session) seqSession() *sequence.Session {
	if s.seq == nil {
		s.seq = sequence.NewSession()
	}
	return s.seq
}
