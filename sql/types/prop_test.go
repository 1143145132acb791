package types

import (
	"bytes"
	"math"
	"math/big"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

var propTypes = []Type{Bool, Int2, Int4, Int8, Float8, Numeric_, Text, mustTypeNoT("varchar", 8), mustTypeNoT("bpchar", 5),
	Date, Timestamp, Timestamptz}

func mustTypeNoT(name string, n int32) Type {
	t, err := LookupType(name, []int32{n})
	if err != nil {
		panic(err)
	}
	return t
}

// randDatum returns a random valid value of t (NULL with small probability).
func randDatum(r *rand.Rand, t Type) Datum {
	if r.Intn(12) == 0 {
		return Null
	}
	switch t.OID {
	case OIDBool:
		return NewBool(r.Intn(2) == 0)
	case OIDInt2, OIDInt4, OIDInt8:
		lo, hi, _, _ := intRange(t.OID)
		switch r.Intn(5) {
		case 0:
			return NewInt([]int64{lo, hi, 0, -1, 1}[r.Intn(5)])
		case 1:
			return NewInt(int64(r.Intn(200)) - 100)
		}
		v := r.Int63()
		if r.Intn(2) == 0 {
			v = -v
		}
		if t.OID == OIDInt2 {
			v = int64(int16(v))
		} else if t.OID == OIDInt4 {
			v = int64(int32(v))
		}
		return NewInt(v)
	case OIDFloat8:
		switch r.Intn(6) {
		case 0:
			return NewFloat([]float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, math.MaxFloat64}[r.Intn(7)])
		case 1:
			return NewFloat(float64(r.Intn(1000)-500) / 8)
		}
		return NewFloat(math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.Intn(0x7ff))<<52))
	case OIDNumeric:
		switch r.Intn(10) {
		case 0:
			return NewNumeric([]*Numeric{NumericNaN(), NumericInf(false), NumericInf(true), {}}[r.Intn(4)])
		}
		var sb strings.Builder
		nd := 1 + r.Intn(30)
		for i := 0; i < nd; i++ {
			sb.WriteByte(byte('0' + r.Intn(10)))
		}
		c, _ := new(big.Int).SetString(sb.String(), 10)
		if r.Intn(2) == 0 {
			c.Neg(c)
		}
		return NewNumeric(NumericFromBig(c, int32(r.Intn(25))).fix())
	case OIDText, OIDVarchar, OIDBpchar:
		n := r.Intn(8)
		if l := t.CharLen(); l >= 0 && n > l {
			n = l
		}
		alphabet := []string{"a", "b", "z", " ", "\x00", "é", "€", "\x01", "\xff"}
		if t.OID != OIDText {
			alphabet = alphabet[:7]
		}
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		s, _ := CoerceString(t, sb.String(), true)
		return NewString(s)
	case OIDDate:
		if r.Intn(20) == 0 {
			return NewDate([]int32{DatePosInfinity, DateNegInfinity}[r.Intn(2)])
		}
		return NewDate(int32(r.Intn(2_000_000) - 1_000_000))
	case OIDTimestamp, OIDTimestamptz:
		if r.Intn(20) == 0 {
			return Datum{K: t.Kind(), I: []int64{TimestampPosInfinity, TimestampNegInfinity}[r.Intn(2)]}
		}
		us := r.Int63n(endTimestamp/4) - r.Int63n(-minTimestamp)
		return Datum{K: t.Kind(), I: us}
	}
	panic("unexpected type")
}

func TestKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, typ := range propTypes {
		vals := make([]Datum, 400)
		for i := range vals {
			vals[i] = randDatum(r, typ)
		}
		for _, desc := range []bool{false, true} {
			keys := make([][]byte, len(vals))
			for i, v := range vals {
				keys[i] = AppendKey(nil, typ, v, desc)
			}
			for i := 0; i < len(vals); i++ {
				for j := 0; j < len(vals); j += 7 {
					want := CompareNulls(vals[i], vals[j], desc, func(a, b Datum) int { return CompareAs(typ, a, b) })
					if desc {
						want = -CompareNulls(vals[i], vals[j], false, func(a, b Datum) int { return CompareAs(typ, a, b) })
					}
					if got := bytes.Compare(keys[i], keys[j]); got != want {
						t.Fatalf("%s desc=%v: key order %d, Compare %d for %#v vs %#v", typ, desc, got, want, vals[i], vals[j])
					}
				}
				d, rest, err := DecodeKey(keys[i], typ, desc)
				if err != nil || len(rest) != 0 || CompareNulls(d, vals[i], false, func(a, b Datum) int { return CompareAs(typ, a, b) }) != 0 {
					t.Fatalf("%s: DecodeKey(%x) = %#v, %v, rest %x; want %#v", typ, keys[i], d, err, rest, vals[i])
				}
			}
		}
	}
}

func TestCompositeKeyOrder(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	schema := []Type{Int4, Text, Numeric_}
	type row struct {
		v   []Datum
		key []byte
	}
	rows := make([]row, 300)
	for i := range rows {
		v := []Datum{NewInt(int64(r.Intn(3))), randDatum(r, Text), randDatum(r, Numeric_)}
		var k []byte
		for c, typ := range schema {
			k = AppendKey(k, typ, v[c], c == 1)
		}
		rows[i] = row{v, k}
	}
	sort.Slice(rows, func(a, b int) bool { return bytes.Compare(rows[a].key, rows[b].key) < 0 })
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1].v, rows[i].v
		c := CompareNulls(a[0], b[0], false, nil)
		if c == 0 {
			c = -CompareNulls(a[1], b[1], false, nil)
		}
		if c == 0 {
			c = CompareNulls(a[2], b[2], false, nil)
		}
		if c > 0 {
			t.Fatalf("composite keys out of order: %#v before %#v", a, b)
		}
	}
}

func TestTupleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		n := 1 + r.Intn(20)
		schema := make([]Type, n)
		vals := make([]Datum, n)
		for c := range schema {
			schema[c] = propTypes[r.Intn(len(propTypes))]
			vals[c] = randDatum(r, schema[c])
		}
		enc, err := AppendTuple(nil, schema, vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeTuple(enc, schema, nil)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		for c := range vals {
			if !identical(got[c], vals[c]) {
				t.Fatalf("column %d (%s): got %#v want %#v", c, schema[c], got[c], vals[c])
			}
		}
		// A wider schema (ADD COLUMN) reads the new columns as NULL.
		wider := append(append([]Type(nil), schema...), Int4, Text)
		got, err = DecodeTuple(enc, wider, got)
		if err != nil || got[n].K != KindNull || got[n+1].K != KindNull {
			t.Fatalf("wider schema: %v %#v", err, got)
		}
		// Every strict prefix is an error, not a panic.
		for cut := 0; cut < len(enc); cut++ {
			if _, err := DecodeTuple(enc[:cut], schema, nil); err == nil {
				t.Fatalf("prefix %d of %d bytes decoded", cut, len(enc))
			}
		}
	}
}

// identical is exact equality including numeric scale and float bits.
func identical(a, b Datum) bool {
	if a.K != b.K {
		return false
	}
	switch a.K {
	case KindNumeric:
		return a.N.String() == b.N.String()
	case KindFloat:
		return math.Float64bits(a.F) == math.Float64bits(b.F) || (math.IsNaN(a.F) && math.IsNaN(b.F))
	}
	return a == b
}

func TestBinaryAndTextRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	env := &Env{}
	for _, typ := range propTypes {
		for i := 0; i < 500; i++ {
			v := randDatum(r, typ)
			if v.K == KindNull {
				continue
			}
			b, err := AppendBinary(nil, typ, v)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseBinary(typ, b)
			if err != nil || !identical(back, v) {
				t.Fatalf("%s: recv(send(%#v)) = %#v, %v", typ, v, back, err)
			}
			txt := FormatText(typ, v, env)
			back, err = ParseText(typ, txt, env)
			if err != nil || (!identical(back, v) && !(typ.OID == OIDFloat8 && back.F == v.F)) {
				t.Fatalf("%s: in(out(%#v)) via %q = %#v, %v", typ, v, txt, back, err)
			}
		}
	}
}

func TestNumericArithmeticProperties(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 2000; i++ {
		a, b := randDatum(r, Numeric_), randDatum(r, Numeric_)
		if a.K == KindNull || b.K == KindNull || a.N.special != numFinite || b.N.special != numFinite {
			continue
		}
		// (a+b)-b == a
		if got := a.N.Add(b.N).Sub(b.N); got.Cmp(a.N) != 0 {
			t.Fatalf("(%s+%s)-%s = %s", a.N, b.N, b.N, got)
		}
		if b.N.Sign() != 0 {
			q, err := a.N.Div(b.N)
			if err != nil {
				t.Fatal(err)
			}
			// |a - q*b| ≤ |b| × 10^-scale(q) / 2 (rounded quotient)
			diff := a.N.Sub(q.Mul(b.N)).Abs()
			bound := b.N.Abs().Mul(&Numeric{coef: *big.NewInt(5), scale: q.scale + 1})
			if diff.Cmp(bound) > 0 {
				t.Fatalf("%s / %s = %s: remainder %s exceeds %s", a.N, b.N, q, diff, bound)
			}
			m, _ := a.N.Mod(b.N)
			if m.Abs().Cmp(b.N.Abs()) >= 0 || (m.Sign() != 0 && m.Sign() != a.N.Sign()) {
				t.Fatalf("%s %% %s = %s", a.N, b.N, m)
			}
		}
	}
}

func TestIntArithmeticOverflow(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for i := 0; i < 5000; i++ {
		for _, typ := range []Type{Int2, Int4, Int8} {
			a, b := randDatum(r, typ), randDatum(r, typ)
			if a.K == KindNull || b.K == KindNull {
				continue
			}
			for _, op := range []ArithOp{OpAdd, OpSub, OpMul, OpDiv, OpMod} {
				got, _, err := Arith(op, typ, a, typ, b)
				x, y := big.NewInt(a.I), big.NewInt(b.I)
				var want *big.Int
				switch op {
				case OpAdd:
					want = new(big.Int).Add(x, y)
				case OpSub:
					want = new(big.Int).Sub(x, y)
				case OpMul:
					want = new(big.Int).Mul(x, y)
				case OpDiv, OpMod:
					if b.I == 0 {
						if code, _ := errCodeMsg(err); err == nil || code != CodeDivisionByZero {
							t.Fatalf("%d %s 0: %v", a.I, op, err)
						}
						continue
					}
					if op == OpDiv {
						want = new(big.Int).Quo(x, y)
					} else {
						want = new(big.Int).Rem(x, y)
					}
				}
				lo, hi, _, _ := intRange(typ.OID)
				if want.Cmp(big.NewInt(lo)) < 0 || want.Cmp(big.NewInt(hi)) > 0 {
					if code, _ := errCodeMsg(err); err == nil || code != CodeNumericValueOutOfRange {
						t.Fatalf("%s %d %s %d: want overflow, got %v %v", typ, a.I, op, b.I, got, err)
					}
					continue
				}
				if err != nil || got.I != want.Int64() {
					t.Fatalf("%s %d %s %d = %v %v, want %s", typ, a.I, op, b.I, got, err, want)
				}
			}
		}
	}
}

func TestParseTextErrorsTable(t *testing.T) {
	cases := []struct {
		typ  Type
		in   string
		code string
		msg  string
	}{
		{Int4, "abc", CodeInvalidTextRep, `invalid input syntax for type integer: "abc"`},
		{Int4, "2147483648", CodeNumericValueOutOfRange, `value "2147483648" is out of range for type integer`},
		{Int2, "", CodeInvalidTextRep, `invalid input syntax for type smallint: ""`},
		{Bool, "maybe", CodeInvalidTextRep, `invalid input syntax for type boolean: "maybe"`},
		{mustTypeNoT("varchar", 2), "abc", CodeStringDataRightTrunc, `value too long for type character varying(2)`},
		{Date, "2024-02-30", CodeDatetimeFieldOverflow, `date/time field value out of range: "2024-02-30"`},
		{Timestamp, "yesterday-ish", CodeInvalidDatetimeFormat, `invalid input syntax for type timestamp: "yesterday-ish"`},
	}
	for _, c := range cases {
		_, err := ParseText(c.typ, c.in, nil)
		code, msg := "", ""
		if err != nil {
			code, msg = errCodeMsg(err)
		}
		if code != c.code || msg != c.msg {
			t.Errorf("%s %q: got %s %q want %s %q", c.typ, c.in, code, msg, c.code, c.msg)
		}
	}
}

func TestArithUnknownOperand(t *testing.T) {
	d, res, err := Arith(OpAdd, Int4, NewInt(5), Unknown, NewString(" 7"))
	if err != nil || res != Int4 || d.I != 12 {
		t.Fatalf("5 + ' 7' = %#v %s %v", d, res, err)
	}
	if _, _, err := Arith(OpAdd, Unknown, NewString("x"), Int8, NewInt(1)); err == nil {
		t.Fatal("'x' + 1 accepted")
	}
}

func BenchmarkTupleEncodeDecode(b *testing.B) {
	schema := []Type{Int4, Int4, Int4, mustTypeNoT("bpchar", 84)}
	vals := []Datum{NewInt(12345), NewInt(1), NewInt(-500), NewString(strings.Repeat(" ", 84))}
	var buf []byte
	dst := make([]Datum, 4)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = AppendTuple(buf[:0], schema, vals)
		dst, _ = DecodeTuple(buf, schema, dst)
	}
}

func BenchmarkIntKey(b *testing.B) {
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendKey(buf[:0], Int4, NewInt(int64(i)), false)
	}
}
