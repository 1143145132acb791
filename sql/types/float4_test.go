package types

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// TestFloat4AgainstPostgres compares real's text input/output, binary
// format, arithmetic (and its result type) and casts with PostgreSQL 15.
func TestFloat4AgainstPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	check := func(name, sql string, got Datum, typ Type, gerr error) {
		t.Helper()
		want := pgtest.Query(t, conn, sql)
		if want.Code != "" {
			code, msg := "", ""
			if gerr != nil {
				code, msg = errCodeMsg(gerr)
			}
			if code != want.Code || msg != want.Msg {
				t.Errorf("%s: got %v (%s %q), PostgreSQL %s %q", name, got, code, msg, want.Code, want.Msg)
			}
			return
		}
		if gerr != nil {
			t.Errorf("%s: %v, PostgreSQL %q", name, gerr, want.Text)
			return
		}
		if txt := FormatText(typ, got, nil); txt != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", name, txt, want.Text)
		}
		if bin, err := AppendBinary(nil, typ, got); err != nil || !bytes.Equal(bin, want.Bin) {
			t.Errorf("%s: binary %x (%v), PostgreSQL %x", name, bin, err, want.Bin)
		}
	}
	inputs := []string{"0", "-0", "1", "1.5", "0.1", "1e6", "100000", "123456", "999999", "1234567", "1e-4", "1e-5",
		"1.5e-5", "3.4028235e38", "3.5e38", "-3.5e38", "1e-45", "1e-46", "1.17549435e-38", "NaN", "Infinity",
		"-Infinity", "inf", "abc", "", " 2.5 ", "1_0", "16777217", "3.14159265358979", "0.3", "1e39", "12e", "-1.25e-3"}
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 40; i++ {
		f := float32(rng.NormFloat64() * math.Pow(10, float64(rng.Intn(30)-15)))
		inputs = append(inputs, strconv.FormatFloat(float64(f), 'g', -1, 32))
	}
	for _, in := range inputs {
		got, err := ParseText(Float4, in, nil)
		sql := "SELECT " + pgtest.QuoteLit(in) + "::real"
		check(sql, sql, got, Float4, err)
		if err == nil {
			want := pgtest.Query(t, conn, sql)
			back, err := ParseBinary(Float4, want.Bin)
			if err != nil || CompareAs(Float4, back, got) != 0 {
				t.Errorf("%s: recv = %v, %v", sql, back, err)
			}
		}
	}
	ops := []struct {
		lt, l string
		op    ArithOp
		rt, r string
	}{
		{"real", "1.1", OpAdd, "real", "2.2"}, {"real", "1", OpDiv, "real", "3"}, {"real", "2", OpDiv, "int4", "3"},
		{"real", "3e38", OpMul, "real", "10"}, {"real", "3e38", OpMul, "int4", "10"}, {"real", "1e-30", OpMul, "real", "1e-30"},
		{"real", "1", OpDiv, "real", "0"}, {"real", "0.1", OpAdd, "float8", "0.2"}, {"int4", "1", OpSub, "real", "0.3"},
		{"numeric", "1.5", OpMul, "real", "0.1"}, {"real", "Infinity", OpSub, "real", "Infinity"}, {"int2", "7", OpMul, "real", "0.5"},
		{"real", "16777216", OpAdd, "real", "1"}, {"real", "5", OpMod, "real", "2"},
	}
	for _, c := range ops {
		sql := fmt.Sprintf("SELECT %s::%s %s %s::%s", pgtest.QuoteLit(c.l), c.lt, c.op, pgtest.QuoteLit(c.r), c.rt)
		lt, rt := mustType(t, c.lt), mustType(t, c.rt)
		a, err1 := ParseText(lt, c.l, nil)
		b, err2 := ParseText(rt, c.r, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: operands: %v %v", sql, err1, err2)
		}
		got, res, err := Arith(c.op, lt, a, rt, b)
		check(sql, sql, got, res, err)
		if err == nil {
			want := pgtest.Query(t, conn, fmt.Sprintf("SELECT pg_typeof(%s::%s %s %s::%s)::text", pgtest.QuoteLit(c.l), c.lt, c.op, pgtest.QuoteLit(c.r), c.rt))
			if want.Text != res.String() {
				t.Errorf("%s: result type %s, PostgreSQL %s", sql, res, want.Text)
			}
		}
	}
	casts := []struct{ from, v, to string }{
		{"real", "1.5", "int4"}, {"real", "2.5", "int2"}, {"real", "1e10", "int4"}, {"real", "NaN", "int8"},
		{"real", "0.1", "numeric"}, {"real", "1.2345678", "numeric"}, {"real", "1e20", "numeric"}, {"real", "Infinity", "numeric"},
		{"real", "0.1", "float8"}, {"real", "0.1", "text"}, {"real", "1e6", "varchar"},
		{"float8", "0.1", "real"}, {"float8", "1e300", "real"}, {"float8", "1e-300", "real"}, {"float8", "Infinity", "real"},
		{"numeric", "1.5", "real"}, {"numeric", "1e40", "real"}, {"numeric", "NaN", "real"}, {"numeric", "0.1", "real"},
		{"int4", "16777217", "real"}, {"int8", "9223372036854775807", "real"}, {"text", "2.5", "real"}, {"text", "x", "real"},
	}
	for _, c := range casts {
		sql := fmt.Sprintf("SELECT CAST(%s::%s AS %s)", pgtest.QuoteLit(c.v), c.from, c.to)
		from, to := mustType(t, c.from), mustType(t, c.to)
		src, err := ParseText(from, c.v, nil)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if _, ok := CastContext(from.OID, to.OID); !ok {
			t.Errorf("%s: CastContext says no cast", sql)
		}
		got, err := Cast(src, from, to, CoerceExplicit, nil)
		check(sql, sql, got, to, err)
	}
}

// TestFloat4Storage checks that real values survive the tuple and key
// encodings as float32 values and order as PostgreSQL orders them.
func TestFloat4Storage(t *testing.T) {
	vals := []float64{0, 1.5, -2.25, float64(float32(0.1)), math.Inf(1), math.Inf(-1), math.NaN(), float64(math.MaxFloat32), float64(math.SmallestNonzeroFloat32)}
	row := make([]Datum, len(vals))
	typs := make([]Type, len(vals))
	for i, v := range vals {
		row[i], typs[i] = NewFloat(v), Float4
	}
	enc, err := AppendTuple(nil, typs, row)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeTuple(enc, typs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if Compare(dec[i], row[i]) != 0 {
			t.Errorf("value %d: %v decoded as %v", i, row[i], dec[i])
		}
	}
	for i := range vals {
		for j := range vals {
			ki := AppendKey(nil, Float4, row[i], false)
			kj := AppendKey(nil, Float4, row[j], false)
			if got, want := bytes.Compare(ki, kj), Compare(row[i], row[j]); got != want {
				t.Errorf("key order of %v vs %v: %d, Compare %d", vals[i], vals[j], got, want)
			}
		}
	}
	if _, err := ParseText(Float4, "1e39", nil); err == nil {
		t.Errorf("1e39 accepted as real")
	}
}

// FuzzParseFloat4 checks that real input never panics and that what it
// accepts prints and parses back to the same float32.
func FuzzParseFloat4(f *testing.F) {
	for _, s := range []string{"1.5", "NaN", "-Infinity", "1e39", "1e-46", "abc", " 0.1 ", "3.4028235e38"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFloat4(s)
		if err != nil {
			return
		}
		back, err := ParseFloat4(FormatFloat4(v))
		if err != nil || (back != v && !(math.IsNaN(v) && math.IsNaN(back))) {
			t.Fatalf("%q → %v → %q → %v, %v", s, v, FormatFloat4(v), back, err)
		}
	})
}
