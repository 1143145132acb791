package types

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/types/pgtest"
)

// newIOCases are the text input cases of bytea, interval, uuid, jsonb and
// arrays compared with PostgreSQL by testTextIO (text and binary output,
// binary input, errors).
func newIOCases() []ioCase {
	var cs []ioCase
	add := func(typ string, inputs ...string) {
		for _, in := range inputs {
			cs = append(cs, ioCase{typ, in})
		}
	}
	add("bytea", `\x`, `\x0102ff`, `\xDEADbeef`, `\x 01 02`, `\x0`, `\xzz`, `\x01é`, `abc`, `a\\b`, `\001\377`,
		`\400`, `a\b`, `\`, ``, `\\`, "tab\there", `\x01 0`, `\x0g`)
	add("interval", "1 day", "2 hours 30 minutes", "1:30", "P1D", "@ 1 day ago", "1 year 2 mons 3 days 04:05:06",
		"-1 day +2 hours", "1.5 days", "1.5 months", "1.5 years", "10min", "1 week", "2 weeks 3 days", "3 decades",
		"1 century", "1 millennium", "5", "1.25", "0", "00:00:00", "-04:05:06", "1 day -04:05:06", "100 hours",
		"1:30.5", "1:30:45.123456", "1:30:45.1234567", "P1Y2M3DT4H5M6S", "PT1.5S", "P1W", "P0.5D", "PT36H", "P0001-02-03T04:05:06",
		"1 day 2 days", "abc", "", "1 fortnight", "1 day ago ago", "1 mon -1 day", "-1 mon", "-1 year -2 mons",
		"2147483647 days", "2147483648 days", "178000000 years", "1 hour 60 minutes", "1:60", "25:00", "1 12:00",
		"1 microsecond", "1000 milliseconds", "1.5 ms", "1 us", "3 secs", "2 hrs", "1 y", "@ 1 minute", "+1 day",
		"1 day 1 day", "1e3 days", "P", "PT", "P1", "-P1D", "1 mon 1 mons", " 1 day ", "1 days 00:00:00.000001",
		"0.1 seconds", "-0.5 days", "1 year -1 mons", "12 mons", "ago",
		"1-2", "-1-2", "1-2 3 04:05:06", "1-2 3 mons", "+1-11", "1-2.5", "99999999-0")
	add("interval(2)", "1.12345 seconds", "1 day 00:00:00.005")
	add("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
		"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
		"{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
		"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b4ef8-bb6d-6bb9bd380a11", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
		"", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-")
	add("jsonb", `{"a": 1, "b": [1, 2]}`, `{"b":1,"a":2,"aa":3,"c":{"z":null,"y":true}}`, `{"a":1,"a":2}`, `[]`, `{}`,
		`1`, `-1.50`, `1e3`, `1E-2`, `0.0`, `"str"`, `"esc\"aped\\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00"`, `null`, `true`,
		`false`, ` [1 , "a" ,null] `, `{"a":}`, `{"a" 1}`, `[1,]`, `[1 2]`, `tru`, `nul`, `01`, `1.`, `.5`, `-`, `1e`,
		`"abc`, `{"a":1`, `[`, ``, `"\u0000"`, `"\x"`, `"\ud83d"`, `"\ude00"`, `"\u12"`, "\"a\tb\"", `{1:2}`, `{"a":1,}`,
		`[1] x`, `"\u001f"`, `{"":1,"a":{"b":{"c":[[],{}]}}}`, `123456789012345678901234567890.123456789`, `-0`, `1E+2`,
		`{"a":1 "b":2}`, `[1,2}`, `{"a":1]`, `[true false]`, `{,}`, `{"a":1,"b"}`, `["\q"]`, `[1.2.3]`, `[-]`, `[1e+]`,
		`{"a":tru}`, `[nulll]`, `@`, `[1,@]`, `{"a":"\u00"}`, `[ 1 , ]`, `"\uDC00"`, `"\uD800\u0041"`)
	add("int4[]", "{1,2,3}", "{}", "{1,NULL,3}", "{{1,2},{3,4}}", "[0:2]={1,2,3}", "[1:2][3:4]={{1,2},{3,4}}",
		" { 1 , 2 } ", "{1,2", "{1,,2}", "1,2", "{{1,2},{3}}", "{a}", "{null}", "{NULL,NuLl}", `{"1"}`, "{1}x",
		"[1:2]={1}", "{{1},2}", "{2147483648}", "[2:1]={}", "{ }", "{{}}", "{{1}}",
		"{{1,2},{3,4}", "{1,{2}}", "{a,}", "{,a}", "{{1,2},}", "{1}}", "[1:2={1,2}", "[a]={1}", "[1:2]{1,2}", "{{1,2}}}", "{{1},{}}")
	add("text[]", `{a,b}`, `{"a b","c\"d"}`, `{"",NULL,"NULL",null}`, `{\\,"\\"}`, `{a\,b}`, `{ "x" , y z }`,
		`{é,"{}"}`, `{"a",b"c"}`, `{"a}`, `{a"b"c}`, `{\NULL}`)
	add("varchar(2)[]", "{ab,abc}", "{ab,a}")
	add("char(3)[]", "{a,bb}")
	add("numeric(5,2)[]", "{1.234,NaN}")
	add("float8[]", "{1.5,NaN,-Infinity,1e300}")
	add("bool[]", "{t,f,NULL,yes}")
	add("int8[]", "{9223372036854775807}")
	add("int2[]", "{32767,-32768}", "{32768}")
	add("date[]", "{2024-01-02,infinity}")
	add("timestamp[]", `{"2024-01-02 03:04:05"}`)
	add("timestamptz[]", `{"2024-01-02 03:04:05+02"}`)
	add("uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}")
	add("bytea[]", `{"\\x0102",abc}`, `{\\x01}`)
	add("interval[]", `{"1 day","-1:30"}`)
	add("jsonb[]", `{"{\"a\": 1}","[1, 2]",null}`)
	add("numeric[]", "{1.50,-0}")
	return cs
}

type sqlCase struct {
	sql  string
	eval func(env *Env) (Datum, Type, error)
}

func lit(t testing.TB, typ, s string) (Type, Datum) {
	t.Helper()
	tp := mustType(t, typ)
	d, err := ParseText(tp, s, nil)
	if err != nil {
		t.Fatalf("%s::%s: %v", s, typ, err)
	}
	return tp, d
}

// testNewTypeOps compares operators, casts and helpers on the new types
// with PostgreSQL (text, binary, SQLSTATE and message).
func testNewTypeOps(t *testing.T, conn *pgconn.PgConn) {
	pgtest.Exec(t, conn, "SET TimeZone = 'America/New_York'")
	defer pgtest.Exec(t, conn, "RESET TimeZone")
	loc, _ := time.LoadLocation("America/New_York")
	env := &Env{Location: loc}
	var cases []sqlCase
	arith := func(lt, l string, op ArithOp, rt, r string) {
		cases = append(cases, sqlCase{
			sql: fmt.Sprintf("SELECT %s::%s %s %s::%s", pgtest.QuoteLit(l), lt, op, pgtest.QuoteLit(r), rt),
			eval: func(env *Env) (Datum, Type, error) {
				ltp, a := lit(t, lt, l)
				rtp, b := lit(t, rt, r)
				return ArithEnv(op, ltp, a, rtp, b, env)
			},
		})
	}
	arith("timestamp", "2024-01-31 10:00", OpAdd, "interval", "1 mon")
	arith("timestamp", "2024-03-31 10:00", OpSub, "interval", "1 mon 1 day 01:00")
	arith("timestamp", "2024-02-29 00:00", OpAdd, "interval", "1 year")
	arith("timestamp", "infinity", OpAdd, "interval", "1 day")
	arith("timestamp", "294276-12-31 00:00", OpAdd, "interval", "1 year")
	arith("timestamptz", "2024-03-09 12:00-05", OpAdd, "interval", "1 day")
	arith("timestamptz", "2024-03-09 12:00-05", OpAdd, "interval", "24 hours")
	arith("timestamptz", "2024-11-02 12:00-04", OpAdd, "interval", "1 mon 2 days 3 hours")
	arith("date", "2024-01-31", OpAdd, "interval", "1 mon")
	arith("date", "2024-01-31", OpSub, "interval", "36 hours")
	arith("interval", "1 day", OpAdd, "date", "2024-01-01")
	arith("interval", "1 day", OpAdd, "timestamptz", "2024-01-01 00:00+00")
	arith("timestamp", "2024-03-01 12:00", OpSub, "timestamp", "2024-01-01 00:00:00.5")
	arith("timestamp", "2024-01-01", OpSub, "timestamp", "2024-03-01 12:00")
	arith("timestamptz", "2024-03-11 00:00-04", OpSub, "timestamptz", "2024-03-10 00:00-05")
	arith("timestamp", "infinity", OpSub, "timestamp", "2024-01-01")
	arith("date", "2024-03-01", OpSub, "timestamp", "2024-02-28 06:00")
	arith("date", "2024-03-01", OpSub, "date", "2023-03-01")
	arith("interval", "1 day 02:00", OpAdd, "interval", "1 mon -3 hours")
	arith("interval", "1 day", OpSub, "interval", "1 mon")
	arith("interval", "2147483647 days", OpAdd, "interval", "1 day")
	arith("interval", "1 mon 1 day 1 hour", OpMul, "float8", "1.5")
	arith("interval", "1 mon", OpMul, "float8", "0.3333")
	arith("interval", "1 mon 3 days", OpDiv, "float8", "7")
	arith("interval", "1 day", OpDiv, "float8", "0")
	arith("interval", "01:00", OpMul, "int4", "3")
	arith("int4", "3", OpMul, "interval", "1 day 01:00")
	arith("interval", "1 year", OpDiv, "int4", "5")
	arith("interval", "1 day", OpMul, "float8", "1e10")
	arith("interval", "-1 day", OpMul, "numeric", "-2.5")

	// untyped literals take the type operator resolution gives them
	unk := func(lt, l string, op ArithOp, rt, r string) {
		side := func(typ, v string) string {
			if typ == "unknown" {
				return pgtest.QuoteLit(v)
			}
			return pgtest.QuoteLit(v) + "::" + typ
		}
		cases = append(cases, sqlCase{
			sql: fmt.Sprintf("SELECT %s %s %s", side(lt, l), op, side(rt, r)),
			eval: func(env *Env) (Datum, Type, error) {
				ltp, a := lit(t, lt, l)
				rtp, b := lit(t, rt, r)
				return ArithEnv(op, ltp, a, rtp, b, env)
			},
		})
	}
	unk("timestamp", "2024-01-01", OpAdd, "unknown", "1 day")
	unk("unknown", "1 day", OpAdd, "timestamptz", "2024-01-01 00:00+00")
	unk("date", "2024-01-01", OpAdd, "unknown", "1 day")
	unk("timestamp", "2024-01-01", OpSub, "unknown", "2023-12-01")
	unk("interval", "1 day", OpAdd, "unknown", "1 hour")
	unk("interval", "1 day", OpSub, "unknown", "1 hour")
	unk("interval", "1 day", OpMul, "unknown", "2.5")
	unk("interval", "1 day", OpDiv, "unknown", "4")

	// unary minus
	for _, v := range []string{"1 year 2 mons -3 days 04:05:06", "-1 day"} {
		v := v
		cases = append(cases, sqlCase{"SELECT -" + pgtest.QuoteLit(v) + "::interval", func(env *Env) (Datum, Type, error) {
			tp, d := lit(t, "interval", v)
			r, err := Neg(tp, d)
			return r, tp, err
		}})
	}
	// casts
	cast := func(from, v, to string) {
		cases = append(cases, sqlCase{fmt.Sprintf("SELECT CAST(%s::%s AS %s)", pgtest.QuoteLit(v), from, to), func(env *Env) (Datum, Type, error) {
			ft, d := lit(t, from, v)
			tt := mustType(t, to)
			if _, ok := CastContext(ft.OID, tt.OID); !ok {
				return Null, tt, fmt.Errorf("no cast %s → %s", ft, tt)
			}
			r, err := Cast(d, ft, tt, CoerceExplicit, env)
			return r, tt, err
		}})
	}
	cast("text", "abc", "bytea")
	cast("text", `\x4142`, "bytea")
	cast("bytea", `\x4142`, "text")
	cast("interval", "1 day 02:00", "text")
	cast("text", "1 day", "interval")
	cast("interval", "1.123456 seconds", "interval(2)")
	cast("uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "text")
	cast("jsonb", `{"b":1,"a":[true]}`, "text")
	cast("jsonb", `12.5`, "numeric")
	cast("jsonb", `12.5`, "int4")
	cast("jsonb", `12.5`, "float8")
	cast("jsonb", `"x"`, "int4")
	cast("jsonb", `true`, "bool")
	cast("jsonb", `1`, "bool")
	cast("text", "{1,2}", "int4[]")
	cast("int4[]", "{1,2,NULL}", "int8[]")
	cast("int4[]", "{1,2}", "text[]")
	cast("text[]", "{1,x}", "int4[]")
	cast("text[]", "{abc,de}", "varchar(2)[]")
	cast("int4[]", "{{1,2},{3,4}}", "text")
	cast("numeric[]", "{1.55,2}", "numeric(3,1)[]")
	cast("float8[]", "{1.5,2.5}", "int4[]")

	// jsonb operators via the Go API
	jop := func(sql string, f func() (Datum, Type, error)) {
		cases = append(cases, sqlCase{sql, func(*Env) (Datum, Type, error) { return f() }})
	}
	pj := func(s string) *JSON {
		j, err := ParseJSON(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return j
	}
	jsonDatum := func(j *JSON) (Datum, Type, error) { return NewJSON(j), JSONB, nil }
	textDatum := func(s string, ok bool) (Datum, Type, error) {
		if !ok {
			return Null, Text, nil
		}
		return NewString(s), Text, nil
	}
	doc := `{"a": {"b": [1, "x", null, {"c": 2.50}]}, "s": "str", "n": null, "t": true}`
	for _, k := range []string{"a", "s", "n", "t", "zz"} {
		k := k
		jop(fmt.Sprintf("SELECT %s::jsonb -> %s", pgtest.QuoteLit(doc), pgtest.QuoteLit(k)), func() (Datum, Type, error) { return jsonDatum(JSONField(pj(doc), k)) })
		jop(fmt.Sprintf("SELECT %s::jsonb ->> %s", pgtest.QuoteLit(doc), pgtest.QuoteLit(k)), func() (Datum, Type, error) { return textDatum(JSONFieldText(pj(doc), k)) })
	}
	arr := `[1, "x", null, {"c": 2.50}, [true]]`
	for _, i := range []int64{0, 1, 2, 3, 4, 5, -1, -5, -6} {
		i := i
		jop(fmt.Sprintf("SELECT %s::jsonb -> %d", pgtest.QuoteLit(arr), i), func() (Datum, Type, error) { return jsonDatum(JSONElem(pj(arr), i)) })
		jop(fmt.Sprintf("SELECT %s::jsonb ->> %d", pgtest.QuoteLit(arr), i), func() (Datum, Type, error) { return textDatum(JSONElemText(pj(arr), i)) })
	}
	jop(fmt.Sprintf("SELECT %s::jsonb -> 'a'", pgtest.QuoteLit(arr)), func() (Datum, Type, error) { return jsonDatum(JSONField(pj(arr), "a")) })
	jop(fmt.Sprintf("SELECT %s::jsonb -> 0", pgtest.QuoteLit(doc)), func() (Datum, Type, error) { return jsonDatum(JSONElem(pj(doc), 0)) })
	jop(`SELECT '"s"'::jsonb -> 0`, func() (Datum, Type, error) { return jsonDatum(JSONElem(pj(`"s"`), 0)) })
	contains := [][2]string{
		{`{"a":1,"b":2}`, `{"a":1}`}, {`{"a":1}`, `{"a":1,"b":2}`}, {`{"a":{"b":[1,2,3]}}`, `{"a":{"b":[3,1]}}`},
		{`[1,2,[3,4]]`, `[[4]]`}, {`[1,2,[3,4]]`, `[4]`}, {`[1,2]`, `1`}, {`1`, `[1]`}, {`"a"`, `"a"`}, {`1`, `1.0`},
		{`{"a":[1,2]}`, `{"a":1}`}, {`[{"a":1,"b":2}]`, `[{"a":1}]`}, {`[]`, `[]`}, {`{}`, `{}`}, {`[1]`, `{}`},
		{`{"a":null}`, `{"a":null}`}, {`[1,1]`, `[1,1,1]`}, {`{"a":{"b":1}}`, `{"a":{}}`}, {`[[1]]`, `[[]]`},
	}
	for _, c := range contains {
		c := c
		jop(fmt.Sprintf("SELECT %s::jsonb @> %s::jsonb", pgtest.QuoteLit(c[0]), pgtest.QuoteLit(c[1])), func() (Datum, Type, error) {
			return NewBool(JSONContains(pj(c[0]), pj(c[1]))), Bool, nil
		})
	}
	for _, c := range [][2]string{{`{"a":1}`, "a"}, {`{"a":1}`, "b"}, {`["a","b"]`, "b"}, {`[["a"]]`, "a"}, {`"a"`, "a"}, {`{"x":{"a":1}}`, "a"}} {
		c := c
		jop(fmt.Sprintf("SELECT %s::jsonb ? %s", pgtest.QuoteLit(c[0]), pgtest.QuoteLit(c[1])), func() (Datum, Type, error) {
			return NewBool(JSONHasKey(pj(c[0]), c[1])), Bool, nil
		})
	}
	pathDoc := `{"a": {"b": [10, {"c": "x"}, null]}, "n": null}`
	for _, path := range [][]string{{"a", "b", "1", "c"}, {"a", "b", "-1"}, {"a", "b", "x"}, {"a", "b", "5"}, {}, {"n"}, {"a", "b", "0", "z"}, {"a", " 1"}} {
		path := path
		lit := "{" + strings.Join(path, ",") + "}"
		if len(path) > 0 && path[len(path)-1] == " 1" {
			lit = `{a," 1"}`
		}
		jop(fmt.Sprintf("SELECT %s::jsonb #> %s", pgtest.QuoteLit(pathDoc), pgtest.QuoteLit(lit)), func() (Datum, Type, error) {
			return jsonDatum(JSONPath(pj(pathDoc), path))
		})
		jop(fmt.Sprintf("SELECT %s::jsonb #>> %s", pgtest.QuoteLit(pathDoc), pgtest.QuoteLit(lit)), func() (Datum, Type, error) {
			return textDatum(JSONPathText(pj(pathDoc), path))
		})
	}
	jop(`SELECT 'null'::jsonb #>> '{}'`, func() (Datum, Type, error) { return textDatum(JSONPathText(pj(`null`), nil)) })
	jop(`SELECT '{"a":1,"b":2}'::jsonb ?| '{x,b}'`, func() (Datum, Type, error) {
		return NewBool(JSONHasAny(pj(`{"a":1,"b":2}`), []string{"x", "b"})), Bool, nil
	})
	jop(`SELECT '{"a":1,"b":2}'::jsonb ?& '{x,b}'`, func() (Datum, Type, error) {
		return NewBool(JSONHasAll(pj(`{"a":1,"b":2}`), []string{"x", "b"})), Bool, nil
	})
	jop(`SELECT '{"a":1,"b":2}'::jsonb ?& '{a,b}'`, func() (Datum, Type, error) {
		return NewBool(JSONHasAll(pj(`{"a":1,"b":2}`), []string{"a", "b"})), Bool, nil
	})
	for _, v := range []string{`{}`, `[]`, `"s"`, `1`, `true`, `null`} {
		v := v
		jop(fmt.Sprintf("SELECT jsonb_typeof(%s::jsonb)", pgtest.QuoteLit(v)), func() (Datum, Type, error) { return NewString(JSONTypeof(pj(v))), Text, nil })
	}
	// array helpers
	pa := func(typ, s string) (Type, *Array) {
		tp, d := lit(t, typ, s)
		return tp, d.A
	}
	for _, c := range []struct {
		a   string
		idx []int64
	}{{"{1,2,3}", []int64{1}}, {"{1,2,3}", []int64{3}}, {"{1,2,3}", []int64{4}}, {"{1,2,3}", []int64{0}},
		{"{{1,2},{3,4}}", []int64{2, 1}}, {"{{1,2},{3,4}}", []int64{2}}, {"[0:2]={7,8,9}", []int64{0}}, {"{}", []int64{1}}} {
		c := c
		sub := ""
		for _, i := range c.idx {
			sub += fmt.Sprintf("[%d]", i)
		}
		jop(fmt.Sprintf("SELECT (%s::int4[])%s", pgtest.QuoteLit(c.a), sub), func() (Datum, Type, error) {
			_, a := pa("int4[]", c.a)
			return ArraySubscript(a, c.idx), Int4, nil
		})
	}
	for _, c := range []struct {
		a   string
		dim int
	}{{"{1,2,3}", 1}, {"{1,2,3}", 2}, {"{{1,2,3},{4,5,6}}", 2}, {"{}", 1}, {"[3:4]={1,2}", 1}} {
		c := c
		jop(fmt.Sprintf("SELECT array_length(%s::int4[], %d)", pgtest.QuoteLit(c.a), c.dim), func() (Datum, Type, error) {
			_, a := pa("int4[]", c.a)
			n, ok := ArrayLength(a, c.dim)
			if !ok {
				return Null, Int4, nil
			}
			return NewInt(int64(n)), Int4, nil
		})
		jop(fmt.Sprintf("SELECT array_upper(%s::int4[], %d)", pgtest.QuoteLit(c.a), c.dim), func() (Datum, Type, error) {
			_, a := pa("int4[]", c.a)
			n, ok := ArrayUpper(a, c.dim)
			if !ok {
				return Null, Int4, nil
			}
			return NewInt(int64(n)), Int4, nil
		})
	}
	for _, c := range []struct{ v, a string }{{"2", "{1,2,3}"}, {"5", "{1,2,3}"}, {"5", "{1,NULL}"}, {"1", "{1,NULL}"}, {"1", "{}"}} {
		c := c
		jop(fmt.Sprintf("SELECT %s::int4 = ANY(%s::int4[])", pgtest.QuoteLit(c.v), pgtest.QuoteLit(c.a)), func() (Datum, Type, error) {
			_, v := lit(t, "int4", c.v)
			_, a := pa("int4[]", c.a)
			return ArrayAnyEqual(Int4, v, a), Bool, nil
		})
	}
	jop(`SELECT NULL::int4 = ANY('{1}'::int4[])`, func() (Datum, Type, error) {
		return ArrayAnyEqual(Int4, Null, MakeArray([]Datum{NewInt(1)})), Bool, nil
	})
	jop(`SELECT ARRAY[1,NULL,3]`, func() (Datum, Type, error) {
		return NewArray(MakeArray([]Datum{NewInt(1), Null, NewInt(3)})), Type{OIDInt4Array, -1}, nil
	})
	jop(`SELECT ARRAY[ARRAY[1,2],ARRAY[3,4]]`, func() (Datum, Type, error) {
		a, err := MakeArrayOfArrays([]*Array{MakeArray([]Datum{NewInt(1), NewInt(2)}), MakeArray([]Datum{NewInt(3), NewInt(4)})})
		return NewArray(a), Type{OIDInt4Array, -1}, err
	})
	jop(`SELECT ARRAY[ARRAY[1,2],ARRAY[3]]`, func() (Datum, Type, error) {
		a, err := MakeArrayOfArrays([]*Array{MakeArray([]Datum{NewInt(1), NewInt(2)}), MakeArray([]Datum{NewInt(3)})})
		return NewArray(a), Type{OIDInt4Array, -1}, err
	})
	for _, c := range [][2]string{{"{1,2}", "{3}"}, {"{{1,2}}", "{3,4}"}, {"{}", "{1}"}, {"{{1,2}}", "{3}"}, {"{1,2}", "{{3,4}}"}} {
		c := c
		jop(fmt.Sprintf("SELECT %s::int4[] || %s::int4[]", pgtest.QuoteLit(c[0]), pgtest.QuoteLit(c[1])), func() (Datum, Type, error) {
			tp, a := pa("int4[]", c[0])
			_, b := pa("int4[]", c[1])
			r, err := ArrayCat(a, b)
			return NewArray(r), tp, err
		})
	}
	jop(`SELECT '{1,2}'::int4[] || 3`, func() (Datum, Type, error) {
		tp, a := pa("int4[]", "{1,2}")
		r, err := ArrayAppend(a, NewInt(3))
		return NewArray(r), tp, err
	})
	jop(`SELECT 0 || '[2:3]={1,2}'::int4[]`, func() (Datum, Type, error) {
		tp, a := pa("int4[]", "[2:3]={1,2}")
		r, err := ArrayPrepend(NewInt(0), a)
		return NewArray(r), tp, err
	})
	jop(`SELECT '\x0102'::bytea || '\x03'::bytea`, func() (Datum, Type, error) {
		_, a := lit(t, "bytea", `\x0102`)
		_, b := lit(t, "bytea", `\x03`)
		return Concat(Bytea, a, Bytea, b, nil)
	})
	jop(`SELECT '{"a":1}'::jsonb || '{"b":2,"a":3}'::jsonb`, func() (Datum, Type, error) {
		return Concat(JSONB, NewJSON(pj(`{"a":1}`)), JSONB, NewJSON(pj(`{"b":2,"a":3}`)), nil)
	})
	jop(`SELECT '[1]'::jsonb || '{"b":2}'::jsonb`, func() (Datum, Type, error) {
		return Concat(JSONB, NewJSON(pj(`[1]`)), JSONB, NewJSON(pj(`{"b":2}`)), nil)
	})
	jop(`SELECT 'ab'::text || 'cd'::text`, func() (Datum, Type, error) {
		return Concat(Text, NewString("ab"), Text, NewString("cd"), nil)
	})
	concatUnknown := func(sql string, lt Type, a Datum, rt Type, b Datum) {
		jop(sql, func() (Datum, Type, error) { return Concat(lt, a, rt, b, env) })
	}
	concatUnknown(`SELECT 'a' || 1`, Unknown, NewString("a"), Int4, NewInt(1))
	concatUnknown(`SELECT 1.5::float8 || 'x'`, Float8, NewFloat(1.5), Unknown, NewString("x"))
	concatUnknown(`SELECT 'a' || 'b'`, Unknown, NewString("a"), Unknown, NewString("b"))
	concatUnknown(`SELECT '\x01'::bytea || '\x02'`, Bytea, NewBytea([]byte{1}), Unknown, NewString(`\x02`))
	concatUnknown(`SELECT '{1}'::int4[] || '{2,3}'`, Type{OIDInt4Array, -1}, NewArray(MakeArray([]Datum{NewInt(1)})), Unknown, NewString("{2,3}"))
	concatUnknown(`SELECT '{1}'::int4[] || NULL`, Type{OIDInt4Array, -1}, NewArray(MakeArray([]Datum{NewInt(1)})), Unknown, Null)
	concatUnknown(`SELECT '{1}'::int4[] || NULL::int4`, Type{OIDInt4Array, -1}, NewArray(MakeArray([]Datum{NewInt(1)})), Int4, Null)
	concatUnknown(`SELECT 'a'::text || NULL`, Text, NewString("a"), Unknown, Null)
	concatUnknown(`SELECT '2024-01-02 03:04:05+00'::timestamptz || '!'`, Timestamptz, NewTimestamptz(757479845000000), Unknown, NewString("!"))
	concatUnknown(`SELECT 'x'::char(3) || 'y'`, Type{OIDBpchar, 7}, NewString("x  "), Unknown, NewString("y"))
	concatUnknown(`SELECT '{"a":1}'::jsonb || '[2]'`, JSONB, NewJSON(pj(`{"a":1}`)), Unknown, NewString("[2]"))

	for _, c := range cases {
		want := pgtest.Query(t, conn, c.sql)
		got, typ, err := c.eval(env)
		if want.Code != "" {
			code, msg := "", ""
			if err != nil {
				code, msg = errCodeMsg(err)
			}
			if code != want.Code || msg != want.Msg {
				t.Errorf("%s: got %v (%s %q), PostgreSQL %s %q", c.sql, got, code, msg, want.Code, want.Msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v, PostgreSQL %q", c.sql, err, want.Text)
			continue
		}
		if want.Null || got.K == KindNull {
			if want.Null != (got.K == KindNull) {
				t.Errorf("%s: got %q (null %v), PostgreSQL null %v", c.sql, FormatText(typ, got, env), got.K == KindNull, want.Null)
			}
			continue
		}
		if txt := FormatText(typ, got, env); txt != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", c.sql, txt, want.Text)
		}
		if bin, err := AppendBinary(nil, typ, got); err != nil || !bytes.Equal(bin, want.Bin) {
			t.Errorf("%s: binary %x (%v), PostgreSQL %x", c.sql, bin, err, want.Bin)
		}
	}
}

// testNewTypeOrder checks Compare and the key encoding against
// PostgreSQL's comparison operators on every pair of a set of values.
func testNewTypeOrder(t *testing.T, conn *pgconn.PgConn) {
	sets := map[string][]string{
		"bytea":    {`\x`, `\x00`, `\x0000`, `\x01`, `\xff`, `\x00ff`, `\x7f80`},
		"interval": {"1 mon", "30 days", "720 hours", "1 day", "24 hours", "-1 day", "0", "1 year", "360 days", "1 day 00:00:01", "-1 mon 30 days", "00:00:00.000001", "-00:00:00.000001"},
		"uuid":     {"00000000-0000-0000-0000-000000000000", "ffffffff-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff", "80000000-0000-0000-0000-000000000001"},
		"jsonb": {`null`, `true`, `false`, `0`, `1`, `-1.5`, `1.0`, `""`, `"a"`, `"b"`, `"aa"`, `[]`, `[null]`, `[1]`, `[1,2]`, `[2]`, `["a"]`,
			`[[]]`, `{}`, `{"a":1}`, `{"b":1}`, `{"aa":1}`, `{"a":2}`, `{"a":1,"b":1}`, `{"a":[]}`, `{"a":{}}`, `[{}]`, `[true]`, `[false]`},
		"int4[]":        {"{}", "{1}", "{1,2}", "{2}", "{1,NULL}", "{NULL}", "{{1,2}}", "[0:1]={1,2}", "{{1},{2}}", "{1,2,3}", "{0,5}"},
		"text[]":        {"{}", "{a}", "{a,b}", "{b}", "{\"\"}", "{NULL}", "{ab}"},
		"char(3)[]":     {"{a}", "{\"a \"}", "{b}"},
		"interval[]":    {"{\"1 mon\"}", "{\"30 days\"}", "{\"31 days\"}"},
		"numeric[]":     {"{1.0}", "{1}", "{NaN}", "{-Infinity}"},
		"timestamp[]":   {"{\"2024-01-01 00:00\"}", "{infinity}", "{-infinity}"},
		"jsonb[]":       {`{"[]"}`, `{"null"}`},
		"bytea[]":       {`{"\\x"}`, `{"\\x00"}`},
		"uuid[]":        {"{00000000-0000-0000-0000-000000000000}", "{00000000-0000-0000-0000-000000000001}"},
		"float8[]":      {"{NaN}", "{-0}", "{0}", "{Infinity}"},
		"bool[]":        {"{f}", "{t}", "{t,f}"},
		"date[]":        {"{2024-01-01}", "{-infinity}"},
		"varchar[]":     {"{a}", "{A}"},
		"int8[]":        {"{-9223372036854775808}", "{9223372036854775807}"},
		"int2[]":        {"{-1}", "{1}"},
		"timestamptz[]": {"{\"2024-01-01 00:00+00\"}", "{\"2024-01-01 00:00+01\"}"},
	}
	for typName, vals := range sets {
		typ := mustType(t, typName)
		ds := make([]Datum, len(vals))
		for i, v := range vals {
			var err error
			if ds[i], err = ParseText(typ, v, nil); err != nil {
				t.Fatalf("%s %q: %v", typName, v, err)
			}
		}
		for i := range vals {
			for j := range vals {
				q := fmt.Sprintf("SELECT (%s::%s > %s::%s)::int - (%s::%s < %s::%s)::int",
					pgtest.QuoteLit(vals[i]), typName, pgtest.QuoteLit(vals[j]), typName,
					pgtest.QuoteLit(vals[i]), typName, pgtest.QuoteLit(vals[j]), typName)
				want := pgtest.Query(t, conn, q)
				got := CompareAs(typ, ds[i], ds[j])
				if fmt.Sprint(got) != want.Text {
					t.Errorf("%s: compare(%s, %s) = %d, PostgreSQL %s", typName, vals[i], vals[j], got, want.Text)
				}
				ki, kj := AppendKey(nil, typ, ds[i], false), AppendKey(nil, typ, ds[j], false)
				if c := bytes.Compare(ki, kj); c != got {
					t.Errorf("%s: key order of (%s, %s) = %d, Compare %d", typName, vals[i], vals[j], c, got)
				}
			}
		}
	}
}

// testNewTypeRandom compares random values and operations with PostgreSQL
// in batches: text output of intervals, jsonb and arrays after
// PostgreSQL's input, interval order, timestamptz ± interval in a DST
// zone, interval * float8.
func testNewTypeRandom(t *testing.T, conn *pgconn.PgConn) {
	r := rand.New(rand.NewSource(77))
	pgtest.Exec(t, conn, "SET TimeZone = 'Europe/Berlin'")
	defer pgtest.Exec(t, conn, "RESET TimeZone")
	loc, err := LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Location: loc}
	batch := func(sql string, n int) []string {
		t.Helper()
		res := pgtest.Query(t, conn, sql)
		if res.Code != "" {
			t.Fatalf("%s: %s %s", sql[:min(len(sql), 300)], res.Code, res.Msg)
		}
		parts := strings.Split(res.Text, "\x1e")
		if len(parts) != n {
			t.Fatalf("got %d results for %d inputs", len(parts), n)
		}
		return parts
	}
	arr := func(vals []string) string {
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = pgtest.QuoteLit(v)
		}
		return "ARRAY[" + strings.Join(q, ",") + "]::text[]"
	}
	roundTrip := func(typ Type, typName string, n int) {
		var vals []Datum
		var texts []string
		for len(vals) < n {
			v := randNewDatum(r, typ)
			if v.K == KindNull {
				continue
			}
			txt := FormatText(typ, v, env)
			if !utf8.ValidString(txt) || strings.IndexByte(txt, 0) >= 0 {
				continue // not representable as PostgreSQL text
			}
			vals = append(vals, v)
			texts = append(texts, txt)
		}
		got := batch("SELECT string_agg(v::"+typName+"::text, E'\\x1e' ORDER BY o) FROM unnest("+arr(texts)+") WITH ORDINALITY AS u(v, o)", len(texts))
		for i := range texts {
			if got[i] != texts[i] {
				t.Errorf("%s: we print %q, PostgreSQL reads it back as %q", typName, texts[i], got[i])
			}
		}
		// order: PostgreSQL's rank of each value vs ours
		ranks := batch("SELECT string_agg(r::text, E'\\x1e' ORDER BY o) FROM (SELECT o, rank() OVER (ORDER BY v::"+typName+") AS r FROM unnest("+arr(texts)+") WITH ORDINALITY AS u(v, o)) s", len(texts))
		for i := range vals {
			mine := 1
			for j := range vals {
				if CompareAs(typ, vals[j], vals[i]) < 0 {
					mine++
				}
			}
			if fmt.Sprint(mine) != ranks[i] {
				t.Errorf("%s: rank of %q is %d, PostgreSQL %s", typName, texts[i], mine, ranks[i])
			}
		}
	}
	roundTrip(Interval_, "interval", 200)
	roundTrip(JSONB, "jsonb", 200)
	for _, name := range []string{"int4[]", "text[]", "numeric[]", "float8[]", "bool[]", "bytea[]", "interval[]", "uuid[]", "jsonb[]",
		"date[]", "timestamp[]", "timestamptz[]", "varchar[]", "char(5)[]", "int2[]", "int8[]"} {
		roundTrip(mustType(t, name), name, 60)
	}

	// timestamptz ± interval and interval * float8 in Europe/Berlin
	var exprs []string
	var mine []string
	for i := 0; i < 200; i++ {
		ts := NewTimestamptz(r.Int63n(40*365*usecsPerDay) + r.Int63n(usecsPerDay))
		iv := Interval{Months: int32(r.Intn(30) - 15), Days: int32(r.Intn(60) - 30), Micros: r.Int63n(3*usecsPerDay) - usecsPerDay}
		op := []ArithOp{OpAdd, OpSub}[r.Intn(2)]
		tsText, ivText := FormatText(Timestamptz, ts, env), string(AppendInterval(nil, iv))
		exprs = append(exprs, fmt.Sprintf("(%s::timestamptz %s %s::interval)::text", pgtest.QuoteLit(tsText), op, pgtest.QuoteLit(ivText)))
		d, _, err := ArithEnv(op, Timestamptz, ts, Interval_, NewInterval(iv), env)
		if err != nil {
			mine = append(mine, err.Error())
		} else {
			mine = append(mine, FormatText(Timestamptz, d, env))
		}
		f := float64(r.Intn(2000)-1000) / float64(1+r.Intn(64))
		exprs = append(exprs, fmt.Sprintf("(%s::interval * %s::float8)::text", pgtest.QuoteLit(ivText), pgtest.QuoteLit(FormatFloat8(f))))
		d, _, err = Arith(OpMul, Interval_, NewInterval(iv), Float8, NewFloat(f))
		if err != nil {
			mine = append(mine, err.Error())
		} else {
			mine = append(mine, FormatText(Interval_, d, env))
		}
		ts2 := NewTimestamp(r.Int63n(40*365*usecsPerDay) + r.Int63n(usecsPerDay))
		exprs = append(exprs, fmt.Sprintf("(%s::timestamp - %s::timestamp)::text", pgtest.QuoteLit(FormatText(Timestamp, ts2, env)), pgtest.QuoteLit(FormatText(Timestamp, NewTimestamp(ts.I), env))))
		d, _, err = Arith(OpSub, Timestamp, ts2, Timestamp, NewTimestamp(ts.I))
		if err != nil {
			mine = append(mine, err.Error())
		} else {
			mine = append(mine, FormatText(Interval_, d, env))
		}
	}
	got := batch("SELECT array_to_string(ARRAY["+strings.Join(exprs, ", ")+"], E'\\x1e')", len(exprs))
	for i := range exprs {
		if got[i] != mine[i] {
			t.Errorf("%s: %q, PostgreSQL %q", exprs[i], mine[i], got[i])
		}
	}
}

// testIntervalTypmods compares interval field restrictions and precision
// (format_type, atttypmod, and what assignment keeps) with PostgreSQL.
func testIntervalTypmods(t *testing.T, conn *pgconn.PgConn) {
	cases := []struct {
		sql  string
		mods []int32
	}{
		{"interval year", []int32{intervalYear}}, {"interval month", []int32{intervalMonth}},
		{"interval day", []int32{intervalDay}}, {"interval hour", []int32{intervalHour}},
		{"interval minute", []int32{intervalMinute}}, {"interval second", []int32{intervalSecond}},
		{"interval second(2)", []int32{intervalSecond, 2}}, {"interval year to month", []int32{intervalYear | intervalMonth}},
		{"interval day to hour", []int32{intervalDay | intervalHour}}, {"interval day to minute", []int32{intervalDay | intervalHour | intervalMinute}},
		{"interval day to second(3)", []int32{intervalDay | intervalHour | intervalMinute | intervalSecond, 3}},
		{"interval hour to minute", []int32{intervalHour | intervalMinute}}, {"interval hour to second", []int32{intervalHour | intervalMinute | intervalSecond}},
		{"interval minute to second(0)", []int32{intervalMinute | intervalSecond, 0}}, {"interval(4)", []int32{intervalFullRange, 4}},
	}
	inputs := []string{"1 year 5 mons 3 days 04:05:06.789", "-1 year -5 mons -3 days -04:05:06.789", "5", "1:30", "2.5", "1:30.25"}
	for _, c := range cases {
		typ, err := LookupType("interval", c.mods)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		pgtest.Exec(t, conn, "DROP TABLE IF EXISTS it; CREATE TEMP TABLE it (v "+c.sql+")")
		want := pgtest.Query(t, conn, "SELECT format_type(atttypid, atttypmod) || ' ' || atttypmod FROM pg_attribute WHERE attrelid = 'it'::regclass AND attname = 'v'")
		if got := fmt.Sprintf("%s %d", typ, typ.Typmod); got != want.Text {
			t.Errorf("%s: %q, PostgreSQL %q", c.sql, got, want.Text)
		}
		for _, in := range inputs {
			w := pgtest.Query(t, conn, "INSERT INTO it VALUES ("+pgtest.QuoteLit(in)+") RETURNING v")
			d, err := ParseText(typ, in, nil)
			if w.Code != "" || err != nil {
				if code, _ := errCodeMsg(err); err == nil || code != w.Code {
					t.Errorf("%s %q: %v, PostgreSQL %s %s", c.sql, in, err, w.Code, w.Msg)
				}
				continue
			}
			if got := FormatText(typ, d, nil); got != w.Text {
				t.Errorf("%s %q: %q, PostgreSQL %q", c.sql, in, got, w.Text)
			}
		}
	}
}
