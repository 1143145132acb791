package heap

import (
	"encoding/binary"
	"fmt"

	"github.com/borealis-db/borealis/redo"
)

// TID identifies a row version: its page and item index (slot).
type TID struct {
	Page redo.PageID
	Slot uint16
}

// String formats the TID like PostgreSQL's ctid: (page,slot).
func (t TID) String() string { return fmt.Sprintf("(%d,%d)", t.Page, t.Slot) }

// Tuple header flags.
const (
	// FlagLockOnly: xmax only locks the row (SELECT FOR UPDATE, or a lock
	// taken before an update that moves the row to another page).
	FlagLockOnly uint16 = 1 << 0
	// FlagUpdated: xmax replaced this version by the one at CTID.
	FlagUpdated uint16 = 1 << 1
	// FlagHotUpdated: the next version (at CTID, on the same page) is
	// heap-only: it was made by a HOT update.
	FlagHotUpdated uint16 = 1 << 2
	// FlagHeapOnly: no index entry points at this version; index scans
	// reach it through its HOT chain (see FetchIndexed).
	FlagHeapOnly uint16 = 1 << 3
	// FlagNoKey: xmax (a lock or an update) leaves the row's key alone:
	// FOR NO KEY UPDATE strength, which FOR KEY SHARE does not conflict
	// with (see LockMode). Without it xmax holds FOR UPDATE strength.
	FlagNoKey uint16 = 1 << 4
)

// HeaderSize is the size of the tuple header before the row data.
//
//	0  u64 xmin    creating transaction
//	8  u64 xmax    deleting/updating/locking transaction (0: none)
//	16 u32 cmin    command id of the creation
//	20 u32 cmax    command id of the deletion
//	24 u16 flags
//	26 u16 ctid slot  (next version, when FlagUpdated)
//	28 u64 ctid page
const HeaderSize = 36

const (
	offXmin  = 0
	offXmax  = 8
	offCmin  = 16
	offCmax  = 20
	offFlags = 24
	offCtid  = 26
)

// stubDead is a 1-byte item left by pruning in place of a dead version that
// index entries may still point to; VACUUM turns stubs into unused slots
// after removing those entries.
const stubDead = 0xDE

// stubRedirect (3 bytes: 0xDF, u16 slot) replaces a dead HOT-chain root that
// index entries point to; it leads to the chain's first live version.
const stubRedirect = 0xDF

// redirectOf returns the target slot of a redirect stub item.
func redirectOf(it []byte) (int, bool) {
	if len(it) != 3 || it[0] != stubRedirect {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(it[1:])), true
}

// Header is a decoded tuple header.
type Header struct {
	Xmin, Xmax uint64
	Cmin, Cmax uint32
	Flags      uint16
	CTID       TID
}

// LockOnly reports whether xmax only locks the row.
func (h *Header) LockOnly() bool { return h.Flags&FlagLockOnly != 0 }

// Updated reports whether the version was replaced by the one at CTID.
func (h *Header) Updated() bool { return h.Flags&FlagUpdated != 0 }

// HotUpdated reports whether the next version is a heap-only one on the
// same page.
func (h *Header) HotUpdated() bool { return h.Flags&FlagHotUpdated != 0 }

// HeapOnly reports whether no index entry points at this version.
func (h *Header) HeapOnly() bool { return h.Flags&FlagHeapOnly != 0 }

func decodeHeader(b []byte) Header {
	return Header{
		Xmin:  binary.LittleEndian.Uint64(b[offXmin:]),
		Xmax:  binary.LittleEndian.Uint64(b[offXmax:]),
		Cmin:  binary.LittleEndian.Uint32(b[offCmin:]),
		Cmax:  binary.LittleEndian.Uint32(b[offCmax:]),
		Flags: binary.LittleEndian.Uint16(b[offFlags:]),
		CTID: TID{Slot: binary.LittleEndian.Uint16(b[offCtid:]),
			Page: redo.PageID(binary.LittleEndian.Uint64(b[offCtid+2:]))},
	}
}

// appendHeader appends the encoding of h to dst.
func appendHeader(dst []byte, h *Header) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, h.Xmin)
	dst = binary.LittleEndian.AppendUint64(dst, h.Xmax)
	dst = binary.LittleEndian.AppendUint32(dst, h.Cmin)
	dst = binary.LittleEndian.AppendUint32(dst, h.Cmax)
	dst = binary.LittleEndian.AppendUint16(dst, h.Flags)
	dst = binary.LittleEndian.AppendUint16(dst, h.CTID.Slot)
	return binary.LittleEndian.AppendUint64(dst, uint64(h.CTID.Page))
}

// xmaxPatch encodes the header tail from xmax: xmax, cmin, cmax, flags, ctid
// (28 bytes at offset offXmax), for one PatchItem.
func xmaxPatch(dst []byte, h *Header) []byte {
	full := appendHeader(dst[:0], h)
	return full[offXmax:HeaderSize]
}

// tupleAt returns item i as a tuple (header and data), or false for an
// unused slot, a stub or a malformed item.
func tupleAt(pg *redo.Page, i int) (Header, []byte, bool) {
	it, ok := pg.Item(i)
	if !ok || len(it) < HeaderSize {
		return Header{}, nil, false
	}
	return decodeHeader(it), it[HeaderSize:], true
}
