package session

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestJSONOverPgx: json values travel as their verbatim text in both wire
// formats, are accepted as parameters, and scan into Go maps and strings.
func TestJSONOverPgx(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table js (id int primary key, j json)")
	mustExec(t, c, "insert into js values (1, $1)", `{"a" : 1,  "b": [1, 2]}`)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		var s string
		var m map[string]any
		if err := c.QueryRow(ctx, "select j::text, j from js where id = 1", mode).Scan(&s, &m); err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		if s != `{"a" : 1,  "b": [1, 2]}` || m["a"] != float64(1) {
			t.Fatalf("mode %v: got %q %v", mode, s, m)
		}
		var agg []int
		if err := c.QueryRow(ctx, "select json_agg(x order by x) from (values (2), (1)) v(x)", mode).Scan(&agg); err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		if len(agg) != 2 || agg[0] != 1 || agg[1] != 2 {
			t.Fatalf("mode %v: json_agg = %v", mode, agg)
		}
	}
	var oid uint32
	if err := c.QueryRow(ctx, "select oid from pg_type where typname = 'json'").Scan(&oid); err != nil || oid != 114 {
		t.Fatalf("pg_type json: %d, %v", oid, err)
	}
}
