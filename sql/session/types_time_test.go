package session

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestSetConfig: set_config changes the session setting (search_path takes
// effect for the next statement), is_local lasts until the transaction
// ends, and unknown names are 42704.
func TestSetConfig(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table sc (id int)")
	mustExec(t, c, "insert into sc values (1)")
	var v string
	if err := c.QueryRow(ctx, "select pg_catalog.set_config('search_path', '', false)").Scan(&v); err != nil || v != "" {
		t.Fatalf("set_config = %q, %v", v, err)
	}
	if _, err := c.Exec(ctx, "select * from sc"); sqlState(err) != "42P01" {
		t.Fatalf("sc with an empty search_path: %v, want 42P01", err)
	}
	if err := c.QueryRow(ctx, "select set_config('search_path', 'public', false)").Scan(&v); err != nil || v != "public" {
		t.Fatalf("set_config = %q, %v", v, err)
	}
	var n int
	if err := c.QueryRow(ctx, "select count(*) from sc").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, "select set_config('application_name', 'inside', true)").Scan(&v); err != nil || v != "inside" {
		t.Fatalf("local set_config = %q, %v", v, err)
	}
	if err := tx.QueryRow(ctx, "select current_setting('application_name')").Scan(&v); err != nil || v != "inside" {
		t.Fatalf("current_setting in the block = %q, %v", v, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "show application_name").Scan(&v); err != nil || v != "" {
		t.Fatalf("application_name after commit = %q, %v", v, err)
	}
	if _, err := c.Exec(ctx, "select set_config('no_such_parameter', 'x', false)"); sqlState(err) != "42704" {
		t.Fatalf("unknown parameter: %v, want 42704", err)
	}
}

// TestRealAndTimeThroughPgx: real, time and timetz columns round-trip
// through pgx's binary format (extended protocol), the text format
// (simple protocol) and COPY FROM STDIN.
func TestRealAndTimeThroughPgx(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table rt (id int primary key, r real, tm time, tz timetz)")
	if _, err := c.Exec(ctx, "insert into rt values ($1, $2, $3, '10:30:15.5+02')", 1, float32(1.1),
		pgtype.Time{Microseconds: 37815500000, Valid: true}); err != nil {
		t.Fatal(err)
	}
	n, err := c.CopyFrom(ctx, pgx.Identifier{"rt"}, []string{"id", "r", "tm"}, pgx.CopyFromRows([][]any{
		{2, float32(-2.5e-5), pgtype.Time{Microseconds: 0, Valid: true}},
		{3, nil, nil},
	}))
	if err != nil || n != 2 {
		t.Fatalf("CopyFrom (binary): %d, %v", n, err)
	}
	if _, err := c.PgConn().CopyFrom(ctx, strings.NewReader("4\t3.5\t23:59:59.999999\t01:02:03-05:30\n"), "copy rt from stdin"); err != nil {
		t.Fatalf("COPY text: %v", err)
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		rows, err := c.Query(ctx, "select id, r, tm, tz::text from rt order by id", mode)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var id int
			var r *float32
			var tm pgtype.Time
			var tz *string
			if err := rows.Scan(&id, &r, &tm, &tz); err != nil {
				t.Fatalf("mode %v: scan: %v", mode, err)
			}
			s := ""
			if r != nil {
				s += strconv.FormatFloat(float64(*r), 'g', -1, 32)
			}
			if tm.Valid {
				s += "|" + (time.Duration(tm.Microseconds) * time.Microsecond).String()
			}
			if tz != nil {
				s += "|" + *tz
			}
			got = append(got, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := "1.1|10h30m15.5s|10:30:15.5+02 / -2.5e-05|0s /  / 3.5|23h59m59.999999s|01:02:03-05:30"
		if g := strings.Join(got, " / "); g != want {
			t.Errorf("mode %v: got %q, want %q", mode, g, want)
		}
	}
	var sum float32
	var avg float64
	if err := c.QueryRow(ctx, "select sum(r), avg(r) from rt").Scan(&sum, &avg); err != nil || sum != float32(1.1)+float32(-2.5e-5)+3.5 {
		t.Fatalf("sum(real) = %v, avg %v, %v", sum, avg, err)
	}
}
