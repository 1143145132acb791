package funcs

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// call resolves and runs name on already-typed values (test helper).
func call(t *testing.T, reg *Registry, name string, args ...any) types.Datum {
	t.Helper()
	var ds []types.Datum
	var ts []types.Type
	for _, a := range args {
		switch v := a.(type) {
		case string:
			ds, ts = append(ds, types.NewString(v)), append(ts, types.Text)
		case int:
			ds, ts = append(ds, types.NewInt(int64(v))), append(ts, types.Int4)
		case types.Datum:
			ds, ts = append(ds, v), append(ts, typeOfDatum(v))
		default:
			t.Fatalf("bad arg %T", a)
		}
	}
	d, _, err := callFunc(reg, &Context{Env: &types.Env{Location: time.UTC}}, name, ds, ts)
	if err != nil {
		t.Fatalf("%s%v: %v", name, args, err)
	}
	return d
}

func typeOfDatum(d types.Datum) types.Type {
	switch d.K {
	case types.KindNumeric:
		return types.Numeric_
	case types.KindFloat:
		return types.Float8
	case types.KindTimestamp:
		return types.Timestamp
	case types.KindBytea:
		return types.Bytea
	}
	return types.Text
}

func randASCII(r *rand.Rand, n int) string {
	b := make([]byte, r.IntN(n+1))
	for i := range b {
		b[i] = byte(32 + r.IntN(95))
	}
	return string(b)
}

func randText(r *rand.Rand, n int) string {
	alphabet := []rune("abcXYZ09 _,é€😀")
	rs := make([]rune, r.IntN(n+1))
	for i := range rs {
		rs[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(rs)
}

// TestStringProperties checks invariants of the string functions on
// random inputs.
func TestStringProperties(t *testing.T) {
	reg := Builtins()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		a := randASCII(r, 20)
		if got, want := call(t, reg, "lower", call(t, reg, "upper", a)).S, call(t, reg, "lower", a).S; got != want {
			t.Fatalf("lower(upper(%q)) = %q, lower = %q", a, got, want)
		}
		if got, want := call(t, reg, "upper", call(t, reg, "lower", a)).S, strings.ToUpper(a); got != want {
			t.Fatalf("upper(lower(%q)) = %q, want %q", a, got, want)
		}
		s := randText(r, 12)
		n := int(call(t, reg, "length", s).I)
		if call(t, reg, "reverse", call(t, reg, "reverse", s)).S != s {
			t.Fatalf("reverse twice of %q", s)
		}
		k := r.IntN(n + 2)
		head := call(t, reg, "substr", s, 1, k).S
		tail := call(t, reg, "substr", s, k+1).S
		if head+tail != s {
			t.Fatalf("substr split of %q at %d: %q + %q", s, k, head, tail)
		}
		if call(t, reg, "left", s, k).S != head {
			t.Fatalf("left(%q, %d) != substr", s, k)
		}
		w := r.IntN(30)
		fill := randText(r, 3)
		for _, f := range []string{"lpad", "rpad"} {
			p := call(t, reg, f, s, w, fill).S
			pl := int(call(t, reg, "length", p).I)
			if (fill != "" && pl != w) || (fill == "" && pl != min(w, n)) {
				t.Fatalf("%s(%q, %d, %q) = %q has length %d", f, s, w, fill, p, pl)
			}
		}
		if pos := call(t, reg, "strpos", s, tail).I; tail != "" && (pos < 1 || pos > int64(k+1)) {
			t.Fatalf("strpos(%q, %q) = %d, tail starts at %d", s, tail, pos, k+1)
		}
		q := call(t, reg, "quote_ident", s).S
		if q != s && !(strings.HasPrefix(q, `"`) && strings.HasSuffix(q, `"`) &&
			strings.ReplaceAll(q[1:len(q)-1], `""`, `"`) == s) {
			t.Fatalf("quote_ident(%q) = %q", s, q)
		}
		parts := call(t, reg, "split_part", s, ",", 1).S
		if !strings.HasPrefix(s, parts) {
			t.Fatalf("split_part(%q, ',', 1) = %q", s, parts)
		}
	}
}

// TestEncodeDecodeRoundTrip: decode(encode(b, f), f) = b.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	reg := Builtins()
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		b := make([]byte, r.IntN(120))
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		for _, f := range []string{"hex", "base64", "escape"} {
			enc := call(t, reg, "encode", types.NewBytea(b), f)
			dec := call(t, reg, "decode", enc.S, f)
			if dec.S != string(b) {
				t.Fatalf("%s round trip of %x gave %x", f, b, dec.S)
			}
		}
	}
}

// TestNumericProperties: sqrt(x*x) = |x|, exp(ln(x)) ≈ x, round and trunc
// bracket the value, ceil/floor bracket it.
func TestNumericProperties(t *testing.T) {
	reg := Builtins()
	r := rand.New(rand.NewPCG(5, 6))
	num := func(s string) types.Datum {
		n, err := types.ParseNumeric(s)
		if err != nil {
			t.Fatal(err)
		}
		return types.NewNumeric(n)
	}
	for i := 0; i < 300; i++ {
		x := randNumeric(r, false)
		xd := num(x)
		// sqrt of an exact square with at most 8 decimals is exact.
		if xn := xd.N; xn.Scale() <= 8 && len(x) < 18 {
			sq := call(t, reg, "sqrt", types.NewNumeric(xn.Mul(xn)))
			if sq.N.Cmp(xn.Abs()) != 0 {
				t.Fatalf("sqrt(%s^2) = %s", x, sq.N)
			}
		}
		p := num(randNumeric(r, true))
		back := call(t, reg, "exp", call(t, reg, "ln", p))
		rel, _ := back.N.Sub(p.N).Abs().Div(p.N)
		if f, _ := rel.Float64(); f > 1e-12 {
			t.Fatalf("exp(ln(%s)) = %s", p.N, back.N)
		}
		c, fl := call(t, reg, "ceil", xd), call(t, reg, "floor", xd)
		if c.N.Cmp(xd.N) < 0 || fl.N.Cmp(xd.N) > 0 || c.N.Sub(fl.N).Cmp(types.NumericFromInt64(1)) > 0 {
			t.Fatalf("ceil/floor(%s) = %s/%s", x, c.N, fl.N)
		}
		for s := -3; s <= 5; s++ {
			tr := call(t, reg, "trunc", xd, s).N
			if tr.Abs().Cmp(xd.N.Abs()) > 0 {
				t.Fatalf("trunc(%s, %d) = %s is further from zero", x, s, tr)
			}
		}
	}
}

// TestDateTruncProperties: date_trunc is idempotent and never moves a
// timestamp forward; extract(epoch) agrees with the timestamp.
func TestDateTruncProperties(t *testing.T) {
	reg := Builtins()
	r := rand.New(rand.NewPCG(7, 8))
	units := []string{"microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "century", "millennium"}
	for i := 0; i < 400; i++ {
		us := r.Int64N(200*365*usPerDay) - 100*365*usPerDay
		ts := types.NewTimestamp(us)
		u := units[r.IntN(len(units))]
		tr := call(t, reg, "date_trunc", u, ts)
		if tr.I > us {
			t.Fatalf("date_trunc(%s, %d) = %d is later", u, us, tr.I)
		}
		if again := call(t, reg, "date_trunc", u, tr); again.I != tr.I {
			t.Fatalf("date_trunc(%s) not idempotent at %d: %d then %d", u, us, tr.I, again.I)
		}
		ep := call(t, reg, "date_part", "epoch", ts)
		if want := float64(us-unixEpoch) / 1e6; ep.F != want {
			t.Fatalf("epoch of %d: %v, want %v", us, ep.F, want)
		}
		// to_char and to_timestamp agree on the civil fields.
		txt := call(t, reg, "to_char", ts, "YYYY-MM-DD HH24:MI:SS")
		cv := splitMicros(us)
		if cv.year > 0 {
			d, _, err := evalExpr(reg, &Context{Env: &types.Env{Location: time.UTC}},
				"to_timestamp('"+txt.S+"', 'YYYY-MM-DD HH24:MI:SS')")
			if err != nil {
				t.Fatalf("to_timestamp(%q): %v", txt.S, err)
			}
			if want := us - cv.usec; d.I != want {
				t.Fatalf("to_timestamp(to_char(%d)) = %d, want %d", us, d.I, want)
			}
		}
	}
}

// TestAggregateProperties: sum and count agree with a direct computation,
// and min <= avg <= max.
func TestAggregateProperties(t *testing.T) {
	reg := Builtins()
	r := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 100; i++ {
		n := r.IntN(50)
		vals := make([]int64, n)
		var sum int64
		for j := range vals {
			vals[j] = r.Int64N(2000000) - 1000000
			sum += vals[j]
		}
		run := func(name string) types.Datum {
			a, params, err := reg.ResolveAgg(name, []types.Type{types.Int4})
			if err != nil {
				t.Fatal(err)
			}
			st := a.New(params)
			for _, v := range vals {
				if err := st.Step(nil, []types.Datum{types.NewInt(v)}); err != nil {
					t.Fatal(err)
				}
			}
			d, err := st.Final(nil)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		s, c := run("sum"), run("count")
		if c.I != int64(n) || (n > 0 && s.I != sum) || (n == 0 && !s.IsNull()) {
			t.Fatalf("sum %v count %v, want %d %d", s, c, sum, n)
		}
		if n == 0 {
			continue
		}
		mn, mx, avg := run("min"), run("max"), run("avg")
		if types.NumericFromInt64(mn.I).Cmp(avg.N) > 0 || avg.N.Cmp(types.NumericFromInt64(mx.I)) > 0 {
			t.Fatalf("min %d avg %s max %d", mn.I, avg.N, mx.I)
		}
	}
}
