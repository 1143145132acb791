package redo

import (
	"errors"
	"strings"
	"testing"
)

// sealedBase returns basePage with a special space write, sealed.
func sealedBase(t testing.TB) *Page {
	p := basePage(t)
	mustApply(t, p, at(SetSpecial(testPage, 0, []byte("special!")), 11))
	mustApply(t, p, at(SetFlags(testPage, 0x0102), 12))
	p.Seal()
	return p
}

func TestSealVerify(t *testing.T) {
	p := sealedBase(t)
	if err := p.Verify(); err != nil {
		t.Fatalf("sealed page: %v", err)
	}
	var zero Page
	zero.Seal()
	if !zero.IsZero() || zero.Verify() != nil {
		t.Fatal("a page never written must stay zero and valid")
	}
	// Apply leaves the checksum stale; sealing again fixes it.
	mustApply(t, p, at(Noop(testPage), 20))
	if err := p.Verify(); !errors.Is(err, ErrCorruptPage) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("stale checksum: %v", err)
	}
	p.Seal()
	if err := p.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDetectsAnyFlip flips each bit of each byte of a sealed page in
// turn: Verify must reject every one.
func TestVerifyDetectsAnyFlip(t *testing.T) {
	p := sealedBase(t)
	for i := range PageSize {
		for _, bit := range []byte{0x01, 0x80, 0xFF} {
			c := *p
			c[i] ^= bit
			if err := c.Verify(); !errors.Is(err, ErrCorruptPage) {
				t.Fatalf("flip %#x at byte %d not detected: %v", bit, i, err)
			}
		}
	}
	// One non-zero byte on an otherwise zero page is not a page never written.
	for _, i := range []int{0, offChecksum, offVersion, 100, PageSize - 1} {
		var z Page
		z[i] = 1
		if err := z.Verify(); !errors.Is(err, ErrCorruptPage) {
			t.Fatalf("byte %d set on a zero page: %v", i, err)
		}
	}
}

// TestVerifyStructure breaks each structural rule, reseals, and checks that
// Verify names the failed check even though the checksum matches.
func TestVerifyStructure(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *Page)
		want   string
	}{
		{"version", func(p *Page) { p[offVersion] = 2 }, "format version"},
		{"reserved", func(p *Page) { p.setU16(offReserved, 1) }, "reserved"},
		{"lower below header", func(p *Page) { p.setU16(offLower, 28) }, "lower"},
		{"lower misaligned", func(p *Page) { p.setU16(offLower, 34) }, "lower"},
		{"lower above upper", func(p *Page) {
			p.setU16(offLower, PageHeaderSize+ItemIDSize*((p.u16(offUpper)-PageHeaderSize)/ItemIDSize+1))
		}, "bounds"},
		{"upper above special", func(p *Page) { p.setU16(offUpper, p.u16(offSpecial)+1) }, "bounds"},
		{"special beyond page", func(p *Page) { p.setU16(offSpecial, PageSize+1) }, "bounds"},
		{"item below upper", func(p *Page) { off, n := p.itemID(0); p.setItemID(0, p.u16(offUpper)-1, n); _ = off }, "outside item data"},
		{"item into special", func(p *Page) { p.setItemID(0, p.u16(offSpecial)-2, 5) }, "outside item data"},
		{"overlap", func(p *Page) { off, _ := p.itemID(1); p.setItemID(0, off+1, 2) }, "overlaps"},
		{"unused with offset", func(p *Page) { p.setItemID(2, 100, 0) }, "unused item"},
		{"dirty free space", func(p *Page) { p[p.u16(offUpper)-1] = 1 }, "free space"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := sealedBase(t)
			tc.mutate(p)
			p.Seal()
			err := p.Verify()
			if !errors.Is(err, ErrCorruptPage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrCorruptPage mentioning %q", err, tc.want)
			}
			// Accessors stay safe on the broken page.
			for i := -1; i <= p.ItemCount(); i++ {
				_, _ = p.Item(i)
			}
			_ = p.FreeSpace()
			_ = p.Special()
		})
	}
}

// TestMarkUsed checks the word-at-a-time overlap bitmap against a byte model.
func TestMarkUsed(t *testing.T) {
	ranges := [][2]int{{0, 1}, {1, 64}, {64, 65}, {63, 64}, {100, 300}, {299, 301}, {300, 400}, {8000, 8192}, {8191, 8192}, {500, 500 + 128}, {627, 628}, {628, 629}}
	var used [PageSize / 64]uint64
	var model [PageSize]bool
	for _, r := range ranges {
		wantOK := true
		for b := r[0]; b < r[1]; b++ {
			if model[b] {
				wantOK = false
			}
		}
		if got := markUsed(&used, r[0], r[1]); got != wantOK {
			t.Fatalf("markUsed(%d, %d) = %v, want %v", r[0], r[1], got, wantOK)
		}
		if wantOK {
			for b := r[0]; b < r[1]; b++ {
				model[b] = true
			}
		}
		for b := range PageSize {
			if got := used[b/64]&(1<<(b%64)) != 0; got != model[b] && wantOK {
				t.Fatalf("after [%d, %d): bit %d is %v", r[0], r[1], b, got)
			}
		}
	}
}
