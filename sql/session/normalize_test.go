package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// normalizedEntries counts the engine's cache entries for normalized texts.
func normalizedEntries(e *Engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k := range e.cache {
		if strings.HasPrefix(k, "\x00norm\x00") {
			n++
		}
	}
	return n
}

// simpleRows runs sql over the simple protocol and returns its rows as text.
func simpleRows(t *testing.T, c *pgx.Conn, sql string) [][]string {
	t.Helper()
	rows, err := c.Query(ctxT(t), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		r := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				r[i] = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toText(v), "\n", " "), "\t", " "))
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		return strings.Trim(strings.ReplaceAll(strings.TrimSpace(fmtAny(x)), " ", ""), "{}")
	}
}

// TestNormalizedPlanCache: simple queries differing only in literals share
// one cached plan, keyed by the literals' types too, and answer with their
// own literals; a literal that does not fit fails as PostgreSQL fails it.
func TestNormalizedPlanCache(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	simple(t, c, "create table nc (id int primary key, v text, n numeric)")
	simple(t, c, "insert into nc values (1, 'one', 1.5), (2, 'two', 2), (6, 'six', 6)")
	before := normalizedEntries(ts.eng)
	for _, tc := range []struct{ sql, want string }{
		{"select v from nc where id = 1", "one"},
		{"select v from nc where id = 2", "two"},
		{"select v from nc where id = 6", "six"},
		{"select v from nc where id = 5.5", ""}, // numeric literal: its own plan, no rounding
		{"select v from nc where v = 'two'", "two"},
		{"select v from nc where v = 'one'", "one"},
		{"select count(*) from nc where n > 1.75", "2"},
	} {
		rows := simpleRows(t, c, tc.sql)
		got := ""
		if len(rows) > 0 {
			got = rows[0][0]
		}
		if got != tc.want {
			t.Fatalf("%s: got %q, want %q", tc.sql, got, tc.want)
		}
	}
	// id = int, id = numeric, v = string, n > numeric: four shapes.
	if got := normalizedEntries(ts.eng) - before; got != 4 {
		t.Fatalf("%d normalized plans cached, want 4", got)
	}
	_, err := c.Exec(ctxT(t), "insert into nc values ('x', 'bad', 0)", pgx.QueryExecModeSimpleProtocol)
	if sqlState(err) != "22P02" {
		t.Fatalf("insert of 'x' into an int column: %v, want 22P02", err)
	}
	if rows := simpleRows(t, c, "select count(*) from nc"); rows[0][0] != "3" {
		t.Fatalf("count after the failed insert = %q", rows[0][0])
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }
