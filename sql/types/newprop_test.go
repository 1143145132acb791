package types

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

var newScalarTypes = []Type{Bytea, Interval_, UUID, JSONB}

// arrayTypes are the array types of every scalar type.
func arrayTypes() []Type {
	var out []Type
	for _, et := range append(append([]Type(nil), propTypes...), newScalarTypes...) {
		at, err := ArrayOf(et)
		if err != nil {
			panic(err)
		}
		out = append(out, at)
	}
	return out
}

func randJSON(r *rand.Rand, depth int) *JSON {
	k := r.Intn(6)
	if depth > 2 && k >= 4 {
		k = r.Intn(4)
	}
	switch JSONKind(k) {
	case JSONNull:
		return &JSON{Kind: JSONNull}
	case JSONString:
		return &JSON{Kind: JSONString, Str: []string{"", "a", "b", "ab", "é", "\"q\\", "\n", "aa"}[r.Intn(8)]}
	case JSONNumber:
		n, _ := ParseNumeric([]string{"0", "1", "-1", "1.0", "2.50", "1e3", "-0.001", "123456789012345678901"}[r.Intn(8)])
		return &JSON{Kind: JSONNumber, Num: n}
	case JSONBool:
		return &JSON{Kind: JSONBool, Bool: r.Intn(2) == 0}
	case JSONArray:
		a := &JSON{Kind: JSONArray}
		for i := r.Intn(4); i > 0; i-- {
			a.Elems = append(a.Elems, randJSON(r, depth+1))
		}
		return a
	}
	var keys []string
	var vals []*JSON
	for i := r.Intn(4); i > 0; i-- {
		keys = append(keys, []string{"a", "b", "aa", "", "ba", "é"}[r.Intn(6)])
		vals = append(vals, randJSON(r, depth+1))
	}
	return NewJSONObject(keys, vals)
}

// randNewDatum returns a random value of a new type or of an array type.
func randNewDatum(r *rand.Rand, t Type) Datum {
	if r.Intn(12) == 0 {
		return Null
	}
	switch t.OID {
	case OIDBytea:
		b := make([]byte, r.Intn(6))
		for i := range b {
			b[i] = []byte{0, 1, 0x7f, 0x80, 0xff, 'a'}[r.Intn(6)]
		}
		return NewBytea(b)
	case OIDUUID:
		var u [16]byte
		for i := range u {
			u[i] = byte(r.Intn(3) * 0x7f)
		}
		return NewUUID(u)
	case OIDInterval:
		iv := Interval{Months: int32(r.Intn(50) - 25), Days: int32(r.Intn(100) - 50), Micros: r.Int63n(4*usecsPerDay) - 2*usecsPerDay}
		if r.Intn(5) == 0 {
			iv = Interval{Months: int32(r.Uint32()), Days: int32(r.Uint32()), Micros: int64(r.Uint64())}
		}
		return NewInterval(iv)
	case OIDJSONB:
		return NewJSON(randJSON(r, 0))
	}
	et, ok := t.ElemType()
	if !ok {
		return randDatum(r, t)
	}
	var dims []int32
	n := 1
	switch r.Intn(6) {
	case 0:
		return NewArray(&Array{})
	case 1:
		dims = []int32{int32(1 + r.Intn(2)), int32(1 + r.Intn(2))}
	default:
		dims = []int32{int32(1 + r.Intn(3))}
	}
	a := &Array{Dims: dims}
	for _, d := range dims {
		n *= int(d)
		lb := int32(1)
		if r.Intn(8) == 0 {
			lb = int32(r.Intn(5) - 2)
		}
		a.LBounds = append(a.LBounds, lb)
	}
	for i := 0; i < n; i++ {
		var e Datum
		if et.Kind() == KindBytea || et.Kind() == KindUUID || et.Kind() == KindInterval || et.Kind() == KindJSON {
			e = randNewDatum(r, et)
		} else {
			e = randDatum(r, et)
		}
		a.Elems = append(a.Elems, e)
	}
	return NewArray(a)
}

func allNewTypes() []Type { return append(append([]Type(nil), newScalarTypes...), arrayTypes()...) }

// sameValue is exact equality of two values of type t: same text output
// and, for numbers, the same scale and bits (via the binary format).
func sameValue(t Type, a, b Datum) bool {
	if a.K != b.K {
		return false
	}
	if a.K == KindNull {
		return true
	}
	ab, err1 := AppendBinary(nil, t, a)
	bb, err2 := AppendBinary(nil, t, b)
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb) && FormatText(t, a, nil) == FormatText(t, b, nil)
}

func TestNewTypesKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for _, typ := range allNewTypes() {
		vals := make([]Datum, 150)
		for i := range vals {
			vals[i] = randNewDatum(r, typ)
		}
		cmp := func(a, b Datum) int { return CompareAs(typ, a, b) }
		for _, desc := range []bool{false, true} {
			keys := make([][]byte, len(vals))
			for i, v := range vals {
				keys[i] = AppendKey(nil, typ, v, desc)
			}
			for i := range vals {
				for j := range vals {
					want := CompareNulls(vals[i], vals[j], false, cmp)
					if desc {
						want = -want
					}
					if got := bytes.Compare(keys[i], keys[j]); got != want {
						t.Fatalf("%s desc=%v: key order %d, Compare %d for %s vs %s", typ, desc, got, want,
							FormatText(typ, vals[i], nil), FormatText(typ, vals[j], nil))
					}
				}
				if typ.OID == OIDBytea || typ.OID == OIDUUID {
					d, rest, err := DecodeKey(keys[i], typ, desc)
					if err != nil || len(rest) != 0 || !sameValue(typ, d, vals[i]) {
						t.Fatalf("%s: DecodeKey = %#v, %v", typ, d, err)
					}
				}
			}
		}
		// Compare is a total order: antisymmetric and transitive on samples.
		for i := 0; i < 2000; i++ {
			a, b, c := vals[r.Intn(len(vals))], vals[r.Intn(len(vals))], vals[r.Intn(len(vals))]
			ab, bc, ac := CompareNulls(a, b, false, cmp), CompareNulls(b, c, false, cmp), CompareNulls(a, c, false, cmp)
			if ab != -CompareNulls(b, a, false, cmp) || (ab <= 0 && bc <= 0 && ac > 0) {
				t.Fatalf("%s: not a total order", typ)
			}
		}
	}
}

func TestNewTypesRoundTrips(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	env := &Env{}
	types := allNewTypes()
	for _, typ := range types {
		for i := 0; i < 300; i++ {
			v := randNewDatum(r, typ)
			if v.K == KindNull {
				continue
			}
			b, err := AppendBinary(nil, typ, v)
			if err != nil {
				t.Fatalf("%s: send: %v", typ, err)
			}
			back, err := ParseBinary(typ, b)
			if err != nil || !sameValue(typ, back, v) {
				t.Fatalf("%s: recv(send(%s)) = %v, %v", typ, FormatText(typ, v, env), back, err)
			}
			txt := FormatText(typ, v, env)
			back, err = ParseText(typ, txt, env)
			if err != nil || CompareAs(typ, back, v) != 0 || FormatText(typ, back, env) != txt {
				t.Fatalf("%s: in(out(v)) via %q = %v, %v", typ, txt, back, err)
			}
		}
	}
	// tuples mixing old and new types
	all := append(append([]Type(nil), propTypes...), types...)
	for i := 0; i < 300; i++ {
		n := 1 + r.Intn(12)
		schema := make([]Type, n)
		vals := make([]Datum, n)
		for c := range schema {
			schema[c] = all[r.Intn(len(all))]
			vals[c] = randNewDatum(r, schema[c])
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
			if !sameValue(schema[c], got[c], vals[c]) {
				t.Fatalf("column %d (%s): got %v want %v", c, schema[c], got[c], vals[c])
			}
		}
		for cut := 0; cut < len(enc); cut++ {
			if _, err := DecodeTuple(enc[:cut], schema, nil); err == nil {
				t.Fatalf("prefix %d of %d bytes decoded", cut, len(enc))
			}
		}
	}
}

func TestIntervalArithmeticProperties(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for i := 0; i < 2000; i++ {
		a := randNewDatum(r, Interval_)
		b := randNewDatum(r, Interval_)
		if a.K == KindNull || b.K == KindNull {
			continue
		}
		sum, _, err := Arith(OpAdd, Interval_, a, Interval_, b)
		if err != nil {
			continue // overflow is allowed to fail, never to wrap
		}
		back, _, err := Arith(OpSub, Interval_, sum, Interval_, b)
		if err != nil || back.Interval() != a.Interval() {
			t.Fatalf("(%v + %v) - %v = %v, %v", a.Interval(), b.Interval(), b.Interval(), back.Interval(), err)
		}
		if n, err := Neg(Interval_, a); err == nil {
			if nn, _ := Neg(Interval_, n); nn.Interval() != a.Interval() {
				t.Fatalf("--%v = %v", a.Interval(), nn.Interval())
			}
			if c := CompareIntervals(n.Interval(), Interval{}); c != -CompareIntervals(a.Interval(), Interval{}) {
				t.Fatalf("sign of -%v", a.Interval())
			}
		}
	}
	// 1 mon = 30 days = 720 hours for comparison and keys.
	eq := []Interval{{Months: 1}, {Days: 30}, {Micros: 720 * usecsPerHour}, {Months: 2, Days: -30}}
	for _, x := range eq {
		for _, y := range eq {
			if CompareIntervals(x, y) != 0 || !bytes.Equal(AppendKey(nil, Interval_, NewInterval(x), false), AppendKey(nil, Interval_, NewInterval(y), false)) {
				t.Fatalf("%v and %v should be equal", x, y)
			}
		}
	}
}

func TestNewTypeErrorsTable(t *testing.T) {
	cases := []struct {
		typ, in, code string
	}{
		{"bytea", `\xg0`, "22023"}, {"bytea", `\x1`, "22023"}, {"bytea", `\9`, "22P02"},
		{"interval", "1 parsec", "22007"}, {"interval", "99999999999999999999 days", "22015"}, {"interval", "", "22007"},
		{"uuid", "xyz", "22P02"}, {"jsonb", "{", "22P02"}, {"jsonb", `"\u0000"`, "22P05"},
		{"int4[]", "{1", "22P02"}, {"int4[]", "{x}", "22P02"}, {"int4[]", "[1:2]={1}", "22P02"},
		{"int4[]", "{{{{{{{1}}}}}}}", "54000"}, {"jsonb", strings.Repeat("[", 7000), "54001"},
	}
	for _, c := range cases {
		_, err := ParseText(mustType(t, c.typ), c.in, nil)
		if code, _ := errCodeMsg(err); err == nil || code != c.code {
			t.Errorf("%s %q: %v, want SQLSTATE %s", c.typ, c.in, err, c.code)
		}
	}
}

func TestLookupArrayTypes(t *testing.T) {
	cases := map[string]string{
		"int4[]": "integer[]", "_int4": "integer[]", "integer[]": "integer[]", "int[][]": "integer[]", "varchar[3]": "character varying[]",
		"pg_catalog._text": "text[]", "timestamptz[]": "timestamp with time zone[]", "jsonb[]": "jsonb[]", "uuid[]": "uuid[]",
	}
	for in, want := range cases {
		typ, err := LookupType(in, nil)
		if err != nil || typ.String() != want || !typ.IsArray() {
			t.Errorf("%s: %v %v, want %s", in, typ, err, want)
		}
	}
	typ, err := LookupType("varchar[]", []int32{10})
	if err != nil || typ.String() != "character varying(10)[]" || typ.Typmod != 14 {
		t.Errorf("varchar(10)[]: %v %v", typ, err)
	}
	for _, bad := range []string{"nope[]", "_nope", "int4[x]", "unknown[]"} {
		if _, err := LookupType(bad, nil); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if at, err := ArrayOf(Int4); err != nil || at.OID != OIDInt4Array {
		t.Errorf("ArrayOf(int4) = %v, %v", at, err)
	}
	if et, ok := (Type{OIDVarcharArray, 14}).ElemType(); !ok || et != (Type{OIDVarchar, 14}) {
		t.Errorf("ElemType = %v", et)
	}
}

func TestArrayHelpers(t *testing.T) {
	a := MakeArray([]Datum{NewInt(1), Null, NewInt(3)})
	tests := []struct {
		name string
		got  Datum
		want string
	}{
		{"a[1]", ArraySubscript(a, []int64{1}), "1"},
		{"a[2]", ArraySubscript(a, []int64{2}), "NULL"},
		{"a[4]", ArraySubscript(a, []int64{4}), "NULL"},
		{"a[1][1]", ArraySubscript(a, []int64{1, 1}), "NULL"},
		{"3 = ANY(a)", ArrayAnyEqual(Int4, NewInt(3), a), "t"},
		{"2 = ANY(a)", ArrayAnyEqual(Int4, NewInt(2), a), "NULL"},
		{"2 = ANY({})", ArrayAnyEqual(Int4, NewInt(2), &Array{}), "f"},
	}
	for _, tc := range tests {
		got := "NULL"
		if tc.got.K != KindNull {
			got = FormatText(Int4, tc.got, nil)
		}
		if got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
	lo, hi := int64(2), int64(9)
	s, err := ArraySlice(a, &lo, &hi)
	if err != nil || FormatText(Type{OIDInt4Array, -1}, NewArray(s), nil) != "{NULL,3}" {
		t.Errorf("a[2:9] = %v, %v", s, err)
	}
	if n, ok := ArrayLength(a, 1); !ok || n != 3 {
		t.Errorf("array_length = %d %v", n, ok)
	}
	if _, ok := ArrayLength(a, 2); ok {
		t.Error("array_length(a, 2) not NULL")
	}
	d, typ, err := Concat(Type{OIDInt4Array, -1}, NewArray(a), Int4, NewInt(4), nil)
	if err != nil || FormatText(typ, d, nil) != "{1,NULL,3,4}" {
		t.Errorf("a || 4 = %v %v", d, err)
	}
	if _, err := MakeArrayOfArrays([]*Array{MakeArray([]Datum{NewInt(1)}), MakeArray([]Datum{NewInt(1), NewInt(2)})}); err == nil {
		t.Error("ragged ARRAY[ARRAY[..]] accepted")
	}
}
