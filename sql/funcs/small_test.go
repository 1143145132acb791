package funcs

import (
	"errors"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestArrayFill checks array_fill against PostgreSQL 15's answers.
func TestArrayFill(t *testing.T) {
	i4a := types.Type{OID: types.OIDInt4Array, Typmod: -1}
	arr := func(s string) types.Datum {
		if s == "null" {
			return types.Null
		}
		a, err := types.ParseArray(types.Int4, s, nil)
		if err != nil {
			t.Fatalf("ParseArray(%q): %v", s, err)
		}
		return types.NewArray(a)
	}
	cases := []struct {
		val        types.Datum
		dims, lbs  string
		want, code string
	}{
		{types.NewInt(7), "{2,2}", "", "{{7,7},{7,7}}", ""},
		{types.NewInt(0), "{3}", "{0}", "[0:2]={0,0,0}", ""},
		{types.NewInt(1), "{2,2}", "{0,5}", "[0:1][5:6]={{1,1},{1,1}}", ""},
		{types.NewInt(1), "{0}", "", "{}", ""},
		{types.NewInt(1), "{}", "", "{}", ""},
		{types.Null, "{2}", "", "{NULL,NULL}", ""},
		{types.NewInt(1), "{-1}", "", "", "54000"},
		{types.NewInt(1), "null", "", "", "22004"},
		{types.NewInt(1), "{NULL}", "", "", "22004"},
		{types.NewInt(1), "{{1}}", "", "", "2202E"},
		{types.NewInt(1), "{2}", "{1,2}", "", "2202E"},
		{types.NewInt(1), "{100000,100000}", "", "", "54000"},
		{types.NewInt(1), "{1,1,1,1,1,1,1}", "", "", "54000"},
	}
	for _, c := range cases {
		args := []types.Datum{c.val, arr(c.dims)}
		if c.lbs != "" {
			args = append(args, arr(c.lbs))
		}
		got, err := arrayFill(nil, args, nil)
		if c.code != "" {
			var e *types.Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Errorf("array_fill(%v, %s, %s): err %v, want %s", c.val, c.dims, c.lbs, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("array_fill(%v, %s, %s): %v", c.val, c.dims, c.lbs, err)
			continue
		}
		if s := types.FormatText(i4a, got, nil); s != c.want {
			t.Errorf("array_fill(%v, %s, %s) = %s, want %s", c.val, c.dims, c.lbs, s, c.want)
		}
	}
}

// TestSetSeed checks that setseed makes random() PostgreSQL 15's sequence
// (values from PostgreSQL 15) and that the range is enforced.
func TestSetSeed(t *testing.T) {
	cases := []struct {
		seed float64
		want []float64
	}{
		{0.5, []float64{0.9851677175347999, 0.825301858027981}},
		{-1, []float64{0.725656831544149}},
		{0, []float64{0.8702553105818676}},
	}
	var r SessionRand
	for _, c := range cases {
		if err := r.SetSeed(c.seed); err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if got := r.Float64(); got != w {
				t.Errorf("setseed(%v): random #%d = %v, want %v", c.seed, i+1, got, w)
			}
		}
	}
	for _, bad := range []float64{2, -1.5} {
		var e *types.Error
		if err := r.SetSeed(bad); !errors.As(err, &e) || e.Code != "22023" {
			t.Errorf("setseed(%v): %v, want 22023", bad, err)
		}
	}
	var fresh SessionRand
	for i := 0; i < 1000; i++ {
		if v := fresh.Float64(); v < 0 || v >= 1 {
			t.Fatalf("random() = %v out of [0,1)", v)
		}
	}
}
