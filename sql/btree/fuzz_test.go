package btree_test

import (
	"context"
	"sort"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/heap"
)

// FuzzTreeOps interprets the input as a sequence of operations (insert,
// delete, scan) on keys drawn from the input, checks every answer against a
// sorted-set model, and the tree's invariants at the end.
func FuzzTreeOps(f *testing.F) {
	f.Add([]byte("\x00\x03abc\x00\x03abd\x01\x03abc\x02"))
	f.Add([]byte("\x00\xffxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		e := open(t, memlog.New(nil), 16)
		root, err := btree.Create(e.meta)
		if err != nil {
			t.Fatal(err)
		}
		tr := btree.Open(e.meta, root)
		m := model{}
		slot := uint16(0)
		for len(data) >= 2 {
			op, n := data[0]%3, int(data[1])
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			// Repeat short keys to reach page-filling sizes.
			key := make([]byte, 0, n*8)
			for i := 0; i < 8 && n > 0; i++ {
				key = append(key, data[:n]...)
			}
			data = data[n:]
			slot++
			en := ent{string(key), heap.TID{Page: redo.PageID(len(key) % 7), Slot: slot % 4}}
			switch op {
			case 0:
				err := tr.Insert(ctx, key, en.tid, nil)
				if len(key) > btree.MaxKey {
					if err == nil {
						t.Fatal("oversized key accepted")
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				m[en] = true
			case 1:
				ok, err := tr.Delete(ctx, key, en.tid)
				if err != nil || ok != m[en] {
					t.Fatalf("delete: %v %v, model %v", ok, err, m[en])
				}
				delete(m, en)
			case 2:
				got := scanAll(t, tr, btree.Range{Lo: key})
				want := m.sorted()
				i := sort.Search(len(want), func(i int) bool { return want[i].key >= string(key) })
				if !equal(got, want[i:]) {
					t.Fatalf("scan from %q: %d entries, want %d", key, len(got), len(want[i:]))
				}
			}
		}
		st, err := tr.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Entries != len(m) {
			t.Fatalf("%d entries, model %d", st.Entries, len(m))
		}
	})
}
