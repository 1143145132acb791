package exec

import (
	"errors"
	"fmt"
	"math"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// source produces the input rows of a query.
type source struct {
	sc      *scope
	table   *catalog.Table
	virtual *vtable
	series  []expr // generate_series(start, stop[, step])
	values  [][]expr
	none    bool // no FROM: one empty row (or the VALUES rows)

	index    *catalog.Index // equality lookup on every column of index
	keyExprs []expr
}

// describe names the access path, EXPLAIN style.
func (s *source) describe() string {
	switch {
	case s.index != nil:
		return fmt.Sprintf("Index Scan using %s on %s", s.index.Name, s.table.Name)
	case s.table != nil:
		return "Seq Scan on " + s.table.Name
	case s.series != nil:
		return "Function Scan on generate_series"
	case s.virtual != nil:
		return "Seq Scan on pg_catalog relation"
	case s.values != nil:
		return "Values Scan"
	}
	return "Result"
}

func (s *source) colDesc(i int) wire.Column {
	if s.table != nil {
		return wire.Column{TableOID: s.table.OID, TableAttr: uint16(i + 1)}
	}
	return wire.Column{}
}

func (b *builder) table(rv *pg.RangeVar) (*catalog.Table, error) {
	name, err := catalog.NormalizeName(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, errf(CodeUndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
	}
	t, ok := b.cat.Table(name)
	if !ok {
		return nil, errf(CodeUndefinedTable, "relation %q does not exist", rv.Relname)
	}
	return t, nil
}

func tableScope(t *catalog.Table, alias string) *scope {
	sc := &scope{rel: t.Name, table: t}
	if alias != "" {
		sc.rel = alias
	}
	for _, c := range t.Columns {
		sc.names = append(sc.names, c.Name)
		sc.types = append(sc.types, c.Type)
	}
	return sc
}

func (b *builder) fromClause(from []*pg.Node) (*source, error) {
	if len(from) == 0 {
		return &source{sc: &scope{}, none: true}, nil
	}
	if len(from) > 1 {
		return nil, unsupported("joins are not supported")
	}
	n := from[0]
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		alias := ""
		if rv.Alias != nil {
			alias = rv.Alias.Aliasname
		}
		if rv.Schemaname == "pg_catalog" || (rv.Schemaname == "" && virtualTables[rv.Relname] != nil) {
			if _, user := b.cat.Table(rv.Relname); !user || rv.Schemaname == "pg_catalog" {
				v, ok := virtualTables[rv.Relname]
				if !ok {
					return nil, unsupported("system catalog pg_catalog.%s is not supported", rv.Relname)
				}
				sc := &scope{rel: rv.Relname}
				if alias != "" {
					sc.rel = alias
				}
				for _, c := range v.cols {
					sc.names = append(sc.names, c.name)
					sc.types = append(sc.types, c.t)
				}
				return &source{sc: sc, virtual: v}, nil
			}
		}
		t, err := b.table(rv)
		if err != nil {
			return nil, err
		}
		return &source{sc: tableScope(t, alias), table: t}, nil
	case n.GetRangeFunction() != nil:
		rf := n.GetRangeFunction()
		if rf.Lateral || rf.Ordinality || rf.IsRowsfrom || len(rf.Functions) != 1 || len(rf.Coldeflist) > 0 {
			return nil, unsupported("this form of function in FROM is not supported")
		}
		items := rf.Functions[0].GetList().GetItems()
		if len(items) == 0 || items[0].GetFuncCall() == nil {
			return nil, unsupported("this form of function in FROM is not supported")
		}
		f := items[0].GetFuncCall()
		names := nodeName(f.Funcname)
		if names[len(names)-1] != "generate_series" {
			return nil, unsupported("function %s in FROM is not supported", names[len(names)-1])
		}
		if len(f.Args) < 2 || len(f.Args) > 3 {
			return nil, errf(types.CodeUndefinedFunction, "function generate_series with %d arguments does not exist", len(f.Args))
		}
		var args []expr
		t := types.Int4
		for _, a := range f.Args {
			e, err := b.cp.expr(a, &scope{})
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			switch e.typ().OID {
			case types.OIDInt8:
				t = types.Int8
			case types.OIDInt2, types.OIDInt4, types.OIDUnknown:
			default:
				return nil, unsupported("generate_series(%s) is not supported", e.typ())
			}
		}
		for i := range args {
			var err error
			if args[i], err = b.cp.coerce(args[i], t, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		col := "generate_series"
		sc := &scope{rel: col}
		if rf.Alias != nil {
			col = rf.Alias.Aliasname
			sc.rel = col
			if len(rf.Alias.Colnames) > 0 {
				col = rf.Alias.Colnames[0].GetString_().GetSval()
			}
		}
		sc.names = []string{col}
		sc.types = []types.Type{t}
		return &source{sc: sc, series: args}, nil
	case n.GetJoinExpr() != nil:
		return nil, unsupported("joins are not supported")
	case n.GetRangeSubselect() != nil:
		return nil, unsupported("subqueries in FROM are not supported")
	}
	return nil, unsupported("FROM item %s is not supported", nodeKind(n))
}

// refsColumns reports whether n references a column (or anything that may).
func refsColumns(n *pg.Node) bool {
	switch {
	case n == nil:
		return false
	case n.GetAConst() != nil, n.GetParamRef() != nil:
		return false
	case n.GetTypeCast() != nil:
		return refsColumns(n.GetTypeCast().Arg)
	case n.GetAExpr() != nil:
		a := n.GetAExpr()
		if a.Kind != pg.A_Expr_Kind_AEXPR_OP {
			return true
		}
		return refsColumns(a.Lexpr) || refsColumns(a.Rexpr)
	}
	return true
}

// conjuncts flattens a WHERE clause's top-level ANDs.
func conjuncts(n *pg.Node, out []*pg.Node) []*pg.Node {
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		for _, a := range be.Args {
			out = conjuncts(a, out)
		}
		return out
	}
	return append(out, n)
}

// chooseIndex picks an index whose every column is fixed by an equality
// with a constant or parameter in where (point lookups by key).
func (s *source) chooseIndex(b *builder, where *pg.Node) {
	if s.table == nil || len(s.table.Indexes) == 0 {
		return
	}
	eq := map[int]*pg.Node{}
	for _, c := range conjuncts(where, nil) {
		a := c.GetAExpr()
		if a == nil || a.Kind != pg.A_Expr_Kind_AEXPR_OP || len(a.Name) != 1 || a.Name[0].GetString_().GetSval() != "=" {
			continue
		}
		col, other := a.Lexpr, a.Rexpr
		if col.GetColumnRef() == nil {
			col, other = other, col
		}
		cr := col.GetColumnRef()
		if cr == nil || refsColumns(other) {
			continue
		}
		f := cr.Fields[len(cr.Fields)-1].GetString_()
		if f == nil {
			continue
		}
		if i := s.table.Column(f.Sval); i >= 0 {
			if _, dup := eq[i]; !dup {
				eq[i] = other
			}
		}
	}
	for i := range s.table.Indexes {
		ix := &s.table.Indexes[i]
		var keys []expr
		for _, col := range ix.Columns {
			n, ok := eq[col]
			if !ok {
				keys = nil
				break
			}
			e, err := b.cp.expr(n, &scope{})
			if err != nil {
				keys = nil
				break
			}
			ct := s.table.Columns[col].Type
			if isUnknown(e) {
				if e, err = b.cp.coerce(e, ct, types.CoerceImplicit); err != nil {
					keys = nil
					break
				}
			}
			et := e.typ()
			if !(et.OID == ct.OID || (et.IsInt() && ct.IsInt()) || (et.IsString() && ct.IsString() && ct.OID != types.OIDBpchar && et.OID != types.OIDBpchar)) {
				keys = nil
				break
			}
			keys = append(keys, e)
		}
		if keys != nil {
			s.index, s.keyExprs = ix, keys
			return
		}
	}
}

var errNoMatch = errors.New("no row can match")

// indexKey evaluates the key of an index lookup; errNoMatch when the key
// cannot match any row (NULL, or an integer outside the column's range).
func (s *source) lookupKey(c *Ctx) ([]byte, error) {
	var key []byte
	for i, e := range s.keyExprs {
		d, err := e.eval(c, nil)
		if err != nil {
			return nil, err
		}
		if d.IsNull() {
			return nil, errNoMatch
		}
		ct := s.table.Columns[s.index.Columns[i]].Type
		if ct.IsInt() {
			lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
			switch ct.OID {
			case types.OIDInt2:
				lo, hi = math.MinInt16, math.MaxInt16
			case types.OIDInt4:
				lo, hi = math.MinInt32, math.MaxInt32
			}
			if d.I < lo || d.I > hi {
				return nil, errNoMatch
			}
		}
		key = append(key, 0x01)
		key = types.AppendKey(key, ct, d, false)
	}
	return key, nil
}

// rowFunc receives one input row; the row slice is owned by the callee.
type rowFunc func(tid heap.TID, row []types.Datum) error

func (s *source) scan(c *Ctx, fn rowFunc) error {
	switch {
	case s.values != nil:
		for _, r := range s.values {
			row := make([]types.Datum, len(r))
			for i, e := range r {
				d, err := e.eval(c, nil)
				if err != nil {
					return err
				}
				row[i] = d
			}
			if err := fn(heap.TID{}, row); err != nil {
				return err
			}
		}
		return nil
	case s.none:
		return fn(heap.TID{}, nil)
	case s.series != nil:
		var v [3]int64
		v[2] = 1
		for i, e := range s.series {
			d, err := e.eval(c, nil)
			if err != nil {
				return err
			}
			if d.IsNull() {
				return nil
			}
			v[i] = d.I
		}
		if v[2] == 0 {
			return errf(CodeInvalidParameterValue, "step size cannot equal zero")
		}
		for x := v[0]; (v[2] > 0 && x <= v[1]) || (v[2] < 0 && x >= v[1]); x += v[2] {
			if err := c.Ctx.Err(); err != nil {
				return err
			}
			if err := fn(heap.TID{}, []types.Datum{types.NewInt(x)}); err != nil {
				return err
			}
			if (v[2] > 0 && x > math.MaxInt64-v[2]) || (v[2] < 0 && x < math.MinInt64-v[2]) {
				break
			}
		}
		return nil
	case s.virtual != nil:
		rows := s.virtual.rows(c)
		for _, r := range rows {
			if err := fn(heap.TID{}, r); err != nil {
				return err
			}
		}
		return nil
	}
	h, err := c.DB.heapOf(s.table)
	if err != nil {
		return err
	}
	colTypes := s.table.Types()
	if s.index != nil {
		key, err := s.lookupKey(c)
		if errors.Is(err, errNoMatch) {
			return nil
		}
		if err != nil {
			return err
		}
		tids, err := c.DB.treeOf(s.index).Lookup(c.Ctx, key)
		if err != nil {
			return fmt.Errorf("index %s: %w", s.index.Name, err)
		}
		for _, tid := range tids {
			vtid, _, data, ok, err := h.FetchIndexed(c.Ctx, tid, &c.Snap, nil)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			row, err := types.DecodeTuple(data, colTypes, nil)
			if err != nil {
				return fmt.Errorf("%s: row %s: %w", s.table.Name, vtid, err)
			}
			if err := fn(vtid, row); err != nil {
				return err
			}
		}
		return nil
	}
	sc := h.Scan(c.Ctx, &c.Snap)
	for sc.Next() {
		row, err := types.DecodeTuple(sc.Data(), colTypes, make([]types.Datum, 0, len(colTypes)))
		if err != nil {
			return fmt.Errorf("%s: row %s: %w", s.table.Name, sc.TID(), err)
		}
		if err := fn(sc.TID(), row); err != nil {
			return err
		}
	}
	return sc.Err()
}
