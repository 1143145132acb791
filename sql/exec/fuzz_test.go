package exec

import (
	"context"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/txn"
)

// fuzzCatalog returns a catalog with one table t(id int primary key, name
// text, n numeric) to plan against.
func fuzzCatalog(tb testing.TB) *catalog.Set {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, memlog.New(nil), 4<<20, true)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := ast.ParseOne("create table t (id int primary key, name text not null default 'x', n numeric(10,2))")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := Build(st, db.Cat.Current(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tx := db.Mgr.Begin(txn.ReadCommitted)
	c := &Ctx{Ctx: ctx, DB: db, Tx: tx, Snap: tx.Snapshot(), Cat: db.Cat.Current()}
	if _, err := p.Run(c, nil); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := db.Cat.Refresh(ctx); err != nil {
		tb.Fatal(err)
	}
	return db.Cat.Current()
}

// FuzzBuild plans arbitrary SQL: planning never panics; it returns a plan
// or an error.
func FuzzBuild(f *testing.F) {
	for _, s := range []string{
		"select * from t where id = $1",
		"select count(*), sum(n), avg(id) from t where name = 'a' order by 1 limit 3",
		"update t set n = n + $1 where id = $2 returning *",
		"insert into t values (1, 'a', 2.5), (2, default, null)",
		"insert into t (id) select g from generate_series(1, 10) as g",
		"delete from t where id between 1 and 3 or name is null",
		"copy t from stdin with (format csv, freeze on)",
		"select relkind from pg_catalog.pg_class where oid = $1::pg_catalog.regclass",
		"create table u (a int2, b varchar(3), primary key (a)) with (fillfactor = 50)",
		"alter table t add primary key (name)",
		"begin isolation level repeatable read",
		"set timezone = 'UTC'",
		"select 1/0, -'5'::int, coalesce(null, 2)",
		"vacuum analyze t",
		"select a.id, b.name from t a join t b using (id) left join t c on c.id = a.id where a.id = 1",
		"select * from t natural full join t u, generate_series(1, 3) g order by 1 desc nulls last offset 1",
		"select x.n from (select n from t) as x(n)",
	} {
		f.Add(s)
	}
	cat := fuzzCatalog(f)
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := ast.Parse(sql)
		if err != nil {
			return
		}
		for _, st := range stmts {
			_, _ = Build(st.Stmt, cat, nil)
		}
	})
}
