package segment

import (
	"strings"
	"testing"


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
