package session

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestSmallSettingsAndSeed runs bytea_output and setseed over the wire
// (simple protocol, text results) against PostgreSQL 15's answers.
func TestSmallSettingsAndSeed(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	for _, s := range []struct{ sql, want, code string }{
		{`select '\x00410a5c7f80ff'::bytea`, `\x00410a5c7f80ff`, ""},
		{`set bytea_output = 'escape'`, "", ""},
		{`select '\x00410a5c7f80ff'::bytea`, `\000A\012\\\177\200\377`, ""},
		{`show bytea_output`, "escape", ""},
		{`set bytea_output = 'foo'`, "", "22023"},
		{`reset bytea_output`, "", ""},
		{`select '\x41'::bytea`, `\x41`, ""},
		{`select setseed(0.5) is null`, "f", ""},
		{`select random()`, "0.9851677175347999", ""},
		{`select random()`, "0.825301858027981", ""},
		{`select setseed(2)`, "", "22023"},
		{`select array_fill(7, array[2, 2])`, "{{7,7},{7,7}}", ""},
		{`select array_fill(0, array[3], array[0])`, "[0:2]={0,0,0}", ""},
		{`select 'Feb 29, 2024'::date`, "2024-02-29", ""},
	} {
		rows, err := c.Query(ctx, s.sql, pgx.QueryExecModeSimpleProtocol)
		var got string
		if err == nil {
			for rows.Next() {
				got = string(rows.RawValues()[0])
			}
			rows.Close()
			err = rows.Err()
		}
		if s.code != "" {
			if sqlState(err) != s.code {
				t.Errorf("%s: %q, %v; want SQLSTATE %s", s.sql, got, err, s.code)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("%s = %q, %v; want %q", s.sql, got, err, s.want)
		}
	}
}
