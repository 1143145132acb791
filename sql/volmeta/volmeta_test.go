package volmeta_test

import (
	"context"
	"errors"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/volmeta"
)

func TestMetaCountersSurviveRestart(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	if _, err := volmeta.Open(ctx, buffer.New(log, 0), false); !errors.Is(err, volmeta.ErrNotFormatted) {
		t.Fatalf("open unformatted: %v", err)
	}
	m, err := volmeta.Open(ctx, buffer.New(log, 0), true)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.AllocPages(3)
	base := volmeta.MetaPage + 1
	if err != nil || a != base {
		t.Fatalf("first allocation %d: %v", a, err)
	}
	f, err := m.NewPage()
	if err != nil || f.ID() != base+3 || !f.Page().IsZero() {
		t.Fatalf("new page %v: %v", f, err)
	}
	m.Pool().Unpin(f)
	x, _ := m.ReserveXids(1024)
	if x != volmeta.FirstXid {
		t.Fatalf("first xid %d", x)
	}
	o, _ := m.NewOID()
	if o != volmeta.FirstOID {
		t.Fatalf("first oid %d", o)
	}
	if err := m.SetRoot(3, 77); err != nil {
		t.Fatal(err)
	}
	if err := m.SetRoot(volmeta.NumRoots, 1); err == nil {
		t.Fatal("root slot out of range accepted")
	}
	c, idx, err := m.AddClogChunk(1024)
	if err != nil || idx != 0 || c != base+4 {
		t.Fatalf("clog chunk %d at %d: %v", c, idx, err)
	}
	m.Close()

	m2, err := volmeta.Open(ctx, buffer.New(log, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if m2.NextPage() != base+4+1024 || m2.NextXid() != volmeta.FirstXid+1024 || m2.Root(3) != 77 || m2.Root(-1) != 0 {
		t.Fatalf("after restart: next page %d, next xid %d, root %d", m2.NextPage(), m2.NextXid(), m2.Root(3))
	}
	if ch := m2.ClogChunks(); len(ch) != 1 || ch[0] != base+4 {
		t.Fatalf("clog chunks %v", ch)
	}
	if o, _ := m2.NewOID(); o != volmeta.FirstOID+1 {
		t.Fatalf("oid after restart %d", o)
	}
}

func TestOpenRejectsForeignPage0(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	p := buffer.New(log, 0)
	f, _ := p.NewPage(volmeta.MetaPage)
	f.Lock()
	m := p.Begin()
	if err := m.InitPage(f, volmeta.PageTypeHeap, 16); err != nil {
		t.Fatal(err)
	}
	if _, err := m.End(); err != nil {
		t.Fatal(err)
	}
	f.Unlock()
	p.Unpin(f)
	if _, err := volmeta.Open(ctx, buffer.New(log, 0), true); err == nil {
		t.Fatal("opened a volume whose page 0 is a heap page")
	}
}
