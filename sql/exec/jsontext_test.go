package exec

import (
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestJSONType: the json type keeps its input verbatim, its operators walk
// the text (a repeated key's last value), its functions format as
// PostgreSQL's. Expected results come from PostgreSQL 15 (psql -A -t).
func TestJSONType(t *testing.T) {
	d := newTestDB(t)
	for _, tc := range []struct{ sql, want string }{
		{`select '{"b": 1,  "a":2}'::json`, `{"b": 1,  "a":2}`},
		{`select '{"a":1,"a": [1,  2]}'::json -> 'a', '{"a":1,"a":{"b" : 2}}'::json ->> 'a'`, `[1,  2]|{"b" : 2}`},
		{`select '[1, "x", {"c":3}]'::json -> 1, '[1, "x"]'::json ->> 1, '[1, "x"]'::json -> -1`, `"x"|x|"x"`},
		{`select '{"a":{"b":[1, 2]}}'::json #> '{a,b,1}', '{"a":"\u00e9"}'::json ->> 'a'`, `2|é`},
		{`select '{"a":null}'::json ->> 'a' is null, '{"a":1}'::json -> 'b' is null, '1'::json -> 0 is null`, `t|t|t`},
		{`select json_build_object('a', 1, 'a', 2), json_build_array(1, '2')`, `{"a" : 1, "a" : 2}|[1, "2"]`},
		{`select json_build_object(1, true, 'z', array[[1,2],[3,4]], 'd', date '2020-01-02', 'j', '{"a" : 1}'::jsonb, 'k', ' {"a" :1}'::json)`,
			`{"1" : true, "z" : [[1,2],[3,4]], "d" : "2020-01-02", "j" : {"a": 1}, "k" :  {"a" :1}}`},
		{`select json_agg(x order by x desc), json_object_agg(x, x * 2) from (values (1), (2)) v(x)`, `[2, 1]|{ "1" : 2, "2" : 4 }`},
		{`select json_agg(x) filter (where x > 5) from (values (1), (2)) v(x)`, `NULL`},
		{`select to_json(array['a','b']), to_json(1.0), to_json('x'::text), to_json('NaN'::float8)`, `["a","b"]|1.0|"x"|"NaN"`},
		{`select json_typeof('[1]'), json_array_length(' [1,2] '), pg_typeof('1'::json)`, `array|2|json`},
		{`select '"\u0000"'::json, '{"b": 1, "a": 2}'::json::jsonb, '{"b": 1, "a": 2}'::jsonb::json`, `"\u0000"|{"a": 2, "b": 1}|{"a": 2, "b": 1}`},
		{`select * from json_each_text('{"a":1, "a" : "x", "b":null, "c": [1, 2]}')`, `a|1 a|x b|NULL c|[1, 2]`},
		{`select json_array_elements_text('[1, "a", null, {"b" : 1}]'), json_array_elements(' [1, "a", null] ')`, `1|1 a|"a" NULL|null {"b" : 1}|NULL`},
		{`select json_object_keys('{"b":1,"a":2,"b":3}')`, `b a b`},
		{`select json_extract_path('{"a":[1, {"b" : 2}]}', 'a', '1'), json_extract_path_text('{"a":"x"}', 'a')`, `{"b" : 2}|x`},
	} {
		got, _, err := d.query(tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, g, tc.want)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{`select '{"a":'::json`, "22P02"},
		{`select json_build_object(null, 1)`, "22023"},
		{`select json_build_object('a')`, "22023"},
		{`select json_build_object('{}'::json, 1)`, "22023"},
		{`select json_array_length('{}')`, "22023"},
		{`select json_array_length('1')`, "22023"},
		{`select '{}'::json = '{}'::json`, "42883"},
		{`select json_array_elements('{}')`, "22023"},
		{`select * from json_each('1')`, "22023"},
		{`select json_object_keys('[]')`, "22023"},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Errorf("%s: %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
}

// TestJSONTable: json columns store and return the text verbatim.
func TestJSONTable(t *testing.T) {
	d := newTestDB(t)
	for _, s := range []string{
		`create table jt (id int, j json)`,
		`insert into jt values (1, '{"a": 1, "b" : [1,  2]}'), (2, null)`,
	} {
		if _, _, err := d.query(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	got, _, err := d.query(`select id, j, j -> 'b' from jt order by id`)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := strings.Join(got, " "), `1|{"a": 1, "b" : [1,  2]}|[1,  2] 2|NULL|NULL`; g != want {
		t.Errorf("got %q want %q", g, want)
	}
}
