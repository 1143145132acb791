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

// ParseXid parses an xid or cid literal like PostgreSQL's xidin/cidin
// (strtoul): a number taken modulo 2^32, a negative one wrapping. Errors
// are 22P02.
func ParseXid(s string, t Type) (Datum, error) {
	v := strings.TrimLeft(s, " \t\n\r\f\v")
	neg := strings.HasPrefix(v, "-")
	u, err := strconv.ParseUint(strings.TrimPrefix(v, "-"), 10, 64)
	if err != nil {
		name := "xid"
		if t.OID == OIDCid {
			name = "cid"
		}
		return Datum{}, Errorf(CodeInvalidTextRep, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	if neg {
		u = -u
	}
	return Datum{K: KindInt, I: int64(uint32(u))}, nil
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
