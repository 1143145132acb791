package redo

import (
	"encoding/binary"
	"math"
)

// The record constructors below fill Page, Op and Payload; the log assigns the
// LSN, the back-links and CPL. Indexes and offsets are ints for convenience: a
// value outside 0..65535 is encoded as 65535, which no page can satisfy, so
// Apply rejects the record instead of acting on a truncated value. Data is
// copied into the payload.

// u16 clamps v into the u16 range used by payloads.
func u16(v int) uint16 {
	if v < 0 || v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(v)
}

func newRecord(id PageID, op Op, fixed int, data []byte) Record {
	pl := make([]byte, fixed, fixed+len(data))
	return Record{Page: id, Op: op, Payload: append(pl, data...)}
}

// InitPage formats page id empty, with the given page type and a special space
// of special bytes at the end of the page.
func InitPage(id PageID, typ uint8, special int) Record {
	r := newRecord(id, OpInitPage, 3, nil)
	r.Payload[0] = typ
	binary.LittleEndian.PutUint16(r.Payload[1:], u16(special))
	return r
}

// InsertItem inserts data as item index (0..ItemCount), shifting later items up.
func InsertItem(id PageID, index int, data []byte) Record {
	r := newRecord(id, OpInsertItem, 2, data)
	binary.LittleEndian.PutUint16(r.Payload, u16(index))
	return r
}

// OverwriteItem replaces item index's bytes with data (any non-zero length).
// On an unused slot it makes the slot live again.
func OverwriteItem(id PageID, index int, data []byte) Record {
	r := newRecord(id, OpOverwriteItem, 2, data)
	binary.LittleEndian.PutUint16(r.Payload, u16(index))
	return r
}

// DeleteItem removes item index (live or unused), shifting later items down.
func DeleteItem(id PageID, index int) Record {
	r := newRecord(id, OpDeleteItem, 2, nil)
	binary.LittleEndian.PutUint16(r.Payload, u16(index))
	return r
}

// KillItem marks live item index unused; the other items keep their indexes.
func KillItem(id PageID, index int) Record {
	r := newRecord(id, OpKillItem, 2, nil)
	binary.LittleEndian.PutUint16(r.Payload, u16(index))
	return r
}

// PatchItem overwrites len(data) bytes of live item index from offset off.
func PatchItem(id PageID, index, off int, data []byte) Record {
	r := newRecord(id, OpPatchItem, 4, data)
	binary.LittleEndian.PutUint16(r.Payload, u16(index))
	binary.LittleEndian.PutUint16(r.Payload[2:], u16(off))
	return r
}

// SetSpecial overwrites len(data) bytes of the special space from offset off.
func SetSpecial(id PageID, off int, data []byte) Record {
	r := newRecord(id, OpSetSpecial, 2, data)
	binary.LittleEndian.PutUint16(r.Payload, u16(off))
	return r
}

// SetFlags sets the page header flags.
func SetFlags(id PageID, flags uint16) Record {
	r := newRecord(id, OpSetFlags, 2, nil)
	binary.LittleEndian.PutUint16(r.Payload, flags)
	return r
}

// Compact defragments page id and drops its trailing unused item ids.
func Compact(id PageID) Record { return newRecord(id, OpCompact, 0, nil) }

// Noop changes nothing but the page LSN of page id.
func Noop(id PageID) Record { return newRecord(id, OpNoop, 0, nil) }

// FullPageImage replaces page id with a copy of p, sealed. p's own id must be
// id for the record to apply; p is not changed.
func FullPageImage(id PageID, p *Page) Record {
	r := newRecord(id, OpFullPageImage, PageSize, nil)
	img := (*Page)(r.Payload)
	*img = *p
	img.Seal()
	return r
}
