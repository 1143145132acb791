package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// copyIn runs a COPY FROM STDIN statement with data as its input, in its
// own transaction, and returns the command tag.
func (d *testDB) copyIn(sql, data string) (string, error) {
	ctx := context.Background()
	st, err := ast.ParseOne(sql)
	if err != nil {
		return "", err
	}
	p, err := d.db.Build(st, d.db.Cat.Current(), nil)
	if err != nil {
		return "", err
	}
	tx := d.db.Mgr.Begin(txn.ReadCommitted)
	if err := d.db.AssignXid(ctx, tx); err != nil {
		d.tb.Fatal(err)
	}
	c := &Ctx{Ctx: ctx, DB: d.db, Tx: tx, Snap: tx.Snapshot(), Cat: d.db.Cat.Current(), Env: &types.Env{},
		CopyIn: func(wire.CopyFormat, int) (io.Reader, error) { return strings.NewReader(data), nil }}
	tag, err := p.Run(c, func([]types.Datum) error { return nil })
	if err != nil {
		tx.Abort()
		return "", err
	}
	return tag, tx.Commit(ctx)
}

func copyRows(from, to int, f func(i int) string) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCopyBatches: COPY writes its rows in batches; the answers are those
// of row-by-row inserts: rows, indexes, unique/CHECK/NOT NULL/foreign key
// errors (a failed COPY leaves nothing), defaults.
func TestCopyBatches(t *testing.T) {
	d := newTestDB(t)
	d.exec("create table p (id int primary key)")
	d.exec("insert into p values (1), (2)")
	d.exec("create table c (id int primary key, pid int references p, v text not null, n int default 7 check (n > 0))")
	ok := func(i int) string { return fmt.Sprintf("%d\t%d\tv%d", i, 1+i%2, i) }
	cases := []struct {
		name, data, code string
	}{
		{"dup in batch", copyRows(1, 2500, ok) + "17\t1\tdup\n", "23505"},
		{"dup across batches", copyRows(1, 1500, ok) + copyRows(1499, 1499, ok), "23505"},
		{"null late in batch", copyRows(1, 999, ok) + "5000\t1\t\\N\n", "23502"},
		{"missing parent", copyRows(1, 1200, ok) + "5000\t3\tx\n", "23503"},
		{"too few columns", copyRows(1, 10, ok) + "5000\t1\n", "22P04"},
		{"good", copyRows(1, 2500, ok), ""},
		{"dup of committed", copyRows(3000, 3100, ok) + copyRows(2500, 2500, ok), "23505"},
	}
	for _, cs := range cases {
		tag, err := d.copyIn("copy c (id, pid, v) from stdin", cs.data)
		var te *types.Error
		switch {
		case cs.code == "" && err != nil:
			t.Fatalf("%s: %v", cs.name, err)
		case cs.code == "" && tag != "COPY 2500":
			t.Fatalf("%s: tag %q", cs.name, tag)
		case cs.code != "" && (!errors.As(err, &te) || te.Code != cs.code):
			t.Fatalf("%s: got %v, want %s", cs.name, err, cs.code)
		}
	}
	runSteps(t, d, []step{
		{sql: "select count(*), sum(id), min(n), max(n) from c", want: "2500|3126250|7|7"},
		{sql: "select v from c where id = 1234", want: "v1234"},
		{sql: "select count(*) from c where id between 1000 and 1099", want: "100"},
		{sql: "insert into c values (2500, 1, 'again')", code: "23505"},
	})
	checkIndexes(t, d, "c")
}
