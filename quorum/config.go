package quorum

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/borealis-db/borealis/redo"
)

// DefaultLSNWindow bounds how far LSN allocation may run ahead of VDL.
const DefaultLSNWindow = 10_000_000

// MarkerPage is the page the Volume owns: at the end of every recovery it
// writes one InitPage record to it (the recovery marker, the first LSN of the
// new writer). Append refuses records for it.
const MarkerPage redo.PageID = 0

// MarkerPageType is the page type of the marker page.
const MarkerPageType = 0xB0

var (
	// ErrFenced is returned once a replica refused this writer's epoch: a
	// newer writer has recovered the volume. The Volume is unusable after it.
	ErrFenced = errors.New("quorum: fenced: a newer writer raised the volume epoch")
	// ErrNoQuorum is wrapped when a wait ends while a protection group lacks a
	// write quorum of acknowledging replicas.
	ErrNoQuorum = errors.New("quorum: protection group without write quorum")
	// ErrClosed is returned by a Volume after Close.
	ErrClosed = errors.New("quorum: volume closed")
)

// Config configures a Volume. Zero values take the documented defaults.
type Config struct {
	Layout Layout
	Logger *slog.Logger // nil: discard

	// LSNWindow: no LSN is allocated above VDL + LSNWindow (back-pressure),
	// and recovery truncates that far above the recovered VDL. Default
	// DefaultLSNWindow.
	LSNWindow uint64
	// DialTimeout bounds establishing a connection (default 2s).
	DialTimeout time.Duration
	// CallTimeout is the deadline of every unary call (default 5s).
	CallTimeout time.Duration
	// FetchTimeout is the deadline of a recovery Fetch stream (default 60s).
	FetchTimeout time.Duration
	// QueueLimit is the number of batches queued for one replica stream
	// before it is dropped as too slow (default 65536). A batch is one
	// mini-transaction's records of a group, often a single ~200-byte
	// record during a bulk load, so the limit is mostly a bound on the
	// queue's bookkeeping; QueueBytes bounds its data.
	QueueLimit int
	// QueueBytes is the back-pressure mark of a replica's send queue (default
	// 8 MiB): appends wait while fewer than a write quorum of a group's
	// connected replicas have less than QueueBytes and QueueLimit/8 batches
	// queued, so a writer that produces faster than storage absorbs is
	// slowed to the pace of the write quorum instead of overflowing the
	// queues. A queue at 4×QueueBytes or QueueLimit batches (a replica far
	// slower than the quorum) drops its stream.
	QueueBytes int
	// Heartbeat is how often an idle stream carries VDL and the min read
	// point (default 100ms).
	Heartbeat time.Duration
	// HedgeDelay is how long a page read waits before asking a second
	// replica (default 20ms).
	HedgeDelay time.Duration
	// ReconnectMin and ReconnectMax bound the exponential reconnect backoff
	// of a stream (defaults 20ms and 1s).
	ReconnectMin, ReconnectMax time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if err := c.Layout.Validate(); err != nil {
		return c, err
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.LSNWindow == 0 {
		c.LSNWindow = DefaultLSNWindow
	}
	if c.LSNWindow > 1<<40 {
		return c, fmt.Errorf("quorum: LSN window %d is absurdly large", c.LSNWindow)
	}
	def(&c.DialTimeout, 2*time.Second)
	def(&c.CallTimeout, 5*time.Second)
	def(&c.FetchTimeout, 60*time.Second)
	def(&c.Heartbeat, 100*time.Millisecond)
	def(&c.HedgeDelay, 20*time.Millisecond)
	def(&c.ReconnectMin, 20*time.Millisecond)
	def(&c.ReconnectMax, time.Second)
	if c.QueueLimit <= 0 {
		c.QueueLimit = 1 << 16
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = 8 << 20
	}
	return c, nil
}
