package funcs

import (
	"errors"
	"testing"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// fuzzErr fails on errors that are not SQL errors (every failure a user
// can cause must carry a SQLSTATE).
func fuzzErr(t *testing.T, err error) {
	var e *types.Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("error without SQLSTATE: %v", err)
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"%s", "%I %L", "%1$s %2$I", "%-10s|", "%*s", "%*1$s", "%%", "%", "%5", "%0$s", "%x", "%2147483648s"} {
		f.Add(s, "arg", int64(3))
	}
	f.Fuzz(func(t *testing.T, format, a string, n int64) {
		d, err := formatText(nil, format, []types.Datum{types.NewString(a), types.NewInt(n), types.Null},
			[]types.Type{types.Text, types.Int8, types.Text})
		fuzzErr(t, err)
		if err == nil && d.IsNull() {
			t.Fatal("format returned NULL for a non-NULL format")
		}
	})
}

func FuzzToCharNumber(f *testing.F) {
	for _, s := range []string{"999.99", "FM9,999", "0000", "S99", "99PR", "99MI", "9th", "\"x\"9", "9.9.9", "PLSG9", "D99G9"} {
		f.Add("123.45", s)
	}
	f.Fuzz(func(t *testing.T, num, pattern string) {
		n, err := types.ParseNumeric(num)
		if err != nil {
			return
		}
		_, err = toCharNumber(types.NewNumeric(n), pattern)
		fuzzErr(t, err)
		_, err = toCharNumber(types.NewInt(int64(len(num))*-7919), pattern)
		fuzzErr(t, err)
		_, err = toCharNumber(types.NewFloat(float64(len(pattern))/3), pattern)
		fuzzErr(t, err)
	})
}

func FuzzToCharTime(f *testing.F) {
	for _, s := range []string{"YYYY-MM-DD HH24:MI:SS.US", "FMDay, DDth Month", "\"quoted\\\"\" Y,YYY", "IYYY-IW-ID", "TZ OF TZH:TZM", "RM rm J Q CC", "FF1FF6"} {
		f.Add(int64(7e14), s)
	}
	f.Fuzz(func(t *testing.T, us int64, pattern string) {
		if us < -211813488000000000 || us > 9223371331200000000 {
			return
		}
		_, err := toCharTime(us, pattern, true, civil{tzName: "UTC"})
		fuzzErr(t, err)
		_, err = toCharInterval(types.Interval{Months: int32(us % 100000), Days: int32(us % 977), Micros: us}, pattern)
		fuzzErr(t, err)
	})
}

func FuzzParseByFormat(f *testing.F) {
	for _, c := range [][2]string{{"2024-03-05", "YYYY-MM-DD"}, {"05 Mar 2024", "DD Mon YYYY"}, {"20240305", "YYYYMMDD"},
		{"12:30 PM", "HH:MI AM"}, {"2460385", "J"}, {"2024 100", "YYYY DDD"}, {"+05:30", "TZH:TZM"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, format string) {
		p, err := parseByFormat(s, format)
		fuzzErr(t, err)
		if err == nil {
			_ = p.civil().micros()
		}
	})
}

func FuzzResolve(f *testing.F) {
	f.Add("lpad", []byte{1, 2})
	f.Add("array_append", []byte{20, 3})
	f.Add("concat", []byte{0, 0, 0})
	reg := Builtins()
	all := types.AllTypes()
	f.Fuzz(func(t *testing.T, name string, argSel []byte) {
		if len(argSel) > 8 {
			argSel = argSel[:8]
		}
		args := make([]types.Type, len(argSel))
		for i, b := range argSel {
			args[i] = types.Type{OID: all[int(b)%len(all)].OID, Typmod: -1}
		}
		fn, params, err := reg.Resolve(name, args)
		fuzzErr(t, err)
		if err == nil {
			if len(params) != len(args) {
				t.Fatalf("%d params for %d args", len(params), len(args))
			}
			_ = fn.ResultType(params)
		}
	})
}

func FuzzStringFuncs(f *testing.F) {
	f.Add("hello, world", "o", int64(2), int64(3))
	f.Add("ééé", "", int64(-1), int64(0))
	reg := Builtins()
	c := &Context{Env: &types.Env{Location: time.UTC}}
	f.Fuzz(func(t *testing.T, s, p string, a, b int64) {
		a, b = a%1000, b%1000
		S, P := types.NewString(s), types.NewString(p)
		A, B := types.NewInt(a), types.NewInt(b)
		calls := []struct {
			name string
			args []types.Datum
			ts   []types.Type
		}{
			{"substr", []types.Datum{S, A, B}, []types.Type{types.Text, types.Int4, types.Int4}},
			{"lpad", []types.Datum{S, A, P}, []types.Type{types.Text, types.Int4, types.Text}},
			{"split_part", []types.Datum{S, P, A}, []types.Type{types.Text, types.Text, types.Int4}},
			{"regexp_replace", []types.Datum{S, P, S, P}, []types.Type{types.Text, types.Text, types.Text, types.Text}},
			{"regexp_split_to_array", []types.Datum{S, P}, []types.Type{types.Text, types.Text}},
			{"translate", []types.Datum{S, P, S}, []types.Type{types.Text, types.Text, types.Text}},
			{"overlay", []types.Datum{S, P, A, B}, []types.Type{types.Text, types.Text, types.Int4, types.Int4}},
			{"decode", []types.Datum{S, P}, []types.Type{types.Text, types.Text}},
			{"to_date", []types.Datum{S, P}, []types.Type{types.Text, types.Text}},
			{"date_trunc", []types.Datum{P, types.NewTimestamp(a * 1e9)}, []types.Type{types.Text, types.Timestamp}},
			{"extract", []types.Datum{P, types.NewTimestamptz(b * 1e9)}, []types.Type{types.Text, types.Timestamptz}},
		}
		for _, cl := range calls {
			_, _, err := callFunc(reg, c, cl.name, cl.args, cl.ts)
			fuzzErr(t, err)
		}
	})
}
