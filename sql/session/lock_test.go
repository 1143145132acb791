package session

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/borealis-db/borealis/segment/segtest"
	"github.com/borealis-db/borealis/sql/rellock"
	"github.com/borealis-db/borealis/sql/session/writertest"
)

// waitLockQueue waits until n lock requests are waiting in the engine's
// lock manager.
func waitLockQueue(t *testing.T, ts *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		waiting := 0
		for _, h := range ts.eng.DB().Locks.Snapshot() {
			if !h.Granted {
				waiting++
			}
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d lock waiters, want %d", waiting, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestDDLUnderWriters: writers insert in multi-statement transactions while
// another session rewrites, truncates, re-creates and re-indexes the table
// in a loop. Every acknowledged row is found afterwards (in the table or
// the archive the DDL session moves rows to before TRUNCATE and DROP), and
// nothing else: counts per writer match the acknowledged commits exactly.
func TestDDLUnderWriters(t *testing.T) {
	ts := startServer(t)
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	connect := func() (*pgx.Conn, error) { return ts.connect(t), nil }
	acked, unsure := ddlUnderWriters(t, connect, rounds, nil)
	checkAcked(t, ts.connect(t), acked, unsure)
	if n := len(ts.eng.DB().Locks.Snapshot()); n != 0 {
		t.Fatalf("%d locks left after every transaction ended", n)
	}
}

// ddlUnderWriters runs the writers and the DDL loop of TestDDLUnderWriters
// and returns the acknowledged rows and those whose COMMIT got no answer.
// kill, when set, is called in the middle of round rounds/2, inside an
// open ALTER TABLE transaction; from then on every error is expected and
// everything stops.
func ddlUnderWriters(t *testing.T, connect func() (*pgx.Conn, error), rounds int, kill func()) (acked, unsure map[[2]int]bool) {
	ctx := ctxT(t)
	c, err := connect()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"create table t (w int, i int, v int, primary key (w, i))", "create table archive (w int, i int)"} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const writers = 4
	var killed atomic.Bool
	stop := make(chan struct{})
	type result struct {
		acked, unsure map[[2]int]bool
		err           error
	}
	results := make(chan result, writers)
	for w := 0; w < writers; w++ {
		conn, err := connect()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			r := result{acked: map[[2]int]bool{}, unsure: map[[2]int]bool{}}
			defer func() { results <- r }()
			for i := 0; ; i += 3 {
				select {
				case <-stop:
					return
				default:
				}
				keys := [][2]int{{w, i}, {w, i + 1}, {w, i + 2}}
				tx, err := conn.Begin(ctx)
				if err != nil {
					if !killed.Load() {
						r.err = err
					}
					return
				}
				_, err = tx.Exec(ctx, "insert into t (w, i, v) values ($1, $2, 0)", w, i)
				if err == nil {
					_, err = tx.Exec(ctx, fmt.Sprintf("insert into t (w, i, v) values (%d, %d, 0), (%d, %d, 0)", w, i+1, w, i+2))
				}
				if err == nil {
					_, err = tx.Exec(ctx, "update t set v = v + 1 where w = $1 and i = $2", w, i)
				}
				if err != nil {
					// 42P01: planned while the table was being
					// re-created; 40P01: a deadlock victim. The
					// transaction is rolled back: its rows must not appear.
					_ = tx.Rollback(ctx)
					if killed.Load() {
						return
					}
					if code := sqlState(err); code != "42P01" && code != "40P01" {
						r.err = fmt.Errorf("writer %d: %w", w, err)
						return
					}
					continue
				}
				if err := tx.Commit(ctx); err != nil {
					for _, k := range keys {
						r.unsure[k] = true
					}
					if !killed.Load() {
						r.err = fmt.Errorf("writer %d commit: %w", w, err)
					}
					return
				}
				for _, k := range keys {
					r.acked[k] = true
				}
			}
		}()
	}
	ddl := func(sqls ...string) {
		t.Helper()
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range sqls {
			if _, err := tx.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for r := 0; r < rounds; r++ {
		col := fmt.Sprintf("c%d", r)
		if kill != nil && r == rounds/2 {
			ddl("alter table t add column " + col + " int default 7 not null")
			tx, err := c.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "alter table t drop column "+col); err != nil {
				t.Fatal(err)
			}
			killed.Store(true)
			kill()
			break
		}
		ddl("alter table t add column " + col + " int default 7 not null")
		ddl("create index t_v on t (v)")
		ddl("alter table t drop column " + col)
		ddl("drop index t_v")
		ddl("lock table t", "insert into archive select w, i from t", "truncate t")
		ddl("lock table t in exclusive mode", "insert into archive select w, i from t",
			"drop table t", "create table t (w int, i int, v int, primary key (w, i))")
	}
	close(stop)
	acked, unsure = map[[2]int]bool{}, map[[2]int]bool{}
	for w := 0; w < writers; w++ {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		for k := range r.acked {
			acked[k] = true
		}
		for k := range r.unsure {
			unsure[k] = true
		}
	}
	if len(acked) == 0 {
		t.Fatal("no writer committed anything")
	}
	t.Logf("%d acknowledged rows, %d in flight, over %d DDL rounds", len(acked), len(unsure), rounds)
	return acked, unsure
}

// checkAcked verifies that t and archive together hold every acknowledged
// row once and no row that was never acknowledged (rows in flight may be
// either way).
func checkAcked(t *testing.T, c *pgx.Conn, acked, unsure map[[2]int]bool) {
	t.Helper()
	ctx := ctxT(t)
	found := map[[2]int]int{}
	for _, q := range []string{"select w, i from t", "select w, i from archive"} {
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k [2]int
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				t.Fatal(err)
			}
			found[k]++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for k := range acked {
		if found[k] != 1 {
			t.Errorf("acknowledged row %v found %d times", k, found[k])
		}
		delete(found, k)
	}
	for k, n := range found {
		if !unsure[k] || n != 1 {
			t.Errorf("row %v (%d times) was never acknowledged", k, n)
		}
	}
}

// TestDDLUnderWritersKill: the same against a `borealis writer` process,
// SIGKILLed while an ALTER TABLE DROP COLUMN transaction is open and
// writers wait for it; a new writer on the same storage has every
// acknowledged row and no other, and the table keeps its last committed
// definition.
func TestDDLUnderWritersKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts storage and writer processes")
	}
	cl := segtest.Start(t, bin, segtest.Options{SegmentPages: writertest.SegmentPages})
	w := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages})
	ctx := ctxT(t)
	connect := func() (*pgx.Conn, error) { return pgx.Connect(ctx, w.URL()) }
	acked, unsure := ddlUnderWriters(t, connect, 2, w.Kill)
	w2 := writertest.Start(t, bin, cl, writertest.Options{SegmentPages: writertest.SegmentPages})
	c, err := pgx.Connect(ctx, w2.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	checkAcked(t, c, acked, unsure)
	var cols int
	if err := c.QueryRow(ctx, "select count(*) from information_schema.columns where table_name = 't'").Scan(&cols); err != nil || cols != 4 {
		t.Fatalf("t has %d columns after the kill (%v), want 4: the open DROP COLUMN must not survive", cols, err)
	}
}

// TestDDLWaitsForReader: a Repeatable Read reader's open transaction keeps
// ALTER TABLE waiting; the reader sees the old table throughout; the ALTER
// completes when the reader commits, and a later reader sees the new
// column with every row.
func TestDDLWaitsForReader(t *testing.T) {
	ts := startServer(t)
	ctx := ctxT(t)
	a, reader := ts.connect(t), ts.connect(t)
	mustExec(t, a, "create table t (id int primary key)")
	mustExec(t, a, "insert into t select generate_series(1, 50)")
	tx, err := reader.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(ctx, "select count(*) from t").Scan(&n); err != nil || n != 50 {
		t.Fatalf("count %d, %v", n, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Exec(ctx, "alter table t add column x int default 5")
		done <- err
	}()
	waitLockQueue(t, ts, 1)
	rows, err := tx.Query(ctx, "select * from t where id = 1")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rows.FieldDescriptions()); got != 1 {
		t.Fatalf("reader sees %d columns while the ALTER waits", got)
	}
	rows.Close()
	select {
	case err := <-done:
		t.Fatalf("ALTER finished while a reader held the table: %v", err)
	default:
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := reader.QueryRow(ctx, "select count(*), sum(x) from t").Scan(&n, &sum); err != nil || n != 50 || sum != 250 {
		t.Fatalf("after ALTER: count %d sum %d, %v", n, sum, err)
	}
}

// TestLockQueueing: a waiting ALTER is not passed by a later reader (FIFO),
// lock_timeout ends a wait with 55P03, NOWAIT fails at once, a canceled
// ALTER leaves the queue, and LOCK outside a block is 25P01.
func TestLockQueueing(t *testing.T) {
	ts := startServer(t)
	ctx := ctxT(t)
	holder, alter, reader := ts.connect(t), ts.connect(t), ts.connect(t)
	mustExec(t, holder, "create table t (id int)")
	mustExec(t, holder, "insert into t values (1)")

	if _, err := holder.Exec(ctx, "lock table t"); sqlState(err) != "25P01" {
		t.Fatalf("LOCK outside a block: %v, want 25P01", err)
	}
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "select * from t"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := alter.Exec(ctx, "alter table t add column x int default 1")
		done <- err
	}()
	waitLockQueue(t, ts, 1)

	// A reader queues behind the waiting ALTER.
	mustExec(t, reader, "set lock_timeout = '30ms'")
	_, err = reader.Exec(ctx, "select * from t")
	if sqlState(err) != "55P03" || !strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("reader behind ALTER: %v, want 55P03 lock timeout", err)
	}
	rtx, err := reader.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rtx.Exec(ctx, "lock table t in access share mode nowait"); sqlState(err) != "55P03" ||
		!strings.Contains(err.Error(), `could not obtain lock on relation "t"`) {
		t.Fatalf("NOWAIT: %v", err)
	}
	_ = rtx.Rollback(ctx)

	// Cancel the waiting ALTER: it leaves the queue, readers go on.
	if err := alter.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; sqlState(err) != "57014" {
		t.Fatalf("canceled ALTER: %v, want 57014", err)
	}
	mustExec(t, reader, "set lock_timeout = 0")
	var n int
	if err := reader.QueryRow(ctx, "select count(*) from t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("reader after cancel: %d, %v", n, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, alter, "alter table t add column x int default 1")
	if n := len(ts.eng.DB().Locks.Snapshot()); n != 0 {
		t.Fatalf("%d locks left", n)
	}
}

// TestTableRowDeadlock: a cycle through a table lock and a row lock is a
// deadlock (40P01) for one side, whichever waits last, and the other goes
// on once the victim rolls back.
func TestTableRowDeadlock(t *testing.T) {
	for _, rowWaitLast := range []bool{false, true} {
		t.Run(fmt.Sprintf("rowWaitLast=%v", rowWaitLast), func(t *testing.T) {
			ts := startServer(t)
			ctx := ctxT(t)
			s1, s2 := ts.connect(t), ts.connect(t)
			mustExec(t, s1, "create table t (id int primary key, v int)")
			mustExec(t, s1, "create table u (id int)")
			mustExec(t, s1, "insert into t values (1, 0)")
			tx1, err := s1.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tx2, err := s2.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx1.Exec(ctx, "update t set v = 1 where id = 1"); err != nil {
				t.Fatal(err)
			}
			if _, err := tx2.Exec(ctx, "lock table u in share mode"); err != nil {
				t.Fatal(err)
			}
			// first waits, then second closes the cycle.
			first, second := func() error { _, err := tx1.Exec(ctx, "insert into u values (1)"); return err },
				func() error { _, err := tx2.Exec(ctx, "update t set v = 2 where id = 1"); return err }
			victim, survivor := tx2, tx1
			if !rowWaitLast {
				first, second = second, first
				victim, survivor = tx1, tx2
			}
			done := make(chan error, 1)
			go func() { done <- first() }()
			if rowWaitLast {
				waitLockQueue(t, ts, 1)
			} else {
				waitRowWait(t, ts)
			}
			if err := second(); sqlState(err) != "40P01" {
				t.Fatalf("second waiter: %v, want 40P01", err)
			}
			if err := victim.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("survivor: %v", err)
			}
			if err := survivor.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// waitRowWait waits until some transaction waits for a row lock.
func waitRowWait(t *testing.T, ts *testServer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(ts.eng.DB().Mgr.RowWaits()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no row-lock wait")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestPlanLocks: the modes each statement takes, checked while its
// transaction is open.
func TestPlanLocks(t *testing.T) {
	ts := startServer(t)
	ctx := ctxT(t)
	c := ts.connect(t)
	mustExec(t, c, "create table p (id int primary key)")
	mustExec(t, c, "create table ch (id int, pid int references p)")
	mustExec(t, c, "create view v as select id from p")
	mustExec(t, c, "insert into p values (1)")
	oid := func(name string) uint32 {
		var o uint32
		if err := c.QueryRow(ctx, "select $1::regclass::oid", name).Scan(&o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	p, ch, v := oid("p"), oid("ch"), oid("v")
	tests := []struct {
		sql  string
		want map[uint32][]rellock.Mode
	}{
		{"select * from p", map[uint32][]rellock.Mode{p: {rellock.AccessShare}}},
		{"select * from v", map[uint32][]rellock.Mode{p: {rellock.AccessShare}, v: {rellock.AccessShare}}},
		{"select * from p for update", map[uint32][]rellock.Mode{p: {rellock.RowShare}}},
		{"insert into ch values (1, 1)", map[uint32][]rellock.Mode{p: {rellock.RowShare}, ch: {rellock.RowExclusive}}},
		{"delete from p where id = 5", map[uint32][]rellock.Mode{p: {rellock.RowExclusive}, ch: {rellock.RowExclusive}}},
		{"create index on ch (pid)", map[uint32][]rellock.Mode{ch: {rellock.Share}}},
		{"truncate ch", map[uint32][]rellock.Mode{ch: {rellock.AccessExclusive}, p: {rellock.ShareRowExclusive}}},
		{"lock table v in row exclusive mode", map[uint32][]rellock.Mode{p: {rellock.RowExclusive}, v: {rellock.RowExclusive}}},
		{"select count(*) from pg_class", map[uint32][]rellock.Mode{}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			tx, err := c.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, tc.sql); err != nil {
				t.Fatal(err)
			}
			got := map[uint32][]rellock.Mode{}
			for _, h := range ts.eng.DB().Locks.Snapshot() {
				if h.Rel != 0 {
					got[h.Rel] = append(got[h.Rel], h.Mode)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("locks %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPgLocks: pg_locks shows held and awaited relation locks with their
// holder's pid.
func TestPgLocks(t *testing.T) {
	ts := startServer(t)
	ctx := ctxT(t)
	holder, waiter, viewer := ts.connect(t), ts.connect(t), ts.connect(t)
	mustExec(t, holder, "create table t (id int)")
	// The pids of BackendKeyData (pg_backend_pid() answers 0 so far).
	hpid, wpid := int32(holder.PgConn().PID()), int32(waiter.PgConn().PID())
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "lock table t in share mode"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "insert into t values (1)")
		done <- err
	}()
	waitLockQueue(t, ts, 1)
	rows, err := viewer.Query(ctx, "select relation::regclass::text, mode, granted, pid from pg_locks where locktype = 'relation' order by granted desc")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var rel, mode string
		var granted bool
		var pid int32
		if err := rows.Scan(&rel, &mode, &granted, &pid); err != nil {
			t.Fatal(err)
		}
		who := "other"
		switch pid {
		case hpid:
			who = "holder"
		case wpid:
			who = "waiter"
		}
		got = append(got, fmt.Sprintf("%s %s %v %s", rel, mode, granted, who))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"t ShareLock true holder", "t RowExclusiveLock false waiter"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pg_locks %q, want %q", got, want)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestLockHeldToTransactionEnd: statement_timeout ends a lock wait with
// 57014; a lock taken under a savepoint stays after ROLLBACK TO, and one
// of a failed block stays until ROLLBACK, as in PostgreSQL.
func TestLockHeldToTransactionEnd(t *testing.T) {
	ts := startServer(t)
	ctx := ctxT(t)
	holder, other := ts.connect(t), ts.connect(t)
	mustExec(t, holder, "create table t (id int)")
	mustExec(t, other, "set lock_timeout = '20ms'")
	blocked := func(want string) {
		t.Helper()
		_, err := other.Exec(ctx, "select * from t")
		if sqlState(err) != want {
			t.Fatalf("reader: %v, want %q", err, want)
		}
	}
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"savepoint s", "lock table t", "rollback to savepoint s"} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	blocked("55P03")
	mustExec(t, other, "set lock_timeout = 0")
	mustExec(t, other, "set statement_timeout = '20ms'")
	_, err = other.Exec(ctx, "select * from t")
	if sqlState(err) != "57014" || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("reader: %v, want 57014 statement timeout", err)
	}
	if _, err := tx.Exec(ctx, "select 1/0"); sqlState(err) != "22012" {
		t.Fatalf("1/0: %v", err)
	}
	blocked("57014") // the failed block keeps its lock
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	blocked("")
}
