package types

import "testing"

// TestJSONTextWalk: field/element lookup on json text keeps values
// verbatim and picks a repeated key's last value (PostgreSQL 15's json ->).
func TestJSONTextWalk(t *testing.T) {
	for _, tc := range []struct {
		s, key string
		idx    int64
		want   string
		ok     bool
	}{
		{`{"a":1,"a": [1,  2]}`, "a", 0, `[1,  2]`, true},
		{` { "b" : {"c" : "}"} , "a":"x\"y"}`, "b", 0, `{"c" : "}"}`, true},
		{`{"a":1}`, "z", 0, "", false},
		{`[1, "x", {"c":3}]`, "", 2, `{"c":3}`, true},
		{`[1, "x"]`, "", -1, `"x"`, true},
		{`[1]`, "", 3, "", false},
		{`42`, "a", 0, "", false},
	} {
		var got string
		var ok bool
		if tc.key != "" || tc.s[0] == '{' || tc.s[0] == ' ' {
			got, ok = JSONTextField(tc.s, tc.key)
		} else {
			got, ok = JSONTextElem(tc.s, tc.idx)
		}
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s [%q/%d]: got %q %v, want %q %v", tc.s, tc.key, tc.idx, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzJSONTextWalk: walking any text (even invalid json) never panics,
// and on valid json an object field found is itself valid json.
func FuzzJSONTextWalk(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":[1, 2]}`, `[1,"\\",{}]`, `{"a\`, `["`, `{"a" "b"}`} {
		f.Add(s, "a")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		v, ok := JSONTextField(s, key)
		_, _ = JSONTextElem(s, 1)
		_, _, _ = JSONTextFields(s)
		_, _ = JSONTextElem(s, -1)
		_, _, _ = JSONTextScalar(s)
		if _, err := ParseJSON(s); err == nil && ok {
			if _, err := ParseJSON(v); err != nil {
				t.Fatalf("field %q of %q: %q is not json: %v", key, s, v, err)
			}
		}
	})
}
