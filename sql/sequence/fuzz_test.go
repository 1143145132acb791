package sequence

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// FuzzDecode overwrites a valid sequence page's special space (or, with a
// full page of input, the whole page) with arbitrary bytes: Decode never
// panics, anything it refuses wraps ErrCorrupt, and anything it accepts
// is exactly what encodeSpecial writes for the decoded values.
func FuzzDecode(f *testing.F) {
	ctx := context.Background()
	log := memlog.New(nil)
	pool := buffer.New(log, 16*redo.PageSize)
	meta, err := volmeta.Open(ctx, pool, true)
	if err != nil {
		f.Fatal(err)
	}
	p, err := Options{}.Resolve(nil)
	if err != nil {
		f.Fatal(err)
	}
	root, err := NewStore(meta).Create(ctx, p)
	if err != nil {
		f.Fatal(err)
	}
	base, err := log.ReadPage(ctx, root, log.VDL())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encodeSpecial(p, 7, true))
	f.Add(encodeSpecial(Params{Type: Int2, Start: -1, Increment: -1, Min: -32768, Max: -1, Cache: 1, Cycle: true}, -5, false))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		pg := *base
		if len(data) >= redo.PageSize {
			copy(pg[:], data)
		} else {
			copy(pg[redo.PageSize-specialSize:], data)
		}
		p, last, called, err := Decode(&pg)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not wrapping ErrCorrupt: %v", err)
			}
			return
		}
		if want := encodeSpecial(p, last, called); !bytes.Equal(pg.Special(), want) {
			t.Fatalf("accepted special %x, canonical %x", pg.Special(), want)
		}
	})
}
