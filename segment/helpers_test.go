package segment

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// testNode is an in-process node serving on loopback.
type testNode struct {
	*Node
	cfg    Config
	cancel context.CancelFunc
	done   chan error
	cli    *storagerpc.Client
	cc     *grpc.ClientConn
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("SEGMENT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// startNode opens and serves a node on dir; mod adjusts the config.
func startNode(t testing.TB, dir string, mod func(*Config)) *testNode {
	t.Helper()
	cfg := Config{Dir: dir, Listen: "127.0.0.1:0", NodeID: "n", AZ: "a", Logger: testLogger(t),
		RepairInterval: 50 * time.Millisecond, MaintenanceInterval: 50 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	n, err := Open(cfg)
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	return serveNode(t, n, cfg)
}

func serveNode(t testing.TB, n *Node, cfg Config) *testNode {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tn := &testNode{Node: n, cfg: cfg, cancel: cancel, done: make(chan error, 1)}
	go func() { tn.done <- n.Serve(ctx) }()
	cc, err := grpc.NewClient(n.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	tn.cc, tn.cli = cc, storagerpc.NewClient(cc)
	t.Cleanup(tn.stop)
	return tn
}

// stop stops serving and closes the node (idempotent).
func (tn *testNode) stop() {
	if tn.cancel == nil {
		return
	}
	tn.cancel()
	<-tn.done
	tn.cc.Close()
	tn.Close()
	tn.cancel = nil
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// gen builds a random but valid record chain of one group over a few pages,
// applying each record to reference pages as it goes.
type gen struct {
	rng      *rand.Rand
	lsn      redo.LSN
	prevG    redo.LSN
	prevPage map[redo.PageID]redo.LSN
	pages    map[redo.PageID]*redo.Page
	all      []redo.Record
	npages   int
}

func newGen(seed int64, npages int) *gen {
	return &gen{rng: rand.New(rand.NewSource(seed)), prevPage: map[redo.PageID]redo.LSN{}, pages: map[redo.PageID]*redo.Page{}, npages: npages}
}

// next returns the next record of the chain (LSNs of other groups are
// skipped at random).
func (g *gen) next(t testing.TB) redo.Record {
	t.Helper()
	page := redo.PageID(10 + g.rng.Intn(g.npages))
	p := g.pages[page]
	if p == nil {
		p = new(redo.Page)
		g.pages[page] = p
	}
	var r redo.Record
	cnt := p.ItemCount()
	data := make([]byte, 1+g.rng.Intn(40))
	g.rng.Read(data)
	switch op := g.rng.Intn(10); {
	case p.IsZero():
		r = redo.InitPage(page, 1, 0)
	case op < 5 && p.FreeSpace() > 200:
		r = redo.InsertItem(page, g.rng.Intn(cnt+1), data)
	case op < 7 && cnt > 0:
		r = redo.OverwriteItem(page, g.rng.Intn(cnt), data)
	case op < 9 && cnt > 0:
		r = redo.DeleteItem(page, g.rng.Intn(cnt))
	default:
		r = redo.Noop(page)
	}
	r.PrevVolume = g.lsn
	g.lsn += redo.LSN(1 + g.rng.Intn(3))
	r.LSN = g.lsn
	r.PrevGroup = g.prevG
	r.PrevPage = g.prevPage[page]
	r.CPL = g.rng.Intn(3) == 0
	if err := redo.Apply(p, &r); err != nil {
		t.Fatalf("generator made an inapplicable record: %v", err)
	}
	g.prevG = r.LSN
	g.prevPage[page] = r.LSN
	g.all = append(g.all, r)
	return r
}

func (g *gen) batch(t testing.TB, n int) []redo.Record {
	out := make([]redo.Record, n)
	for i := range out {
		out[i] = g.next(t)
	}
	return out
}

// pageAt rebuilds page from the generated records up to lsn directly with
// redo.Apply: the reference GetPage must equal.
func (g *gen) pageAt(t testing.TB, page redo.PageID, lsn redo.LSN) *redo.Page {
	t.Helper()
	p := new(redo.Page)
	for i := range g.all {
		r := g.all[i]
		if r.Page == page && r.LSN <= lsn {
			if err := redo.Apply(p, &r); err != nil {
				t.Fatalf("reference apply: %v", err)
			}
		}
	}
	p.Seal()
	return p
}

func encode(recs []redo.Record) []byte {
	var b []byte
	for i := range recs {
		b = recs[i].Append(b)
	}
	return b
}

// appendBatches opens one Append stream, sends each request and returns the acks.
func appendBatches(t testing.TB, cli *storagerpc.Client, reqs ...*storagerpc.AppendRequest) ([]*storagerpc.AppendAck, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := cli.Append(ctx)
	if err != nil {
		return nil, err
	}
	var acks []*storagerpc.AppendAck
	for _, r := range reqs {
		if err := s.Send(r); err != nil {
			break // the error arrives on Recv
		}
	}
	if err := s.CloseSend(); err != nil {
		return nil, err
	}
	for {
		a, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return acks, nil
		}
		if err != nil {
			return acks, err
		}
		acks = append(acks, a)
	}
}

func req(pg uint32, epoch uint64, recs []redo.Record) *storagerpc.AppendRequest {
	return &storagerpc.AppendRequest{Epoch: epoch, PG: pg, Records: encode(recs)}
}

func groupStatus(t testing.TB, cli *storagerpc.Client, pg uint32) storagerpc.GroupStatus {
	t.Helper()
	st, err := cli.Status(ctxT(t), &storagerpc.StatusRequest{})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, g := range st.Groups {
		if g.PG == pg {
			return g
		}
	}
	return storagerpc.GroupStatus{PG: pg}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func counter(c interface{ Write(*dto.Metric) error }) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

const mstime = time.Millisecond

// damage flips a byte of a file at off.
func damage(t testing.TB, path string, off int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x5a
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFlushed waits until the group's memtable records at or below vdl are
// in a layer, so that a test's batches make separate layers (the maintainer
// would otherwise be free to flush several batches at once, and a test
// waiting for a compaction would never see a second layer).
func waitFlushed(t *testing.T, n *testNode, pg uint32, vdl redo.LSN) {
	t.Helper()
	eventually(t, "memtable flush", func() bool {
		n.mu.RLock()
		defer n.mu.RUnlock()
		g := n.groups[pg]
		return g != nil && g.flushedVDL >= vdl
	})
}
