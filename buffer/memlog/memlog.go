// Package memlog is a single-process buffer.Log that keeps every redo record
// in memory. It assigns LSNs and back-links like the quorum client does,
// treats a record as durable as soon as its mini-transaction ends (VDL is the
// last ended MTR's CPL, unless held back with Hold), and serves ReadPage by
// applying the page's records with redo.Apply.
//
// It is NOT durable: everything is lost with the process. It exists for unit
// tests and tools; the writer uses the quorum client.
package memlog

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// GroupFunc maps a page to its protection group (for PrevGroup back-links).
type GroupFunc func(redo.PageID) uint64

// pageState is one page's history: its current image and its records.
type pageState struct {
	img  redo.Page
	recs []int // indexes into Log.recs, ascending LSN
}

// Log is an in-memory buffer.Log. It is safe for concurrent use.
type Log struct {
	group GroupFunc

	tail sync.Mutex // the log-tail lock, held from BeginMTR to End

	mu        sync.Mutex // guards everything below
	cond      *sync.Cond
	recs      []redo.Record
	last      redo.LSN
	vdl       redo.LSN
	held      bool
	ended     redo.LSN // last CPL ended while held
	prevGroup map[uint64]redo.LSN
	pages     map[redo.PageID]*pageState
	err       error

	m mtr
}

// New returns an empty log. group may be nil (one protection group).
func New(group GroupFunc) *Log {
	if group == nil {
		group = func(redo.PageID) uint64 { return 0 }
	}
	l := &Log{group: group, prevGroup: map[uint64]redo.LSN{}, pages: map[redo.PageID]*pageState{}}
	l.cond = sync.NewCond(&l.mu)
	l.m.l = l
	return l
}

var _ buffer.Log = (*Log)(nil)

type mtr struct {
	l     *Log
	first int
}

// BeginMTR takes the log-tail lock.
func (l *Log) BeginMTR() buffer.MTRLog {
	l.tail.Lock()
	l.mu.Lock()
	l.m.first = len(l.recs)
	l.mu.Unlock()
	return &l.m
}

// Add assigns rec its LSN and back-links, keeps a copy and applies it to the
// log's image of the page.
func (m *mtr) Add(rec *redo.Record) {
	l := m.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last++
	rec.LSN = l.last
	rec.PrevVolume = l.last - 1
	g := l.group(rec.Page)
	rec.PrevGroup = l.prevGroup[g]
	l.prevGroup[g] = rec.LSN
	ps := l.pages[rec.Page]
	if ps == nil {
		ps = &pageState{}
		l.pages[rec.Page] = ps
	}
	rec.PrevPage = ps.img.LSN()
	if len(ps.recs) > 0 {
		rec.PrevPage = l.recs[ps.recs[len(ps.recs)-1]].LSN
	}
	c := *rec
	c.Payload = append([]byte(nil), rec.Payload...)
	ps.recs = append(ps.recs, len(l.recs))
	l.recs = append(l.recs, c)
	if err := redo.Apply(&ps.img, &c); err != nil && l.err == nil {
		l.err = fmt.Errorf("memlog: record %d: %w", c.LSN, err)
	}
}

// End marks the last record a CPL, makes the MTR durable (unless held) and
// releases the log-tail lock.
func (m *mtr) End() (redo.LSN, error) {
	l := m.l
	l.mu.Lock()
	var lsn redo.LSN
	if len(l.recs) > m.first {
		l.recs[len(l.recs)-1].CPL = true
		lsn = l.last
		if l.held {
			l.ended = lsn
		} else {
			l.vdl = lsn
			l.cond.Broadcast()
		}
	}
	err := l.err
	l.mu.Unlock()
	l.tail.Unlock()
	return lsn, err
}

// Hold stops VDL from advancing (records stay "in flight") until Release.
func (l *Log) Hold() {
	l.mu.Lock()
	l.held = true
	l.ended = l.vdl
	l.mu.Unlock()
}

// Release lets VDL catch up with the last ended MTR.
func (l *Log) Release() {
	l.mu.Lock()
	l.held = false
	if l.ended > l.vdl {
		l.vdl = l.ended
	}
	l.cond.Broadcast()
	l.mu.Unlock()
}

// VDL returns the last durable CPL.
func (l *Log) VDL() redo.LSN {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.vdl
}

// WaitDurable waits until VDL >= lsn.
func (l *Log) WaitDurable(ctx context.Context, lsn redo.LSN) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lsn > l.last {
		return fmt.Errorf("memlog: wait for LSN %d above the last assigned %d", lsn, l.last)
	}
	if l.vdl >= lsn {
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	for l.vdl < lsn {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memlog: wait for LSN %d: %w", lsn, err)
		}
		l.cond.Wait()
	}
	return nil
}

// ErrNotDurable is returned by ReadPage for a read point above VDL.
var ErrNotDurable = errors.New("read point above VDL")

// ReadPage returns page id as of LSN at (at most VDL), replaying its records.
func (l *Log) ReadPage(ctx context.Context, id redo.PageID, at redo.LSN) (*redo.Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if at > l.vdl {
		return nil, fmt.Errorf("memlog: read page %d at %d (VDL %d): %w", id, at, l.vdl, ErrNotDurable)
	}
	pg := new(redo.Page)
	ps := l.pages[id]
	if ps == nil {
		return pg, nil
	}
	if ps.img.LSN() <= at {
		*pg = ps.img
		return pg, nil
	}
	for _, i := range ps.recs {
		r := &l.recs[i]
		if r.LSN > at {
			break
		}
		if err := redo.Apply(pg, r); err != nil {
			return nil, fmt.Errorf("memlog: replay page %d: %w", id, err)
		}
	}
	return pg, nil
}

// Records returns copies of every record in LSN order (payloads shared:
// do not modify them).
func (l *Log) Records() []redo.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]redo.Record(nil), l.recs...)
}

// Err returns the first error met applying a record to the log's images.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
