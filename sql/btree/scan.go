package btree

import (
	"bytes"
	"context"

	"github.com/borealis-db/borealis/sql/heap"
)

// Range bounds a scan. A nil Lo or Hi is unbounded on that side.
type Range struct {
	Lo, Hi                   []byte
	LoExclusive, HiExclusive bool
}

// Iterator walks entries in ascending (key, TID) order within a Range. It
// copies one leaf's worth of entries at a time under the tree's shared lock
// and re-descends from the last entry returned for the next batch, so
// concurrent splits never make it skip or repeat an entry.
type Iterator struct {
	t   *Tree
	ctx context.Context
	r   Range

	started bool
	lastKey []byte
	lastTID heap.TID
	done    bool

	keys [][]byte
	tids []heap.TID
	buf  []byte
	i    int
	err  error
}

// Scan returns an iterator over the entries in r.
func (t *Tree) Scan(ctx context.Context, r Range) *Iterator {
	return &Iterator{t: t, ctx: ctx, r: r, i: -1}
}

// Next advances; false at the end or on error.
func (it *Iterator) Next() bool {
	for {
		if it.i+1 < len(it.tids) {
			it.i++
			return true
		}
		if it.done || it.err != nil {
			return false
		}
		if err := it.load(); err != nil {
			it.err = err
			return false
		}
	}
}

// after reports whether (key, tid) is past the iterator's position.
func (it *Iterator) after(key []byte, tid heap.TID) bool {
	if it.started {
		return cmpEntry(key, tid, it.lastKey, it.lastTID) > 0
	}
	if it.r.Lo == nil {
		return true
	}
	c := bytes.Compare(key, it.r.Lo)
	return c > 0 || (c == 0 && !it.r.LoExclusive)
}

func (it *Iterator) beyond(key []byte) bool {
	if it.r.Hi == nil {
		return false
	}
	c := bytes.Compare(key, it.r.Hi)
	return c > 0 || (c == 0 && it.r.HiExclusive)
}

// load fetches the next batch: the entries after the position on the first
// leaf that has any.
func (it *Iterator) load() error {
	if err := it.ctx.Err(); err != nil {
		return err
	}
	t := it.t
	t.mu.RLock()
	defer t.mu.RUnlock()
	key, tid := it.r.Lo, heap.TID{}
	if it.started {
		key, tid = it.lastKey, it.lastTID
	}
	f, nd, err := t.findLeafS(it.ctx, key, tid)
	if err != nil {
		return err
	}
	it.keys, it.tids, it.buf, it.i = it.keys[:0], it.tids[:0], it.buf[:0], -1
	var next = nd.right
	for {
		pos, err := nd.lowerBound(key, tid)
		for ; err == nil && pos < nd.n; pos++ {
			var e entry
			if e, err = nd.entry(pos); err != nil {
				break
			}
			if !it.after(e.key, e.tid) {
				continue
			}
			if it.beyond(e.key) {
				it.done = true
				break
			}
			off := len(it.buf)
			it.buf = append(it.buf, e.key...)
			it.keys = append(it.keys, it.buf[off:len(it.buf):len(it.buf)])
			it.tids = append(it.tids, e.tid)
		}
		next = nd.right
		f.RUnlock()
		t.pool.Unpin(f)
		if err != nil {
			return err
		}
		if len(it.tids) > 0 || it.done || next == 0 {
			break
		}
		if f, err = t.pool.Pin(it.ctx, next); err != nil {
			return err
		}
		f.RLock()
		if nd, err = readNode(f.Page()); err != nil {
			f.RUnlock()
			t.pool.Unpin(f)
			return err
		}
	}
	if len(it.tids) == 0 {
		it.done = true
		return nil
	}
	// The key views alias it.buf, which grows: re-slice after appends are
	// done (append may have moved it).
	off := 0
	for i := range it.keys {
		n := len(it.keys[i])
		it.keys[i] = it.buf[off : off+n : off+n]
		off += n
	}
	last := len(it.tids) - 1
	it.lastKey = append(it.lastKey[:0], it.keys[last]...)
	it.lastTID = it.tids[last]
	it.started = true
	if next == 0 && !it.done {
		// Last leaf exhausted: nothing after it.
		it.done = true
	}
	return nil
}

// Key returns the current entry's key (valid until the next batch).
func (it *Iterator) Key() []byte { return it.keys[it.i] }

// TID returns the current entry's TID.
func (it *Iterator) TID() heap.TID { return it.tids[it.i] }

// Err returns the error that ended the iteration, if any.
func (it *Iterator) Err() error { return it.err }
