package types

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// TestTimeAgainstPostgres compares time and timetz input (text and
// binary), output, arithmetic, casts and ordering with PostgreSQL 15.
func TestTimeAgainstPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	pgtest.Exec(t, conn, "SET TimeZone = 'UTC'")
	check := func(name, sql string, got Datum, typ Type, gerr error) {
		t.Helper()
		want := pgtest.Query(t, conn, sql)
		if want.Code != "" {
			code := ""
			if gerr != nil {
				code, _ = errCodeMsg(gerr)
			}
			if code != want.Code {
				t.Errorf("%s: got %v (%v), PostgreSQL %s %q", name, got, gerr, want.Code, want.Msg)
			}
			return
		}
		if gerr != nil {
			t.Errorf("%s: %v, PostgreSQL %q", name, gerr, want.Text)
			return
		}
		if txt := FormatText(typ, got, nil); txt != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", name, txt, want.Text)
		}
		if bin, err := AppendBinary(nil, typ, got); err != nil || !bytes.Equal(bin, want.Bin) {
			t.Errorf("%s: binary %x (%v), PostgreSQL %x", name, bin, err, want.Bin)
		} else if back, err := ParseBinary(typ, want.Bin); err != nil || CompareAs(typ, back, got) != 0 {
			t.Errorf("%s: recv = %v, %v", name, back, err)
		}
	}
	inputs := map[string][]string{
		"time": {"10:30", "10:30:15", "10:30:15.123456", "10:30:15.1234567", "24:00", "24:00:01", "25:00", "00:00",
			"23:59:59.999999", "10:30 pm", "12:15 am", "12:15 pm", "13:00 pm", "2024-01-02 03:04:05", "allballs",
			"abc", "", "10", "10:3", "10:30:60", "10:60", "T10:30", "10:30+02", "1:2:3", " 10:30 "},
		"time(0)":   {"10:30:15.5", "23:59:59.6"},
		"time(3)":   {"10:30:15.12345"},
		"timetz":    {"10:30+02", "10:30:00-05:30", "10:30 UTC", "10:30:00.5+05:45", "10:30", "10:30z", "10:30+0200", "10:30-15:59", "10:30+16", "10:30 nowhere", "10:30+02:30:15"},
		"timetz(1)": {"10:30:15.25+01"},
	}
	for typName, ins := range inputs {
		typ := mustType(t, typName)
		for _, in := range ins {
			got, err := ParseText(typ, in, nil)
			sql := fmt.Sprintf("SELECT %s::%s", pgtest.QuoteLit(in), typName)
			check(sql, sql, got, typ, err)
		}
	}
	ops := []struct {
		lt, l string
		op    ArithOp
		rt, r string
	}{
		{"time", "10:30", OpAdd, "interval", "2 hours"}, {"time", "23:30", OpAdd, "interval", "1 hour"},
		{"time", "01:00", OpSub, "interval", "2 hours"}, {"interval", "1 day 90 minutes", OpAdd, "time", "10:00"},
		{"time", "10:30", OpSub, "time", "08:15:30.5"}, {"time", "08:15", OpSub, "time", "10:30"},
		{"date", "2024-01-02", OpAdd, "time", "10:30"}, {"time", "24:00", OpAdd, "date", "2024-01-02"},
		{"date", "2024-01-02", OpAdd, "timetz", "10:30+02"}, {"timetz", "23:30-01", OpAdd, "interval", "45 minutes"},
		{"date", "infinity", OpAdd, "time", "10:30"},
	}
	for _, c := range ops {
		sql := fmt.Sprintf("SELECT %s::%s %s %s::%s", pgtest.QuoteLit(c.l), c.lt, c.op, pgtest.QuoteLit(c.r), c.rt)
		lt, rt := mustType(t, c.lt), mustType(t, c.rt)
		a, err1 := ParseText(lt, c.l, nil)
		b, err2 := ParseText(rt, c.r, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: operands: %v %v", sql, err1, err2)
		}
		got, res, err := Arith(c.op, lt, a, rt, b)
		check(sql, sql, got, res, err)
	}
	casts := []struct{ from, v, to string }{
		{"timestamp", "2024-01-02 03:04:05.5", "time"}, {"timestamptz", "2024-01-02 03:04:05+02", "time"},
		{"timestamptz", "2024-01-02 03:04:05+02", "timetz"}, {"time", "10:30", "interval"}, {"interval", "26 hours 5 minutes", "time"},
		{"interval", "-1 hour", "time"}, {"timetz", "10:30+02", "time"}, {"time", "10:30", "timetz"}, {"time", "10:30:15.5", "text"},
		{"timetz", "10:30+05:30", "varchar"}, {"text", "10:30", "time"}, {"time", "10:30:15.56", "time(1)"},
	}
	for _, c := range casts {
		sql := fmt.Sprintf("SELECT CAST(%s::%s AS %s)", pgtest.QuoteLit(c.v), c.from, c.to)
		from, to := mustType(t, c.from), mustType(t, c.to)
		src, err := ParseText(from, c.v, nil)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if _, ok := CastContext(from.OID, to.OID); !ok {
			t.Errorf("%s: CastContext says no cast", sql)
		}
		got, err := Cast(src, from, to, CoerceExplicit, nil)
		check(sql, sql, got, to, err)
	}
	// Ordering of timetz: by instant, then zone; keys order the same way.
	vals := []string{"10:30+02", "08:30+00", "09:00+00", "08:30-01", "23:59:59-11", "00:00+11"}
	for _, a := range vals {
		for _, b := range vals {
			want := pgtest.Query(t, conn, fmt.Sprintf("SELECT CASE WHEN %s::timetz < %s::timetz THEN -1 WHEN %[1]s::timetz = %[2]s::timetz THEN 0 ELSE 1 END",
				pgtest.QuoteLit(a), pgtest.QuoteLit(b)))
			da, _ := ParseText(Timetz, a, nil)
			db, _ := ParseText(Timetz, b, nil)
			got := Compare(da, db)
			if fmt.Sprint(got) != want.Text {
				t.Errorf("timetz %s vs %s: %d, PostgreSQL %s", a, b, got, want.Text)
			}
			ka, kb := AppendKey(nil, Timetz, da, false), AppendKey(nil, Timetz, db, false)
			if bytes.Compare(ka, kb) != got {
				t.Errorf("timetz key %s vs %s: %d, Compare %d", a, b, bytes.Compare(ka, kb), got)
			}
			if back, _, err := DecodeKey(kb, Timetz, false); err != nil || Compare(back, db) != 0 || back.TimetzZone() != db.TimetzZone() {
				t.Errorf("timetz key %s decodes to %v, %v", b, back, err)
			}
		}
	}
}

// TestTimeStorage checks the tuple encoding of time and timetz.
func TestTimeStorage(t *testing.T) {
	typs := []Type{Time, Timetz, Time}
	row := []Datum{NewTime(37800e6), NewTimetz(1, -7200), Null}
	enc, err := AppendTuple(nil, typs, row)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeTuple(enc, typs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dec[0] != row[0] || dec[1] != row[1] || !dec[2].IsNull() {
		t.Fatalf("decoded %v, want %v", dec, row)
	}
	if _, err := DecodeTuple(enc[:len(enc)-1], typs, nil); err == nil {
		t.Fatal("truncated tuple decoded")
	}
}

// FuzzParseTime checks that time/timetz input never panics and that what
// it accepts prints and parses back to the same value.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"10:30", "24:00", "10:30 pm", "10:30+02", "2024-01-02 03:04:05", "allballs", "25:00", "10:30 Europe/Berlin"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, tz bool) {
		typ := Time
		if tz {
			typ = Timetz
		}
		d, err := ParseText(typ, s, nil)
		if err != nil {
			return
		}
		out := FormatText(typ, d, nil)
		back, err := ParseText(typ, out, nil)
		if err != nil || back != d {
			t.Fatalf("%q → %q → %v, %v", s, out, back, err)
		}
	})
}
