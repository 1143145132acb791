package segment

import (
	"bytes"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestAppendAcksSCL(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	g := newGen(1, 4)
	var reqs []*storagerpc.AppendRequest
	var want []redo.LSN
	for i := 0; i < 5; i++ {
		recs := g.batch(t, 1+i)
		reqs = append(reqs, req(7, 1, recs))
		want = append(want, recs[len(recs)-1].LSN)
	}
	reqs[0].Peers = []string{n.Addr()}
	acks, err := appendBatches(t, n.cli, reqs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != len(reqs) {
		t.Fatalf("%d acks for %d requests", len(acks), len(reqs))
	}
	// Group commit may cover several requests with one fsync: each ack
	// carries the SCL after its batch, so at least its own last record, and
	// acks never go backwards.
	for i, a := range acks {
		if a.PG != 7 || a.SCL < want[i] || a.Highest != a.SCL || (i > 0 && a.SCL < acks[i-1].SCL) {
			t.Errorf("ack %d = %+v, want SCL=Highest>=%d, monotonic", i, a, want[i])
		}
	}
	if last := acks[len(acks)-1]; last.SCL != g.lsn {
		t.Errorf("last ack SCL %d, want %d", last.SCL, g.lsn)
	}
	st := groupStatus(t, n.cli, 7)
	if st.SCL != g.lsn || st.Epoch != 1 || len(st.Peers) != 1 {
		t.Errorf("status %+v, want SCL %d epoch 1 one peer", st, g.lsn)
	}
}

func TestGapsAndDuplicates(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	g := newGen(2, 3)
	recs := g.batch(t, 6)
	cases := []struct {
		name         string
		send         []redo.Record
		scl, highest redo.LSN
	}{
		{"first two", recs[0:2], recs[1].LSN, recs[1].LSN},
		{"after a gap", recs[3:5], recs[1].LSN, recs[4].LSN},
		{"duplicate below SCL", recs[0:1], recs[1].LSN, recs[4].LSN},
		{"fill the gap", recs[2:3], recs[4].LSN, recs[4].LSN},
		{"duplicates and one new", recs[3:6], recs[5].LSN, recs[5].LSN},
	}
	for _, c := range cases {
		acks, err := appendBatches(t, n.cli, req(1, 1, c.send))
		if err != nil || len(acks) != 1 {
			t.Fatalf("%s: acks %v err %v", c.name, acks, err)
		}
		if acks[0].SCL != c.scl || acks[0].Highest != c.highest {
			t.Errorf("%s: ack SCL %d Highest %d, want %d %d", c.name, acks[0].SCL, acks[0].Highest, c.scl, c.highest)
		}
	}
	// A page read above SCL is refused until the gap is filled.
	p := redo.PageID(10)
	_, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: p, LSN: recs[5].LSN + 1})
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "replica complete only to SCL") {
		t.Errorf("GetPage above SCL: %v", err)
	}
}

func TestBadBatchRejectedChangesNothing(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	g := newGen(3, 2)
	recs := g.batch(t, 3)
	if _, err := appendBatches(t, n.cli, req(1, 1, recs[:1])); err != nil {
		t.Fatal(err)
	}
	bad := encode(recs[1:])
	bad[len(bad)-3] ^= 0xff // checksum of the last record
	_, err := appendBatches(t, n.cli, &storagerpc.AppendRequest{Epoch: 1, PG: 1, Records: bad})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad batch: %v, want InvalidArgument", err)
	}
	if st := groupStatus(t, n.cli, 1); st.Highest != recs[0].LSN {
		t.Errorf("bad batch changed state: %+v", st)
	}
}

func TestEpochs(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, nil)
	g := newGen(4, 2)
	resp, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 3, Epoch: 5, Peers: []string{"x:1", n.Addr()}})
	if err != nil || resp.SCL != 0 {
		t.Fatalf("raise epoch: %+v %v", resp, err)
	}
	_, err = appendBatches(t, n.cli, req(3, 4, g.batch(t, 2)))
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "stale epoch 4 < 5") {
		t.Fatalf("stale append: %v", err)
	}
	if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 3, Epoch: 2}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("lower RaiseEpoch: %v", err)
	}
	g = newGen(4, 2)
	acks, err := appendBatches(t, n.cli, req(3, 9, g.batch(t, 2)))
	if err != nil || len(acks) != 1 {
		t.Fatalf("higher epoch append: %v %v", acks, err)
	}
	// A stream that carries a stale request after good ones gets its acks, then the error.
	acks, err = appendBatches(t, n.cli, req(3, 9, g.batch(t, 1)), req(3, 8, g.batch(t, 1)))
	if len(acks) != 1 || status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("mixed stream: %d acks, %v", len(acks), err)
	}
	n.stop()
	n = startNode(t, dir, nil)
	if st := groupStatus(t, n.cli, 3); st.Epoch != 9 || len(st.Peers) != 2 {
		t.Errorf("after restart: %+v, want epoch 9 and 2 peers", st)
	}
}

func TestTruncate(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, nil)
	g := newGen(5, 3)
	recs := g.batch(t, 10)
	if _, err := appendBatches(t, n.cli, req(1, 2, recs)); err != nil {
		t.Fatal(err)
	}
	rg := storagerpc.Range{After: recs[4].LSN, Before: recs[9].LSN + 100}
	if _, err := n.cli.Truncate(ctxT(t), &storagerpc.TruncateRequest{PG: 1, Epoch: 1, Range: rg}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("truncate with another epoch: %v", err)
	}
	resp, err := n.cli.Truncate(ctxT(t), &storagerpc.TruncateRequest{PG: 1, Epoch: 2, Range: rg})
	if err != nil {
		t.Fatal(err)
	}
	if resp.SCL != recs[4].LSN || resp.Highest != recs[4].LSN || len(resp.Truncations) != 1 {
		t.Fatalf("truncate response %+v", resp)
	}
	// Records inside the range are refused from then on.
	acks, err := appendBatches(t, n.cli, req(1, 2, recs[5:7]))
	if err != nil || acks[0].Highest != recs[4].LSN {
		t.Fatalf("append into truncated range: %v %v", acks, err)
	}
	// Pages read at the truncation point equal the records up to it.
	for page := redo.PageID(10); page < 13; page++ {
		got, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: page, LSN: recs[4].LSN})
		if err != nil {
			t.Fatal(err)
		}
		if want := g.pageAt(t, page, recs[4].LSN); !bytes.Equal(got.Page, want[:]) {
			t.Errorf("page %d differs after truncation", page)
		}
	}
	n.stop()
	n = startNode(t, dir, nil)
	if st := groupStatus(t, n.cli, 1); st.SCL != recs[4].LSN || st.Highest != recs[4].LSN {
		t.Errorf("after restart: %+v", st)
	}
}

func TestFirstRequestTruncations(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	g := newGen(6, 2)
	old := g.batch(t, 8)
	if _, err := appendBatches(t, n.cli, req(1, 1, old)); err != nil {
		t.Fatal(err)
	}
	// A new writer recovered to old[3]; its stream starts with the truncation
	// and continues the chain from old[3].
	rg := storagerpc.Range{After: old[3].LSN, Before: old[7].LSN + 50}
	ng := newGen(6, 2)
	ng.batch(t, 4) // same first four records
	ng.lsn = rg.Before
	fresh := ng.batch(t, 3)
	first := req(1, 2, fresh)
	first.Truncations = []storagerpc.Range{rg}
	acks, err := appendBatches(t, n.cli, first)
	if err != nil {
		t.Fatal(err)
	}
	if acks[0].SCL != fresh[2].LSN || acks[0].Highest != fresh[2].LSN {
		t.Fatalf("ack %+v, want SCL %d", acks[0], fresh[2].LSN)
	}
	for page := redo.PageID(10); page < 12; page++ {
		got, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: page, LSN: fresh[2].LSN})
		if err != nil {
			t.Fatal(err)
		}
		if want := ng.pageAt(t, page, fresh[2].LSN); !bytes.Equal(got.Page, want[:]) {
			t.Errorf("page %d holds truncated records", page)
		}
	}
}

// TestUnapplicableRecordIsDataLoss: a record that decodes but cannot apply
// (here an insert on a page never formatted) makes GetPage fail, never
// return a page.
func TestUnapplicableRecordIsDataLoss(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	r := redo.InsertItem(10, 0, []byte("x"))
	r.LSN = 1
	if _, err := appendBatches(t, n.cli, req(1, 1, []redo.Record{r})); err != nil {
		t.Fatal(err)
	}
	_, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: 10, LSN: 1})
	if status.Code(err) != codes.DataLoss {
		t.Fatalf("GetPage over an unapplicable record: %v, want DataLoss", err)
	}
}
