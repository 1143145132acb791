package quorum

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/redo"
)

// bareVolume builds a Volume with its bookkeeping but no connections or
// streams, to test the logic around the Tracker.
func bareVolume(t *testing.T, start redo.LSN) *Volume {
	t.Helper()
	cfg, err := Config{Layout: Layout{SegmentPages: 16, Nodes: sixNodes()}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return &Volume{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, tr: NewTracker(start), next: start + 1,
		lastPage: map[redo.PageID]redo.LSN{}, pageLimit: lastPageLimit, groups: map[uint32]*vgroup{}, changed: make(chan struct{}), room: make(chan struct{})}
}

// TestLastPageBounded: the page -> last LSN map keeps at most pageLimit
// pages once their records are durable, the most recently written ones,
// and its insertion log stays proportional to it; a forgotten page takes
// the caller's PrevPage.
func TestLastPageBounded(t *testing.T) {
	v := bareVolume(t, 0)
	v.pageLimit = 8
	v.cfg.Layout.SegmentPages = 1 << 20 // every page in group 0
	g := v.addBareGroup(0)
	for i := 0; i < 4; i++ {
		g.replicas[i].connected = true
		v.tr.SetConnected(0, i, true)
	}
	ctx := context.Background()
	last := map[redo.PageID]redo.LSN{}
	for n := 0; n < 2000; n++ {
		p := redo.PageID(1 + n%13)
		if n%7 == 0 {
			p = redo.PageID(100 + n) // pages written once
		}
		rec := redo.Noop(p)
		rec.PrevPage = last[p] // what a buffer pool holding the page knows
		recs := []redo.Record{rec}
		lsns, err := v.Append(ctx, recs)
		if err != nil {
			t.Fatal(err)
		}
		// The Volume's own link when it still knows the page, the caller's
		// otherwise: either way the page's previous record.
		if recs[0].PrevPage != last[p] {
			t.Fatalf("append %d: PrevPage %d, want %d", n, recs[0].PrevPage, last[p])
		}
		v.mu.Lock()
		for i := 0; i < 4; i++ {
			g.replicas[i].takeLocked(len(g.replicas[i].queue)) // sent
			v.mu.Unlock()
			v.onAck(g.replicas[i], lsns[0])
			v.mu.Lock()
		}
		pages, logLen := len(v.lastPage), len(v.pageLog)-v.pageHead
		v.mu.Unlock()
		if pages > v.pageLimit || logLen > 2*v.pageLimit+1024+1 {
			t.Fatalf("after %d appends: %d pages remembered, log of %d", n+1, pages, logLen)
		}
		if v.VDL() != lsns[0] {
			t.Fatalf("VDL %d, want %d", v.VDL(), lsns[0])
		}
		last[p] = lsns[0]
	}
}

// addGroup registers a group with replicas but no stream goroutines.
func (v *Volume) addBareGroup(pg uint32) *vgroup {
	g := &vgroup{pg: pg, peers: v.cfg.Layout.Peers(pg)}
	for i, n := range v.cfg.Layout.Replicas(pg) {
		g.replicas[i] = &replica{v: v, g: g, idx: i, node: n, wake: make(chan struct{}, 1), lastErr: errors.New("connection refused")}
	}
	v.groups[pg] = g
	v.tr.AddGroup(pg, 0)
	return g
}

func TestAppendRejectsBadInput(t *testing.T) {
	v := bareVolume(t, 0)
	tests := []struct {
		name string
		recs []redo.Record
		want string
	}{
		{"empty", nil, "empty mini-transaction"},
		{"invalid op", []redo.Record{{Page: 1}}, "invalid op"},
		{"marker page", []redo.Record{redo.Noop(MarkerPage)}, "marker page"},
		{"huge payload", []redo.Record{{Page: 1, Op: redo.OpSetSpecial, Payload: make([]byte, redo.MaxPayload+1)}}, "exceeds"},
		{"page beyond the groups", []redo.Record{redo.Noop(1 << 40)}, "beyond the last protection group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Append(context.Background(), tc.recs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestAppendAssignsLinksAndWaitExplains(t *testing.T) {
	v := bareVolume(t, 100)
	v.addBareGroup(0)
	v.addBareGroup(1)
	// Mark four replicas of group 0 connected, group 1 has none.
	for i := 0; i < 4; i++ {
		v.groups[0].replicas[i].connected = true
		v.tr.SetConnected(0, i, true)
	}
	recs := []redo.Record{redo.InitPage(3, 1, 0), redo.InitPage(20, 1, 0), redo.SetFlags(3, 7)}
	recs[0].PrevPage = 42 // the caller's page LSN is kept for a page the Volume has not written
	lsns, err := v.Append(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	want := []redo.Record{
		{LSN: 101, PrevVolume: 100, PrevGroup: 0, PrevPage: 42, Page: 3},
		{LSN: 102, PrevVolume: 101, PrevGroup: 0, PrevPage: 0, Page: 20},
		{LSN: 103, PrevVolume: 102, PrevGroup: 101, PrevPage: 101, Page: 3, CPL: true},
	}
	for i, w := range want {
		r := recs[i]
		if lsns[i] != w.LSN || r.LSN != w.LSN || r.PrevVolume != w.PrevVolume || r.PrevGroup != w.PrevGroup || r.PrevPage != w.PrevPage || r.CPL != w.CPL {
			t.Errorf("record %d: %+v, want links %+v", i, r, w)
		}
	}
	// Four acks of group 0 are not enough: group 1 holds VDL back.
	for i := 0; i < 4; i++ {
		v.onAck(v.groups[0].replicas[i], 103)
	}
	if v.VDL() != 100 {
		t.Fatalf("VDL %d with group 1 unacknowledged", v.VDL())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err = v.WaitDurable(ctx, 103)
	if !errors.Is(err, ErrNoQuorum) || !errors.Is(err, context.DeadlineExceeded) ||
		!strings.Contains(err.Error(), "protection group 1 has 0 of 6 replicas acknowledging LSN 102, needs 4: b1 (connection refused)") {
		t.Fatalf("unclear error: %v", err)
	}
	for i := 0; i < 4; i++ {
		v.onAck(v.groups[1].replicas[i], 102)
	}
	if err := v.WaitDurable(context.Background(), 103); err != nil || v.VDL() != 103 {
		t.Fatalf("WaitDurable: %v, VDL %d", err, v.VDL())
	}
	// Durable records are forgotten.
	for pg, g := range v.groups {
		if len(g.retained) != 0 {
			t.Errorf("group %d retains %d records", pg, len(g.retained))
		}
	}
	// Fencing fails every wait.
	v.mu.Lock()
	v.fail(ErrFenced)
	v.mu.Unlock()
	if err := v.WaitDurable(context.Background(), 200); !errors.Is(err, ErrFenced) {
		t.Fatalf("wait after fencing: %v", err)
	}
	if _, err := v.Append(context.Background(), []redo.Record{redo.Noop(3)}); !errors.Is(err, ErrFenced) {
		t.Fatalf("append after fencing: %v", err)
	}
}

func TestReadPoint(t *testing.T) {
	v := bareVolume(t, 0)
	v.addBareGroup(0)
	v.addBareGroup(1)
	// Group 0: records 1, 3, 5; group 1: 2, 4. Group 0 acked to 3.
	pgOf := map[redo.LSN]uint32{1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
	for l := redo.LSN(1); l <= 5; l++ {
		pg := pgOf[l]
		r := redo.Noop(redo.PageID(16*pg + 1))
		v.mu.Lock()
		if _, err := v.appendLocked(&r, pg, l); err != nil {
			t.Fatal(err)
		}
		v.next = l + 1
		v.mu.Unlock()
	}
	for i := 0; i < 4; i++ {
		v.onAck(v.groups[0].replicas[i], 3)
		v.onAck(v.groups[1].replicas[i], 4)
	}
	tests := []struct {
		pg        uint32
		lsn, want redo.LSN
	}{
		{0, 10, 5}, // above the group's last record
		{0, 5, 5},
		{0, 4, 3}, // between retained records? 3 is durable: the one before 5
		{0, 3, 3},
		{1, 4, 4},
		{1, 100, 4},
		{1, 3, 3}, // group 1 fully durable: nothing retained, ask at lsn
		{7, 9, 9}, // unknown group
	}
	for _, tc := range tests {
		v.mu.Lock()
		got := v.readPointLocked(tc.pg, tc.lsn)
		v.mu.Unlock()
		if got != tc.want {
			t.Errorf("readPoint(group %d, %d) = %d, want %d", tc.pg, tc.lsn, got, tc.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(context.Background(), Config{Layout: Layout{Nodes: sixNodes()[:4]}}); err == nil || !strings.Contains(err.Error(), "span 2 AZs") {
		t.Fatalf("open with two AZs: %v", err)
	}
	// Six addresses where nothing listens.
	nodes := sixNodes()
	for i := range nodes {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		nodes[i].Addr = ln.Addr().String()
		_ = ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, Config{Layout: Layout{Nodes: nodes}, CallTimeout: 2 * time.Second, DialTimeout: time.Second})
	if !errors.Is(err, ErrNoQuorum) || !strings.Contains(err.Error(), "protection group 0 has 0 of 6 replicas answering, needs 4") ||
		!strings.Contains(err.Error(), "a1 (") {
		t.Fatalf("open with no storage: %v", err)
	}
}

// TestSlowReplicaStreamIsDropped: replicas whose queues overflow while a
// write quorum of the group keeps up are dropped; the records stay retained
// for their reconnect.
func TestSlowReplicaStreamIsDropped(t *testing.T) {
	v := bareVolume(t, 0)
	v.cfg.QueueLimit = 40 // back-pressure mark: 5 batches
	g := v.addBareGroup(0)
	for _, r := range g.replicas {
		r.connected = true
	}
	const fast = WriteQuorum // replicas 0..3 drain their queues, 4 and 5 never do
	const appends = 41       // the 41st overflows the slow queues
	for i := 0; i < appends; i++ {
		if _, err := v.Append(context.Background(), []redo.Record{redo.SetFlags(5, uint16(i))}); err != nil {
			t.Fatal(err)
		}
		v.mu.Lock()
		for _, r := range g.replicas[:fast] {
			r.takeLocked(len(r.queue))
		}
		v.mu.Unlock()
	}
	st := v.Status()
	for i, r := range st.Groups[0].Replicas {
		slow := i >= fast
		if slow && (r.Connected || r.Queued != 0 || !strings.Contains(r.Err, "too slow") || r.Drops != 1) {
			t.Fatalf("slow replica %s after overflowing its queue: %+v", r.Node.Name, r)
		}
		if !slow && (!r.Connected || r.Drops != 0) {
			t.Fatalf("fast replica %s: %+v", r.Node.Name, r)
		}
	}
	if st.StreamDrops != Replicas-fast {
		t.Fatalf("StreamDrops %d, want %d", st.StreamDrops, Replicas-fast)
	}
	if !st.Groups[0].HasQuorum {
		t.Fatal("group with four streams up reports no quorum")
	}
	// The records are still retained for the reconnect.
	if n := len(g.retained); n != appends {
		t.Fatalf("%d records retained, want %d", n, appends)
	}
}

// TestAppendWaitsForQueueRoom: while fewer than a write quorum of a group's
// connected replicas have room in their send queues, Append waits (until
// its context ends) instead of overflowing them; room on a fourth replica
// lets it go on, and no stream is dropped.
func TestAppendWaitsForQueueRoom(t *testing.T) {
	v := bareVolume(t, 0)
	v.cfg.QueueLimit = 16 // back-pressure mark: 2 batches
	g := v.addBareGroup(0)
	for _, r := range g.replicas {
		r.connected = true
	}
	for i := 0; i < 2; i++ {
		if _, err := v.Append(context.Background(), []redo.Record{redo.SetFlags(5, uint16(i))}); err != nil {
			t.Fatal(err)
		}
	}
	// Every queue is at the mark: the next append waits.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_, err := v.Append(ctx, []redo.Record{redo.SetFlags(5, 9)})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "room in the send queues of group 0") {
		t.Fatalf("append with every queue full: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := v.Append(context.Background(), []redo.Record{redo.SetFlags(5, 10)})
		done <- err
	}()
	// Three replicas with room are not a write quorum; the fourth is.
	for i := 0; i < WriteQuorum; i++ {
		v.mu.Lock()
		g.replicas[i].takeLocked(len(g.replicas[i].queue))
		v.mu.Unlock()
		if i < WriteQuorum-1 {
			select {
			case err := <-done:
				t.Fatalf("append went on with %d replicas with room: %v", i+1, err)
			default:
			}
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("append still waits with a write quorum of queues drained")
	}
	if st := v.Status(); st.StreamDrops != 0 {
		t.Fatalf("streams dropped: %+v", st)
	}
}
