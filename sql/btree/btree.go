// Package btree is the B-tree access method on redo pages: keys are byte
// strings compared with bytes.Compare (the caller encodes them, e.g. in the
// memcomparable encoding), values are heap TIDs, and entries are unique by
// (key, TID). The root stays on the page the tree was created on: a root
// split moves its items to two new pages. Each split, however far it
// cascades, is one mini-transaction of full page images.
//
// Concurrency: a tree-level RW lock; lookups and scans share it, changes
// take it exclusively, and pages are latched under it. Scans copy a leaf at a
// time and re-descend, so they hold nothing between calls.
//
// Index entries are hints: an entry may point to a version that is dead, or
// (after heap VACUUM reused its slot) to another row. Callers re-check the
// key on the heap version they fetch.
package btree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// ErrKeyTooLong is returned for keys above MaxKey bytes.
var ErrKeyTooLong = errors.New("btree: key too long")

// Tree is an open B-tree. Safe for concurrent use.
type Tree struct {
	pool *buffer.Pool
	meta *volmeta.Meta
	root redo.PageID
	mu   sync.RWMutex
}

// Create makes an empty tree (an empty leaf root) and returns its root page.
func Create(meta *volmeta.Meta) (redo.PageID, error) {
	f, err := meta.NewPage()
	if err != nil {
		return 0, fmt.Errorf("btree: create: %w", err)
	}
	pool := meta.Pool()
	defer pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	m := pool.Begin()
	err = m.InitPage(f, volmeta.PageTypeBTree, specialSize)
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return 0, fmt.Errorf("btree: create: %w", err)
	}
	return f.ID(), nil
}

// Open opens the tree rooted at root.
func Open(meta *volmeta.Meta, root redo.PageID) *Tree {
	return &Tree{pool: meta.Pool(), meta: meta, root: root}
}

// Root returns the tree's root page id.
func (t *Tree) Root() redo.PageID { return t.root }

// step is one level of a descent: the frame (pinned, latched) and the index
// of the child taken (inner pages).
type step struct {
	f     *buffer.Frame
	nd    node
	child int
}

// descendX walks from the root to the leaf covering (key, tid), X-latching
// every page (the caller holds t.mu exclusively). path[0] is the root.
func (t *Tree) descendX(ctx context.Context, key []byte, tid heap.TID) ([]step, error) {
	var path []step
	id := t.root
	for depth := 0; ; depth++ {
		if depth > 64 {
			releaseX(t.pool, path)
			return nil, errors.New("btree: tree deeper than 64 levels (corrupt)")
		}
		f, err := t.pool.Pin(ctx, id)
		if err != nil {
			releaseX(t.pool, path)
			return nil, fmt.Errorf("btree: %w", err)
		}
		f.Lock()
		nd, err := readNode(f.Page())
		if err != nil {
			f.Unlock()
			t.pool.Unpin(f)
			releaseX(t.pool, path)
			return nil, err
		}
		st := step{f: f, nd: nd}
		if nd.leaf() {
			path = append(path, st)
			return path, nil
		}
		ci, err := nd.childIndex(key, tid)
		var e entry
		if err == nil {
			e, err = nd.entry(ci)
		}
		if err != nil {
			f.Unlock()
			t.pool.Unpin(f)
			releaseX(t.pool, path)
			return nil, err
		}
		st.child = ci
		path = append(path, st)
		id = e.child
	}
}

func releaseX(pool *buffer.Pool, path []step) {
	for i := len(path) - 1; i >= 0; i-- {
		path[i].f.Unlock()
		pool.Unpin(path[i].f)
	}
}

// findLeafS returns the leaf covering (key, tid), pinned and S-latched (the
// caller holds t.mu).
func (t *Tree) findLeafS(ctx context.Context, key []byte, tid heap.TID) (*buffer.Frame, node, error) {
	id := t.root
	for depth := 0; ; depth++ {
		if depth > 64 {
			return nil, node{}, errors.New("btree: tree deeper than 64 levels (corrupt)")
		}
		f, err := t.pool.Pin(ctx, id)
		if err != nil {
			return nil, node{}, fmt.Errorf("btree: %w", err)
		}
		f.RLock()
		nd, err := readNode(f.Page())
		if err == nil && nd.leaf() {
			return f, nd, nil
		}
		var e entry
		if err == nil {
			var ci int
			if ci, err = nd.childIndex(key, tid); err == nil {
				e, err = nd.entry(ci)
			}
		}
		f.RUnlock()
		t.pool.Unpin(f)
		if err != nil {
			return nil, node{}, err
		}
		id = e.child
	}
}

// Insert adds the entry (key, tid); adding an entry that exists is a no-op.
// With unique set, every existing entry with the same key is passed to
// unique first, under the tree's lock; if it returns an error, nothing is
// inserted and that error is returned as is (the caller decides whether the
// entry's row version conflicts: a live one is a unique violation, one whose
// creator or deleter is in progress means wait and retry).
func (t *Tree) Insert(ctx context.Context, key []byte, tid heap.TID, unique func(existing heap.TID) error) error {
	if len(key) > MaxKey {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrKeyTooLong, len(key), MaxKey)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if unique != nil {
		dups, err := t.collect(ctx, key)
		if err != nil {
			return err
		}
		for _, d := range dups {
			if d == tid {
				return nil
			}
			if err := unique(d); err != nil {
				return err
			}
		}
	}
	path, err := t.descendX(ctx, key, tid)
	if err != nil {
		return err
	}
	defer releaseX(t.pool, path)
	leaf := &path[len(path)-1]
	pos, err := leaf.nd.lowerBound(key, tid)
	if err != nil {
		return err
	}
	if pos < leaf.nd.n {
		e, err := leaf.nd.entry(pos)
		if err != nil {
			return err
		}
		if cmpEntry(e.key, e.tid, key, tid) == 0 {
			return nil
		}
	}
	item := appendItem(nil, key, tid, false, 0)
	if leaf.f.Page().FreeSpace() >= len(item) {
		m := t.pool.Begin()
		err := m.InsertItem(leaf.f, pos, item)
		if _, e := m.End(); err == nil {
			err = e
		}
		if err != nil {
			return fmt.Errorf("btree: insert: %w", err)
		}
		return nil
	}
	return t.split(path, pos, item)
}

// collect returns the TIDs of every entry with key (t.mu held).
func (t *Tree) collect(ctx context.Context, key []byte) ([]heap.TID, error) {
	var out []heap.TID
	f, nd, err := t.findLeafS(ctx, key, heap.TID{})
	if err != nil {
		return nil, err
	}
	pos, err := nd.lowerBound(key, heap.TID{})
	for err == nil {
		for ; pos < nd.n; pos++ {
			var e entry
			if e, err = nd.entry(pos); err != nil {
				break
			}
			if !bytes.Equal(e.key, key) {
				f.RUnlock()
				t.pool.Unpin(f)
				return out, nil
			}
			out = append(out, e.tid)
		}
		if err != nil || nd.right == 0 {
			break
		}
		next := nd.right
		f.RUnlock()
		t.pool.Unpin(f)
		if f, err = t.pool.Pin(ctx, next); err != nil {
			return nil, fmt.Errorf("btree: %w", err)
		}
		f.RLock()
		nd, err = readNode(f.Page())
		pos = 0
	}
	f.RUnlock()
	t.pool.Unpin(f)
	return out, err
}

// pageItems returns views of a page's items with item inserted at pos.
func pageItems(nd *node, pos int, item []byte) [][]byte {
	items := make([][]byte, 0, nd.n+1)
	for i := 0; i < nd.n; i++ {
		if i == pos {
			items = append(items, item)
		}
		it, _ := nd.pg.Item(i)
		items = append(items, it)
	}
	if pos >= nd.n {
		items = append(items, item)
	}
	return items
}

// splitPoint returns k: items[:k] go left, items[k:] right. Appending at
// the right end of the level leaves the left page 90% full (ascending
// inserts); otherwise the bytes are halved.
func splitPoint(items [][]byte, rightmostAppend bool) int {
	total := 0
	for _, it := range items {
		total += len(it) + redo.ItemIDSize
	}
	target := total / 2
	if rightmostAppend {
		target = min(total, pageCapacity) * 9 / 10
	}
	sum, k := 0, 0
	for k < len(items)-1 {
		s := len(items[k]) + redo.ItemIDSize
		if sum+s > target && k > 0 {
			break
		}
		sum += s
		k++
	}
	if k == 0 {
		k = 1
	}
	return k
}

// pageImage is a page image to log in the split MTR.
type pageImage struct {
	f   *buffer.Frame
	img *redo.Page
}

// split inserts item at pos in the full leaf at the end of path, splitting
// as far up as needed, in one MTR. All path pages are X-latched.
func (t *Tree) split(path []step, pos int, item []byte) error {
	var images []pageImage
	var newFrames []*buffer.Frame
	defer func() {
		for _, f := range newFrames {
			f.Unlock()
			t.pool.Unpin(f)
		}
	}()
	newPage := func() (*buffer.Frame, error) {
		f, err := t.meta.NewPage()
		if err != nil {
			return nil, fmt.Errorf("btree: split: %w", err)
		}
		f.Lock()
		newFrames = append(newFrames, f)
		return f, nil
	}
	var final *step // page that takes the last insertion without splitting
	finalPos := 0
	for lvl := len(path) - 1; ; lvl-- {
		st := &path[lvl]
		if lvl < len(path)-1 && st.f.Page().FreeSpace() >= len(item) {
			final, finalPos = st, pos
			break
		}
		nd := &st.nd
		items := pageItems(nd, pos, item)
		inner := !nd.leaf()
		k := splitPoint(items, nd.right == 0 && pos == nd.n)
		left, right := items[:k], items[k:]
		sep, ok := parseItem(right[0], inner)
		if !ok {
			return fmt.Errorf("btree: split page %d: malformed item", st.f.ID())
		}
		if lvl == 0 { // the root: move both halves to new pages
			a, err := newPage()
			if err != nil {
				return err
			}
			b, err := newPage()
			if err != nil {
				return err
			}
			imgA, err := buildPage(a.ID(), nd.level, b.ID(), left)
			if err != nil {
				return err
			}
			imgB, err := buildPage(b.ID(), nd.level, 0, right)
			if err != nil {
				return err
			}
			first := appendItem(nil, nil, heap.TID{}, true, a.ID())
			second := appendItem(nil, sep.key, sep.tid, true, b.ID())
			imgR, err := buildPage(st.f.ID(), nd.level+1, 0, [][]byte{first, second})
			if err != nil {
				return err
			}
			images = append(images, pageImage{a, imgA}, pageImage{b, imgB}, pageImage{st.f, imgR})
			break
		}
		n, err := newPage()
		if err != nil {
			return err
		}
		imgL, err := buildPage(st.f.ID(), nd.level, n.ID(), left)
		if err != nil {
			return err
		}
		imgN, err := buildPage(n.ID(), nd.level, nd.right, right)
		if err != nil {
			return err
		}
		images = append(images, pageImage{n, imgN}, pageImage{st.f, imgL})
		item = appendItem(nil, sep.key, sep.tid, true, n.ID())
		pos = path[lvl-1].child + 1
	}
	m := t.pool.Begin()
	var err error
	for _, pi := range images {
		if err = m.FullPageImage(pi.f, pi.img); err != nil {
			break
		}
	}
	if err == nil && final != nil {
		err = m.InsertItem(final.f, finalPos, item)
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("btree: split: %w", err)
	}
	return nil
}

// Delete removes the entry (key, tid) and reports whether it existed.
func (t *Tree) Delete(ctx context.Context, key []byte, tid heap.TID) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	path, err := t.descendX(ctx, key, tid)
	if err != nil {
		return false, err
	}
	defer releaseX(t.pool, path)
	leaf := &path[len(path)-1]
	pos, err := leaf.nd.lowerBound(key, tid)
	if err != nil || pos >= leaf.nd.n {
		return false, err
	}
	e, err := leaf.nd.entry(pos)
	if err != nil || cmpEntry(e.key, e.tid, key, tid) != 0 {
		return false, err
	}
	m := t.pool.Begin()
	err = m.DeleteItem(leaf.f, pos)
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return false, fmt.Errorf("btree: delete: %w", err)
	}
	return true, nil
}

// DeleteTIDs removes every entry whose TID dead reports true (VACUUM) and
// returns how many it removed. It walks all leaves.
func (t *Tree) DeleteTIDs(ctx context.Context, dead func(heap.TID) bool) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, nd, err := t.findLeafS(ctx, nil, heap.TID{})
	if err != nil {
		return 0, err
	}
	f.RUnlock()
	removed := 0
	for {
		f.Lock()
		var m *buffer.MTR
		for i := nd.n - 1; i >= 0 && err == nil; i-- {
			var e entry
			if e, err = nd.entry(i); err == nil && dead(e.tid) {
				if m == nil {
					m = t.pool.Begin()
				}
				if err = m.DeleteItem(f, i); err == nil {
					removed++
				}
			}
		}
		if m != nil {
			if _, e := m.End(); err == nil {
				err = e
			}
		}
		next := nd.right
		f.Unlock()
		t.pool.Unpin(f)
		if err != nil || next == 0 {
			return removed, err
		}
		if err = ctx.Err(); err != nil {
			return removed, err
		}
		if f, err = t.pool.Pin(ctx, next); err != nil {
			return removed, fmt.Errorf("btree: %w", err)
		}
		f.RLock()
		nd, err = readNode(f.Page())
		f.RUnlock()
		if err != nil {
			t.pool.Unpin(f)
			return removed, err
		}
	}
}

// Lookup returns the TIDs of the entries with key, in TID order.
func (t *Tree) Lookup(ctx context.Context, key []byte) ([]heap.TID, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.collect(ctx, key)
}

// Stats describes a tree's shape.
type Stats struct {
	Levels, Leaves, Inner, Entries int
}

// Check verifies the tree's invariants (order within and across pages,
// separators bounding their subtrees, levels, the leaf chain) and returns
// its shape.
func (t *Tree) Check(ctx context.Context) (Stats, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var st Stats
	var leaves []redo.PageID
	var walk func(id redo.PageID, level int, lo, hi *entry) error
	walk = func(id redo.PageID, level int, lo, hi *entry) error {
		f, err := t.pool.Pin(ctx, id)
		if err != nil {
			return err
		}
		defer t.pool.Unpin(f)
		f.RLock()
		defer f.RUnlock()
		nd, err := readNode(f.Page())
		if err != nil {
			return err
		}
		if level >= 0 && nd.level != level {
			return fmt.Errorf("btree: page %d at level %d, expected %d", id, nd.level, level)
		}
		if id == t.root {
			st.Levels = nd.level + 1
		}
		var prev *entry
		var kids []redo.PageID
		var bounds []entry
		for i := 0; i < nd.n; i++ {
			e, err := nd.entry(i)
			if err != nil {
				return err
			}
			if nd.leaf() || i > 0 {
				if prev != nil && cmpEntry(prev.key, prev.tid, e.key, e.tid) >= 0 {
					return fmt.Errorf("btree: page %d item %d out of order", id, i)
				}
				if lo != nil && cmpEntry(e.key, e.tid, lo.key, lo.tid) < 0 {
					return fmt.Errorf("btree: page %d item %d below its separator", id, i)
				}
				if hi != nil && cmpEntry(e.key, e.tid, hi.key, hi.tid) >= 0 {
					return fmt.Errorf("btree: page %d item %d not below the next separator", id, i)
				}
				ec := e
				prev = &ec
			}
			if !nd.leaf() {
				kids = append(kids, e.child)
				bounds = append(bounds, e)
			}
		}
		if nd.leaf() {
			st.Leaves++
			st.Entries += nd.n
			leaves = append(leaves, id)
			return nil
		}
		st.Inner++
		if nd.n == 0 {
			return fmt.Errorf("btree: inner page %d empty", id)
		}
		for i, c := range kids {
			l := lo
			if i > 0 {
				l = &bounds[i]
			}
			h := hi
			if i+1 < len(kids) {
				h = &bounds[i+1]
			}
			if err := walk(c, nd.level-1, l, h); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(t.root, -1, nil, nil); err != nil {
		return st, err
	}
	// The leaf chain visits the leaves in key order.
	for i, id := range leaves {
		f, err := t.pool.Pin(ctx, id)
		if err != nil {
			return st, err
		}
		f.RLock()
		nd, err := readNode(f.Page())
		f.RUnlock()
		t.pool.Unpin(f)
		if err != nil {
			return st, err
		}
		want := redo.PageID(0)
		if i+1 < len(leaves) {
			want = leaves[i+1]
		}
		if nd.right != want {
			return st, fmt.Errorf("btree: leaf %d links to %d, expected %d", id, nd.right, want)
		}
	}
	return st, nil
}
