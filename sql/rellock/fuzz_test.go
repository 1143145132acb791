package rellock

import (
	"context"
	"testing"
)

// FuzzLockSequence drives one manager with a byte-coded sequence of NOWAIT
// requests and releases by a few owners on a few relations and checks each
// answer against a model: a request is granted exactly when it conflicts
// with no other owner's held mode, and nothing is left after all release.
func FuzzLockSequence(f *testing.F) {
	f.Add([]byte{0x00, 0x17, 0x27, 0x80, 0x27})
	f.Add([]byte{0x01, 0x11, 0x23, 0x33, 0x44, 0x95, 0xa6})
	f.Add([]byte{0x07, 0x15, 0x25, 0x36, 0xc0, 0x36})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const owners, rels = 4, 2
		m := New(Options{})
		ctx := context.Background()
		var os [owners]*owner
		for i := range os {
			os[i] = &owner{i}
		}
		held := map[uint32]map[int]uint16{}
		for _, op := range ops {
			o := int(op>>4) % (owners * 2)
			if o >= owners { // release everything of owner o-owners
				o -= owners
				m.ReleaseAll(os[o])
				for _, h := range held {
					delete(h, o)
				}
				continue
			}
			rel := uint32(op>>3) % rels
			md := Mode(1 + int(op&7))
			want := true
			for other, set := range held[rel] {
				if other != o && conflictsWithSet(md, set) {
					want = false
				}
			}
			err := m.Lock(ctx, os[o], rel, md, Wait{NoWait: true})
			if (err == nil) != want {
				t.Fatalf("owner %d %v on %d: err %v, model grants %v (held %v)", o, md, rel, err, want, held[rel])
			}
			if err == nil {
				if held[rel] == nil {
					held[rel] = map[int]uint16{}
				}
				held[rel][o] |= bit(md)
			}
		}
		for _, o := range os {
			m.ReleaseAll(o)
		}
		if len(m.rels) != 0 || len(m.owners) != 0 {
			t.Fatalf("state left: %d rels, %d owners", len(m.rels), len(m.owners))
		}
	})
}
