package segment

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

func fetchAll(t *testing.T, cli *storagerpc.Client, q *storagerpc.FetchRequest) []redo.Record {
	t.Helper()
	s, err := cli.Fetch(ctxT(t), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []redo.Record
	for {
		ch, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("fetch %+v: %v", q, err)
		}
		recs, err := redo.DecodeAll(ch.Records)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
	}
}

// TestFetchAndFlushBoundary checks that only records at or below the
// reported VDL reach layers, and that Fetch serves exactly the asked range
// from layers and memtable together, without truncated records.
func TestFetchAndFlushBoundary(t *testing.T) {
	n := startNode(t, t.TempDir(), func(c *Config) { c.MemtableSize = 1 })
	g := newGen(50, 4)
	recs := g.batch(t, 30)
	r := req(1, 1, recs)
	vdl := recs[19].LSN
	r.VDL = vdl
	if _, err := appendBatches(t, n.cli, r); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a flush", func() bool { return counter(n.met.flushes) > 0 })
	n.mu.RLock()
	gr := n.groups[1]
	for _, l := range gr.layers {
		if l.maxLSN > vdl {
			t.Errorf("layer %s holds LSN %d above VDL %d", l.path, l.maxLSN, vdl)
		}
	}
	inMem := 0
	for _, rs := range gr.mem {
		inMem += len(rs)
	}
	n.mu.RUnlock()
	if inMem != 10 {
		t.Errorf("%d records left in the memtable, want the 10 above VDL", inMem)
	}
	lsns := func(rs []redo.Record) []redo.LSN {
		var out []redo.LSN
		for _, r := range rs {
			out = append(out, r.LSN)
		}
		return out
	}
	cases := []struct {
		name        string
		after, upto redo.LSN
		want        []redo.Record
	}{
		{"everything", 0, 0, recs},
		{"across layer and memtable", recs[14].LSN, recs[24].LSN, recs[15:25]},
		{"memtable only", vdl, 0, recs[20:]},
		{"empty range", recs[5].LSN, recs[5].LSN, nil},
	}
	for _, c := range cases {
		got := fetchAll(t, n.cli, &storagerpc.FetchRequest{PG: 1, After: c.after, Upto: c.upto})
		if len(got) != len(c.want) {
			t.Fatalf("%s: got LSNs %v, want %v", c.name, lsns(got), lsns(c.want))
		}
		for i := range got {
			if !bytes.Equal(got[i].Encode(), c.want[i].Encode()) {
				t.Fatalf("%s: record %d differs", c.name, i)
			}
		}
	}
	if got := fetchAll(t, n.cli, &storagerpc.FetchRequest{PG: 99}); len(got) != 0 {
		t.Errorf("unknown group served %d records", len(got))
	}
	if _, err := n.cli.Truncate(ctxT(t), &storagerpc.TruncateRequest{PG: 1, Epoch: 1, Range: storagerpc.Range{After: recs[24].LSN, Before: recs[29].LSN + 1}}); err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, n.cli, &storagerpc.FetchRequest{PG: 1, After: vdl}); len(got) != 5 {
		t.Errorf("after truncation fetched %v, want 5 records", lsns(got))
	}
	// A page never written is the all-zero page.
	p, err := n.cli.GetPage(ctxT(t), &storagerpc.GetPageRequest{PG: 1, Page: 12345, LSN: vdl})
	if err != nil || len(p.Page) != redo.PageSize || !(*redo.Page)(p.Page).IsZero() {
		t.Errorf("never-written page: %v", err)
	}
}
