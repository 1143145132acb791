package types

import (
	"strconv"
	"strings"
)

// The pg_type OIDs of the system-column types: tid (a row version's
// physical address, ctid), xid (a transaction id, xmin/xmax) and cid (a
// command id within a transaction, cmin/cmax). Their values are Datums:
// xid and cid hold an unsigned 32-bit number in I (KindInt, so AppendText
// prints it); tid holds its canonical text "(block,offset)" in S
// (KindString). They are not in the package's type table: the executor
// handles them (comparisons, casts) like it handles oid.
const (
	OIDTid OID = 27
	OIDXid OID = 28
	OIDCid OID = 29
)

// Types of the system columns.
var (
	Tid = Type{OIDTid, -1}
	Xid = Type{OIDXid, -1}
	Cid = Type{OIDCid, -1}
)

// XidDatum is the xid value of a Borealis transaction id. Borealis xids
// are 64-bit; like PostgreSQL's xid output, the value is the low 32 bits
// (PostgreSQL's xid8 would carry the epoch, xid does not).
func XidDatum(x uint64) Datum { return Datum{K: KindInt, I: int64(uint32(x))} }

// TidDatum is the tid value of block blk, offset off (1-based, as in
// PostgreSQL).
func TidDatum(blk uint64, off uint16) Datum {
	return Datum{K: KindString, S: FormatTid(blk, off)}
}

// FormatTid formats a tid like PostgreSQL's tidout: "(block,offset)".
func FormatTid(blk uint64, off uint16) string {
	return "(" + strconv.FormatUint(blk, 10) + "," + strconv.FormatUint(uint64(off), 10) + ")"
}

// ParseTid parses a tid literal like PostgreSQL's tidin ("(0,1)",
// surrounding blanks allowed in the numbers); errors are 22P02.
func ParseTid(s string) (Datum, error) {
	bad := Errorf(CodeInvalidTextRep, "invalid input syntax for type tid: \"%s\"", s)
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '(' || t[len(t)-1] != ')' {
		return Datum{}, bad
	}
	parts := strings.Split(t[1:len(t)-1], ",")
	if len(parts) != 2 {
		return Datum{}, bad
	}
	// Like tidin's strtoul: blanks before a number, none after it.
	blk, err := strconv.ParseUint(strings.TrimLeft(parts[0], " \t\n\r\f\v"), 10, 32)
	if err != nil {
		return Datum{}, bad
	}
	off, err := strconv.ParseUint(strings.TrimLeft(parts[1], " \t\n\r\f\v"), 10, 16)
	if err != nil {
		return Datum{}, bad
	}
	return TidDatum(blk, uint16(off)), nil
}

// ParseXid parses an xid or cid literal like PostgreSQL 15's xidin/cidin,
// which is strtoul(s, NULL, 0) unchecked: leading blanks, an optional sign,
// a 0x (hex) or 0 (octal) prefix, digits up to the first other character
// (none: 0), the result taken modulo 2^32 (overflow: 2^32-1).
func ParseXid(s string, t Type) (Datum, error) {
	v := strings.TrimLeft(s, " \t\n\r\f\v")
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg, v = v[0] == '-', v[1:]
	}
	base := uint64(10)
	switch {
	case len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && hexDigit(v[2]) >= 0:
		base, v = 16, v[2:]
	case len(v) > 1 && v[0] == '0':
		base = 8
	}
	var u uint64
	overflow := false
	for i := 0; i < len(v); i++ {
		d := hexDigit(v[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if u > (^uint64(0)-uint64(d))/base {
			overflow = true
		}
		u = u*base + uint64(d)
	}
	if overflow {
		u = ^uint64(0)
	} else if neg {
		u = -u
	}
	return Datum{K: KindInt, I: int64(uint32(u))}, nil
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// ParseSystemText parses a tid, xid or cid literal (ok false for other
// types).
func ParseSystemText(t Type, s string) (d Datum, ok bool, err error) {
	switch t.OID {
	case OIDTid:
		d, err = ParseTid(s)
		return d, true, err
	case OIDXid, OIDCid:
		d, err = ParseXid(s, t)
		return d, true, err
	}
	return Datum{}, false, nil
}

// SystemTypeName names tid, xid and cid ("" for other types).
func SystemTypeName(t Type) string {
	switch t.OID {
	case OIDTid:
		return "tid"
	case OIDXid:
		return "xid"
	case OIDCid:
		return "cid"
	}
	return ""
}
