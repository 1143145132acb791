package sequence

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/borealis-db/borealis/redo"
)

// PageType is the page type of a sequence page (header byte 22). It
// continues sql/volmeta's list (meta 1, clog 2, heap 3, btree 4).
const PageType uint8 = 5

// Special-space layout of a sequence page (little-endian). The page holds
// no items.
//
//	0 u32 magic | 4 u8 format version | 5 u8 type (2/4/8) | 6 u8 cycle | 7 u8 0
//	8 i64 start | 16 i64 increment | 24 i64 min | 32 i64 max | 40 i64 cache
//	48 i64 last value | 56 u8 is_called | 57..63 zero
//
// The last value on the page is the last *logged* value: nextval logs
// LogAhead values ahead (see Sequence.Nextval), so after a restart the
// sequence goes on after it and never repeats a value it handed out.
const (
	offMagic    = 0
	offVersion  = 4
	offType     = 5
	offCycle    = 6
	offStart    = 8
	offInc      = 16
	offMin      = 24
	offMax      = 32
	offCache    = 40
	offLast     = 48
	offCalled   = 56
	specialSize = 64

	magic         = 0x51455342 // "BSEQ"
	formatVersion = 1
)

// ErrCorrupt is wrapped by errors about a page that is not a valid
// sequence page.
var ErrCorrupt = errors.New("not a valid sequence page")

// encodeSpecial returns the special space for p and the logged state.
func encodeSpecial(p Params, last int64, called bool) []byte {
	b := make([]byte, specialSize)
	binary.LittleEndian.PutUint32(b[offMagic:], magic)
	b[offVersion] = formatVersion
	b[offType] = uint8(p.Type)
	if p.Cycle {
		b[offCycle] = 1
	}
	binary.LittleEndian.PutUint64(b[offStart:], uint64(p.Start))
	binary.LittleEndian.PutUint64(b[offInc:], uint64(p.Increment))
	binary.LittleEndian.PutUint64(b[offMin:], uint64(p.Min))
	binary.LittleEndian.PutUint64(b[offMax:], uint64(p.Max))
	binary.LittleEndian.PutUint64(b[offCache:], uint64(p.Cache))
	copy(b[offLast:], encodeLast(last, called))
	return b
}

// encodeLast returns the 9 bytes at offLast: the logged value and is_called.
func encodeLast(last int64, called bool) []byte {
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, 9), uint64(last))
	if called {
		return append(b, 1)
	}
	return append(b, 0)
}

// Decode reads a sequence page: its parameters and its logged state (the
// last logged value and is_called). A reader that opens the page at some
// LSN sees the sequence as a restarted writer would: nextval would go on
// after LastValue. Any malformed page is an error wrapping ErrCorrupt.
func Decode(pg *redo.Page) (Params, int64, bool, error) {
	if pg.IsZero() {
		return Params{}, 0, false, fmt.Errorf("sequence: page never written: %w", ErrCorrupt)
	}
	if t := pg.Type(); t != PageType {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d has type %d, want %d: %w", pg.ID(), t, PageType, ErrCorrupt)
	}
	b := pg.Special()
	if len(b) != specialSize {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d special space is %d bytes, want %d: %w", pg.ID(), len(b), specialSize, ErrCorrupt)
	}
	if binary.LittleEndian.Uint32(b[offMagic:]) != magic || b[offVersion] != formatVersion {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d: bad magic or version: %w", pg.ID(), ErrCorrupt)
	}
	if b[offCycle] > 1 || b[offCalled] > 1 || b[7] != 0 {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d: bad flags: %w", pg.ID(), ErrCorrupt)
	}
	for _, c := range b[offCalled+1:] {
		if c != 0 {
			return Params{}, 0, false, fmt.Errorf("sequence: page %d: reserved bytes set: %w", pg.ID(), ErrCorrupt)
		}
	}
	p := Params{
		Type:      IntType(b[offType]),
		Cycle:     b[offCycle] == 1,
		Start:     int64(binary.LittleEndian.Uint64(b[offStart:])),
		Increment: int64(binary.LittleEndian.Uint64(b[offInc:])),
		Min:       int64(binary.LittleEndian.Uint64(b[offMin:])),
		Max:       int64(binary.LittleEndian.Uint64(b[offMax:])),
		Cache:     int64(binary.LittleEndian.Uint64(b[offCache:])),
	}
	if err := p.check(); err != nil {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d: %v: %w", pg.ID(), err, ErrCorrupt)
	}
	last := int64(binary.LittleEndian.Uint64(b[offLast:]))
	if last < p.Min || last > p.Max {
		return Params{}, 0, false, fmt.Errorf("sequence: page %d: last value %d outside %d..%d: %w", pg.ID(), last, p.Min, p.Max, ErrCorrupt)
	}
	return p, last, b[offCalled] == 1, nil
}
