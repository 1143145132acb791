package segment

import (
	"encoding/binary"
	"slices"
	"strconv"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"github.com/cespare/xxhash/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type taskKind int

const (
	taskAppend   taskKind = iota // an AppendRequest from a writer
	taskInsert                   // records fetched from a peer (repair)
	taskEpoch                    // RaiseEpoch
	taskTruncate                 // Truncate
)

// task is one request to the committer. The committer fills ack/resp or err
// and closes done once the request's changes are durable.
type task struct {
	kind  taskKind
	pg    uint32
	req   *storagerpc.AppendRequest // taskAppend
	raw   []byte                    // taskAppend, taskInsert: the records' encodings
	recs  []redo.Record             // decoded from raw
	epoch uint64                    // taskEpoch, taskTruncate
	peers []string                  // taskEpoch
	rng   storagerpc.Range          // taskTruncate
	// repair marks an epoch adoption or truncation learned from a peer:
	// it is checked against the group's epoch only, not the volume epoch
	// (a peer may lag in a group this node has long left behind).
	repair bool

	done chan struct{}
	err  error
	ack  storagerpc.AppendAck
	resp *storagerpc.EpochResponse
	size int
}

func newTask(kind taskKind, pg uint32) *task {
	return &task{kind: kind, pg: pg, done: make(chan struct{})}
}

// submit hands a task to the committer.
func (n *Node) submit(t *task) error {
	select {
	case n.tasks <- t:
		return nil
	case <-n.quit:
		return status.Error(codes.Unavailable, "storage node is shutting down")
	}
}

// committer is the single goroutine that takes requests: it takes every
// pending task, applies them in memory, writes their frames, fsyncs once,
// publishes the new SCLs and answers every task of the batch, then nudges
// the maintainer (which flushes and compacts on its own goroutine, so a
// layer write never delays a group commit).
func (n *Node) committer() {
	defer n.wg.Done()
	for {
		var batch []*task
		select {
		case <-n.quit:
			return
		case t := <-n.tasks:
			batch = append(batch, t)
		}
		size := batch[0].size
	drain:
		for size < n.cfg.MaxBatch {
			select {
			case t := <-n.tasks:
				batch = append(batch, t)
				size += t.size
			default:
				break drain
			}
		}
		n.commit(batch)
		select {
		case n.kick <- struct{}{}:
		default:
		}
	}
}

// maintainer runs maintain after group commits (at most one pending nudge)
// and every MaintenanceInterval.
func (n *Node) maintainer() {
	defer n.wg.Done()
	tick := time.NewTicker(n.cfg.MaintenanceInterval)
	defer tick.Stop()
	for {
		select {
		case <-n.quit:
			return
		case <-tick.C:
		case <-n.kick:
		}
		n.maintain()
	}
}

func (n *Node) commit(batch []*task) {
	if err := n.Healthy(); err != nil {
		for _, t := range batch {
			t.err = status.Errorf(codes.Unavailable, "storage node failed: %v", err)
			close(t.done)
		}
		return
	}
	if n.w.size >= n.cfg.LogFileSize {
		if err := n.roll(); err != nil {
			n.fail(err)
			n.commit(batch)
			return
		}
	}
	n.mu.Lock()
	n.commits++
	var buf []byte
	touched := map[uint32]*group{}
	for _, t := range batch {
		buf = n.prepare(t, buf, touched)
	}
	n.mu.Unlock()
	if len(buf) > 0 {
		err := n.w.write(buf)
		if err == nil {
			start := time.Now()
			err = n.w.sync()
			n.met.fsyncSecs.Observe(time.Since(start).Seconds())
			n.met.fsyncs.Inc()
		}
		if err != nil {
			n.fail(err)
			for _, t := range batch {
				if t.err == nil {
					t.err = status.Errorf(codes.Unavailable, "storage node failed: %v", err)
				}
				close(t.done)
			}
			return
		}
	}
	n.mu.Lock()
	for _, g := range touched {
		g.prune()
		g.durSCL, g.durHighest = g.scl, g.highest
		n.met.scl.WithLabelValues(strconv.FormatUint(uint64(g.pg), 10)).Set(float64(g.scl))
	}
	for _, t := range batch {
		if t.err == nil {
			if g := n.groups[t.pg]; g != nil {
				t.ack = storagerpc.AppendAck{PG: t.pg, SCL: g.durSCL, Highest: g.durHighest}
				if t.kind == taskEpoch || t.kind == taskTruncate {
					t.resp = g.epochResponse()
				}
			}
		}
	}
	n.mu.Unlock()
	for _, t := range batch {
		close(t.done)
	}
}

// fail stops the node from accepting anything more after a write error: the
// in-memory state may be ahead of the disk.
func (n *Node) fail(err error) {
	n.log.Error("hot log write failed; refusing further writes", "err", err)
	n.mu.Lock()
	if n.failed == nil {
		n.failed = err
	}
	n.mu.Unlock()
}

// roll starts a new hot-log file.
func (n *Node) roll() error {
	if err := n.w.sync(); err != nil {
		return err
	}
	if err := n.w.finish(); err != nil {
		return err
	}
	w, err := openLogWriter(n.cfg.Dir, n.w.seq+1, 0, n.cfg.LogFileSize)
	if err != nil {
		return err
	}
	n.w.close()
	n.mu.Lock() // installManifest reads n.w.seq
	n.w = w
	n.mu.Unlock()
	return nil
}

// groupLocked returns the group, creating it if create.
func (n *Node) groupLocked(pg uint32, create bool) *group {
	g := n.groups[pg]
	if g == nil && create {
		g = newGroup(pg)
		n.groups[pg] = g
	}
	return g
}

// prepare applies one task in memory (under mu) and appends its frames to buf.
func (n *Node) prepare(t *task, buf []byte, touched map[uint32]*group) []byte {
	pgb := putU32(nil, t.pg)
	switch t.kind {
	case taskAppend:
		g := n.groupLocked(t.pg, true)
		touched[t.pg] = g
		req := t.req
		if cur := max(g.epoch, n.epoch); req.Epoch < cur {
			t.err = status.Errorf(codes.FailedPrecondition, "stale epoch %d < %d", req.Epoch, cur)
			return buf
		}
		if req.Epoch > g.epoch {
			buf = n.raiseEpoch(g, req.Epoch, pgb, buf)
		}
		buf = n.setPeers(g, req.Peers, buf)
		for _, r := range req.Truncations {
			if !g.hasTrunc(r) {
				g.truncate(r)
				buf = appendFrame(buf, kindTruncate, putU64(putU64(slices.Clone(pgb), uint64(r.After)), uint64(r.Before)))
			}
		}
		if req.VDL > g.vdl || req.MinReadPoint > g.mrp {
			g.vdl, g.mrp = max(g.vdl, req.VDL), max(g.mrp, req.MinReadPoint)
			buf = appendFrame(buf, kindReport, putU64(putU64(slices.Clone(pgb), uint64(g.vdl)), uint64(g.mrp)))
		}
		return n.storeRecords(g, t, buf)
	case taskInsert:
		g := n.groupLocked(t.pg, true)
		touched[t.pg] = g
		return n.storeRecords(g, t, buf)
	case taskEpoch:
		g := n.groupLocked(t.pg, true)
		touched[t.pg] = g
		// A writer may only raise a group to the volume epoch or above (an
		// equal-epoch call, which changes nothing, stays allowed: peers use
		// it to learn truncations).
		if t.epoch < g.epoch || (!t.repair && t.epoch != g.epoch && t.epoch < n.epoch) {
			t.err = status.Errorf(codes.FailedPrecondition, "stale epoch %d < %d", t.epoch, max(g.epoch, n.epoch))
			return buf
		}
		if t.epoch > g.epoch {
			buf = n.raiseEpoch(g, t.epoch, pgb, buf)
		}
		return n.setPeers(g, t.peers, buf)
	case taskTruncate:
		g := n.groupLocked(t.pg, false)
		if g == nil {
			t.err = status.Errorf(codes.FailedPrecondition, "group %d is unknown here: raise its epoch first", t.pg)
			return buf
		}
		touched[t.pg] = g
		if t.epoch != g.epoch || (!t.repair && t.epoch < n.epoch) {
			t.err = status.Errorf(codes.FailedPrecondition, "truncate with epoch %d, current epoch is %d (volume epoch %d)", t.epoch, g.epoch, n.epoch)
			return buf
		}
		g.truncate(t.rng)
		return appendFrame(buf, kindTruncate, putU64(putU64(pgb, uint64(t.rng.After)), uint64(t.rng.Before)))
	}
	return buf
}

// raiseEpoch sets the group's epoch (higher than its current one), raises
// the volume epoch with it and appends the epoch frame that persists both.
func (n *Node) raiseEpoch(g *group, epoch uint64, pgb, buf []byte) []byte {
	g.epoch = epoch
	n.epoch = max(n.epoch, epoch)
	return appendFrame(buf, kindEpoch, putU64(slices.Clone(pgb), epoch))
}

func (n *Node) setPeers(g *group, peers []string, buf []byte) []byte {
	if len(peers) == 0 || slices.Equal(peers, g.peers) {
		return buf
	}
	g.peers = slices.Clone(peers)
	p := putU32(putU32(nil, g.pg), uint32(len(peers)))
	for _, s := range peers {
		p = putStr(p, s)
	}
	return appendFrame(buf, kindPeers, p)
}

// storeRecords keeps the task's records that are new and not truncated,
// inserts them into the memtable and appends one records frame, built in
// place in buf. The memtable aliases the request's own buffer (owned by the
// task, never modified; record payloads already alias it), so each record
// is copied once, into the frame.
func (n *Node) storeRecords(g *group, t *task, buf []byte) []byte {
	start := -1
	off, kept := 0, 0
	for i := range t.recs {
		rec := &t.recs[i]
		sz := rec.EncodedSize()
		raw := t.raw[off : off+sz : off+sz]
		off += sz
		if !g.accepts(rec.LSN) {
			continue
		}
		if start < 0 {
			start = len(buf)
			buf = append(buf, 0, 0, 0, 0, kindRecords) // length set below
			buf = putU32(buf, g.pg)
		}
		buf = append(buf, raw...)
		g.insertMem(memRec{rec: *rec, seq: n.w.seq, commit: n.commits, raw: raw})
		kept++
	}
	if start < 0 {
		return buf
	}
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(buf)-start-4))
	buf = binary.LittleEndian.AppendUint64(buf, xxhash.Sum64(buf[start:]))
	n.met.records.Add(float64(kept))
	return buf
}
