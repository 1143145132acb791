package btree

import (
	"context"
	"errors"
	"fmt"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
)

// Bulk build fill targets, as in PostgreSQL (BTREE_DEFAULT_FILLFACTOR 90,
// BTREE_NONLEAF_FILLFACTOR 70): room for later inserts without an
// immediate split. With MaxKey, at least two items fit under either.
const (
	leafFill  = pageCapacity * 90 / 100
	innerFill = pageCapacity * 70 / 100
	// buildBatch is how many page images one build MTR logs (and so how
	// many new pages the build holds pinned and latched at once, plus one
	// per level).
	buildBatch = 16
	// maxAllocChunk caps the page ids reserved by one allocator record.
	maxAllocChunk = 64
)

// ErrNotEmpty is returned by Build for a tree that already has entries.
var ErrNotEmpty = errors.New("btree: build: tree is not empty")

// ErrUnsorted is returned by Build when the entries are not strictly
// ascending by (key, TID).
var ErrUnsorted = errors.New("btree: build: entries not strictly ascending by (key, TID)")

// Build fills the empty tree bottom-up from entries: next returns them one
// at a time in strictly ascending (key, TID) order (ok false at the end;
// the key may be reused by next after the call returns). Leaves are filled
// to 90%, inner pages to 70%, every page is logged as one full page image,
// at most 16 pages per mini-transaction, and the root is written last, on
// its own page: until then the tree is empty (a crash leaves it empty,
// leaking the new pages). The result is a tree like one built by Insert:
// later lookups, scans, inserts, splits and deletes work on it.
func (t *Tree) Build(ctx context.Context, next func() (key []byte, tid heap.TID, ok bool, err error)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkEmpty(ctx); err != nil {
		return err
	}
	b := &builder{t: t, ctx: ctx, chunk: 1}
	defer b.release()
	levels := []*levelWriter{{b: b, level: 0, target: leafFill}}
	var prevKey []byte
	var prevTID heap.TID
	n := 0
	for {
		key, tid, ok, err := next()
		if err != nil {
			return fmt.Errorf("btree: build: %w", err)
		}
		if !ok {
			break
		}
		if len(key) > MaxKey {
			return fmt.Errorf("%w: %d bytes, at most %d", ErrKeyTooLong, len(key), MaxKey)
		}
		if n > 0 && cmpEntry(prevKey, prevTID, key, tid) >= 0 {
			return fmt.Errorf("%w: entry %d", ErrUnsorted, n)
		}
		item := appendItem(nil, key, tid, false, 0)
		if err := levels[0].add(item, item[2:2+len(key)], tid); err != nil {
			return err
		}
		prevKey, prevTID = append(prevKey[:0], key...), tid
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("btree: build: %w", err)
			}
		}
	}
	if n == 0 {
		return nil
	}
	// Close each level; the first one that fits on a single page is the root.
	for lvl := 0; ; lvl++ {
		w := levels[lvl]
		single, err := w.finish()
		if err != nil {
			return err
		}
		if single {
			root, err := t.pool.Pin(ctx, t.root)
			if err != nil {
				return fmt.Errorf("btree: build: %w", err)
			}
			root.Lock()
			b.locked = append(b.locked, root)
			img, err := buildPage(t.root, w.level, 0, w.items)
			if err != nil {
				return err
			}
			b.pending = append(b.pending, pageImage{root, img})
			return b.flush()
		}
		// The parent level: one item per page of this level.
		up := &levelWriter{b: b, level: lvl + 1, target: innerFill}
		levels = append(levels, up)
		for i, s := range w.seps {
			key, tid := s.key, s.tid
			if i == 0 {
				key, tid = nil, heap.TID{} // minus infinity, as after a root split
			}
			item := appendItem(nil, key, tid, true, s.page)
			if err := up.add(item, key, tid); err != nil {
				return err
			}
		}
		w.seps = nil
	}
}

// checkEmpty returns ErrNotEmpty unless the root is an empty leaf (t.mu
// held).
func (t *Tree) checkEmpty(ctx context.Context) error {
	f, err := t.pool.Pin(ctx, t.root)
	if err != nil {
		return fmt.Errorf("btree: build: %w", err)
	}
	defer t.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	nd, err := readNode(f.Page())
	if err != nil {
		return err
	}
	if !nd.leaf() || nd.n != 0 {
		return ErrNotEmpty
	}
	return nil
}

// builder holds a build's page allocator and the page images waiting for
// their MTR.
type builder struct {
	t       *Tree
	ctx     context.Context
	ids     []redo.PageID
	chunk   int
	pending []pageImage
	// locked are the frames pinned and X-latched by the build (pending
	// pages and each level's current page).
	locked []*buffer.Frame
}

// alloc returns a new page's frame, pinned and X-latched. Page ids are
// reserved in growing chunks (one allocator record each); a failed build
// leaks the rest of a chunk, harmlessly.
func (b *builder) alloc() (*buffer.Frame, error) {
	if len(b.ids) == 0 {
		first, err := b.t.meta.AllocPages(b.chunk)
		if err != nil {
			return nil, fmt.Errorf("btree: build: %w", err)
		}
		for i := 0; i < b.chunk; i++ {
			b.ids = append(b.ids, first+redo.PageID(i))
		}
		b.chunk = min(2*b.chunk, maxAllocChunk)
	}
	id := b.ids[0]
	b.ids = b.ids[1:]
	f, err := b.t.pool.NewPage(id)
	if err != nil {
		return nil, fmt.Errorf("btree: build: %w", err)
	}
	f.Lock()
	b.locked = append(b.locked, f)
	return f, nil
}

// write queues a page image, logging the queue when it is full.
func (b *builder) write(f *buffer.Frame, img *redo.Page) error {
	b.pending = append(b.pending, pageImage{f, img})
	if len(b.pending) >= buildBatch {
		return b.flush()
	}
	return nil
}

// flush logs the pending images in one MTR and releases their frames.
func (b *builder) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	m := b.t.pool.Begin()
	var err error
	for _, pi := range b.pending {
		if err = m.FullPageImage(pi.f, pi.img); err != nil {
			break
		}
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("btree: build: %w", err)
	}
	for _, pi := range b.pending {
		b.unlock(pi.f)
	}
	b.pending = b.pending[:0]
	return b.ctx.Err()
}

// unlock releases one frame the build holds.
func (b *builder) unlock(f *buffer.Frame) {
	for i, g := range b.locked {
		if g == f {
			b.locked[i] = b.locked[len(b.locked)-1]
			b.locked = b.locked[:len(b.locked)-1]
			f.Unlock()
			b.t.pool.Unpin(f)
			return
		}
	}
}

// release drops every frame still held (after an error, or none).
func (b *builder) release() {
	for _, f := range b.locked {
		f.Unlock()
		b.t.pool.Unpin(f)
	}
	b.locked = nil
}

// sep is a finished page's lowest entry: its separator in the parent.
type sep struct {
	key  []byte
	tid  heap.TID
	page redo.PageID
}

// levelWriter fills the pages of one level left to right. The first page
// gets no id until a second one is needed, so a level that fits on one
// page ends up with its items in hand for the root.
type levelWriter struct {
	b      *builder
	level  int
	target int
	items  [][]byte
	used   int
	first  sep
	frame  *buffer.Frame // current page, nil while it is the first
	seps   []sep
}

// add appends item, whose (key, tid) is given, to the level.
func (w *levelWriter) add(item, key []byte, tid heap.TID) error {
	size := len(item) + redo.ItemIDSize
	if len(w.items) > 0 && w.used+size > w.target {
		next, err := w.b.alloc()
		if err != nil {
			return err
		}
		if err := w.writePage(next.ID()); err != nil {
			return err
		}
		w.frame = next
	}
	if len(w.items) == 0 {
		w.first = sep{key: append([]byte(nil), key...), tid: tid}
	}
	w.items = append(w.items, item)
	w.used += size
	return nil
}

// writePage queues the current page with right sibling right.
func (w *levelWriter) writePage(right redo.PageID) error {
	if w.frame == nil {
		f, err := w.b.alloc()
		if err != nil {
			return err
		}
		w.frame = f
	}
	img, err := buildPage(w.frame.ID(), w.level, right, w.items)
	if err != nil {
		return err
	}
	w.first.page = w.frame.ID()
	w.seps = append(w.seps, w.first)
	w.items, w.used = nil, 0
	return w.b.write(w.frame, img)
}

// finish writes the level's last page, or reports that the whole level is
// one page whose items are still in w.items.
func (w *levelWriter) finish() (single bool, err error) {
	if w.frame == nil {
		return true, nil
	}
	return false, w.writePage(0)
}
