package redo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzDecode: the record decoder never panics, and whatever it accepts
// re-encodes to exactly the bytes it consumed.
func FuzzDecode(f *testing.F) {
	r := sampleRecord()
	f.Add(r.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || n != 0 {
				t.Fatalf("error %v (n %d) does not wrap ErrCorrupt or consumed bytes", err, n)
			}
		} else if enc := r.Encode(); !bytes.Equal(enc, b[:n]) {
			t.Fatalf("re-encoding differs from the %d bytes consumed", n)
		}
		recs, err := DecodeAll(b)
		if err == nil {
			var again []byte
			for i := range recs {
				again = recs[i].Append(again)
			}
			if !bytes.Equal(again, b) {
				t.Fatal("DecodeAll accepted bytes that do not re-encode identically")
			}
		} else if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("DecodeAll error %v does not wrap ErrCorrupt", err)
		}
	})
}

// fuzzPage builds a page from head (placed at the start) and tail (placed at
// the end, head winning where they overlap): any page can be expressed, and a
// valid page compactly (head = header and item ids, tail = item data and
// special space, since the gap between is zero).
func fuzzPage(head, tail []byte) Page {
	var p Page
	if len(tail) > PageSize {
		tail = tail[len(tail)-PageSize:]
	}
	copy(p[PageSize-len(tail):], tail)
	copy(p[:], head)
	return p
}

// splitPage is the inverse of fuzzPage for a valid page.
func splitPage(p *Page) (head, tail []byte) {
	if p.IsZero() {
		return nil, nil
	}
	return bytes.Clone(p[:p.u16(offLower)]), bytes.Clone(p[p.u16(offUpper):])
}

// fuzzRecord reads a record without framing or checksum (so the fuzzer can
// mutate it freely): u8 op | u64 LSN | u64 page id | payload, zero-padded.
func fuzzRecord(b []byte) Record {
	var h [17]byte
	copy(h[:], b)
	r := Record{Op: Op(h[0]), LSN: LSN(binary.LittleEndian.Uint64(h[1:])), Page: PageID(binary.LittleEndian.Uint64(h[9:]))}
	if len(b) > 17 {
		r.Payload = b[17:]
	}
	return r
}

// rawRecord is the inverse of fuzzRecord.
func rawRecord(r Record) []byte {
	b := make([]byte, 17, 17+len(r.Payload))
	b[0] = byte(r.Op)
	binary.LittleEndian.PutUint64(b[1:], uint64(r.LSN))
	binary.LittleEndian.PutUint64(b[9:], uint64(r.Page))
	return append(b, r.Payload...)
}

// FuzzApply: Apply never panics on any page and any record; a failed Apply
// leaves the page unchanged; a successful one on a sound page (all zero, or
// passing Verify's structural checks) yields a sound page at the record's LSN,
// and Apply is deterministic.
func FuzzApply(f *testing.F) {
	f.Add([]byte(nil), []byte(nil), rawRecord(*at(InitPage(1, 2, 8), 1)))
	f.Fuzz(func(t *testing.T, head, tail, rec []byte) {
		p := fuzzPage(head, tail)
		r := fuzzRecord(rec)
		// Accessors never panic on any page.
		for i := -1; i <= p.ItemCount(); i++ {
			_, _ = p.Item(i)
		}
		_, _, _, _, _ = p.FreeSpace(), p.Special(), p.LSN(), p.Flags(), p.Type()
		_ = p.Verify()

		orig := p
		sound := p.IsZero() || p.verifyStructure() == nil
		err := Apply(&p, &r)
		if err != nil {
			if p != orig {
				t.Fatalf("failed Apply (%v) changed the page", err)
			}
			if !orig.IsZero() && r.LSN != 0 && r.LSN <= orig.LSN() && !errors.Is(err, ErrAlreadyApplied) {
				t.Fatalf("stale record: got %v, want ErrAlreadyApplied", err)
			}
			return
		}
		if p.LSN() != r.LSN {
			t.Fatalf("page LSN %d after applying LSN %d", p.LSN(), r.LSN)
		}
		again := orig
		if err := Apply(&again, &r); err != nil || again != p {
			t.Fatalf("Apply is not deterministic (second error %v)", err)
		}
		if sound {
			p.Seal()
			if err := p.Verify(); err != nil {
				t.Fatalf("%s on a sound page produced an unsound one: %v", r.Op, err)
			}
		}
	})
}
