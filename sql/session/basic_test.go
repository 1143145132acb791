package session

import (
	"testing"
)

func TestBasicCRUD(t *testing.T) {
	ts := startServer(t)
	c := ts.connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "create table t (id int primary key, name text not null, v int default 7) with (fillfactor=90)")
	mustExec(t, c, "insert into t (id, name) values (1, 'a'), (2, 'b')")
	mustExec(t, c, "insert into t values ($1, $2, $3)", 3, "c", 30)
	var n int64
	if err := c.QueryRow(ctx, "select count(*) from t").Scan(&n); err != nil || n != 3 {
		t.Fatalf("count = %d, %v", n, err)
	}
	var name string
	var v int32
	if err := c.QueryRow(ctx, "select name, v from t where id = $1", 2).Scan(&name, &v); err != nil || name != "b" || v != 7 {
		t.Fatalf("got %q %d %v", name, v, err)
	}
	mustExec(t, c, "update t set v = v + 1 where id = 2")
	if err := c.QueryRow(ctx, "select v from t where id = 2").Scan(&v); err != nil || v != 8 {
		t.Fatalf("after update v = %d, %v", v, err)
	}
	mustExec(t, c, "delete from t where id = 1")
	var sum int64
	if err := c.QueryRow(ctx, "select sum(v) from t").Scan(&sum); err != nil || sum != 38 {
		t.Fatalf("sum = %d, %v", sum, err)
	}
	_, err := c.Exec(ctx, "insert into t values (2, 'dup')")
	if code := sqlState(err); code != "23505" {
		t.Fatalf("duplicate: %v", err)
	}
}
