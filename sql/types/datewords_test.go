package types

import (
	"errors"
	"testing"
)

// TestDateWords checks month- and weekday-name inputs against PostgreSQL 15's
// answers (DateStyle ISO, MDY; TimeZone UTC).
func TestDateWords(t *testing.T) {
	cases := []struct {
		in, typ, want, code string
	}{
		{"Feb 29, 2024", "date", "2024-02-29", ""},
		{"January 8, 1999", "date", "1999-01-08", ""},
		{"Jan-08-1999", "date", "1999-01-08", ""},
		{"08-Jan-1999", "date", "1999-01-08", ""},
		{"1999-Jan-08", "date", "1999-01-08", ""},
		{"8 January 1999", "date", "1999-01-08", ""},
		{"Jan 8 99", "date", "1999-01-08", ""},
		{"08-Jan-99", "date", "1999-01-08", ""},
		{"Jan 8 1999 BC", "date", "1999-01-08 BC", ""},
		{"Fri Jan 08 04:05:06 1999", "timestamp", "1999-01-08 04:05:06", ""},
		{"Jan 8, 1999 10:00", "timestamp", "1999-01-08 10:00:00", ""},
		{"January 8 04:05:06 1999 UTC", "timestamptz", "1999-01-08 04:05:06+00", ""},
		{"Feb 30, 2024", "date", "", CodeDatetimeFieldOverflow},
		{"99-Jan-08", "date", "", CodeDatetimeFieldOverflow},
		{"Friday 1999-01-08", "date", "", CodeInvalidDatetimeFormat},
		{"Jan 2024", "date", "", CodeInvalidDatetimeFormat},
		{"Jan Feb 8 1999", "date", "", CodeInvalidDatetimeFormat},
	}
	for _, c := range cases {
		var got string
		var err error
		switch c.typ {
		case "date":
			var d int32
			if d, err = ParseDate(c.in, nil); err == nil {
				got = string(AppendDate(nil, d))
			}
		case "timestamp":
			var us int64
			if us, err = ParseTimestamp(c.in, false, nil); err == nil {
				got = string(AppendTimestamp(nil, us))
			}
		default:
			var us int64
			if us, err = ParseTimestamp(c.in, true, nil); err == nil {
				got = string(AppendTimestamptz(nil, us, nil))
			}
		}
		if c.code != "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Errorf("%s::%s: got %q, %v; want SQLSTATE %s", c.in, c.typ, got, err, c.code)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s::%s = %q, %v; want %q", c.in, c.typ, got, err, c.want)
		}
	}
}

// FuzzParseDateWords: date/timestamp input never panics, and an accepted
// date prints to text that parses back to the same day.
func FuzzParseDateWords(f *testing.F) {
	for _, s := range []string{"Feb 29, 2024", "08-Jan-1999", "Fri Jan 08 04:05:06 1999 UTC", "Jan 8 99 BC", "1999-Jan-08 10:00+02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseTimestamp(s, true, nil)
		d, err := ParseDate(s, nil)
		if err != nil {
			return
		}
		out := string(AppendDate(nil, d))
		d2, err := ParseDate(out, nil)
		if err != nil || d2 != d {
			t.Fatalf("%q -> %q -> %d, %v (want %d)", s, out, d2, err, d)
		}
	})
}
