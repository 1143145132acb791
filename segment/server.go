package segment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var _ storagerpc.Server = (*Node)(nil)

// fetchChunk bounds the records bytes of one FetchChunk.
const fetchChunk = 1 << 20

// wait waits for a task to be committed or ctx to end.
func wait(ctx context.Context, t *task) error {
	select {
	case <-t.done:
		return t.err
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// Append receives batches of one stream and acknowledges each, in order,
// once durable. A stale epoch ends the stream with FailedPrecondition, a
// malformed batch with InvalidArgument (the batch changes nothing).
func (n *Node) Append(stream storagerpc.AppendServerStream) error {
	ctx := stream.Context()
	pending := make(chan *task, 256)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		defer close(pending)
		for {
			req, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			t := newTask(taskAppend, 0)
			// failed is decided here: once submitted, t.err belongs to the committer.
			failed := err != nil
			if failed {
				t.err = err
				close(t.done)
			} else {
				t.pg, t.req, t.raw, t.size = req.PG, req, req.Records, len(req.Records)
				n.met.appends.Inc()
				n.met.appendBytes.Add(float64(len(req.Records)))
				if t.recs, err = redo.DecodeAll(req.Records); err != nil {
					t.err = status.Errorf(codes.InvalidArgument, "group %d: bad batch: %v", req.PG, err)
					close(t.done)
					failed = true
				} else if err := n.submit(t); err != nil {
					t.err = err
					close(t.done)
					failed = true
				}
			}
			select {
			case pending <- t:
			case <-quit:
				return
			}
			if failed {
				return
			}
		}
	}()
	for t := range pending {
		if err := wait(ctx, t); err != nil {
			return err
		}
		if err := stream.Send(&t.ack); err != nil {
			return err
		}
	}
	return nil
}

// Fetch streams the group's records with After < LSN <= Upto in LSN order.
// Records collected below the GC horizon cannot be served (OutOfRange).
func (n *Node) Fetch(req *storagerpc.FetchRequest, stream storagerpc.FetchServerStream) error {
	recs, err := n.collect(req)
	if err != nil {
		return err
	}
	var chunk []byte
	for _, raw := range recs {
		if len(chunk) > 0 && len(chunk)+len(raw) > fetchChunk {
			if err := stream.Send(&storagerpc.FetchChunk{Records: chunk}); err != nil {
				return err
			}
			chunk = nil
		}
		chunk = append(chunk, raw...)
	}
	if len(chunk) > 0 {
		return stream.Send(&storagerpc.FetchChunk{Records: chunk})
	}
	return nil
}

type lsnRaw struct {
	lsn redo.LSN
	raw []byte
}

// collect gathers the encodings of the records a Fetch asks for.
func (n *Node) collect(req *storagerpc.FetchRequest) ([][]byte, error) {
	upto := req.Upto
	if upto == 0 {
		upto = ^redo.LSN(0)
	}
	if upto <= req.After {
		return nil, nil
	}
	n.mu.RLock()
	g := n.groups[req.PG]
	if g == nil {
		n.mu.RUnlock()
		return nil, nil
	}
	if req.After < g.horizon {
		n.mu.RUnlock()
		return nil, status.Errorf(codes.OutOfRange, "group %d: records at or below the GC horizon %d are collected into page images; fetch after %d", req.PG, g.horizon, g.horizon)
	}
	v := &readView{layers: slices.Clone(g.layers), truncs: slices.Clone(g.truncs)}
	var out []lsnRaw
	in := func(l redo.LSN) bool { return l > req.After && l <= upto && !v.truncated(l) }
	for _, recs := range g.mem {
		for _, m := range recs {
			if in(m.rec.LSN) {
				out = append(out, lsnRaw{m.rec.LSN, m.raw})
			}
		}
	}
	n.layerMu.RLock()
	n.mu.RUnlock()
	defer n.layerMu.RUnlock()
	for _, l := range v.layers {
		if l.kind != layerDelta || l.maxLSN <= req.After || l.minLSN > upto {
			continue
		}
		err := l.all(n.z, func(e entry) error {
			if e.typ == entryDelta && in(e.lsn) {
				out = append(out, lsnRaw{e.lsn, e.data})
			}
			return nil
		})
		if err != nil {
			return nil, status.Errorf(codes.DataLoss, "group %d: %v", req.PG, err)
		}
	}
	slices.SortFunc(out, func(a, b lsnRaw) int {
		switch {
		case a.lsn < b.lsn:
			return -1
		case a.lsn > b.lsn:
			return 1
		}
		return 0
	})
	res := make([][]byte, 0, len(out))
	for i, r := range out {
		if i > 0 && out[i-1].lsn == r.lsn {
			continue
		}
		res = append(res, r.raw)
	}
	return res, nil
}

// GetPage returns the page as of an LSN, sealed.
func (n *Node) GetPage(ctx context.Context, req *storagerpc.GetPageRequest) (*storagerpc.GetPageResponse, error) {
	n.mu.RLock()
	g := n.groups[req.PG]
	var scl, horizon redo.LSN
	if g != nil {
		scl, horizon = g.durSCL, g.horizon
	}
	if g == nil || req.LSN > scl {
		n.mu.RUnlock()
		return nil, status.Errorf(codes.Unavailable, "replica complete only to SCL %d (group %d, asked for LSN %d)", scl, req.PG, req.LSN)
	}
	if req.LSN < horizon {
		n.mu.RUnlock()
		return nil, status.Errorf(codes.OutOfRange, "LSN %d is below the GC horizon %d of group %d", req.LSN, horizon, req.PG)
	}
	v := g.view(req.Page, req.LSN)
	// Layer files stay open while layerMu is read-locked; the state lock is
	// released so that reads from disk do not hold up group commits.
	n.layerMu.RLock()
	n.mu.RUnlock()
	defer n.layerMu.RUnlock()
	p, err := n.materialize(v, req.Page, req.LSN)
	if err != nil {
		n.log.Error("cannot serve page", "pg", req.PG, "page", req.Page, "lsn", req.LSN, "err", err)
		return nil, status.Errorf(codes.DataLoss, "group %d page %d at LSN %d: %v", req.PG, req.Page, req.LSN, err)
	}
	return &storagerpc.GetPageResponse{Page: p[:]}, nil
}

// Status describes the node and its groups.
func (n *Node) Status(ctx context.Context, _ *storagerpc.StatusRequest) (*storagerpc.StatusResponse, error) {
	disk := n.diskBytes()
	n.met.diskBytes.Set(float64(disk))
	n.mu.RLock()
	defer n.mu.RUnlock()
	resp := &storagerpc.StatusResponse{Node: n.cfg.NodeID, AZ: n.cfg.AZ, DiskBytes: disk}
	for _, g := range n.groups {
		resp.Groups = append(resp.Groups, g.status())
	}
	slices.SortFunc(resp.Groups, func(a, b storagerpc.GroupStatus) int { return int(a.PG) - int(b.PG) })
	return resp, nil
}

// RaiseEpoch raises the group's epoch (creating the group) and records its
// peers, durably, before replying. A lower epoch is refused.
func (n *Node) RaiseEpoch(ctx context.Context, req *storagerpc.EpochRequest) (*storagerpc.EpochResponse, error) {
	t := newTask(taskEpoch, req.PG)
	t.epoch, t.peers = req.Epoch, req.Peers
	if err := n.submit(t); err != nil {
		return nil, err
	}
	if err := wait(ctx, t); err != nil {
		return nil, err
	}
	return t.resp, nil
}

// Truncate drops the records inside the range, durably, and refuses them
// from then on. The epoch must be the group's current one.
func (n *Node) Truncate(ctx context.Context, req *storagerpc.TruncateRequest) (*storagerpc.EpochResponse, error) {
	if req.Range.Before <= req.Range.After {
		return nil, status.Errorf(codes.InvalidArgument, "empty truncation range (%d, %d)", req.Range.After, req.Range.Before)
	}
	t := newTask(taskTruncate, req.PG)
	t.epoch, t.rng = req.Epoch, req.Range
	if err := n.submit(t); err != nil {
		return nil, err
	}
	if err := wait(ctx, t); err != nil {
		return nil, err
	}
	return t.resp, nil
}

// insert makes fetched records durable like appended ones (repair).
func (n *Node) insert(ctx context.Context, pg uint32, raw []byte) error {
	recs, err := redo.DecodeAll(raw)
	if err != nil {
		return fmt.Errorf("records from peer: %w", err)
	}
	t := newTask(taskInsert, pg)
	t.raw, t.recs, t.size = raw, recs, len(raw)
	if err := n.submit(t); err != nil {
		return err
	}
	return wait(ctx, t)
}
