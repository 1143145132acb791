package quorum

import (
	"fmt"
	"slices"

	"github.com/borealis-db/borealis/redo"
)

// Replicas is the number of replicas of every protection group.
const Replicas = 6

// WriteQuorum is the number of replicas that must hold a record (in their
// gap-free prefix) before it counts as durable in its group.
const WriteQuorum = 4

// ReadQuorum is the number of replicas a recovering writer reads from: any read
// quorum intersects any write quorum.
const ReadQuorum = Replicas - WriteQuorum + 1

// Entry is what the Tracker needs to know about one appended record.
type Entry struct {
	LSN       redo.LSN
	PG        uint32
	PrevGroup redo.LSN // the previous record of the same group (0: none known)
	CPL       bool
}

// Tracker is the writer's quorum bookkeeping as a pure state machine: no I/O,
// no goroutines, no clocks. Its inputs are events (records appended in LSN
// order, acknowledgements carrying a replica's SCL, replicas lost or
// reconnected); its outputs are derived state: per-replica SCL, PGCL per
// protection group, VCL and VDL for the volume.
//
// Definitions:
//   - SCL of a replica: highest LSN of its group it holds with no gap below
//     (reported by the replica in acks; never decreases here).
//   - PGCL of a group: the highest LSN that at least WriteQuorum of its
//     Replicas have in their SCL (the 4th highest SCL).
//   - VCL: the highest appended LSN such that every record at or below it is at
//     or below its group's PGCL.
//   - VDL: the highest CPL at or below VCL.
//
// Records at or below VCL can be forgotten by the writer. The cost of an event
// is O(1) amortised plus the records it makes durable. A Tracker is not safe
// for concurrent use.
type Tracker struct {
	groups  map[uint32]*groupState
	pending []Entry // appended records above VCL, increasing LSN; pending[head:] are live
	head    int
	last    redo.LSN // highest LSN appended (or the start)
	vcl     redo.LSN
	vdl     redo.LSN
}

type groupState struct {
	scl       [Replicas]redo.LSN
	connected [Replicas]bool
	pgcl      redo.LSN
	last      redo.LSN // highest LSN appended to this group
}

// NewTracker returns a tracker for a volume whose records up to and including
// start are all durable and start is a consistency point (0 for an empty
// volume, the recovered VDL after crash recovery).
func NewTracker(start redo.LSN) *Tracker {
	return &Tracker{groups: make(map[uint32]*groupState), last: start, vcl: start, vdl: start}
}

func (t *Tracker) group(pg uint32) *groupState {
	g := t.groups[pg]
	if g == nil {
		g = &groupState{}
		t.groups[pg] = g
	}
	return g
}

// AddGroup makes a group known (for status) without appending to it. lastLSN
// is the group's highest record already in the volume (its PrevGroup for the
// next record), or 0.
func (t *Tracker) AddGroup(pg uint32, lastLSN redo.LSN) {
	g := t.group(pg)
	if lastLSN > g.last {
		g.last = lastLSN
	}
}

// LastInGroup returns the highest LSN appended to (or declared for) a group:
// the PrevGroup of its next record.
func (t *Tracker) LastInGroup(pg uint32) redo.LSN {
	if g := t.groups[pg]; g != nil {
		return g.last
	}
	return 0
}

// Append records that a record was handed to its group's replicas. LSNs must
// be strictly increasing across calls, and e.PrevGroup must equal the group's
// previous record, or the call fails and changes nothing.
func (t *Tracker) Append(e Entry) error {
	if e.LSN <= t.last {
		return fmt.Errorf("quorum: append LSN %d not above the last appended %d", e.LSN, t.last)
	}
	g := t.groups[e.PG]
	var last redo.LSN
	if g != nil {
		last = g.last
	}
	if e.PrevGroup != last {
		return fmt.Errorf("quorum: append LSN %d to group %d: PrevGroup %d, want %d", e.LSN, e.PG, e.PrevGroup, last)
	}
	if g == nil {
		g = t.group(e.PG)
	}
	g.last = e.LSN
	t.last = e.LSN
	t.pending = append(t.pending, e)
	// A record may already be durable if replicas reported it (re-append after
	// recovery): advance immediately.
	t.advance()
	return nil
}

// Ack records that a replica reported its SCL for a group. A lower SCL than
// already known changes nothing. It reports whether VCL advanced (and so
// possibly VDL, and what can be forgotten).
func (t *Tracker) Ack(pg uint32, replica int, scl redo.LSN) bool {
	if replica < 0 || replica >= Replicas {
		return false
	}
	g := t.group(pg)
	if scl <= g.scl[replica] {
		return false
	}
	g.scl[replica] = scl
	p := pgcl(&g.scl)
	if p <= g.pgcl {
		return false
	}
	g.pgcl = p
	before := t.vcl
	t.advance()
	return t.vcl != before
}

// SetConnected marks a replica of a group connected (a stream is up) or lost.
// Its SCL is kept: what it acknowledged is on its disk.
func (t *Tracker) SetConnected(pg uint32, replica int, connected bool) {
	if replica < 0 || replica >= Replicas {
		return
	}
	t.group(pg).connected[replica] = connected
}

// pgcl returns the WriteQuorum-th highest of the SCLs.
func pgcl(scl *[Replicas]redo.LSN) redo.LSN {
	s := *scl
	// Insertion sort, descending: six elements.
	for i := 1; i < Replicas; i++ {
		for j := i; j > 0 && s[j] > s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[WriteQuorum-1]
}

// advance pops durable records off the front of the pending queue.
func (t *Tracker) advance() {
	for t.head < len(t.pending) {
		e := t.pending[t.head]
		if e.LSN > t.groups[e.PG].pgcl {
			break
		}
		t.head++
		t.vcl = e.LSN
		if e.CPL {
			t.vdl = e.LSN
		}
	}
	if t.head == len(t.pending) {
		t.pending = t.pending[:0]
		t.head = 0
		t.vcl = t.last
	} else if t.head > 1024 && t.head*2 > len(t.pending) {
		n := copy(t.pending, t.pending[t.head:])
		t.pending = t.pending[:n]
		t.head = 0
	}
}

// VCL is the volume complete LSN.
func (t *Tracker) VCL() redo.LSN { return t.vcl }

// VDL is the volume durable LSN: the highest consistency point at or below VCL.
func (t *Tracker) VDL() redo.LSN { return t.vdl }

// Last is the highest LSN appended (or the start).
func (t *Tracker) Last() redo.LSN { return t.last }

// Forgettable is the LSN at or below which the writer may forget records:
// they are durable in their groups and so is everything before them.
func (t *Tracker) Forgettable() redo.LSN { return t.vcl }

// Pending is the number of appended records not yet at or below VCL.
func (t *Tracker) Pending() int { return len(t.pending) - t.head }

// SCL is a replica's reported SCL for a group.
func (t *Tracker) SCL(pg uint32, replica int) redo.LSN {
	g := t.groups[pg]
	if g == nil || replica < 0 || replica >= Replicas {
		return 0
	}
	return g.scl[replica]
}

// Connected reports whether a replica of a group is marked connected.
func (t *Tracker) Connected(pg uint32, replica int) bool {
	g := t.groups[pg]
	if g == nil || replica < 0 || replica >= Replicas {
		return false
	}
	return g.connected[replica]
}

// PGCL is the protection group complete LSN of a group.
func (t *Tracker) PGCL(pg uint32) redo.LSN {
	if g := t.groups[pg]; g != nil {
		return g.pgcl
	}
	return 0
}

// Groups lists the known groups in increasing order.
func (t *Tracker) Groups() []uint32 {
	out := make([]uint32, 0, len(t.groups))
	for pg := range t.groups {
		out = append(out, pg)
	}
	slices.Sort(out)
	return out
}

// Blocking returns the oldest record that is not durable yet (the one holding
// VCL back) and true, or false when every appended record is durable.
func (t *Tracker) Blocking() (Entry, bool) {
	if t.head < len(t.pending) {
		return t.pending[t.head], true
	}
	return Entry{}, false
}
