package segment

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Hot-log frame layout (little-endian):
//
//	u32 length of kind+payload | u8 kind | payload | u64 xxhash64 of the preceding bytes
const (
	frameHeader  = 5
	frameTrailer = 8
	// maxFrame bounds a frame's kind+payload; larger lengths are corruption.
	maxFrame = 128 << 20
)

// Frame kinds. Values are part of the on-disk format: never renumber.
const (
	kindRecords  byte = 1 // u32 pg | concatenated redo encodings
	kindEpoch    byte = 2 // u32 pg | u64 epoch
	kindPeers    byte = 3 // u32 pg | u32 count | (u32 len | bytes)*
	kindTruncate byte = 4 // u32 pg | u64 after | u64 before
	kindReport   byte = 5 // u32 pg | u64 vdl | u64 min read point
	kindMax      byte = 5
)

// errTorn reports a frame that runs past the end of the data: an incomplete
// write, acceptable only at the tail of the newest log file.
var errTorn = errors.New("incomplete frame")

// errBadFrame reports a frame whose bytes are wrong (bad length, kind or checksum).
var errBadFrame = errors.New("corrupt frame")

// appendFrame appends one frame holding kind and payload to dst.
func appendFrame(dst []byte, kind byte, payload []byte) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(1+len(payload)))
	dst = append(dst, kind)
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint64(dst, xxhash.Sum64(dst[start:]))
}

// readFrame decodes the frame at the front of b. It returns the kind, the
// payload (aliasing b) and the frame's total size. Data ending inside the
// frame is errTorn; a bad length, kind or checksum is errBadFrame.
func readFrame(b []byte) (kind byte, payload []byte, size int, err error) {
	if len(b) < frameHeader {
		return 0, nil, 0, fmt.Errorf("%w: %d bytes left, header needs %d", errTorn, len(b), frameHeader)
	}
	n := binary.LittleEndian.Uint32(b)
	if n == 0 || n > maxFrame {
		return 0, nil, 0, fmt.Errorf("%w: length %d", errBadFrame, n)
	}
	total := 4 + int(n) + frameTrailer
	if len(b) < total {
		return 0, nil, 0, fmt.Errorf("%w: %d bytes left, frame needs %d", errTorn, len(b), total)
	}
	if want, got := binary.LittleEndian.Uint64(b[total-frameTrailer:]), xxhash.Sum64(b[:total-frameTrailer]); want != got {
		return 0, nil, 0, fmt.Errorf("%w: checksum mismatch (stored %016x, computed %016x)", errBadFrame, want, got)
	}
	kind = b[4]
	if kind == 0 || kind > kindMax {
		return 0, nil, 0, fmt.Errorf("%w: unknown kind %d", errBadFrame, kind)
	}
	return kind, b[5 : total-frameTrailer], total, nil
}

// allZero reports whether b holds only zero bytes (a preallocated or
// zero-filled tail after a crash).
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// byteReader decodes fixed-width little-endian fields of frame payloads and
// manifests, remembering the first error.
type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if len(r.b) < n {
		r.err = fmt.Errorf("truncated: need %d bytes, have %d", n, len(r.b))
		return false
	}
	return true
}

func (r *byteReader) u8() byte {
	if !r.need(1) {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *byteReader) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *byteReader) u64() uint64 {
	if !r.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *byteReader) bytes() []byte {
	n := r.u32()
	if !r.need(int(n)) {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *byteReader) str() string { return string(r.bytes()) }

// rest returns the remaining bytes.
func (r *byteReader) rest() []byte {
	v := r.b
	r.b = nil
	return v
}

// done reports the first error, or trailing bytes.
func (r *byteReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return r.err
}

func putU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func putU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }
func putStr(b []byte, s string) []byte { return append(putU32(b, uint32(len(s))), s...) }
