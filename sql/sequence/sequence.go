// Package sequence implements SQL sequences (CREATE SEQUENCE, serial and
// identity columns; nextval, setval, currval, lastval) stored in pages.
//
// A sequence is one page, identified by its page id (the "root" the catalog
// stores): its parameters and its last *logged* value live in the page's
// special space (see Decode), changed only by redo records like any page,
// so they survive restarts and reach readers.
//
// nextval is not transactional: a value handed out is never given back,
// whatever happens to the transaction that asked for it. Like PostgreSQL
// it logs ahead: when the values already logged run out, one record moves
// the page's value LogAhead increments further, and the next LogAhead
// nextval calls write nothing. A value is returned only once the record
// covering it is durable, so after a crash (a new Store opened on the
// volume) the sequence goes on after the logged value and never returns a
// value twice; it skips at most LogAhead values, as PostgreSQL does.
//
// A Store keeps exactly one in-memory Sequence per page (the count of
// values still covered by the log lives there), so every nextval of the
// writer must go through one Store. currval and lastval are per session
// (Session).
//
// Errors meant for the client are *types.Error with PostgreSQL's SQLSTATE
// and wording; they name the sequence as the caller passes it.
package sequence

import (
	"context"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// LogAhead is how many values one nextval record logs ahead
// (PostgreSQL's SEQ_LOG_VALS).
const LogAhead = 32

// Store creates and opens the sequences of a volume. Safe for concurrent
// use.
type Store struct {
	meta *volmeta.Meta
	pool *buffer.Pool

	mu   sync.Mutex
	open map[redo.PageID]*Sequence
}

// NewStore returns the store of the volume whose meta page is meta.
func NewStore(meta *volmeta.Meta) *Store {
	return &Store{meta: meta, pool: meta.Pool(), open: map[redo.PageID]*Sequence{}}
}

// Create allocates and writes a new sequence page with parameters p
// (Options.Resolve) and returns its page id, which the catalog stores. The
// sequence starts at p.Start, not yet called. Creation is not
// transactional: if the creating transaction aborts, the page is leaked
// (nothing refers to it). Its record becomes durable with the creating
// transaction's commit, or with the first nextval.
func (s *Store) Create(ctx context.Context, p Params) (redo.PageID, error) {
	if err := p.check(); err != nil {
		return 0, fmt.Errorf("sequence: create: invalid parameters: %v", err)
	}
	f, err := s.meta.NewPage()
	if err != nil {
		return 0, fmt.Errorf("sequence: create: %w", err)
	}
	defer s.pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	m := s.pool.Begin()
	err = m.InitPage(f, PageType, specialSize)
	if err == nil {
		err = m.SetSpecial(f, 0, encodeSpecial(p, p.Start, false))
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return 0, fmt.Errorf("sequence: create: %w", err)
	}
	return f.ID(), nil
}

// Open returns the sequence whose page is root: the same *Sequence for
// every call with the same root (the first call reads the page). A page
// that is not a sequence page is an error wrapping ErrCorrupt.
func (s *Store) Open(ctx context.Context, root redo.PageID) (*Sequence, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.open[root]; q != nil {
		return q, nil
	}
	f, err := s.pool.Pin(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("sequence: open page %d: %w", root, err)
	}
	f.RLock()
	p, last, called, err := Decode(f.Page())
	lsn := f.Page().LSN()
	f.RUnlock()
	s.pool.Unpin(f)
	if err != nil {
		return nil, err
	}
	q := &Sequence{store: s, root: root, p: p, last: last, called: called, need: lsn}
	s.open[root] = q
	return q, nil
}

// Forget drops the store's in-memory sequence of root (after DROP
// SEQUENCE committed). Opening it again re-reads the page.
func (s *Store) Forget(root redo.PageID) {
	s.mu.Lock()
	delete(s.open, root)
	s.mu.Unlock()
}

// Sequence is one open sequence. Safe for concurrent use.
type Sequence struct {
	store *Store
	root  redo.PageID

	mu     sync.Mutex
	p      Params
	last   int64 // last value handed out (or set)
	called bool
	logCnt int64    // values after last still covered by the logged value
	need   redo.LSN // end of the last record the in-memory state depends on
}

// State is what SELECT last_value, log_cnt, is_called FROM seq shows on
// the writer.
type State struct {
	LastValue int64
	LogCnt    int64
	IsCalled  bool
}

// Root returns the sequence's page id.
func (q *Sequence) Root() redo.PageID { return q.root }

// Params returns the sequence's parameters.
func (q *Sequence) Params() Params {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.p
}

// State returns the sequence's current state.
func (q *Sequence) State() State {
	q.mu.Lock()
	defer q.mu.Unlock()
	return State{LastValue: q.last, LogCnt: q.logCnt, IsCalled: q.called}
}

// write logs the page's new logged value (and, when p is not nil, new
// parameters) in one MTR. Caller holds q.mu.
func (q *Sequence) write(ctx context.Context, p *Params, last int64, called bool) (redo.LSN, error) {
	pool := q.store.pool
	f, err := pool.Pin(ctx, q.root)
	if err != nil {
		return 0, fmt.Errorf("sequence: page %d: %w", q.root, err)
	}
	defer pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	if _, _, _, err := Decode(f.Page()); err != nil {
		return 0, err
	}
	m := pool.Begin()
	if p != nil {
		err = m.SetSpecial(f, 0, encodeSpecial(*p, last, called))
	} else {
		err = m.SetSpecial(f, offLast, encodeLast(last, called))
	}
	end, e := m.End()
	if err == nil {
		err = e
	}
	if err != nil {
		return 0, fmt.Errorf("sequence: page %d: %w", q.root, err)
	}
	return end, nil
}

// durable waits until lsn is durable.
func (q *Sequence) durable(ctx context.Context, lsn redo.LSN) error {
	log := q.store.pool.Log()
	if lsn <= log.VDL() {
		return nil
	}
	if err := log.WaitDurable(ctx, lsn); err != nil {
		return fmt.Errorf("sequence: page %d: %w", q.root, err)
	}
	return nil
}

// Nextval advances the sequence and returns the new value (PostgreSQL's
// nextval, with CACHE 1). name is the sequence's name for error messages:
// past MAXVALUE (MINVALUE for a descending sequence) without CYCLE it is
// a 2200H *types.Error. Most calls write nothing; one in LogAhead+1 writes
// one record. The value is returned only when the record covering it is
// durable (the wait happens without holding the sequence); if ctx ends
// first the value is lost (a gap), never handed out twice.
func (q *Sequence) Nextval(ctx context.Context, name string) (int64, error) {
	q.mu.Lock()
	p := q.p
	next, result, last := q.last, int64(0), q.last
	fetch, rescnt, log := int64(1), int64(0), q.logCnt
	if !q.called {
		rescnt++ // the start (or setval'd) value itself comes first
		result = next
		fetch--
	}
	logit := false
	if log < fetch || !q.called {
		fetch += LogAhead
		log = fetch
		logit = true
	}
	for fetch > 0 {
		if p.Increment > 0 {
			if (p.Max >= 0 && next > p.Max-p.Increment) || (p.Max < 0 && next+p.Increment > p.Max) {
				if rescnt > 0 {
					break // stop logging ahead at the bound
				}
				if !p.Cycle {
					q.mu.Unlock()
					return 0, types.Errorf("2200H", "nextval: reached maximum value of sequence \"%s\" (%d)", name, p.Max)
				}
				next = p.Min
			} else {
				next += p.Increment
			}
		} else {
			if (p.Min < 0 && next < p.Min-p.Increment) || (p.Min >= 0 && next+p.Increment < p.Min) {
				if rescnt > 0 {
					break
				}
				if !p.Cycle {
					q.mu.Unlock()
					return 0, types.Errorf("2200H", "nextval: reached minimum value of sequence \"%s\" (%d)", name, p.Min)
				}
				next = p.Max
			} else {
				next += p.Increment
			}
		}
		fetch--
		if rescnt < 1 {
			log--
			rescnt++
			last = next
			result = next
		}
	}
	log -= fetch // values not logged after all (the bound)
	if logit {
		end, err := q.write(ctx, nil, next, true)
		if err != nil {
			q.mu.Unlock()
			return 0, err
		}
		q.need = end
	}
	q.last, q.called, q.logCnt = last, true, log
	need := q.need
	q.mu.Unlock()
	if err := q.durable(ctx, need); err != nil {
		return 0, err
	}
	return result, nil
}

// Setval sets the sequence's value (PostgreSQL's setval(seq, v, isCalled)):
// with isCalled the next nextval returns v + increment, else v itself. v
// outside MINVALUE..MAXVALUE is a 22003 *types.Error. It is not
// transactional and is durable when Setval returns.
func (q *Sequence) Setval(ctx context.Context, name string, v int64, isCalled bool) error {
	q.mu.Lock()
	if v < q.p.Min || v > q.p.Max {
		p := q.p
		q.mu.Unlock()
		return types.Errorf("22003", "setval: value %d is out of bounds for sequence \"%s\" (%d..%d)", v, name, p.Min, p.Max)
	}
	end, err := q.write(ctx, nil, v, isCalled)
	if err != nil {
		q.mu.Unlock()
		return err
	}
	q.last, q.called, q.logCnt, q.need = v, isCalled, 0, end
	q.mu.Unlock()
	return q.durable(ctx, end)
}

// Alter changes the sequence's parameters to p (Options.Resolve with the
// current Params as old) and, when restart is not nil, restarts it at
// *restart (ALTER SEQUENCE ... RESTART [WITH n]; RESTART alone is
// p.Start): the next nextval returns *restart. Without a restart the
// current value must lie within p's bounds. Errors are 22023 with
// PostgreSQL's wording. Like setval it is not transactional (PostgreSQL
// makes ALTER SEQUENCE transactional; see the package's limits) and is
// durable when Alter returns.
func (q *Sequence) Alter(ctx context.Context, p Params, restart *int64) error {
	if err := p.check(); err != nil {
		return types.Errorf("22023", "invalid sequence parameters: %v", err)
	}
	q.mu.Lock()
	last, called := q.last, q.called
	if restart != nil {
		last, called = *restart, false
	}
	if last < p.Min {
		q.mu.Unlock()
		return types.Errorf("22023", "RESTART value (%d) cannot be less than MINVALUE (%d)", last, p.Min)
	}
	if last > p.Max {
		q.mu.Unlock()
		return types.Errorf("22023", "RESTART value (%d) cannot be greater than MAXVALUE (%d)", last, p.Max)
	}
	end, err := q.write(ctx, &p, last, called)
	if err != nil {
		q.mu.Unlock()
		return err
	}
	q.p, q.last, q.called, q.logCnt, q.need = p, last, called, 0, end
	q.mu.Unlock()
	return q.durable(ctx, end)
}
