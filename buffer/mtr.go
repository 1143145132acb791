package buffer

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/borealis-db/borealis/redo"
)

// MTR is a mini-transaction: a group of page changes that reach the log as
// consecutive records, the last one a CPL. Pin and X-latch every page the MTR
// changes before Begin; do not wait for anything until End; unlatch after End.
//
// Each change is applied to the frame first (redo.Apply checks everything
// before it writes, so a change that does not apply leaves the page unchanged
// and returns an error without logging anything), then added to the log, and
// the page LSN is set to the record's LSN. The page is byte-identical to what
// redo.Apply of the logged record gives, since Apply's result depends on the
// record's LSN only through the page LSN.
type MTR struct {
	pool *Pool
	log  MTRLog
	buf  []byte
	rec  redo.Record
	n    int
	last redo.LSN
}

// Begin starts a mini-transaction (takes the log-tail lock).
func (p *Pool) Begin() *MTR {
	m := p.mtrs.Get().(*MTR)
	m.log = p.log.BeginMTR()
	m.n = 0
	m.last = 0
	return m
}

// Records returns the number of records added so far.
func (m *MTR) Records() int { return m.n }

// Apply applies rec to f's page and logs it. f must be pinned and X-latched
// by the caller; rec.Page is set to f's page id. On error nothing changed and
// nothing was logged. rec's LSN and back-links are filled in.
func (m *MTR) Apply(f *Frame, rec *redo.Record) error {
	if m.log == nil {
		return errors.New("buffer: apply on an ended mtr")
	}
	rec.Page = f.id
	pg := &f.page
	prev := pg.LSN()
	rec.LSN = prev + 1 // provisional: above the page LSN
	rec.CPL = false
	if err := redo.Apply(pg, rec); err != nil {
		return fmt.Errorf("buffer: %w", err)
	}
	rec.LSN = 0
	rec.PrevPage = prev // the page's previous record, whatever the log remembers
	m.log.Add(rec)
	binary.LittleEndian.PutUint64(pg[0:8], uint64(rec.LSN))
	m.n++
	m.last = rec.LSN
	return nil
}

// End ends the mini-transaction (CPL on the last record, records queued,
// log-tail lock released) and returns the LSN of its last record (0 if it
// added none). The MTR must not be used afterwards. An error breaks the pool:
// its pages may be ahead of the log.
func (m *MTR) End() (redo.LSN, error) {
	if m.log == nil {
		return 0, errors.New("buffer: mtr ended twice")
	}
	lsn, err := m.log.End()
	m.log = nil
	p := m.pool
	if cap(m.buf) <= 64<<10 {
		m.buf = m.buf[:0]
		m.rec = redo.Record{}
		p.mtrs.Put(m)
	}
	if err != nil {
		err = fmt.Errorf("buffer: end mtr: %w", err)
		p.breakWith(err)
		return 0, err
	}
	return lsn, nil
}

func (m *MTR) apply(f *Frame, op redo.Op) error {
	m.rec = redo.Record{Op: op, Payload: m.buf}
	return m.Apply(f, &m.rec)
}

func (m *MTR) u16(v int) { m.buf = binary.LittleEndian.AppendUint16(m.buf, uint16(v)) }

func checkU16(what string, v int) error {
	if v < 0 || v > 0xFFFF {
		return fmt.Errorf("buffer: %s %d out of range", what, v)
	}
	return nil
}

// InitPage formats f's page empty with a page type and special-space size.
func (m *MTR) InitPage(f *Frame, typ uint8, special int) error {
	if err := checkU16("special size", special); err != nil {
		return err
	}
	m.buf = append(m.buf[:0], typ)
	m.u16(special)
	return m.apply(f, redo.OpInitPage)
}

// InsertItem inserts item at index idx (later items shift up).
func (m *MTR) InsertItem(f *Frame, idx int, item []byte) error {
	if err := checkU16("index", idx); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(idx)
	m.buf = append(m.buf, item...)
	return m.apply(f, redo.OpInsertItem)
}

// OverwriteItem replaces item idx (which may be unused) with item.
func (m *MTR) OverwriteItem(f *Frame, idx int, item []byte) error {
	if err := checkU16("index", idx); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(idx)
	m.buf = append(m.buf, item...)
	return m.apply(f, redo.OpOverwriteItem)
}

// DeleteItem removes item idx (later items shift down).
func (m *MTR) DeleteItem(f *Frame, idx int) error {
	if err := checkU16("index", idx); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(idx)
	return m.apply(f, redo.OpDeleteItem)
}

// KillItem marks item idx unused without shifting the others.
func (m *MTR) KillItem(f *Frame, idx int) error {
	if err := checkU16("index", idx); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(idx)
	return m.apply(f, redo.OpKillItem)
}

// PatchItem overwrites bytes of item idx at offset off.
func (m *MTR) PatchItem(f *Frame, idx, off int, data []byte) error {
	if err := checkU16("index", idx); err != nil {
		return err
	}
	if err := checkU16("offset", off); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(idx)
	m.u16(off)
	m.buf = append(m.buf, data...)
	return m.apply(f, redo.OpPatchItem)
}

// SetSpecial overwrites bytes of the special space at offset off.
func (m *MTR) SetSpecial(f *Frame, off int, data []byte) error {
	if err := checkU16("offset", off); err != nil {
		return err
	}
	m.buf = m.buf[:0]
	m.u16(off)
	m.buf = append(m.buf, data...)
	return m.apply(f, redo.OpSetSpecial)
}

// SetFlags sets the page header flags.
func (m *MTR) SetFlags(f *Frame, flags uint16) error {
	m.buf = m.buf[:0]
	m.u16(int(flags))
	return m.apply(f, redo.OpSetFlags)
}

// Compact defragments the page, dropping trailing unused item ids.
func (m *MTR) Compact(f *Frame) error {
	m.buf = m.buf[:0]
	return m.apply(f, redo.OpCompact)
}

// FullPageImage replaces f's page with img (sealed here; its id must be f's).
func (m *MTR) FullPageImage(f *Frame, img *redo.Page) error {
	img.Seal()
	m.buf = append(m.buf[:0], img[:]...)
	return m.apply(f, redo.OpFullPageImage)
}
