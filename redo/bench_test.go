package redo

import (
	"bytes"
	"errors"
	"testing"
)

// benchPage returns page 1 with n items of size bytes each, at LSN n+1.
func benchPage(b *testing.B, n, size int) *Page {
	var p Page
	mustApply(b, &p, at(InitPage(1, 1, 16), 1))
	for i := range n {
		mustApply(b, &p, at(InsertItem(1, i, bytes.Repeat([]byte{byte(i)}, size)), LSN(2+i)))
	}
	return &p
}

// benchInsert appends 100-byte rows at index (or at the end, index < 0),
// reformatting the page whenever it fills up, as a heap does with new pages.
func benchInsert(b *testing.B, atFront bool) {
	p := benchPage(b, 0, 0)
	row := bytes.Repeat([]byte{'r'}, 100)
	ins := InsertItem(1, 0, row)
	init := InitPage(1, 1, 16)
	lsn := p.LSN()
	b.SetBytes(int64(len(row)))
	b.ReportAllocs()
	for b.Loop() {
		lsn++
		idx := 0
		if !atFront {
			idx = p.ItemCount()
		}
		ins.Payload[0], ins.Payload[1] = byte(idx), byte(idx>>8)
		ins.LSN = lsn
		if err := Apply(p, &ins); err != nil {
			if !errors.Is(err, ErrPageFull) {
				b.Fatal(err)
			}
			init.LSN = lsn
			if err := Apply(p, &init); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkApplyInsertAppend(b *testing.B) { benchInsert(b, false) }
func BenchmarkApplyInsertFront(b *testing.B)  { benchInsert(b, true) }

func BenchmarkApplyOverwriteSameSize(b *testing.B) {
	p := benchPage(b, 60, 100)
	recs := make([]Record, 60)
	for i := range recs {
		recs[i] = OverwriteItem(1, i, bytes.Repeat([]byte{'o'}, 100))
	}
	lsn := p.LSN()
	b.SetBytes(100)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lsn++
		r := &recs[i%len(recs)]
		r.LSN = lsn
		if err := Apply(p, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkApplyOverwriteGrow grows and shrinks rows in turn on a nearly full
// page, so that Apply compacts every few records.
func BenchmarkApplyOverwriteGrow(b *testing.B) {
	p := benchPage(b, 70, 100)
	small, large := bytes.Repeat([]byte{'s'}, 100), bytes.Repeat([]byte{'L'}, 110)
	lsn := p.LSN()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lsn++
		data := large
		if (i/70)%2 == 1 {
			data = small
		}
		r := OverwriteItem(1, i%70, data)
		r.LSN = lsn
		if err := Apply(p, &r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkApplyPatch(b *testing.B) {
	p := benchPage(b, 60, 100)
	r := PatchItem(1, 30, 10, []byte("xmaxxmax"))
	lsn := p.LSN()
	b.ReportAllocs()
	for b.Loop() {
		lsn++
		r.LSN = lsn
		if err := Apply(p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyCompact(b *testing.B) {
	src := benchPage(b, 60, 100)
	for i := 0; i < 60; i += 3 {
		mustApply(b, src, at(KillItem(1, i), src.LSN()+1))
	}
	r := Compact(1)
	r.LSN = src.LSN() + 1
	var p Page
	b.ReportAllocs()
	for b.Loop() {
		p = *src // included in the time: one 8 KiB copy
		if err := Apply(&p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	p := benchPage(b, 60, 100)
	b.SetBytes(PageSize)
	for b.Loop() {
		p.Seal()
	}
}

func BenchmarkVerify(b *testing.B) {
	p := benchPage(b, 60, 100)
	p.Seal()
	b.SetBytes(PageSize)
	for b.Loop() {
		if err := p.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}
