package btree

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// Page layout: type volmeta.PageTypeBTree, special space 16 bytes:
//
//	0 u16 level (0: leaf)
//	2 u16 reserved
//	4 u32 reserved
//	8 u64 right sibling (0: none)
//
// Items, sorted by (key, TID):
//
//	leaf:  u16 key length | key | u64 TID page | u16 TID slot
//	inner: u16 key length | key | u64 TID page | u16 TID slot | u64 child
//
// In an inner page, child i holds the entries from item i's (key, TID)
// (item 0: minus infinity) up to item i+1's.
const (
	specialSize = 16
	offLevel    = 0
	offRight    = 8
	leafExtra   = 2 + 10
	innerExtra  = leafExtra + 8
	// MaxKey is the largest key the tree accepts: at least four items fit
	// on a page.
	pageCapacity = redo.PageSize - redo.PageHeaderSize - specialSize
	MaxKey       = (redo.PageSize-redo.PageHeaderSize-specialSize)/4 - redo.ItemIDSize - innerExtra
)

type entry struct {
	key   []byte
	tid   heap.TID
	child redo.PageID
}

func parseItem(it []byte, inner bool) (entry, bool) {
	if len(it) < 2 {
		return entry{}, false
	}
	kl := int(binary.LittleEndian.Uint16(it))
	want := kl + leafExtra
	if inner {
		want = kl + innerExtra
	}
	if len(it) != want {
		return entry{}, false
	}
	e := entry{key: it[2 : 2+kl : 2+kl]}
	e.tid.Page = redo.PageID(binary.LittleEndian.Uint64(it[2+kl:]))
	e.tid.Slot = binary.LittleEndian.Uint16(it[10+kl:])
	if inner {
		e.child = redo.PageID(binary.LittleEndian.Uint64(it[12+kl:]))
	}
	return e, true
}

func appendItem(dst []byte, key []byte, tid heap.TID, inner bool, child redo.PageID) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(key)))
	dst = append(dst, key...)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(tid.Page))
	dst = binary.LittleEndian.AppendUint16(dst, tid.Slot)
	if inner {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(child))
	}
	return dst
}

func cmpTID(a, b heap.TID) int {
	switch {
	case a.Page < b.Page:
		return -1
	case a.Page > b.Page:
		return 1
	case a.Slot < b.Slot:
		return -1
	case a.Slot > b.Slot:
		return 1
	}
	return 0
}

func cmpEntry(ak []byte, at heap.TID, bk []byte, bt heap.TID) int {
	if c := bytes.Compare(ak, bk); c != 0 {
		return c
	}
	return cmpTID(at, bt)
}

// node is a parsed view of a B-tree page.
type node struct {
	pg    *redo.Page
	level int
	right redo.PageID
	n     int
}

func readNode(pg *redo.Page) (node, error) {
	sp := pg.Special()
	if pg.Type() != volmeta.PageTypeBTree || len(sp) != specialSize {
		return node{}, fmt.Errorf("btree: page %d is not a b-tree page (type %d)", pg.ID(), pg.Type())
	}
	return node{pg: pg, level: int(binary.LittleEndian.Uint16(sp[offLevel:])),
		right: redo.PageID(binary.LittleEndian.Uint64(sp[offRight:])), n: pg.ItemCount()}, nil
}

func (n *node) leaf() bool { return n.level == 0 }

func (n *node) entry(i int) (entry, error) {
	it, ok := n.pg.Item(i)
	if !ok {
		return entry{}, fmt.Errorf("btree: page %d item %d missing", n.pg.ID(), i)
	}
	e, ok := parseItem(it, !n.leaf())
	if !ok {
		return entry{}, fmt.Errorf("btree: page %d item %d malformed", n.pg.ID(), i)
	}
	return e, nil
}

// lowerBound returns the first index whose entry is >= (key, tid) (leaf
// pages).
func (n *node) lowerBound(key []byte, tid heap.TID) (int, error) {
	lo, hi := 0, n.n
	for lo < hi {
		mid := (lo + hi) / 2
		e, err := n.entry(mid)
		if err != nil {
			return 0, err
		}
		if cmpEntry(e.key, e.tid, key, tid) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// childIndex returns the index of the child covering (key, tid) (inner
// pages): the last item <= (key, tid), item 0 counting as minus infinity.
func (n *node) childIndex(key []byte, tid heap.TID) (int, error) {
	if n.n == 0 {
		return 0, fmt.Errorf("btree: inner page %d is empty", n.pg.ID())
	}
	lo, hi := 1, n.n // find first index >= 1 with item > (key, tid)
	for lo < hi {
		mid := (lo + hi) / 2
		e, err := n.entry(mid)
		if err != nil {
			return 0, err
		}
		if cmpEntry(e.key, e.tid, key, tid) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1, nil
}

// buildPage returns a page image with the given header and items.
func buildPage(id redo.PageID, level int, right redo.PageID, items [][]byte) (*redo.Page, error) {
	pg := new(redo.Page)
	var sp [specialSize]byte
	binary.LittleEndian.PutUint16(sp[offLevel:], uint16(level))
	binary.LittleEndian.PutUint64(sp[offRight:], uint64(right))
	lsn := redo.LSN(1)
	r := redo.InitPage(id, volmeta.PageTypeBTree, specialSize)
	r.LSN = lsn
	if err := redo.Apply(pg, &r); err != nil {
		return nil, err
	}
	lsn++
	r = redo.SetSpecial(id, 0, sp[:])
	r.LSN = lsn
	if err := redo.Apply(pg, &r); err != nil {
		return nil, err
	}
	for i, it := range items {
		lsn++
		r = redo.InsertItem(id, i, it)
		r.LSN = lsn
		if err := redo.Apply(pg, &r); err != nil {
			return nil, fmt.Errorf("btree: build page %d: %w", id, err)
		}
	}
	return pg, nil
}
