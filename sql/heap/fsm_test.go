package heap

import (
	"testing"

	"github.com/borealis-db/borealis/redo"
)

func TestFSMCandidates(t *testing.T) {
	var s fsm
	s.init()
	s.set(1, 1000)
	s.set(2, 300)
	if id, ok := s.candidate(500); !ok || id != 1 {
		t.Fatalf("candidate(500) = %d %v", id, ok)
	}
	s.set(1, 100) // filled up
	if _, ok := s.candidate(500); ok {
		t.Fatal("candidate found with no page that large")
	}
	if id, ok := s.candidate(200); ok {
		t.Fatalf("page 2 was dropped after failing a larger request, got %d", id)
	}
	s.set(2, 4000) // pruned: room again
	if id, ok := s.candidate(500); !ok || id != 2 {
		t.Fatalf("after growth: %d %v", id, ok)
	}
	// Many barely-useful pages: a lookup looks at a bounded number.
	for i := 10; i < 10000; i++ {
		s.set(redo.PageID(i), 300)
	}
	if _, ok := s.candidate(1000); ok {
		t.Fatal("found a page with 1000 free")
	}
	if n := len(s.cands); n != 10000-10+1-maxTries {
		t.Fatalf("%d candidates left", n)
	}
}
