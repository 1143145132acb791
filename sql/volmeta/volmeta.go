// Package volmeta owns the meta page of a volume (page MetaPage = 1; page 0
// is the quorum client's recovery marker): the volume format,
// the page allocator (next free page id), the transaction-id reservation, the
// object-id counter, a table of root page ids (catalog anchors) and the commit
// log's chunk directory. Every change to it is a redo record in a
// mini-transaction, like any other page change.
package volmeta

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// Page types of the volume (header byte 22). They live here so that every
// access method picks a distinct one.
const (
	PageTypeMeta  uint8 = 1
	PageTypeClog  uint8 = 2
	PageTypeHeap  uint8 = 3
	PageTypeBTree uint8 = 4
)

// MetaPage is the meta page's id. Page 0 belongs to the quorum client (its
// recovery marker, quorum.MarkerPage), so the SQL volume starts at page 1.
const MetaPage redo.PageID = 1

// FormatVersion is the volume format version stored on the meta page.
const FormatVersion = 1

// FirstXid is the first transaction id handed out on a new volume; ids below
// it are reserved (see package txn).
const FirstXid = 16

// FirstOID is the first object id handed out on a new volume.
const FirstOID = 16384

// NumRoots is the number of root slots.
const NumRoots = 16

// Special-space layout of the meta page.
const (
	offMagic    = 0
	offVersion  = 8
	offNextPage = 16
	offNextXid  = 24
	offNextOID  = 32
	offRoots    = 64
	specialSize = offRoots + 8*NumRoots
)

const magic = 0x53494c414552_4f42 // "BOREALIS" little-endian-ish marker

// ErrNotFormatted is returned by Open(create=false) on a volume never formatted.
var ErrNotFormatted = errors.New("volume not formatted")

// Meta is the open meta page. It keeps the page pinned until Close. Safe for
// concurrent use.
type Meta struct {
	pool *buffer.Pool
	f    *buffer.Frame
	mu   sync.Mutex // serializes changes (the frame latch guards the page)
}

// Open pins the meta page. A never-written meta page is formatted when create
// is true, else ErrNotFormatted is returned.
func Open(ctx context.Context, pool *buffer.Pool, create bool) (*Meta, error) {
	f, err := pool.Pin(ctx, MetaPage)
	if err != nil {
		return nil, fmt.Errorf("volmeta: %w", err)
	}
	m := &Meta{pool: pool, f: f}
	f.Lock()
	defer f.Unlock()
	pg := f.Page()
	if pg.IsZero() {
		if !create {
			pool.Unpin(f)
			return nil, ErrNotFormatted
		}
		var sp [specialSize]byte
		binary.LittleEndian.PutUint64(sp[offMagic:], magic)
		binary.LittleEndian.PutUint32(sp[offVersion:], FormatVersion)
		binary.LittleEndian.PutUint64(sp[offNextPage:], uint64(MetaPage)+1)
		binary.LittleEndian.PutUint64(sp[offNextXid:], FirstXid)
		binary.LittleEndian.PutUint64(sp[offNextOID:], FirstOID)
		mtr := pool.Begin()
		err := mtr.InitPage(f, PageTypeMeta, specialSize)
		if err == nil {
			err = mtr.SetSpecial(f, 0, sp[:])
		}
		if _, e := mtr.End(); err == nil {
			err = e
		}
		if err != nil {
			pool.Unpin(f)
			return nil, fmt.Errorf("volmeta: format: %w", err)
		}
		return m, nil
	}
	sp := pg.Special()
	switch {
	case pg.Type() != PageTypeMeta || len(sp) != specialSize:
		pool.Unpin(f)
		return nil, fmt.Errorf("volmeta: page %d is not a meta page (type %d, special %d bytes)", MetaPage, pg.Type(), len(sp))
	case binary.LittleEndian.Uint64(sp[offMagic:]) != magic:
		pool.Unpin(f)
		return nil, fmt.Errorf("volmeta: bad magic on page %d", MetaPage)
	case binary.LittleEndian.Uint32(sp[offVersion:]) != FormatVersion:
		pool.Unpin(f)
		return nil, fmt.Errorf("volmeta: volume format %d, this build reads %d", binary.LittleEndian.Uint32(sp[offVersion:]), FormatVersion)
	}
	return m, nil
}

// Close unpins the meta page.
func (m *Meta) Close() { m.pool.Unpin(m.f) }

// Pool returns the buffer pool the meta page lives in.
func (m *Meta) Pool() *buffer.Pool { return m.pool }

func (m *Meta) get(off int) uint64 {
	m.f.RLock()
	defer m.f.RUnlock()
	return binary.LittleEndian.Uint64(m.f.Page().Special()[off:])
}

// bump adds n to the counter at off in one MTR and returns its old value.
func (m *Meta) bump(off int, n uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f.Lock()
	defer m.f.Unlock()
	old := binary.LittleEndian.Uint64(m.f.Page().Special()[off:])
	if old+n < old {
		return 0, fmt.Errorf("volmeta: counter at %d overflows", off)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], old+n)
	mtr := m.pool.Begin()
	err := mtr.SetSpecial(m.f, off, b[:])
	if _, e := mtr.End(); err == nil {
		err = e
	}
	if err != nil {
		return 0, fmt.Errorf("volmeta: %w", err)
	}
	return old, nil
}

// NextPage returns the next page id the allocator will hand out.
func (m *Meta) NextPage() redo.PageID { return redo.PageID(m.get(offNextPage)) }

// AllocPages reserves n contiguous page ids (never handed out before) and
// returns the first. A crash before they are written leaks them, harmlessly.
func (m *Meta) AllocPages(n int) (redo.PageID, error) {
	if n <= 0 {
		return 0, fmt.Errorf("volmeta: allocate %d pages", n)
	}
	first, err := m.bump(offNextPage, uint64(n))
	return redo.PageID(first), err
}

// NewPage allocates one page and returns its frame: pinned, all zero (never
// written), not latched. The caller formats it (InitPage) in an MTR.
func (m *Meta) NewPage() (*buffer.Frame, error) {
	id, err := m.AllocPages(1)
	if err != nil {
		return nil, err
	}
	f, err := m.pool.NewPage(id)
	if err != nil {
		return nil, fmt.Errorf("volmeta: %w", err)
	}
	return f, nil
}

// NextXid returns the first transaction id not yet reserved.
func (m *Meta) NextXid() uint64 { return m.get(offNextXid) }

// ReserveXids reserves n transaction ids and returns the first. The
// reservation is a record; xids of a range are used only after it, so an
// xid's commit record is always above its reservation.
func (m *Meta) ReserveXids(n uint64) (uint64, error) { return m.bump(offNextXid, n) }

// NewOID allocates one object id.
func (m *Meta) NewOID() (uint64, error) { return m.bump(offNextOID, 1) }

// Root returns root slot i (0 if unset or out of range).
func (m *Meta) Root(i int) redo.PageID {
	if i < 0 || i >= NumRoots {
		return 0
	}
	return redo.PageID(m.get(offRoots + 8*i))
}

// SetRoot sets root slot i.
func (m *Meta) SetRoot(i int, id redo.PageID) error {
	if i < 0 || i >= NumRoots {
		return fmt.Errorf("volmeta: root slot %d out of range [0, %d)", i, NumRoots)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f.Lock()
	defer m.f.Unlock()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(id))
	mtr := m.pool.Begin()
	err := mtr.SetSpecial(m.f, offRoots+8*i, b[:])
	if _, e := mtr.End(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("volmeta: set root %d: %w", i, err)
	}
	return nil
}

// ClogChunks returns the commit log's chunk directory: the first page id of
// each chunk, in order.
func (m *Meta) ClogChunks() []redo.PageID {
	m.f.RLock()
	defer m.f.RUnlock()
	pg := m.f.Page()
	n := pg.ItemCount()
	out := make([]redo.PageID, 0, n)
	for i := 0; i < n; i++ {
		it, ok := pg.Item(i)
		if !ok || len(it) != 8 {
			break
		}
		out = append(out, redo.PageID(binary.LittleEndian.Uint64(it)))
	}
	return out
}

// AddClogChunk allocates pages contiguous page ids for a new commit-log chunk
// and appends it to the directory (one MTR for both) and returns its first
// page and its index.
func (m *Meta) AddClogChunk(pages int) (redo.PageID, int, error) {
	if pages <= 0 {
		return 0, 0, fmt.Errorf("volmeta: clog chunk of %d pages", pages)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f.Lock()
	defer m.f.Unlock()
	pg := m.f.Page()
	first := binary.LittleEndian.Uint64(pg.Special()[offNextPage:])
	idx := pg.ItemCount()
	var b, c [8]byte
	binary.LittleEndian.PutUint64(b[:], first+uint64(pages))
	binary.LittleEndian.PutUint64(c[:], first)
	mtr := m.pool.Begin()
	err := mtr.SetSpecial(m.f, offNextPage, b[:])
	if err == nil {
		err = mtr.InsertItem(m.f, idx, c[:])
	}
	if _, e := mtr.End(); err == nil {
		err = e
	}
	if err != nil {
		return 0, 0, fmt.Errorf("volmeta: add clog chunk: %w", err)
	}
	return redo.PageID(first), idx, nil
}
