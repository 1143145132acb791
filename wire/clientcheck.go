package wire

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// DefaultClientCheckInterval is how often a running statement checks that its
// client is still connected, unless Config.ClientCheckInterval says otherwise.
const DefaultClientCheckInterval = time.Second

// errClientGone cancels a statement whose client closed its connection.
var errClientGone = errors.New("connection to client lost")

// clientWatch cancels the running statement when the client's socket
// reports a hang-up, checking every interval while the statement runs. This
// is PostgreSQL's client_connection_check_interval: without it, a statement
// waiting for a row lock would still run after its client gave up, since a
// closed socket is otherwise noticed only on the next write. The check is a
// timer, so statements shorter than one interval cost no goroutine.
type clientWatch struct {
	nc       net.Conn
	interval time.Duration
	cancel   func(error)

	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

// watchClient starts watching nc on behalf of a statement cancelled by cancel.
func watchClient(nc net.Conn, interval time.Duration, cancel func(error)) *clientWatch {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	w := &clientWatch{nc: nc, interval: interval, cancel: cancel}
	w.mu.Lock()
	w.timer = time.AfterFunc(interval, w.check)
	w.mu.Unlock()
	return w
}

func (w *clientWatch) check() {
	gone, supported := peerClosed(w.nc)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.stopped || !supported:
	case gone:
		w.cancel(errClientGone)
	default:
		w.timer.Reset(w.interval)
	}
}

// stop ends the watch (the statement finished).
func (w *clientWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.timer.Stop()
}
