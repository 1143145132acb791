package quorum

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/borealis-db/borealis/redo"
)

// model is the brute-force reference: it recomputes everything from scratch
// from the full history of events.
type model struct {
	start   redo.LSN
	entries []Entry
	scl     map[uint32]*[Replicas]redo.LSN
}

func newModel(start redo.LSN) *model {
	return &model{start: start, scl: map[uint32]*[Replicas]redo.LSN{}}
}

func (m *model) ack(pg uint32, r int, scl redo.LSN) {
	s := m.scl[pg]
	if s == nil {
		s = new([Replicas]redo.LSN)
		m.scl[pg] = s
	}
	s[r] = max(s[r], scl)
}

func (m *model) pgcl(pg uint32) redo.LSN {
	s := m.scl[pg]
	if s == nil {
		return 0
	}
	// The highest x such that at least WriteQuorum replicas have SCL >= x.
	var best redo.LSN
	for _, x := range s {
		n := 0
		for _, y := range s {
			if y >= x {
				n++
			}
		}
		if n >= WriteQuorum && x > best {
			best = x
		}
	}
	return best
}

func (m *model) vcl() redo.LSN {
	v := m.start
	for _, e := range m.entries {
		if e.LSN > m.pgcl(e.PG) {
			return v
		}
		v = e.LSN
	}
	return v
}

func (m *model) vdl() redo.LSN {
	v, d := m.vcl(), m.start
	for _, e := range m.entries {
		if e.LSN <= v && e.CPL {
			d = e.LSN
		}
	}
	return d
}

func (m *model) check(t *testing.T, tr *Tracker, step int) {
	t.Helper()
	if got, want := tr.VCL(), m.vcl(); got != want {
		t.Fatalf("step %d: VCL %d, model %d", step, got, want)
	}
	if got, want := tr.VDL(), m.vdl(); got != want {
		t.Fatalf("step %d: VDL %d, model %d", step, got, want)
	}
	for pg := range m.scl {
		if got, want := tr.PGCL(pg), m.pgcl(pg); got != want {
			t.Fatalf("step %d: PGCL(%d) %d, model %d", step, pg, got, want)
		}
		for r := 0; r < Replicas; r++ {
			if got, want := tr.SCL(pg, r), m.scl[pg][r]; got != want {
				t.Fatalf("step %d: SCL(%d,%d) %d, model %d", step, pg, r, got, want)
			}
		}
	}
	pending := 0
	for _, e := range m.entries {
		if e.LSN > tr.VCL() {
			pending++
		}
	}
	if tr.Pending() != pending {
		t.Fatalf("step %d: %d pending, model %d", step, tr.Pending(), pending)
	}
	if b, ok := tr.Blocking(); ok != (pending > 0) || (ok && b.LSN <= tr.VCL()) {
		t.Fatalf("step %d: Blocking() = %+v, %v with %d pending", step, b, ok, pending)
	}
}

// events drives a tracker and the model with a stream of choices.
type events struct {
	t      *testing.T
	tr     *Tracker
	m      *model
	groups int
	byPG   map[uint32][]redo.LSN
	next   func(n int) int // a choice in [0, n)
}

func (ev *events) step(i int) {
	switch ev.next(4) {
	case 0, 1: // append
		pg := uint32(ev.next(ev.groups))
		lsn := ev.tr.Last() + 1 + redo.LSN(ev.next(3))
		e := Entry{LSN: lsn, PG: pg, PrevGroup: ev.tr.LastInGroup(pg), CPL: ev.next(3) == 0}
		if err := ev.tr.Append(e); err != nil {
			ev.t.Fatalf("step %d: append %+v: %v", i, e, err)
		}
		ev.m.entries = append(ev.m.entries, e)
		ev.byPG[pg] = append(ev.byPG[pg], lsn)
	case 2: // ack with the LSN of one of the group's records (a gap-free prefix end)
		pg := uint32(ev.next(ev.groups))
		lsns := ev.byPG[pg]
		r := ev.next(Replicas)
		var scl redo.LSN
		if len(lsns) > 0 {
			// Bias towards recent records so that progress happens.
			k := len(lsns) - 1 - ev.next(min(len(lsns), 4))
			scl = lsns[k]
		}
		before := ev.tr.VCL()
		if adv := ev.tr.Ack(pg, r, scl); adv != (ev.tr.VCL() != before) {
			ev.t.Fatalf("step %d: Ack reported advance %v, VCL %d -> %d", i, adv, before, ev.tr.VCL())
		}
		ev.m.ack(pg, r, scl)
	case 3:
		ev.tr.SetConnected(uint32(ev.next(ev.groups)), ev.next(Replicas), ev.next(2) == 0)
	}
	ev.m.check(ev.t, ev.tr, i)
}

func TestTrackerMatchesModelRandom(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	runs := 300
	if testing.Short() {
		runs = 50
	}
	for run := 0; run < runs; run++ {
		start := redo.LSN(rng.IntN(3) * 100)
		ev := &events{
			t: t, tr: NewTracker(start), m: newModel(start),
			groups: 1 + rng.IntN(4), byPG: map[uint32][]redo.LSN{},
			next: func(n int) int { return rng.IntN(n) },
		}
		for i := 0; i < 400; i++ {
			ev.step(i)
		}
	}
}

// TestTrackerExhaustiveSmall enumerates every order of the acks of three
// records in two groups (six replicas each acking its final SCL in one or two
// steps), checking the tracker against the model after every event.
func TestTrackerExhaustiveSmall(t *testing.T) {
	// Records: 1 (g0), 2 (g1, CPL), 3 (g0, CPL).
	entries := []Entry{{LSN: 1, PG: 0}, {LSN: 2, PG: 1, CPL: true}, {LSN: 3, PG: 0, PrevGroup: 1, CPL: true}}
	type ack struct {
		pg  uint32
		r   int
		scl redo.LSN
	}
	// Four replicas of g0 ack 1 then 3, four of g1 ack 2: enumerate
	// interleavings by a counter over choices (bounded).
	var acks []ack
	for r := 0; r < 4; r++ {
		acks = append(acks, ack{0, r, 1}, ack{0, r, 3}, ack{1, r, 2})
	}
	count := 0
	var rec func(done []bool, tr *Tracker, m *model, depth int)
	rec = func(done []bool, tr *Tracker, m *model, depth int) {
		if count > 20000 {
			return
		}
		progressed := false
		for i, a := range acks {
			if done[i] {
				continue
			}
			// Ack of 3 by a replica only after its ack of 1 (SCL is monotone
			// per stream).
			if a.scl == 3 && !done[i-1] {
				continue
			}
			progressed = true
			tr2, m2 := cloneTracker(tr), cloneModel(m)
			tr2.Ack(a.pg, a.r, a.scl)
			m2.ack(a.pg, a.r, a.scl)
			m2.check(t, tr2, depth)
			d := slices.Clone(done)
			d[i] = true
			rec(d, tr2, m2, depth+1)
		}
		if !progressed {
			count++
			if tr.VDL() != 3 || tr.VCL() != 3 {
				t.Fatalf("all acked: VCL %d VDL %d, want 3 3", tr.VCL(), tr.VDL())
			}
		}
	}
	tr, m := NewTracker(0), newModel(0)
	for _, e := range entries {
		if err := tr.Append(e); err != nil {
			t.Fatal(err)
		}
		m.entries = append(m.entries, e)
	}
	rec(make([]bool, len(acks)), tr, m, 0)
	if count == 0 {
		t.Fatal("no complete interleaving explored")
	}
}

func cloneTracker(t *Tracker) *Tracker {
	c := &Tracker{groups: map[uint32]*groupState{}, pending: slices.Clone(t.pending[t.head:]), last: t.last, vcl: t.vcl, vdl: t.vdl}
	for pg, g := range t.groups {
		g2 := *g
		c.groups[pg] = &g2
	}
	return c
}

func cloneModel(m *model) *model {
	c := &model{start: m.start, entries: slices.Clone(m.entries), scl: map[uint32]*[Replicas]redo.LSN{}}
	for pg, s := range m.scl {
		s2 := *s
		c.scl[pg] = &s2
	}
	return c
}

func TestTrackerCases(t *testing.T) {
	type ack struct {
		pg  uint32
		r   int
		scl redo.LSN
	}
	tests := []struct {
		name     string
		start    redo.LSN
		entries  []Entry
		acks     []ack
		vcl, vdl redo.LSN
	}{
		{name: "empty", start: 7, vcl: 7, vdl: 7},
		{
			name:    "three acks are not a quorum",
			entries: []Entry{{LSN: 1, PG: 0, CPL: true}},
			acks:    []ack{{0, 0, 1}, {0, 1, 1}, {0, 2, 1}},
			vcl:     0, vdl: 0,
		},
		{
			name:    "four acks are",
			entries: []Entry{{LSN: 1, PG: 0, CPL: true}},
			acks:    []ack{{0, 0, 1}, {0, 1, 1}, {0, 2, 1}, {0, 5, 1}},
			vcl:     1, vdl: 1,
		},
		{
			name:    "VDL stops at the last CPL",
			entries: []Entry{{LSN: 1, PG: 0, CPL: true}, {LSN: 2, PG: 0, PrevGroup: 1}},
			acks:    []ack{{0, 0, 2}, {0, 1, 2}, {0, 2, 2}, {0, 3, 2}},
			vcl:     2, vdl: 1,
		},
		{
			name:    "a slow group holds VCL back",
			entries: []Entry{{LSN: 1, PG: 1, CPL: true}, {LSN: 2, PG: 0, CPL: true}},
			acks:    []ack{{0, 0, 2}, {0, 1, 2}, {0, 2, 2}, {0, 3, 2}, {1, 0, 1}, {1, 1, 1}, {1, 2, 1}},
			vcl:     0, vdl: 0,
		},
		{
			name:    "lower SCL is ignored",
			entries: []Entry{{LSN: 5, PG: 2, CPL: true}},
			acks:    []ack{{2, 0, 5}, {2, 0, 3}, {2, 1, 5}, {2, 2, 5}, {2, 3, 5}},
			vcl:     5, vdl: 5,
		},
		{
			name:    "bad replica index is ignored",
			entries: []Entry{{LSN: 5, PG: 2, CPL: true}},
			acks:    []ack{{2, -1, 5}, {2, 6, 5}, {2, 1, 5}, {2, 2, 5}, {2, 3, 5}},
			vcl:     0, vdl: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(tc.start)
			for _, e := range tc.entries {
				if err := tr.Append(e); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range tc.acks {
				tr.Ack(a.pg, a.r, a.scl)
			}
			if tr.VCL() != tc.vcl || tr.VDL() != tc.vdl {
				t.Fatalf("VCL %d VDL %d, want %d %d", tr.VCL(), tr.VDL(), tc.vcl, tc.vdl)
			}
		})
	}
}

func TestTrackerAppendRejects(t *testing.T) {
	tr := NewTracker(10)
	for _, e := range []Entry{
		{LSN: 10, PG: 0},
		{LSN: 5, PG: 0},
		{LSN: 11, PG: 0, PrevGroup: 3},
	} {
		if err := tr.Append(e); err == nil {
			t.Errorf("Append(%+v) succeeded", e)
		}
	}
	if err := tr.Append(Entry{LSN: 11, PG: 0}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Append(Entry{LSN: 12, PG: 0}); err == nil {
		t.Error("Append with a wrong PrevGroup succeeded")
	}
	tr.AddGroup(3, 4)
	if err := tr.Append(Entry{LSN: 12, PG: 3, PrevGroup: 4}); err != nil {
		t.Fatalf("append after AddGroup: %v", err)
	}
}

func FuzzTracker(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0, 0, 2, 1, 0, 2, 2, 0, 2, 3, 0})
	f.Add([]byte{1, 1, 1, 0, 0, 2, 2, 2, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		groups := 1 + int(data[0]%3)
		data = data[1:]
		i := 0
		ev := &events{
			t: t, tr: NewTracker(0), m: newModel(0), groups: groups, byPG: map[uint32][]redo.LSN{},
			next: func(n int) int {
				if i >= len(data) {
					return 0
				}
				i++
				return int(data[i-1]) % n
			},
		}
		for step := 0; i < len(data) && step < 2000; step++ {
			ev.step(step)
		}
	})
}

func BenchmarkTrackerAppendAck(b *testing.B) {
	tr := NewTracker(0)
	var lsn redo.LSN
	for b.Loop() {
		lsn++
		pg := uint32(lsn % 8)
		_ = tr.Append(Entry{LSN: lsn, PG: pg, PrevGroup: tr.LastInGroup(pg), CPL: true})
		for r := 0; r < Replicas; r++ {
			tr.Ack(pg, r, lsn)
		}
	}
}
