package memlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
)

func TestReadPageAtLSNAndHold(t *testing.T) {
	ctx := context.Background()
	l := memlog.New(nil)
	add := func(rs ...redo.Record) redo.LSN {
		m := l.BeginMTR()
		for i := range rs {
			m.Add(&rs[i])
		}
		lsn, err := m.End()
		if err != nil {
			t.Fatal(err)
		}
		return lsn
	}
	a := add(redo.InitPage(5, 1, 0), redo.InsertItem(5, 0, []byte("one")))
	b := add(redo.OverwriteItem(5, 0, []byte("two")))
	for _, c := range []struct {
		at   redo.LSN
		want string
	}{{a, "one"}, {b, "two"}} {
		pg, err := l.ReadPage(ctx, 5, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if it, _ := pg.Item(0); string(it) != c.want {
			t.Fatalf("at %d: %q, want %q", c.at, it, c.want)
		}
	}
	if pg, err := l.ReadPage(ctx, 99, b); err != nil || !pg.IsZero() {
		t.Fatalf("unwritten page: %v", err)
	}
	l.Hold()
	c := add(redo.Noop(5))
	if l.VDL() != b {
		t.Fatalf("VDL %d while held, want %d", l.VDL(), b)
	}
	if _, err := l.ReadPage(ctx, 5, c); !errors.Is(err, memlog.ErrNotDurable) {
		t.Fatalf("read above VDL: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := l.WaitDurable(short, c); err == nil {
		t.Fatal("WaitDurable returned while held")
	}
	done := make(chan error, 1)
	go func() { done <- l.WaitDurable(ctx, c) }()
	l.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l.VDL() != c {
		t.Fatalf("VDL %d after release, want %d", l.VDL(), c)
	}
	if err := l.WaitDurable(ctx, c+10); err == nil {
		t.Fatal("wait beyond the last LSN succeeded")
	}
}
