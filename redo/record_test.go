package redo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

func sampleRecord() Record {
	return Record{LSN: 100, PrevVolume: 99, PrevGroup: 90, PrevPage: 50, Page: 12345, Op: OpInsertItem, CPL: true, Payload: []byte{0, 0, 'h', 'i'}}
}

func equalRecords(a, b Record) bool {
	return a.LSN == b.LSN && a.PrevVolume == b.PrevVolume && a.PrevGroup == b.PrevGroup && a.PrevPage == b.PrevPage &&
		a.Page == b.Page && a.Op == b.Op && a.CPL == b.CPL && bytes.Equal(a.Payload, b.Payload)
}

func TestRecordRoundTrip(t *testing.T) {
	recs := []Record{
		sampleRecord(),
		{LSN: 1, Page: 0, Op: OpNoop},
		{LSN: 1 << 62, PrevVolume: 1<<62 - 1, Op: OpCompact, Page: 1<<64 - 1},
		{LSN: 7, Op: OpFullPageImage, Page: 3, Payload: bytes.Repeat([]byte{0xAA}, PageSize)},
		{LSN: 8, Op: OpSetSpecial, Payload: bytes.Repeat([]byte{1}, MaxPayload-0)},
	}
	for _, r := range recs {
		enc := r.Encode()
		if len(enc) != r.EncodedSize() {
			t.Fatalf("%s: encoded %d bytes, EncodedSize %d", r.Op, len(enc), r.EncodedSize())
		}
		// Trailing bytes are not consumed.
		got, n, err := Decode(append(bytes.Clone(enc), 0xFF, 0xFF))
		if err != nil {
			t.Fatalf("%s: %v", r.Op, err)
		}
		if n != len(enc) || !equalRecords(got, r) {
			t.Fatalf("%s: round trip: got %+v (n %d)", r.Op, got.LSN, n)
		}
		// Append extends a prefix without touching it.
		pre := []byte("prefix")
		out := r.Append(pre)
		if string(out[:6]) != "prefix" || !bytes.Equal(out[6:], enc) {
			t.Fatalf("%s: Append with a prefix", r.Op)
		}
	}
}

// reseal recomputes the trailing checksum of an encoded record so that a test
// can reach the checks behind it.
func reseal(b []byte) []byte {
	n := len(b) - RecordTrailerSize
	binary.LittleEndian.PutUint64(b[n:], xxhash.Sum64(b[:n]))
	return b
}

func TestDecodeStrict(t *testing.T) {
	sample := sampleRecord()
	good := sample.Encode()
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "need at least"},
		{"short header", good[:RecordHeaderSize], "need at least"},
		{"version", mut(func(b []byte) []byte { b[0] = 2; return reseal(b) }), "format version"},
		{"payload too long", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], MaxPayload+1); return b }), "exceeds"},
		{"truncated", good[:len(good)-1], "truncated"},
		{"payload length beyond input", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 100); return b }), "truncated"},
		{"checksum", mut(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), "checksum"},
		{"payload bit flip", mut(func(b []byte) []byte { b[RecordHeaderSize] ^= 0x10; return b }), "checksum"},
		{"header bit flip", mut(func(b []byte) []byte { b[41] ^= 0x01; return b }), "checksum"},
		{"op invalid", mut(func(b []byte) []byte { b[1] = byte(OpInvalid); return reseal(b) }), "unknown op"},
		{"op unknown", mut(func(b []byte) []byte { b[1] = byte(opCount); return reseal(b) }), "unknown op"},
		{"flags", mut(func(b []byte) []byte { b[2] |= 0x80; return reseal(b) }), "unknown flags"},
		{"reserved", mut(func(b []byte) []byte { b[3] = 1; return reseal(b) }), "reserved"},
		{"LSN 0", mut(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[8:], 0)
			for _, o := range []int{16, 24, 32} {
				binary.LittleEndian.PutUint64(b[o:], 0)
			}
			return reseal(b)
		}), "LSN 0"},
		{"prev volume not below", mut(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 100); return reseal(b) }), "back-link"},
		{"prev group not below", mut(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 101); return reseal(b) }), "back-link"},
		{"prev page not below", mut(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[32:], 1<<63); return reseal(b) }), "back-link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, n, err := Decode(tc.in)
			if !errors.Is(err, ErrCorrupt) || n != 0 {
				t.Fatalf("got n %d, err %v; want an ErrCorrupt error", n, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestDecodeAll(t *testing.T) {
	mk := func(lsn LSN) Record { return Record{LSN: lsn, PrevVolume: lsn - 1, Page: 1, Op: OpNoop} }
	var log []byte
	for _, l := range []LSN{3, 4, 9} {
		r := mk(l)
		log = r.Append(log)
	}
	recs, err := DecodeAll(log)
	if err != nil || len(recs) != 3 || recs[0].LSN != 3 || recs[2].LSN != 9 {
		t.Fatalf("DecodeAll: %v, %d records", err, len(recs))
	}
	if recs, err := DecodeAll(nil); err != nil || len(recs) != 0 {
		t.Fatalf("DecodeAll(nil): %v, %d records", err, len(recs))
	}
	bad := []struct {
		name string
		lsns []LSN
		tail []byte
		want string
	}{
		{"equal LSN", []LSN{3, 3}, nil, "not above previous"},
		{"decreasing LSN", []LSN{5, 4}, nil, "not above previous"},
		{"trailing garbage", []LSN{3}, []byte{1, 2, 3}, "record at byte 56"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			for _, l := range tc.lsns {
				r := mk(l)
				b = r.Append(b)
			}
			b = append(b, tc.tail...)
			recs, err := DecodeAll(b)
			if !errors.Is(err, ErrCorrupt) || recs != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v (%d records), want ErrCorrupt mentioning %q", err, len(recs), tc.want)
			}
		})
	}
}

func TestOpNames(t *testing.T) {
	seen := map[string]bool{}
	for o := OpInvalid + 1; o < opCount; o++ {
		if !o.Valid() || seen[o.String()] || strings.HasPrefix(o.String(), "op(") {
			t.Fatalf("op %d: name %q", o, o)
		}
		seen[o.String()] = true
	}
	if OpInvalid.Valid() || opCount.Valid() || Op(250).String() != "op(250)" {
		t.Fatal("invalid ops")
	}
	// The numbering is part of the format.
	if OpInitPage != 1 || OpNoop != 11 {
		t.Fatal("op numbering changed")
	}
}
