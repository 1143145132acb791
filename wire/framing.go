package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Limits of the startup phase, as in PostgreSQL (MAX_STARTUP_PACKET_LENGTH).
const (
	minStartupLen = 8
	maxStartupLen = 10000
)

// Startup packet codes.
const (
	codeProtocol30    = 3 << 16
	codeProtocol32    = 3<<16 | 2
	codeCancelRequest = 80877102
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
)

// errMessageTooLarge is returned when a message exceeds the configured maximum.
type errMessageTooLarge struct{ size, max int }

func (e *errMessageTooLarge) Error() string {
	return fmt.Sprintf("message of %d bytes exceeds the maximum of %d", e.size, e.max)
}

// errBadLength is returned for a message length field below its own size.
var errBadLength = errors.New("invalid message length")

// readStartupPacket reads one length-prefixed startup-phase packet without any
// read-ahead, so that nothing sent before a TLS handshake is ever consumed as
// part of it.
func readStartupPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int64(binary.BigEndian.Uint32(hdr[:]))
	if n < minStartupLen || n > maxStartupLen {
		return nil, fmt.Errorf("invalid length of startup packet: %d", n)
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading startup packet: %w", unexpectedEOF(err))
	}
	return body, nil
}

// msgReader frames typed protocol messages: 1 type byte, 4-byte length
// (including itself), body.
type msgReader struct {
	r   *bufio.Reader
	max int
	buf []byte // reused body buffer for messages whose body is not retained
}

func newMsgReader(r io.Reader, max int) *msgReader {
	return &msgReader{r: bufio.NewReaderSize(r, 8192), max: max}
}

// next reads one message. The body aliases an internal buffer when reuse is
// true, and is freshly allocated otherwise.
func (m *msgReader) next(reuse func(typ byte) bool) (typ byte, body []byte, err error) {
	var hdr [5]byte
	if _, err := io.ReadFull(m.r, hdr[:1]); err != nil {
		return 0, nil, err // a clean EOF between messages is io.EOF
	}
	if _, err := io.ReadFull(m.r, hdr[1:]); err != nil {
		return 0, nil, unexpectedEOF(err)
	}
	typ = hdr[0]
	if !knownFrontendType(typ) {
		return typ, nil, &errUnknownType{typ: typ}
	}
	n := int64(binary.BigEndian.Uint32(hdr[1:]))
	if n < 4 {
		return typ, nil, errBadLength
	}
	size := int(n - 4)
	if m.max > 0 && size > m.max {
		return typ, nil, &errMessageTooLarge{size: size, max: m.max}
	}
	if reuse != nil && reuse(typ) {
		if cap(m.buf) < size {
			m.buf = make([]byte, size)
		}
		body = m.buf[:size]
	} else {
		body = make([]byte, size)
	}
	if _, err := io.ReadFull(m.r, body); err != nil {
		return typ, nil, unexpectedEOF(err)
	}
	return typ, body, nil
}

// errUnknownType is returned for a message type byte no frontend sends.
type errUnknownType struct{ typ byte }

func (e *errUnknownType) Error() string {
	return fmt.Sprintf("invalid frontend message type %d", e.typ)
}

// knownFrontendType reports whether typ is a message type a protocol 3.0
// frontend may send after startup.
func knownFrontendType(typ byte) bool {
	switch typ {
	case 'Q', 'P', 'B', 'E', 'D', 'C', 'S', 'H', 'X', 'd', 'c', 'f', 'p', 'F':
		return true
	}
	return false
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
