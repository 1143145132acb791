package exec

import (
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

// TestRegistryFunctions: calls the executor does not implement resolve
// through the database's funcs registry, scalar and aggregate, with
// implicit casts of their arguments and NULL handling of strict ones.
func TestRegistryFunctions(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table f (id int primary key, s text)")
	d.exec("insert into f values (1, 'ab'), (2, null), (3, 'cd')")
	for _, tc := range []struct{ sql, want string }{
		{"select upper(s), length(s) from f order by id", "AB|2 NULL|NULL CD|2"},
		{"select abs(-3), round(2.5)", "3|3"},
		{"select string_agg(s, ',') from f", "ab,cd"},
		{"select count(*), string_agg(s, '-') from f where id > 5", "0|NULL"},
	} {
		if got := strings.Join(d.exec(tc.sql), " "); got != tc.want {
			t.Fatalf("%s: got %q, want %q", tc.sql, got, tc.want)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"select no_such_function(1)", types.CodeUndefinedFunction},
		{"select string_agg(nope, ',') from f", CodeUndefinedColumn},
		{"select * from f where string_agg(s, ',') = ''", CodeGrouping},
	} {
		_, _, err := d.query(tc.sql)
		if te, ok := err.(*types.Error); !ok || te.Code != tc.code {
			t.Fatalf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
