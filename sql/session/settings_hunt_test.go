package session

import (
	"errors"
	"testing"

	"github.com/borealis-db/borealis/wire"
)

// TestCheckSettingRefusesIgnoredValues: settings whose values Borealis would
// accept and then ignore (answering differently from PostgreSQL) are 0A000.
func TestCheckSettingRefusesIgnoredValues(t *testing.T) {
	for _, c := range []struct {
		name, value, want string // want "" means refused with 0A000
	}{
		{"datestyle", "ISO, MDY", "ISO, MDY"},
		{"datestyle", "iso", "ISO, MDY"},
		{"datestyle", "ISO, DMY", ""},
		{"datestyle", "ymd, iso", ""},
		{"datestyle", "ISO, European", ""},
		{"datestyle", "German", ""},
		{"extra_float_digits", "3", "3"},
		{"extra_float_digits", "1", "1"},
		{"extra_float_digits", "0", ""},
		{"extra_float_digits", "-15", ""},
	} {
		got, err := checkSetting(c.name, c.value)
		if c.want == "" {
			var we *wire.Error
			if !errors.As(err, &we) || we.Code != wire.CodeFeatureNotSupported {
				t.Errorf("%s = %q: %v, want 0A000", c.name, c.value, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %q: %q, %v; want %q", c.name, c.value, got, err, c.want)
		}
	}
}
