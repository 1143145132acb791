package types

import (
	"bytes"
	"testing"
)

var fuzzSchemas = [][]Type{
	{Int4, Int4, Int4, Bpchar},
	{Bool, Int2, Int8, Float8, Numeric_, Text, Date, Timestamp, Timestamptz},
	{Numeric_, Numeric_},
	{Text, Varchar, Int4},
	{Bytea, Interval_, UUID, JSONB},
	{{OIDInt4Array, -1}, {OIDTextArray, -1}, {OIDJSONBArray, -1}, {OIDIntervalArray, -1}},
}

// FuzzDecodeTuple checks that arbitrary bytes never panic the tuple decoder
// and that whatever decodes re-encodes to the same bytes.
func FuzzDecodeTuple(f *testing.F) {
	for i, s := range fuzzSchemas {
		vals := make([]Datum, len(s))
		for c, t := range s {
			switch t.Kind() {
			case KindInt, KindDate, KindTimestamp, KindTimestamptz:
				vals[c] = Datum{K: t.Kind(), I: int64(c * 1000)}
			case KindBool:
				vals[c] = NewBool(true)
			case KindFloat:
				vals[c] = NewFloat(1.5)
			case KindNumeric:
				n, _ := ParseNumeric("-123.4500")
				vals[c] = NewNumeric(n)
			case KindString:
				vals[c] = NewString("abc")
			default:
				v, err := ParseText(t, map[Kind]string{KindBytea: `\x00ff`, KindInterval: "1 mon -2 days 03:00", KindUUID: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
					KindJSON: `{"a": [1, null]}`, KindArray: "{NULL}"}[t.Kind()], nil)
				if err != nil {
					f.Fatal(err)
				}
				vals[c] = v
			}
		}
		if i == 1 {
			vals[2] = Null
		}
		enc, err := AppendTuple(nil, s, vals)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(i), enc)
	}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		schema := fuzzSchemas[int(which)%len(fuzzSchemas)]
		vals, err := DecodeTuple(data, schema, nil)
		if err != nil {
			return
		}
		enc, err := AppendTuple(nil, schema, vals)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := DecodeTuple(enc, schema, nil)
		if err != nil {
			t.Fatalf("decode of re-encoding: %v", err)
		}
		for i := range vals {
			if !sameValue(schema[i], vals[i], again[i]) {
				t.Fatalf("column %d: %#v vs %#v", i, vals[i], again[i])
			}
		}
	})
}

// FuzzParseNumeric checks that numeric input never panics and that any
// accepted value survives text and binary round trips.
func FuzzParseNumeric(f *testing.F) {
	for _, s := range []string{"0", "-1.50", "1e3", "NaN", " -Infinity ", ".5", "1e-20", "abc", "1e999999", "9999.99995"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			return
		}
		n, err := ParseNumeric(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		back, err := ParseNumeric(n.String())
		if err != nil || back.String() != n.String() {
			t.Fatalf("text round trip of %q: %q → %v, %v", s, n.String(), back, err)
		}
		bin, err := NumericFromBinary(n.AppendBinary(nil))
		if err != nil || bin.String() != n.String() {
			t.Fatalf("binary round trip of %q: %v, %v", s, bin, err)
		}
	})
}

// FuzzDecodeKey checks that corrupt keys never panic.
func FuzzDecodeKey(f *testing.F) {
	n, _ := ParseNumeric("-12.5")
	f.Add(byte(0), AppendKey(nil, Int4, NewInt(7), false))
	f.Add(byte(1), AppendKey(nil, Text, NewString("a\x00b"), true))
	f.Add(byte(2), AppendKey(nil, Numeric_, NewNumeric(n), false))
	f.Add(byte(6), AppendKey(nil, Bytea, NewBytea([]byte{0, 1}), false))
	f.Add(byte(7), AppendKey(nil, UUID, NewUUID([16]byte{1}), false))
	types := []Type{Int4, Text, Numeric_, Float8, Bool, Bpchar, Bytea, UUID, Interval_, JSONB, {OIDInt4Array, -1}}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		typ := types[int(which)%len(types)]
		for _, desc := range []bool{false, true} {
			_, _, _ = DecodeKey(data, typ, desc)
		}
	})
}

// fuzzTextInput checks that the input function of typ never panics, that
// errors carry a SQLSTATE, and that an accepted value survives a text and
// a binary round trip unchanged.
func fuzzTextInput(t *testing.T, typ Type, s string) {
	if len(s) > 4000 {
		return
	}
	d, err := ParseText(typ, s, nil)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		return
	}
	out := FormatText(typ, d, nil)
	back, err := ParseText(typ, out, nil)
	if err != nil || FormatText(typ, back, nil) != out || CompareAs(typ, back, d) != 0 {
		t.Fatalf("%s: text round trip of %q: %q → %v", typ, s, out, err)
	}
	b, err := AppendBinary(nil, typ, d)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	back, err = ParseBinary(typ, b)
	if err != nil || !sameValue(typ, back, d) {
		t.Fatalf("%s: binary round trip of %q: %v", typ, s, err)
	}
}

// FuzzParseInterval fuzzes interval input.
func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"1 day", "2 hours 30 minutes", "1:30", "P1D", "@ 1 day ago", "1 year 2 mons 3 days 04:05:06",
		"-1 days +02:00:00", "1.5 months", "P1Y2M3DT4H5M6.5S", "P0001-02-03T04:05:06", "178000000 years", "1:30.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzTextInput(t, Interval_, s) })
}

// FuzzParseJSON fuzzes jsonb input.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a": 1, "b": [1, 2]}`, `[]`, `"\u00e9\ud83d\ude00"`, `{"a":1,"a":2}`, `1e3`, `[1,`, `{"a"}`, `nul`, `-0.0`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzTextInput(t, JSONB, s)
		j, err := ParseJSON(s)
		if err != nil {
			return
		}
		// containment is reflexive; key order is consistent with CompareJSON
		if !JSONContains(j, j) {
			t.Fatalf("%s does not contain itself", j)
		}
		k := appendJSONKey(nil, j, true)
		if !bytes.Equal(k, appendJSONKey(nil, mustJSON(t, j.String()), true)) {
			t.Fatalf("key of %s changes across a round trip", j)
		}
	})
}

func mustJSON(t *testing.T, s string) *JSON {
	j, err := ParseJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// FuzzParseArray fuzzes array input (int4[], text[] and jsonb[]).
func FuzzParseArray(f *testing.F) {
	for _, s := range []string{"{1,2,NULL}", `{"a b","c\"d"}`, "[0:1]={1,2}", "{{1,2},{3,4}}", "{}", `{"{\"a\": 1}"}`, "{1", "{{1},{2,3}}"} {
		f.Add(byte(0), s)
	}
	types := []Type{{OIDInt4Array, -1}, {OIDTextArray, -1}, {OIDJSONBArray, -1}, {OIDIntervalArray, -1}}
	f.Fuzz(func(t *testing.T, which byte, s string) { fuzzTextInput(t, types[int(which)%len(types)], s) })
}

// FuzzParseBytea fuzzes bytea input.
func FuzzParseBytea(f *testing.F) {
	for _, s := range []string{`\x0102`, `\x 0a`, `abc\\\001`, `\x0`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzTextInput(t, Bytea, s) })
}

// FuzzParseUUID fuzzes uuid input.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", "a0ee-bc99", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzTextInput(t, UUID, s) })
}
