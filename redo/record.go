package redo

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Record is one redo record: a physiological change to one page.
//
// Back-links let every replica find gaps without asking the writer: PrevVolume
// is the LSN of the volume's previous record, PrevGroup the previous record of
// the same protection group, PrevPage the previous record of the same page.
// CPL marks the last record of a mini-transaction: the volume is consistent at
// a CPL, so durable points (VDL) are always CPLs.
type Record struct {
	LSN        LSN
	PrevVolume LSN
	PrevGroup  LSN
	PrevPage   LSN
	Page       PageID
	Op         Op
	CPL        bool
	Payload    []byte
}

// Encoding of a record (little-endian):
//
//	0   u8   format version (RecordVersion)
//	1   u8   op
//	2   u8   flags (bit 0: CPL)
//	3   u8   reserved, zero
//	4   u32  payload length
//	8   u64  LSN
//	16  u64  PrevVolume
//	24  u64  PrevGroup
//	32  u64  PrevPage
//	40  u64  page id
//	48  payload
//	48+n u64 xxhash64 of bytes [0, 48+n)
const (
	// RecordVersion is the record format version written in byte 0.
	RecordVersion = 1
	// RecordHeaderSize is the size of the fixed header before the payload.
	RecordHeaderSize = 48
	// RecordTrailerSize is the size of the checksum after the payload.
	RecordTrailerSize = 8
	// MaxPayload bounds a record's payload; a full page image is the largest.
	MaxPayload = 2 * PageSize

	flagCPL = 1 << 0
)

// ErrCorrupt is wrapped by every decoding error caused by bad bytes.
var ErrCorrupt = errors.New("corrupt redo record")

// EncodedSize is the number of bytes Append writes for r.
func (r *Record) EncodedSize() int {
	return RecordHeaderSize + len(r.Payload) + RecordTrailerSize
}

// Append appends the encoding of r to dst and returns the extended slice.
func (r *Record) Append(dst []byte) []byte {
	start := len(dst)
	var h [RecordHeaderSize]byte
	h[0] = RecordVersion
	h[1] = byte(r.Op)
	if r.CPL {
		h[2] = flagCPL
	}
	binary.LittleEndian.PutUint32(h[4:], uint32(len(r.Payload)))
	binary.LittleEndian.PutUint64(h[8:], uint64(r.LSN))
	binary.LittleEndian.PutUint64(h[16:], uint64(r.PrevVolume))
	binary.LittleEndian.PutUint64(h[24:], uint64(r.PrevGroup))
	binary.LittleEndian.PutUint64(h[32:], uint64(r.PrevPage))
	binary.LittleEndian.PutUint64(h[40:], uint64(r.Page))
	dst = append(dst, h[:]...)
	dst = append(dst, r.Payload...)
	return binary.LittleEndian.AppendUint64(dst, xxhash.Sum64(dst[start:]))
}

// Encode returns the encoding of r in a new slice.
func (r *Record) Encode() []byte { return r.Append(make([]byte, 0, r.EncodedSize())) }

// Decode decodes one record from the front of b and returns it with the number
// of bytes consumed. Decoding is strict: unknown versions, flags or ops,
// non-zero reserved bytes, oversized payloads, back-links not below the LSN,
// truncation and checksum mismatches are errors wrapping ErrCorrupt. The
// returned payload aliases b.
func Decode(b []byte) (Record, int, error) {
	if len(b) < RecordHeaderSize+RecordTrailerSize {
		return Record{}, 0, fmt.Errorf("%w: %d bytes, need at least %d", ErrCorrupt, len(b), RecordHeaderSize+RecordTrailerSize)
	}
	if b[0] != RecordVersion {
		return Record{}, 0, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, b[0])
	}
	n := binary.LittleEndian.Uint32(b[4:])
	if n > MaxPayload {
		return Record{}, 0, fmt.Errorf("%w: payload length %d exceeds %d", ErrCorrupt, n, MaxPayload)
	}
	total := RecordHeaderSize + int(n) + RecordTrailerSize
	if len(b) < total {
		return Record{}, 0, fmt.Errorf("%w: truncated: %d bytes of %d", ErrCorrupt, len(b), total)
	}
	body := b[:total-RecordTrailerSize]
	if want, got := binary.LittleEndian.Uint64(b[total-RecordTrailerSize:]), xxhash.Sum64(body); want != got {
		return Record{}, 0, fmt.Errorf("%w: checksum mismatch (stored %016x, computed %016x)", ErrCorrupt, want, got)
	}
	r := Record{
		Op:         Op(b[1]),
		CPL:        b[2]&flagCPL != 0,
		LSN:        LSN(binary.LittleEndian.Uint64(b[8:])),
		PrevVolume: LSN(binary.LittleEndian.Uint64(b[16:])),
		PrevGroup:  LSN(binary.LittleEndian.Uint64(b[24:])),
		PrevPage:   LSN(binary.LittleEndian.Uint64(b[32:])),
		Page:       PageID(binary.LittleEndian.Uint64(b[40:])),
		Payload:    body[RecordHeaderSize:],
	}
	switch {
	case !r.Op.Valid():
		return Record{}, 0, fmt.Errorf("%w: unknown op %d", ErrCorrupt, b[1])
	case b[2]&^flagCPL != 0:
		return Record{}, 0, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, b[2])
	case b[3] != 0:
		return Record{}, 0, fmt.Errorf("%w: reserved byte is %d", ErrCorrupt, b[3])
	case r.LSN == 0:
		return Record{}, 0, fmt.Errorf("%w: LSN 0", ErrCorrupt)
	case r.PrevVolume >= r.LSN || r.PrevGroup >= r.LSN || r.PrevPage >= r.LSN:
		return Record{}, 0, fmt.Errorf("%w: LSN %d has a back-link not below it", ErrCorrupt, r.LSN)
	}
	return r, total, nil
}

// DecodeAll decodes a batch of concatenated records. Records must be in
// strictly increasing LSN order. Payloads alias b.
func DecodeAll(b []byte) ([]Record, error) {
	var out []Record
	for off := 0; off < len(b); {
		r, n, err := Decode(b[off:])
		if err != nil {
			return nil, fmt.Errorf("record at byte %d: %w", off, err)
		}
		if len(out) > 0 && r.LSN <= out[len(out)-1].LSN {
			return nil, fmt.Errorf("record at byte %d: %w: LSN %d not above previous %d", off, ErrCorrupt, r.LSN, out[len(out)-1].LSN)
		}
		out = append(out, r)
		off += n
	}
	return out, nil
}
