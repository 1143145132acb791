package quorum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// Open recovers the volume and returns a Volume ready for appends, following
// "Crash recovery of a writer" in docs/architecture.md:
//
//  1. raise the epoch to (highest seen + 1) on a write quorum of every group;
//  2. read the records above F (the highest VDL any replica that answered
//     reports) from a read quorum of every group;
//  3. walk the PrevVolume chain from F over what was read: VCL, then VDL;
//  4. re-append (F, VDL] to every replica and wait until it is durable;
//  5. truncate (VDL, VDL+LSNWindow+1) on a write quorum of every group, and
//     hand that range to every later stream.
//
// New LSNs start above the truncated range, with one InitPage record on
// MarkerPage, which Open waits to be durable before returning. ctx bounds the
// whole recovery.
func Open(ctx context.Context, cfg Config) (*Volume, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	conns, clients, err := dialAll(cfg)
	if err != nil {
		return nil, err
	}
	vctx, cancel := context.WithCancel(context.Background())
	v := &Volume{
		cfg: cfg, log: cfg.Logger, conns: conns, clients: clients, ctx: vctx, cancel: cancel,
		lastPage: map[redo.PageID]redo.LSN{}, pageLimit: lastPageLimit, groups: map[uint32]*vgroup{}, changed: make(chan struct{}), room: make(chan struct{}),
	}
	if err := v.recover(ctx); err != nil {
		_ = v.Close()
		return nil, fmt.Errorf("quorum: recover volume: %w", err)
	}
	return v, nil
}

// replicaResult is one replica's answer during recovery.
type replicaResult struct {
	node Node
	resp *storagerpc.EpochResponse
	err  error
}

// forReplicas calls f on every replica of a group in parallel, each call with
// CallTimeout.
func (v *Volume) forReplicas(ctx context.Context, pg uint32, f func(context.Context, Node, *storagerpc.Client) (*storagerpc.EpochResponse, error)) []replicaResult {
	rs := v.cfg.Layout.Replicas(pg)
	out := make([]replicaResult, len(rs))
	var wg sync.WaitGroup
	for i, n := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, v.cfg.CallTimeout)
			defer cancel()
			resp, err := f(cctx, n, v.clients[n.Addr])
			out[i] = replicaResult{node: n, resp: resp, err: err}
		}()
	}
	wg.Wait()
	return out
}

// quorumErr describes a group that fell short of a quorum.
func quorumErr(step string, pg uint32, ok, need int, res []replicaResult) error {
	var failed []string
	fenced := false
	for _, r := range res {
		if r.err != nil {
			failed = append(failed, fmt.Sprintf("%s (%v)", r.node.Name, describe(r.err)))
			fenced = fenced || status.Code(r.err) == codes.FailedPrecondition
		}
	}
	err := fmt.Errorf("%s: protection group %d has %d of %d replicas answering, needs %d: %s", step, pg, ok, Replicas, need, strings.Join(failed, ", "))
	if fenced {
		return fmt.Errorf("%w: %w", ErrFenced, err)
	}
	return fmt.Errorf("%w: %w", ErrNoQuorum, err)
}

func (v *Volume) recover(ctx context.Context) error {
	// Which groups exist, and the highest epoch any replica holds.
	groups := map[uint32]bool{MarkerPageGroup(v.cfg.Layout): true}
	var maxEpoch uint64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range v.cfg.Layout.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, v.cfg.CallTimeout)
			defer cancel()
			st, err := v.clients[n.Addr].Status(cctx, &storagerpc.StatusRequest{})
			if err != nil {
				v.log.Warn("recovery: node status", "node", n.Name, "err", describe(err))
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, g := range st.Groups {
				groups[g.PG] = true
				maxEpoch = max(maxEpoch, g.Epoch)
			}
		}()
	}
	wg.Wait()
	pgs := make([]uint32, 0, len(groups))
	for pg := range groups {
		pgs = append(pgs, pg)
	}
	slices.Sort(pgs)
	v.epoch = maxEpoch + 1

	// 1. Raise the epoch on a write quorum of every group.
	type groupRecovery struct {
		pg     uint32
		ok     []Node // replicas at our epoch
		vdl    redo.LSN
		truncs map[string][]storagerpc.Range // by address
	}
	grs := make([]*groupRecovery, len(pgs))
	truncs := map[storagerpc.Range]bool{}
	fenced := map[string]bool{} // by node name: nodes holding the new epoch
	for i, pg := range pgs {
		peers := v.cfg.Layout.Peers(pg)
		res := v.forReplicas(ctx, pg, func(ctx context.Context, _ Node, c *storagerpc.Client) (*storagerpc.EpochResponse, error) {
			return c.RaiseEpoch(ctx, &storagerpc.EpochRequest{PG: pg, Epoch: v.epoch, Peers: peers})
		})
		gr := &groupRecovery{pg: pg, truncs: map[string][]storagerpc.Range{}}
		for _, r := range res {
			if r.err != nil {
				continue
			}
			gr.ok = append(gr.ok, r.node)
			fenced[r.node.Name] = true
			gr.vdl = max(gr.vdl, r.resp.VDL)
			gr.truncs[r.node.Addr] = r.resp.Truncations
			for _, t := range r.resp.Truncations {
				truncs[t] = true
			}
		}
		if len(gr.ok) < WriteQuorum {
			return quorumErr(fmt.Sprintf("raise epoch to %d", v.epoch), pg, len(gr.ok), WriteQuorum, res)
		}
		grs[i] = gr
	}
	for t := range truncs {
		v.truncs = append(v.truncs, t)
	}
	sort.Slice(v.truncs, func(i, j int) bool { return v.truncs[i].After < v.truncs[j].After })
	truncated := func(lsn redo.LSN) bool {
		for _, t := range v.truncs {
			if t.Contains(lsn) {
				return true
			}
		}
		return false
	}

	// Fence every node, not only the groups that exist: a group the old
	// writer creates later lives on nodes whose volume epoch then refuses it.
	if err := v.fenceNodes(ctx, pgs, fenced); err != nil {
		return err
	}

	// 2. Read the records above F from a read quorum of every group. A VDL
	// reported to any group is a volume-wide durable point, so F is the
	// highest one reported; no replica collects garbage above the VDL it
	// was told (storage caps its GC point there, the writer caps the min
	// read point it reports), so every replica can serve (F, ...].
	var f redo.LSN
	for _, gr := range grs {
		f = max(f, gr.vdl)
	}
	union := map[redo.LSN]redo.Record{}
	for _, gr := range grs {
		recs, err := v.fetchGroup(ctx, gr.pg, gr.ok, f)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if !truncated(r.LSN) {
				union[r.LSN] = r
			}
		}
	}

	// 3. Walk the volume chain forward from F.
	lsns := make([]redo.LSN, 0, len(union))
	for l := range union {
		lsns = append(lsns, l)
	}
	slices.Sort(lsns)
	vcl, vdl := f, f
	var tail []redo.Record
	for _, l := range lsns {
		r := union[l]
		if r.PrevVolume != vcl {
			break
		}
		vcl = l
		tail = append(tail, r)
		if r.CPL {
			vdl = l
		}
	}
	for len(tail) > 0 && tail[len(tail)-1].LSN > vdl {
		tail = tail[:len(tail)-1]
	}
	v.log.Info("recovery: volume chain walked", "epoch", v.epoch, "F", f, "VCL", vcl, "VDL", vdl, "tail", len(tail), "read", len(union))

	// 4. Re-append (F, VDL] and wait until it is durable.
	cut := storagerpc.Range{After: vdl, Before: vdl + redo.LSN(v.cfg.LSNWindow) + 1}
	v.mu.Lock()
	v.truncs = append(v.truncs, cut)
	v.tr = NewTracker(f)
	for _, pg := range pgs {
		v.group(pg)
	}
	for i := range tail {
		r := &tail[i]
		pg, err := v.cfg.Layout.Group(r.Page)
		if err != nil {
			v.mu.Unlock()
			return fmt.Errorf("recovered record %d: %w", r.LSN, err)
		}
		if _, err := v.appendLocked(r, pg, 0); err != nil {
			v.mu.Unlock()
			return fmt.Errorf("recovered record %d does not chain in its group: %w", r.LSN, err)
		}
	}
	v.flushLocked()
	v.mu.Unlock()
	if err := v.WaitDurable(ctx, vdl); err != nil {
		return fmt.Errorf("re-append the recovered tail (%d, %d]: %w", f, vdl, err)
	}

	// 5. Truncate above VDL on a write quorum of every group (and every older
	// range a replica does not know yet), and learn each group's last record.
	for _, gr := range grs {
		pg := gr.pg
		res := v.forReplicas(ctx, pg, func(ctx context.Context, n Node, c *storagerpc.Client) (*storagerpc.EpochResponse, error) {
			var resp *storagerpc.EpochResponse
			known := gr.truncs[n.Addr]
			for _, t := range v.truncs {
				if t != cut && slices.Contains(known, t) {
					continue
				}
				var err error
				if resp, err = c.Truncate(ctx, &storagerpc.TruncateRequest{PG: pg, Epoch: v.epoch, Range: t}); err != nil {
					return nil, err
				}
			}
			return resp, nil
		})
		ok := 0
		var last redo.LSN
		for _, r := range res {
			if r.err == nil {
				ok++
				last = max(last, r.resp.SCL)
			}
		}
		if ok < WriteQuorum {
			return quorumErr(fmt.Sprintf("truncate %d..%d", cut.After+1, cut.Before-1), pg, ok, WriteQuorum, res)
		}
		if last > vdl {
			return fmt.Errorf("group %d: a replica reports SCL %d above the recovered VDL %d after truncation", pg, last, vdl)
		}
		v.mu.Lock()
		v.tr.AddGroup(pg, last)
		v.mu.Unlock()
	}

	// New LSNs start above the truncated range, with the marker record.
	v.mu.Lock()
	v.next = cut.Before
	marker := redo.InitPage(MarkerPage, MarkerPageType, 0)
	marker.CPL = true // a mini-transaction of its own
	lsn, err := v.appendLocked(&marker, MarkerPageGroup(v.cfg.Layout), v.next)
	if err != nil {
		v.mu.Unlock()
		return fmt.Errorf("append the recovery marker: %w", err)
	}
	v.next++
	v.flushLocked()
	v.mu.Unlock()
	if err := v.WaitDurable(ctx, lsn); err != nil {
		return fmt.Errorf("write the recovery marker at LSN %d: %w", lsn, err)
	}
	v.log.Info("recovery: done", "epoch", v.epoch, "VDL", v.VDL(), "truncated", fmt.Sprintf("(%d, %d)", cut.After, cut.Before))
	return nil
}

// fenceNodes raises the new epoch on every node that no group's RaiseEpoch
// asked yet (layouts of more than six nodes), through a group the node
// replicates, and checks that every replica set the layout can place has
// more than Replicas-WriteQuorum fenced nodes: then a group the old writer
// creates after this recovery cannot get a write quorum, since a node's
// volume epoch refuses older epochs in every group, new ones included.
func (v *Volume) fenceNodes(ctx context.Context, pgs []uint32, fenced map[string]bool) error {
	sets := v.cfg.Layout.ReplicaSets()
	tried := map[string]bool{} // step 1 asked these already
	for _, pg := range pgs {
		for _, n := range v.cfg.Layout.Replicas(pg) {
			tried[n.Name] = true
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range v.cfg.Layout.Nodes {
		if fenced[n.Name] || tried[n.Name] {
			continue
		}
		pg, ok := replicatedGroup(n, sets)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, v.cfg.CallTimeout)
			defer cancel()
			_, err := v.clients[n.Addr].RaiseEpoch(cctx, &storagerpc.EpochRequest{PG: pg, Epoch: v.epoch, Peers: v.cfg.Layout.Peers(pg)})
			if err != nil {
				v.log.Warn("recovery: fence node", "node", n.Name, "err", describe(err))
				return
			}
			mu.Lock()
			fenced[n.Name] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, set := range sets {
		var open []string
		for _, n := range set.Nodes {
			if !fenced[n.Name] {
				open = append(open, n.Name)
			}
		}
		if len(open) >= WriteQuorum {
			return fmt.Errorf("%w: raise epoch to %d: nodes %s of protection group %d did not take the new epoch, so the old writer could still reach a write quorum there",
				ErrNoQuorum, v.epoch, strings.Join(open, ", "), set.PG)
		}
	}
	return nil
}

// replicatedGroup picks the first group of the replica sets that node n
// replicates.
func replicatedGroup(n Node, sets []ReplicaSet) (uint32, bool) {
	for _, s := range sets {
		if slices.Contains(s.Nodes[:], n) {
			return s.PG, true
		}
	}
	return 0, false
}

// MarkerPageGroup is the protection group of MarkerPage.
func MarkerPageGroup(l Layout) uint32 {
	pg, _ := l.Group(MarkerPage)
	return pg
}

// fetchGroup reads a group's records above after from the replicas in ok, in
// parallel, and needs ReadQuorum of them to answer.
func (v *Volume) fetchGroup(ctx context.Context, pg uint32, ok []Node, after redo.LSN) ([]redo.Record, error) {
	type result struct {
		node Node
		recs []redo.Record
		err  error
	}
	out := make([]result, len(ok))
	var wg sync.WaitGroup
	for i, n := range ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, v.cfg.FetchTimeout)
			defer cancel()
			recs, err := fetch(cctx, v.clients[n.Addr], pg, after)
			out[i] = result{node: n, recs: recs, err: err}
		}()
	}
	wg.Wait()
	var all []redo.Record
	good := 0
	var res []replicaResult
	for _, r := range out {
		res = append(res, replicaResult{node: r.node, err: r.err})
		if r.err == nil {
			good++
			all = append(all, r.recs...)
		}
	}
	if good < ReadQuorum {
		return nil, quorumErr(fmt.Sprintf("read the log tail above %d", after), pg, good, ReadQuorum, res)
	}
	return all, nil
}

// fetch reads the records of a group above after from one replica.
func fetch(ctx context.Context, c *storagerpc.Client, pg uint32, after redo.LSN) ([]redo.Record, error) {
	s, err := c.Fetch(ctx, &storagerpc.FetchRequest{PG: pg, After: after})
	if err != nil {
		return nil, err
	}
	var out []redo.Record
	for {
		ch, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		recs, err := redo.DecodeAll(ch.Records)
		if err != nil {
			return nil, fmt.Errorf("group %d: %w", pg, err)
		}
		for _, r := range recs {
			if g := r.LSN; g <= after {
				return nil, fmt.Errorf("group %d: fetch above %d returned LSN %d", pg, after, g)
			}
		}
		out = append(out, recs...)
	}
}
