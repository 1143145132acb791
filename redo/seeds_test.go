package redo

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var genSeeds = flag.Bool("redo.genseeds", false, "rewrite the generated fuzz seed corpus under testdata/fuzz")

// corpusFile renders fuzz arguments in the `go test fuzz v1` format.
func corpusFile(args ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		fmt.Fprintf(&b, "[]byte(%q)\n", a)
	}
	return b.Bytes()
}

// fragmentedPage returns page 9 at LSN 20 with no contiguous room left but
// two killed items' worth of holes.
func fragmentedPage(t testing.TB) *Page {
	var p Page
	mustApply(t, &p, at(InitPage(9, 1, 0), 1))
	for i := range 8 {
		mustApply(t, &p, at(InsertItem(9, i, bytes.Repeat([]byte{byte('a' + i)}, 1000)), LSN(2+i)))
	}
	mustApply(t, &p, at(KillItem(9, 2), 18))
	mustApply(t, &p, at(KillItem(9, 6), 19))
	mustApply(t, &p, at(Noop(9), 20))
	return &p
}

type seed struct {
	name string
	args [][]byte
}

func applySeeds(t testing.TB) []seed {
	base := basePage(t)
	frag := fragmentedPage(t)
	bh, bt := splitPage(base)
	fh, ft := splitPage(frag)
	broken := *base
	broken.setU16(offLower, broken.u16(offUpper)+3)
	kh, kt := splitPage(base)
	kh = bytes.Clone(broken[:len(kh)])
	onBase := func(name string, r Record, lsn LSN) seed {
		return seed{name, [][]byte{bh, bt, rawRecord(*at(r, lsn))}}
	}
	return []seed{
		{"zero-init", [][]byte{nil, nil, rawRecord(*at(InitPage(5, 2, 24), 1))}},
		{"zero-image", [][]byte{nil, nil, rawRecord(*at(FullPageImage(testPage, base), 3))}},
		{"zero-insert", [][]byte{nil, nil, rawRecord(*at(InsertItem(0, 0, []byte("x")), 1))}},
		onBase("insert", InsertItem(testPage, 1, []byte("inserted")), 11),
		onBase("overwrite-grow", OverwriteItem(testPage, 0, []byte("alphabetical")), 11),
		onBase("overwrite-shrink", OverwriteItem(testPage, 3, []byte("d")), 11),
		onBase("overwrite-revive", OverwriteItem(testPage, 2, []byte("again")), 11),
		onBase("delete", DeleteItem(testPage, 1), 11),
		onBase("kill", KillItem(testPage, 0), 11),
		onBase("patch", PatchItem(testPage, 3, 2, []byte("LT")), 11),
		onBase("special", SetSpecial(testPage, 4, []byte("spec")), 11),
		onBase("flags", SetFlags(testPage, 0x8001), 11),
		onBase("compact", Compact(testPage), 11),
		onBase("reinit", InitPage(testPage, 4, 0), 11),
		onBase("stale", Noop(testPage), 10),
		onBase("wrong-page", Noop(testPage+1), 11),
		{"fragmented-insert", [][]byte{fh, ft, rawRecord(*at(InsertItem(9, 3, bytes.Repeat([]byte{'N'}, 1500)), 21))}},
		{"fragmented-overwrite", [][]byte{fh, ft, rawRecord(*at(OverwriteItem(9, 0, bytes.Repeat([]byte{'O'}, 2500)), 21))}},
		{"fragmented-full", [][]byte{fh, ft, rawRecord(*at(InsertItem(9, 0, bytes.Repeat([]byte{'F'}, 2125)), 21))}},
		{"broken-header", [][]byte{kh, kt, rawRecord(*at(Noop(testPage), 11))}},
	}
}

func decodeSeeds(t testing.TB) []seed {
	withLinks := func(r Record, lsn LSN) Record {
		r.LSN, r.PrevVolume, r.PrevGroup, r.PrevPage, r.CPL = lsn, lsn-1, lsn-2, lsn-3, lsn%2 == 0
		return r
	}
	base := basePage(t)
	recs := []Record{
		withLinks(InitPage(1, 2, 16), 10),
		withLinks(InsertItem(1, 0, []byte("hello")), 11),
		withLinks(OverwriteItem(1, 0, []byte("world")), 12),
		withLinks(DeleteItem(1, 0), 13),
		withLinks(KillItem(1, 0), 14),
		withLinks(PatchItem(1, 0, 1, []byte("ab")), 15),
		withLinks(SetSpecial(1, 0, []byte("sp")), 16),
		withLinks(SetFlags(1, 3), 17),
		withLinks(Compact(1), 18),
		withLinks(Noop(1), 19),
		withLinks(FullPageImage(testPage, base), 20),
	}
	var out []seed
	var all []byte
	for _, r := range recs {
		enc := r.Encode()
		out = append(out, seed{r.Op.String(), [][]byte{enc}})
		all = append(all, enc...)
	}
	first := recs[1].Encode()
	flipped := bytes.Clone(first)
	flipped[20] ^= 4
	out = append(out,
		seed{"batch", [][]byte{all[:len(all)-len(recs[10].Encode())]}},
		seed{"truncated", [][]byte{first[:len(first)-3]}},
		seed{"bad-checksum", [][]byte{flipped}},
		seed{"out-of-order", [][]byte{append(bytes.Clone(recs[2].Encode()), recs[1].Encode()...)}},
	)
	return out
}

// TestFuzzSeeds keeps the committed seed corpus in step with the generators
// above; run with -redo.genseeds to rewrite it.
func TestFuzzSeeds(t *testing.T) {
	for fuzz, seeds := range map[string][]seed{"FuzzApply": applySeeds(t), "FuzzDecode": decodeSeeds(t)} {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if *genSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range seeds {
			path := filepath.Join(dir, fmt.Sprintf("seed-%02d-%s", i, s.name))
			want := corpusFile(s.args...)
			if *genSeeds {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale (rerun with -redo.genseeds): %v", path, err)
			}
		}
	}
}
