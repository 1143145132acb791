package types

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// testRandom compares batches of random values with PostgreSQL: float8
// output, numeric arithmetic, timestamptz output in a DST zone.
func testRandom(t *testing.T, conn *pgconn.PgConn) {
	r := rand.New(rand.NewSource(42))
	// one query per batch: PostgreSQL joins the results with '|'
	batch := func(sql string, n int) []string {
		t.Helper()
		res := pgtest.Query(t, conn, sql)
		if res.Code != "" {
			t.Fatalf("%s: %s %s", sql[:min(len(sql), 200)], res.Code, res.Msg)
		}
		parts := strings.Split(res.Text, "|")
		if len(parts) != n {
			t.Fatalf("got %d results for %d inputs", len(parts), n)
		}
		return parts
	}
	arr := func(vals []string) string {
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = pgtest.QuoteLit(v)
		}
		return "ARRAY[" + strings.Join(q, ",") + "]::text[]"
	}

	// float8 output
	var fs []float64
	var fin []string
	for len(fs) < 300 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		if len(fs)%3 == 0 {
			f = float64(r.Intn(2000000)-1000000) / float64(int64(1)<<uint(r.Intn(30)))
		}
		fs = append(fs, f)
		fin = append(fin, strings.TrimSpace(string(AppendFloat8(nil, f))))
	}
	got := batch("SELECT string_agg(v::float8::text, '|' ORDER BY o) FROM unnest("+arr(fin)+") WITH ORDINALITY AS u(v, o)", len(fin))
	for i, f := range fs {
		if mine := FormatFloat8(f); mine != got[i] {
			t.Errorf("float8 %v: %q, PostgreSQL %q", f, mine, got[i])
		}
	}

	// numeric arithmetic
	randNum := func() string {
		var b strings.Builder
		if r.Intn(2) == 0 {
			b.WriteByte('-')
		}
		for i := 0; i < 1+r.Intn(12); i++ {
			b.WriteByte(byte('0' + r.Intn(10)))
		}
		if r.Intn(3) > 0 {
			b.WriteByte('.')
			for i := 0; i < 1+r.Intn(12); i++ {
				b.WriteByte(byte('0' + r.Intn(10)))
			}
		}
		return b.String()
	}
	var as, bs []string
	for len(as) < 200 {
		a, b := randNum(), randNum()
		if n, _ := ParseNumeric(b); n.Sign() == 0 {
			continue
		}
		as, bs = append(as, a), append(bs, b)
	}
	for _, op := range []ArithOp{OpAdd, OpSub, OpMul, OpDiv, OpMod} {
		got := batch("SELECT string_agg((a::numeric "+op.String()+" b::numeric)::text, '|' ORDER BY o) FROM unnest("+arr(as)+", "+arr(bs)+") WITH ORDINALITY AS u(a, b, o)", len(as))
		for i := range as {
			x, _ := ParseNumeric(as[i])
			y, _ := ParseNumeric(bs[i])
			d, _, err := Arith(op, Numeric_, NewNumeric(x), Numeric_, NewNumeric(y))
			if err != nil {
				t.Errorf("%s %s %s: %v", as[i], op, bs[i], err)
				continue
			}
			if mine := d.N.String(); mine != got[i] {
				t.Errorf("%s %s %s = %s, PostgreSQL %s", as[i], op, bs[i], mine, got[i])
			}
		}
	}

	// timestamptz output and input in a zone with DST
	pgtest.Exec(t, conn, "SET TimeZone = 'Europe/London'")
	defer pgtest.Exec(t, conn, "RESET TimeZone")
	loc, err := LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Location: loc}
	var us []int64
	var tin []string
	for len(us) < 300 {
		v := r.Int63n(int64(150*365*86400)*1e6) - int64(100*365*86400)*1e6
		if r.Intn(4) == 0 {
			v -= v % 1e6
		}
		us = append(us, v)
		tin = append(tin, string(AppendTimestamptz(nil, v, time0UTC())))
	}
	got = batch("SELECT string_agg(v::timestamptz::text, '|' ORDER BY o) FROM unnest("+arr(tin)+") WITH ORDINALITY AS u(v, o)", len(tin))
	for i, v := range us {
		if mine := FormatText(Timestamptz, NewTimestamptz(v), env); mine != got[i] {
			t.Errorf("timestamptz %d: %q, PostgreSQL %q", v, mine, got[i])
		}
		back, err := ParseText(Timestamptz, got[i], env)
		if err != nil || back.I != v {
			t.Errorf("timestamptz input %q: %v %v, want %d", got[i], back.I, err, v)
		}
	}
	// local times (timestamp → timestamptz) around DST changes
	var lin []string
	for len(lin) < 200 {
		v := r.Int63n(int64(40*365*86400)*1e6) + int64(0*86400)*1e6
		v -= v % (15 * 60 * 1e6)
		lin = append(lin, string(AppendTimestamp(nil, v)))
	}
	got = batch("SELECT string_agg(v::timestamp::timestamptz::text, '|' ORDER BY o) FROM unnest("+arr(lin)+") WITH ORDINALITY AS u(v, o)", len(lin))
	for i, l := range lin {
		ts, _ := ParseText(Timestamp, l, env)
		d, err := Cast(ts, Timestamp, Timestamptz, CoerceImplicit, env)
		if err != nil || FormatText(Timestamptz, d, env) != got[i] {
			t.Errorf("%s::timestamptz = %q (%v), PostgreSQL %q", l, FormatText(Timestamptz, d, env), err, got[i])
		}
	}
}
