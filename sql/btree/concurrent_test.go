package btree_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/heap"
)

// TestConcurrentInsertScan: inserters and scanners at once; scans always
// see ascending entries, and every insert is there at the end.
func TestConcurrentInsertScan(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil), 128)
	root, _ := btree.Create(e.meta)
	tr := btree.Open(e.meta, root)
	const writers, each = 3, 800
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, writers+2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				k := []byte(fmt.Sprintf("%05d-%d", (i*7919)%each, w))
				if err := tr.Insert(ctx, k, heap.TID{Page: redo.PageID(w), Slot: uint16(i)}, nil); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	var rg sync.WaitGroup
	for r := 0; r < 2; r++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				it := tr.Scan(ctx, btree.Range{})
				var prev []byte
				for it.Next() {
					if prev != nil && string(it.Key()) < string(prev) {
						errs <- fmt.Errorf("scan went backwards: %q after %q", it.Key(), prev)
						return
					}
					prev = append(prev[:0], it.Key()...)
				}
				if err := it.Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := tr.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != writers*each {
		t.Fatalf("%d entries, want %d", st.Entries, writers*each)
	}
}
