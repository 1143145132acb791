package buffer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
)

// initPage formats page id with one item and returns nothing.
func initPage(t *testing.T, p *buffer.Pool, id redo.PageID) {
	t.Helper()
	f, err := p.NewPage(id)
	if err != nil {
		t.Fatal(err)
	}
	f.Lock()
	m := p.Begin()
	if err := m.InitPage(f, 7, 8); err != nil {
		t.Fatal(err)
	}
	if err := m.InsertItem(f, 0, []byte(fmt.Sprintf("page-%d", id))); err != nil {
		t.Fatal(err)
	}
	if _, err := m.End(); err != nil {
		t.Fatal(err)
	}
	f.Unlock()
	p.Unpin(f)
}

func TestPinMissEvictAndReread(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	p := buffer.New(log, 16*redo.PageSize) // 16 frames
	const n = 100
	for id := redo.PageID(1); id <= n; id++ {
		initPage(t, p, id)
	}
	st := p.Stats()
	if st.Frames > st.Capacity {
		t.Fatalf("pool grew to %d frames, capacity %d, with everything evictable", st.Frames, st.Capacity)
	}
	if st.Evictions == 0 {
		t.Fatal("no evictions with 100 pages in 16 frames")
	}
	for id := redo.PageID(1); id <= n; id++ {
		f, err := p.Pin(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.RLock()
		it, ok := f.Page().Item(0)
		if !ok || string(it) != fmt.Sprintf("page-%d", id) {
			t.Fatalf("page %d item %q ok=%v", id, it, ok)
		}
		f.RUnlock()
		p.Unpin(f)
	}
	if p.Stats().Misses == 0 {
		t.Fatal("no misses re-reading evicted pages")
	}
}

func TestNoEvictionAboveVDL(t *testing.T) {
	log := memlog.New(nil)
	p := buffer.New(log, 16*redo.PageSize)
	log.Hold() // nothing becomes durable: no page may be evicted
	for id := redo.PageID(1); id <= 40; id++ {
		initPage(t, p, id)
	}
	st := p.Stats()
	if st.Evictions != 0 {
		t.Fatalf("%d evictions of pages above VDL", st.Evictions)
	}
	if st.Overflows == 0 || st.Frames != 40 {
		t.Fatalf("stats %+v: expected the pool to grow past capacity", st)
	}
	log.Release()
	for id := redo.PageID(41); id <= 60; id++ {
		initPage(t, p, id)
	}
	if p.Stats().Evictions == 0 {
		t.Fatal("no evictions after VDL caught up")
	}
}

func TestPinnedFramesStay(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	p := buffer.New(log, 16*redo.PageSize)
	for id := redo.PageID(1); id <= 16; id++ {
		initPage(t, p, id)
	}
	var pinned []*buffer.Frame
	for id := redo.PageID(1); id <= 16; id++ {
		f, err := p.Pin(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		pinned = append(pinned, f)
	}
	initPage(t, p, 17) // must not steal a pinned frame
	for i, f := range pinned {
		if f.ID() != redo.PageID(i+1) {
			t.Fatalf("pinned frame %d now holds page %d", i+1, f.ID())
		}
		p.Unpin(f)
	}
}

func TestFailedApplyChangesNothing(t *testing.T) {
	log := memlog.New(nil)
	p := buffer.New(log, 0)
	initPage(t, p, 1)
	f, err := p.Pin(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Unpin(f)
	f.Lock()
	defer f.Unlock()
	before := *f.Page()
	nrec := len(log.Records())
	m := p.Begin()
	cases := []func() error{
		func() error { return m.InsertItem(f, 5, []byte("x")) },                               // index out of range
		func() error { return m.InsertItem(f, 0, make([]byte, redo.PageSize)) },               // too big
		func() error { return m.PatchItem(f, 0, 100, []byte("x")) },                           // beyond item
		func() error { return m.DeleteItem(f, 3) },                                            // no such item
		func() error { return m.SetSpecial(f, 7, []byte("xx")) },                              // beyond special
		func() error { return m.InsertItem(f, 70000, []byte("x")) },                           // index overflow
		func() error { return m.FullPageImage(f, &redo.Page{}) },                              // zero image
		func() error { return m.Apply(f, &redo.Record{Op: redo.OpNoop, Payload: []byte{1}}) }, // bad payload
	}
	for i, c := range cases {
		if err := c(); err == nil {
			t.Fatalf("case %d: no error", i)
		}
	}
	if _, err := m.End(); err != nil {
		t.Fatal(err)
	}
	if *f.Page() != before {
		t.Fatal("failed applies changed the page")
	}
	if got := len(log.Records()); got != nrec {
		t.Fatalf("failed applies logged %d records", got-nrec)
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
}

// TestDeterminism applies random MTRs through the pool, then replays the
// log's records on fresh pages and compares byte for byte.
func TestDeterminism(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(func(id redo.PageID) uint64 { return uint64(id % 3) })
	p := buffer.New(log, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	const pages = 8
	for id := redo.PageID(1); id <= pages; id++ {
		initPage(t, p, id)
	}
	for i := 0; i < 3000; i++ {
		id := redo.PageID(1 + rng.IntN(pages))
		f, err := p.Pin(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.Lock()
		m := p.Begin()
		pg := f.Page()
		n := pg.ItemCount()
		item := bytes.Repeat([]byte{byte(i)}, 1+rng.IntN(300))
		switch op := rng.IntN(7); {
		case op <= 1 || n == 0:
			err = m.InsertItem(f, rng.IntN(n+1), item)
			if errors.Is(err, redo.ErrPageFull) {
				err = m.DeleteItem(f, 0)
			}
		case op == 2:
			err = m.OverwriteItem(f, rng.IntN(n), item)
			if errors.Is(err, redo.ErrPageFull) {
				err = nil
			}
		case op == 3:
			err = m.DeleteItem(f, rng.IntN(n))
		case op == 4:
			if _, ok := pg.Item(0); ok {
				err = m.KillItem(f, 0)
			}
		case op == 5:
			if it, ok := pg.Item(n - 1); ok {
				err = m.PatchItem(f, n-1, 0, []byte{byte(i), byte(len(it))}[:min(2, len(it))])
			}
			if err == nil {
				err = m.Compact(f)
			}
		default:
			err = m.SetSpecial(f, rng.IntN(4), []byte{byte(i), 1, 2, 3, 4}[:4])
		}
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		if _, err := m.End(); err != nil {
			t.Fatal(err)
		}
		f.Unlock()
		p.Unpin(f)
	}
	fresh := map[redo.PageID]*redo.Page{}
	recs := log.Records()
	prev := map[redo.PageID]redo.LSN{}
	for i := range recs {
		r := &recs[i]
		if r.PrevVolume != r.LSN-1 || r.PrevPage != prev[r.Page] {
			t.Fatalf("record %d: back-links volume %d page %d (expected page %d)", r.LSN, r.PrevVolume, r.PrevPage, prev[r.Page])
		}
		prev[r.Page] = r.LSN
		pg := fresh[r.Page]
		if pg == nil {
			pg = new(redo.Page)
			fresh[r.Page] = pg
		}
		// Round-trip through the encoding, as storage would receive it.
		dec, _, err := redo.Decode(r.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if err := redo.Apply(pg, &dec); err != nil {
			t.Fatalf("replay %d: %v", r.LSN, err)
		}
	}
	n := 0
	err := p.Cached(func(id redo.PageID, pg *redo.Page) error {
		n++
		if *pg != *fresh[id] {
			return fmt.Errorf("page %d differs from replay", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != pages {
		t.Fatalf("compared %d pages", n)
	}
}

func TestNewPageTwice(t *testing.T) {
	p := buffer.New(memlog.New(nil), 0)
	f, err := p.NewPage(3)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Unpin(f)
	if _, err := p.NewPage(3); err == nil {
		t.Fatal("NewPage of a cached page succeeded")
	}
}
