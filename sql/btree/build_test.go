package btree_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// feed returns a Build source over sorted entries.
func feed(ents []ent) func() ([]byte, heap.TID, bool, error) {
	i := 0
	return func() ([]byte, heap.TID, bool, error) {
		if i >= len(ents) {
			return nil, heap.TID{}, false, nil
		}
		e := ents[i]
		i++
		return []byte(e.key), e.tid, true, nil
	}
}

func newTree(t testing.TB, e *env) *btree.Tree {
	t.Helper()
	root, err := btree.Create(e.meta)
	if err != nil {
		t.Fatal(err)
	}
	return btree.Open(e.meta, root)
}

// randEntries returns a random entry set: few distinct keys (many
// duplicates with different TIDs), long keys when big.
func randEntries(rng *rand.Rand, n int, big bool) model {
	m := model{}
	for len(m) < n {
		key := randKey(rng, big)
		if rng.IntN(3) == 0 {
			key = key[:min(len(key), 2)]
		}
		m[ent{key, heap.TID{Page: redo.PageID(rng.IntN(400)), Slot: uint16(rng.IntN(8))}}] = true
	}
	return m
}

// TestBuildMatchesInserts builds random entry sets both ways (Insert one by
// one, Build bottom-up) and checks the same scans, lookups and invariants,
// then keeps inserting and deleting on both, across a restart.
func TestBuildMatchesInserts(t *testing.T) {
	ctx := context.Background()
	sizes := []int{0, 1, 2, 250, 320, 2000, 6000}
	if testing.Short() {
		sizes = []int{0, 1, 320, 2000}
	}
	for _, n := range sizes {
		for _, big := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/big=%v", n, big), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), 7))
				m := randEntries(rng, n, big)
				sorted := m.sorted()
				log := memlog.New(nil)
				e := open(t, log, 32) // small pool: evictions while building
				ins, blt := newTree(t, e), newTree(t, e)
				for _, en := range sorted {
					if err := ins.Insert(ctx, []byte(en.key), en.tid, nil); err != nil {
						t.Fatal(err)
					}
				}
				if err := blt.Build(ctx, feed(sorted)); err != nil {
					t.Fatal(err)
				}
				compareTrees(t, ins, blt, m)
				st, _ := blt.Check(ctx)
				if n >= 2000 && st.Levels < 2 {
					t.Fatalf("stats %+v: expected several levels", st)
				}
				// Restart: everything must be in the log.
				e = open(t, log, 32)
				ins, blt = btree.Open(e.meta, ins.Root()), btree.Open(e.meta, blt.Root())
				compareTrees(t, ins, blt, m)
				keys := m.sorted()
				for i := 0; i < 1500; i++ {
					if rng.IntN(3) == 0 && len(keys) > 0 {
						j := rng.IntN(len(keys))
						en := keys[j]
						for _, tr := range []*btree.Tree{ins, blt} {
							if ok, err := tr.Delete(ctx, []byte(en.key), en.tid); err != nil || ok != m[en] {
								t.Fatalf("delete %v: %v %v, model %v", en, ok, err, m[en])
							}
						}
						delete(m, en)
						keys[j] = keys[len(keys)-1]
						keys = keys[:len(keys)-1]
						continue
					}
					en := ent{randKey(rng, big), heap.TID{Page: redo.PageID(rng.IntN(400)), Slot: uint16(rng.IntN(8))}}
					for _, tr := range []*btree.Tree{ins, blt} {
						if err := tr.Insert(ctx, []byte(en.key), en.tid, nil); err != nil {
							t.Fatal(err)
						}
					}
					if !m[en] {
						keys = append(keys, en)
					}
					m[en] = true
				}
				compareTrees(t, ins, blt, m)
				if log.Err() != nil {
					t.Fatal(log.Err())
				}
			})
		}
	}
}

// compareTrees checks both trees against the model: invariants, entry
// counts, full and range scans, lookups.
func compareTrees(t *testing.T, a, b *btree.Tree, m model) {
	t.Helper()
	ctx := context.Background()
	want := m.sorted()
	for _, tr := range []*btree.Tree{a, b} {
		st, err := tr.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Entries != len(want) {
			t.Fatalf("tree %d has %d entries, model %d", tr.Root(), st.Entries, len(want))
		}
		if got := scanAll(t, tr, btree.Range{}); !equal(got, want) {
			t.Fatalf("tree %d: full scan differs from the model", tr.Root())
		}
	}
	rng := rand.New(rand.NewPCG(uint64(len(want)), 3))
	for i := 0; i < 20; i++ {
		r := btree.Range{Lo: []byte(randKey(rng, false)), Hi: []byte(randKey(rng, false)), LoExclusive: i%2 == 0}
		if ga, gb := scanAll(t, a, r), scanAll(t, b, r); !equal(ga, gb) {
			t.Fatalf("scan %+v: inserted tree %d entries, built %d", r, len(ga), len(gb))
		}
		k := randKey(rng, false)
		if len(want) > 0 && i%2 == 0 {
			k = want[rng.IntN(len(want))].key
		}
		la, err := a.Lookup(ctx, []byte(k))
		if err != nil {
			t.Fatal(err)
		}
		lb, err := b.Lookup(ctx, []byte(k))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(la) != fmt.Sprint(lb) {
			t.Fatalf("lookup %q: inserted %v, built %v", k, la, lb)
		}
	}
}

func TestBuildPacksLeaves(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64)
	tr := newTree(t, e)
	var ents []ent
	for i := 0; i < 20000; i++ {
		ents = append(ents, ent{fmt.Sprintf("%08d", i), heap.TID{Page: 1, Slot: 1}})
	}
	if err := tr.Build(ctx, feed(ents)); err != nil {
		t.Fatal(err)
	}
	st, err := tr.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 20-byte items + 4-byte item ids: ~339 per full page, 90% is ~305.
	if per := st.Entries / st.Leaves; per < 295 || per > 310 {
		t.Fatalf("%d entries per leaf (%+v)", per, st)
	}
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	errSource := errors.New("source failed")
	long := string(make([]byte, btree.MaxKey+1))
	many := make([]ent, 3000)
	for i := range many {
		many[i] = ent{fmt.Sprintf("%06d", i), heap.TID{Page: 1}}
	}
	cases := []struct {
		name string
		next func() ([]byte, heap.TID, bool, error)
		want error
	}{
		{"descending", feed([]ent{{"b", heap.TID{}}, {"a", heap.TID{}}}), btree.ErrUnsorted},
		{"duplicate", feed([]ent{{"a", heap.TID{Page: 1}}, {"a", heap.TID{Page: 1}}}), btree.ErrUnsorted},
		{"tid order", feed([]ent{{"a", heap.TID{Page: 2}}, {"a", heap.TID{Page: 1}}}), btree.ErrUnsorted},
		{"long key", feed([]ent{{"a", heap.TID{}}, {long, heap.TID{}}}), btree.ErrKeyTooLong},
		{"late unsorted", feed(append(append([]ent(nil), many...), ent{"0", heap.TID{}})), btree.ErrUnsorted},
		{"source error", func() func() ([]byte, heap.TID, bool, error) {
			f := feed(many)
			n := 0
			return func() ([]byte, heap.TID, bool, error) {
				if n++; n == 2500 {
					return nil, heap.TID{}, false, errSource
				}
				return f()
			}
		}(), errSource},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := open(t, memlog.New(nil), 64)
			tr := newTree(t, e)
			if err := tr.Build(ctx, c.next); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			// Nothing reached the tree; a second build works.
			if st, err := tr.Check(ctx); err != nil || st.Entries != 0 {
				t.Fatalf("after a failed build: %+v %v", st, err)
			}
			if err := tr.Build(ctx, feed(many)); err != nil {
				t.Fatal(err)
			}
			if err := tr.Build(ctx, feed(many)); !errors.Is(err, btree.ErrNotEmpty) {
				t.Fatalf("build on a full tree: %v", err)
			}
			if got := scanAll(t, tr, btree.Range{}); !equal(got, many) {
				t.Fatal("scan after rebuild differs")
			}
		})
	}
}

// cutLog is a crashed volume: the log as of LSN cut.
type cutLog struct {
	*memlog.Log
	cut redo.LSN
}

func (l cutLog) VDL() redo.LSN { return l.cut }

func (l cutLog) ReadPage(ctx context.Context, id redo.PageID, at redo.LSN) (*redo.Page, error) {
	return l.Log.ReadPage(ctx, id, min(at, l.cut))
}

// TestBuildCrashAtEveryMTR reads the tree as a crash at the end of each of
// the build's mini-transactions would leave it: empty until the last one,
// complete after it, valid at every point.
func TestBuildCrashAtEveryMTR(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log, 64)
	tr := newTree(t, e)
	start := log.VDL()
	m := randEntries(rand.New(rand.NewPCG(1, 2)), 5000, true)
	if err := tr.Build(ctx, feed(m.sorted())); err != nil {
		t.Fatal(err)
	}
	var cuts []redo.LSN
	for _, r := range log.Records() {
		if r.LSN > start && r.CPL {
			cuts = append(cuts, r.LSN)
		}
	}
	if len(cuts) < 10 {
		t.Fatalf("only %d MTRs: batching not exercised", len(cuts))
	}
	for i, cut := range cuts {
		pool := buffer.New(cutLog{log, cut}, 64*redo.PageSize)
		meta, err := volmeta.Open(ctx, pool, false)
		if err != nil {
			t.Fatal(err)
		}
		got := btree.Open(meta, tr.Root())
		st, err := got.Check(ctx)
		if err != nil {
			t.Fatalf("cut at MTR %d/%d: %v", i+1, len(cuts), err)
		}
		want := 0
		if i == len(cuts)-1 {
			want = len(m)
		}
		if st.Entries != want {
			t.Fatalf("cut at MTR %d/%d: %d entries, want %d", i+1, len(cuts), st.Entries, want)
		}
	}
}

// TestBuildReplayMatchesPool replays the log on fresh pages: byte-identical
// to the pool's pages.
func TestBuildReplayMatchesPool(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log, 4096)
	tr := newTree(t, e)
	if err := tr.Build(ctx, feed(randEntries(rand.New(rand.NewPCG(3, 4)), 4000, true).sorted())); err != nil {
		t.Fatal(err)
	}
	fresh := map[redo.PageID]*redo.Page{}
	for _, r := range log.Records() {
		pg := fresh[r.Page]
		if pg == nil {
			pg = new(redo.Page)
			fresh[r.Page] = pg
		}
		if err := redo.Apply(pg, &r); err != nil {
			t.Fatal(err)
		}
	}
	err := e.pool.Cached(func(id redo.PageID, pg *redo.Page) error {
		if f := fresh[id]; f != nil && *pg != *f {
			return fmt.Errorf("page %d differs", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzBuild builds the entries drawn from the input both ways and compares.
func FuzzBuild(f *testing.F) {
	f.Add([]byte("\x03abc\x03abd\x01a\x01a\x00"), uint8(3))
	f.Add([]byte("\xffxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, rep uint8) {
		m := model{}
		slot := uint16(0)
		for len(data) >= 1 {
			n := min(int(data[0]), len(data)-1)
			key := data[1 : 1+n]
			data = data[1+n:]
			for i := 0; i <= int(rep)%64; i++ { // repeat to fill pages
				slot++
				m[ent{string(key), heap.TID{Page: redo.PageID(slot % 7), Slot: slot}}] = true
			}
		}
		e := open(t, memlog.New(nil), 16)
		ins, blt := newTree(t, e), newTree(t, e)
		sorted := m.sorted()
		for _, en := range sorted {
			if err := ins.Insert(context.Background(), []byte(en.key), en.tid, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := blt.Build(context.Background(), feed(sorted)); err != nil {
			t.Fatal(err)
		}
		compareTrees(t, ins, blt, m)
	})
}
