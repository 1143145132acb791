package pgcatalog

import (
	"testing"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// TestCheckExpr: expected texts are PostgreSQL 15's pg_get_constraintdef.
func TestCheckExpr(t *testing.T) {
	tab := &catalog.Table{Name: "ck", Columns: []catalog.Column{
		{Name: "a", Type: types.Type{OID: types.OIDNumeric, Typmod: -1}},
		{Name: "b", Type: types.Float8},
		{Name: "c", Type: types.Int4},
	}}
	for _, tc := range []struct{ in, want string }{
		{"a > 5", "a > 5::numeric"},
		{"b <> 0", "b <> 0::double precision"},
		{"c > 1", "c > 1"},
		{"a > -1", "a > -1"}, // not recognized: as stored
		{"nosuch > 1", "nosuch > 1"},
		{"((", "(("},
	} {
		if got := checkExpr(tab, tc.in); got != tc.want {
			t.Errorf("checkExpr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
