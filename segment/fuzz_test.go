package segment

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/borealis-db/borealis/redo"
)

// FuzzLogFrames feeds arbitrary bytes to the hot-log reader: it must never
// panic, every frame it accepts must re-encode to the same bytes, and the
// good prefix it reports must end on a frame boundary.
func FuzzLogFrames(f *testing.F) {
	for _, s := range seedLogs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tornLimit := range []int{0, 64, 1 << 30} {
			var re []byte
			res, err := scanLog("fuzz.wal", data, tornLimit, func(kind byte, payload []byte) error {
				re = appendFrame(re, kind, payload)
				return nil
			})
			if int(res.end) != len(re) || !bytes.Equal(re, data[:res.end]) {
				t.Fatalf("good prefix %d does not match the %d re-encoded bytes", res.end, len(re))
			}
			if err == nil && !res.torn && int(res.end) != len(data) {
				t.Fatalf("no error but stopped at %d of %d", res.end, len(data))
			}
		}
	})
}

// FuzzLayerFile opens arbitrary bytes as a layer file and reads every block:
// it must never panic, and accepted entries must be sorted and well-formed.
func FuzzLayerFile(f *testing.F) {
	for _, s := range seedLayers(f) {
		f.Add(s)
	}
	z, err := newZcodec()
	if err != nil {
		f.Fatal(err)
	}
	defer z.close()
	dir := f.TempDir()
	i := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		i++
		path := filepath.Join(dir, strconv.Itoa(i)+".layer")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		l, err := openLayer(path, 1)
		if err != nil {
			return
		}
		defer l.close()
		var prev *entry
		_ = l.all(z, func(e entry) error {
			if e.typ == entryImage && len(e.data) != redo.PageSize {
				t.Fatalf("image of %d bytes accepted", len(e.data))
			}
			if prev != nil && !entryLess(prev, &e) {
				t.Fatalf("entries out of order: (%d,%d) then (%d,%d)", prev.page, prev.lsn, e.page, e.lsn)
			}
			e2 := e
			prev = &e2
			return nil
		})
	})
}

func seedLogs(t testing.TB) [][]byte {
	g := newGen(99, 2)
	recs := encode(g.batch(t, 3))
	var all []byte
	all = appendFrame(all, kindEpoch, putU64(putU32(nil, 1), 3))
	all = appendFrame(all, kindRecords, append(putU32(nil, 1), recs...))
	all = appendFrame(all, kindTruncate, putU64(putU64(putU32(nil, 1), 5), 9))
	all = appendFrame(all, kindReport, putU64(putU64(putU32(nil, 1), 4), 2))
	all = appendFrame(all, kindPeers, putStr(putU32(putU32(nil, 1), 1), "127.0.0.1:1"))
	torn := bytes.Clone(all[:len(all)-5])
	bad := bytes.Clone(all)
	bad[10] ^= 1
	return [][]byte{all, torn, bad, {}, make([]byte, 16)}
}

func seedLayers(t testing.TB) [][]byte {
	z, err := newZcodec()
	if err != nil {
		t.Fatal(err)
	}
	defer z.close()
	g := newGen(98, 3)
	var ents []entry
	for _, r := range g.batch(t, 12) {
		ents = append(ents, entry{typ: entryDelta, page: r.Page, lsn: r.LSN, data: r.Encode()})
	}
	for _, p := range []redo.PageID{10, 11} {
		pg := g.pageAt(t, p, g.lsn)
		ents = append(ents, entry{typ: entryImage, page: p, lsn: g.lsn + 1, data: pg[:]})
	}
	sortEntries(ents)
	dir, err := os.MkdirTemp("", "seed")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l, err := writeLayer(dir, 1, 1, layerDelta, ents, z, 300)
	if err != nil {
		t.Fatal(err)
	}
	l.close()
	b, err := os.ReadFile(l.path)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(b)
	bad[layerHeader+3] ^= 1
	return [][]byte{b, bad, b[:len(b)/2]}
}

func sortEntries(ents []entry) {
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && entryLess(&ents[j], &ents[j-1]); j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
}

// TestWriteFuzzSeeds regenerates the committed seed corpora when
// SEGMENT_WRITE_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SEGMENT_WRITE_SEEDS") == "" {
		t.Skip("set SEGMENT_WRITE_SEEDS=1 to rewrite testdata/fuzz")
	}
	write := func(name string, seeds [][]byte) {
		d := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("seed%d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("FuzzLogFrames", seedLogs(t))
	write("FuzzLayerFile", seedLayers(t))
}
