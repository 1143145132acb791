package segment

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestGetPageEqualsDirectApply is the property: for random record chains,
// GetPage at any LSN between the GC horizon and SCL equals applying the
// records up to that LSN directly, whether they sit in the memtable, delta
// layers or image layers, before and after a restart.
func TestGetPageEqualsDirectApply(t *testing.T) {
	seeds := []int64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run("", func(t *testing.T) {
			dir := t.TempDir()
			cfgs := func(c *Config) {
				c.MemtableSize = 4 << 10
				c.LayerBlockSize = 1 << 10
				c.CompactLayers = 3
				c.LogFileSize = 8 << 10
			}
			n := startNode(t, dir, cfgs)
			g := newGen(seed, 8)
			rng := rand.New(rand.NewSource(seed))
			var mrp redo.LSN
			for i := 0; i < 40; i++ {
				r := req(2, 1, g.batch(t, 1+rng.Intn(12)))
				if len(g.all) > 20 {
					r.VDL = g.all[len(g.all)-1-rng.Intn(10)].LSN
				}
				if i > 20 && i%5 == 0 {
					mrp = g.all[len(g.all)/2].LSN
					r.MinReadPoint = mrp
				}
				if _, err := appendBatches(t, n.cli, r); err != nil {
					t.Fatal(err)
				}
			}
			check := func(n *testNode) {
				st := groupStatus(t, n.cli, 2)
				if st.SCL != g.lsn || st.GCHorizon == 0 {
					t.Fatalf("SCL %d (want %d), GC horizon %d (want > 0)", st.SCL, g.lsn, st.GCHorizon)
				}
				for k := 0; k < 25; k++ {
					lsn := st.GCHorizon + redo.LSN(rng.Int63n(int64(g.lsn-st.GCHorizon)+1))
					page := redo.PageID(10 + rng.Intn(9))
					got, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 2, Page: page, LSN: lsn})
					if status.Code(err) == codes.OutOfRange {
						// Maintenance runs beside reads: a compaction
						// may have raised the horizon meanwhile.
						if st2 := groupStatus(t, n.cli, 2); st2.GCHorizon > lsn {
							st = st2
							continue
						}
					}
					if err != nil {
						t.Fatalf("GetPage(%d@%d): %v", page, lsn, err)
					}
					if want := g.pageAt(t, page, lsn); !bytes.Equal(got.Page, want[:]) {
						t.Fatalf("page %d at LSN %d (horizon %d) differs from direct apply", page, lsn, st.GCHorizon)
					}
				}
			}
			// Garbage collection runs in the background once enough layers
			// exist with a min read point reported: keep appending (with VDL
			// and min read point) until it has raised the horizon.
			deadline := time.Now().Add(30 * time.Second)
			for groupStatus(t, n.cli, 2).GCHorizon == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("no garbage collection within 30s (%v compactions)", counter(n.met.gcs))
				}
				r := req(2, 1, g.batch(t, 4))
				r.VDL = g.all[len(g.all)-1].LSN
				r.MinReadPoint = max(mrp, g.all[len(g.all)/2].LSN)
				if _, err := appendBatches(t, n.cli, r); err != nil {
					t.Fatal(err)
				}
				waitUntil := time.Now().Add(200 * time.Millisecond)
				for groupStatus(t, n.cli, 2).GCHorizon == 0 && time.Now().Before(waitUntil) {
					time.Sleep(10 * time.Millisecond)
				}
			}
			check(n)
			n.stop()
			n = startNode(t, dir, cfgs)
			check(n)
		})
	}
}

func TestGCHorizon(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, func(c *Config) { c.MemtableSize = 1; c.CompactLayers = 2 })
	g := newGen(20, 3)
	g.batch(t, 30)
	for i := 0; i < 6; i++ {
		r := req(1, 1, g.all[5*i:5*i+5])
		r.VDL = g.all[5*i+4].LSN
		r.MinReadPoint = g.all[12].LSN
		if _, err := appendBatches(t, n.cli, r); err != nil {
			t.Fatal(err)
		}
		waitFlushed(t, n, 1, r.VDL)
	}
	var h redo.LSN
	eventually(t, "GC horizon to rise", func() bool { h = groupStatus(t, n.cli, 1).GCHorizon; return h > 0 })
	if h > g.all[12].LSN {
		t.Fatalf("GC horizon %d above the min read point %d", h, g.all[12].LSN)
	}
	_, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: 10, LSN: h - 1})
	if status.Code(err) != codes.OutOfRange || !strings.Contains(err.Error(), "below the GC horizon") {
		t.Fatalf("GetPage below the horizon: %v", err)
	}
	s, err := n.cli.Fetch(ctxT(t), &storagerpc.FetchRequest{PG: 1, After: 0})
	if err == nil {
		_, err = s.Recv()
	}
	if status.Code(err) != codes.OutOfRange {
		t.Fatalf("Fetch below the horizon: %v", err)
	}
	// Background GC may raise the horizon past h at any moment, but never
	// past the min read point: read there, not at h.
	checkPages(t, n.cli, g, 1, g.all[12].LSN)
	checkPages(t, n.cli, g, 1, g.lsn)
}
