package heap

import (
	"sync"

	"github.com/borealis-db/borealis/redo"
)

// fsm is the in-memory free-space map: free bytes of the pages seen so far.
// It starts empty after a restart and fills as pages are used or scanned;
// inserts fall back to the last page of the chain.
type fsm struct {
	mu     sync.Mutex
	free   map[redo.PageID]int
	cands  []redo.PageID // pages worth trying, most recent last
	inCand map[redo.PageID]bool
}

// minUseful is the free space below which a page is not a candidate.
const minUseful = 256

// maxTries bounds the candidates candidate looks at, so an insert costs O(1)
// however many pages have a little room.
const maxTries = 8

func (s *fsm) init() {
	s.free = map[redo.PageID]int{}
	s.inCand = map[redo.PageID]bool{}
}

func (s *fsm) drop(i int) {
	delete(s.inCand, s.cands[i])
	s.cands = append(s.cands[:i], s.cands[i+1:]...)
}

// candidate returns a page believed to have need bytes free. Pages tried
// and found too small leave the candidate list until their free space grows.
func (s *fsm) candidate(need int) (redo.PageID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tries := 0; tries < maxTries && len(s.cands) > 0; tries++ {
		i := len(s.cands) - 1
		id := s.cands[i]
		if f, ok := s.free[id]; ok && f >= need {
			return id, true
		}
		s.drop(i)
	}
	return 0, false
}

// set records the free space of a page; a page whose free space grew to a
// useful size becomes a candidate again.
func (s *fsm) set(id redo.PageID, free int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, known := s.free[id]
	s.free[id] = free
	if free >= minUseful && !s.inCand[id] && (!known || free > old) {
		s.cands = append(s.cands, id)
		s.inCand[id] = true
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
