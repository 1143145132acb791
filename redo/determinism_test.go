package redo

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("redo.seed", 0, "master seed for the redo property tests (0: time-based)")

// masterSeed returns the seed for a property test and logs it so a failure can
// be reproduced with -redo.seed.
func masterSeed(t testing.TB) uint64 {
	s := *seedFlag
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("master seed %d (rerun with -redo.seed=%d)", s, s)
	return s
}

// pageModel is the plain-Go model of a page the property test checks against.
type pageModel struct {
	id      PageID
	typ     uint8
	flags   uint16
	special []byte
	items   [][]byte // nil: unused slot
}

func (m *pageModel) live() int {
	n := 0
	for _, it := range m.items {
		n += len(it)
	}
	return n
}

// free is the space available for item data and item ids after compaction.
func (m *pageModel) free() int {
	return PageSize - len(m.special) - PageHeaderSize - ItemIDSize*len(m.items) - m.live()
}

func (m *pageModel) liveIndexes() []int {
	var out []int
	for i, it := range m.items {
		if it != nil {
			out = append(out, i)
		}
	}
	return out
}

// check compares the page with the model and verifies it structurally.
func (m *pageModel) check(p *Page, lsn LSN) error {
	switch {
	case p.LSN() != lsn:
		return fmt.Errorf("LSN %d, want %d", p.LSN(), lsn)
	case p.ID() != m.id:
		return fmt.Errorf("id %d, want %d", p.ID(), m.id)
	case p.Type() != m.typ:
		return fmt.Errorf("type %d, want %d", p.Type(), m.typ)
	case p.Flags() != m.flags:
		return fmt.Errorf("flags %#x, want %#x", p.Flags(), m.flags)
	case !bytes.Equal(p.Special(), m.special):
		return fmt.Errorf("special space differs")
	case p.ItemCount() != len(m.items):
		return fmt.Errorf("%d items, want %d", p.ItemCount(), len(m.items))
	case p.FreeSpace() != max(0, m.free()-ItemIDSize):
		return fmt.Errorf("free space %d, want %d", p.FreeSpace(), max(0, m.free()-ItemIDSize))
	}
	for i, want := range m.items {
		got, ok := p.Item(i)
		if ok != (want != nil) || !bytes.Equal(got, want) {
			return fmt.Errorf("item %d: got %q (ok %v), want %q", i, got, ok, want)
		}
	}
	c := *p
	c.Seal()
	if err := c.Verify(); err != nil {
		return fmt.Errorf("sealed page does not verify: %w", err)
	}
	return nil
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// step is one generated change: the record and what the model expects.
type step struct {
	rec     Record
	wantErr error // nil: must succeed
	apply   func(m *pageModel)
}

// genStep picks a random record for the page described by m (nil: the page
// has never been written). scale bounds typical item sizes.
func genStep(rng *rand.Rand, m *pageModel, id PageID, scale int) step {
	size := func() int {
		switch rng.IntN(10) {
		case 0:
			return 1 + rng.IntN(4*scale)
		case 1:
			return 1 + rng.IntN(MaxItemSize)
		default:
			return 1 + rng.IntN(scale)
		}
	}
	if m == nil || rng.IntN(60) == 0 {
		sp := []int{0, 0, 8, 16, 24, 64, rng.IntN(600)}[rng.IntN(7)]
		typ := uint8(rng.Uint32())
		return step{rec: InitPage(id, typ, sp), apply: func(m *pageModel) {
			*m = pageModel{id: id, typ: typ, special: make([]byte, sp)}
		}}
	}
	n := len(m.items)
	live := m.liveIndexes()
	pickLive := func() (int, bool) {
		if len(live) == 0 {
			return 0, false
		}
		return live[rng.IntN(len(live))], true
	}
	switch k := rng.IntN(100); {
	case k < 30: // insert
		idx := rng.IntN(n + 1)
		if rng.IntN(30) == 0 {
			idx = n + 1 + rng.IntN(3)
			return step{rec: InsertItem(id, idx, []byte{1}), wantErr: ErrInvalidRecord}
		}
		data := randBytes(rng, size())
		if len(data)+ItemIDSize > m.free() {
			return step{rec: InsertItem(id, idx, data), wantErr: ErrPageFull}
		}
		return step{rec: InsertItem(id, idx, data), apply: func(m *pageModel) {
			m.items = append(m.items[:idx], append([][]byte{data}, m.items[idx:]...)...)
		}}
	case k < 45: // overwrite, possibly reviving an unused slot
		if n == 0 || rng.IntN(30) == 0 {
			return step{rec: OverwriteItem(id, n+rng.IntN(3), []byte{1}), wantErr: ErrInvalidRecord}
		}
		idx := rng.IntN(n)
		var data []byte
		if old := len(m.items[idx]); old > 0 && rng.IntN(3) == 0 {
			data = randBytes(rng, 1+rng.IntN(old)) // shrink or same size, in place
		} else {
			data = randBytes(rng, size())
		}
		if len(data) > m.free()+len(m.items[idx]) {
			return step{rec: OverwriteItem(id, idx, data), wantErr: ErrPageFull}
		}
		return step{rec: OverwriteItem(id, idx, data), apply: func(m *pageModel) { m.items[idx] = data }}
	case k < 55: // delete
		if n == 0 || rng.IntN(30) == 0 {
			return step{rec: DeleteItem(id, n+rng.IntN(3)), wantErr: ErrInvalidRecord}
		}
		idx := rng.IntN(n)
		return step{rec: DeleteItem(id, idx), apply: func(m *pageModel) {
			m.items = append(m.items[:idx], m.items[idx+1:]...)
		}}
	case k < 63: // kill
		idx, ok := pickLive()
		if !ok || rng.IntN(20) == 0 {
			for i, it := range m.items {
				if it == nil {
					return step{rec: KillItem(id, i), wantErr: ErrInvalidRecord}
				}
			}
			return step{rec: KillItem(id, n), wantErr: ErrInvalidRecord}
		}
		return step{rec: KillItem(id, idx), apply: func(m *pageModel) { m.items[idx] = nil }}
	case k < 73: // patch
		idx, ok := pickLive()
		if !ok {
			return step{rec: PatchItem(id, n, 0, []byte{1}), wantErr: ErrInvalidRecord}
		}
		ln := len(m.items[idx])
		off := rng.IntN(ln + 1)
		data := randBytes(rng, rng.IntN(ln-off+1))
		if rng.IntN(20) == 0 {
			return step{rec: PatchItem(id, idx, off, randBytes(rng, ln-off+1)), wantErr: ErrInvalidRecord}
		}
		return step{rec: PatchItem(id, idx, off, data), apply: func(m *pageModel) { copy(m.items[idx][off:], data) }}
	case k < 80: // special space
		sz := len(m.special)
		off := rng.IntN(sz + 1)
		data := randBytes(rng, rng.IntN(sz-off+1))
		if rng.IntN(20) == 0 {
			return step{rec: SetSpecial(id, off, randBytes(rng, sz-off+1)), wantErr: ErrInvalidRecord}
		}
		return step{rec: SetSpecial(id, off, data), apply: func(m *pageModel) { copy(m.special[off:], data) }}
	case k < 84:
		f := uint16(rng.Uint32())
		return step{rec: SetFlags(id, f), apply: func(m *pageModel) { m.flags = f }}
	case k < 90:
		return step{rec: Compact(id), apply: func(m *pageModel) {
			for len(m.items) > 0 && m.items[len(m.items)-1] == nil {
				m.items = m.items[:len(m.items)-1]
			}
		}}
	case k < 92:
		return step{rec: Noop(id), apply: func(*pageModel) {}}
	case k < 95:
		return step{rec: Record{Page: id, Op: OpFullPageImage}} // payload filled by the caller from the writer page
	case k < 98: // wrong page
		return step{rec: SetFlags(id+1, 1), wantErr: ErrInvalidRecord}
	default: // stale LSN: the caller gives it the page LSN
		return step{rec: Noop(id), wantErr: ErrAlreadyApplied}
	}
}

// runSequence drives one random sequence on a writer page, checking it against
// the model after every step, then replays the encoded log on a fresh page.
// snaps is scratch space for the writer's page after each step (reused across
// sequences to keep the test fast); it must hold steps pages.
func runSequence(seed uint64, steps int, snaps []Page) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	id := PageID(rng.Uint64N(1 << 40))
	scale := []int{8, 64, 256, 1024}[rng.IntN(4)]
	var (
		writer Page
		m      *pageModel
		lsn    LSN
		log    []byte
		recs   []Record
		nsnap  int
	)
	for s := 0; s < steps; s++ {
		st := genStep(rng, m, id, scale)
		r := st.rec
		switch {
		case r.Op == OpFullPageImage && st.wantErr == nil:
			r = FullPageImage(id, &writer)
			st.apply = func(*pageModel) {}
		}
		if errors.Is(st.wantErr, ErrAlreadyApplied) {
			r.LSN = lsn
		} else {
			r.LSN = lsn + 1 + LSN(rng.IntN(3))
			r.PrevVolume, r.PrevGroup, r.PrevPage = lsn, lsn, lsn
			r.CPL = rng.IntN(2) == 0
		}
		before := writer
		err := Apply(&writer, &r)
		if st.wantErr != nil {
			if !errors.Is(err, st.wantErr) {
				return fmt.Errorf("step %d: %s: got error %v, want %v", s, r.Op, err, st.wantErr)
			}
			if writer != before {
				return fmt.Errorf("step %d: failed %s changed the page", s, r.Op)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("step %d: %s: %w", s, r.Op, err)
		}
		if m == nil {
			m = &pageModel{}
		}
		st.apply(m)
		lsn = r.LSN
		if err := m.check(&writer, lsn); err != nil {
			return fmt.Errorf("step %d: after %s: %w", s, r.Op, err)
		}
		log = r.Append(log)
		recs = append(recs, r)
		snaps[nsnap] = writer
		nsnap++
	}
	decoded, err := DecodeAll(log)
	if err != nil {
		return fmt.Errorf("decode log: %w", err)
	}
	if len(decoded) != len(recs) {
		return fmt.Errorf("decoded %d records, wrote %d", len(decoded), len(recs))
	}
	var replica Page
	for i := range decoded {
		d := &decoded[i]
		if d.LSN != recs[i].LSN || d.Op != recs[i].Op || d.Page != recs[i].Page || d.CPL != recs[i].CPL ||
			d.PrevPage != recs[i].PrevPage || !bytes.Equal(d.Payload, recs[i].Payload) {
			return fmt.Errorf("record %d decoded differently", i)
		}
		if err := Apply(&replica, d); err != nil {
			return fmt.Errorf("replay record %d (%s): %w", i, d.Op, err)
		}
		if replica != snaps[i] {
			return fmt.Errorf("replay record %d (%s): page differs from the writer's", i, d.Op)
		}
		// Replaying again is refused and changes nothing (idempotent replay).
		if err := Apply(&replica, d); !errors.Is(err, ErrAlreadyApplied) {
			return fmt.Errorf("second replay of record %d: got %v, want ErrAlreadyApplied", i, err)
		}
	}
	return nil
}

func TestApplyDeterminism(t *testing.T) {
	seqs := 2000
	if testing.Short() {
		seqs = 300
	}
	master := masterSeed(t)
	snaps := make([]Page, 200)
	for i := range seqs {
		seed := master + uint64(i)*0x100000001b3
		steps := 20 + int(seed%180)
		if err := runSequence(seed, steps, snaps); err != nil {
			t.Fatalf("sequence seed %d (master %d, #%d): %v", seed, master, i, err)
		}
	}
}
