package txn

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// Commit-log layout. Each clog page holds one item of xidsPerPage u64 slots:
// slot i is the commit LSN of the page's i-th xid (0: not committed). Pages
// come in chunks of chunkPages contiguous page ids, listed in order on the
// meta page.
const (
	xidsPerPage  = 1000
	chunkPages   = 1024
	xidsPerChunk = xidsPerPage * chunkPages
	clogItemSize = 8 * xidsPerPage
)

// clogAddr returns the chunk index, page offset within the chunk and slot of xid.
func clogAddr(xid uint64) (chunk int, page int, slot int) {
	return int(xid / xidsPerChunk), int(xid % xidsPerChunk / xidsPerPage), int(xid % xidsPerPage)
}

// clogPage returns the page id holding xid's slot, or false when its chunk
// was never allocated.
func (m *Manager) clogPage(xid uint64) (redo.PageID, int, bool) {
	c, p, s := clogAddr(xid)
	m.mu.Lock()
	chunks := m.chunks
	m.mu.Unlock()
	if c >= len(chunks) {
		return 0, 0, false
	}
	return chunks[c] + redo.PageID(p), s, true
}

// ensureClog makes sure the clog pages for xids [first, end) exist.
func (m *Manager) ensureClog(ctx context.Context, first, end uint64) error {
	for xid := first - first%xidsPerPage; xid < end; xid += xidsPerPage {
		c, _, _ := clogAddr(xid)
		for {
			m.mu.Lock()
			n := len(m.chunks)
			m.mu.Unlock()
			if c < n {
				break
			}
			start, idx, err := m.meta.AddClogChunk(chunkPages)
			if err != nil {
				return fmt.Errorf("txn: %w", err)
			}
			m.mu.Lock()
			if idx != len(m.chunks) {
				m.mu.Unlock()
				return fmt.Errorf("txn: clog chunk %d added at index %d", len(m.chunks), idx)
			}
			m.chunks = append(m.chunks[:len(m.chunks):len(m.chunks)], start)
			m.mu.Unlock()
		}
		id, _, _ := m.clogPage(xid)
		f, err := m.pool.Pin(ctx, id)
		if err != nil {
			return fmt.Errorf("txn: clog page %d: %w", id, err)
		}
		f.Lock()
		if f.Page().IsZero() {
			var zero [clogItemSize]byte
			mtr := m.pool.Begin()
			err = mtr.InitPage(f, volmeta.PageTypeClog, 0)
			if err == nil {
				err = mtr.InsertItem(f, 0, zero[:])
			}
			if _, e := mtr.End(); err == nil {
				err = e
			}
		}
		f.Unlock()
		m.pool.Unpin(f)
		if err != nil {
			return fmt.Errorf("txn: init clog page %d: %w", id, err)
		}
	}
	return nil
}

// writeCommit records the commit of xids (a top-level xid and its live
// sub-xids) in one MTR: a Noop on the first xid's clog page whose LSN
// becomes the commit LSN, then every xid's slot patched with that LSN (one
// patch per run of consecutive slots on a page). The clog pages are latched
// in page order, so concurrent committers cannot deadlock. setMem runs
// inside the MTR (before the records can become durable) so that no
// snapshot at or above the commit LSN can find an xid uncommitted in
// memory. It returns the commit LSN and the MTR's end LSN.
func (m *Manager) writeCommit(ctx context.Context, xids []uint64, setMem func(redo.LSN)) (redo.LSN, redo.LSN, error) {
	type clogSlots struct {
		id    redo.PageID
		f     *buffer.Frame
		slots []int
	}
	var pages []*clogSlots
	byID := map[redo.PageID]*clogSlots{}
	for _, xid := range xids {
		id, slot, ok := m.clogPage(xid)
		if !ok {
			return 0, 0, fmt.Errorf("txn: no clog chunk for xid %d", xid)
		}
		p := byID[id]
		if p == nil {
			p = &clogSlots{id: id}
			byID[id] = p
			pages = append(pages, p)
		}
		p.slots = append(p.slots, slot)
	}
	first := pages[0] // the Noop goes on the first xid's page
	slices.SortFunc(pages, func(a, b *clogSlots) int { return cmp.Compare(a.id, b.id) })
	defer func() {
		for _, p := range pages {
			if p.f != nil {
				p.f.Unlock()
				m.pool.Unpin(p.f)
			}
		}
	}()
	for _, p := range pages {
		f, err := m.pool.Pin(ctx, p.id)
		if err != nil {
			return 0, 0, fmt.Errorf("txn: commit xid %d: %w", xids[0], err)
		}
		f.Lock()
		p.f = f
		if _, ok := f.Page().Item(0); !ok {
			return 0, 0, fmt.Errorf("txn: commit xid %d: clog page %d not initialised", xids[0], p.id)
		}
		slices.Sort(p.slots)
	}
	mtr := m.pool.Begin()
	var noop redo.Record
	noop.Op = redo.OpNoop
	err := mtr.Apply(first.f, &noop)
	commit := noop.LSN
	var buf []byte
	for _, p := range pages {
		for i := 0; i < len(p.slots) && err == nil; {
			j := i + 1
			for j < len(p.slots) && p.slots[j] == p.slots[j-1]+1 {
				j++
			}
			buf = buf[:0]
			for k := i; k < j; k++ {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(commit))
			}
			err = mtr.PatchItem(p.f, 0, 8*p.slots[i], buf)
			i = j
		}
	}
	if err == nil {
		setMem(commit)
	}
	end, e := mtr.End()
	if err == nil {
		err = e
	}
	if err != nil {
		return 0, 0, fmt.Errorf("txn: commit xid %d: %w", xids[0], err)
	}
	return commit, end, nil
}

// oldPage returns the cached slots of a clog page of xids below the
// manager's base (finished before it opened, so immutable).
func (m *Manager) oldPage(xid uint64) (*[xidsPerPage]redo.LSN, error) {
	key := xid / xidsPerPage
	m.oldMu.Lock()
	pg := m.old[key]
	m.oldMu.Unlock()
	if pg != nil {
		return pg, nil
	}
	pg = new([xidsPerPage]redo.LSN)
	id, _, ok := m.clogPage(xid)
	if ok {
		ctx, cancel := context.WithTimeout(context.Background(), m.readTimeout)
		f, err := m.pool.Pin(ctx, id)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("txn: read clog page %d: %w", id, err)
		}
		f.RLock()
		if it, ok := f.Page().Item(0); ok && len(it) == clogItemSize {
			for i := range pg {
				pg[i] = redo.LSN(binary.LittleEndian.Uint64(it[8*i:]))
			}
		}
		f.RUnlock()
		m.pool.Unpin(f)
	}
	m.oldMu.Lock()
	m.old[key] = pg
	m.oldMu.Unlock()
	return pg, nil
}
