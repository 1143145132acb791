package storagerpc

import (
	"errors"
	"reflect"
	"testing"

	"github.com/borealis-db/borealis/redo"
)

func TestMessagesRoundTrip(t *testing.T) {
	rec := redo.Noop(3)
	rec.LSN = 9
	cases := []struct {
		name string
		in   Message
		out  Message
	}{
		{"append", &AppendRequest{Epoch: 3, PG: 7, Peers: []string{"a:1", "b:2"}, Truncations: []Range{{After: 5, Before: 9}},
			VDL: 4, MinReadPoint: 2, Records: rec.Encode()}, new(AppendRequest)},
		{"ack", &AppendAck{PG: 1, SCL: 5, Highest: 8}, new(AppendAck)},
		{"getpage", &GetPageRequest{PG: 2, Page: 99, LSN: 100}, new(GetPageRequest)},
		{"page", &GetPageResponse{Page: make([]byte, redo.PageSize)}, new(GetPageResponse)},
		{"status", &StatusResponse{Node: "a1", AZ: "a", DiskBytes: 77, Groups: []GroupStatus{{PG: 1, Epoch: 2, SCL: 3, Highest: 4, VDL: 2, GCHorizon: 1, Peers: []string{"x"}}}}, new(StatusResponse)},
		{"epoch", &EpochRequest{PG: 1, Epoch: 4, Peers: []string{"p"}}, new(EpochRequest)},
		{"epochresp", &EpochResponse{SCL: 1, Highest: 2, VDL: 1, Truncations: []Range{{1, 3}, {7, 20}}}, new(EpochResponse)},
		{"truncate", &TruncateRequest{PG: 1, Epoch: 2, Range: Range{After: 3, Before: 4}}, new(TruncateRequest)},
		{"fetch", &FetchRequest{PG: 1, After: 2, Upto: 3}, new(FetchRequest)},
		{"chunk", &FetchChunk{Records: rec.Encode()}, new(FetchChunk)},
	}
	for _, c := range cases {
		b := Marshal(c.in)
		if err := Unmarshal(b, c.out); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(c.in, c.out) {
			t.Errorf("%s: round trip %+v != %+v", c.name, c.out, c.in)
		}
		// Every strict prefix and a trailing byte are rejected.
		for i := 0; i < len(b); i++ {
			if err := Unmarshal(b[:i], c.out); err == nil && i < len(b) && !emptyOK(c.in) {
				t.Errorf("%s: prefix of %d/%d bytes accepted", c.name, i, len(b))
			}
		}
		if err := Unmarshal(append(b, 0), c.out); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: trailing byte: %v", c.name, err)
		}
	}
}

// emptyOK reports messages whose prefixes can themselves be valid encodings.
func emptyOK(m Message) bool {
	_, ok := m.(*StatusRequest)
	return ok
}

func TestBoolAndLimits(t *testing.T) {
	for _, v := range []bool{true, false} {
		var e encoder
		e.boolean(v)
		d := decoder{b: e.b}
		if got := d.boolean(); got != v || d.done() != nil {
			t.Errorf("bool %v -> %v (%v)", v, got, d.err)
		}
	}
	d := decoder{b: []byte{2}}
	d.boolean()
	if !errors.Is(d.done(), ErrMalformed) {
		t.Error("bool 2 accepted")
	}
	var e encoder
	e.u64(maxList + 1)
	if err := Unmarshal(e.b, new(StatusResponse)); err == nil {
		t.Error("oversized list accepted")
	}
	if err := Unmarshal(Marshal(&TruncateRequest{Range: Range{After: 4, Before: 4}}), new(TruncateRequest)); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty range accepted: %v", err)
	}
}
