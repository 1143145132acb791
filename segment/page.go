package segment

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// errRebuild is wrapped when a page cannot be rebuilt from what is stored.
var errRebuild = errors.New("cannot rebuild page")

// readView is what a read needs of a group, taken under mu so that the
// layer files can be read without it (under layerMu, which keeps them open).
type readView struct {
	layers []*layer
	mem    []memRec
	truncs []storagerpc.Range
}

func (v *readView) truncated(lsn redo.LSN) bool {
	for _, r := range v.truncs {
		if r.Contains(lsn) {
			return true
		}
	}
	return false
}

// view snapshots the group for a read of page up to lsn (mu held).
func (g *group) view(page redo.PageID, lsn redo.LSN) *readView {
	return &readView{layers: slices.Clone(g.layers), mem: slices.Clone(g.memRecords(page, lsn)), truncs: slices.Clone(g.truncs)}
}

// materialize rebuilds page as of lsn from a view of the group's layers and
// memtable: the newest image at or below lsn, then every delta above it up
// to lsn, in LSN order, through redo.Apply. The caller has checked lsn
// against SCL and the GC horizon. A never-written page is all zero.
func (n *Node) materialize(g *readView, page redo.PageID, lsn redo.LSN) (*redo.Page, error) {
	var img *entry
	var deltas []redo.Record
	for i := len(g.layers) - 1; i >= 0; i-- {
		ents, err := g.layers[i].pageEntries(page, lsn, n.z)
		if err != nil {
			return nil, err
		}
		for j := range ents {
			e := &ents[j]
			switch e.typ {
			case entryImage:
				if img == nil || e.lsn > img.lsn {
					img = e
				}
			case entryDelta:
				if g.truncated(e.lsn) {
					continue
				}
				r, _, err := redo.Decode(e.data)
				if err != nil {
					return nil, fmt.Errorf("%w %d: layer %s: %v", errRebuild, page, g.layers[i].path, err)
				}
				deltas = append(deltas, r)
			}
		}
	}
	for _, m := range g.mem {
		if m.rec.LSN <= lsn && !g.truncated(m.rec.LSN) {
			deltas = append(deltas, m.rec)
		}
	}
	return buildPage(page, img, deltas)
}

// buildPage applies deltas (any order, duplicates allowed) above img.
func buildPage(page redo.PageID, img *entry, deltas []redo.Record) (*redo.Page, error) {
	p := new(redo.Page)
	var base redo.LSN
	if img != nil {
		copy(p[:], img.data)
		base = img.lsn
		if err := p.Verify(); err != nil {
			return nil, fmt.Errorf("%w %d: stored image at LSN %d: %v", errRebuild, page, img.lsn, err)
		}
	}
	sort.Slice(deltas, func(i, j int) bool { return deltas[i].LSN < deltas[j].LSN })
	var last redo.LSN
	for i := range deltas {
		r := &deltas[i]
		if r.LSN <= base || r.LSN == last {
			continue
		}
		last = r.LSN
		if err := redo.Apply(p, r); err != nil {
			if errors.Is(err, redo.ErrAlreadyApplied) {
				continue
			}
			return nil, fmt.Errorf("%w %d: record %d: %v", errRebuild, page, r.LSN, err)
		}
	}
	p.Seal()
	return p, nil
}
