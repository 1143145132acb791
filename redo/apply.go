package redo

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	// ErrAlreadyApplied is wrapped when a record's LSN is not above the page
	// LSN: the page already reflects it (storage relies on this for
	// idempotent replay).
	ErrAlreadyApplied = errors.New("record already applied to page")
	// ErrPageFull is wrapped when an insert or overwrite does not fit even
	// after compaction.
	ErrPageFull = errors.New("page full")
	// ErrInvalidRecord is wrapped when a record is malformed or does not apply
	// to the page: wrong page id, bad index or offset, bad payload length, an
	// operation other than InitPage or FullPageImage on a page never written.
	ErrInvalidRecord = errors.New("record does not apply")
)

// Apply applies record r to page p. It is the only way a page changes, on the
// writer, on readers and on storage, and it is deterministic: the same record
// on the same page bytes always yields the same page bytes.
//
// Apply checks everything before it writes, so a failed Apply leaves p
// byte-for-byte unchanged; it never panics. Rules:
//   - r.LSN must be above the page LSN, else the error wraps ErrAlreadyApplied
//     (checked before anything else about the record).
//   - A page never written (all zero) accepts only InitPage and FullPageImage;
//     Noop on it is rejected, since it would make the page non-zero without a
//     format.
//   - r.Page must equal the page id; InitPage sets the id, and a full page
//     image must carry r.Page as its own id.
//   - Inserts and overwrites that do not fit wrap ErrPageFull. When one fits
//     only after defragmenting, Apply packs the live items (in index order,
//     from the special space down) first.
//
// On success the page LSN becomes r.LSN; the checksum is left stale (see
// Seal). Apply checks the header bounds of p and every item it reads, but not
// that items do not overlap: a page that passes Verify stays valid under
// Apply, and pages from outside memory must be Verified on arrival.
// r.Payload must not alias p.
func Apply(p *Page, r *Record) error {
	if p == nil || r == nil {
		return fmt.Errorf("redo: apply: %w: nil page or record", ErrInvalidRecord)
	}
	if r.LSN == 0 {
		return applyErr(p, r, ErrInvalidRecord, "LSN 0")
	}
	var err error
	if p[offVersion] == 0 && p.IsZero() {
		switch r.Op {
		case OpInitPage:
			err = applyInit(p, r)
		case OpFullPageImage:
			err = applyImage(p, r)
		default:
			return applyErr(p, r, ErrInvalidRecord, "page never initialised")
		}
	} else {
		if pl := p.LSN(); r.LSN <= pl {
			return applyErr(p, r, ErrAlreadyApplied, "page LSN is %d", pl)
		}
		err = applyOp(p, r)
	}
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(p[offLSN:offLSN+8], uint64(r.LSN))
	return nil
}

func applyErr(p *Page, r *Record, kind error, format string, args ...any) error {
	return fmt.Errorf("redo: apply %s LSN %d (page %d) to page %d: %w: %s", r.Op, r.LSN, r.Page, p.ID(), kind, fmt.Sprintf(format, args...))
}

func applyOp(p *Page, r *Record) error {
	switch r.Op {
	case OpInitPage:
		return applyInit(p, r)
	case OpFullPageImage:
		return applyImage(p, r)
	}
	if !r.Op.Valid() {
		return applyErr(p, r, ErrInvalidRecord, "unknown op")
	}
	if r.Page != p.ID() {
		return applyErr(p, r, ErrInvalidRecord, "wrong page")
	}
	h, err := p.header()
	if err != nil {
		return fmt.Errorf("redo: apply %s LSN %d to page %d: %w", r.Op, r.LSN, r.Page, err)
	}
	pl := r.Payload
	switch r.Op {
	case OpInsertItem:
		if len(pl) < 2 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, need at least 2", len(pl))
		}
		return applyInsert(p, r, h, int(binary.LittleEndian.Uint16(pl)), pl[2:])
	case OpOverwriteItem:
		if len(pl) < 2 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, need at least 2", len(pl))
		}
		return applyOverwrite(p, r, h, int(binary.LittleEndian.Uint16(pl)), pl[2:])
	case OpDeleteItem, OpKillItem:
		if len(pl) != 2 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want 2", len(pl))
		}
		idx := int(binary.LittleEndian.Uint16(pl))
		if idx >= h.count() {
			return applyErr(p, r, ErrInvalidRecord, "index %d out of range (%d items)", idx, h.count())
		}
		start := PageHeaderSize + ItemIDSize*idx
		if r.Op == OpKillItem {
			if _, n := p.itemID(idx); n == 0 {
				return applyErr(p, r, ErrInvalidRecord, "item %d already unused", idx)
			}
			clear(p[start : start+ItemIDSize])
			return nil
		}
		copy(p[start:h.lower-ItemIDSize], p[start+ItemIDSize:h.lower])
		clear(p[h.lower-ItemIDSize : h.lower])
		p.setU16(offLower, h.lower-ItemIDSize)
		return nil
	case OpPatchItem:
		if len(pl) < 4 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, need at least 4", len(pl))
		}
		idx, off, data := int(binary.LittleEndian.Uint16(pl)), int(binary.LittleEndian.Uint16(pl[2:])), pl[4:]
		if idx >= h.count() {
			return applyErr(p, r, ErrInvalidRecord, "index %d out of range (%d items)", idx, h.count())
		}
		ioff, n := p.itemID(idx)
		switch {
		case n == 0:
			return applyErr(p, r, ErrInvalidRecord, "item %d unused", idx)
		case ioff < h.upper || ioff+n > h.special:
			return applyErr(p, r, ErrCorruptPage, "item %d at [%d, %d) outside item data [%d, %d)", idx, ioff, ioff+n, h.upper, h.special)
		case off+len(data) > n:
			return applyErr(p, r, ErrInvalidRecord, "patch [%d, %d) beyond item %d of %d bytes", off, off+len(data), idx, n)
		}
		copy(p[ioff+off:], data)
		return nil
	case OpSetSpecial:
		if len(pl) < 2 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, need at least 2", len(pl))
		}
		off, data := int(binary.LittleEndian.Uint16(pl)), pl[2:]
		if size := PageSize - h.special; off+len(data) > size {
			return applyErr(p, r, ErrInvalidRecord, "write [%d, %d) beyond special space of %d bytes", off, off+len(data), size)
		}
		copy(p[h.special+off:], data)
		return nil
	case OpSetFlags:
		if len(pl) != 2 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want 2", len(pl))
		}
		copy(p[offFlags:offFlags+2], pl)
		return nil
	case OpCompact:
		if len(pl) != 0 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want 0", len(pl))
		}
		if _, err := p.liveBytes(h, -1); err != nil {
			return fmt.Errorf("redo: apply %s LSN %d to page %d: %w", r.Op, r.LSN, r.Page, err)
		}
		p.defragment(&h, -1)
		n := h.count()
		for n > 0 {
			if _, ln := p.itemID(n - 1); ln != 0 {
				break
			}
			n--
		}
		lower := PageHeaderSize + ItemIDSize*n
		clear(p[lower:h.lower])
		p.setU16(offLower, lower)
		return nil
	case OpNoop:
		if len(pl) != 0 {
			return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want 0", len(pl))
		}
		return nil
	}
	return applyErr(p, r, ErrInvalidRecord, "unhandled op")
}

func applyInit(p *Page, r *Record) error {
	if len(r.Payload) != 3 {
		return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want 3", len(r.Payload))
	}
	size := int(binary.LittleEndian.Uint16(r.Payload[1:]))
	if size > PageSize-PageHeaderSize {
		return applyErr(p, r, ErrInvalidRecord, "special space of %d bytes exceeds %d", size, PageSize-PageHeaderSize)
	}
	clear(p[:])
	binary.LittleEndian.PutUint64(p[offID:offID+8], uint64(r.Page))
	p[offType] = r.Payload[0]
	p[offVersion] = PageFormatVersion
	p.setU16(offLower, PageHeaderSize)
	p.setU16(offUpper, PageSize-size)
	p.setU16(offSpecial, PageSize-size)
	return nil
}

func applyImage(p *Page, r *Record) error {
	if len(r.Payload) != PageSize {
		return applyErr(p, r, ErrInvalidRecord, "payload %d bytes, want %d", len(r.Payload), PageSize)
	}
	img := (*Page)(r.Payload)
	if img.IsZero() {
		return applyErr(p, r, ErrInvalidRecord, "image is a page never written")
	}
	if err := img.Verify(); err != nil {
		return applyErr(p, r, ErrInvalidRecord, "image: %v", err)
	}
	if img.ID() != r.Page {
		return applyErr(p, r, ErrInvalidRecord, "image of page %d", img.ID())
	}
	*p = *img
	return nil
}

func applyInsert(p *Page, r *Record, h pageHeader, idx int, data []byte) error {
	switch {
	case idx > h.count():
		return applyErr(p, r, ErrInvalidRecord, "index %d out of range (%d items)", idx, h.count())
	case len(data) == 0:
		return applyErr(p, r, ErrInvalidRecord, "empty item")
	}
	need := len(data) + ItemIDSize
	if h.upper-h.lower < need {
		live, err := p.liveBytes(h, -1)
		if err != nil {
			return fmt.Errorf("redo: apply %s LSN %d to page %d: %w", r.Op, r.LSN, r.Page, err)
		}
		if free := h.special - h.lower - live; free < need {
			return applyErr(p, r, ErrPageFull, "item of %d bytes needs %d, %d free", len(data), need, free)
		}
		p.defragment(&h, -1)
	}
	start := PageHeaderSize + ItemIDSize*idx
	copy(p[start+ItemIDSize:h.lower+ItemIDSize], p[start:h.lower])
	h.upper -= len(data)
	copy(p[h.upper:], data)
	p.setItemID(idx, h.upper, len(data))
	p.setU16(offLower, h.lower+ItemIDSize)
	p.setU16(offUpper, h.upper)
	return nil
}

func applyOverwrite(p *Page, r *Record, h pageHeader, idx int, data []byte) error {
	switch {
	case idx >= h.count():
		return applyErr(p, r, ErrInvalidRecord, "index %d out of range (%d items)", idx, h.count())
	case len(data) == 0:
		return applyErr(p, r, ErrInvalidRecord, "empty item")
	}
	off, old := p.itemID(idx)
	if old != 0 && (off < h.upper || off+old > h.special) {
		return applyErr(p, r, ErrCorruptPage, "item %d at [%d, %d) outside item data [%d, %d)", idx, off, off+old, h.upper, h.special)
	}
	if len(data) <= old { // in place; the tail becomes a hole
		copy(p[off:], data)
		p.setItemID(idx, off, len(data))
		return nil
	}
	if h.upper-h.lower < len(data) {
		live, err := p.liveBytes(h, idx)
		if err != nil {
			return fmt.Errorf("redo: apply %s LSN %d to page %d: %w", r.Op, r.LSN, r.Page, err)
		}
		if free := h.special - h.lower - live; free < len(data) {
			return applyErr(p, r, ErrPageFull, "item of %d bytes, %d free counting the old item", len(data), free)
		}
		p.defragment(&h, idx)
	}
	h.upper -= len(data)
	copy(p[h.upper:], data)
	p.setItemID(idx, h.upper, len(data))
	p.setU16(offUpper, h.upper)
	return nil
}

// defragment packs the live items except item skip (-1: none) against the
// special space, in index order, zeroes the space it frees and updates upper
// (in h and on the page). The caller has checked the items with liveBytes.
// Item skip keeps its stale id; the caller rewrites it.
func (p *Page) defragment(h *pageHeader, skip int) {
	var tmp [PageSize]byte
	copy(tmp[h.upper:h.special], p[h.upper:h.special])
	pos := h.special
	for i, n := 0, h.count(); i < n; i++ {
		off, ln := p.itemID(i)
		if ln == 0 || i == skip {
			continue
		}
		pos -= ln
		copy(p[pos:pos+ln], tmp[off:off+ln])
		p.setItemID(i, pos, ln)
	}
	clear(p[h.upper:pos])
	h.upper = pos
	p.setU16(offUpper, pos)
}
