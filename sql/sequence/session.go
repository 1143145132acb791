package sequence

import (
	"context"
	"sync"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/types"
)

// Session is one client session's sequence state: the value currval
// returns per sequence and the sequence lastval reads. It is kept for the
// session's life (not rolled back with transactions), keyed by the
// sequence's page id. Safe for concurrent use.
type Session struct {
	mu      sync.Mutex
	curr    map[redo.PageID]int64
	last    redo.PageID // sequence of the last nextval (0: none)
	lastVal int64
}

// NewSession returns an empty session state.
func NewSession() *Session { return &Session{curr: map[redo.PageID]int64{}} }

// Nextval is q.Nextval, remembering the value for currval and lastval.
func (s *Session) Nextval(ctx context.Context, name string, q *Sequence) (int64, error) {
	v, err := q.Nextval(ctx, name)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.curr[q.Root()] = v
	s.last, s.lastVal = q.Root(), v
	s.mu.Unlock()
	return v, nil
}

// Currval returns the value nextval last returned for q in this session
// (or that setval set with is_called), else a 55000 *types.Error.
func (s *Session) Currval(name string, q *Sequence) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.curr[q.Root()]
	if !ok {
		return 0, types.Errorf("55000", "currval of sequence \"%s\" is not yet defined in this session", name)
	}
	return v, nil
}

// Lastval returns the page id of the sequence of the session's last
// nextval and the value it returned, else a 55000 *types.Error. The caller
// must check that the sequence still exists (PostgreSQL answers the same
// 55000 error when it was dropped: ErrLastvalUndefined).
func (s *Session) Lastval() (redo.PageID, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == 0 {
		return 0, 0, ErrLastvalUndefined()
	}
	return s.last, s.lastVal, nil
}

// ErrLastvalUndefined returns lastval's 55000 error.
func ErrLastvalUndefined() error {
	return types.Errorf("55000", "lastval is not yet defined in this session")
}

// Setval is q.Setval; with isCalled it also sets currval of q (not
// lastval), as PostgreSQL does. It returns v (setval's result).
func (s *Session) Setval(ctx context.Context, name string, q *Sequence, v int64, isCalled bool) (int64, error) {
	if err := q.Setval(ctx, name, v, isCalled); err != nil {
		return 0, err
	}
	if isCalled {
		s.mu.Lock()
		s.curr[q.Root()] = v
		s.mu.Unlock()
	}
	return v, nil
}

// Discard forgets every currval and lastval (DISCARD SEQUENCES, DISCARD
// ALL).
func (s *Session) Discard() {
	s.mu.Lock()
	clear(s.curr)
	s.last, s.lastVal = 0, 0
	s.mu.Unlock()
}
