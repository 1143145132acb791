package types

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

type ioCase struct {
	typ   string // SQL type name as written
	input string
}

func ioCases() []ioCase {
	var cs []ioCase
	add := func(typ string, inputs ...string) {
		for _, in := range inputs {
			cs = append(cs, ioCase{typ, in})
		}
	}
	add("int4", "0", "-0", " 42 ", "+7", "2147483647", "-2147483648", "2147483648", "-2147483649",
		"abc", "", "12a", "1.5", " - 1", "99999999999999999999999", "\t5\n")
	add("int2", "32767", "-32768", "32768", "x", "-0012")
	add("int8", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "1e3")
	add("numeric", "0", "-0", "1.50", "-1.50", ".5", "5.", "1e3", "1.5e-3", "1e-20", "1E+5",
		"123456789012345678901234567890.123456789", "NaN", "nan", " Infinity ", "-infinity", "+Infinity",
		"inf", "abc", "1e", "1e1001", "1e-1001", "0.0000", "-0.001", "9999.99995", ".", "-", "1.2.3",
		"0.00012345", "100000000", "12345678.87654321", "-0.0000000000000000000001", "  12  ", "1 2")
	add("numeric(5,2)", "123.456", "999.995", "999.994", "-999.994", "1000", "NaN", "Infinity", "0.001", "0.005")
	add("numeric(3,0)", "999.5", "999.4", "-999.5")
	add("numeric(2,-1)", "94", "95", "-949")
	add("numeric(4,4)", "0.99995", "0.12345")
	add("float8", "0", "-0", "1", "1.5", "0.1", "1e20", "1e15", "1e14", "123456789012345678", "1e-4", "1e-5",
		"0.0001234", "-1.5e-7", "3.141592653589793", "NaN", "Infinity", "-Infinity", "inf", "-inf", "+infinity",
		"1e400", "-1e400", "1e-400", "abc", " 2.5 ", "4.9e-324", "1.7976931348623157e308", "100", "123456789012345.6",
		"1234567890123456.7", "0.3", "2.5e-310", "", "1_000", "12e", "0.1e1")
	add("bool", "t", "true", "TRUE", "yes", "y", "on", "off", "of", "o", "1", "0", "f", "no", "n", "abc",
		"tr", "  true  ", "2", "", "truex", "ye", "ON")
	add("text", "hello", "", " a ", "é€")
	add("varchar(3)", "abc", "abcd", "ab   ", "ab  x", "é€x", "é€xy", "é€x  ", "")
	add("varchar", "anything at all")
	add("char(3)", "a", "abc", "abc  ", "abcd", "ab", "", "é")
	add("char", "x", "xy", "x ")
	add("date", "2024-01-02", "2024-02-30", "2024-02-29", "2023-02-29", "2024-13-01", "20240102", "1/2/2024",
		"infinity", "-infinity", "epoch", "0001-01-01", "2024-01-02 10:00", "abc", "4713-01-01 BC",
		"5874897-12-31", "1999-12-31", "2000-01-01", " 2024-06-30 ", "2024-00-10", "2024-1-5", "0044-03-15 BC")
	add("timestamp", "2024-01-02 03:04:05", "2024-01-02T03:04:05.123456", "2024-01-02 03:04:05.1234567",
		"2024-01-02", "2024-01-02 24:00:00", "2024-01-02 25:00:00", "2024-01-02 03:04:05+02", "infinity",
		"-infinity", "epoch", "abc", "1999-12-31 23:59:59.999999", "0044-03-15 12:00:00 BC", "2024-01-02 03:60:00",
		"2024-01-02 03:04", "1900-01-01 00:00:00.5", "2024-01-02 3:4:5")
	add("timestamp(2)", "2024-01-02 03:04:05.125", "2024-01-02 03:04:05.994999")
	add("timestamptz", "2024-01-02 03:04:05", "2024-01-02 03:04:05+02", "2024-01-02 03:04:05-03:30",
		"2024-07-01 12:00:00 America/New_York", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5Z", "infinity",
		"2024-07-01 12:00:00", "1999-12-31 23:59:59.999999+00", "2024-01-02 03:04:05 UTC", "2024-01-02 03:04:05 Nowhere/Zone",
		"1900-06-01 00:00:00", "2024-01-02 03:04:05+0530", "2024-03-10 02:30:00", "2024-11-03 01:30:00",
		"2024-03-31 02:30:00 Europe/Berlin", "2024-10-27 02:30:00 Europe/Berlin", "1883-11-18 12:00:00")
	cs = append(cs, newIOCases()...)
	return cs
}

// TestAgainstPostgres starts one PostgreSQL 15 and compares text input and
// output, binary formats, error codes and messages, arithmetic, casts and
// type names with it.
func TestAgainstPostgres(t *testing.T) {
	conn := pgtest.Start(t)
	t.Run("TextIO", func(t *testing.T) { testTextIO(t, conn) })
	t.Run("Arith", func(t *testing.T) { testArith(t, conn) })
	t.Run("Casts", func(t *testing.T) { testCasts(t, conn) })
	t.Run("FormatType", func(t *testing.T) { testFormatType(t, conn) })
	t.Run("Random", func(t *testing.T) { testRandom(t, conn) })
	t.Run("NewTypeOps", func(t *testing.T) { testNewTypeOps(t, conn) })
	t.Run("NewTypeOrder", func(t *testing.T) { testNewTypeOrder(t, conn) })
	t.Run("NewTypeRandom", func(t *testing.T) { testNewTypeRandom(t, conn) })
	t.Run("IntervalTypmods", func(t *testing.T) { testIntervalTypmods(t, conn) })
}

// testTextIO compares text input, text output, binary send/recv and errors.
func testTextIO(t *testing.T, conn *pgconn.PgConn) {
	for _, tz := range []string{"UTC", "America/New_York", "Asia/Kolkata"} {
		pgtest.Exec(t, conn, "SET TimeZone = "+pgtest.QuoteLit(tz))
		loc, err := LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{Location: loc}
		for _, c := range ioCases() {
			if tz != "UTC" && c.typ != "timestamptz" && c.typ != "date" {
				continue
			}
			typ := mustType(t, c.typ)
			name := fmt.Sprintf("%s/%s/%q", tz, c.typ, c.input)
			// Assignment to a column applies the input function and the
			// typmod, as ParseText does.
			pgtest.Exec(t, conn, "DROP TABLE IF EXISTS io; CREATE TEMP TABLE io (v "+c.typ+")")
			ins := pgtest.Query(t, conn, "INSERT INTO io VALUES ("+pgtest.QuoteLit(c.input)+") RETURNING v")
			got, gerr := ParseText(typ, c.input, env)
			if ins.Code != "" {
				if gerr == nil {
					t.Errorf("%s: PostgreSQL error %s %q, we accepted %q", name, ins.Code, ins.Msg, FormatText(typ, got, env))
					continue
				}
				code, msg := errCodeMsg(gerr)
				if code != ins.Code || msg != ins.Msg {
					t.Errorf("%s: error: got %s %q, PostgreSQL %s %q", name, code, msg, ins.Code, ins.Msg)
				}
				if e, ok := gerr.(*Error); ok && (typ.OID == OIDJSONB || typ.IsArray()) && e.Detail != ins.Detail {
					t.Errorf("%s: DETAIL %q, PostgreSQL %q", name, e.Detail, ins.Detail)
				}
				continue
			}
			if gerr != nil {
				t.Errorf("%s: we failed (%v), PostgreSQL gave %q", name, gerr, ins.Text)
				continue
			}
			if txt := FormatText(typ, got, env); txt != ins.Text {
				t.Errorf("%s: text out %q, PostgreSQL %q", name, txt, ins.Text)
			}
			bin, err := AppendBinary(nil, typ, got)
			if err != nil {
				t.Errorf("%s: send: %v", name, err)
			} else if !bytes.Equal(bin, ins.Bin) {
				t.Errorf("%s: binary %x, PostgreSQL %x", name, bin, ins.Bin)
			}
			back, err := ParseBinary(typ, ins.Bin)
			if err != nil || CompareAs(typ, back, got) != 0 {
				t.Errorf("%s: recv(PostgreSQL binary) = %v, %v", name, back, err)
			}
		}
	}
}

func mustType(t testing.TB, name string) Type {
	t.Helper()
	base, mods := splitTypeName(name)
	typ, err := LookupType(base, mods)
	if err != nil {
		t.Fatalf("type %s: %v", name, err)
	}
	return typ
}

func splitTypeName(name string) (string, []int32) {
	var mods []int32
	if i := bytes.IndexByte([]byte(name), '('); i >= 0 {
		var a, b int32
		if n, _ := fmt.Sscanf(name[i:], "(%d,%d)", &a, &b); n == 2 {
			mods = []int32{a, b}
		} else if n, _ := fmt.Sscanf(name[i:], "(%d)", &a); n == 1 {
			mods = []int32{a}
		}
		rest := ""
		if j := bytes.IndexByte([]byte(name), ')'); j > i {
			rest = name[j+1:]
		}
		name = name[:i] + rest
		if strings.HasPrefix(name, "interval") && len(mods) == 1 {
			mods = []int32{intervalFullRange, mods[0]} // interval(p), as the grammar gives it
		}
	}
	return name, mods
}

type opCase struct {
	lt, l string
	op    ArithOp
	rt, r string
}

func testArith(t *testing.T, conn *pgconn.PgConn) {
	cases := []opCase{
		{"int4", "2147483647", OpAdd, "int4", "1"}, {"int4", "-2147483648", OpSub, "int4", "1"},
		{"int4", "65536", OpMul, "int4", "65536"}, {"int4", "-2147483648", OpDiv, "int4", "-1"},
		{"int4", "-2147483648", OpMod, "int4", "-1"}, {"int4", "7", OpDiv, "int4", "2"}, {"int4", "-7", OpDiv, "int4", "2"},
		{"int4", "-7", OpMod, "int4", "3"}, {"int4", "1", OpDiv, "int4", "0"}, {"int4", "1", OpMod, "int4", "0"},
		{"int2", "32767", OpAdd, "int2", "1"}, {"int2", "300", OpMul, "int2", "300"}, {"int2", "300", OpMul, "int4", "300"},
		{"int8", "9223372036854775807", OpAdd, "int8", "1"}, {"int8", "-9223372036854775808", OpDiv, "int8", "-1"},
		{"int8", "3037000500", OpMul, "int8", "3037000500"}, {"int4", "5", OpAdd, "int8", "5"},
		{"numeric", "1", OpDiv, "numeric", "3"}, {"numeric", "10", OpDiv, "numeric", "4"}, {"numeric", "2", OpDiv, "numeric", "3"},
		{"numeric", "1.000", OpDiv, "numeric", "7"}, {"numeric", "12345678901234567890", OpDiv, "numeric", "0.0003"},
		{"numeric", "0.0001", OpDiv, "numeric", "3"}, {"numeric", "1", OpDiv, "numeric", "0"}, {"numeric", "-5.5", OpMod, "numeric", "2"},
		{"numeric", "1.5", OpMul, "numeric", "1.25"}, {"numeric", "1.50", OpAdd, "numeric", "1.5"}, {"numeric", "-0.5", OpDiv, "numeric", "3"},
		{"numeric", "NaN", OpAdd, "numeric", "1"}, {"numeric", "Infinity", OpSub, "numeric", "Infinity"},
		{"numeric", "Infinity", OpMul, "numeric", "0"}, {"numeric", "5", OpDiv, "numeric", "Infinity"},
		{"int4", "10", OpDiv, "numeric", "4"}, {"int8", "7", OpMod, "numeric", "2.5"}, {"numeric", "999999999", OpDiv, "numeric", "0.001"},
		{"numeric", "2", OpDiv, "numeric", "30000"}, {"numeric", "9999", OpDiv, "numeric", "10000"},
		{"float8", "1", OpDiv, "float8", "3"}, {"float8", "1e308", OpMul, "float8", "10"}, {"float8", "1", OpDiv, "float8", "0"},
		{"float8", "1e-300", OpMul, "float8", "1e-300"}, {"float8", "0.1", OpAdd, "float8", "0.2"}, {"int4", "1", OpAdd, "float8", "0.5"},
		{"numeric", "1.5", OpAdd, "float8", "1"}, {"date", "2024-01-31", OpAdd, "int4", "30"}, {"date", "2024-03-01", OpSub, "date", "2024-01-01"},
		{"date", "2024-03-01", OpSub, "int4", "1"},
	}
	for _, c := range cases {
		sql := fmt.Sprintf("SELECT %s::%s %s %s::%s", pgtest.QuoteLit(c.l), c.lt, c.op, pgtest.QuoteLit(c.r), c.rt)
		want := pgtest.Query(t, conn, sql)
		lt, rt := mustType(t, c.lt), mustType(t, c.rt)
		a, err1 := ParseText(lt, c.l, nil)
		b, err2 := ParseText(rt, c.r, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: operands: %v %v", sql, err1, err2)
		}
		got, res, err := Arith(c.op, lt, a, rt, b)
		if want.Code != "" {
			code, msg := "", ""
			if err != nil {
				code, msg = errCodeMsg(err)
			}
			if code != want.Code || msg != want.Msg {
				t.Errorf("%s: got %v (%s %q), PostgreSQL %s %q", sql, got, code, msg, want.Code, want.Msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v, PostgreSQL %q", sql, err, want.Text)
			continue
		}
		if txt := FormatText(res, got, nil); txt != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", sql, txt, want.Text)
		}
		if bin, _ := AppendBinary(nil, res, got); !bytes.Equal(bin, want.Bin) {
			t.Errorf("%s: binary %x, PostgreSQL %x (type %s)", sql, bin, want.Bin, res)
		}
	}
}

func testCasts(t *testing.T, conn *pgconn.PgConn) {
	pgtest.Exec(t, conn, "SET TimeZone = 'America/New_York'")
	defer pgtest.Exec(t, conn, "RESET TimeZone")
	loc, _ := time.LoadLocation("America/New_York")
	env := &Env{Location: loc}
	cases := []struct{ from, v, to string }{
		{"float8", "2.5", "int4"}, {"float8", "3.5", "int4"}, {"float8", "-2.5", "int8"}, {"float8", "1e10", "int4"},
		{"float8", "NaN", "int4"}, {"numeric", "2.5", "int4"}, {"numeric", "-2.5", "int4"}, {"numeric", "NaN", "int8"},
		{"numeric", "1e20", "int8"}, {"numeric", "40000", "int2"}, {"int8", "3000000000", "int4"}, {"int4", "70000", "int2"},
		{"float8", "1e20", "numeric"}, {"float8", "0.1", "numeric"}, {"float8", "1.0000000000000002", "numeric"},
		{"numeric", "0.1", "float8"}, {"numeric", "123.456", "numeric(4,1)"}, {"numeric", "1234.5", "numeric(4,1)"},
		{"bool", "true", "text"}, {"bool", "false", "varchar(3)"}, {"int4", "5", "bool"}, {"int4", "0", "bool"},
		{"bool", "t", "int4"}, {"int4", "12345", "text"}, {"int4", "12345", "varchar(3)"}, {"int4", "12345", "char(3)"},
		{"text", "abcd", "varchar(2)"}, {"text", "abcd", "char(2)"}, {"char(5)", "ab", "text"}, {"char(5)", "ab", "varchar(4)"},
		{"text", "42", "int4"}, {"text", "x", "int4"}, {"text", "1.5", "numeric"}, {"varchar", "t", "bool"},
		{"timestamp", "2024-07-01 12:34:56.789", "date"}, {"timestamptz", "2024-07-01 02:00:00+00", "date"},
		{"timestamptz", "2024-07-01 12:00:00+00", "timestamp"}, {"timestamp", "2024-01-15 08:00:00", "timestamptz"},
		{"date", "2024-03-10", "timestamptz"}, {"date", "2024-03-10", "timestamp"}, {"date", "infinity", "timestamp"},
		{"timestamp", "2024-01-02 03:04:05.678901", "timestamp(1)"}, {"float8", "1.5e300", "text"}, {"numeric", "1.50", "text"},
		{"timestamptz", "2024-01-02 03:04:05+00", "text"}, {"int2", "7", "float8"}, {"timestamp", "2024-03-10 02:30:00", "timestamptz"}, {"timestamp", "2024-11-03 01:30:00", "timestamptz"},
		{"timestamptz", "2024-11-03 05:30:00+00", "timestamp"}, {"timestamptz", "2024-11-03 06:30:00+00", "date"}, {"int8", "9007199254740993", "float8"},
	}
	for _, c := range cases {
		sql := fmt.Sprintf("SELECT CAST(%s::%s AS %s)", pgtest.QuoteLit(c.v), c.from, c.to)
		want := pgtest.Query(t, conn, sql)
		from, to := mustType(t, c.from), mustType(t, c.to)
		src, err := ParseText(from, c.v, env)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if _, ok := CastContext(from.OID, to.OID); !ok {
			t.Errorf("%s: CastContext says no cast", sql)
		}
		got, err := Cast(src, from, to, CoerceExplicit, env)
		if want.Code != "" {
			code, msg := "", ""
			if err != nil {
				code, msg = errCodeMsg(err)
			}
			if code != want.Code || msg != want.Msg {
				t.Errorf("%s: got (%s %q), PostgreSQL %s %q", sql, code, msg, want.Code, want.Msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v, PostgreSQL %q", sql, err, want.Text)
			continue
		}
		if txt := FormatText(to, got, env); txt != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", sql, txt, want.Text)
		}
		if bin, _ := AppendBinary(nil, to, got); !bytes.Equal(bin, want.Bin) {
			t.Errorf("%s: binary %x, PostgreSQL %x", sql, bin, want.Bin)
		}
	}
}

func testFormatType(t *testing.T, conn *pgconn.PgConn) {
	for _, name := range []string{"int2", "int4", "int8", "numeric", "numeric(10,2)", "numeric(5)", "float8", "text",
		"varchar", "varchar(20)", "char(22)", "char", "bool", "timestamp", "timestamptz", "timestamp(3)", "date",
		"bytea", "interval", "interval(3)", "uuid", "jsonb", "int4[]", "_int4", "integer[][]", "varchar(10)[]", "numeric(8,2)[]",
		"text[]", "bool[]", "int2[]", "int8[]", "float8[]", "char(3)[]", "date[]", "timestamp[]", "timestamptz(2)[]",
		"uuid[]", "bytea[]", "interval[]", "jsonb[]", "numeric[]"} {
		pgtest.Exec(t, conn, "DROP TABLE IF EXISTS ft; CREATE TEMP TABLE ft (v "+name+")")
		want := pgtest.Query(t, conn, "SELECT format_type(atttypid, atttypmod) || ' ' || atttypid || ' ' || atttypmod || ' ' || typlen FROM pg_attribute JOIN pg_type ON atttypid = pg_type.oid WHERE attrelid = 'ft'::regclass AND attname = 'v'")
		typ := mustType(t, name)
		got := fmt.Sprintf("%s %d %d %d", typ, typ.OID, typ.Typmod, typ.Len())
		if got != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", name, got, want.Text)
		}
	}
}
