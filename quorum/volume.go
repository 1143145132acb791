package quorum

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// Volume is the writer's handle on a volume stored on the storage tier. Open
// recovers it; then Append hands mini-transactions to the replicas of their
// protection groups, WaitDurable waits for group commit, and ReadPage reads
// pages back. All methods are safe for concurrent use.
type Volume struct {
	cfg   Config
	log   *slog.Logger
	epoch uint64

	conns   []*grpc.ClientConn
	clients map[string]*storagerpc.Client // by address

	ctx    context.Context // the lifetime of every stream
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	tr       *Tracker
	next     redo.LSN                 // the next LSN to allocate
	lastPage map[redo.PageID]redo.LSN // last LSN this writer logged for a page
	pageLog  []pageLSN                // lastPage's insertions in LSN order, from pageHead
	pageHead int
	// pageLimit bounds lastPage: past it, entries at or below VDL are
	// forgotten oldest first, and such a page's PrevPage comes from the
	// caller (the page LSN it holds).
	pageLimit int
	truncs    []storagerpc.Range
	groups    map[uint32]*vgroup
	changed   chan struct{} // closed and replaced when VDL advances or the volume fails
	// waiters are WaitDurable calls by LSN (a min-heap): a VDL advance
	// wakes only those it satisfies, not every committer.
	waiters waitHeap
	fatal   error
	minRead redo.LSN
	// fullQueues counts replicas whose send queue is at the back-pressure
	// mark (replica.fullLocked); room is closed and replaced when one drops
	// below it while roomWait says an append waits for that.
	fullQueues int
	room       chan struct{}
	roomWait   bool
}

// vgroup is the writer's state of one protection group.
type vgroup struct {
	pg       uint32
	peers    []string
	replicas [Replicas]*replica
	retained []retainedRec // records above VCL, increasing LSN: resent to a reconnecting replica
	staged   []byte        // records of the current Append, not yet queued
}

// pageLSN is one insertion into Volume.lastPage.
type pageLSN struct {
	page redo.PageID
	lsn  redo.LSN
}

// lastPageLimit is the default Volume.pageLimit: about 20 MiB of map.
const lastPageLimit = 1 << 18

type retainedRec struct {
	lsn, prevGroup redo.LSN
	raw            []byte
}

func dialAll(cfg Config) ([]*grpc.ClientConn, map[string]*storagerpc.Client, error) {
	var conns []*grpc.ClientConn
	clients := map[string]*storagerpc.Client{}
	for _, n := range cfg.Layout.Nodes {
		cc, err := grpc.NewClient(n.Addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: cfg.ReconnectMin, Multiplier: 1.6, Jitter: 0.2, MaxDelay: cfg.ReconnectMax},
				MinConnectTimeout: cfg.DialTimeout,
			}),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)),
		)
		if err != nil {
			for _, c := range conns {
				_ = c.Close()
			}
			return nil, nil, fmt.Errorf("quorum: connect to node %s at %s: %w", n.Name, n.Addr, err)
		}
		conns = append(conns, cc)
		clients[n.Addr] = storagerpc.NewClient(cc)
	}
	return conns, clients, nil
}

// group returns the writer state of a group, creating it and starting its
// replica streams on first use. Call with v.mu held.
func (v *Volume) group(pg uint32) *vgroup {
	if g := v.groups[pg]; g != nil {
		return g
	}
	g := &vgroup{pg: pg, peers: v.cfg.Layout.Peers(pg)}
	for i, n := range v.cfg.Layout.Replicas(pg) {
		r := &replica{v: v, g: g, idx: i, node: n, client: v.clients[n.Addr], wake: make(chan struct{}, 1), lastErr: errors.New("not connected yet")}
		g.replicas[i] = r
		v.wg.Add(1)
		go r.run()
	}
	v.groups[pg] = g
	v.tr.AddGroup(pg, 0)
	return g
}

// Epoch is the volume epoch this writer holds.
func (v *Volume) Epoch() uint64 { return v.epoch }

// VDL is the volume durable LSN: every mini-transaction at or below it is on
// a write quorum of its protection groups.
func (v *Volume) VDL() redo.LSN {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.tr.VDL()
}

// SetMinReadPoint tells storage the oldest read point still in use; page
// versions below it may be collected. It only moves forward. Storage is
// never told a read point above the VDL sent with it (see
// reportedReadPointLocked).
func (v *Volume) SetMinReadPoint(lsn redo.LSN) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.minRead = max(v.minRead, lsn)
}

// reportedReadPointLocked is the min read point sent to storage: the
// caller's, capped at the VDL sent in the same request. With storage also
// keeping its GC point at or below the VDL it was told, no replica collects
// above a VDL it reports, and recovery, which reads from the highest VDL
// any replica reports, never asks for collected records. Call with v.mu held.
func (v *Volume) reportedReadPointLocked() redo.LSN {
	return min(v.minRead, v.tr.VDL())
}

// Err returns the error that made the Volume unusable (ErrFenced, ErrClosed),
// or nil.
func (v *Volume) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fatal
}

// fail makes the volume unusable with err (the first error wins). Call with
// v.mu held.
func (v *Volume) fail(err error) {
	if v.fatal != nil {
		return
	}
	v.fatal = err
	if err != ErrClosed {
		v.log.Error("volume failed", "err", err)
	}
	v.cancel()
	close(v.changed)
	v.changed = make(chan struct{})
	v.roomLocked()
	for _, w := range v.waiters {
		close(w.ch)
	}
	v.waiters = nil
}

// Close abandons the volume: streams and connections are closed abruptly and
// records not yet durable may be lost (they were never acknowledged). Call
// WaitDurable first to keep them. Close is idempotent.
func (v *Volume) Close() error {
	v.mu.Lock()
	if v.fatal == nil {
		v.fail(ErrClosed)
	}
	v.cancel()
	v.mu.Unlock()
	v.wg.Wait()
	var errs []error
	for _, c := range v.conns {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Append assigns LSNs to a mini-transaction, links every record to the
// previous record of the volume, of its protection group and of its page,
// marks the last record as a consistency point (CPL), and hands the records
// to their groups' replica streams. It returns the LSNs in order and does not
// wait for durability (see WaitDurable).
//
// Callers fill Page, Op and Payload; LSN, PrevVolume, PrevGroup and CPL are
// overwritten. PrevPage is taken from the Volume's own record of the page
// when it wrote the page since Open and still remembers it (the most
// recently written pages, see lastPageLimit); otherwise the caller's
// PrevPage (the page LSN it read) is kept. The records are modified in place.
//
// Append blocks while the last LSN would exceed VDL + LSNWindow
// (back-pressure) until ctx ends. It is safe for concurrent callers; each
// call's records get consecutive LSNs.
func (v *Volume) Append(ctx context.Context, recs []redo.Record) ([]redo.LSN, error) {
	if len(recs) == 0 {
		return nil, errors.New("quorum: append of an empty mini-transaction")
	}
	if uint64(len(recs)) > v.cfg.LSNWindow {
		return nil, fmt.Errorf("quorum: mini-transaction of %d records exceeds the LSN window %d", len(recs), v.cfg.LSNWindow)
	}
	pgs := make([]uint32, len(recs))
	for i := range recs {
		r := &recs[i]
		switch {
		case !r.Op.Valid():
			return nil, fmt.Errorf("quorum: record %d: invalid op %d", i, r.Op)
		case len(r.Payload) > redo.MaxPayload:
			return nil, fmt.Errorf("quorum: record %d: payload of %d bytes exceeds %d", i, len(r.Payload), redo.MaxPayload)
		case r.Page == MarkerPage:
			return nil, fmt.Errorf("quorum: record %d: page %d is the volume's marker page", i, MarkerPage)
		}
		pg, err := v.cfg.Layout.Group(r.Page)
		if err != nil {
			return nil, fmt.Errorf("quorum: record %d: %w", i, err)
		}
		pgs[i] = pg
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		if v.fatal != nil {
			return nil, v.fatal
		}
		ch := v.changed
		if uint64(v.next)+uint64(len(recs))-1 <= uint64(v.tr.VDL())+v.cfg.LSNWindow {
			pg, full := v.queuesFullLocked()
			if !full {
				break
			}
			ch = v.roomChanLocked()
			v.mu.Unlock()
			select {
			case <-ctx.Done():
				v.mu.Lock()
				return nil, fmt.Errorf("quorum: append waits for room in the send queues of group %d: %w", pg, ctx.Err())
			case <-ch:
			}
			v.mu.Lock()
			continue
		}
		v.mu.Unlock()
		select {
		case <-ctx.Done():
			v.mu.Lock()
			return nil, fmt.Errorf("quorum: append waits for back-pressure (next LSN %d, VDL %d, window %d): %w", v.next, v.tr.VDL(), v.cfg.LSNWindow, ctx.Err())
		case <-ch:
		}
		v.mu.Lock()
	}
	for i := range recs {
		r := &recs[i]
		if _, ok := v.lastPage[r.Page]; !ok && r.PrevPage >= v.next {
			return nil, fmt.Errorf("quorum: record %d: caller's PrevPage %d is not below the next LSN %d", i, r.PrevPage, v.next)
		}
	}
	lsns := make([]redo.LSN, len(recs))
	for i := range recs {
		recs[i].CPL = i == len(recs)-1
		lsn, err := v.appendLocked(&recs[i], pgs[i], v.next)
		if err != nil {
			// The links come from the tracker itself: this cannot happen.
			v.fail(fmt.Errorf("quorum: internal error: %w", err))
			return nil, err
		}
		lsns[i] = lsn
		v.next++
	}
	v.flushLocked()
	return lsns, nil
}

// appendLocked assigns lsn and the volume and group back-links to r (lsn 0:
// keep r's own LSN and links, for the recovered tail), registers it and
// stages it for its group's replicas. Call with v.mu held, then flushLocked.
func (v *Volume) appendLocked(r *redo.Record, pg uint32, lsn redo.LSN) (redo.LSN, error) {
	g := v.group(pg)
	if lsn != 0 {
		r.LSN = lsn
		r.PrevVolume = v.tr.Last()
		r.PrevGroup = v.tr.LastInGroup(pg)
		if prev, ok := v.lastPage[r.Page]; ok {
			r.PrevPage = prev
		}
	} else if v.tr.LastInGroup(pg) == 0 {
		v.tr.AddGroup(pg, r.PrevGroup)
	}
	if err := v.tr.Append(Entry{LSN: r.LSN, PG: pg, PrevGroup: r.PrevGroup, CPL: r.CPL}); err != nil {
		return 0, err
	}
	v.lastPage[r.Page] = r.LSN
	v.pageLog = append(v.pageLog, pageLSN{r.Page, r.LSN})
	// Encoded once, into the group's staged batch, which all six replica
	// queues then share; retained aliases it (bytes never change once
	// written: later records only append).
	start := len(g.staged)
	g.staged = r.Append(g.staged)
	raw := g.staged[start:len(g.staged):len(g.staged)]
	g.retained = append(g.retained, retainedRec{lsn: r.LSN, prevGroup: r.PrevGroup, raw: raw})
	return r.LSN, nil
}

// flushLocked queues each group's staged records as one batch, shared
// (read-only) by the queues of its connected replicas. Call with v.mu held.
func (v *Volume) flushLocked() {
	for _, g := range v.groups {
		if len(g.staged) == 0 {
			continue
		}
		for _, rep := range g.replicas {
			rep.enqueueLocked(g.staged)
		}
		g.staged = nil
	}
}

// queuesFullLocked reports whether appends must wait for the replica
// streams: some group has a write quorum of replicas connected but fewer
// than a write quorum of them below the send-queue back-pressure mark. It
// returns that group. A group without a connected write quorum does not
// hold appends back here (its records wait for durability instead). Call
// with v.mu held.
func (v *Volume) queuesFullLocked() (uint32, bool) {
	if v.fullQueues == 0 {
		return 0, false
	}
	for pg, g := range v.groups {
		connected, room := 0, 0
		for _, r := range g.replicas {
			if r.connected {
				connected++
				if !r.fullLocked() {
					room++
				}
			}
		}
		if connected >= WriteQuorum && room < WriteQuorum {
			return pg, true
		}
	}
	return 0, false
}

// roomChanLocked returns the channel closed when a send queue drops below
// the back-pressure mark (or a stream goes down, or the volume fails). Call
// with v.mu held.
func (v *Volume) roomChanLocked() chan struct{} {
	v.roomWait = true
	return v.room
}

// roomLocked wakes appends waiting for queue room. Call with v.mu held.
func (v *Volume) roomLocked() {
	if v.roomWait {
		close(v.room)
		v.room = make(chan struct{})
		v.roomWait = false
	}
}

// onAck applies a replica's acknowledgement.
func (v *Volume) onAck(r *replica, scl redo.LSN) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tr.Ack(r.g.pg, r.idx, scl) {
		v.trimLocked()
		v.evictPagesLocked()
		close(v.changed)
		v.changed = make(chan struct{})
		vdl := v.tr.VDL()
		for len(v.waiters) > 0 && v.waiters[0].lsn <= vdl {
			close(heap.Pop(&v.waiters).(waiter).ch)
		}
	}
}

// evictPagesLocked bounds lastPage: while it holds more than pageLimit
// pages, the oldest insertions at or below VDL are forgotten (an entry that
// a later write of the page replaced is just dropped from the log). Call
// with v.mu held.
func (v *Volume) evictPagesLocked() {
	vdl := v.tr.VDL()
	for len(v.lastPage) > v.pageLimit && v.pageHead < len(v.pageLog) && v.pageLog[v.pageHead].lsn <= vdl {
		e := v.pageLog[v.pageHead]
		if v.lastPage[e.page] == e.lsn {
			delete(v.lastPage, e.page)
		}
		v.pageHead++
	}
	// Entries replaced by a later write of their page are dead weight in
	// the log: drop them when the log is much longer than the map.
	if live := len(v.pageLog) - v.pageHead; live > 2*len(v.lastPage)+1024 {
		kept := make([]pageLSN, 0, len(v.lastPage))
		for _, e := range v.pageLog[v.pageHead:] {
			if v.lastPage[e.page] == e.lsn {
				kept = append(kept, e)
			}
		}
		v.pageLog, v.pageHead = kept, 0
	} else if v.pageHead > len(v.pageLog)/2 {
		v.pageLog, v.pageHead = append([]pageLSN(nil), v.pageLog[v.pageHead:]...), 0
	}
}

// trimLocked forgets retained records at or below VCL.
func (v *Volume) trimLocked() {
	vcl := v.tr.Forgettable()
	for _, g := range v.groups {
		n := 0
		for n < len(g.retained) && g.retained[n].lsn <= vcl {
			n++
		}
		if n > 0 {
			// Reslice, not copy (this runs on every VCL advance); the
			// dropped prefix is freed when the slice next grows.
			g.retained = g.retained[n:]
		}
	}
}

// readPointLocked returns the LSN to ask a replica of group pg for when the
// caller reads at lsn: the group's last record at or below lsn when the
// writer knows it (a replica is complete only up to its group's last
// record, and the page cannot change between that record and lsn), else lsn.
// Call with v.mu held.
func (v *Volume) readPointLocked(pg uint32, lsn redo.LSN) redo.LSN {
	last := v.tr.LastInGroup(pg)
	if last == 0 {
		return lsn
	}
	if lsn >= last {
		return last
	}
	g := v.groups[pg]
	if g == nil || len(g.retained) == 0 {
		return lsn
	}
	// The group's records above VCL are retained, in order: the last one at
	// or below lsn, or the one before the first.
	i := sort.Search(len(g.retained), func(i int) bool { return g.retained[i].lsn > lsn })
	if i > 0 {
		return g.retained[i-1].lsn
	}
	return min(lsn, g.retained[0].prevGroup)
}

// WaitDurable waits until VDL >= lsn (group commit). When ctx ends first, the
// error names the protection group holding VDL back and the state of each
// of its replicas, and wraps ErrNoQuorum when that group has fewer than a
// write quorum of replicas connected, and ctx's error.
func (v *Volume) WaitDurable(ctx context.Context, lsn redo.LSN) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		if v.tr.VDL() >= lsn {
			return nil
		}
		if v.fatal != nil {
			return fmt.Errorf("quorum: wait for LSN %d: %w", lsn, v.fatal)
		}
		ch := make(chan struct{})
		heap.Push(&v.waiters, waiter{lsn: lsn, ch: ch})
		v.mu.Unlock()
		select {
		case <-ctx.Done():
			v.mu.Lock()
			if v.tr.VDL() >= lsn {
				return nil
			}
			v.dropWaiterLocked(ch)
			if v.fatal != nil {
				return fmt.Errorf("quorum: wait for LSN %d: %w", lsn, v.fatal)
			}
			return v.stuckLocked(lsn, ctx.Err())
		case <-ch:
		}
		v.mu.Lock()
	}
}

// waiter is one WaitDurable call: ch is closed once VDL >= lsn or the
// volume fails.
type waiter struct {
	lsn redo.LSN
	ch  chan struct{}
}

// waitHeap orders waiters by LSN (container/heap).
type waitHeap []waiter

func (h waitHeap) Len() int           { return len(h) }
func (h waitHeap) Less(i, j int) bool { return h[i].lsn < h[j].lsn }
func (h waitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)        { *h = append(*h, x.(waiter)) }
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	*h = old[:len(old)-1]
	return w
}

// dropWaiterLocked removes an abandoned waiter (its ctx ended). Call with
// v.mu held.
func (v *Volume) dropWaiterLocked(ch chan struct{}) {
	for i, w := range v.waiters {
		if w.ch == ch {
			heap.Remove(&v.waiters, i)
			return
		}
	}
}

// stuckLocked explains why VDL has not reached lsn.
func (v *Volume) stuckLocked(lsn redo.LSN, cause error) error {
	e, ok := v.tr.Blocking()
	if !ok {
		return fmt.Errorf("quorum: LSN %d not durable (VDL %d, nothing pending): %w", lsn, v.tr.VDL(), cause)
	}
	g := v.groups[e.PG]
	acking, connected := 0, 0
	var down []string
	for i, r := range g.replicas {
		scl := v.tr.SCL(e.PG, i)
		if scl >= e.LSN {
			acking++
		}
		if r.connected {
			connected++
			if scl < e.LSN {
				down = append(down, fmt.Sprintf("%s (connected, SCL %d)", r.node.Name, scl))
			}
		} else {
			down = append(down, fmt.Sprintf("%s (%v)", r.node.Name, r.lastErr))
		}
	}
	msg := fmt.Sprintf("protection group %d has %d of %d replicas acknowledging LSN %d, needs %d: %s",
		e.PG, acking, Replicas, e.LSN, WriteQuorum, strings.Join(down, ", "))
	if connected < WriteQuorum {
		return fmt.Errorf("quorum: LSN %d not durable (VDL %d): %w: %s: %w", lsn, v.tr.VDL(), ErrNoQuorum, msg, cause)
	}
	return fmt.Errorf("quorum: LSN %d not durable (VDL %d): %s: %w", lsn, v.tr.VDL(), msg, cause)
}

// ReplicaStatus is the writer's view of one replica of a group.
type ReplicaStatus struct {
	Node      Node
	SCL       redo.LSN // highest SCL the replica acknowledged
	Connected bool
	Queued    int    // batches waiting to be sent
	Err       string // why it is not connected
	// Drops counts how often this replica's stream went down after it had
	// connected (send queue full, no acknowledgement within CallTimeout,
	// a stream error); each one is followed by a reconnect.
	Drops uint64
}

// GroupStatus is the writer's view of one protection group.
type GroupStatus struct {
	PG        uint32
	PGCL      redo.LSN
	HasQuorum bool // at least WriteQuorum replicas connected
	Replicas  []ReplicaStatus
}

// Status is the writer's view of the volume.
type Status struct {
	Epoch   uint64
	VDL     redo.LSN
	VCL     redo.LSN
	NextLSN redo.LSN
	Pending int // records appended but not yet durable
	// StreamDrops is the sum of the replicas' Drops.
	StreamDrops uint64
	Groups      []GroupStatus
	Err         string // why the volume is unusable, if it is
}

// Status describes the volume as this writer sees it.
func (v *Volume) Status() Status {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := Status{Epoch: v.epoch, VDL: v.tr.VDL(), VCL: v.tr.VCL(), NextLSN: v.next, Pending: v.tr.Pending()}
	if v.fatal != nil {
		s.Err = v.fatal.Error()
	}
	for _, pg := range v.tr.Groups() {
		g := v.groups[pg]
		if g == nil {
			continue
		}
		gs := GroupStatus{PG: pg, PGCL: v.tr.PGCL(pg)}
		n := 0
		for i, r := range g.replicas {
			rs := ReplicaStatus{Node: r.node, SCL: v.tr.SCL(pg, i), Connected: r.connected, Queued: len(r.queue), Drops: r.drops}
			s.StreamDrops += r.drops
			if r.connected {
				n++
			} else if r.lastErr != nil {
				rs.Err = r.lastErr.Error()
			}
			gs.Replicas = append(gs.Replicas, rs)
		}
		gs.HasQuorum = n >= WriteQuorum
		s.Groups = append(s.Groups, gs)
	}
	return s
}

// sleepCtx sleeps for d or until ctx ends; it reports whether ctx is alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
