package buffer_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
)

// TestConcurrentCounters: goroutines increment per-page counters through
// MTRs on a pool much smaller than the page set (constant eviction and
// re-reading); no increment is lost.
func TestConcurrentCounters(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	p := buffer.New(log, 16*redo.PageSize)
	const pages, workers, each = 40, 4, 300
	for id := redo.PageID(1); id <= pages; id++ {
		f, err := p.NewPage(id)
		if err != nil {
			t.Fatal(err)
		}
		f.Lock()
		m := p.Begin()
		if err := m.InitPage(f, 1, 0); err != nil {
			t.Fatal(err)
		}
		if err := m.InsertItem(f, 0, make([]byte, 8)); err != nil {
			t.Fatal(err)
		}
		if _, err := m.End(); err != nil {
			t.Fatal(err)
		}
		f.Unlock()
		p.Unpin(f)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := redo.PageID(1 + (w*7+i*13)%pages)
				f, err := p.Pin(ctx, id)
				if err != nil {
					errs <- err
					return
				}
				f.Lock()
				it, ok := f.Page().Item(0)
				if !ok {
					f.Unlock()
					p.Unpin(f)
					errs <- fmt.Errorf("page %d: no counter", id)
					return
				}
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], binary.LittleEndian.Uint64(it)+1)
				m := p.Begin()
				err = m.PatchItem(f, 0, 0, b[:])
				if _, e := m.End(); err == nil {
					err = e
				}
				f.Unlock()
				p.Unpin(f)
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := uint64(0)
	for id := redo.PageID(1); id <= pages; id++ {
		f, err := p.Pin(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.RLock()
		it, _ := f.Page().Item(0)
		total += binary.LittleEndian.Uint64(it)
		f.RUnlock()
		p.Unpin(f)
	}
	if total != workers*each {
		t.Fatalf("counters sum to %d, want %d", total, workers*each)
	}
	if st := p.Stats(); st.Evictions == 0 || st.Misses == 0 {
		t.Fatalf("no eviction traffic: %+v", st)
	}
}
