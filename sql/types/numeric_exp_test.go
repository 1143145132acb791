package types

import (
	"errors"
	"strings"
	"testing"
)

// Exponents far beyond what a value can hold: PostgreSQL 15 answers a zero
// coefficient with zero (no 10^exp is ever built: 0E00100000000 once took
// minutes here), and a scale beyond the limit with 22003. Expected values
// are PostgreSQL 15's.
func TestNumericHugeExponents(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = numeric overflow
	}{
		{"0E00100000000", "0"},
		{"0e1001", "0"},
		{"0e100000", "0"},
		{"0.000e5", "0"},
		{"1e1000", "1" + strings.Repeat("0", 1000)},
		{"1e-1001", "0." + strings.Repeat("0", 1000) + "1"},
		{"0e-1001", "0." + strings.Repeat("0", 1001)},
		{"0e-100000", ""},
		{"1e100000000", ""},
	} {
		n, err := ParseNumeric(tc.in)
		if tc.want == "" {
			if !errors.Is(err, errNumericOverflow) {
				t.Errorf("%s: got %v, %v; want numeric overflow", tc.in, n, err)
			}
			continue
		}
		if err != nil || n.String() != tc.want {
			t.Errorf("%s: got %v, %v; want %s", tc.in, n, err, tc.want)
		}
	}
}
