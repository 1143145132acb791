package sequence_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// env is a volume opened on a log: a new env on the same log is a writer
// restart.
type env struct {
	log   *memlog.Log
	pool  *buffer.Pool
	meta  *volmeta.Meta
	store *sequence.Store
}

func open(t testing.TB, log *memlog.Log) *env {
	t.Helper()
	pool := buffer.New(log, 64*redo.PageSize)
	meta, err := volmeta.Open(context.Background(), pool, true)
	if err != nil {
		t.Fatal(err)
	}
	return &env{log: log, pool: pool, meta: meta, store: sequence.NewStore(meta)}
}

func i64(v int64) *int64 { return &v }

func resolve(t testing.TB, o sequence.Options) sequence.Params {
	t.Helper()
	p, err := o.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func create(t testing.TB, e *env, o sequence.Options) *sequence.Sequence {
	t.Helper()
	root, err := e.store.Create(context.Background(), resolve(t, o))
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.store.Open(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func sqlErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var te *types.Error
	if !errors.As(err, &te) || te.Code != code || (msg != "" && te.Message != msg) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

func TestResolve(t *testing.T) {
	typ := func(x sequence.IntType) *sequence.IntType { return &x }
	yes := true
	cases := []struct {
		name string
		o    sequence.Options
		old  *sequence.Params
		want sequence.Params
		err  string
	}{
		{"defaults", sequence.Options{}, nil,
			sequence.Params{Type: sequence.Int8, Start: 1, Increment: 1, Min: 1, Max: math.MaxInt64, Cache: 1}, ""},
		{"serial", sequence.Options{Type: typ(sequence.Int4)}, nil,
			sequence.Params{Type: sequence.Int4, Start: 1, Increment: 1, Min: 1, Max: math.MaxInt32, Cache: 1}, ""},
		{"descending smallint", sequence.Options{Type: typ(sequence.Int2), Increment: i64(-2)}, nil,
			sequence.Params{Type: sequence.Int2, Start: -1, Increment: -2, Min: math.MinInt16, Max: -1, Cache: 1}, ""},
		{"all given", sequence.Options{Start: i64(5), Increment: i64(3), Min: i64(2), Max: i64(50), Cache: i64(10), Cycle: &yes}, nil,
			sequence.Params{Type: sequence.Int8, Start: 5, Increment: 3, Min: 2, Max: 50, Cache: 10, Cycle: true}, ""},
		{"increment zero", sequence.Options{Increment: i64(0)}, nil, sequence.Params{}, "INCREMENT must not be zero"},
		{"min >= max", sequence.Options{Min: i64(5), Max: i64(5)}, nil, sequence.Params{}, "MINVALUE (5) must be less than MAXVALUE (5)"},
		{"start below min", sequence.Options{Start: i64(0)}, nil, sequence.Params{}, "START value (0) cannot be less than MINVALUE (1)"},
		{"start above max", sequence.Options{Start: i64(11), Max: i64(10)}, nil, sequence.Params{}, "START value (11) cannot be greater than MAXVALUE (10)"},
		{"max out of type", sequence.Options{Type: typ(sequence.Int2), Max: i64(40000)}, nil, sequence.Params{}, "MAXVALUE (40000) is out of range for sequence data type smallint"},
		{"min out of type", sequence.Options{Type: typ(sequence.Int4), Min: i64(-1 << 40)}, nil, sequence.Params{}, "MINVALUE (-1099511627776) is out of range for sequence data type integer"},
		{"cache zero", sequence.Options{Cache: i64(0)}, nil, sequence.Params{}, "CACHE (0) must be greater than zero"},
		{"alter keeps the rest", sequence.Options{Increment: i64(5)},
			&sequence.Params{Type: sequence.Int8, Start: 3, Increment: 1, Min: 1, Max: 100, Cache: 1},
			sequence.Params{Type: sequence.Int8, Start: 3, Increment: 5, Min: 1, Max: 100, Cache: 1}, ""},
		{"alter type moves a default max", sequence.Options{Type: typ(sequence.Int4)},
			&sequence.Params{Type: sequence.Int8, Start: 1, Increment: 1, Min: 1, Max: math.MaxInt64, Cache: 1},
			sequence.Params{Type: sequence.Int4, Start: 1, Increment: 1, Min: 1, Max: math.MaxInt32, Cache: 1}, ""},
		{"alter no maxvalue", sequence.Options{NoMax: true},
			&sequence.Params{Type: sequence.Int2, Start: 1, Increment: 1, Min: 1, Max: 10, Cache: 1},
			sequence.Params{Type: sequence.Int2, Start: 1, Increment: 1, Min: 1, Max: math.MaxInt16, Cache: 1}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.o.Resolve(c.old)
			if c.err != "" {
				sqlErr(t, err, "22023", c.err)
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %+v %v, want %+v", got, err, c.want)
			}
		})
	}
}

func TestNextvalLikePostgres(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	if st := q.State(); st != (sequence.State{LastValue: 1, LogCnt: 0, IsCalled: false}) {
		t.Fatalf("fresh state %+v", st)
	}
	for i := int64(1); i <= 3; i++ {
		v, err := q.Nextval(ctx, "s")
		if err != nil || v != i {
			t.Fatalf("nextval %d: %d %v", i, v, err)
		}
	}
	// PostgreSQL shows last_value 3, log_cnt 30 here.
	if st := q.State(); st != (sequence.State{LastValue: 3, LogCnt: 30, IsCalled: true}) {
		t.Fatalf("state %+v", st)
	}
	cases := []struct {
		name string
		o    sequence.Options
		want []int64 // then an error
		err  string
	}{
		{"max 3", sequence.Options{Max: i64(3)}, []int64{1, 2, 3}, `nextval: reached maximum value of sequence "s" (3)`},
		{"step 5", sequence.Options{Increment: i64(5), Max: i64(12)}, []int64{1, 6, 11}, `nextval: reached maximum value of sequence "s" (12)`},
		{"descending", sequence.Options{Increment: i64(-1), Min: i64(-3)}, []int64{-1, -2, -3}, `nextval: reached minimum value of sequence "s" (-3)`},
		{"near int8 max", sequence.Options{Start: i64(math.MaxInt64 - 1), Increment: i64(math.MaxInt64)}, []int64{math.MaxInt64 - 1},
			fmt.Sprintf(`nextval: reached maximum value of sequence "s" (%d)`, int64(math.MaxInt64))},
		{"near int8 min", sequence.Options{Increment: i64(math.MinInt64 + 1)}, []int64{-1, math.MinInt64},
			fmt.Sprintf(`nextval: reached minimum value of sequence "s" (%d)`, int64(math.MinInt64))},
		{"smallint", sequence.Options{Type: ptr(sequence.Int2), Start: i64(32766)}, []int64{32766, 32767}, `nextval: reached maximum value of sequence "s" (32767)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := create(t, e, c.o)
			for _, w := range c.want {
				if v, err := q.Nextval(ctx, "s"); err != nil || v != w {
					t.Fatalf("nextval: %d %v, want %d", v, err, w)
				}
			}
			_, err := q.Nextval(ctx, "s")
			sqlErr(t, err, "2200H", c.err)
			_, err = q.Nextval(ctx, "s") // and stays there
			sqlErr(t, err, "2200H", c.err)
		})
	}
	cyc := true
	q = create(t, e, sequence.Options{Min: i64(1), Max: i64(3), Cycle: &cyc})
	var got []int64
	for i := 0; i < 7; i++ {
		v, err := q.Nextval(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if fmt.Sprint(got) != "[1 2 3 1 2 3 1]" {
		t.Fatalf("cycle: %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// modelNext is the reference for one nextval: big-integer arithmetic, no
// overflow to reason about.
func modelNext(p sequence.Params, last int64, called bool) (int64, bool) {
	if !called {
		return last, true
	}
	n := new(big.Int).Add(big.NewInt(last), big.NewInt(p.Increment))
	if n.Cmp(big.NewInt(p.Max)) > 0 {
		if !p.Cycle {
			return 0, false
		}
		return p.Min, true
	}
	if n.Cmp(big.NewInt(p.Min)) < 0 {
		if !p.Cycle {
			return 0, false
		}
		return p.Max, true
	}
	return n.Int64(), true
}

// TestNextvalProperty compares random sequences (bounds near the int64
// limits included) with the model, with setval in between.
func TestNextvalProperty(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	rng := rand.New(rand.NewPCG(3, 4))
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 40, -100, -2, -1, 0, 1, 2, 100, 1 << 40, math.MaxInt64 - 1, math.MaxInt64}
	pick := func() int64 {
		if rng.IntN(2) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Int64N(201) - 100
	}
	runs := 300
	if testing.Short() {
		runs = 60
	}
	for run := 0; run < runs; run++ {
		o := sequence.Options{Increment: i64(pick()), Min: i64(pick()), Max: i64(pick()), Cycle: ptr(rng.IntN(2) == 0)}
		p, err := o.Resolve(nil)
		if err != nil {
			continue // an invalid combination
		}
		q := create(t, e, o)
		last, called := p.Start, false
		for i := 0; i < 80; i++ {
			if rng.IntN(20) == 0 {
				span := uint64(p.Max) - uint64(p.Min) // no overflow in uint64
				v := p.Min + int64(rng.Uint64N(min(2, span)+1))
				isCalled := rng.IntN(2) == 0
				if err := q.Setval(ctx, "s", v, isCalled); err != nil {
					t.Fatal(err)
				}
				last, called = v, isCalled
				continue
			}
			want, ok := modelNext(p, last, called)
			got, err := q.Nextval(ctx, "s")
			if !ok {
				sqlErr(t, err, "2200H", "")
				continue
			}
			if err != nil || got != want {
				t.Fatalf("run %d %+v step %d: nextval %d %v, want %d", run, p, i, got, err, want)
			}
			last, called = want, true
		}
	}
}

func TestFewRecords(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	n := len(e.log.Records())
	for i := 0; i < 1000; i++ {
		if _, err := q.Nextval(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	// One record per LogAhead+1 values (the first call logs 32 ahead of
	// its own value; then every 33rd call logs again).
	if w := len(e.log.Records()) - n; w > 1000/(sequence.LogAhead+1)+1 {
		t.Fatalf("1000 nextval calls wrote %d records", w)
	}
}

func TestSetvalAndSession(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{Max: i64(100)})
	r := create(t, e, sequence.Options{})
	s := sequence.NewSession()
	_, err := s.Currval("q", q)
	sqlErr(t, err, "55000", `currval of sequence "q" is not yet defined in this session`)
	_, _, err = s.Lastval()
	sqlErr(t, err, "55000", "lastval is not yet defined in this session")
	if v, err := s.Nextval(ctx, "q", q); err != nil || v != 1 {
		t.Fatalf("nextval %d %v", v, err)
	}
	if v, err := s.Nextval(ctx, "r", r); err != nil || v != 1 {
		t.Fatalf("nextval %d %v", v, err)
	}
	if _, err := s.Setval(ctx, "q", q, 10, true); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Currval("q", q); err != nil || v != 10 {
		t.Fatalf("currval after setval: %d %v", v, err)
	}
	if root, v, err := s.Lastval(); err != nil || root != r.Root() || v != 1 {
		t.Fatalf("lastval after setval of another sequence: %d %d %v", root, v, err)
	}
	if v, _ := s.Nextval(ctx, "q", q); v != 11 {
		t.Fatalf("nextval after setval(10): %d", v)
	}
	if _, err := s.Setval(ctx, "q", q, 50, false); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Currval("q", q); v != 11 {
		t.Fatalf("currval after setval(.., false): %d", v)
	}
	if v, _ := s.Nextval(ctx, "q", q); v != 50 {
		t.Fatalf("nextval after setval(50, false): %d", v)
	}
	_, err = s.Setval(ctx, "q", q, 101, true)
	sqlErr(t, err, "22003", `setval: value 101 is out of bounds for sequence "q" (1..100)`)
	// Another session has its own currval; the sequence is shared.
	s2 := sequence.NewSession()
	if _, err := s2.Currval("q", q); err == nil {
		t.Fatal("currval leaked across sessions")
	}
	if v, _ := s2.Nextval(ctx, "q", q); v != 51 {
		t.Fatalf("second session's nextval %d", v)
	}
	if v, _ := s.Currval("q", q); v != 50 {
		t.Fatalf("first session's currval moved: %d", v)
	}
	s.Discard()
	if _, err := s.Currval("q", q); err == nil {
		t.Fatal("currval after DISCARD")
	}
}

func TestAlter(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	for i := 0; i < 5; i++ {
		if _, err := q.Nextval(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := sequence.Options{Increment: i64(10)}.Resolve(ptr(q.Params()))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Alter(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := q.Nextval(ctx, "s"); v != 15 {
		t.Fatalf("after INCREMENT 10: %d", v)
	}
	if err := q.Alter(ctx, q.Params(), i64(q.Params().Start)); err != nil { // RESTART
		t.Fatal(err)
	}
	if v, _ := q.Nextval(ctx, "s"); v != 1 {
		t.Fatalf("after RESTART: %d", v)
	}
	p, _ = sequence.Options{Max: i64(10)}.Resolve(ptr(q.Params()))
	sqlErr(t, q.Alter(ctx, p, i64(11)), "22023", "RESTART value (11) cannot be greater than MAXVALUE (10)")
	if v, _ := q.Nextval(ctx, "s"); v != 11 {
		t.Fatalf("a failed ALTER changed the sequence: %d", v)
	}
	p, _ = sequence.Options{Min: i64(20), Max: i64(30), Start: i64(20)}.Resolve(ptr(q.Params()))
	sqlErr(t, q.Alter(ctx, p, nil), "22023", "RESTART value (11) cannot be less than MINVALUE (20)")
	// The parameters are on the page: a restart reads them.
	if err := q.Alter(ctx, p, i64(25)); err != nil {
		t.Fatal(err)
	}
	e2 := open(t, e.log)
	q2, err := e2.store.Open(ctx, q.Root())
	if err != nil {
		t.Fatal(err)
	}
	if q2.Params() != p {
		t.Fatalf("params after restart %+v, want %+v", q2.Params(), p)
	}
	if v, _ := q2.Nextval(ctx, "s"); v != 25 {
		t.Fatalf("nextval after restart of a restarted sequence: %d", v)
	}
}

// TestConcurrentNextval: concurrent callers get distinct values, and
// without a crash no value is skipped.
func TestConcurrentNextval(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	const workers, each = 8, 300
	var mu sync.Mutex
	var all []int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []int64
			for i := 0; i < each; i++ {
				v, err := q.Nextval(ctx, "s")
				if err != nil {
					errs <- err
					return
				}
				if len(mine) > 0 && v <= mine[len(mine)-1] {
					errs <- fmt.Errorf("values not increasing for one caller: %d after %d", v, mine[len(mine)-1])
					return
				}
				mine = append(mine, v)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	for i, v := range all {
		if v != int64(i+1) {
			t.Fatalf("value %d at position %d: duplicates or gaps", v, i)
		}
	}
}

// TestStoreOpensOnce: two Opens of one root share the state (two would
// hand out the same values).
func TestStoreOpensOnce(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	q2, err := e.store.Open(ctx, q.Root())
	if err != nil || q2 != q {
		t.Fatalf("second Open: %p %v, want %p", q2, err, q)
	}
	e.store.Forget(q.Root())
	if _, err := q.Nextval(ctx, "s"); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsOtherPages(t *testing.T) {
	ctx := context.Background()
	e := open(t, memlog.New(nil))
	if _, err := e.store.Open(ctx, volmeta.MetaPage); !errors.Is(err, sequence.ErrCorrupt) {
		t.Fatalf("meta page as a sequence: %v", err)
	}
	id, err := e.meta.AllocPages(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Open(ctx, id); !errors.Is(err, sequence.ErrCorrupt) {
		t.Fatalf("never-written page as a sequence: %v", err)
	}
}

// TestNotReturnedBeforeDurable: a value whose covering record is not
// durable is not returned; when the caller gives up the value is skipped,
// never handed out again.
func TestNotReturnedBeforeDurable(t *testing.T) {
	e := open(t, memlog.New(nil))
	q := create(t, e, sequence.Options{})
	e.log.Hold()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, err := q.Nextval(ctx, "s"); err == nil {
		t.Fatalf("nextval returned %d before its record was durable", v)
	}
	if v, err := q.Nextval(ctx, "s"); err == nil { // covered by the same record
		t.Fatalf("nextval returned %d before its record was durable", v)
	}
	e.log.Release()
	v, err := q.Nextval(context.Background(), "s")
	if err != nil || v != 3 {
		t.Fatalf("nextval after the log caught up: %d %v, want 3 (1 and 2 skipped)", v, err)
	}
}

// TestCrashNeverRepeats hands out values (with setvals and restarts in
// between) and then crashes at every durable point of the log: a restarted
// writer never returns a value handed out before that point, and a reader
// of the page sees a logged value at or past every one of them.
func TestCrashNeverRepeats(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	e := open(t, log)
	q := create(t, e, sequence.Options{})
	root := q.Root()
	type handed struct {
		v    int64
		upto int // log length when it was returned
	}
	var out []handed
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 300; i++ {
		switch rng.IntN(40) {
		case 0: // restart the writer
			e = open(t, log)
			var err error
			if q, err = e.store.Open(ctx, root); err != nil {
				t.Fatal(err)
			}
		case 1: // setval forward (setval backwards would repeat values by design)
			v := q.State().LastValue + int64(rng.IntN(50))
			if err := q.Setval(ctx, "s", v, true); err != nil {
				t.Fatal(err)
			}
		}
		v, err := q.Nextval(ctx, "s")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out); n > 0 && v <= out[n-1].v {
			t.Fatalf("value %d after %d", v, out[n-1].v)
		}
		out = append(out, handed{v, len(log.Records())})
	}
	recs := log.Records()
	cuts := 0
	for cut := 1; cut <= len(recs); cut++ {
		if !recs[cut-1].CPL {
			continue
		}
		var maxBefore int64 = math.MinInt64
		for _, h := range out {
			if h.upto <= cut {
				maxBefore = max(maxBefore, h.v)
			}
		}
		if maxBefore == math.MinInt64 {
			continue
		}
		cuts++
		cl := prefix(t, log, cut)
		pg, err := cl.ReadPage(ctx, root, cl.VDL())
		if err != nil {
			t.Fatal(err)
		}
		_, last, _, err := sequence.Decode(pg)
		if err != nil {
			t.Fatal(err)
		}
		if last < maxBefore {
			t.Fatalf("crash at %d: logged value %d below handed-out %d", cut, last, maxBefore)
		}
		r := open(t, cl)
		rq, err := r.store.Open(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		v, err := rq.Nextval(ctx, "s")
		if err != nil {
			t.Fatal(err)
		}
		if v <= maxBefore {
			t.Fatalf("crash at %d: restarted nextval %d repeats (handed out up to %d)", cut, v, maxBefore)
		}
		if v > maxBefore+sequence.LogAhead+50 {
			t.Fatalf("crash at %d: restarted nextval %d skips more than logged ahead (handed out up to %d)", cut, v, maxBefore)
		}
	}
	if cuts < 10 {
		t.Fatalf("only %d crash points checked", cuts)
	}
}

// prefix returns a new log holding the first n records of log (ending at
// a CPL): what a crash with VDL at that record leaves.
func prefix(t testing.TB, log *memlog.Log, n int) *memlog.Log {
	t.Helper()
	out := memlog.New(nil)
	var m buffer.MTRLog
	for _, r := range log.Records()[:n] {
		if m == nil {
			m = out.BeginMTR()
		}
		c := redo.Record{Page: r.Page, Op: r.Op, Payload: r.Payload}
		m.Add(&c)
		if r.CPL {
			if _, err := m.End(); err != nil {
				t.Fatal(err)
			}
			m = nil
		}
	}
	if m != nil {
		t.Fatalf("prefix of %d records does not end at a CPL", n)
	}
	return out
}

// FuzzNextval compares a sequence with the model for fuzzed parameters:
// nextval values, the bound errors, and setval.
func FuzzNextval(f *testing.F) {
	f.Add(int64(1), int64(1), int64(1), int64(10), false, uint8(12), int64(0))
	f.Add(int64(-3), int64(-3), int64(-10), int64(-1), true, uint8(9), int64(-4))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64-2), int64(0), int64(math.MaxInt64), true, uint8(5), int64(0))
	f.Add(int64(math.MinInt64+1), int64(-1), int64(math.MinInt64), int64(-1), false, uint8(4), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, inc, start, lo, hi int64, cycle bool, steps uint8, setTo int64) {
		o := sequence.Options{Increment: &inc, Start: &start, Min: &lo, Max: &hi, Cycle: &cycle}
		p, err := o.Resolve(nil)
		if err != nil {
			var te *types.Error
			if !errors.As(err, &te) || te.Code != "22023" {
				t.Fatalf("invalid options: %v", err)
			}
			return
		}
		ctx := context.Background()
		e := open(t, memlog.New(nil))
		q := create(t, e, o)
		last, called := p.Start, false
		for i := 0; i < int(steps%64); i++ {
			if i == 3 {
				err := q.Setval(ctx, "s", setTo, true)
				if setTo < p.Min || setTo > p.Max {
					sqlErr(t, err, "22003", "")
				} else if err != nil {
					t.Fatal(err)
				} else {
					last, called = setTo, true
				}
				continue
			}
			want, ok := modelNext(p, last, called)
			got, err := q.Nextval(ctx, "s")
			if !ok {
				sqlErr(t, err, "2200H", "")
				continue
			}
			if err != nil || got != want {
				t.Fatalf("%+v step %d: nextval %d %v, want %d", p, i, got, err, want)
			}
			last, called = want, true
		}
	})
}
