package segment

import (
	"strings"
	"testing"

	"github.com/borealis-db/borealis/redo"

	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestVolumeEpoch: once a node has seen epoch E in one group, a writer's
// Append, RaiseEpoch or Truncate below E is refused in every group, also in
// a group created afterwards, and also after a restart. Equal-epoch
// RaiseEpoch (how peers learn truncations) stays allowed.
func TestVolumeEpoch(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, nil)
	if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 1, Epoch: 7}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		g := newGen(int64(round), 2)
		_, err := appendBatches(t, n.cli, req(uint32(20+round), 6, g.batch(t, 2)))
		if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "stale epoch 6 < 7") {
			t.Fatalf("round %d: stale append to a new group: %v", round, err)
		}
		if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: uint32(30 + round), Epoch: 6}); status.Code(err) != codes.FailedPrecondition {
			t.Fatalf("round %d: stale RaiseEpoch of a new group: %v", round, err)
		}
		if st := groupStatus(t, n.cli, uint32(20+round)); st.Highest != 0 {
			t.Fatalf("round %d: the stale records were stored: %+v", round, st)
		}
		n.stop()
		n = startNode(t, dir, nil)
	}
	// The current epoch creates groups and appends.
	g := newGen(9, 2)
	if acks, err := appendBatches(t, n.cli, req(40, 7, g.batch(t, 3))); err != nil || len(acks) != 1 {
		t.Fatalf("append at the volume epoch: %v %v", acks, err)
	}
	// A group left at an older epoch (not raised by the newest writer)
	// still answers an equal-epoch RaiseEpoch but refuses its writer.
	if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 50, Epoch: 8}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 1, Epoch: 7}); err != nil {
		t.Fatalf("equal-epoch RaiseEpoch below the volume epoch: %v", err)
	}
	if _, err := n.cli.Truncate(ctxT(t), &storagerpc.TruncateRequest{PG: 1, Epoch: 7, Range: storagerpc.Range{After: 10, Before: 20}}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("truncate below the volume epoch: %v", err)
	}
}

// TestHeldIndexBounded: the index of held records keeps only what is above
// min(SCL, reported VDL), however much was written.
func TestHeldIndexBounded(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	g := newGen(3, 4)
	const batches, per = 50, 20
	for i := 0; i < batches; i++ {
		recs := g.batch(t, per)
		r := req(2, 1, recs)
		r.VDL = recs[len(recs)-1].LSN - 5 // the last few are not durable yet
		if _, err := appendBatches(t, n.cli, r); err != nil {
			t.Fatal(err)
		}
	}
	n.mu.RLock()
	grp := n.groups[2]
	held, next, base, scl := len(grp.held), len(grp.next), grp.base, grp.scl
	n.mu.RUnlock()
	if held > per || next > per+1 {
		t.Fatalf("after %d records the index holds %d records (%d links), want at most %d", batches*per, held, next, per)
	}
	if base == 0 || base > scl {
		t.Fatalf("base %d, SCL %d", base, scl)
	}
	// Duplicates at or below base are still recognised as held.
	if acks, err := appendBatches(t, n.cli, req(2, 1, g.all[:10])); err != nil || acks[0].SCL != scl {
		t.Fatalf("resend of old records: %v %v (SCL %d)", acks, err, scl)
	}
	if st := groupStatus(t, n.cli, 2); st.SCL != g.all[len(g.all)-1].LSN {
		t.Fatalf("SCL %d, want %d", st.SCL, g.all[len(g.all)-1].LSN)
	}
}

// TestGCBelowReportedVDL: a min read point reported above the VDL does not
// let the GC horizon pass the VDL (recovery fetches from the highest
// reported VDL, which must stay servable), and the group still serves
// Fetch from its VDL.
func TestGCBelowReportedVDL(t *testing.T) {
	n := startNode(t, t.TempDir(), func(c *Config) { c.MemtableSize = 1; c.CompactLayers = 2 })
	g := newGen(21, 3)
	g.batch(t, 30)
	vdl := g.all[9].LSN
	for i := 0; i < 6; i++ {
		r := req(1, 1, g.all[5*i:5*i+5])
		r.VDL = min(g.all[5*i+4].LSN, vdl)
		r.MinReadPoint = g.all[29].LSN // above the VDL
		if _, err := appendBatches(t, n.cli, r); err != nil {
			t.Fatal(err)
		}
		waitFlushed(t, n, 1, r.VDL)
	}
	var h redo.LSN
	eventually(t, "GC horizon to rise", func() bool { h = groupStatus(t, n.cli, 1).GCHorizon; return h > 0 })
	if h > vdl {
		t.Fatalf("GC horizon %d above the reported VDL %d", h, vdl)
	}
	s, err := n.cli.Fetch(ctxT(t), &storagerpc.FetchRequest{PG: 1, After: vdl})
	if err == nil {
		_, err = s.Recv()
	}
	if err != nil {
		t.Fatalf("Fetch from the reported VDL %d (horizon %d): %v", vdl, h, err)
	}
}
