package quorum

import (
	"context"
	"fmt"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
)

// mtrReserve is how far below the back-pressure bound BeginMTR waits for
// room: a mini-transaction's size is unknown when it begins.
const mtrReserve = 4096

// Log returns the Volume as a buffer.Log, the page pool's view of the log:
// mini-transactions get consecutive LSNs under the Volume's lock, End hands
// them to the replica streams, and misses are read from storage.
func (v *Volume) Log() buffer.Log { return volumeLog{v} }

type volumeLog struct{ v *Volume }

func (l volumeLog) WaitDurable(ctx context.Context, lsn redo.LSN) error {
	return l.v.WaitDurable(ctx, lsn)
}

func (l volumeLog) VDL() redo.LSN { return l.v.VDL() }

func (l volumeLog) ReadPage(ctx context.Context, id redo.PageID, at redo.LSN) (*redo.Page, error) {
	return l.v.ReadPage(ctx, id, at)
}

// BeginMTR waits for back-pressure room (in the LSN window and in the
// replicas' send queues), then holds the Volume's lock until End: no other
// append can interleave, so LSNs are predicted exactly.
func (l volumeLog) BeginMTR() buffer.MTRLog {
	v := l.v
	v.mu.Lock()
	for v.fatal == nil {
		ch := v.changed
		if uint64(v.next)+mtrReserve <= uint64(v.tr.VDL())+v.cfg.LSNWindow {
			if _, full := v.queuesFullLocked(); !full {
				break
			}
			ch = v.roomChanLocked()
		}
		v.mu.Unlock()
		<-ch
		v.mu.Lock()
	}
	return &volumeMTR{v: v}
}

// volumeMTR collects one mini-transaction's records while holding v.mu.
type volumeMTR struct {
	v    *Volume
	recs []redo.Record
	pgs  []uint32
	err  error
}

// Add predicts the record's LSN and back-links (End registers the records in
// the same order, so the prediction is what appendLocked assigns) and keeps
// a copy of it.
func (m *volumeMTR) Add(rec *redo.Record) {
	v := m.v
	if m.err != nil {
		return
	}
	pg, err := v.cfg.Layout.Group(rec.Page)
	switch {
	case err != nil:
		m.err = fmt.Errorf("quorum: mtr record for page %d: %w", rec.Page, err)
		return
	case rec.Page == MarkerPage:
		m.err = fmt.Errorf("quorum: mtr record for page %d, the volume's marker page", rec.Page)
		return
	}
	lsn := v.next + redo.LSN(len(m.recs))
	rec.LSN = lsn
	rec.PrevVolume = v.tr.Last()
	rec.PrevGroup = v.tr.LastInGroup(pg)
	if prev, ok := v.lastPage[rec.Page]; ok {
		rec.PrevPage = prev
	}
	for i := range m.recs {
		p := &m.recs[i]
		rec.PrevVolume = p.LSN
		if m.pgs[i] == pg {
			rec.PrevGroup = p.LSN
		}
		if p.Page == rec.Page {
			rec.PrevPage = p.LSN
		}
	}
	cp := *rec
	cp.CPL = false
	cp.Payload = append([]byte(nil), rec.Payload...)
	m.recs = append(m.recs, cp)
	m.pgs = append(m.pgs, pg)
}

// End registers the records (the last one a CPL), stages them for the replica
// streams and releases the Volume's lock.
func (m *volumeMTR) End() (redo.LSN, error) {
	v := m.v
	defer v.mu.Unlock()
	if m.err != nil {
		v.fail(m.err)
		return 0, m.err
	}
	if v.fatal != nil {
		return 0, v.fatal
	}
	if len(m.recs) == 0 {
		return 0, nil
	}
	m.recs[len(m.recs)-1].CPL = true
	for i := range m.recs {
		r := &m.recs[i]
		want := *r
		if _, err := v.appendLocked(r, m.pgs[i], v.next); err != nil || r.LSN != want.LSN ||
			r.PrevVolume != want.PrevVolume || r.PrevGroup != want.PrevGroup || r.PrevPage != want.PrevPage {
			err = fmt.Errorf("quorum: internal error: mtr record %d registered as %+v, predicted %+v: %v", i, *r, want, err)
			v.fail(err)
			return 0, err
		}
		v.next++
	}
	v.flushLocked()
	return m.recs[len(m.recs)-1].LSN, nil
}
