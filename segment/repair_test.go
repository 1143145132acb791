package segment

import (
	"testing"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// cluster opens n nodes first (so every address is known), then serves them.
func cluster(t *testing.T, count int, mod func(*Config)) ([]*testNode, []string) {
	t.Helper()
	var nodes []*Node
	var cfgs []Config
	var addrs []string
	for i := 0; i < count; i++ {
		cfg := Config{Dir: t.TempDir(), Listen: "127.0.0.1:0", NodeID: string(rune('a' + i)), AZ: "a", Logger: testLogger(t),
			RepairInterval: 30 * mstime, MaintenanceInterval: 50 * mstime}
		if mod != nil {
			mod(&cfg)
		}
		n, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes, cfgs, addrs = append(nodes, n), append(cfgs, cfg), append(addrs, n.Addr())
	}
	var out []*testNode
	for i, n := range nodes {
		cfgs[i].Listen = addrs[i] // a restart keeps the address its peers know
		out = append(out, serveNode(t, n, cfgs[i]))
	}
	return out, addrs
}

func waitSCL(t *testing.T, n *testNode, pg uint32, want redo.LSN) {
	t.Helper()
	eventually(t, "SCL to reach the writer's last LSN", func() bool { return groupStatus(t, n.cli, pg).SCL == want })
}

func TestRepairFromPeers(t *testing.T) {
	nodes, addrs := cluster(t, 3, nil)
	a, b, c := nodes[0], nodes[1], nodes[2]
	g := newGen(30, 5)
	recs := g.batch(t, 40)
	for _, n := range []*testNode{a, b, c} {
		if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 1, Epoch: 1, Peers: addrs}); err != nil {
			t.Fatal(err)
		}
	}
	// C gets the records with a hole in the middle (first, so that no peer
	// can fill it yet); then A and B get everything.
	acks, err := appendBatches(t, c.cli, req(1, 1, recs[:10]), req(1, 1, recs[15:30]))
	if err != nil || acks[1].SCL != recs[9].LSN || acks[1].Highest != recs[29].LSN {
		t.Fatalf("gap on C: acks %v err %v", acks, err)
	}
	for _, n := range []*testNode{a, b} {
		if _, err := appendBatches(t, n.cli, req(1, 1, recs[:30])); err != nil {
			t.Fatal(err)
		}
	}
	waitSCL(t, c, 1, recs[29].LSN)
	checkPages(t, c.cli, prefixGen(g, 30), 1, recs[29].LSN)

	// C goes down; the writer goes on with A and B only; C comes back and catches up.
	cdir, ccfg := c.cfg.Dir, c.cfg
	c.stop()
	for _, n := range []*testNode{a, b} {
		if _, err := appendBatches(t, n.cli, req(1, 1, recs[30:])); err != nil {
			t.Fatal(err)
		}
	}
	ccfg.Dir = cdir
	c = startNode(t, cdir, func(cfg *Config) { *cfg = ccfg })
	waitSCL(t, c, 1, recs[39].LSN)
	checkPages(t, c.cli, g, 1, recs[39].LSN)
	eventually(t, "repaired records to be counted", func() bool { return counter(c.met.repaired) > 0 })
}

// prefixGen is g with only its first n records (for reference pages).
func prefixGen(g *gen, n int) *gen {
	c := *g
	c.all = g.all[:n]
	return &c
}

func TestRepairAdoptsEpochAndTruncation(t *testing.T) {
	nodes, addrs := cluster(t, 2, nil)
	a, b := nodes[0], nodes[1]
	g := newGen(31, 3)
	recs := g.batch(t, 10)
	for _, n := range nodes {
		if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 4, Epoch: 1, Peers: addrs}); err != nil {
			t.Fatal(err)
		}
		if _, err := appendBatches(t, n.cli, req(4, 1, recs)); err != nil {
			t.Fatal(err)
		}
	}
	// A recovery on A only: epoch 2, truncate above recs[5].
	if _, err := a.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 4, Epoch: 2}); err != nil {
		t.Fatal(err)
	}
	rg := storagerpc.Range{After: recs[5].LSN, Before: recs[9].LSN + 10}
	if _, err := a.cli.Truncate(ctxT(t), &storagerpc.TruncateRequest{PG: 4, Epoch: 2, Range: rg}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B to adopt epoch 2 and drop the truncated records", func() bool {
		st := groupStatus(t, b.cli, 4)
		return st.Epoch == 2 && st.Highest == recs[5].LSN
	})
	resp, err := b.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 4, Epoch: 2})
	if err != nil || len(resp.Truncations) != 1 || resp.Truncations[0] != rg {
		t.Fatalf("B's truncations: %+v %v", resp, err)
	}
}

func TestRepairModeRefillsDamagedLog(t *testing.T) {
	nodes, addrs := cluster(t, 2, func(c *Config) { c.LogFileSize = 1 << 10 })
	a, b := nodes[0], nodes[1]
	g := newGen(32, 3)
	for _, n := range nodes {
		if _, err := n.cli.RaiseEpoch(ctxT(t), &storagerpc.EpochRequest{PG: 1, Epoch: 1, Peers: addrs}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 10; i++ {
		recs := g.batch(t, 4)
		for _, n := range nodes {
			if _, err := appendBatches(t, n.cli, req(1, 1, recs)); err != nil {
				t.Fatal(err)
			}
		}
	}
	bcfg := b.cfg
	b.stop()
	logs := nonEmptyLogs(t, bcfg.Dir)
	target := logs[len(logs)/2]
	damage(t, target, 30)
	bcfg.Logger = testLogger(t)
	if _, err := Open(bcfg); err == nil {
		t.Fatal("opened a damaged directory without --repair")
	}
	bcfg.Repair = true
	b = startNode(t, bcfg.Dir, func(c *Config) { *c = bcfg })
	waitSCL(t, b, 1, g.lsn)
	checkPages(t, b.cli, g, 1, g.lsn)
	if st := groupStatus(t, a.cli, 1); st.SCL != g.lsn {
		t.Errorf("peer A changed: %+v", st)
	}
}
