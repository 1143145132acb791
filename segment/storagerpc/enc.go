package storagerpc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every message decoding error.
var ErrMalformed = errors.New("malformed storage message")

// maxField bounds any single length-prefixed field (records of one batch, a page).
const maxField = 64 << 20

// maxList bounds the number of elements of a repeated field.
const maxList = 1 << 16

type encoder struct{ b []byte }

func (e *encoder) u64(v uint64)   { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) bytes(v []byte) { e.u64(uint64(len(v))); e.b = append(e.b, v...) }
func (e *encoder) str(v string)   { e.u64(uint64(len(v))); e.b = append(e.b, v...) }
func (e *encoder) boolean(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u32() uint32 {
	v := d.u64()
	if v > 1<<32-1 {
		d.fail("value %d overflows 32 bits", v)
		return 0
	}
	return uint32(v)
}

func (d *decoder) bytes() []byte {
	n := d.u64()
	if d.err != nil {
		return nil
	}
	if n > maxField || n > uint64(len(d.b)) {
		d.fail("field of %d bytes with %d left", n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// ownedBytes copies the field: gRPC may reuse the receive buffer.
func (d *decoder) ownedBytes() []byte {
	v := d.bytes()
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) boolean() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail("bad bool")
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *decoder) count() int {
	n := d.u64()
	if n > maxList {
		d.fail("list of %d elements exceeds %d", n, maxList)
		return 0
	}
	return int(n)
}

// done reports the first error, or trailing bytes as an error.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}
