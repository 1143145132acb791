package segment

import (
	"bytes"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestConcurrentGroups runs writers of several groups and page readers at
// once while the memtable flushes and groups compact, then checks every
// group's pages against the records applied directly.
func TestConcurrentGroups(t *testing.T) {
	n := startNode(t, t.TempDir(), func(c *Config) {
		c.MemtableSize = 8 << 10
		c.CompactLayers = 3
		c.LogFileSize = 16 << 10
	})
	const groups = 4
	gens := make([]*gen, groups)
	for i := range gens {
		gens[i] = newGen(int64(60+i), 5)
		gens[i].batch(t, 150)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 2*groups)
	for pg := 0; pg < groups; pg++ {
		wg.Add(1)
		go func(pg int) {
			defer wg.Done()
			g := gens[pg]
			var reqs []*storagerpc.AppendRequest
			for i := 0; i < len(g.all); i += 10 {
				r := req(uint32(pg), 1, g.all[i:i+10])
				if i >= 30 {
					r.VDL = g.all[i-20].LSN
					r.MinReadPoint = g.all[i-30].LSN
				}
				reqs = append(reqs, r)
			}
			if _, err := appendBatches(t, n.cli, reqs...); err != nil {
				errs <- err
			}
		}(pg)
	}
	var rwg sync.WaitGroup
	for pg := 0; pg < groups; pg++ {
		rwg.Add(1)
		go func(pg int) {
			defer rwg.Done()
			g := gens[pg]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				page := redo.PageID(10 + i%5)
				lsn := g.all[(i*7)%len(g.all)].LSN
				resp, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: uint32(pg), Page: page, LSN: lsn})
				switch status.Code(err) {
				case codes.Unavailable, codes.OutOfRange:
					continue // not there yet, or already collected
				case codes.OK:
				default:
					errs <- err
					return
				}
				if want := g.pageAt(t, page, lsn); !bytes.Equal(resp.Page, want[:]) {
					t.Errorf("group %d page %d at %d differs while writing", pg, page, lsn)
					return
				}
			}
		}(pg)
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Maintenance runs after the commits that made the last batches durable.
	eventually(t, "a memtable flush", func() bool { return counter(n.met.flushes) > 0 })
	for pg := 0; pg < groups; pg++ {
		checkPages(t, n.cli, gens[pg], uint32(pg), gens[pg].lsn)
	}
}
