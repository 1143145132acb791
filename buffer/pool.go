package buffer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/borealis-db/borealis/redo"
)

// DefaultSize is the default pool size in bytes (256 MiB).
const DefaultSize = 256 << 20

// ErrBroken is wrapped by every call on a pool whose pages and log may have
// diverged (an MTR's End failed); the writer must stop and recover.
var ErrBroken = errors.New("buffer pool broken")

// Frame is one cached page. Read or change the page only while pinned and
// latched: RLock for reading, Lock for changing (through an MTR).
type Frame struct {
	page  redo.Page
	id    redo.PageID
	latch sync.RWMutex
	pins  atomic.Int32
	ref   atomic.Bool
	// loading is non-nil while the page is being read; it is closed when the
	// read finished, with loadErr set on failure. Guarded by Pool.mu.
	loading chan struct{}
	loadErr error
	slot    int // index in Pool.frames
}

// ID returns the id of the page in the frame.
func (f *Frame) ID() redo.PageID { return f.id }

// Page returns the frame's page. The caller must hold a pin and a latch.
func (f *Frame) Page() *redo.Page { return &f.page }

// Lock takes the frame's latch exclusively (to change the page).
func (f *Frame) Lock() { f.latch.Lock() }

// Unlock releases the exclusive latch.
func (f *Frame) Unlock() { f.latch.Unlock() }

// RLock takes the frame's latch shared (to read the page).
func (f *Frame) RLock() { f.latch.RLock() }

// RUnlock releases the shared latch.
func (f *Frame) RUnlock() { f.latch.RUnlock() }

// Stats are the pool's counters.
type Stats struct {
	Frames    int    // frames in use
	Capacity  int    // frames the configured size allows
	Hits      uint64 // pins served from memory
	Misses    uint64 // pins that read the log
	Evictions uint64 // frames reused for another page
	Overflows uint64 // frames added above capacity because nothing was evictable
}

// Pool is the page cache. It is safe for concurrent use.
type Pool struct {
	log      Log
	capacity int

	mu     sync.Mutex
	table  map[redo.PageID]*Frame
	frames []*Frame
	hand   int
	broken error

	hits, misses, evictions, overflows atomic.Uint64

	mtrs sync.Pool
}

// New returns a pool of size bytes (DefaultSize if size <= 0; at least 16
// frames) over log.
func New(log Log, size int64) *Pool {
	if size <= 0 {
		size = DefaultSize
	}
	n := int(size / redo.PageSize)
	if n < 16 {
		n = 16
	}
	p := &Pool{log: log, capacity: n, table: make(map[redo.PageID]*Frame, min(n, 4096))}
	p.mtrs.New = func() any { return &MTR{pool: p, buf: make([]byte, 0, 256)} }
	return p
}

// Log returns the pool's log.
func (p *Pool) Log() Log { return p.log }

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	n := len(p.frames)
	p.mu.Unlock()
	return Stats{Frames: n, Capacity: p.capacity, Hits: p.hits.Load(), Misses: p.misses.Load(),
		Evictions: p.evictions.Load(), Overflows: p.overflows.Load()}
}

// Err returns the error that broke the pool, or nil.
func (p *Pool) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.broken
}

func (p *Pool) breakWith(err error) {
	p.mu.Lock()
	if p.broken == nil {
		p.broken = fmt.Errorf("%w: %w", ErrBroken, err)
	}
	p.mu.Unlock()
}

// Pin returns page id's frame, pinned: it stays in memory until Unpin. A miss
// reads the page from the log at its VDL.
func (p *Pool) Pin(ctx context.Context, id redo.PageID) (*Frame, error) {
	p.mu.Lock()
	if p.broken != nil {
		err := p.broken
		p.mu.Unlock()
		return nil, err
	}
	if f, ok := p.table[id]; ok {
		f.pins.Add(1)
		ch := f.loading
		p.mu.Unlock()
		f.ref.Store(true)
		if ch == nil {
			p.hits.Add(1)
			return f, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			p.Unpin(f)
			return nil, fmt.Errorf("buffer: pin page %d: %w", id, ctx.Err())
		}
		p.mu.Lock()
		err := f.loadErr
		p.mu.Unlock()
		if err != nil {
			f.pins.Add(-1)
			return nil, err
		}
		p.hits.Add(1)
		return f, nil
	}
	f := p.victimLocked()
	f.id = id
	f.pins.Store(1)
	f.loadErr = nil
	ch := make(chan struct{})
	f.loading = ch
	p.table[id] = f
	p.mu.Unlock()
	p.misses.Add(1)

	pg, err := p.log.ReadPage(ctx, id, p.log.VDL())
	if err == nil && pg == nil {
		err = errors.New("log returned no page")
	}
	if err == nil && !pg.IsZero() && pg.ID() != id {
		err = fmt.Errorf("log returned page %d", pg.ID())
	}
	if err != nil {
		err = fmt.Errorf("buffer: read page %d: %w", id, err)
	} else {
		f.page = *pg
	}
	p.mu.Lock()
	f.loading = nil
	if err != nil {
		f.loadErr = err
		delete(p.table, id)
		f.pins.Add(-1)
		// The frame is free again; its id no longer maps to it.
		f.id = ^redo.PageID(0)
	}
	p.mu.Unlock()
	close(ch)
	if err != nil {
		return nil, err
	}
	f.ref.Store(true)
	return f, nil
}

// NewPage returns a pinned frame for page id, which the caller has just
// allocated and which was never written: an all-zero page, not read from the
// log. It is an error if the page is cached.
func (p *Pool) NewPage(id redo.PageID) (*Frame, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.broken != nil {
		return nil, p.broken
	}
	if _, ok := p.table[id]; ok {
		return nil, fmt.Errorf("buffer: new page %d: already cached", id)
	}
	f := p.victimLocked()
	f.id = id
	f.page = redo.Page{}
	f.pins.Store(1)
	f.loading = nil
	f.loadErr = nil
	f.ref.Store(true)
	p.table[id] = f
	return f, nil
}

// Unpin releases a pin taken by Pin or NewPage.
func (p *Pool) Unpin(f *Frame) {
	if f.pins.Add(-1) < 0 {
		panic("buffer: unpin of an unpinned frame")
	}
}

// victimLocked returns a frame to reuse: a new one while below capacity,
// else one chosen by the clock among unpinned, loaded frames whose page LSN
// is at or below VDL; when none qualifies the pool grows (Overflows counts
// it) rather than block. p.mu is held.
func (p *Pool) victimLocked() *Frame {
	if len(p.frames) < p.capacity {
		return p.addFrameLocked()
	}
	vdl := p.log.VDL()
	n := len(p.frames)
	for i := 0; i < 2*n; i++ {
		f := p.frames[p.hand]
		p.hand++
		if p.hand == n {
			p.hand = 0
		}
		if f.pins.Load() != 0 || f.loading != nil {
			continue
		}
		if f.ref.Swap(false) {
			continue
		}
		// Unpinned, so no latch holder: the page is stable.
		if f.page.LSN() > vdl {
			continue
		}
		if cur, ok := p.table[f.id]; ok && cur == f {
			delete(p.table, f.id)
		}
		p.evictions.Add(1)
		return f
	}
	p.overflows.Add(1)
	return p.addFrameLocked()
}

func (p *Pool) addFrameLocked() *Frame {
	f := &Frame{slot: len(p.frames), id: ^redo.PageID(0)}
	p.frames = append(p.frames, f)
	return f
}

// Cached calls fn for every cached page with its frame pinned and
// read-latched, in no particular order (tests and tools: comparing pages).
func (p *Pool) Cached(fn func(id redo.PageID, pg *redo.Page) error) error {
	p.mu.Lock()
	fs := make([]*Frame, 0, len(p.table))
	for _, f := range p.table {
		if f.loading == nil {
			f.pins.Add(1)
			fs = append(fs, f)
		}
	}
	p.mu.Unlock()
	var err error
	for _, f := range fs {
		if err == nil {
			f.RLock()
			err = fn(f.id, &f.page)
			f.RUnlock()
		}
		p.Unpin(f)
	}
	return err
}
