package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestCheckBank(t *testing.T) {
	// Three accounts; transfers t1 (1→2, 10) and t2 (2→3, 5) applied.
	good := func() *bankState {
		return &bankState{
			balances: map[int]int64{1: drillBalance - 10, 2: drillBalance + 10 - 5, 3: drillBalance + 5},
			transfers: map[string]transferRow{
				"t1": {src: 1, dst: 2, amount: 10},
				"t2": {src: 2, dst: 3, amount: 5},
			},
		}
	}
	attempted := map[string]bool{"t1": true, "t2": true, "t3": true}
	tests := []struct {
		name   string
		mutate func(*bankState)
		acked  []string
		want   []string // substrings of the failures, in order; none: consistent
	}{
		{"consistent", func(*bankState) {}, []string{"t1", "t2"}, nil},
		{"unacknowledged transfer present is fine", func(*bankState) {}, []string{"t1"}, nil},
		{"acknowledged transfer lost", func(s *bankState) {
			delete(s.transfers, "t2")
			s.balances[2] += 5
			s.balances[3] -= 5
		}, []string{"t1", "t2"}, []string{"1 acknowledged transfers missing from the log (e.g. t2)"}},
		{"total changed", func(s *bankState) { s.balances[1] += 7 }, []string{"t1"}, []string{"total balance 3007, want 3000", "1 accounts differ from what the log says (e.g. account 1)"}},
		{"transfer never attempted", func(s *bankState) {
			s.transfers["zz"] = transferRow{src: 3, dst: 1, amount: 1}
			s.balances[3]--
			s.balances[1]++
		}, nil, []string{"1 transfers in the log were never attempted (e.g. zz)"}},
		{"half-applied transfer", func(s *bankState) { s.balances[3] -= 5; s.balances[1] += 5 }, nil, []string{"2 accounts differ"}},
		{"account missing", func(s *bankState) { delete(s.balances, 3) }, nil, []string{"total balance", "1 accounts differ from what the log says (e.g. account 3)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := good()
			tt.mutate(st)
			got := checkBank(st, 3, tt.acked, attempted).failures()
			if len(got) != len(tt.want) {
				t.Fatalf("failures %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Fatalf("failure %d: %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestCheckBankProperty: any sequence of transfers applied atomically is
// consistent; dropping any acknowledged one from the log is caught.
func TestCheckBankProperty(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		accounts := 2 + rng.IntN(20)
		st := &bankState{balances: map[int]int64{}, transfers: map[string]transferRow{}}
		for i := 1; i <= accounts; i++ {
			st.balances[i] = drillBalance
		}
		attempted := map[string]bool{}
		var acked []string
		for i := range rng.IntN(50) {
			id := fmt.Sprint("t", i)
			attempted[id] = true
			if rng.IntN(3) == 0 {
				continue // attempted, never committed
			}
			src, dst := 1+rng.IntN(accounts), 1+rng.IntN(accounts)
			amount := int64(rng.IntN(100))
			st.balances[src] -= amount
			st.balances[dst] += amount
			st.transfers[id] = transferRow{src, dst, amount}
			if rng.IntN(4) != 0 {
				acked = append(acked, id) // the others: committed, answer lost
			}
		}
		if f := checkBank(st, accounts, acked, attempted).failures(); len(f) != 0 {
			t.Fatalf("seed %d: consistent bank reported %q", seed, f)
		}
		if len(acked) == 0 {
			continue
		}
		lost := acked[rng.IntN(len(acked))]
		delete(st.transfers, lost)
		if f := checkBank(st, accounts, acked, attempted).failures(); len(f) == 0 {
			t.Fatalf("seed %d: losing %s went unnoticed", seed, lost)
		}
	}
}

func TestLongestGap(t *testing.T) {
	s := time.Second
	tests := []struct {
		name             string
		acks             []time.Duration
		from, to         time.Duration
		gap, start, stop time.Duration
	}{
		{"no acks", nil, 0, 10 * s, 10 * s, 0, 10 * s},
		{"middle", []time.Duration{1 * s, 2 * s, 7 * s, 8 * s}, 0, 9 * s, 5 * s, 2 * s, 7 * s},
		{"unsorted", []time.Duration{7 * s, 1 * s, 8 * s, 2 * s}, 0, 9 * s, 5 * s, 2 * s, 7 * s},
		{"tail", []time.Duration{1 * s, 2 * s}, 0, 9 * s, 7 * s, 2 * s, 9 * s},
		{"before from ignored", []time.Duration{1 * s, 5 * s}, 4 * s, 6 * s, 1 * s, 4 * s, 5 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gap, start, stop := longestGap(tt.acks, tt.from, tt.to)
			if gap != tt.gap || start != tt.start || stop != tt.stop {
				t.Fatalf("longestGap = %s (%s..%s), want %s (%s..%s)", gap, start, stop, tt.gap, tt.start, tt.stop)
			}
		})
	}
}

// TestPlanFault: over many seeds every drill picks the nodes it promises.
func TestPlanFault(t *testing.T) {
	c, err := newLocalCluster(true)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(100) {
		for _, name := range drillNames {
			v, err := planFault(name, c, rand.New(rand.NewPCG(seed, 0)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			names := map[string]bool{}
			azCount := map[string]int{}
			for _, n := range v {
				if names[n.Name] {
					t.Fatalf("%s seed %d: %s picked twice", name, seed, n.Name)
				}
				names[n.Name] = true
				if n.Role == roleStorage {
					azCount[n.AZ]++
				}
			}
			storage := 0
			for _, n := range azCount {
				storage += n
			}
			switch name {
			case "storage-loss":
				if len(v) != 2 || v[0].Role != roleStorage || v[1].Role != roleStorage {
					t.Fatalf("storage-loss picked %v", v)
				}
			case "az-outage":
				if len(v) != 2 || len(azCount) != 1 {
					t.Fatalf("az-outage picked %v", v)
				}
			case "az-plus-one":
				// One whole AZ and one node of another: 3 storage nodes,
				// leaving 3 of 6, one short of a write quorum.
				counts := slices.Sorted(func(yield func(int) bool) {
					for _, n := range azCount {
						if !yield(n) {
							return
						}
					}
				})
				if storage != 3 || !slices.Equal(counts, []int{1, 2}) {
					t.Fatalf("az-plus-one picked %v", v)
				}
			case "writer-crash":
				if len(v) != 1 || v[0].Role != roleWriter {
					t.Fatalf("writer-crash picked %v", v)
				}
			}
		}
	}
	noWriter, err := newLocalCluster(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planFault("writer-crash", noWriter, rand.New(rand.NewPCG(1, 0))); err == nil {
		t.Fatal("writer-crash without a writer: no error")
	}
	if _, err := planFault("meteor", c, rand.New(rand.NewPCG(1, 0))); err == nil {
		t.Fatal("unknown drill: no error")
	}
}

func TestErrKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&pgconn.PgError{Code: "40P01", Message: "deadlock detected on xid 1234"}, "ERROR 40P01 deadlock detected on xid N"},
		{fmt.Errorf("commit: %w", context.DeadlineExceeded), "timed out (no answer within 3s)"},
		{errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), "connection refused"},
		{errors.New("unexpected EOF"), "connection lost"},
		{context.Canceled, "cancelled"},
		{errors.New("something at LSN 99\nelse"), "something at LSN N else"},
		{errors.New(strings.Repeat("x", 300)), strings.Repeat("x", 120) + "…"},
	}
	for _, tt := range tests {
		if got := errKind(tt.err, 3*time.Second); got != tt.want {
			t.Errorf("errKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestCountKinds(t *testing.T) {
	got := countKinds([]string{"b", "a", "b", "c", "a", "b"})
	want := []kindCount{{"b", 3}, {"a", 2}, {"c", 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("countKinds = %v, want %v", got, want)
	}
}

// FuzzErrKind: any error message gives one line of valid UTF-8, at most
// 121 characters, without digits.
func FuzzErrKind(f *testing.F) {
	f.Add("quorum: LSN 123 not durable (VDL 99): no quorum", "")
	f.Add("deadlock detected", "40P01")
	f.Add("dial tcp 127.0.0.1:1: connect: connection refused", "")
	f.Add("caf\xc3\xa9 \xff broken\nline", "XX000")
	f.Fuzz(func(t *testing.T, msg, code string) {
		var err error = errors.New(msg)
		if code != "" {
			err = &pgconn.PgError{Code: code, Message: msg}
		}
		k := errKind(err, time.Second)
		if strings.ContainsAny(k, "\n\r") || !utf8.ValidString(k) || utf8.RuneCountInString(k) > 121 {
			t.Fatalf("errKind(%q, %q) = %q", msg, code, k)
		}
		if code == "" && strings.ContainsAny(k, "0123456789") && !strings.Contains(k, "1s") {
			t.Fatalf("errKind(%q) = %q keeps digits", msg, k)
		}
	})
}
