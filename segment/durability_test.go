package segment

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

// checkPages compares GetPage at lsn for every generated page with the
// records applied directly.
func checkPages(t *testing.T, cli *storagerpc.Client, g *gen, pg uint32, lsn redo.LSN) {
	t.Helper()
	for page := redo.PageID(10); page < redo.PageID(10+g.npages+1); page++ {
		got, err := cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: pg, Page: page, LSN: lsn})
		if err != nil {
			t.Fatalf("GetPage(%d@%d): %v", page, lsn, err)
		}
		want := g.pageAt(t, page, lsn)
		if !bytes.Equal(got.Page, want[:]) {
			t.Fatalf("page %d at LSN %d differs from the records applied directly", page, lsn)
		}
	}
}

func TestRestartFromFiles(t *testing.T) {
	dir := t.TempDir()
	small := func(c *Config) { c.LogFileSize = 4 << 10; c.MemtableSize = 8 << 10; c.LayerBlockSize = 2 << 10 }
	n := startNode(t, dir, small)
	g := newGen(10, 6)
	for i := 0; i < 20; i++ {
		r := req(1, 1, g.batch(t, 10))
		if len(g.all) > 15 {
			r.VDL = g.all[len(g.all)-15].LSN
		}
		if _, err := appendBatches(t, n.cli, r); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "a layer", func() bool { return n.met.flushes != nil && layerFiles(t, dir) > 0 })
	before := groupStatus(t, n.cli, 1)
	n.stop()
	n = startNode(t, dir, small)
	after := groupStatus(t, n.cli, 1)
	if after.SCL != before.SCL || after.Highest != before.Highest || after.VDL != before.VDL || after.Epoch != 1 {
		t.Fatalf("after restart %+v, before %+v", after, before)
	}
	checkPages(t, n.cli, g, 1, g.lsn)
	checkPages(t, n.cli, g, 1, g.all[50].LSN)
}

func layerFiles(t testing.TB, dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "*.layer"))
	return len(m)
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			continue // removed meanwhile
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopyOfLiveDirectoryOpens(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, func(c *Config) { c.LogFileSize = 8 << 10 })
	g := newGen(11, 4)
	var acked redo.LSN
	for i := 0; i < 10; i++ {
		acks, err := appendBatches(t, n.cli, req(1, 1, g.batch(t, 5)))
		if err != nil {
			t.Fatal(err)
		}
		acked = acks[0].SCL
	}
	// Copy while a writer keeps appending: everything acknowledged before
	// the copy began must be in the copy.
	stop := make(chan struct{})
	done := make(chan error, 1)
	wg := newGen(11, 4)
	*wg = *g
	wg.all = append([]redo.Record(nil), g.all...)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := appendBatches(t, n.cli, req(1, 1, wg.batch(t, 3))); err != nil {
				done <- err
				return
			}
		}
	}()
	cp := t.TempDir()
	copyDir(t, dir, cp)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := startNode(t, cp, nil)
	st := groupStatus(t, c.cli, 1)
	if st.SCL < acked {
		t.Fatalf("copy has SCL %d, below %d acknowledged before the copy", st.SCL, acked)
	}
	checkPages(t, c.cli, g, 1, acked)
}

func nonEmptyLogs(t testing.TB, dir string) []string {
	seqs, _ := listLogs(dir)
	var out []string
	for _, s := range seqs {
		p := filepath.Join(dir, logName(s))
		if st, err := os.Stat(p); err == nil && st.Size() > 0 {
			out = append(out, p)
		}
	}
	return out
}

func TestTornTailTolerated(t *testing.T) {
	for _, tail := range []struct {
		name string
		junk func(frame []byte) []byte
	}{
		{"half a frame", func(f []byte) []byte { return f[:len(f)/2] }},
		{"header only", func(f []byte) []byte { return f[:3] }},
		{"bad checksum of the last frame", func(f []byte) []byte { f = bytes.Clone(f); f[len(f)-1] ^= 1; return f }},
		{"zero fill", func(f []byte) []byte { return make([]byte, 100) }},
	} {
		t.Run(tail.name, func(t *testing.T) {
			dir := t.TempDir()
			n := startNode(t, dir, nil)
			g := newGen(12, 3)
			if _, err := appendBatches(t, n.cli, req(1, 1, g.batch(t, 8))); err != nil {
				t.Fatal(err)
			}
			n.stop()
			logs := nonEmptyLogs(t, dir)
			last := logs[len(logs)-1]
			frame := appendFrame(nil, kindRecords, append(putU32(nil, 1), encode([]redo.Record{g.next(t)})...))
			f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			good, _ := f.Seek(0, io.SeekEnd)
			f.Write(tail.junk(frame))
			f.Close()
			// The restarted node wrote a new, empty log file: make this one the newest.
			removeEmptyLogsAfter(t, dir, last)
			n = startNode(t, dir, nil)
			if st := groupStatus(t, n.cli, 1); st.SCL != g.all[7].LSN {
				t.Fatalf("SCL %d after torn tail, want %d", st.SCL, g.all[7].LSN)
			}
			if st, _ := os.Stat(last); st.Size() != good {
				t.Errorf("torn tail not truncated: size %d, want %d", st.Size(), good)
			}
			g.all = g.all[:8]
			checkPages(t, n.cli, g, 1, g.all[7].LSN)
		})
	}
}

// removeEmptyLogsAfter deletes empty log files newer than last (created by
// the last start) so that last is the newest log file again.
func removeEmptyLogsAfter(t testing.TB, dir, last string) {
	seqs, _ := listLogs(dir)
	for _, s := range seqs {
		p := filepath.Join(dir, logName(s))
		if p > last {
			if st, err := os.Stat(p); err == nil && st.Size() == 0 {
				os.Remove(p)
			}
		}
	}
}

func TestMidLogCorruptionRefused(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, func(c *Config) { c.LogFileSize = 1 << 10 })
	g := newGen(13, 3)
	for i := 0; i < 12; i++ {
		if _, err := appendBatches(t, n.cli, req(1, 1, g.batch(t, 4))); err != nil {
			t.Fatal(err)
		}
	}
	n.stop()
	logs := nonEmptyLogs(t, dir)
	if len(logs) < 3 {
		t.Fatalf("want several log files, have %d", len(logs))
	}
	for _, target := range []string{logs[0], logs[len(logs)-1]} {
		t.Run(filepath.Base(target), func(t *testing.T) {
			b, _ := os.ReadFile(target)
			orig := bytes.Clone(b)
			defer os.WriteFile(target, orig, 0o644)
			// Damage the first frame's payload: later frames follow, so this
			// is not a torn tail even in the newest file.
			b[20] ^= 0x40
			os.WriteFile(target, b, 0o644)
			_, err := Open(Config{Dir: dir, Listen: "127.0.0.1:0", Logger: testLogger(t)})
			var ce *CorruptionError
			if !errors.As(err, &ce) || !errors.Is(err, ErrDamaged) {
				t.Fatalf("open with a corrupt log frame: %v", err)
			}
			if ce.File != target || ce.Offset != 0 || !strings.Contains(err.Error(), "--repair") {
				t.Fatalf("error %q does not name %s at offset 0 and the remedy", err, target)
			}
		})
	}
	// Every file is intact again: it opens.
	n = startNode(t, dir, nil)
	checkPages(t, n.cli, g, 1, g.lsn)
}

func TestLayerCorruptionRefused(t *testing.T) {
	dir := t.TempDir()
	small := func(c *Config) { c.MemtableSize = 1; c.LayerBlockSize = 512 }
	n := startNode(t, dir, small)
	g := newGen(14, 4)
	for i := 0; i < 4; i++ {
		r := req(1, 1, g.batch(t, 10))
		r.VDL = g.lsn
		if _, err := appendBatches(t, n.cli, r); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "all records in layers", func() bool {
		n.mu.RLock()
		defer n.mu.RUnlock()
		return n.groups[1].memBytes == 0
	})
	n.stop()
	layers, _ := filepath.Glob(filepath.Join(dir, "*.layer"))
	if len(layers) == 0 {
		t.Fatal("no layers")
	}
	l, err := openLayer(layers[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	l.close()
	b, _ := os.ReadFile(layers[0])
	blk := l.blocks[len(l.blocks)/2]
	b[blk.off+int64(blk.clen)/2] ^= 1
	os.WriteFile(layers[0], b, 0o644)
	_, err = Open(Config{Dir: dir, Listen: "127.0.0.1:0", Logger: testLogger(t)})
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != layers[0] || ce.Offset != blk.off {
		t.Fatalf("open with a corrupt layer block: %v, want %s at %d", err, layers[0], blk.off)
	}
	// A damaged manifest is reported too.
	mb, _ := os.ReadFile(filepath.Join(dir, manifestName))
	mb[10] ^= 1
	os.WriteFile(filepath.Join(dir, manifestName), mb, 0o644)
	_, err = Open(Config{Dir: dir, Listen: "127.0.0.1:0", Logger: testLogger(t)})
	if !errors.As(err, &ce) || ce.File != filepath.Join(dir, manifestName) {
		t.Fatalf("open with a corrupt manifest: %v", err)
	}
}

// TestLongDamagedTailIsCorruption: a damaged tail longer than any group
// commit cannot be a torn write.
func TestLongDamagedTailIsCorruption(t *testing.T) {
	if testing.Short() {
		t.Skip("writes an 85 MB log tail")
	}
	dir := t.TempDir()
	n := startNode(t, dir, func(c *Config) { c.MaxBatch = 1 << 10 })
	g := newGen(15, 3)
	for i := 0; i < 3; i++ {
		if _, err := appendBatches(t, n.cli, req(1, 1, g.batch(t, 2))); err != nil {
			t.Fatal(err)
		}
	}
	n.stop()
	logs := nonEmptyLogs(t, dir)
	last := logs[len(logs)-1]
	f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := appendFrame(nil, kindRecords, make([]byte, maxRequest+(4<<20)))
	f.Write(junk[:len(junk)-1]) // one incomplete frame, far longer than a batch
	f.Close()
	removeEmptyLogsAfter(t, dir, last)
	_, err = Open(Config{Dir: dir, Listen: "127.0.0.1:0", Logger: testLogger(t), MaxBatch: 1 << 10})
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != last {
		t.Fatalf("open with a long damaged tail: %v", err)
	}
}
