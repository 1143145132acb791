package segment

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
	"github.com/cespare/xxhash/v2"
)

// The manifest names the live state that is not in the hot log: the layer
// files of every group, each group's metadata as of the manifest, and the
// first hot-log file still needed. It is replaced whole: written to
// MANIFEST.tmp, fsynced, renamed over MANIFEST, directory fsynced.
//
//	"BRMANIF1" | u64 next file seq | u64 first log seq | u32 groups
//	per group: u32 pg | u64 epoch | u64 vdl | u64 min read point | u64 gc horizon
//	           u32 peers (u32 len | bytes)* | u32 truncations (u64 after | u64 before)*
//	           u32 layers (u64 seq)*
//	u64 xxhash64 of everything before
const (
	manifestName  = "MANIFEST"
	manifestMagic = "BRMANIF1"
)

type groupMeta struct {
	pg       uint32
	epoch    uint64
	vdl      redo.LSN
	mrp      redo.LSN
	horizon  redo.LSN
	peers    []string
	truncs   []storagerpc.Range
	layerSeq []uint64
}

type manifest struct {
	nextSeq  uint64
	logStart uint64
	groups   []groupMeta
}

func (m *manifest) encode() []byte {
	b := []byte(manifestMagic)
	b = putU64(b, m.nextSeq)
	b = putU64(b, m.logStart)
	b = putU32(b, uint32(len(m.groups)))
	for _, g := range m.groups {
		b = putU32(b, g.pg)
		b = putU64(b, g.epoch)
		b = putU64(b, uint64(g.vdl))
		b = putU64(b, uint64(g.mrp))
		b = putU64(b, uint64(g.horizon))
		b = putU32(b, uint32(len(g.peers)))
		for _, p := range g.peers {
			b = putStr(b, p)
		}
		b = putU32(b, uint32(len(g.truncs)))
		for _, r := range g.truncs {
			b = putU64(b, uint64(r.After))
			b = putU64(b, uint64(r.Before))
		}
		b = putU32(b, uint32(len(g.layerSeq)))
		for _, s := range g.layerSeq {
			b = putU64(b, s)
		}
	}
	return putU64(b, xxhash.Sum64(b))
}

func decodeManifest(path string, b []byte) (*manifest, error) {
	corrupt := func(off int, err error) error { return &CorruptionError{File: path, Offset: int64(off), Err: err} }
	if len(b) < len(manifestMagic)+8 || string(b[:len(manifestMagic)]) != manifestMagic {
		return nil, corrupt(0, errors.New("not a manifest (bad magic or too short)"))
	}
	body := b[:len(b)-8]
	if want, got := binary.LittleEndian.Uint64(b[len(b)-8:]), xxhash.Sum64(body); want != got {
		return nil, corrupt(len(b)-8, fmt.Errorf("checksum mismatch (stored %016x, computed %016x)", want, got))
	}
	r := byteReader{b: body[len(manifestMagic):]}
	m := &manifest{nextSeq: r.u64(), logStart: r.u64()}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		g := groupMeta{pg: r.u32(), epoch: r.u64(), vdl: redo.LSN(r.u64()), mrp: redo.LSN(r.u64()), horizon: redo.LSN(r.u64())}
		np := r.u32()
		for j := uint32(0); j < np && r.err == nil; j++ {
			g.peers = append(g.peers, r.str())
		}
		nt := r.u32()
		for j := uint32(0); j < nt && r.err == nil; j++ {
			g.truncs = append(g.truncs, storagerpc.Range{After: redo.LSN(r.u64()), Before: redo.LSN(r.u64())})
		}
		nl := r.u32()
		for j := uint32(0); j < nl && r.err == nil; j++ {
			g.layerSeq = append(g.layerSeq, r.u64())
		}
		m.groups = append(m.groups, g)
	}
	if err := r.done(); err != nil {
		return nil, corrupt(len(body)-len(r.b), err)
	}
	return m, nil
}

// readManifest loads dir's manifest; a missing one is an empty manifest.
func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &manifest{nextSeq: 1, logStart: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	return decodeManifest(path, b)
}

// writeManifest atomically replaces dir's manifest.
func writeManifest(dir string, m *manifest) error {
	tmp := filepath.Join(dir, manifestName+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("create manifest: %w", err)
	}
	if _, err := f.Write(m.encode()); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync manifest: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, manifestName)); err != nil {
		return fmt.Errorf("install manifest: %w", err)
	}
	return syncDir(dir)
}
