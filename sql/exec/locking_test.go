package exec

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// openTx is an explicit transaction on a testDB.
type openTx struct {
	d  *testDB
	tx *txn.Tx
}

func (d *testDB) begin() *openTx {
	tx := d.db.Mgr.Begin(txn.ReadCommitted)
	if err := d.db.AssignXid(context.Background(), tx); err != nil {
		d.tb.Fatal(err)
	}
	return &openTx{d: d, tx: tx}
}

// run runs one statement in the transaction and returns its rows' first
// columns as text.
func (o *openTx) run(ctx context.Context, sql string) (string, error) {
	st, err := ast.ParseOne(sql)
	if err != nil {
		return "", err
	}
	p, err := o.d.db.Build(st, o.d.db.Cat.Current(), nil)
	if err != nil {
		return "", err
	}
	if err := o.tx.NextCommand(); err != nil {
		return "", err
	}
	c := &Ctx{Ctx: ctx, DB: o.d.db, Tx: o.tx, Snap: o.tx.Snapshot(), Cat: o.d.db.Cat.Current(), Env: &types.Env{}}
	var out []string
	_, err = p.Run(c, func(r []types.Datum) error {
		out = append(out, types.FormatText(p.ColTypes[0], r[0], nil))
		return nil
	})
	return strings.Join(out, " "), err
}

func (o *openTx) must(sql string) string {
	o.d.tb.Helper()
	s, err := o.run(context.Background(), sql)
	if err != nil {
		o.d.tb.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestSelectForUpdate(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table acc (id int primary key, bal int)")
	d.exec("insert into acc values (1, 10), (2, 20), (3, 30)")
	runSteps(t, d, []step{
		{sql: "select id from acc where id >= 2 order by id for update", want: "2 3"},
		{sql: "select id from acc for share of acc nowait", want: "1 2 3"},
		{sql: "select id from acc a for key share of a skip locked", want: "1 2 3"},
		{sql: "select id from acc for update of nope", code: "42P01"},
		{sql: "select count(*) from acc for update", code: "0A000"},
		{sql: "select a.id from acc a join acc b on a.id = b.id order by a.id for update", want: "1 2 3"},
		{sql: "select s.id from (select id from acc) s for update", code: "0A000"},
	})
	st, _ := ast.ParseOne("select id from acc for no key update")
	p, err := d.db.Build(st, d.db.Cat.Current(), nil)
	if err != nil || p.ReadOnly || p.WriteCommand != "SELECT FOR NO KEY UPDATE" {
		t.Fatalf("plan: %v readOnly=%v write=%q", err, p.ReadOnly, p.WriteCommand)
	}

	t1 := d.begin()
	if got := t1.must("select id from acc where id = 2 for update"); got != "2" {
		t.Fatalf("t1 locked %q", got)
	}
	t2 := d.begin()
	defer t2.tx.Abort()
	_, err = t2.run(context.Background(), "select id from acc where id = 2 for update nowait")
	var te *types.Error
	if !errors.As(err, &te) || te.Code != CodeLockNotAvailable {
		t.Fatalf("nowait: %v, want 55P03", err)
	}
	if got := t2.must("select id from acc order by id for update skip locked"); got != "1 3" {
		t.Fatalf("skip locked: %q, want 1 3", got)
	}
	// A plain FOR UPDATE waits for t1, then sees t1's update.
	t1.must("update acc set bal = 21 where id = 2")
	done := make(chan string, 1)
	go func() {
		s, err := t2.run(context.Background(), "select bal from acc where id = 2 for update")
		if err != nil {
			s = err.Error()
		}
		done <- s
	}()
	deadline := time.Now().Add(10 * time.Second)
	for d.db.Mgr.WaitingFor(t2.tx.Xid()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("t2 never waited for t1's lock")
		}
		select {
		case s := <-done:
			t.Fatalf("t2 did not wait: %q", s)
		default:
		}
		time.Sleep(time.Millisecond)
	}
	if err := t1.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-done:
		if s != "21" {
			t.Fatalf("t2 after wait: %q, want 21", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("t2 still waiting after t1 committed")
	}
}

func TestForeignKeyWaitsForParentDelete(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table p (id int primary key)")
	d.exec("create table c (id int, pid int references p)")
	d.exec("insert into p values (1)")
	t1 := d.begin()
	t1.must("delete from p where id = 1")
	t2 := d.begin()
	defer t2.tx.Abort()
	done := make(chan error, 1)
	go func() {
		_, err := t2.run(context.Background(), "insert into c values (1, 1)")
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for d.db.Mgr.WaitingFor(t2.tx.Xid()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the child insert never waited for the parent delete")
		}
		time.Sleep(time.Millisecond)
	}
	if err := t1.tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var te *types.Error
		if !errors.As(err, &te) || te.Code != CodeForeignKeyViolation {
			t.Fatalf("child insert after parent delete: %v, want 23503", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child insert still waiting")
	}
}

// TestOnConflictWaitsForInserter: an upsert whose key a transaction in
// progress has just inserted waits for it, then takes the DO UPDATE path
// when it commits (and inserts when it aborts).
func TestOnConflictWaitsForInserter(t *testing.T) {
	for _, commit := range []bool{true, false} {
		d := newTestDB(t)
		d.exec("create table kv (k int primary key, v int)")
		t1 := d.begin()
		t1.must("insert into kv values (1, 10)")
		t2 := d.begin()
		done := make(chan string, 1)
		go func() {
			s, err := t2.run(context.Background(), "insert into kv values (1, 5) on conflict (k) do update set v = kv.v + excluded.v returning v")
			if err != nil {
				s = err.Error()
			}
			done <- s
		}()
		deadline := time.Now().Add(10 * time.Second)
		for d.db.Mgr.WaitingFor(t2.tx.Xid()) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the upsert never waited for the inserter")
			}
			select {
			case s := <-done:
				t.Fatalf("the upsert did not wait: %q", s)
			default:
			}
			time.Sleep(time.Millisecond)
		}
		want := "5"
		if commit {
			want = "15"
			if err := t1.tx.Commit(context.Background()); err != nil {
				t.Fatal(err)
			}
		} else {
			t1.tx.Abort()
		}
		select {
		case s := <-done:
			if s != want {
				t.Fatalf("commit=%v: upsert returned %q, want %s", commit, s, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("upsert still waiting")
		}
		if err := t2.tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(d.exec("select v from kv"), " "); got != want {
			t.Fatalf("commit=%v: table holds %q, want %s", commit, got, want)
		}
	}
}
