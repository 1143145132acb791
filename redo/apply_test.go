package redo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

const testPage PageID = 7

// at returns r with its LSN set.
func at(r Record, lsn LSN) *Record {
	r.LSN = lsn
	return &r
}

func mustApply(t testing.TB, p *Page, r *Record) {
	t.Helper()
	if err := Apply(p, r); err != nil {
		t.Fatalf("Apply(%s LSN %d): %v", r.Op, r.LSN, err)
	}
}

// basePage returns page 7 at LSN 10: type 3, 16 bytes of special space, items
// 0 "alpha", 1 "beta", 2 unused, 3 "delta".
func basePage(t testing.TB) *Page {
	t.Helper()
	var p Page
	mustApply(t, &p, at(InitPage(testPage, 3, 16), 1))
	mustApply(t, &p, at(InsertItem(testPage, 0, []byte("alpha")), 2))
	mustApply(t, &p, at(InsertItem(testPage, 1, []byte("beta")), 3))
	mustApply(t, &p, at(InsertItem(testPage, 2, []byte("gamma")), 4))
	mustApply(t, &p, at(InsertItem(testPage, 3, []byte("delta")), 5))
	mustApply(t, &p, at(KillItem(testPage, 2), 10))
	return &p
}

func raw(op Op, payload ...byte) Record {
	return Record{Page: testPage, Op: op, Payload: payload}
}

func sealedImage(t testing.TB, mutate func(p *Page)) []byte {
	p := basePage(t)
	mutate(p)
	p.Seal()
	return bytes.Clone(p[:])
}

func TestApplyErrors(t *testing.T) {
	big := bytes.Repeat([]byte{'x'}, MaxItemSize)
	corruptLower := func(p *Page) {
		p.setU16(offLower, PageHeaderSize+ItemIDSize*((p.u16(offUpper)-PageHeaderSize)/ItemIDSize+1))
	}
	cases := []struct {
		name string
		page func(t testing.TB) *Page // nil: basePage
		rec  Record
		lsn  LSN
		want error
	}{
		{"stale LSN equal", nil, Noop(testPage), 10, ErrAlreadyApplied},
		{"stale LSN below", nil, InsertItem(testPage, 0, []byte("x")), 5, ErrAlreadyApplied},
		{"stale LSN beats malformed payload", nil, raw(OpDeleteItem), 9, ErrAlreadyApplied},
		{"LSN 0", nil, Noop(testPage), 0, ErrInvalidRecord},
		{"wrong page", nil, Noop(testPage + 1), 11, ErrInvalidRecord},
		{"op invalid", nil, raw(OpInvalid), 11, ErrInvalidRecord},
		{"op unknown", nil, raw(Op(200)), 11, ErrInvalidRecord},

		{"insert payload empty", nil, raw(OpInsertItem), 11, ErrInvalidRecord},
		{"insert payload 1 byte", nil, raw(OpInsertItem, 0), 11, ErrInvalidRecord},
		{"insert empty item", nil, InsertItem(testPage, 0, nil), 11, ErrInvalidRecord},
		{"insert index past end", nil, InsertItem(testPage, 5, []byte("x")), 11, ErrInvalidRecord},
		{"insert index clamped", nil, InsertItem(testPage, -1, []byte("x")), 11, ErrInvalidRecord},
		{"insert does not fit", nil, InsertItem(testPage, 0, big), 11, ErrPageFull},
		{"insert one byte too many", nil, InsertItem(testPage, 0, big[:8192-32-16-16-14-4+1]), 11, ErrPageFull},

		{"overwrite payload 1 byte", nil, raw(OpOverwriteItem, 0), 11, ErrInvalidRecord},
		{"overwrite index past end", nil, OverwriteItem(testPage, 4, []byte("x")), 11, ErrInvalidRecord},
		{"overwrite empty item", nil, OverwriteItem(testPage, 0, nil), 11, ErrInvalidRecord},
		{"overwrite does not fit", nil, OverwriteItem(testPage, 0, big), 11, ErrPageFull},

		{"delete payload empty", nil, raw(OpDeleteItem), 11, ErrInvalidRecord},
		{"delete payload 3 bytes", nil, raw(OpDeleteItem, 0, 0, 0), 11, ErrInvalidRecord},
		{"delete index past end", nil, DeleteItem(testPage, 4), 11, ErrInvalidRecord},

		{"kill payload 1 byte", nil, raw(OpKillItem, 0), 11, ErrInvalidRecord},
		{"kill index past end", nil, KillItem(testPage, 4), 11, ErrInvalidRecord},
		{"kill unused item", nil, KillItem(testPage, 2), 11, ErrInvalidRecord},

		{"patch payload 3 bytes", nil, raw(OpPatchItem, 0, 0, 0), 11, ErrInvalidRecord},
		{"patch index past end", nil, PatchItem(testPage, 4, 0, []byte("x")), 11, ErrInvalidRecord},
		{"patch unused item", nil, PatchItem(testPage, 2, 0, nil), 11, ErrInvalidRecord},
		{"patch past item end", nil, PatchItem(testPage, 1, 3, []byte("xy")), 11, ErrInvalidRecord},
		{"patch offset past item", nil, PatchItem(testPage, 1, 5, nil), 11, ErrInvalidRecord},

		{"special payload 1 byte", nil, raw(OpSetSpecial, 0), 11, ErrInvalidRecord},
		{"special past end", nil, SetSpecial(testPage, 10, make([]byte, 7)), 11, ErrInvalidRecord},
		{"special offset past end", nil, SetSpecial(testPage, 17, nil), 11, ErrInvalidRecord},

		{"flags payload 1 byte", nil, raw(OpSetFlags, 1), 11, ErrInvalidRecord},
		{"flags payload 3 bytes", nil, raw(OpSetFlags, 1, 2, 3), 11, ErrInvalidRecord},
		{"compact payload", nil, raw(OpCompact, 0), 11, ErrInvalidRecord},
		{"noop payload", nil, raw(OpNoop, 0), 11, ErrInvalidRecord},

		{"init payload 2 bytes", nil, raw(OpInitPage, 1, 0), 11, ErrInvalidRecord},
		{"init payload 4 bytes", nil, raw(OpInitPage, 1, 0, 0, 0), 11, ErrInvalidRecord},
		{"init special too big", nil, InitPage(testPage, 1, PageSize-PageHeaderSize+1), 11, ErrInvalidRecord},

		{"image short", nil, raw(OpFullPageImage, make([]byte, PageSize-1)...), 11, ErrInvalidRecord},
		{"image long", nil, raw(OpFullPageImage, make([]byte, PageSize+1)...), 11, ErrInvalidRecord},
		{"image zero", nil, raw(OpFullPageImage, make([]byte, PageSize)...), 11, ErrInvalidRecord},
		{"image other page", nil, FullPageImage(testPage+1, basePage(t)), 11, ErrInvalidRecord},
		{"image bad checksum", nil, raw(OpFullPageImage, func() []byte {
			b := sealedImage(t, func(*Page) {})
			b[PageSize-100] ^= 1
			return b
		}()...), 11, ErrInvalidRecord},
		{"image bad structure", nil, raw(OpFullPageImage, sealedImage(t, corruptLower)...), 11, ErrInvalidRecord},

		{"zero page insert", func(testing.TB) *Page { return new(Page) }, InsertItem(testPage, 0, []byte("x")), 1, ErrInvalidRecord},
		{"zero page noop", func(testing.TB) *Page { return new(Page) }, Noop(0), 1, ErrInvalidRecord},
		{"zero page flags", func(testing.TB) *Page { return new(Page) }, SetFlags(0, 1), 1, ErrInvalidRecord},
		{"zero page LSN 0", func(testing.TB) *Page { return new(Page) }, InitPage(0, 1, 0), 0, ErrInvalidRecord},

		{"corrupt version", func(t testing.TB) *Page { p := basePage(t); p[offVersion] = 2; return p }, Noop(testPage), 11, ErrCorruptPage},
		{"corrupt bounds", func(t testing.TB) *Page { p := basePage(t); corruptLower(p); return p }, SetFlags(testPage, 1), 11, ErrCorruptPage},
		{"corrupt lower alignment", func(t testing.TB) *Page { p := basePage(t); p.setU16(offLower, 34); return p }, Noop(testPage), 11, ErrCorruptPage},
		{"corrupt item for patch", func(t testing.TB) *Page { p := basePage(t); p.setItemID(0, 8190, 5); return p }, PatchItem(testPage, 0, 0, []byte("x")), 11, ErrCorruptPage},
		{"corrupt item for compact", func(t testing.TB) *Page { p := basePage(t); p.setItemID(0, 40, 5); return p }, Compact(testPage), 11, ErrCorruptPage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := basePage(t)
			if tc.page != nil {
				p = tc.page(t)
			}
			before := *p
			err := Apply(p, at(tc.rec, tc.lsn))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, tc.want)
			}
			for _, other := range []error{ErrAlreadyApplied, ErrInvalidRecord, ErrPageFull, ErrCorruptPage} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error %v also wraps %v", err, other)
				}
			}
			if *p != before {
				t.Fatal("failed Apply changed the page")
			}
		})
	}
}

func TestApplyNil(t *testing.T) {
	r := at(Noop(1), 1)
	if err := Apply(nil, r); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("nil page: %v", err)
	}
	var p Page
	if err := Apply(&p, nil); !errors.Is(err, ErrInvalidRecord) || !p.IsZero() {
		t.Fatalf("nil record: %v", err)
	}
}

func items(p *Page) []string {
	var out []string
	for i := range p.ItemCount() {
		it, ok := p.Item(i)
		if !ok {
			out = append(out, "-")
			continue
		}
		out = append(out, string(it))
	}
	return out
}

func TestApplyOps(t *testing.T) {
	p := basePage(t)
	if got := items(p); !equalStrings(got, []string{"alpha", "beta", "-", "delta"}) {
		t.Fatalf("base items %q", got)
	}
	if p.LSN() != 10 || p.ID() != testPage || p.Type() != 3 || len(p.Special()) != 16 || p.Version() != PageFormatVersion {
		t.Fatalf("base header: LSN %d id %d type %d special %d", p.LSN(), p.ID(), p.Type(), len(p.Special()))
	}
	steps := []struct {
		rec  Record
		want []string
	}{
		{OverwriteItem(testPage, 2, []byte("GAMMA!")), []string{"alpha", "beta", "GAMMA!", "delta"}},
		{OverwriteItem(testPage, 0, []byte("al")), []string{"al", "beta", "GAMMA!", "delta"}},
		{PatchItem(testPage, 1, 1, []byte("ET")), []string{"al", "bETa", "GAMMA!", "delta"}},
		{DeleteItem(testPage, 0), []string{"bETa", "GAMMA!", "delta"}},
		{KillItem(testPage, 2), []string{"bETa", "GAMMA!", "-"}},
		{InsertItem(testPage, 3, []byte("tail")), []string{"bETa", "GAMMA!", "-", "tail"}},
		{KillItem(testPage, 3), []string{"bETa", "GAMMA!", "-", "-"}},
		{Compact(testPage), []string{"bETa", "GAMMA!"}},
		{InsertItem(testPage, 0, []byte("head")), []string{"head", "bETa", "GAMMA!"}},
	}
	lsn := LSN(10)
	for _, s := range steps {
		lsn++
		mustApply(t, p, at(s.rec, lsn))
		if got := items(p); !equalStrings(got, s.want) {
			t.Fatalf("after %s: items %q, want %q", s.rec.Op, got, s.want)
		}
		if p.LSN() != lsn {
			t.Fatalf("after %s: LSN %d, want %d", s.rec.Op, p.LSN(), lsn)
		}
		c := *p
		c.Seal()
		if err := c.Verify(); err != nil {
			t.Fatalf("after %s: %v", s.rec.Op, err)
		}
	}
	mustApply(t, p, at(SetSpecial(testPage, 14, []byte{0xAB, 0xCD}), 30))
	mustApply(t, p, at(SetFlags(testPage, 0xBEEF), 31))
	if sp := p.Special(); sp[14] != 0xAB || sp[15] != 0xCD || p.Flags() != 0xBEEF {
		t.Fatalf("special %x flags %#x", sp, p.Flags())
	}
	// Item views cannot grow into the page.
	it, _ := p.Item(0)
	_ = append(it, 'Z')
	if got := items(p); got[1] != "bETa" {
		t.Fatalf("append to an item view changed the page: %q", got)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFreeSpaceAndCompaction(t *testing.T) {
	var p Page
	if p.FreeSpace() != 0 || p.ItemCount() != 0 || p.Special() != nil || !p.IsZero() {
		t.Fatal("zero page accessors")
	}
	mustApply(t, &p, at(InitPage(1, 0, 16), 1))
	want := PageSize - PageHeaderSize - 16 - ItemIDSize
	if p.FreeSpace() != want {
		t.Fatalf("free space %d, want %d", p.FreeSpace(), want)
	}
	// Fill the page with 8 items exactly.
	per := (want+ItemIDSize)/8 - ItemIDSize
	lsn := LSN(1)
	for i := range 8 {
		lsn++
		mustApply(t, &p, at(InsertItem(1, i, bytes.Repeat([]byte{byte('a' + i)}, per)), lsn))
	}
	if p.FreeSpace() != 0 {
		t.Fatalf("free space after filling %d, want 0", p.FreeSpace())
	}
	// Kill two non-adjacent items: the space is free but fragmented.
	lsn++
	mustApply(t, &p, at(KillItem(1, 2), lsn))
	lsn++
	mustApply(t, &p, at(KillItem(1, 5), lsn))
	// The two item ids stay; the next item needs an item id of its own.
	if got, want := p.FreeSpace(), PageSize-16-PageHeaderSize-8*ItemIDSize-6*per-ItemIDSize; got != want {
		t.Fatalf("free space %d after kills, want %d", got, want)
	}
	// An item bigger than either hole fits only after compaction.
	big := bytes.Repeat([]byte{'Z'}, p.FreeSpace())
	lsn++
	mustApply(t, &p, at(InsertItem(1, 8, big), lsn))
	if p.FreeSpace() != 0 {
		t.Fatalf("free space %d after exact fill", p.FreeSpace())
	}
	for i := range 8 {
		it, ok := p.Item(i)
		if i == 2 || i == 5 {
			if ok {
				t.Fatalf("item %d should be unused", i)
			}
			continue
		}
		if !ok || !bytes.Equal(it, bytes.Repeat([]byte{byte('a' + i)}, per)) {
			t.Fatalf("item %d damaged by compaction", i)
		}
	}
	if err := Apply(&p, at(InsertItem(1, 0, []byte{1}), lsn+1)); !errors.Is(err, ErrPageFull) {
		t.Fatalf("insert into full page: %v", err)
	}
	// Growing an item by reusing its own space after compaction.
	lsn++
	mustApply(t, &p, at(DeleteItem(1, 8), lsn))
	lsn++
	grown := bytes.Repeat([]byte{'g'}, per+p.FreeSpace())
	mustApply(t, &p, at(OverwriteItem(1, 0, grown), lsn))
	if it, _ := p.Item(0); !bytes.Equal(it, grown) || p.FreeSpace() != 0 {
		t.Fatalf("grow in place after compaction: free %d", p.FreeSpace())
	}
	c := p
	c.Seal()
	if err := c.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyImageAndInit(t *testing.T) {
	src := basePage(t)
	var dst Page
	mustApply(t, &dst, at(FullPageImage(testPage, src), 50))
	if dst.LSN() != 50 || !equalStrings(items(&dst), items(src)) || !bytes.Equal(dst.Special(), src.Special()) {
		t.Fatal("full page image did not reproduce the page")
	}
	// The image equals the source except for LSN and checksum.
	a, b := dst, *src
	binary.LittleEndian.PutUint64(a[:], 0)
	binary.LittleEndian.PutUint64(b[:], 0)
	binary.LittleEndian.PutUint32(a[offChecksum:], 0)
	if a != b {
		t.Fatal("image differs from its source beyond LSN and checksum")
	}
	// InitPage reformats a used page, giving it the record's id.
	mustApply(t, &dst, at(InitPage(99, 9, 0), 51))
	if dst.ID() != 99 || dst.ItemCount() != 0 || dst.Type() != 9 || len(dst.Special()) != 0 || dst.FreeSpace() != MaxItemSize {
		t.Fatalf("re-init: id %d items %d free %d", dst.ID(), dst.ItemCount(), dst.FreeSpace())
	}
	// Noop moves only the LSN.
	before := dst
	mustApply(t, &dst, at(Noop(99), 60))
	binary.LittleEndian.PutUint64(before[:], 60)
	if dst != before {
		t.Fatal("noop changed more than the LSN")
	}
}
