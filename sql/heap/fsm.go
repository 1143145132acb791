package heap

import (
	"sync"

	"github.com/borealis-db/borealis/redo"
)

// fsm is the in-memory free-space map: free bytes of the pages seen so far.
// It starts empty after a restart and fills as pages are used or scanned;
// inserts fall back to the last page of the chain.
type fsm struct {
	mu    sync.Mutex
	free  map[redo.PageID]int
	cands []redo.PageID // pages with useful free space, most recent last
}

// minUseful is the free space below which a page is not a candidate.
const minUseful = 256

func (s *fsm) init() { s.free = map[redo.PageID]int{} }

// candidate returns a page believed to have need bytes free.
func (s *fsm) candidate(need int) (redo.PageID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.cands) - 1; i >= 0; i-- {
		id := s.cands[i]
		f, ok := s.free[id]
		if !ok || f < minUseful {
			s.cands = append(s.cands[:i], s.cands[i+1:]...)
			continue
		}
		if f >= need {
			return id, true
		}
	}
	return 0, false
}

// set records the free space of a page.
func (s *fsm) set(id redo.PageID, free int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, known := s.free[id]
	s.free[id] = free
	if free >= minUseful && (!known || old < minUseful) {
		s.cands = append(s.cands, id)
	}
}

// note records free space seen by a reader, for pages not yet known.
func (s *fsm) note(id redo.PageID, free int) {
	s.mu.Lock()
	_, known := s.free[id]
	s.mu.Unlock()
	if !known {
		s.set(id, free)
	}
}

// forget drops a page.
func (s *fsm) forget(id redo.PageID) {
	s.mu.Lock()
	delete(s.free, id)
	s.mu.Unlock()
}
