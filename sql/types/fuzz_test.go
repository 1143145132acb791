package types

import (
	"testing"
)

var fuzzSchemas = [][]Type{
	{Int4, Int4, Int4, Bpchar},
	{Bool, Int2, Int8, Float8, Numeric_, Text, Date, Timestamp, Timestamptz},
	{Numeric_, Numeric_},
	{Text, Varchar, Int4},
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
			if !identical(vals[i], again[i]) {
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
	types := []Type{Int4, Text, Numeric_, Float8, Bool, Bpchar}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		typ := types[int(which)%len(types)]
		for _, desc := range []bool{false, true} {
			_, _, _ = DecodeKey(data, typ, desc)
		}
	})
}
