package heap

import (
	"context"
	"fmt"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/txn"
)

// Scanner iterates the versions of a heap a snapshot sees, page by page in
// chain order. Each page is read under its latch once and its visible
// versions copied, so a scan holds no latch between calls.
type Scanner struct {
	h    *Heap
	ctx  context.Context
	snap txn.Snapshot
	all  bool

	next  redo.PageID
	done  bool
	tids  []TID
	hdrs  []Header
	offs  []int
	buf   []byte
	i     int
	err   error
	pages int
}

// Scan returns a scanner over the versions snap sees. A nil snap returns
// every version (tools and tests).
func (h *Heap) Scan(ctx context.Context, snap *txn.Snapshot) *Scanner {
	s := &Scanner{h: h, ctx: ctx, next: h.root, i: -1}
	if snap == nil {
		s.all = true
	} else {
		s.snap = *snap
	}
	return s
}

// Next advances to the next visible version; false at the end or on error.
func (s *Scanner) Next() bool {
	for {
		if s.i+1 < len(s.tids) {
			s.i++
			return true
		}
		if s.done || s.err != nil {
			return false
		}
		if err := s.load(); err != nil {
			s.err = err
			return false
		}
	}
}

func (s *Scanner) load() error {
	if s.next == 0 {
		s.done = true
		return nil
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	id := s.next
	f, err := s.h.pin(s.ctx, id)
	if err != nil {
		return err
	}
	defer s.h.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return err
	}
	s.pages++
	s.next = nextOf(pg)
	if s.next == id {
		return fmt.Errorf("heap: page %d links to itself", id)
	}
	s.tids, s.hdrs, s.offs, s.buf, s.i = s.tids[:0], s.hdrs[:0], s.offs[:0], s.buf[:0], -1
	free := pg.FreeSpace()
	for i, n := 0, pg.ItemCount(); i < n; i++ {
		hd, d, ok := tupleAt(pg, i)
		if !ok {
			continue
		}
		if !s.all {
			vis, err := s.h.mgr.Visible(hd.Xmin, hd.Xmax, hd.Cmin, hd.Cmax, hd.LockOnly(), &s.snap)
			if err != nil {
				return err
			}
			if !vis {
				continue
			}
		}
		s.tids = append(s.tids, TID{Page: id, Slot: uint16(i)})
		s.hdrs = append(s.hdrs, hd)
		s.offs = append(s.offs, len(s.buf))
		s.buf = append(s.buf, d...)
	}
	s.h.fsm.note(id, free)
	return nil
}

// TID returns the current version's TID.
func (s *Scanner) TID() TID { return s.tids[s.i] }

// Header returns the current version's header.
func (s *Scanner) Header() Header { return s.hdrs[s.i] }

// Data returns the current version's data; valid until the scan moves to
// the next page (copy it to keep it).
func (s *Scanner) Data() []byte {
	end := len(s.buf)
	if s.i+1 < len(s.offs) {
		end = s.offs[s.i+1]
	}
	return s.buf[s.offs[s.i]:end:end]
}

// Err returns the error that ended the scan, if any.
func (s *Scanner) Err() error { return s.err }

// Pages returns the number of pages read so far.
func (s *Scanner) Pages() int { return s.pages }
