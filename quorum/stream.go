package quorum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/borealis-db/borealis/segment/storagerpc"
)

// maxRequestBytes bounds the records of one AppendRequest.
const maxRequestBytes = 1 << 20

// maxInflightBytes bounds the records bytes sent on one stream and not yet
// acknowledged. Past it, batches stay in the replica's queue, where the
// back-pressure of appends sees them; otherwise a writer faster than
// storage would pile them up unseen in the stream, acks would fall behind
// by seconds and the stream would be taken for dead.
const maxInflightBytes = 4 << 20

// sentReq is one request sent and not yet acknowledged.
type sentReq struct {
	at    time.Time
	bytes int
}

// replica is the writer's stream to one replica of one group. One goroutine
// (run) owns the stream; everything else is guarded by v.mu.
type replica struct {
	v      *Volume
	g      *vgroup
	idx    int
	node   Node
	client *storagerpc.Client
	wake   chan struct{} // capacity 1: there is something to send

	// Guarded by v.mu.
	connected bool
	lastErr   error
	queue     [][]byte // batches waiting to be sent
	queued    int      // bytes in queue
	gen       uint64   // incremented when the stream is dropped
	drops     uint64   // how often a connected stream went down
	cancel    context.CancelFunc
	latency   time.Duration // moving average of page reads
}

// enqueueLocked queues a batch, or drops the stream when the replica is too
// far behind. Call with v.mu held.
func (r *replica) enqueueLocked(b []byte) {
	if !r.connected {
		return
	}
	if len(r.queue) >= r.v.cfg.QueueLimit || r.queued >= 4*r.v.cfg.QueueBytes {
		r.dropLocked(fmt.Errorf("send queue full (%d batches, %d bytes): replica too slow, stream dropped", len(r.queue), r.queued))
		return
	}
	was := r.fullLocked()
	r.queue = append(r.queue, b)
	r.queued += len(b)
	if !was && r.fullLocked() {
		r.v.fullQueues++
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// fullLocked reports whether the replica's queue is at the back-pressure
// mark (QueueLimit/8 batches, or QueueBytes): appends wait while fewer than
// a write quorum of a group's connected replicas are below it. The mark is
// far below the drop limit (QueueLimit batches, 4×QueueBytes), so only a
// replica much slower than the write quorum is dropped. Call with v.mu
// held.
func (r *replica) fullLocked() bool {
	return len(r.queue) >= max(r.v.cfg.QueueLimit/8, 1) || r.queued >= r.v.cfg.QueueBytes
}

// takeLocked removes the first n batches of the queue (sent, or dropped
// with the stream) and wakes appends waiting for queue room. Call with v.mu
// held.
func (r *replica) takeLocked(n int) {
	was := r.fullLocked()
	for _, b := range r.queue[:n] {
		r.queued -= len(b)
	}
	r.queue = r.queue[n:]
	if len(r.queue) == 0 {
		r.queue, r.queued = nil, 0
	}
	if was && !r.fullLocked() {
		r.v.fullQueues--
		r.v.roomLocked()
	}
}

// dropLocked marks the stream down with err and makes its goroutine
// reconnect. Call with v.mu held.
func (r *replica) dropLocked(err error) {
	if r.connected {
		r.v.log.Warn("replica stream down", "pg", r.g.pg, "node", r.node.Name, "err", err)
		r.drops++
	}
	r.connected = false
	r.lastErr = err
	r.takeLocked(len(r.queue))
	r.gen++
	r.v.tr.SetConnected(r.g.pg, r.idx, false)
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// run keeps the stream up until the volume ends, reconnecting with backoff.
func (r *replica) run() {
	defer r.v.wg.Done()
	delay := r.v.cfg.ReconnectMin
	for {
		start := time.Now()
		err := r.session()
		if r.v.ctx.Err() != nil {
			return
		}
		r.v.mu.Lock()
		r.dropLocked(err)
		r.v.mu.Unlock()
		if time.Since(start) > 2*r.v.cfg.ReconnectMax {
			delay = r.v.cfg.ReconnectMin
		}
		if !sleepCtx(r.v.ctx, delay) {
			return
		}
		delay = min(2*delay, r.v.cfg.ReconnectMax)
	}
}

// describe turns a stream error into a short reason.
func describe(err error) error {
	if s, ok := status.FromError(err); ok {
		msg := s.Message()
		// "connection error: desc = ... dial tcp ...: connect: connection refused"
		if i := strings.LastIndex(msg, "connect: "); i >= 0 && s.Code() == codes.Unavailable {
			msg = strings.TrimSuffix(msg[i+len("connect: "):], `"`)
		}
		return fmt.Errorf("%s: %s", s.Code(), msg)
	}
	return err
}

// session runs one stream: first message (peers, truncations, and the
// retained records the replica has not acknowledged), then batches and
// heartbeats, with acks applied as they come back.
func (r *replica) session() error {
	v := r.v
	ctx, cancel := context.WithCancel(v.ctx)
	defer cancel()
	// Opening a stream does not block on a connection that is still being
	// established beyond DialTimeout.
	openCtx, openCancel := context.WithTimeout(ctx, v.cfg.DialTimeout)
	stop := context.AfterFunc(openCtx, func() {
		if errors.Is(openCtx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	stream, err := r.client.Append(ctx)
	stop()
	openCancel()
	if err != nil {
		return fmt.Errorf("open append stream: %w", describe(err))
	}

	v.mu.Lock()
	if v.fatal != nil {
		v.mu.Unlock()
		return v.fatal
	}
	// From here on, appends are queued for this stream.
	r.gen++
	gen := r.gen
	r.cancel = cancel
	r.connected = true
	r.takeLocked(len(r.queue))
	v.roomLocked() // one more replica with room
	v.tr.SetConnected(r.g.pg, r.idx, true)
	scl := v.tr.SCL(r.g.pg, r.idx)
	var backlog [][]byte
	var cur []byte
	for _, rec := range r.g.retained {
		if rec.lsn <= scl {
			continue
		}
		if len(cur) > 0 && len(cur)+len(rec.raw) > maxRequestBytes {
			backlog = append(backlog, cur)
			cur = nil
		}
		cur = append(cur, rec.raw...)
	}
	if len(cur) > 0 {
		backlog = append(backlog, cur)
	}
	first := &storagerpc.AppendRequest{
		Epoch: v.epoch, PG: r.g.pg, Peers: r.g.peers, Truncations: v.truncs,
		VDL: v.tr.VDL(), MinReadPoint: v.reportedReadPointLocked(),
	}
	v.mu.Unlock()

	// Acks come back in order, one per request. The stream is alive while
	// acks keep coming: it fails when the oldest unacknowledged request has
	// waited CallTimeout since it was sent or since the last ack, whichever
	// is later (requests queue behind each other in a deep pipeline).
	var (
		sentMu    sync.Mutex
		sent      []sentReq
		sentBytes int // records bytes sent and not yet acknowledged
		lastAck   time.Time
	)
	send := func(req *storagerpc.AppendRequest) error {
		sentMu.Lock()
		sent = append(sent, sentReq{at: time.Now(), bytes: len(req.Records)})
		sentBytes += len(req.Records)
		sentMu.Unlock()
		if err := stream.Send(req); err != nil {
			return err
		}
		return nil
	}
	recvErr := make(chan error, 1)
	go func() {
		for {
			ack, err := stream.Recv()
			if err != nil {
				recvErr <- err
				cancel()
				return
			}
			sentMu.Lock()
			if len(sent) > 0 {
				sentBytes -= sent[0].bytes
				sent = sent[1:]
			}
			lastAck = time.Now()
			sentMu.Unlock()
			v.onAck(r, ack.SCL)
			select { // room in flight
			case r.wake <- struct{}{}:
			default:
			}
		}
	}()
	fail := func(err error) error {
		cancel()
		if rerr := <-recvErr; rerr != nil {
			if status.Code(rerr) == codes.FailedPrecondition {
				v.mu.Lock()
				v.fail(fmt.Errorf("%w: replica %s of group %d: %s", ErrFenced, r.node.Name, r.g.pg, status.Convert(rerr).Message()))
				v.mu.Unlock()
				return ErrFenced
			}
			if err == nil || status.Code(rerr) != codes.Canceled {
				err = rerr
			}
		}
		if err == nil {
			err = errors.New("stream ended")
		}
		return describe(err)
	}

	if len(backlog) == 0 {
		backlog = [][]byte{nil}
	}
	for i, b := range backlog {
		req := &storagerpc.AppendRequest{Epoch: first.Epoch, PG: first.PG, VDL: first.VDL, MinReadPoint: first.MinReadPoint, Records: b}
		if i == 0 {
			req.Peers, req.Truncations = first.Peers, first.Truncations
		}
		if err := send(req); err != nil {
			return fail(err)
		}
	}

	hb := time.NewTicker(v.cfg.Heartbeat)
	defer hb.Stop()
	idle := true
	var taken [][]byte // reused: the batches of one request
	for {
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-r.wake:
		case <-hb.C:
			sentMu.Lock()
			var since time.Time
			if len(sent) > 0 {
				since = sent[0].at
				if lastAck.After(since) {
					since = lastAck
				}
			}
			sentMu.Unlock()
			if !since.IsZero() && time.Since(since) > v.cfg.CallTimeout {
				return fail(fmt.Errorf("no acknowledgement for %v", time.Since(since).Round(time.Millisecond)))
			}
			if !idle {
				idle = true
				continue
			}
		}
		sentMu.Lock()
		busy := sentBytes >= maxInflightBytes
		sentMu.Unlock()
		if busy {
			// Enough in flight: batches wait in the queue (where they
			// count for back-pressure) until an ack makes room.
			idle = false
			continue
		}
		v.mu.Lock()
		if r.gen != gen {
			v.mu.Unlock()
			return fail(r.lastErr)
		}
		// Take queued batches up to maxRequestBytes (shared with the
		// group's other replicas: read, never changed); they are
		// concatenated after the lock is released.
		n, size := 0, 0
		for n < len(r.queue) && (n == 0 || size+len(r.queue[n]) <= maxRequestBytes) {
			size += len(r.queue[n])
			n++
		}
		batches := append(taken[:0], r.queue[:n]...)
		r.takeLocked(n)
		if len(r.queue) > 0 {
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}
		req := &storagerpc.AppendRequest{Epoch: v.epoch, PG: r.g.pg, VDL: v.tr.VDL(), MinReadPoint: v.reportedReadPointLocked()}
		v.mu.Unlock()
		switch len(batches) {
		case 0:
		case 1:
			req.Records = batches[0] // one batch goes as it is
		default:
			req.Records = make([]byte, 0, size)
			for _, b := range batches {
				req.Records = append(req.Records, b...)
			}
		}
		clear(batches)
		taken = batches
		if size > 0 {
			idle = false
		}
		if err := send(req); err != nil {
			return fail(err)
		}
	}
}
