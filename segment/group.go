package segment

import (
	"slices"
	"sort"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// memRec is one record in the memtable.
type memRec struct {
	rec redo.Record // Payload aliases raw
	raw []byte      // the record's encoding
	seq uint64      // the hot-log file that holds it
	// commit is the group commit (Node.commits) that stored it: a flush
	// drops from the memtable only records of commits it has seen.
	commit uint64
}

// group is a replica of one protection group. It is read under Node.mu
// (read lock) and changed only by the committer goroutine (write lock) or
// during start-up.
type group struct {
	pg     uint32
	epoch  uint64
	peers  []string
	truncs []storagerpc.Range
	vdl    redo.LSN // highest VDL the writer reported
	mrp    redo.LSN // highest min read point the writer reported
	// horizon is the GC horizon, a point of the group's PrevGroup chain:
	// history at or below it is collapsed into images, reads below it are
	// refused.
	horizon redo.LSN
	// base is a point of the group's PrevGroup chain at or above horizon
	// and at or below both SCL and the reported VDL: every record of the
	// group at or below it is held, so held and next only index the
	// records above it. prune moves it up, which bounds the index by what
	// is not yet durable rather than by everything ever written. It is in
	// memory only (start-up begins at horizon). A truncation never reaches
	// below it: recovery cuts above its VDL, which is at or above every VDL
	// a writer ever reported.
	base redo.LSN

	held map[redo.LSN]redo.LSN // LSN -> PrevGroup of every record held above base
	next map[redo.LSN]redo.LSN // PrevGroup -> LSN, for PrevGroup >= base

	scl, highest       redo.LSN // current (may include a batch not yet fsynced)
	durSCL, durHighest redo.LSN // as of the last fsync: what reads and Status use

	mem        map[redo.PageID][]memRec // sorted by LSN per page
	memBytes   int
	flushedVDL redo.LSN // VDL of the last flush (in memory only)
	layers     []*layer // oldest first
}

func newGroup(pg uint32) *group {
	return &group{pg: pg, held: map[redo.LSN]redo.LSN{}, next: map[redo.LSN]redo.LSN{}, mem: map[redo.PageID][]memRec{}}
}

// truncated reports whether lsn lies inside one of the group's truncation ranges.
func (g *group) truncated(lsn redo.LSN) bool {
	for _, r := range g.truncs {
		if r.Contains(lsn) {
			return true
		}
	}
	return false
}

// has reports whether the record lsn is already held.
func (g *group) has(lsn redo.LSN) bool {
	if lsn <= g.base {
		return true
	}
	_, ok := g.held[lsn]
	return ok
}

// accepts reports whether a record should be stored: not held, not truncated.
func (g *group) accepts(lsn redo.LSN) bool { return !g.has(lsn) && !g.truncated(lsn) }

// addHeld records that lsn (with its PrevGroup back-link) is held and
// advances SCL and Highest.
func (g *group) addHeld(lsn, prev redo.LSN) {
	g.held[lsn] = prev
	if _, ok := g.next[prev]; !ok {
		g.next[prev] = lsn
	}
	if lsn > g.highest {
		g.highest = lsn
	}
	g.advance()
}

// advance moves SCL along the PrevGroup chain while the next record is held.
func (g *group) advance() {
	for {
		n, ok := g.next[g.scl]
		if !ok {
			return
		}
		g.scl = n
	}
}

// insertMem adds a record to the memtable and marks it held.
func (g *group) insertMem(m memRec) {
	recs := g.mem[m.rec.Page]
	if len(recs) == 0 || recs[len(recs)-1].rec.LSN < m.rec.LSN {
		g.mem[m.rec.Page] = append(recs, m) // records mostly arrive in LSN order
	} else {
		i := sort.Search(len(recs), func(i int) bool { return recs[i].rec.LSN >= m.rec.LSN })
		g.mem[m.rec.Page] = slices.Insert(recs, i, m)
	}
	g.memBytes += len(m.raw) + 64
	g.addHeld(m.rec.LSN, m.rec.PrevGroup)
}

// hasTrunc reports whether exactly r is already recorded.
func (g *group) hasTrunc(r storagerpc.Range) bool {
	return slices.Contains(g.truncs, r)
}

// truncate records r and drops every held record inside it; SCL falls back
// to the last chain record at or below r.After and Highest is recomputed.
func (g *group) truncate(r storagerpc.Range) {
	if !g.hasTrunc(r) {
		g.truncs = append(g.truncs, r)
	}
	for g.scl > r.After && g.scl > g.base {
		p, ok := g.held[g.scl]
		if !ok {
			g.scl = g.base
			break
		}
		g.scl = p
	}
	for page, recs := range g.mem {
		kept := recs[:0]
		for _, m := range recs {
			if r.Contains(m.rec.LSN) {
				g.memBytes -= len(m.raw) + 64
				continue
			}
			kept = append(kept, m)
		}
		if len(kept) == 0 {
			delete(g.mem, page)
		} else {
			g.mem[page] = kept
		}
	}
	for lsn := range g.held {
		if r.Contains(lsn) {
			delete(g.held, lsn)
		}
	}
	g.rebuildChain()
}

// rebuildChain recomputes next, Highest and SCL from held.
func (g *group) rebuildChain() {
	lsns := make([]redo.LSN, 0, len(g.held))
	for l := range g.held {
		lsns = append(lsns, l)
	}
	slices.Sort(lsns)
	g.next = make(map[redo.LSN]redo.LSN, len(lsns))
	g.highest = g.base
	for _, l := range lsns {
		p := g.held[l]
		if _, ok := g.next[p]; !ok {
			g.next[p] = l
		}
		g.highest = l
	}
	if g.scl < g.base {
		g.scl = g.base
	}
	g.advance()
}

// prune moves base along the chain up to min(SCL, VDL), forgetting the
// index entries it passes: records at or below both are held and durable
// on a write quorum, and no truncation reaches them.
func (g *group) prune() {
	limit := min(g.scl, g.vdl)
	for {
		n, ok := g.next[g.base]
		if !ok || n > limit {
			return
		}
		delete(g.next, g.base)
		delete(g.held, n)
		g.base = n
	}
}

// collect raises the GC horizon (and base, if below it) to point, a point
// of the chain at or below SCL, and forgets the index entries at or below
// it.
func (g *group) collect(point redo.LSN) {
	if point <= g.horizon {
		return
	}
	g.horizon = point
	if point <= g.base {
		return
	}
	g.base = point
	for lsn := range g.held {
		if lsn <= point {
			delete(g.held, lsn)
		}
	}
	for prev := range g.next {
		if prev < point {
			delete(g.next, prev)
		}
	}
}

// compactMaxFactor: at CompactLayers times this many layers a group is
// compacted whatever the sizes of its layers, which bounds the layers a
// page read visits.
const compactMaxFactor = 4

// compactDue reports whether the group's layers should be merged: once it
// has at least minLayers layers and its delta layers hold at least as many
// bytes as its image layers, or once it has compactMaxFactor × minLayers
// layers. A compaction rewrites the image of every page the group has ever
// written, so triggering it on the layer count alone costs in proportion to
// the whole group each time, quadratic over a bulk load; tied to the bytes
// written since, it costs in proportion to them (each byte is rewritten a
// logarithmic number of times as the group grows). Call with Node.mu held.
func (g *group) compactDue(minLayers int) bool {
	if len(g.layers) < minLayers {
		return false
	}
	if len(g.layers) >= compactMaxFactor*minLayers {
		return true
	}
	var img, delta int64
	for _, l := range g.layers {
		if l.kind == layerImage {
			img += l.size
		} else {
			delta += l.size
		}
	}
	return delta >= img
}

// memRecords returns the memtable records of page with LSN <= upto.
func (g *group) memRecords(page redo.PageID, upto redo.LSN) []memRec {
	recs := g.mem[page]
	i := sort.Search(len(recs), func(i int) bool { return recs[i].rec.LSN > upto })
	return recs[:i:i]
}

// minMemSeq returns the oldest hot-log file holding a memtable record, or 0.
func (g *group) minMemSeq() uint64 {
	var min uint64
	for _, recs := range g.mem {
		for _, m := range recs {
			if min == 0 || m.seq < min {
				min = m.seq
			}
		}
	}
	return min
}

// minMemLSN returns the lowest LSN in the memtable, or 0 when empty.
func (g *group) minMemLSN() redo.LSN {
	var min redo.LSN
	for _, recs := range g.mem {
		if len(recs) > 0 && (min == 0 || recs[0].rec.LSN < min) {
			min = recs[0].rec.LSN
		}
	}
	return min
}

func (g *group) meta() groupMeta {
	m := groupMeta{pg: g.pg, epoch: g.epoch, vdl: g.vdl, mrp: g.mrp, horizon: g.horizon,
		peers: slices.Clone(g.peers), truncs: slices.Clone(g.truncs)}
	for _, l := range g.layers {
		m.layerSeq = append(m.layerSeq, l.seq)
	}
	return m
}

func (g *group) status() storagerpc.GroupStatus {
	return storagerpc.GroupStatus{PG: g.pg, Epoch: g.epoch, SCL: g.durSCL, Highest: g.durHighest,
		VDL: g.vdl, GCHorizon: g.horizon, Peers: slices.Clone(g.peers)}
}

func (g *group) epochResponse() *storagerpc.EpochResponse {
	return &storagerpc.EpochResponse{SCL: g.durSCL, Highest: g.durHighest, VDL: g.vdl, Truncations: slices.Clone(g.truncs)}
}
