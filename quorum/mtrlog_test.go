package quorum_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// TestVolumeAsBufferLog drives a page pool over the Volume (buffer.Log) on six
// storage processes: mini-transactions across several protection groups, a
// pool small enough to evict and read pages back through storage, then a new
// writer (recovery) whose pool reads every page from storage equal to the
// first writer's.
func TestVolumeAsBufferLog(t *testing.T) {
	c := startCluster(t)
	v := openVolume(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const pages = 300 // SegmentPages is 64: five protection groups
	pool := buffer.New(v.Log(), 64*redo.PageSize)
	var last redo.LSN
	for round := 0; round < 3; round++ {
		if round > 0 {
			// A fresh pool: every page of this round is a miss read
			// through storage (an old pool may have grown to hold every
			// page while VDL lagged behind the appends).
			pool = buffer.New(v.Log(), 64*redo.PageSize)
		}
		for id := redo.PageID(1); id <= pages; id++ {
			var f *buffer.Frame
			var err error
			if round == 0 {
				f, err = pool.NewPage(id)
			} else {
				f, err = pool.Pin(ctx, id)
			}
			if err != nil {
				t.Fatalf("round %d: page %d: %v", round, id, err)
			}
			f.Lock()
			m := pool.Begin()
			if round == 0 {
				err = m.InitPage(f, 7, 0)
			}
			if err == nil {
				err = m.InsertItem(f, f.Page().ItemCount(), []byte(fmt.Sprintf("page %d round %d", id, round)))
			}
			lsn, endErr := m.End()
			f.Unlock()
			pool.Unpin(f)
			if err != nil || endErr != nil {
				t.Fatalf("round %d: page %d: apply %v, end %v", round, id, err, endErr)
			}
			last = lsn
		}
		if err := v.WaitDurable(ctx, last); err != nil {
			t.Fatalf("round %d: wait durable: %v", round, err)
		}
	}
	if st := pool.Stats(); st.Misses == 0 {
		t.Fatalf("pool never missed (stats %+v): the test did not read through storage", st)
	}
	want := map[redo.PageID][]byte{}
	for id := redo.PageID(1); id <= pages; id++ {
		f, err := pool.Pin(ctx, id)
		if err != nil {
			t.Fatalf("pin %d: %v", id, err)
		}
		want[id] = pageItems(f.Page())
		pool.Unpin(f)
	}
	if err := v.Close(); err != nil {
		t.Logf("close: %v", err)
	}

	v2 := openVolume(t, c)
	pool2 := buffer.New(v2.Log(), 64*redo.PageSize)
	for id := redo.PageID(1); id <= pages; id++ {
		f, err := pool2.Pin(ctx, id)
		if err != nil {
			t.Fatalf("new writer: pin %d: %v", id, err)
		}
		got := pageItems(f.Page())
		pool2.Unpin(f)
		if !bytes.Equal(got, want[id]) {
			t.Fatalf("new writer: page %d items %q, want %q", id, got, want[id])
		}
		if n := bytes.Count(got, []byte("round")); n != 3 {
			t.Fatalf("page %d holds %d items, want 3: %q", id, n, got)
		}
	}
}

func pageItems(p *redo.Page) []byte {
	var out []byte
	for i := 0; i < p.ItemCount(); i++ {
		item, ok := p.Item(i)
		if ok {
			out = append(out, item...)
			out = append(out, '|')
		}
	}
	return out
}
