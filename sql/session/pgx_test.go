package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

func TestErrorCodes(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	mustExec(t, c, "create table e (id int primary key, n int not null, s varchar(3))")
	mustExec(t, c, "insert into e values (1, 1, 'abc')")
	for _, tc := range []struct {
		sql, code string
	}{
		{"selec 1", "42601"},
		{"select * from nope", "42P01"},
		{"select nope from e", "42703"},
		{"insert into e values (1, 2, 'x')", "23505"},
		{"insert into e (id) values (2)", "23502"},
		{"insert into e values ('abc', 1, 'x')", "22P02"},
		{"insert into e values (3000000000, 1, 'x')", "22003"},
		{"select 1/0", "22012"},
		{"insert into e values (5, 1, 'abcd')", "22001"},
		{"select * from e, e", "42712"},
		{"select * from e a join e b using (nope)", "42703"},
		{"select s, count(*) from e group by rollup (s)", "0A000"},
		{"create table e (x int)", "42P07"},
		{"drop table nope", "42P01"},
		{"select count(*), n from e", "42803"},
		{"select 1::money", "0A000"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			_, err := c.Exec(ctxT(t), tc.sql, pgx.QueryExecModeSimpleProtocol)
			if got := sqlState(err); got != tc.code {
				t.Fatalf("%s: got %q (%v), want %s", tc.sql, got, err, tc.code)
			}
		})
	}
	// The table is unchanged by the failed statements.
	var n int64
	if err := c.QueryRow(ctxT(t), "select count(*) from e").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestFailedTransactionBlock(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table f (id int primary key)")
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "insert into f values (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "insert into f values (1)"); sqlState(err) != "23505" {
		t.Fatalf("duplicate in block: %v", err)
	}
	if _, err := tx.Exec(ctx, "select 1"); sqlState(err) != "25P02" {
		t.Fatalf("after error in block: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := c.QueryRow(ctx, "select count(*) from f").Scan(&n); err != nil || n != 0 {
		t.Fatalf("after rollback count = %d, %v", n, err)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table a (id int primary key, v int)")
	mustExec(t, c, "insert into a values (1, 10)")
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"insert into a values (2, 20)", "update a set v = 11 where id = 1", "delete from a where id = 1", "insert into a values (1, 99)"} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, "select id, v from a order by id")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[[1 10]]" {
		t.Fatalf("after abort: %v", got)
	}
	// The aborted key is free again and the primary key still works.
	mustExec(t, c, "insert into a values (2, 21)")
	var v int32
	if err := c.QueryRow(ctx, "select v from a where id = 2").Scan(&v); err != nil || v != 21 {
		t.Fatalf("v = %d, %v", v, err)
	}
}

func TestRepeatableReadSnapshot(t *testing.T) {
	ts := startServer(t)
	a, b := ts.connect(t), ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, a, "create table r (id int primary key, v int)")
	mustExec(t, a, "insert into r values (1, 1)")
	tx, err := a.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	var v int32
	if err := tx.QueryRow(ctx, "select v from r where id = 1").Scan(&v); err != nil || v != 1 {
		t.Fatalf("first read %d %v", v, err)
	}
	mustExec(t, b, "update r set v = 2 where id = 1")
	mustExec(t, b, "insert into r values (2, 2)")
	var n int64
	// The snapshot holds for the statement's subqueries too: neither the
	// update nor the new row is visible.
	if err := tx.QueryRow(ctx, "select v, (select count(*) from r) from r where id = 1").Scan(&v, &n); err != nil || v != 1 || n != 1 {
		t.Fatalf("read with a subquery in the old snapshot: v %d, count %d, %v", v, n, err)
	}
	_ = tx.Rollback(ctx)
	tx, err = a.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, "select v from r where id = 1").Scan(&v); err != nil || v != 2 {
		t.Fatalf("new snapshot read %d %v", v, err)
	}
	mustExec(t, b, "update r set v = 3 where id = 1")
	mustExec(t, b, "delete from r where id = 2")
	for i := 0; i < 2; i++ {
		if err := tx.QueryRow(ctx, "select v from r where id = 1").Scan(&v); err != nil || v != 2 {
			t.Fatalf("repeatable read saw %d %v", v, err)
		}
		if err := tx.QueryRow(ctx, "select count(*) from r").Scan(&n); err != nil || n != 2 {
			t.Fatalf("repeatable read count %d %v", n, err)
		}
	}
	// Updating a row changed since the snapshot is a serialization failure.
	if _, err := tx.Exec(ctx, "update r set v = 10 where id = 1"); sqlState(err) != "40001" {
		t.Fatalf("update of concurrently changed row: %v", err)
	}
	_ = tx.Rollback(ctx)
	var iso string
	if err := a.QueryRow(ctx, "show transaction_isolation").Scan(&iso); err != nil || iso != "read committed" {
		t.Fatalf("isolation after block: %q %v", iso, err)
	}
}

func TestDeadlockDetected(t *testing.T) {
	ts := startServer(t)
	a, b := ts.connect(t), ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, a, "create table d (id int primary key, v int)")
	mustExec(t, a, "insert into d values (1, 0), (2, 0)")
	ta, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Exec(ctx, "update d set v = 1 where id = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Exec(ctx, "update d set v = 2 where id = 2"); err != nil {
		t.Fatal(err)
	}
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := ta.Exec(ctx, "update d set v = 1 where id = 2")
		errA <- err
	}()
	go func() {
		_, err := tb.Exec(ctx, "update d set v = 2 where id = 1")
		errB <- err
	}()
	// One is the deadlock victim: its transaction is aborted at once, so
	// the other's wait ends and its update succeeds.
	ea, eb := <-errA, <-errB
	switch {
	case sqlState(ea) == "40P01" && eb == nil:
		_ = ta.Rollback(ctx)
		if err := tb.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	case sqlState(eb) == "40P01" && ea == nil:
		_ = tb.Rollback(ctx)
		if err := ta.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("want one 40P01 and one success, got %v and %v", ea, eb)
	}
}

func TestSameRowSerializes(t *testing.T) {
	ts := startServer(t)
	a, b := ts.connect(t), ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, a, "create table s (id int primary key, v int)")
	mustExec(t, a, "insert into s values (1, 100)")
	ta, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Exec(ctx, "update s set v = v - 30 where id = 1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		// Waits for a's row lock, then re-reads the newest version (70) and
		// re-checks its WHERE before applying.
		_, err := b.Exec(ctx, "update s set v = v * 2 where id = 1 and v > 50")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("second update did not wait for the row lock: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := ta.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var v int32
	if err := a.QueryRow(ctx, "select v from s where id = 1").Scan(&v); err != nil || v != 140 {
		t.Fatalf("v = %d, %v (want 140)", v, err)
	}
}

func TestTypesBinaryAndText(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, `create table ty (i2 int2, i4 int4, i8 int8, n numeric(10,2), f float8, t text,
		vc varchar(10), ch char(4), b bool, d date, ts timestamp, tz timestamptz)`)
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	stamp := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	var num pgtype.Numeric
	if err := num.Scan("1234.50"); err != nil {
		t.Fatal(err)
	}
	args := []any{int16(-7), int32(123456), int64(-9876543210), num, 2.5, "héllo", "vc", "ab", true, day, stamp, stamp}
	// Extended protocol, binary parameters.
	if _, err := c.Exec(ctx, "insert into ty values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", args...); err != nil {
		t.Fatal(err)
	}
	// Simple protocol, text literals.
	if _, err := c.Exec(ctx, "insert into ty values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		rows, err := c.Query(ctx, "select i2, i4, i8, n, f, t, vc, ch, b, d, ts, tz from ty", mode)
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for rows.Next() {
			var (
				i2 int16
				i4 int32
				i8 int64
				n  pgtype.Numeric
				f  float64
				s  string
				vc string
				ch string
				b  bool
				d  time.Time
				ts time.Time
				tz time.Time
			)
			if err := rows.Scan(&i2, &i4, &i8, &n, &f, &s, &vc, &ch, &b, &d, &ts, &tz); err != nil {
				t.Fatalf("mode %v: %v", mode, err)
			}
			nv, _ := n.Value()
			if i2 != -7 || i4 != 123456 || i8 != -9876543210 || nv != "1234.50" || f != 2.5 || s != "héllo" || vc != "vc" || ch != "ab  " || !b ||
				!d.Equal(day) || !ts.Equal(stamp) || !tz.Equal(stamp) {
				t.Fatalf("mode %v: got %v %v %v %v %v %q %q %q %v %v %v %v", mode, i2, i4, i8, nv, f, s, vc, ch, b, d, ts, tz)
			}
			count++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if count != 2 {
			t.Fatalf("mode %v: %d rows", mode, count)
		}
	}
}

func TestBatchCopyAndManyConnections(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table m (id int8 primary key, name text, amount numeric)")
	rows := make([][]any, 1000)
	for i := range rows {
		rows[i] = []any{int64(i + 1), fmt.Sprintf("n%d", i+1), fmt.Sprintf("%d.5", i)}
	}
	n, err := c.CopyFrom(ctx, pgx.Identifier{"m"}, []string{"id", "name", "amount"}, pgx.CopyFromRows(rows))
	if err != nil || n != 1000 {
		t.Fatalf("CopyFrom: %d %v", n, err)
	}
	b := &pgx.Batch{}
	for i := 1; i <= 10; i++ {
		b.Queue("update m set name = $1 where id = $2", fmt.Sprintf("b%d", i), int64(i))
	}
	b.Queue("select count(*) from m where name = 'b3' or name = 'b10'")
	br := c.SendBatch(ctx, b)
	for i := 0; i < 10; i++ {
		if ct, err := br.Exec(); err != nil || ct.RowsAffected() != 1 {
			t.Fatalf("batch update %d: %v %v", i, ct, err)
		}
	}
	var cnt int64
	if err := br.QueryRow().Scan(&cnt); err != nil || cnt != 2 {
		t.Fatalf("batch select: %d %v", cnt, err)
	}
	br.Close()

	const conns = 50
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			conn, err := pgx.Connect(cctx, ts.url())
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(context.Background())
			for j := 0; j < 5; j++ {
				id := int64(1 + (i*5+j)%1000)
				if _, err := conn.Exec(cctx, "update m set amount = amount + 1 where id = $1", id); err != nil {
					errs <- err
					return
				}
				var got string
				if err := conn.QueryRow(cctx, "select name from m where id = $1", id).Scan(&got); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var total pgtype.Numeric
	if err := c.QueryRow(ctx, "select sum(amount) from m").Scan(&total); err != nil {
		t.Fatal(err)
	}
	v, _ := total.Value()
	// sum(i + 0.5 for i in 0..999) + 250 increments.
	if v != "500250.0" {
		t.Fatalf("sum(amount) = %v", v)
	}
}

func TestExplainUsesIndex(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table x (id int primary key, v int)")
	for _, tc := range []struct{ sql, want string }{
		{"explain select v from x where id = 5", "Index Scan using x_pkey on x"},
		{"explain update x set v = 1 where id = 5", "Update on x via Index Scan using x_pkey on x"},
		{"explain select v from x where v = 5", "Seq Scan on x"},
		{"explain delete from x where id > 5", "Delete on x via Seq Scan on x"},
	} {
		var got string
		if err := c.QueryRow(ctx, tc.sql).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if got != tc.want {
			t.Fatalf("%s: %q, want %q", tc.sql, got, tc.want)
		}
	}
	_ = errors.New
}

func TestLockWaitCancel(t *testing.T) {
	ts := startServer(t)
	a, b := ts.connect(t), ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, a, "create table w (id int primary key, v int)")
	mustExec(t, a, "insert into w values (1, 0)")
	ta, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Exec(ctx, "update w set v = 1 where id = 1"); err != nil {
		t.Fatal(err)
	}
	// statement_timeout ends a lock wait with 57014.
	mustExec(t, b, "set statement_timeout = '100ms'")
	if _, err := b.Exec(ctx, "update w set v = 2 where id = 1"); sqlState(err) != "57014" {
		t.Fatalf("statement_timeout: %v", err)
	}
	mustExec(t, b, "set statement_timeout = 0")
	// A client cancel (CancelRequest) ends it too. Cancel requests are sent
	// until the server answers the waiting UPDATE (one sent before the UPDATE
	// reached the server cancels nothing), so the error is the server's own
	// answer, not a client giving up while the UPDATE still waits.
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, "update w set v = 3 where id = 1")
		done <- err
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for err = nil; ; {
		select {
		case err = <-done:
		case <-tick.C:
			if cerr := b.PgConn().CancelRequest(ctx); cerr != nil {
				t.Fatalf("cancel request: %v", cerr)
			}
			continue
		case <-ctx.Done():
			t.Fatal("the canceled UPDATE never returned")
		}
		break
	}
	if sqlState(err) != "57014" {
		t.Fatalf("canceled update while the row was locked: %v", err)
	}
	if err := ta.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var v int32
	if err := a.QueryRow(ctx, "select v from w where id = 1").Scan(&v); err != nil || v != 1 {
		t.Fatalf("v = %d, %v", v, err)
	}
}
