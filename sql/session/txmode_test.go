package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// noticeConn connects with a handler that records every NOTICE/WARNING.
type noticeConn struct {
	*pgx.Conn
	mu      sync.Mutex
	notices []*pgconn.Notice
}

func (ts *testServer) connectNotices(t *testing.T) *noticeConn {
	t.Helper()
	cfg, err := pgx.ParseConfig(ts.url())
	if err != nil {
		t.Fatal(err)
	}
	nc := &noticeConn{}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		nc.mu.Lock()
		nc.notices = append(nc.notices, n)
		nc.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if nc.Conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close(context.Background()) })
	return nc
}

// take returns and forgets the notices received so far.
func (nc *noticeConn) take() []*pgconn.Notice {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	out := nc.notices
	nc.notices = nil
	return out
}

// simple runs sql over the simple protocol and returns its command tag.
func simple(t *testing.T, c *pgx.Conn, sql string) string {
	t.Helper()
	ct, err := c.Exec(ctxT(t), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return ct.String()
}

func TestReadOnlyTransactionRefusesWrites(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	mustExec(t, c, "create table ro (id int primary key, n int)")
	mustExec(t, c, "insert into ro values (1, 1)")
	starts := []struct {
		name  string
		setup []string // statements that make the next statement read only
		block bool     // the setup opens a block the failure aborts
	}{
		{"begin read only", []string{"begin read only"}, true},
		{"start transaction read only", []string{"start transaction isolation level repeatable read, read only"}, true},
		{"set transaction read only", []string{"begin", "set transaction read only"}, true},
		{"set transaction isolation and read only", []string{"begin", "set transaction isolation level repeatable read, read only"}, true},
		{"set transaction_read_only", []string{"begin", "set transaction_read_only = on"}, true},
		{"default_transaction_read_only", []string{"set default_transaction_read_only = on"}, false},
	}
	writes := []struct{ sql, msg string }{
		{"insert into ro values (7, 7)", "cannot execute INSERT in a read-only transaction"},
		{"update ro set n = 2", "cannot execute UPDATE in a read-only transaction"},
		{"delete from ro", "cannot execute DELETE in a read-only transaction"},
		{"create table ro2 (x int)", "cannot execute CREATE TABLE in a read-only transaction"},
		{"drop table ro", "cannot execute DROP TABLE in a read-only transaction"},
		{"create index ro_n on ro (n)", "cannot execute CREATE INDEX in a read-only transaction"},
		{"truncate ro", "cannot execute TRUNCATE TABLE in a read-only transaction"},
		{"copy ro from stdin", "cannot execute COPY FROM in a read-only transaction"},
	}
	for _, st := range starts {
		for _, w := range writes {
			t.Run(st.name+"/"+w.sql, func(t *testing.T) {
				ctx := ctxT(t)
				for _, s := range st.setup {
					simple(t, c, s)
				}
				// Reads still work.
				var n int64
				if err := c.QueryRow(ctx, "select count(*) from ro").Scan(&n); err != nil || n != 1 {
					t.Fatalf("read in read-only transaction: %d %v", n, err)
				}
				var err error
				if strings.HasPrefix(w.sql, "copy") {
					_, err = c.PgConn().CopyFrom(ctx, strings.NewReader("8\t8\n"), w.sql)
				} else {
					_, err = c.Exec(ctx, w.sql)
				}
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "25006" || pe.Message != w.msg {
					t.Fatalf("%s: got %v, want 25006 %q", w.sql, err, w.msg)
				}
				if st.block {
					if _, err := c.Exec(ctx, "select 1"); sqlState(err) != "25P02" {
						t.Fatalf("after the refusal the block should be aborted: %v", err)
					}
					simple(t, c, "rollback")
				} else {
					simple(t, c, "reset default_transaction_read_only")
				}
				// Nothing changed, and writes work again.
				var sum int64
				if err := c.QueryRow(ctx, "select count(*), sum(n) from ro").Scan(&n, &sum); err != nil || n != 1 || sum != 1 {
					t.Fatalf("after refusal: count %d sum %d %v", n, sum, err)
				}
			})
		}
	}
	// After all that, a read-write transaction writes.
	mustExec(t, c, "insert into ro values (2, 2)")
	simple(t, c, "begin read write")
	mustExec(t, c, "insert into ro values (3, 3)")
	simple(t, c, "commit")
	var n int64
	if err := c.QueryRow(ctxT(t), "select count(*) from ro").Scan(&n); err != nil || n != 3 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestReadOnlySettingShown(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	show := func() string {
		var v string
		if err := c.QueryRow(ctxT(t), "show transaction_read_only", pgx.QueryExecModeSimpleProtocol).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := show(); v != "off" {
		t.Fatalf("default transaction_read_only = %q", v)
	}
	simple(t, c, "begin read only")
	if v := show(); v != "on" {
		t.Fatalf("in BEGIN READ ONLY transaction_read_only = %q", v)
	}
	// A read-only transaction that has run a query cannot turn read-write.
	simple(t, c, "select 1")
	if _, err := c.Exec(ctxT(t), "set transaction read write", pgx.QueryExecModeSimpleProtocol); sqlState(err) != "25001" {
		t.Fatalf("set transaction read write after a query: %v", err)
	}
	simple(t, c, "rollback")
	if v := show(); v != "off" {
		t.Fatalf("after rollback transaction_read_only = %q", v)
	}
	simple(t, c, "set session characteristics as transaction read only")
	if v := show(); v != "on" {
		t.Fatalf("after SET SESSION CHARACTERISTICS transaction_read_only = %q", v)
	}
	if _, err := c.Exec(ctxT(t), "create table x (i int)"); sqlState(err) != "25006" {
		t.Fatalf("create table with default_transaction_read_only on: %v", err)
	}
	if _, err := c.Exec(ctxT(t), "set default_transaction_read_only = maybe"); sqlState(err) != "22023" {
		t.Fatalf("bad Boolean: %v", err)
	}
}

func TestSessionCommandTags(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	for _, tc := range []struct{ sql, tag string }{
		{"start transaction", "START TRANSACTION"},
		{"commit", "COMMIT"},
		{"begin", "BEGIN"},
		{"set transaction isolation level repeatable read", "SET"},
		{"rollback", "ROLLBACK"},
		{"set search_path = public", "SET"},
		{"reset search_path", "RESET"},
		{"set search_path to default", "SET"},
		{"reset all", "RESET"},
		{"discard all", "DISCARD ALL"},
	} {
		if got := simple(t, c, tc.sql); got != tc.tag {
			t.Errorf("%s: tag %q, want %q", tc.sql, got, tc.tag)
		}
	}
}

func TestShowColumnNames(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	for _, tc := range []struct{ sql, col string }{
		{"show timezone", "TimeZone"},
		{"show TimeZone", "TimeZone"},
		{"show time zone", "TimeZone"},
		{"show datestyle", "DateStyle"},
		{"show intervalstyle", "IntervalStyle"},
		{"show transaction isolation level", "transaction_isolation"},
		{"show search_path", "search_path"},
	} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
			rows, err := c.Query(ctxT(t), tc.sql, mode)
			if err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			fd := rows.FieldDescriptions()
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if len(fd) != 1 || fd[0].Name != tc.col {
				t.Errorf("%s (mode %v): columns %v, want %q", tc.sql, mode, fd, tc.col)
			}
		}
	}
}

func TestSetTransactionOutsideBlockWarns(t *testing.T) {
	ts := startServer(t)
	c := ts.connectNotices(t)
	c.take()
	if tag := simple(t, c.Conn, "set transaction isolation level serializable"); tag != "SET" {
		t.Fatalf("tag %q", tag)
	}
	ns := c.take()
	if len(ns) != 1 || ns[0].Code != "25P01" || ns[0].Severity != "WARNING" {
		t.Fatalf("notices %+v, want one WARNING 25P01", ns)
	}
	// It has no effect on the next transaction.
	simple(t, c.Conn, "begin")
	var iso string
	if err := c.QueryRow(ctxT(t), "show transaction_isolation").Scan(&iso); err != nil || iso != "read committed" {
		t.Fatalf("isolation after SET TRANSACTION outside a block: %q %v", iso, err)
	}
	simple(t, c.Conn, "commit")
	if ns := c.take(); len(ns) != 0 {
		t.Fatalf("unexpected notices %+v", ns)
	}
}

func TestIfExistsNotices(t *testing.T) {
	ts := startServer(t)
	c := ts.connectNotices(t)
	simple(t, c.Conn, "create table items (x int)")
	c.take()
	type want struct{ code, msg string }
	for _, tc := range []struct {
		sql, tag string
		want     []want
	}{
		{"create table if not exists items (x int)", "CREATE TABLE", []want{{"42P07", `relation "items" already exists, skipping`}}},
		{"create table if not exists fresh (x int)", "CREATE TABLE", nil},
		{"create index if not exists items_x on items (x)", "CREATE INDEX", nil},
		{"create index if not exists items_x on items (x)", "CREATE INDEX", []want{{"42P07", `relation "items_x" already exists, skipping`}}},
		{"drop table if exists t2", "DROP TABLE", []want{{"00000", `table "t2" does not exist, skipping`}}},
		{"drop table if exists a1, fresh, a2", "DROP TABLE", []want{
			{"00000", `table "a1" does not exist, skipping`},
			{"00000", `table "a2" does not exist, skipping`},
		}},
	} {
		if tag := simple(t, c.Conn, tc.sql); tag != tc.tag {
			t.Errorf("%s: tag %q, want %q", tc.sql, tag, tc.tag)
		}
		ns := c.take()
		if len(ns) != len(tc.want) {
			t.Fatalf("%s: notices %+v, want %v", tc.sql, ns, tc.want)
		}
		for i, w := range tc.want {
			if ns[i].Severity != "NOTICE" || ns[i].Code != w.code || ns[i].Message != w.msg {
				t.Errorf("%s: notice %d = %s %s %q, want NOTICE %s %q", tc.sql, i, ns[i].Severity, ns[i].Code, ns[i].Message, w.code, w.msg)
			}
		}
	}
}
