package segment

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// maxRequest bounds one gRPC message (an Append batch) in bytes.
const maxRequest = 80 << 20

// ErrDamaged is wrapped by Open's error when a file of the data directory
// fails its checksum (the error also carries a *CorruptionError naming the
// file and byte offset).
var ErrDamaged = errors.New("data directory is damaged")

// Node is a storage node: it owns a data directory and serves the storage
// RPC on one listener.
type Node struct {
	cfg Config
	log *slog.Logger
	met *metrics
	z   *zcodec
	ln  net.Listener
	srv *grpc.Server

	mu      sync.RWMutex
	layerMu sync.RWMutex // read-held while layer files are read without mu; write-held to close them
	groups  map[uint32]*group
	// epoch is the volume epoch: the highest epoch this node has seen in
	// any group. A writer's Append, Truncate or RaiseEpoch below it is
	// refused in every group, including groups created after it was
	// raised, so a writer fenced by a recovery cannot make anything
	// durable in a group it creates later. It is persisted through the
	// groups' epochs (epoch frames, manifest), as their maximum.
	epoch    uint64
	nextSeq  uint64 // next layer file sequence number
	logStart uint64 // first hot-log file still needed
	failed   error  // a write or fsync failed: the node accepts nothing more

	w          *logWriter // owned by the committer; replaced under mu
	commits    uint64     // group commits so far (under mu)
	maintPause time.Time  // maintainer: no maintenance before this (after a failure)
	// repairSeen is, per group, what peers held at the previous repair
	// round (repairLoop only).
	repairSeen map[uint32]redo.LSN
	kick       chan struct{}
	tasks      chan *task
	quit       chan struct{}
	wg         sync.WaitGroup

	peerMu sync.Mutex
	conns  map[string]*grpc.ClientConn

	closeOnce sync.Once
}

// Open opens (creating if needed) the data directory, rebuilds the state from
// the manifest, layers and hot log, and listens on cfg.Listen. It fails with
// an error naming the file and byte offset if anything but the tail of the
// newest log file is damaged (unless cfg.Repair).
func Open(cfg Config) (*Node, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	met, err := newMetrics(c.Registry)
	if err != nil {
		return nil, err
	}
	z, err := newZcodec()
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: c, log: c.Logger, met: met, z: z, groups: map[uint32]*group{},
		tasks: make(chan *task, 1024), kick: make(chan struct{}, 1), quit: make(chan struct{}), conns: map[string]*grpc.ClientConn{}}
	if err := n.load(); err != nil {
		n.closeFiles()
		var ce *CorruptionError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%w: %w; restore the directory from a backup, or start with --repair to discard the damaged part and refill it from peers", ErrDamaged, err)
		}
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		n.closeFiles()
		return nil, fmt.Errorf("listen on %s: %w", c.Listen, err)
	}
	n.ln = ln
	n.srv = grpc.NewServer(storagerpc.ServerCodec(),
		grpc.MaxRecvMsgSize(maxRequest), grpc.MaxSendMsgSize(maxRequest),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}))
	storagerpc.Register(n.srv, n)
	n.wg.Add(2)
	go n.committer()
	go n.maintainer()
	n.log.Info("storage node open", "dir", c.Dir, "addr", n.Addr(), "node", c.NodeID, "az", c.AZ, "groups", len(n.groups))
	return n, nil
}

// Addr is the address the node listens on.
func (n *Node) Addr() string { return n.ln.Addr().String() }

// Serve serves the storage RPC and runs peer repair until ctx is done, then
// stops the server (waiting briefly for in-flight calls) and returns.
func (n *Node) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- n.srv.Serve(n.ln) }()
	rctx, cancel := context.WithCancel(ctx)
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() { defer rwg.Done(); n.repairLoop(rctx) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		if errors.Is(err, grpc.ErrServerStopped) {
			err = nil
		}
	}
	cancel()
	rwg.Wait()
	n.stopServer()
	if err != nil {
		return fmt.Errorf("serve storage RPC: %w", err)
	}
	return nil
}

func (n *Node) stopServer() {
	done := make(chan struct{})
	go func() { n.srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		n.srv.Stop() // long-lived Append streams: cut them
		<-done
	}
}

// Close stops serving, finishes the commit in progress and closes every file.
// Records acknowledged before Close are durable; Close is idempotent.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.srv.Stop()
		close(n.quit)
		n.wg.Wait()
		n.peerMu.Lock()
		for _, c := range n.conns {
			c.Close()
		}
		n.conns = map[string]*grpc.ClientConn{}
		n.peerMu.Unlock()
		n.closeFiles()
		n.log.Info("storage node closed", "dir", n.cfg.Dir)
	})
	return nil
}

func (n *Node) closeFiles() {
	n.layerMu.Lock()
	defer n.layerMu.Unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.w != nil {
		if err := n.w.finish(); err != nil {
			n.log.Warn("cannot cut the preallocated tail of the log file", "err", err)
		}
		n.w.close()
		n.w = nil
	}
	for _, g := range n.groups {
		for _, l := range g.layers {
			l.close()
		}
		g.layers = nil
	}
	n.z.close()
}

// Healthy reports nil while the node can accept writes.
func (n *Node) Healthy() error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.failed
}

// load rebuilds the state from the data directory.
func (n *Node) load() error {
	dir := n.cfg.Dir
	if _, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	m, err := readManifest(dir)
	if err != nil {
		return err
	}
	n.nextSeq, n.logStart = m.nextSeq, m.logStart
	dirty := false
	for _, gm := range m.groups {
		g := newGroup(gm.pg)
		g.epoch, g.vdl, g.mrp, g.horizon = gm.epoch, gm.vdl, gm.mrp, gm.horizon
		g.peers, g.truncs = gm.peers, gm.truncs
		n.groups[g.pg] = g
		for _, seq := range gm.layerSeq {
			l, err := n.loadLayer(g, seq)
			if err != nil {
				var ce *CorruptionError
				if !n.cfg.Repair || !errors.As(err, &ce) || (l != nil && l.kind == layerImage) {
					if l != nil {
						l.close()
					}
					return err
				}
				if l != nil {
					l.close()
				}
				n.log.Error("discarding damaged layer (repair mode); its records will be refilled from peers", "pg", g.pg, "err", err)
				if rerr := os.Rename(filepath.Join(dir, layerName(seq)), filepath.Join(dir, layerName(seq)+".damaged")); rerr != nil {
					return fmt.Errorf("set damaged layer aside: %w", rerr)
				}
				dirty = true
				continue
			}
			g.layers = append(g.layers, l)
		}
		g.scl, g.base = g.horizon, g.horizon
		g.rebuildChain()
	}
	seqs, err := listLogs(dir)
	if err != nil {
		return err
	}
	last := n.logStart
	for i, seq := range seqs {
		path := filepath.Join(dir, logName(seq))
		if seq < n.logStart {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("remove obsolete log file: %w", err)
			}
			continue
		}
		last = seq
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read log file: %w", err)
		}
		tornLimit := 0
		if i == len(seqs)-1 {
			tornLimit = n.cfg.MaxBatch + maxRequest + 1<<20
		}
		res, err := scanLog(path, data, tornLimit, func(kind byte, payload []byte) error {
			return n.replayFrame(kind, payload, seq)
		})
		if err != nil {
			if !n.cfg.Repair {
				return err
			}
			n.log.Error("discarding damaged end of log file (repair mode); lost records will be refilled from peers", "err", err)
		} else if res.torn && !allZero(data[res.end:]) {
			n.log.Warn("truncating torn tail of the newest log file (an unacknowledged write)", "file", path,
				"offset", res.end, "discarded_bytes", int64(len(data))-res.end)
		}
		if res.end != int64(len(data)) {
			if err := truncateFile(path, res.end); err != nil {
				return err
			}
		}
	}
	for _, g := range n.groups {
		g.prune()
		n.epoch = max(n.epoch, g.epoch)
		g.durSCL, g.durHighest = g.scl, g.highest
		n.met.scl.WithLabelValues(strconv.FormatUint(uint64(g.pg), 10)).Set(float64(g.scl))
	}
	n.met.layers.Set(float64(n.layerCount()))
	next := last + 1
	if len(seqs) == 0 {
		next = n.logStart
	}
	w, err := openLogWriter(dir, next, 0, n.cfg.LogFileSize)
	if err != nil {
		return err
	}
	n.w = w
	if dirty {
		if err := n.writeManifestLocked(); err != nil {
			return err
		}
	}
	n.removeStrayFiles()
	return nil
}

// loadLayer opens and fully verifies a layer and marks its records held.
func (n *Node) loadLayer(g *group, seq uint64) (*layer, error) {
	l, err := openLayer(filepath.Join(n.cfg.Dir, layerName(seq)), seq)
	if err != nil {
		return nil, err
	}
	if l.pg != g.pg {
		return l, &CorruptionError{File: l.path, Offset: 8, Err: fmt.Errorf("layer of group %d listed under group %d", l.pg, g.pg)}
	}
	type hp struct{ lsn, prev redo.LSN }
	var found []hp
	err = l.all(n.z, func(e entry) error {
		if e.typ == entryDelta && e.lsn > g.horizon && !g.truncated(e.lsn) {
			r, _, _ := redo.Decode(e.data) // verified by decodeEntries
			found = append(found, hp{e.lsn, r.PrevGroup})
		}
		return nil
	})
	if err != nil {
		return l, err
	}
	for _, f := range found {
		g.held[f.lsn] = f.prev
	}
	return l, nil
}

// truncateFile cuts path at size, durably (a zero or torn tail must not
// survive into a file that is no longer the newest).
func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open log file %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("truncate log file %s at %d: %w", path, size, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync log file %s: %w", path, err)
	}
	return nil
}

// replayFrame applies one hot-log frame during start-up.
func (n *Node) replayFrame(kind byte, payload []byte, seq uint64) error {
	r := byteReader{b: payload}
	pg := r.u32()
	if r.err != nil {
		return r.err
	}
	g := n.groups[pg]
	if g == nil {
		g = newGroup(pg)
		n.groups[pg] = g
	}
	switch kind {
	case kindRecords:
		raw := r.rest()
		recs, err := redo.DecodeAll(raw)
		if err != nil {
			return err
		}
		off := 0
		for _, rec := range recs {
			sz := rec.EncodedSize()
			if g.accepts(rec.LSN) {
				g.insertMem(memRec{rec: rec, raw: raw[off : off+sz : off+sz], seq: seq})
			}
			off += sz
		}
		return nil
	case kindEpoch:
		e := r.u64()
		if err := r.done(); err != nil {
			return err
		}
		g.epoch = max(g.epoch, e)
	case kindPeers:
		cnt := r.u32()
		var peers []string
		for i := uint32(0); i < cnt && r.err == nil; i++ {
			peers = append(peers, r.str())
		}
		if err := r.done(); err != nil {
			return err
		}
		g.peers = peers
	case kindTruncate:
		rg := storagerpc.Range{After: redo.LSN(r.u64()), Before: redo.LSN(r.u64())}
		if err := r.done(); err != nil {
			return err
		}
		if rg.Before <= rg.After {
			return fmt.Errorf("empty truncation range (%d, %d)", rg.After, rg.Before)
		}
		g.truncate(rg)
	case kindReport:
		v, m := redo.LSN(r.u64()), redo.LSN(r.u64())
		if err := r.done(); err != nil {
			return err
		}
		g.vdl, g.mrp = max(g.vdl, v), max(g.mrp, m)
	}
	return nil
}

// removeStrayFiles deletes temp files and layers no manifest lists (left by
// a crash between writing a layer and installing the manifest).
func (n *Node) removeStrayFiles() {
	live := map[string]bool{}
	for _, g := range n.groups {
		for _, l := range g.layers {
			live[filepath.Base(l.path)] = true
		}
	}
	ents, err := os.ReadDir(n.cfg.Dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		stray := strings.HasSuffix(name, ".tmp") || (strings.HasSuffix(name, ".layer") && !live[name])
		if stray {
			if err := os.Remove(filepath.Join(n.cfg.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				n.log.Warn("cannot remove stray file", "file", name, "err", err)
			}
		}
	}
}

func (n *Node) layerCount() int {
	c := 0
	for _, g := range n.groups {
		c += len(g.layers)
	}
	return c
}

// writeManifestLocked writes the manifest from the current state; the
// caller holds mu or is the only goroutine (start-up).
func (n *Node) writeManifestLocked() error {
	return writeManifest(n.cfg.Dir, n.manifestLocked())
}

// manifestLocked returns the manifest of the current state. Call with mu
// held.
func (n *Node) manifestLocked() *manifest {
	m := &manifest{nextSeq: n.nextSeq, logStart: n.logStart}
	pgs := make([]uint32, 0, len(n.groups))
	for pg := range n.groups {
		pgs = append(pgs, pg)
	}
	slices.Sort(pgs)
	for _, pg := range pgs {
		m.groups = append(m.groups, n.groups[pg].meta())
	}
	return m
}

// diskBytes sums the sizes of the data directory's files.
func (n *Node) diskBytes() uint64 {
	ents, err := os.ReadDir(n.cfg.Dir)
	if err != nil {
		return 0
	}
	var total uint64
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			total += uint64(info.Size())
		}
	}
	return total
}
