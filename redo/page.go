package redo

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// ErrCorruptPage is wrapped by every error Verify returns, and by Apply when the
// page it is given is not structurally sound.
var ErrCorruptPage = errors.New("corrupt page")

// Page is one 8 KiB slotted page. It is a plain byte array so that a buffer
// pool can hold pages in one []Page and hand out *Page without allocating;
// copying a Page copies the image.
//
// Layout (little-endian). Header, 32 bytes:
//
//	0  u64 page LSN (the LSN of the last record applied)
//	8  u64 page id
//	16 u32 checksum (low 32 bits of xxhash64 of the page with this field zeroed)
//	20 u16 flags (owned by the access method)
//	22 u8  page type (owned by the access method)
//	23 u8  format version (PageFormatVersion)
//	24 u16 lower: end of the item-id array
//	26 u16 upper: start of the item data
//	28 u16 special: start of the special space
//	30 u16 reserved, zero
//
// Item ids follow the header from byte 32, 4 bytes each: u16 offset, u16
// length. Length 0 marks an unused slot (its offset is 0 too). Item data grows
// down from special; the special space runs from special to the end of the
// page. The free gap [lower, upper) is always zero. An all-zero page has never
// been written: it is valid, with LSN 0, and only InitPage or FullPageImage
// apply to it.
//
// Read accessors never panic, even on a corrupt page; only Apply changes a page
// (Seal aside, which stamps the checksum).
type Page [PageSize]byte

// zeroPage is an all-zero page used for comparisons; it is never written.
var zeroPage Page

func (p *Page) u16(off int) int { return int(binary.LittleEndian.Uint16(p[off : off+2])) }

func (p *Page) setU16(off, v int) { binary.LittleEndian.PutUint16(p[off:off+2], uint16(v)) }

// itemID returns item id i; the caller guarantees i < MaxItemCount.
func (p *Page) itemID(i int) (off, n int) {
	b := p[PageHeaderSize+ItemIDSize*i : PageHeaderSize+ItemIDSize*i+4]
	return int(binary.LittleEndian.Uint16(b)), int(binary.LittleEndian.Uint16(b[2:]))
}

func (p *Page) setItemID(i, off, n int) {
	b := p[PageHeaderSize+ItemIDSize*i : PageHeaderSize+ItemIDSize*i+4]
	binary.LittleEndian.PutUint16(b, uint16(off))
	binary.LittleEndian.PutUint16(b[2:], uint16(n))
}

// LSN returns the page LSN: the LSN of the last record applied to the page.
func (p *Page) LSN() LSN { return LSN(binary.LittleEndian.Uint64(p[offLSN : offLSN+8])) }

// ID returns the page id stored in the header.
func (p *Page) ID() PageID { return PageID(binary.LittleEndian.Uint64(p[offID : offID+8])) }

// Checksum returns the stored checksum (valid only after Seal).
func (p *Page) Checksum() uint32 {
	return binary.LittleEndian.Uint32(p[offChecksum : offChecksum+4])
}

// Flags returns the header flags.
func (p *Page) Flags() uint16 { return uint16(p.u16(offFlags)) }

// Type returns the page type given at InitPage.
func (p *Page) Type() uint8 { return p[offType] }

// Version returns the format version byte (PageFormatVersion, or 0 for a page
// never written).
func (p *Page) Version() uint8 { return p[offVersion] }

// IsZero reports whether the page is all zero, that is, never written.
func (p *Page) IsZero() bool { return *p == zeroPage }

// ItemCount returns the number of item ids, unused slots included. It is 0 for
// a page never written and for a page whose header is out of bounds.
func (p *Page) ItemCount() int {
	lower := p.u16(offLower)
	if lower < PageHeaderSize || lower > PageSize {
		return 0
	}
	return (lower - PageHeaderSize) / ItemIDSize
}

// Item returns a view of item i's bytes (capacity-limited, so appending to it
// never writes into the page). ok is false when i is out of range, the slot is
// unused, or the item id points outside the page. The view aliases the page:
// copy it before the page changes.
func (p *Page) Item(i int) (item []byte, ok bool) {
	if i < 0 || i >= p.ItemCount() {
		return nil, false
	}
	off, n := p.itemID(i)
	if n == 0 || off+n > PageSize {
		return nil, false
	}
	return p[off : off+n : off+n], true
}

// Special returns a view of the special space (nil for a page never written or
// with an out-of-bounds header). Change it only through SetSpecial records.
func (p *Page) Special() []byte {
	s := p.u16(offSpecial)
	if p[offVersion] != PageFormatVersion || s < PageHeaderSize || s > PageSize {
		return nil
	}
	return p[s:PageSize:PageSize]
}

// FreeSpace returns the largest item that one more InsertItem can add (its
// item id already accounted for), counting the space Apply reclaims by
// compacting. It is 0 for a page never written or not structurally sound.
// It walks the item ids: O(ItemCount).
func (p *Page) FreeSpace() int {
	h, err := p.header()
	if err != nil {
		return 0
	}
	live, err := p.liveBytes(h, -1)
	if err != nil {
		return 0
	}
	return max(0, h.special-h.lower-live-ItemIDSize)
}

// pageHeader holds the bounds of an initialised page.
type pageHeader struct {
	lower, upper, special int
}

func (h pageHeader) count() int { return (h.lower - PageHeaderSize) / ItemIDSize }

// header reads and checks the format version and the header bounds (O(1)).
func (p *Page) header() (pageHeader, error) {
	if v := p[offVersion]; v != PageFormatVersion {
		return pageHeader{}, fmt.Errorf("%w: page %d: format version %d, want %d", ErrCorruptPage, p.ID(), v, PageFormatVersion)
	}
	h := pageHeader{lower: p.u16(offLower), upper: p.u16(offUpper), special: p.u16(offSpecial)}
	switch {
	case h.lower < PageHeaderSize || (h.lower-PageHeaderSize)%ItemIDSize != 0:
		return h, fmt.Errorf("%w: page %d: lower %d is not the end of an item-id array", ErrCorruptPage, p.ID(), h.lower)
	case h.lower > h.upper || h.upper > h.special || h.special > PageSize:
		return h, fmt.Errorf("%w: page %d: header bounds lower %d, upper %d, special %d out of order", ErrCorruptPage, p.ID(), h.lower, h.upper, h.special)
	}
	return h, nil
}

// liveBytes sums the lengths of the live items except item skip (-1: none),
// checking that each lies within [upper, special) and that they can fit there.
func (p *Page) liveBytes(h pageHeader, skip int) (int, error) {
	sum := 0
	for i, n := 0, h.count(); i < n; i++ {
		off, ln := p.itemID(i)
		if ln == 0 {
			continue
		}
		if off < h.upper || off+ln > h.special {
			return 0, fmt.Errorf("%w: page %d: item %d at [%d, %d) outside item data [%d, %d)", ErrCorruptPage, p.ID(), i, off, off+ln, h.upper, h.special)
		}
		if i != skip {
			sum += ln
		}
	}
	if sum > h.special-h.upper {
		return 0, fmt.Errorf("%w: page %d: %d bytes of live items in %d bytes of item data", ErrCorruptPage, p.ID(), sum, h.special-h.upper)
	}
	return sum, nil
}

// checksum computes the page checksum: the low 32 bits of xxhash64 of the page
// with the checksum field taken as zero.
func (p *Page) checksum() uint32 {
	var d xxhash.Digest
	d.Reset()
	var zero [4]byte
	_, _ = d.Write(p[:offChecksum])
	_, _ = d.Write(zero[:])
	_, _ = d.Write(p[offChecksum+4:])
	return uint32(d.Sum64())
}

// Seal stamps the checksum. Call it when a page image leaves memory (storage
// image layers, GetPage responses, full page images); Apply does not maintain
// the checksum. A page never written stays all zero.
func (p *Page) Seal() {
	if p.IsZero() {
		return
	}
	binary.LittleEndian.PutUint32(p[offChecksum:offChecksum+4], p.checksum())
}

// Verify checks a page image that arrived from outside memory: the format
// version, the header bounds (lower <= upper <= special <= PageSize), that
// every live item lies within the item data and no two overlap, that unused
// item ids and the free gap are zero, and the checksum. An all-zero page is
// valid. Errors wrap ErrCorruptPage and name the failed check.
func (p *Page) Verify() error {
	if p.IsZero() {
		return nil
	}
	if err := p.verifyStructure(); err != nil {
		return err
	}
	if stored, want := p.Checksum(), p.checksum(); stored != want {
		return fmt.Errorf("%w: page %d: checksum mismatch (stored %08x, computed %08x)", ErrCorruptPage, p.ID(), stored, want)
	}
	return nil
}

// verifyStructure runs every check of Verify but the checksum.
func (p *Page) verifyStructure() error {
	h, err := p.header()
	if err != nil {
		return err
	}
	if r := p.u16(offReserved); r != 0 {
		return fmt.Errorf("%w: page %d: reserved header field is %d", ErrCorruptPage, p.ID(), r)
	}
	var used [PageSize / 64]uint64 // one bit per page byte
	for i, n := 0, h.count(); i < n; i++ {
		off, ln := p.itemID(i)
		if ln == 0 {
			if off != 0 {
				return fmt.Errorf("%w: page %d: unused item %d has offset %d", ErrCorruptPage, p.ID(), i, off)
			}
			continue
		}
		if off < h.upper || off+ln > h.special {
			return fmt.Errorf("%w: page %d: item %d at [%d, %d) outside item data [%d, %d)", ErrCorruptPage, p.ID(), i, off, off+ln, h.upper, h.special)
		}
		if !markUsed(&used, off, off+ln) {
			return fmt.Errorf("%w: page %d: item %d at [%d, %d) overlaps another item", ErrCorruptPage, p.ID(), i, off, off+ln)
		}
	}
	if gap := p[h.lower:h.upper]; string(gap) != string(zeroPage[:len(gap)]) {
		return fmt.Errorf("%w: page %d: free space [%d, %d) is not zero", ErrCorruptPage, p.ID(), h.lower, h.upper)
	}
	return nil
}

// markUsed sets the bits of bytes [from, to) in used (0 <= from < to <=
// PageSize) a word at a time, and reports false if any was already set.
func markUsed(used *[PageSize / 64]uint64, from, to int) bool {
	for from < to {
		w, lo := from/64, from%64
		hi := min(to-w*64, 64)
		mask := ^uint64(0) << lo
		if hi < 64 {
			mask &= uint64(1)<<hi - 1
		}
		if used[w]&mask != 0 {
			return false
		}
		used[w] |= mask
		from = (w + 1) * 64
	}
	return true
}
