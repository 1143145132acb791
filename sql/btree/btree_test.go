package btree_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/volmeta"
)

type env struct {
	log  *memlog.Log
	pool *buffer.Pool
	meta *volmeta.Meta
}

func open(t testing.TB, log *memlog.Log, frames int) *env {
	t.Helper()
	pool := buffer.New(log, int64(frames)*redo.PageSize)
	meta, err := volmeta.Open(context.Background(), pool, true)
	if err != nil {
		t.Fatal(err)
	}
	return &env{log: log, pool: pool, meta: meta}
}

type ent struct {
	key string
	tid heap.TID
}

func less(a, b ent) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	if a.tid.Page != b.tid.Page {
		return a.tid.Page < b.tid.Page
	}
	return a.tid.Slot < b.tid.Slot
}

// model is a sorted set of entries.
type model map[ent]bool

func (m model) sorted() []ent {
	out := make([]ent, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func scanAll(t *testing.T, tr *btree.Tree, r btree.Range) []ent {
	t.Helper()
	it := tr.Scan(context.Background(), r)
	var out []ent
	for it.Next() {
		out = append(out, ent{string(it.Key()), it.TID()})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func inRange(k string, r btree.Range) bool {
	if r.Lo != nil {
		c := bytes.Compare([]byte(k), r.Lo)
		if c < 0 || (c == 0 && r.LoExclusive) {
			return false
		}
	}
	if r.Hi != nil {
		c := bytes.Compare([]byte(k), r.Hi)
		if c > 0 || (c == 0 && r.HiExclusive) {
			return false
		}
	}
	return true
}

func randKey(rng *rand.Rand, big bool) string {
	n := 1 + rng.IntN(12)
	if big && rng.IntN(4) == 0 {
		n = 200 + rng.IntN(1500)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(4))
	}
	return string(b)
}

// TestPropertyVsModel runs random inserts, deletes and scans against a
// sorted-set model, restarting on the same log now and then (a new pool: all
// state must be in pages), and checks the tree's invariants.
func TestPropertyVsModel(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			log := memlog.New(nil)
			e := open(t, log, 32) // small pool: evictions and re-reads
			root, err := btree.Create(e.meta)
			if err != nil {
				t.Fatal(err)
			}
			tr := btree.Open(e.meta, root)
			m := model{}
			var keys []ent
			var cache []ent
			sorted := func() []ent {
				if cache == nil {
					cache = m.sorted()
				}
				return cache
			}
			ops := 4000
			if testing.Short() {
				ops = 1500
			}
			for i := 0; i < ops; i++ {
				switch op := rng.IntN(10); {
				case op < 6 || len(keys) == 0:
					en := ent{randKey(rng, seed == 3), heap.TID{Page: redo.PageID(rng.IntN(50)), Slot: uint16(rng.IntN(5))}}
					if err := tr.Insert(ctx, []byte(en.key), en.tid, nil); err != nil {
						t.Fatal(err)
					}
					if !m[en] {
						keys = append(keys, en)
						cache = nil
					}
					m[en] = true
				case op < 8:
					j := rng.IntN(len(keys))
					en := keys[j]
					ok, err := tr.Delete(ctx, []byte(en.key), en.tid)
					if err != nil {
						t.Fatal(err)
					}
					if ok != m[en] {
						t.Fatalf("delete %v: %v, model %v", en, ok, m[en])
					}
					delete(m, en)
					cache = nil
					keys[j] = keys[len(keys)-1]
					keys = keys[:len(keys)-1]
				case op < 9:
					r := btree.Range{LoExclusive: rng.IntN(2) == 0, HiExclusive: rng.IntN(2) == 0}
					if rng.IntN(3) > 0 {
						r.Lo = []byte(randKey(rng, false))
					}
					if rng.IntN(3) > 0 {
						r.Hi = []byte(randKey(rng, false))
					}
					got := scanAll(t, tr, r)
					var want []ent
					for _, en := range sorted() {
						if inRange(en.key, r) {
							want = append(want, en)
						}
					}
					if !equal(got, want) {
						t.Fatalf("op %d: scan %+v: got %d entries, want %d", i, r, len(got), len(want))
					}
				default:
					k := randKey(rng, false)
					got, err := tr.Lookup(ctx, []byte(k))
					if err != nil {
						t.Fatal(err)
					}
					var want []heap.TID
					for _, en := range sorted() {
						if en.key == k {
							want = append(want, en.tid)
						}
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("lookup %q: %v, want %v", k, got, want)
					}
				}
				if i%1500 == 1499 { // restart: new pool over the same log
					e = open(t, log, 32)
					tr = btree.Open(e.meta, root)
				}
			}
			st, err := tr.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Entries != len(m) {
				t.Fatalf("tree has %d entries, model %d", st.Entries, len(m))
			}
			if got := scanAll(t, tr, btree.Range{}); fmt.Sprint(got) != fmt.Sprint(m.sorted()) {
				t.Fatal("full scan differs from the model")
			}
			if st.Levels < 2 {
				t.Fatalf("only %d levels: splits not exercised (%+v)", st.Levels, st)
			}
			if log.Err() != nil {
				t.Fatal(log.Err())
			}
		})
	}
}

func TestAscendingInsertsPackPages(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 256)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	const n = 20000
	for i := 0; i < n; i++ {
		if err := tr.Insert(ctx, []byte(fmt.Sprintf("%08d", i)), heap.TID{Page: 1, Slot: 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := tr.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 22-byte items + 4-byte ids: ~313 per full page; 90% splits give ~280.
	if per := st.Entries / st.Leaves; per < 250 {
		t.Fatalf("%d entries per leaf after ascending inserts (%+v)", per, st)
	}
	if st.Levels < 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUniqueCallback(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	// Many duplicates of one key spanning several leaves.
	key := bytes.Repeat([]byte("k"), 500)
	for i := 0; i < 60; i++ {
		if err := tr.Insert(ctx, key, heap.TID{Page: redo.PageID(i + 1)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var seen []heap.TID
	errDup := errors.New("duplicate")
	err := tr.Insert(ctx, key, heap.TID{Page: 1000}, func(x heap.TID) error {
		seen = append(seen, x)
		if x.Page == 42 {
			return errDup
		}
		return nil
	})
	if !errors.Is(err, errDup) {
		t.Fatalf("insert with a conflicting duplicate: %v", err)
	}
	if len(seen) != 42 {
		t.Fatalf("callback saw %d entries before the conflict, want 42", len(seen))
	}
	if got, _ := tr.Lookup(ctx, key); len(got) != 60 {
		t.Fatalf("%d entries after a refused insert", len(got))
	}
	calls := 0
	if err := tr.Insert(ctx, key, heap.TID{Page: 1000}, func(heap.TID) error { calls++; return nil }); err != nil {
		t.Fatal(err)
	}
	if calls != 60 {
		t.Fatalf("callback called %d times, want 60", calls)
	}
	if got, _ := tr.Lookup(ctx, key); len(got) != 61 {
		t.Fatalf("%d entries", len(got))
	}
	if _, err := tr.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tr.Insert(ctx, make([]byte, btree.MaxKey+1), heap.TID{}, nil); !errors.Is(err, btree.ErrKeyTooLong) {
		t.Fatalf("oversized key: %v", err)
	}
}

func TestDeleteTIDs(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 64)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	for i := 0; i < 5000; i++ {
		if err := tr.Insert(ctx, []byte(fmt.Sprintf("%05d", i%1000)), heap.TID{Page: redo.PageID(i), Slot: 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	n, err := tr.DeleteTIDs(ctx, func(x heap.TID) bool { return x.Page%2 == 0 })
	if err != nil || n != 2500 {
		t.Fatalf("removed %d: %v", n, err)
	}
	st, err := tr.Check(ctx)
	if err != nil || st.Entries != 2500 {
		t.Fatalf("%+v %v", st, err)
	}
	for _, en := range scanAll(t, tr, btree.Range{}) {
		if en.tid.Page%2 == 0 {
			t.Fatalf("entry %v survived", en)
		}
	}
}

// TestReplayMatchesPool replays the log on fresh pages: byte-identical to
// the pool's pages (splits are full page images).
func TestReplayMatchesPool(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log, 4096)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		if err := tr.Insert(ctx, []byte(randKey(rng, true)), heap.TID{Page: redo.PageID(i)}, nil); err != nil {
			t.Fatal(err)
		}
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
		if *pg != *fresh[id] {
			return fmt.Errorf("page %d differs", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func equal(a, b []ent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
