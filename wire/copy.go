package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// CopyKind is the data format of a COPY.
type CopyKind int

// COPY formats.
const (
	// CopyText is PostgreSQL's default text format: delimiter-separated,
	// backslash escapes, \N for NULL.
	CopyText CopyKind = iota
	// CopyCSV is the CSV format with quoting.
	CopyCSV
	// CopyBinary is the binary format (PGCOPY header, length-prefixed fields in
	// the types' binary send format).
	CopyBinary
)

// CodeBadCopyFileFormat is the SQLSTATE of malformed COPY data.
const CodeBadCopyFileFormat = "22P04"

// CopyFormat is a COPY data format with its options. Zero fields take
// PostgreSQL's defaults for the kind.
type CopyFormat struct {
	Kind CopyKind
	// Delimiter separates columns: default tab (text) or comma (CSV).
	Delimiter byte
	// Null is the string that means NULL: default `\N` (text) or an unquoted
	// empty field (CSV). NullSet makes an explicit empty Null count in text.
	Null    string
	NullSet bool
	// Quote and Escape are CSV's quote and escape characters (default '"',
	// escape defaulting to the quote).
	Quote, Escape byte
	// Header skips the first line (text and CSV).
	Header bool
}

func (f CopyFormat) withDefaults() CopyFormat {
	switch f.Kind {
	case CopyText:
		if f.Delimiter == 0 {
			f.Delimiter = '\t'
		}
		if f.Null == "" && !f.NullSet {
			f.Null = `\N`
		}
	case CopyCSV:
		if f.Delimiter == 0 {
			f.Delimiter = ','
		}
		if f.Quote == 0 {
			f.Quote = '"'
		}
		if f.Escape == 0 {
			f.Escape = f.Quote
		}
	}
	return f
}

// MaxCopyLine bounds one row of COPY data (PostgreSQL's limit is 1 GB; we
// keep it smaller because a row is held in memory).
const MaxCopyLine = 256 << 20

// CopyDecoder splits a COPY data stream into rows.
type CopyDecoder struct {
	r      *bufio.Reader
	f      CopyFormat
	line   int
	row    [][]byte
	buf    []byte // the raw line(s) of the current row
	out    []byte // de-escaped values of the current row
	done   bool
	header bool // binary header read
}

// NewCopyDecoder returns a decoder of rows in format f read from r (typically
// the reader ResultWriter.CopyIn returns).
func NewCopyDecoder(r io.Reader, f CopyFormat) (*CopyDecoder, error) {
	f = f.withDefaults()
	if f.Kind < CopyText || f.Kind > CopyBinary {
		return nil, fmt.Errorf("copy: unknown format %d", f.Kind)
	}
	if f.Kind != CopyBinary {
		if f.Delimiter == '\n' || f.Delimiter == '\r' || (f.Kind == CopyText && f.Delimiter == '\\') {
			return nil, Errorf(CodeFeatureNotSupported, "COPY delimiter cannot be newline, carriage return or backslash")
		}
		if f.Kind == CopyCSV && (f.Quote == f.Delimiter || f.Quote == '\n' || f.Quote == '\r') {
			return nil, Errorf(CodeFeatureNotSupported, "COPY delimiter and quote must be different")
		}
	}
	// out is never nil, so that empty values are empty and not NULL.
	return &CopyDecoder{r: bufio.NewReaderSize(r, 64<<10), f: f, out: make([]byte, 0, 512)}, nil
}

// Line is the number of the last line (text/CSV) or row (binary) read.
func (d *CopyDecoder) Line() int { return d.line }

// Next returns the next row: one value per column, nil for NULL. The values
// are valid until the next call. At the end of the data it returns io.EOF; a
// malformed stream gives a *Error (22P04, or 22021 for invalid UTF-8 in text
// and CSV). Errors of the underlying reader (such as a client's CopyFail) are
// returned as they are.
func (d *CopyDecoder) Next() ([][]byte, error) {
	if d.done {
		return nil, io.EOF
	}
	switch d.f.Kind {
	case CopyBinary:
		return d.nextBinary()
	case CopyCSV:
		if d.f.Header && d.line == 0 {
			if _, err := d.readRecord(true); err != nil {
				return nil, err
			}
		}
		return d.nextCSV()
	default:
		if d.f.Header && d.line == 0 {
			if _, err := d.readRecord(false); err != nil {
				return nil, err
			}
		}
		return d.nextText()
	}
}

func (d *CopyDecoder) errorf(format string, args ...any) *Error {
	e := Errorf(CodeBadCopyFileFormat, format, args...)
	e.Detail = fmt.Sprintf("COPY line %d", d.line)
	return e
}

// readRecord reads one record (a line; in CSV mode quoted newlines continue
// it) into d.buf without its line terminator. It returns io.EOF at the end of
// data (end of stream or the \. marker).
func (d *CopyDecoder) readRecord(csv bool) ([]byte, error) {
	d.buf = d.buf[:0]
	inQuote := false
	for {
		chunk, err := d.r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
			return nil, err
		}
		start := len(d.buf)
		d.buf = append(d.buf, chunk...)
		if len(d.buf) > MaxCopyLine {
			return nil, d.errorf("COPY row exceeds %d bytes", MaxCopyLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if csv {
				inQuote = d.scanQuotes(d.buf[start:], inQuote)
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(d.buf) == 0 {
				d.done = true
				return nil, io.EOF
			}
			if csv && d.scanQuotes(d.buf[start:], inQuote) {
				d.line++
				return nil, d.errorf("unterminated CSV quoted field")
			}
			d.line++
			return d.endRecord(), nil
		}
		// Ends in '\n'.
		if csv {
			inQuote = d.scanQuotes(d.buf[start:], inQuote)
			if inQuote {
				continue
			}
		} else if escapedNewline(d.buf) {
			continue
		}
		d.line++
		return d.endRecord(), nil
	}
}

// endRecord strips the line terminator and recognizes the \. end marker.
func (d *CopyDecoder) endRecord() []byte {
	rec := d.buf
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		rec = rec[:n-1]
		if n := len(rec); n > 0 && rec[n-1] == '\r' {
			rec = rec[:n-1]
		}
	}
	return rec
}

// escapedNewline reports whether the final '\n' of b is preceded by an odd
// number of backslashes (text format: then it is data, not a line end).
func escapedNewline(b []byte) bool {
	n := 0
	for i := len(b) - 2; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// scanQuotes tracks CSV quoting over b starting in state inQuote.
func (d *CopyDecoder) scanQuotes(b []byte, inQuote bool) bool {
	q, esc := d.f.Quote, d.f.Escape
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inQuote {
			if c == esc && i+1 < len(b) && (b[i+1] == q || b[i+1] == esc) && (esc != q || b[i+1] == q) {
				i++ // escaped quote or escape
				continue
			}
			if c == q {
				inQuote = false
			}
		} else if c == q {
			inQuote = true
		}
	}
	return inQuote
}

func (d *CopyDecoder) nextText() ([][]byte, error) {
	rec, err := d.readRecord(false)
	if err != nil {
		return nil, err
	}
	if string(rec) == `\.` {
		d.done = true
		return nil, io.EOF
	}
	d.row = d.row[:0]
	d.out = d.out[:0]
	type span struct{ start, end int }
	var spans []span
	var nulls []bool
	for field := range splitText(rec, d.f.Delimiter) {
		if string(field) == d.f.Null {
			spans = append(spans, span{})
			nulls = append(nulls, true)
			continue
		}
		start := len(d.out)
		if d.out, err = appendUnescaped(d.out, field); err != nil {
			return nil, d.errorf("%v", err)
		}
		if !utf8.Valid(d.out[start:]) {
			e := checkUTF8(d.out[start:]).(*Error)
			e.Detail = fmt.Sprintf("COPY line %d", d.line)
			return nil, e
		}
		spans = append(spans, span{start, len(d.out)})
		nulls = append(nulls, false)
	}
	for i, s := range spans {
		if nulls[i] {
			d.row = append(d.row, nil)
		} else {
			d.row = append(d.row, d.out[s.start:s.end:s.end])
		}
	}
	return d.row, nil
}

// splitText yields the raw fields of a text-format line; a delimiter after a
// backslash is data.
func splitText(rec []byte, delim byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		start := 0
		for i := 0; i < len(rec); i++ {
			switch rec[i] {
			case '\\':
				i++
			case delim:
				if !yield(rec[start:i]) {
					return
				}
				start = i + 1
			}
		}
		yield(rec[start:])
	}
}

// appendUnescaped appends field with text-format backslash escapes resolved.
func appendUnescaped(dst, field []byte) ([]byte, error) {
	for i := 0; i < len(field); i++ {
		c := field[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(field) {
			return dst, errors.New("unterminated backslash escape at end of field")
		}
		c = field[i]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'v':
			dst = append(dst, '\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(field) && field[i+1] >= '0' && field[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(field[i]-'0')
			}
			dst = append(dst, byte(v))
		case 'x':
			if i+1 < len(field) && isHex(field[i+1]) {
				i++
				v := hexVal(field[i])
				if i+1 < len(field) && isHex(field[i+1]) {
					i++
					v = v*16 + hexVal(field[i])
				}
				dst = append(dst, byte(v))
			} else {
				dst = append(dst, 'x')
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

func (d *CopyDecoder) nextCSV() ([][]byte, error) {
	rec, err := d.readRecord(true)
	if err != nil {
		return nil, err
	}
	if string(rec) == `\.` {
		d.done = true
		return nil, io.EOF
	}
	d.out = d.out[:0]
	type span struct {
		start, end int
		null       bool
	}
	var spans []span
	q, esc, delim := d.f.Quote, d.f.Escape, d.f.Delimiter
	i := 0
	for {
		start := len(d.out)
		quoted := false
		rawStart := i
		inQuote := false
		for i < len(rec) {
			c := rec[i]
			if inQuote {
				if c == esc && i+1 < len(rec) && (rec[i+1] == q || rec[i+1] == esc) && (esc != q || rec[i+1] == q) {
					d.out = append(d.out, rec[i+1])
					i += 2
					continue
				}
				if c == q {
					inQuote = false
					i++
					continue
				}
				d.out = append(d.out, c)
				i++
				continue
			}
			if c == delim {
				break
			}
			if c == q {
				inQuote, quoted = true, true
				i++
				continue
			}
			d.out = append(d.out, c)
			i++
		}
		if inQuote {
			return nil, d.errorf("unterminated CSV quoted field")
		}
		raw := rec[rawStart:i]
		null := !quoted && string(raw) == d.f.Null
		if !null && !utf8.Valid(d.out[start:]) {
			e := checkUTF8(d.out[start:]).(*Error)
			e.Detail = fmt.Sprintf("COPY line %d", d.line)
			return nil, e
		}
		spans = append(spans, span{start, len(d.out), null})
		if i >= len(rec) {
			break
		}
		i++ // delimiter
	}
	d.row = d.row[:0]
	for _, s := range spans {
		if s.null {
			d.row = append(d.row, nil)
		} else {
			d.row = append(d.row, d.out[s.start:s.end:s.end])
		}
	}
	return d.row, nil
}

// binarySignature starts every binary COPY stream.
var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (d *CopyDecoder) nextBinary() ([][]byte, error) {
	if !d.header {
		var hdr [19]byte
		if _, err := io.ReadFull(d.r, hdr[:]); err != nil {
			return nil, d.binaryEOF(err, "COPY file signature not recognized")
		}
		if !bytes.Equal(hdr[:11], binarySignature) {
			return nil, d.errorf("COPY file signature not recognized")
		}
		flags := binary.BigEndian.Uint32(hdr[11:15])
		if flags&(1<<16) != 0 {
			return nil, Errorf(CodeFeatureNotSupported, "COPY with OIDs is not supported")
		}
		if flags>>16 != 0 {
			return nil, d.errorf("unrecognized critical flags in COPY file header")
		}
		ext := int64(binary.BigEndian.Uint32(hdr[15:19]))
		if ext > MaxCopyLine {
			return nil, d.errorf("invalid COPY file header (wrong length)")
		}
		if _, err := io.CopyN(io.Discard, d.r, ext); err != nil {
			return nil, d.binaryEOF(err, "invalid COPY file header (wrong length)")
		}
		d.header = true
	}
	var cnt [2]byte
	if _, err := io.ReadFull(d.r, cnt[:]); err != nil {
		if errors.Is(err, io.EOF) {
			// PostgreSQL accepts a stream that ends without the trailer.
			d.done = true
			return nil, io.EOF
		}
		return nil, d.binaryEOF(err, "unexpected EOF in COPY data")
	}
	d.line++
	n := int16(binary.BigEndian.Uint16(cnt[:]))
	if n == -1 {
		d.done = true
		return nil, io.EOF
	}
	if n < 0 {
		return nil, d.errorf("invalid field count %d in binary COPY row", n)
	}
	d.row = d.row[:0]
	d.out = d.out[:0]
	lens := make([]int32, n)
	total := 0
	for i := range lens {
		var l [4]byte
		if _, err := io.ReadFull(d.r, l[:]); err != nil {
			return nil, d.binaryEOF(err, "unexpected EOF in COPY data")
		}
		lens[i] = int32(binary.BigEndian.Uint32(l[:]))
		if lens[i] < -1 {
			return nil, d.errorf("invalid field size %d", lens[i])
		}
		if lens[i] > 0 {
			total += int(lens[i])
			if total > MaxCopyLine {
				return nil, d.errorf("COPY row exceeds %d bytes", MaxCopyLine)
			}
			start := len(d.out)
			d.out = append(d.out, make([]byte, lens[i])...)
			if _, err := io.ReadFull(d.r, d.out[start:]); err != nil {
				return nil, d.binaryEOF(err, "unexpected EOF in COPY data")
			}
		}
	}
	off := 0
	for _, l := range lens {
		switch {
		case l < 0:
			d.row = append(d.row, nil)
		default:
			d.row = append(d.row, d.out[off:off+int(l):off+int(l)])
			off += int(l)
		}
	}
	return d.row, nil
}

// binaryEOF turns a truncated stream into 22P04 and passes other errors on.
func (d *CopyDecoder) binaryEOF(err error, msg string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.errorf("%s", msg)
	}
	return err
}
