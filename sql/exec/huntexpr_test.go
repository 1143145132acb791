package exec

import (
	"errors"
	"math/rand"
	"strconv"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestHuntExprAnswers checks expressions found answering differently from
// PostgreSQL 15 (the expected values are PostgreSQL's): integer bit
// operators, nullif's result type, char(n) against varchar and text,
// ASCII-only ILIKE folding, and unknown-typed operands PostgreSQL cannot
// resolve.
func TestHuntExprAnswers(t *testing.T) {
	d := newTestDB(t)
	for _, c := range []struct{ sql, want string }{
		{"select 5 & 3, 5 | 3, 5 # 3, 1 << 4, 256 >> 4, -1 >> 1, 1 << 31, 1 << 33, 1 << -1", "1|7|6|16|16|-1|-2147483648|2|-2147483648"},
		{"select 1::int8 << 62, 1::int8 << 64, (-8)::int8 >> 1, 5::int2 & 3::int2, 16384::int2 << 1, 1::int2 << 16", "4611686018427387904|1|-4|1|-32768|0"},
		{"select pg_typeof(5::int2 & 3::int2), pg_typeof(5::int2 & 3), pg_typeof(5 | 3::int8), pg_typeof(1::int2 << 1), pg_typeof('5' & 3::int8)", "smallint|integer|bigint|smallint|bigint"},
		{"select null & 1, 1 | null::int8, null::int << 1", "NULL|NULL|NULL"},
		{"select nullif(1, 1.5), pg_typeof(nullif(1, 1.0)), pg_typeof(nullif(1, 1::int8)), pg_typeof(nullif(1.5, 2::float8)), pg_typeof(nullif(1::int2, 1))", "1|numeric|integer|double precision|smallint"},
		{"select 'ab'::char(4) = 'ab'::varchar, 'ab'::varchar = 'ab  '::char(4), 'a'::char(3) < 'a '::varchar, 'a '::char(3) = 'a'::text, 'a'::text < 'a '::char(3)", "t|t|f|t|f"},
		{"select 'É' ilike 'é', 'ABC' ilike 'abc', 'x' ilike 'X%' escape 'Y'", "f|t|t"},
		{"select -0::float8, '1' ^ '2', pg_typeof('1' ^ '2')", "-0|1|double precision"},
		{"select (null::int, 1) is null, row(null, null) is null, row(1, null) is not null, row(1, 2) is not null, (1, null) is not null", "f|t|f|t|f"},
		{"select case when true then 'a' else 'b'::char(3) end || '|', coalesce(null, 'x'::char(3)) || '|'", "a||x|"},
		{"select '08-01-99'::date, '1-2-3'::date, '2024/03/05'::date, '12/31/2024'::date, '0099-01-02'::date", "1999-08-01|2003-01-02|2024-03-05|2024-12-31|0099-01-02"},
		{"select jsonb_build_object(true, 1, 1.50, 2, timestamp '2024-01-02 03:04:05', 3)", `{"1.50": 2, "true": 1, "2024-01-02T03:04:05": 3}`},
		{`select jsonb_set('{"a": 1}', '{b}', '2'), jsonb_set('[1, 2]', '{-1}', '9'), jsonb_set('[1, 2]', '{-5}', '0'), jsonb_set('{"a": 1}', '{b}', '2', false)`, `{"a": 1, "b": 2}|[1, 9]|[0, 1, 2]|{"a": 1}`},
		{`select jsonb_insert('[1, 2]', '{1}', '9'), jsonb_insert('[1, 2]', '{-1}', '9', true), '["a", "b", 1]'::jsonb - 'a', '[1, 2]'::jsonb - -1, '{"a": {"b": 1}}'::jsonb #- '{a,b}'`, `[1, 9, 2]|[1, 2, 9]|["b", 1]|[1]|{"a": {}}`},
		{`select jsonb_pretty('{"a": [1, {}], "b": []}')`, "{\n    \"a\": [\n        1,\n        {\n        }\n    ],\n    \"b\": [\n    ]\n}"},
	} {
		sameRows(t, c.sql, queryRows(t, d, c.sql), []string{c.want})
	}
	for _, c := range []struct{ sql, code string }{
		{"select '1' + '1'", types.CodeAmbiguousFunction},
		{"select null * null", types.CodeAmbiguousFunction},
		{"select -'5'", types.CodeAmbiguousFunction},
		{"select ~ '5'", types.CodeAmbiguousFunction},
		{"select '1' & '1'", types.CodeAmbiguousFunction},
		{"select 1 << 2::int8", types.CodeUndefinedFunction},
		{"select 1.5 & 1", types.CodeUndefinedFunction},
		{"select 'a'::text | 1", types.CodeUndefinedFunction},
		{"select array[1, 2] || array['a']", types.CodeUndefinedFunction},
		{"select '[1, 2]'::jsonb -> 1::int8", types.CodeUndefinedFunction},
		{"select 'É' ~* 'é'", types.CodeFeatureNotSupported},
		{"select regexp_replace('É', 'é', 'x', 'i')", types.CodeFeatureNotSupported},
		{"select '99-01-08'::date", "22008"},
		{"select jsonb_build_object(array[1], 2)", "22023"},
		{"select jsonb_set('1', '{a}', '2')", "22023"},
		{`select jsonb_insert('{"a": 1}', '{a}', '2')`, "22023"},
		{"select jsonb_set('[1]', '{a}', '2')", "22P02"},
		{`select jsonb_set('{"a": {}}', array['a', null], '2')`, "22004"},
	} {
		_, _, err := d.query(c.sql)
		var te *types.Error
		if !errors.As(err, &te) || te.Code != c.code {
			t.Errorf("%s: error %v, want SQLSTATE %s", c.sql, err, c.code)
		}
	}
}

// TestBitOpsProperty: on random int4 values, & | # agree with Go's
// operators and the shifts with 32-bit shifts of a count masked to 5 bits.
func TestBitOpsProperty(t *testing.T) {
	d := newTestDB(t)
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 40; i++ {
		a, b, n := int32(rng.Uint32()), int32(rng.Uint32()), rng.Intn(70)-3
		x, y := "("+strconv.Itoa(int(a))+")::int4", "("+strconv.Itoa(int(b))+")::int4"
		q := "select " + x + " & " + y + ", " + x + " | " + y + ", " + x + " # " + y + ", " + x + " << " + strconv.Itoa(n) + ", " + x + " >> " + strconv.Itoa(n)
		s := uint(n) & 31
		want := strconv.Itoa(int(a&b)) + "|" + strconv.Itoa(int(a|b)) + "|" + strconv.Itoa(int(a^b)) + "|" + strconv.Itoa(int(a<<s)) + "|" + strconv.Itoa(int(a>>s))
		sameRows(t, q, queryRows(t, d, q), []string{want})
	}
}
