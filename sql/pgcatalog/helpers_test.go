package pgcatalog

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// catalogSet stores tables in a real catalog on an in-memory log and
// returns the committed Set.
func catalogSet(tb testing.TB, tables ...*catalog.Table) *catalog.Set {
	tb.Helper()
	ctx := context.Background()
	pool := buffer.New(memlog.New(nil), 4<<20)
	meta, err := volmeta.Open(ctx, pool, true)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(meta.Close)
	mgr := txn.Open(meta)
	cat, err := catalog.Open(ctx, meta, mgr)
	if err != nil {
		tb.Fatal(err)
	}
	tx := mgr.Begin(txn.ReadCommitted)
	if _, err := tx.AssignXid(ctx); err != nil {
		tb.Fatal(err)
	}
	for _, t := range tables {
		if err := cat.Put(ctx, tx, t.Clone()); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		tb.Fatal(err)
	}
	return cat.Current()
}

// formatDatum is the text form of a value as psql shows it, "NULL" for
// NULL.
func formatDatum(t types.Type, d types.Datum) string {
	if d.IsNull() {
		return "NULL"
	}
	return types.FormatText(t, d, nil)
}

// selectRows returns the named columns of a virtual table's rows that keep
// accepts (nil: all), one line per row with values separated by '|',
// sorted.
func selectRows(tb testing.TB, env *Env, schema, name string, cols []string, keep func(get func(string) types.Datum) bool) []string {
	tb.Helper()
	t, ok := Lookup(schema, name)
	if !ok {
		tb.Fatalf("no table %s.%s", schema, name)
	}
	rows, err := t.Rows(env)
	if err != nil {
		tb.Fatalf("%s rows: %v", name, err)
	}
	var out []string
	for _, r := range rows {
		if len(r) != len(t.Columns) {
			tb.Fatalf("%s: row has %d values for %d columns", name, len(r), len(t.Columns))
		}
		get := func(c string) types.Datum {
			k := t.Column(c)
			if k < 0 {
				tb.Fatalf("%s has no column %s", name, c)
			}
			return r[k]
		}
		if keep != nil && !keep(get) {
			continue
		}
		vals := make([]string, len(cols))
		for k, c := range cols {
			vals[k] = formatDatum(t.Columns[t.Column(c)].Type, get(c))
		}
		out = append(out, strings.Join(vals, "|"))
	}
	sort.Strings(out)
	return out
}

// call resolves and evaluates a registered function.
func call(tb testing.TB, r *funcs.Registry, c *funcs.Context, name string, args []types.Datum, argTypes []types.Type) (types.Datum, error) {
	tb.Helper()
	f, params, err := r.Resolve(name, argTypes)
	if err != nil {
		tb.Fatalf("resolve %s%v: %v", name, argTypes, err)
	}
	if f.Strict {
		for _, a := range args {
			if a.IsNull() {
				return types.Null, nil
			}
		}
	}
	return f.Eval(c, args, params)
}

// asTypesError is errors.As for *types.Error.
func asTypesError(err error, target **types.Error) bool { return errors.As(err, target) }
