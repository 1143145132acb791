package segment

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/borealis-db/borealis/redo"
	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// Layer file layout (little-endian). A layer holds entries of one protection
// group sorted by (page, LSN); a delta layer holds redo records, an image
// layer materialized pages.
//
//	header  "BRLAYER1" | u32 pg | u8 kind | 3 zero bytes
//	blocks  zstd(entries) | u64 xxhash64 of the compressed bytes
//	index   u32 blocks | per block: u64 offset | u32 compressed len | u32 raw len |
//	        u32 entries | u64 first page | u64 first LSN | u64 last page | u64 last LSN
//	        then u64 min LSN | u64 max LSN of the layer
//	footer  u64 index offset | u32 index len | u64 xxhash64 of the index | "BRLF"
//
// An entry is u8 type | u64 page | u64 LSN | u32 len | data, where data is a
// redo record's encoding (entryDelta) or a PageSize page (entryImage).
const (
	layerMagic     = "BRLAYER1"
	layerHeader    = 16
	layerFooter    = 24
	layerFootMagic = "BRLF"
	blockTrailer   = 8
	blockIndexSize = 8 + 4 + 4 + 4 + 8*4
	entryHeader    = 1 + 8 + 8 + 4
	// maxBlockRaw bounds a block's decompressed size.
	maxBlockRaw = 16 << 20

	layerDelta byte = 1
	layerImage byte = 2

	entryDelta byte = 0
	entryImage byte = 1
)

func layerName(seq uint64) string { return fmt.Sprintf("L%016d.layer", seq) }

// entry is one delta record or page image in a layer.
type entry struct {
	typ  byte
	page redo.PageID
	lsn  redo.LSN
	data []byte
}

func entryLess(a, b *entry) bool {
	if a.page != b.page {
		return a.page < b.page
	}
	return a.lsn < b.lsn
}

type blockInfo struct {
	off           int64
	clen, rlen, n uint32
	firstPage     redo.PageID
	firstLSN      redo.LSN
	lastPage      redo.PageID
	lastLSN       redo.LSN
}

// layer is an open, immutable layer file.
type layer struct {
	seq            uint64
	path           string
	pg             uint32
	kind           byte
	f              *os.File
	size           int64
	blocks         []blockInfo
	minLSN, maxLSN redo.LSN
}

// zcodec compresses and decompresses layer blocks; safe for concurrent use.
type zcodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newZcodec() (*zcodec, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxBlockRaw))
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return &zcodec{enc: enc, dec: dec}, nil
}

func (z *zcodec) close() { z.dec.Close(); z.enc.Close() }

// writeLayer writes entries (sorted by page, LSN) as layer file seq in dir,
// durably (temp file, fsync, rename, directory fsync), and opens it.
func writeLayer(dir string, seq uint64, pg uint32, kind byte, entries []entry, z *zcodec, blockSize int) (*layer, error) {
	path := filepath.Join(dir, layerName(seq))
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create layer: %w", err)
	}
	defer os.Remove(tmp) // no-op after the rename
	buf := append([]byte(layerMagic), 0, 0, 0, 0, kind, 0, 0, 0)
	binary.LittleEndian.PutUint32(buf[8:], pg)
	var index []byte
	var nblocks uint32
	minLSN, maxLSN := redo.LSN(0), redo.LSN(0)
	for i := 0; i < len(entries); {
		var raw []byte
		j := i
		for ; j < len(entries) && (j == i || len(raw) < blockSize); j++ {
			e := &entries[j]
			raw = append(raw, e.typ)
			raw = putU64(raw, uint64(e.page))
			raw = putU64(raw, uint64(e.lsn))
			raw = putU32(raw, uint32(len(e.data)))
			raw = append(raw, e.data...)
			if minLSN == 0 || e.lsn < minLSN {
				minLSN = e.lsn
			}
			if e.lsn > maxLSN {
				maxLSN = e.lsn
			}
		}
		comp := z.enc.EncodeAll(raw, nil)
		index = putU64(index, uint64(len(buf)))
		index = putU32(index, uint32(len(comp)))
		index = putU32(index, uint32(len(raw)))
		index = putU32(index, uint32(j-i))
		index = putU64(index, uint64(entries[i].page))
		index = putU64(index, uint64(entries[i].lsn))
		index = putU64(index, uint64(entries[j-1].page))
		index = putU64(index, uint64(entries[j-1].lsn))
		buf = append(buf, comp...)
		buf = putU64(buf, xxhash.Sum64(comp))
		nblocks++
		i = j
	}
	idx := putU32(nil, nblocks)
	idx = append(idx, index...)
	idx = putU64(idx, uint64(minLSN))
	idx = putU64(idx, uint64(maxLSN))
	indexOff := len(buf)
	buf = append(buf, idx...)
	buf = putU64(buf, uint64(indexOff))
	buf = putU32(buf, uint32(len(idx)))
	buf = putU64(buf, xxhash.Sum64(idx))
	buf = append(buf, layerFootMagic...)
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return nil, fmt.Errorf("write layer %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync layer %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close layer %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("install layer: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return openLayer(path, seq)
}

// openLayer opens a layer file and checks its header, footer and index.
func openLayer(path string, seq uint64) (*layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open layer: %w", err)
	}
	l, err := loadLayerIndex(f, path, seq)
	if err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

func loadLayerIndex(f *os.File, path string, seq uint64) (*layer, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat layer %s: %w", path, err)
	}
	size := st.Size()
	corrupt := func(off int64, format string, args ...any) error {
		return &CorruptionError{File: path, Offset: off, Err: fmt.Errorf(format, args...)}
	}
	if size < layerHeader+layerFooter {
		return nil, corrupt(0, "layer file of %d bytes is too short", size)
	}
	hdr := make([]byte, layerHeader)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("read layer header %s: %w", path, err)
	}
	if string(hdr[:8]) != layerMagic || (hdr[12] != layerDelta && hdr[12] != layerImage) {
		return nil, corrupt(0, "bad layer header")
	}
	foot := make([]byte, layerFooter)
	if _, err := f.ReadAt(foot, size-layerFooter); err != nil {
		return nil, fmt.Errorf("read layer footer %s: %w", path, err)
	}
	if string(foot[20:]) != layerFootMagic {
		return nil, corrupt(size-layerFooter, "bad layer footer magic")
	}
	indexOff := int64(binary.LittleEndian.Uint64(foot))
	indexLen := int64(binary.LittleEndian.Uint32(foot[8:]))
	if indexOff < layerHeader || indexOff+indexLen != size-layerFooter {
		return nil, corrupt(size-layerFooter, "index at %d+%d does not fit the file", indexOff, indexLen)
	}
	idx := make([]byte, indexLen)
	if _, err := f.ReadAt(idx, indexOff); err != nil {
		return nil, fmt.Errorf("read layer index %s: %w", path, err)
	}
	if want, got := binary.LittleEndian.Uint64(foot[12:]), xxhash.Sum64(idx); want != got {
		return nil, corrupt(indexOff, "index checksum mismatch (stored %016x, computed %016x)", want, got)
	}
	blocks, minLSN, maxLSN, err := decodeLayerIndex(idx, indexOff)
	if err != nil {
		return nil, corrupt(indexOff, "%v", err)
	}
	return &layer{seq: seq, path: path, pg: binary.LittleEndian.Uint32(hdr[8:]), kind: hdr[12], f: f, size: size,
		blocks: blocks, minLSN: minLSN, maxLSN: maxLSN}, nil
}

// decodeLayerIndex decodes a layer index; blocks must lie in [header, limit).
func decodeLayerIndex(idx []byte, limit int64) ([]blockInfo, redo.LSN, redo.LSN, error) {
	r := byteReader{b: idx}
	n := r.u32()
	if r.err == nil && uint64(n)*blockIndexSize > uint64(len(r.b)) {
		return nil, 0, 0, fmt.Errorf("index claims %d blocks in %d bytes", n, len(idx))
	}
	blocks := make([]blockInfo, 0, n)
	next := int64(layerHeader)
	for i := uint32(0); i < n && r.err == nil; i++ {
		b := blockInfo{off: int64(r.u64()), clen: r.u32(), rlen: r.u32(), n: r.u32(),
			firstPage: redo.PageID(r.u64()), firstLSN: redo.LSN(r.u64()), lastPage: redo.PageID(r.u64()), lastLSN: redo.LSN(r.u64())}
		if r.err != nil {
			break
		}
		if b.off != next || b.off+int64(b.clen)+blockTrailer > limit || b.rlen > maxBlockRaw || b.n == 0 {
			return nil, 0, 0, fmt.Errorf("block %d entry (offset %d, %d bytes) is inconsistent", i, b.off, b.clen)
		}
		first, last := entry{page: b.firstPage, lsn: b.firstLSN}, entry{page: b.lastPage, lsn: b.lastLSN}
		if entryLess(&last, &first) || (len(blocks) > 0 && !entryLess(&entry{page: blocks[len(blocks)-1].lastPage, lsn: blocks[len(blocks)-1].lastLSN}, &first)) {
			return nil, 0, 0, fmt.Errorf("block %d keys out of order", i)
		}
		next = b.off + int64(b.clen) + blockTrailer
		blocks = append(blocks, b)
	}
	minLSN, maxLSN := redo.LSN(r.u64()), redo.LSN(r.u64())
	if err := r.done(); err != nil {
		return nil, 0, 0, err
	}
	if next != limit {
		return nil, 0, 0, fmt.Errorf("blocks end at %d, index starts at %d", next, limit)
	}
	return blocks, minLSN, maxLSN, nil
}

// readBlock reads, checks and decodes block i.
func (l *layer) readBlock(i int, z *zcodec) ([]entry, error) {
	b := l.blocks[i]
	buf := make([]byte, int(b.clen)+blockTrailer)
	if _, err := l.f.ReadAt(buf, b.off); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read layer %s block at %d: %w", l.path, b.off, err)
	}
	ents, err := decodeBlock(buf, b.rlen, b.n, z)
	if err == nil {
		f, e := ents[0], ents[len(ents)-1]
		if f.page != b.firstPage || f.lsn != b.firstLSN || e.page != b.lastPage || e.lsn != b.lastLSN {
			err = fmt.Errorf("block keys (%d,%d)..(%d,%d) differ from the index", f.page, f.lsn, e.page, e.lsn)
		}
	}
	if err != nil {
		return nil, &CorruptionError{File: l.path, Offset: b.off, Err: err}
	}
	return ents, nil
}

// decodeBlock checks a stored block (compressed bytes and checksum) and
// decodes its entries. Entry data aliases a fresh buffer.
func decodeBlock(stored []byte, rawLen, count uint32, z *zcodec) ([]entry, error) {
	if len(stored) < blockTrailer {
		return nil, fmt.Errorf("block of %d bytes is too short", len(stored))
	}
	comp := stored[:len(stored)-blockTrailer]
	if want, got := binary.LittleEndian.Uint64(stored[len(comp):]), xxhash.Sum64(comp); want != got {
		return nil, fmt.Errorf("block checksum mismatch (stored %016x, computed %016x)", want, got)
	}
	if rawLen > maxBlockRaw {
		return nil, fmt.Errorf("block raw size %d exceeds %d", rawLen, maxBlockRaw)
	}
	raw, err := z.dec.DecodeAll(comp, make([]byte, 0, rawLen))
	if err != nil {
		return nil, fmt.Errorf("decompress block: %w", err)
	}
	if len(raw) != int(rawLen) {
		return nil, fmt.Errorf("block decompressed to %d bytes, index says %d", len(raw), rawLen)
	}
	return decodeEntries(raw, count)
}

// decodeEntries decodes count entries filling raw exactly, sorted by (page, LSN).
func decodeEntries(raw []byte, count uint32) ([]entry, error) {
	if uint64(count)*entryHeader > uint64(len(raw)) {
		return nil, fmt.Errorf("%d entries cannot fit %d bytes", count, len(raw))
	}
	ents := make([]entry, 0, count)
	r := byteReader{b: raw}
	for i := uint32(0); i < count; i++ {
		e := entry{typ: r.u8(), page: redo.PageID(r.u64()), lsn: redo.LSN(r.u64())}
		e.data = r.bytes()
		if r.err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, r.err)
		}
		switch e.typ {
		case entryDelta:
			rec, n, err := redo.Decode(e.data)
			if err != nil || n != len(e.data) || rec.LSN != e.lsn || rec.Page != e.page {
				return nil, fmt.Errorf("entry %d: bad delta record (page %d, LSN %d): %v", i, e.page, e.lsn, err)
			}
		case entryImage:
			if len(e.data) != redo.PageSize {
				return nil, fmt.Errorf("entry %d: image of %d bytes", i, len(e.data))
			}
		default:
			return nil, fmt.Errorf("entry %d: unknown type %d", i, e.typ)
		}
		if len(ents) > 0 && !entryLess(&ents[len(ents)-1], &e) {
			return nil, fmt.Errorf("entry %d (page %d, LSN %d) out of order", i, e.page, e.lsn)
		}
		ents = append(ents, e)
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return ents, nil
}

// pageEntries returns the layer's entries of page with LSN <= upto, in LSN order.
func (l *layer) pageEntries(page redo.PageID, upto redo.LSN, z *zcodec) ([]entry, error) {
	if l.minLSN > upto {
		return nil, nil
	}
	// First block whose last entry is at or after the page.
	i := sort.Search(len(l.blocks), func(i int) bool { return l.blocks[i].lastPage >= page })
	var out []entry
	for ; i < len(l.blocks) && l.blocks[i].firstPage <= page; i++ {
		ents, err := l.readBlock(i, z)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if e.page == page && e.lsn <= upto {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// all calls fn for every entry of the layer, block by block.
func (l *layer) all(z *zcodec, fn func(e entry) error) error {
	for i := range l.blocks {
		ents, err := l.readBlock(i, z)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *layer) close() error { return l.f.Close() }
