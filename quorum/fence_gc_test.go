package quorum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/borealis-db/borealis/quorum"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// TestVolumeFencingNewGroup: once a new writer has recovered, the old writer
// cannot make anything durable, not even in a protection group that did not
// exist when the new writer raised the epoch (the nodes' volume epoch
// refuses it), and no node stores its record. The new writer then uses that
// group normally.
func TestVolumeFencingNewGroup(t *testing.T) {
	c := startCluster(t) // 64 pages per group
	ctx := context.Background()
	v1 := openVolume(t, c)
	m := newModel()
	first := []redo.Record{redo.InitPage(1, 1, 8), redo.InsertItem(1, 0, []byte("old writer, group 0"))}
	lsns, err := v1.Append(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	m.appended(first)
	if err := v1.WaitDurable(ctx, lsns[len(lsns)-1]); err != nil {
		t.Fatal(err)
	}
	m.acked(first)

	v2 := openVolume(t, c)

	// The old writer's streams of a group it creates now, as they would
	// run before any refusal reached it: straight to every replica.
	rec := redo.InitPage(9*64+7, 1, 8)
	rec.LSN, rec.CPL = v2.VDL()+1_000_000, true
	raw := rec.Encode()
	acks := 0
	for _, n := range c.Layout().Replicas(9) {
		if staleAppend(t, n.Addr, &storagerpc.AppendRequest{Epoch: v1.Epoch(), PG: 9, Peers: c.Layout().Peers(9), VDL: rec.LSN, Records: raw}) {
			acks++
		}
	}
	if acks >= quorum.WriteQuorum {
		t.Fatalf("%d replicas acknowledged the fenced writer's record in a new group: it is durable", acks)
	}
	t.Logf("%d of %d replicas acknowledged the fenced writer's record in a new group", acks, quorum.Replicas)

	// Group 9 (pages 576..639) exists nowhere yet.
	const page = redo.PageID(9*64 + 5)
	stale := []redo.Record{redo.InitPage(page, 1, 8), redo.InsertItem(page, 0, []byte("fenced writer, new group"))}
	lsns, err = v1.Append(ctx, stale)
	if err == nil {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = v1.WaitDurable(wctx, lsns[len(lsns)-1])
		cancel()
	}
	if !errors.Is(err, quorum.ErrFenced) {
		t.Fatalf("old writer's mini-transaction in a new group ended with %v, want ErrFenced", err)
	}
	t.Logf("old writer refused: %v", err)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, name := range c.Names() {
		st, err := c.Status(sctx, name)
		if err != nil {
			t.Fatalf("status of %s: %v", name, err)
		}
		for _, g := range st.Groups {
			if g.PG == 9 && g.Highest != 0 {
				t.Fatalf("node %s stored records of the fenced writer in group 9 (highest %d, epoch %d)", name, g.Highest, g.Epoch)
			}
		}
	}

	// The new writer sees nothing of it and writes the group itself.
	fresh := []redo.Record{redo.InitPage(page, 1, 8), redo.InsertItem(page, 0, []byte("new writer"))}
	lsns, err = v2.Append(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	m.appended(fresh)
	if err := v2.WaitDurable(ctx, lsns[len(lsns)-1]); err != nil {
		t.Fatal(err)
	}
	m.acked(fresh)
	m.verify(t, v2)
}

// TestVolumeRecoveryAfterGC: storage nodes with a tiny memtable flush and
// compact often while the writer advances its min read point, so replicas
// collect garbage; then the writer crashes and a new one recovers (reading
// every group's tail from the highest reported VDL, which no replica has
// collected past), twice, and every acknowledged record reads back.
func TestVolumeRecoveryAfterGC(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: starts six storage processes")
	}
	c := segtest.Start(t, binary, segtest.Options{SegmentPages: 64,
		Args: []string{"--memtable-size", "8192", "--compact-layers", "2"}})
	rng := newRand(t)
	m := newModel()
	collected := func() int { // groups with a GC horizon on some node
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pgs := map[uint32]bool{}
		for _, name := range c.Names() {
			st, err := c.Status(ctx, name)
			if err != nil {
				t.Fatalf("status of %s: %v", name, err)
			}
			for _, g := range st.Groups {
				if g.GCHorizon > 0 {
					pgs[g.PG] = true
				}
			}
		}
		return len(pgs)
	}
	for gen := 0; gen < 2; gen++ {
		v := openVolume(t, c)
		if gen > 0 {
			m.verify(t, v)
		}
		w := newWorkload(t, rng, m)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan []error)
		go func() { done <- w.run(ctx, v) }()
		base := collected()
		deadline := time.Now().Add(3 * time.Minute)
		for collected() < min(base+2, 4) || w.count() < 200 {
			if time.Now().After(deadline) {
				t.Fatalf("no garbage collected on enough groups after %d transactions (groups collected: %d)", w.count(), collected())
			}
			v.SetMinReadPoint(v.VDL())
			time.Sleep(20 * time.Millisecond)
		}
		_ = v.Close() // crash: in-flight records are abandoned
		for _, err := range <-done {
			if err != nil && !errors.Is(err, quorum.ErrClosed) {
				t.Fatalf("writer ended with %v, want ErrClosed", err)
			}
		}
		cancel()
		t.Logf("generation %d crashed after %d transactions, %d groups collected", gen, w.count(), collected())
	}
	v := openVolume(t, c)
	m.verify(t, v)
}

// staleAppend sends one Append request on a fresh stream to addr and reports
// whether it was acknowledged; a refusal must be FailedPrecondition.
func staleAppend(t *testing.T, addr string, req *storagerpc.AppendRequest) bool {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := storagerpc.NewClient(cc).Append(ctx)
	if err != nil {
		t.Fatalf("open append stream to %s: %v", addr, err)
	}
	if err := s.Send(req); err != nil {
		t.Fatalf("send to %s: %v", addr, err)
	}
	_, err = s.Recv()
	if err == nil {
		return true
	}
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("stale append to %s refused with %v, want FailedPrecondition", addr, err)
	}
	return false
}
