package segment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// repairLoop compares every group with its peers each RepairInterval and
// fetches what this replica misses (gossip repair).
func (n *Node) repairLoop(ctx context.Context) {
	t := time.NewTicker(n.cfg.RepairInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.repairOnce(ctx)
		}
	}
}

type groupView struct {
	pg           uint32
	epoch        uint64
	scl, highest redo.LSN
	peers        []string
}

func (n *Node) isSelf(addr string) bool { return addr == n.Addr() || addr == n.cfg.Listen }

// repairOnce runs one round of repair over every group. Only repairLoop
// calls it (repairSeen is that goroutine's).
func (n *Node) repairOnce(ctx context.Context) {
	n.mu.RLock()
	var views []groupView
	peers := map[string]bool{}
	for _, g := range n.groups {
		views = append(views, groupView{pg: g.pg, epoch: g.epoch, scl: g.durSCL, highest: g.durHighest, peers: slices.Clone(g.peers)})
		for _, p := range g.peers {
			if !n.isSelf(p) {
				peers[p] = true
			}
		}
	}
	n.mu.RUnlock()
	// prev: per group, the highest SCL a peer reported (or our own Highest)
	// in the previous round; seen collects it for the next.
	prev := n.repairSeen
	seen := map[uint32]redo.LSN{}
	defer func() { n.repairSeen = seen }()
	statuses := map[string]*storagerpc.StatusResponse{}
	for p := range peers {
		cctx, cancel := context.WithTimeout(ctx, n.cfg.RPCTimeout)
		c, err := n.client(p)
		if err == nil {
			var st *storagerpc.StatusResponse
			if st, err = c.Status(cctx, &storagerpc.StatusRequest{}); err == nil {
				statuses[p] = st
			}
		}
		cancel()
		if err != nil {
			n.log.Debug("peer status failed", "peer", p, "err", err)
		}
	}
	for _, v := range views {
		for _, p := range v.peers {
			st := statuses[p]
			if st == nil || ctx.Err() != nil {
				continue
			}
			i := slices.IndexFunc(st.Groups, func(gs storagerpc.GroupStatus) bool { return gs.PG == v.pg })
			if i < 0 {
				continue
			}
			ps := st.Groups[i]
			// Something to learn: records (the peer is ahead, or we have a
			// gap), a higher epoch, or truncations (the peer holds less than
			// we do at our epoch: a recovery may have cut what we hold).
			// Records count only when this replica did not reach, within a
			// round, what it lacked in the previous round: a replica that
			// is merely a little behind in the writer's stream (a deep
			// pipeline, a busy disk) catches up from the stream, and
			// fetching the same records from every peer as well would slow
			// it down further.
			target := max(ps.SCL, v.highest)
			behind := (ps.SCL > v.scl || v.highest > v.scl) && prev[v.pg] > v.scl
			seen[v.pg] = max(seen[v.pg], target)
			cut := ps.Epoch == v.epoch && ps.Highest < v.highest
			if !behind && !cut && ps.Epoch <= v.epoch {
				continue
			}
			got, err := n.repairFrom(ctx, p, v, ps)
			if err != nil {
				n.log.Warn("repair from peer failed", "pg", v.pg, "peer", p, "err", err)
				continue
			}
			if got > 0 {
				n.log.Info("repaired records from peer", "pg", v.pg, "peer", p, "records", got, "after", v.scl)
				n.met.repaired.Add(float64(got))
			}
			n.mu.RLock()
			if g := n.groups[v.pg]; g != nil {
				v.scl, v.highest, v.epoch = g.durSCL, g.durHighest, g.epoch
			}
			n.mu.RUnlock()
		}
	}
}

// repairFrom adopts a peer's higher epoch and its truncations, then fetches
// the records above our SCL that it holds.
func (n *Node) repairFrom(ctx context.Context, peer string, v groupView, ps storagerpc.GroupStatus) (int, error) {
	c, err := n.client(peer)
	if err != nil {
		return 0, err
	}
	if ps.Epoch > v.epoch {
		t := newTask(taskEpoch, v.pg)
		t.epoch, t.repair = ps.Epoch, true
		if err := n.submit(t); err != nil {
			return 0, err
		}
		if err := wait(ctx, t); err != nil {
			return 0, fmt.Errorf("adopt epoch %d: %w", ps.Epoch, err)
		}
	}
	// Learn the peer's truncations (an equal-epoch RaiseEpoch changes
	// nothing there) so that no record a recovery dropped is taken back in.
	cctx, cancel := context.WithTimeout(ctx, n.cfg.RPCTimeout)
	er, err := c.RaiseEpoch(cctx, &storagerpc.EpochRequest{PG: v.pg, Epoch: ps.Epoch})
	cancel()
	if err != nil {
		return 0, fmt.Errorf("read peer truncations: %w", err)
	}
	for _, r := range er.Truncations {
		n.mu.RLock()
		g := n.groups[v.pg]
		known := g != nil && g.hasTrunc(r)
		epoch := uint64(0)
		if g != nil {
			epoch = g.epoch
		}
		n.mu.RUnlock()
		if known {
			continue
		}
		t := newTask(taskTruncate, v.pg)
		t.epoch, t.rng, t.repair = epoch, r, true
		if err := n.submit(t); err != nil {
			return 0, err
		}
		if err := wait(ctx, t); err != nil {
			return 0, fmt.Errorf("adopt truncation (%d, %d): %w", r.After, r.Before, err)
		}
	}
	if ps.SCL <= v.scl && v.highest <= v.scl {
		return 0, nil
	}
	n.mu.RLock()
	after := v.scl
	if g := n.groups[v.pg]; g != nil {
		after = g.durSCL
	}
	n.mu.RUnlock()
	fctx, fcancel := context.WithTimeout(ctx, 10*n.cfg.RPCTimeout)
	defer fcancel()
	s, err := c.Fetch(fctx, &storagerpc.FetchRequest{PG: v.pg, After: after})
	if err != nil {
		return 0, fmt.Errorf("fetch after %d: %w", after, err)
	}
	got := 0
	for {
		ch, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, fmt.Errorf("fetch after %d: %w", after, err)
		}
		if len(ch.Records) == 0 {
			continue
		}
		if err := n.insert(ctx, v.pg, ch.Records); err != nil {
			return got, err
		}
		got += countRecords(ch.Records)
	}
}

func countRecords(b []byte) int {
	recs, _ := redo.DecodeAll(b)
	return len(recs)
}

// client returns a cached client for a peer.
func (n *Node) client(addr string) (*storagerpc.Client, error) {
	n.peerMu.Lock()
	defer n.peerMu.Unlock()
	cc := n.conns[addr]
	if cc == nil {
		var err error
		cc, err = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRequest), grpc.MaxCallSendMsgSize(maxRequest)))
		if err != nil {
			return nil, fmt.Errorf("connect to peer %s: %w", addr, err)
		}
		n.conns[addr] = cc
	}
	return storagerpc.NewClient(cc), nil
}
