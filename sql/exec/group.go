package exec

import (
	"reflect"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// SQLSTATEs of grouping, ordering and windows.
const (
	codeInvalidColumnRef = "42P10" // ORDER BY / GROUP BY position, DISTINCT ON rules
	codeWindowing        = "42P20" // misplaced window functions, bad window definitions
)

// grouping is the GROUP BY of an aggregating query. The aggregate node's
// output row holds the group keys, then the aggregates' results; keys may
// be added while the select list compiles (a column functionally dependent
// on a grouped primary key), so aggregate results are read at
// len(keys)+i (aggSlot).
type grouping struct {
	in   *scope // the input (FROM/WHERE) scope the keys are evaluated over
	keys []*groupKey
}

// groupKey is one GROUP BY expression.
type groupKey struct {
	src ast.Expr // as written (ordinals and output aliases replaced)
	col int      // >= 0: a plain column of the input scope
	e   expr     // compiled over the input row
}

// aggSlot reads aggregate i in an aggregation output row.
type aggSlot struct {
	g *grouping
	i int
	t types.Type
}

func (e *aggSlot) eval(_ *Ctx, row []types.Datum) (types.Datum, error) {
	return row[len(e.g.keys)+e.i], nil
}
func (e *aggSlot) typ() types.Type { return e.t }

// groupPlan is the grouping, window and DISTINCT state of one SELECT,
// built by groupScope before its select list compiles.
type groupPlan struct {
	b     *builder
	s     *ast.Select
	outer *scope
	in    *scope // input scope (FROM/WHERE)
	tsc   *scope // select list / ORDER BY scope
	grp   *grouping
	aggs  *[]*aggSpec
	win   *windowing
	// distinct holds the output columns whose values must be distinct
	// (nil: no DISTINCT).
	distinct []int
	// srf holds the set-returning calls of GROUP BY keys, run below the
	// aggregation (projectset.go; nil: none).
	srf *srfSet
}

// groupScope prepares grouping (agg: the query aggregates), windows and
// the scope of the select list and ORDER BY.
func (b *builder) groupScope(s *ast.Select, sc, outer *scope, agg bool, aggs *[]*aggSpec) (*scope, *groupPlan, error) {
	gp := &groupPlan{b: b, s: s, outer: outer, in: sc, aggs: aggs}
	w, err := newWindowing(s.Windows)
	if err != nil {
		return nil, nil, err
	}
	gp.win = w
	if !agg {
		gp.tsc = &scope{cols: sc.cols, outer: outer, win: w}
		return gp.tsc, gp, nil
	}
	gp.grp = &grouping{in: sc}
	if err := gp.groupKeys(); err != nil {
		return nil, nil, err
	}
	gp.tsc = &scope{outer: outer, aggs: aggs, in: sc, grp: gp.grp, win: w}
	return gp.tsc, gp, nil
}

// groupKeys compiles the GROUP BY list: integer constants are select-list
// positions, a bare name is an input column or else an output column
// name, anything else an expression over the input.
func (gp *groupPlan) groupKeys() error {
	cp := gp.b.cp
	g := gp.grp
	for _, item := range gp.s.GroupBy {
		src := item
		switch x := item.(type) {
		case *ast.Const:
			if x.Type.OID != types.OIDInt4 || x.Value.IsNull() {
				return errf(types.CodeSyntaxError, "non-integer constant in GROUP BY")
			}
			pos := int(x.Value.I)
			if pos < 1 || pos > len(gp.s.Targets) {
				return errf(codeInvalidColumnRef, "GROUP BY position %d is not in select list", pos)
			}
			t := gp.s.Targets[pos-1]
			if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
				return unsupported("GROUP BY position of * is not supported")
			}
			src = t.Expr
		case *ast.ColumnRef:
			if x.Table != "" || x.Star {
				break
			}
			i, err := gp.in.lookup(x)
			if err != nil {
				return err
			}
			if i >= 0 {
				break
			}
			var found ast.Expr
			for _, t := range gp.s.Targets {
				if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
					continue
				}
				if targetName(t) != x.Column {
					continue
				}
				if found != nil && !astEqual(found, t.Expr, gp.in) {
					return errf(CodeAmbiguousColumn, "GROUP BY %q is ambiguous", x.Column)
				}
				found = t.Expr
			}
			if found != nil {
				src = found
			}
		}
		if cp.hasAggregate(src) {
			return errf(CodeGrouping, "aggregate functions are not allowed in GROUP BY")
		}
		if hasWindow(src) {
			return errf(codeWindowing, "window functions are not allowed in GROUP BY")
		}
		e, err := cp.expr(src, &scope{cols: gp.in.cols, outer: gp.outer, noAggs: "GROUP BY", srf: gp.groupSRFs(src)})
		if err != nil {
			return err
		}
		if isUnknown(e) {
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return err
			}
		}
		k := &groupKey{src: src, col: -1, e: e}
		if ce, ok := e.(*colExpr); ok {
			k.col = ce.i
		}
		dup := false
		for _, o := range g.keys {
			dup = dup || (k.col >= 0 && o.col == k.col) || (k.col < 0 && o.col < 0 && astEqual(o.src, k.src, gp.in))
		}
		if !dup {
			g.keys = append(g.keys, k)
		}
	}
	return nil
}

// groupKeyRef compiles n as a reference to a GROUP BY expression when it
// is one (n is evaluated over the aggregation output row).
func (cp *compiler) groupKeyRef(n ast.Expr, sc *scope) (expr, bool) {
	if sc.grp == nil || sc.inAgg || sc.aggs == nil {
		return nil, false
	}
	switch n.(type) {
	case *ast.ColumnRef, *ast.Const, *ast.Param:
		return nil, false
	}
	for i, k := range sc.grp.keys {
		if k.col < 0 && k.src != nil && astEqual(n, k.src, sc.grp.in) {
			return &colExpr{i: i, t: k.e.typ()}, true
		}
	}
	return nil, false
}

// groupedColumn compiles a reference to input column i outside aggregate
// calls in an aggregating scope: a grouped column, or one functionally
// dependent on a grouped primary key; else 42803.
func (cp *compiler) groupedColumn(ref *ast.ColumnRef, i int, sc *scope) (expr, error) {
	if g := sc.grp; g != nil {
		for k, key := range g.keys {
			if key.col == i {
				return &colExpr{i: k, t: key.e.typ()}, nil
			}
		}
		if cp.dependsOnGroupedKey(g, i) {
			g.keys = append(g.keys, &groupKey{col: i, e: &colExpr{i: i, t: g.in.cols[i].typ}})
			return &colExpr{i: len(g.keys) - 1, t: g.in.cols[i].typ}, nil
		}
	}
	return nil, errf(CodeGrouping, "column %q must appear in the GROUP BY clause or be used in an aggregate function", groupedName(ref, i, sc)) // hunt_query.go
}

// dependsOnGroupedKey reports whether input column i belongs to a table
// whose primary key columns are all grouped (through the same range
// entry), as PostgreSQL allows.
func (cp *compiler) dependsOnGroupedKey(g *grouping, i int) bool {
	c := g.in.cols[i]
	if c.tableOID == 0 || cp.cat == nil {
		return false
	}
	t, ok := cp.cat.ByOID(c.tableOID)
	if !ok {
		return false
	}
	for _, ix := range t.Indexes {
		if !ix.Primary {
			continue
		}
		for _, pc := range ix.Columns {
			found := false
			for _, k := range g.keys {
				if k.col < 0 {
					continue
				}
				kc := g.in.cols[k.col]
				found = found || (kc.tableOID == c.tableOID && kc.table == c.table && int(kc.attr) == pc+1)
			}
			if !found {
				return false
			}
		}
		return true
	}
	return false
}

// groupedStar expands "*" / "t.*" in an aggregating query: every column
// must be grouped (or depend on a grouped primary key).
func (gp *groupPlan) groupedStar(cr *ast.ColumnRef, exprs []expr, cols []column) ([]expr, []column, error) {
	idx, err := gp.in.star(cr.Table)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range idx {
		c := gp.in.cols[i]
		ref := &ast.ColumnRef{Table: c.table, Column: c.name}
		e, err := gp.b.cp.groupedColumn(ref, i, gp.tsc)
		if err != nil {
			return nil, nil, err
		}
		exprs = append(exprs, e)
		cols = append(cols, column{name: c.name, typ: c.typ})
	}
	return exprs, cols, nil
}

// outputName finds the output column named name for ORDER BY, or -1;
// two differently computed columns of that name are 42702.
func outputName(name string, exprs []expr, cols []column, visible int) (int, error) {
	found := -1
	for i := 0; i < visible; i++ {
		if cols[i].name != name {
			continue
		}
		if found >= 0 && !reflect.DeepEqual(exprs[found], exprs[i]) {
			return -1, errf(CodeAmbiguousColumn, "ORDER BY %q is ambiguous", name)
		}
		if found < 0 {
			found = i
		}
	}
	return found, nil
}

// orderByTarget finds the select-list column an ORDER BY expression
// (not a position or output name) equals, or -1; for SELECT DISTINCT an
// expression outside the select list is 42P10.
func (gp *groupPlan) orderByTarget(e ast.Expr, visible int) (int, error) {
	col := gp.matchTarget(e, visible)
	if col < 0 && gp.s.Distinct && len(gp.s.DistinctOn) == 0 {
		return -1, errf(codeInvalidColumnRef, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
	}
	return col, nil
}

// matchTarget returns the output column whose select-list expression
// equals e, or -1.
func (gp *groupPlan) matchTarget(e ast.Expr, visible int) int {
	pos := 0
	for _, t := range gp.s.Targets {
		if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
			idx, _ := gp.in.star(cr.Table)
			pos += len(idx)
			continue
		}
		if pos < visible && astEqual(e, t.Expr, gp.in) {
			return pos
		}
		pos++
	}
	return -1
}

// distinctKeys resolves DISTINCT / DISTINCT ON after the ORDER BY items:
// DISTINCT ON expressions are output positions, names or expressions
// (added as hidden columns when not selected), and must match the leading
// ORDER BY items (42P10). It returns the sort keys: ORDER BY, then the
// DISTINCT ON columns it does not cover.
func (gp *groupPlan) distinctKeys(exprs *[]expr, cols *[]column, visible int, keys []sortKey) ([]sortKey, error) {
	s := gp.s
	if !s.Distinct {
		return keys, nil
	}
	if len(s.DistinctOn) == 0 {
		gp.distinct = make([]int, visible)
		for i := range gp.distinct {
			gp.distinct[i] = i
		}
		return keys, nil
	}
	var on []int
	for _, d := range s.DistinctOn {
		col := -1
		switch x := d.(type) {
		case *ast.Const:
			if x.Type.OID != types.OIDInt4 || x.Value.IsNull() {
				return nil, errf(types.CodeSyntaxError, "non-integer constant in DISTINCT ON")
			}
			pos := int(x.Value.I)
			if pos < 1 || pos > visible {
				return nil, errf(codeInvalidColumnRef, "DISTINCT ON position %d is not in select list", pos)
			}
			col = pos - 1
		case *ast.ColumnRef:
			if x.Table == "" && !x.Star {
				for i := 0; i < visible; i++ {
					if (*cols)[i].name == x.Column {
						col = i
						break
					}
				}
			}
		}
		if col < 0 {
			col = gp.matchTarget(d, visible)
		}
		for j := 0; col < 0 && j < len(s.OrderBy) && j < len(keys); j++ {
			if astEqual(d, s.OrderBy[j].Expr, gp.in) {
				col = keys[j].col
			}
		}
		if col < 0 {
			e, err := gp.b.cp.expr(d, gp.tsc)
			if err != nil {
				return nil, err
			}
			*exprs = append(*exprs, e)
			*cols = append(*cols, column{typ: e.typ()})
			col = len(*exprs) - 1
		}
		on = append(on, col)
	}
	inOn := func(c int) bool {
		for _, o := range on {
			if o == c {
				return true
			}
		}
		return false
	}
	covered := map[int]bool{}
	skipped := false
	for _, k := range keys {
		if !inOn(k.col) {
			skipped = true
			continue
		}
		if skipped {
			return nil, errf(codeInvalidColumnRef, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
		}
		covered[k.col] = true
	}
	for _, c := range on {
		if covered[c] {
			continue
		}
		if skipped {
			return nil, errf(codeInvalidColumnRef, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
		}
		covered[c] = true
		keys = append(keys, sortKey{col: c, t: (*exprs)[c].typ()})
	}
	gp.distinct = on
	return keys, nil
}

// below plans what runs between the WHERE filter and the select-list
// projection: the aggregation and HAVING, then the window functions.
func (gp *groupPlan) below(in node) (node, error) {
	if gp.grp != nil {
		var having expr
		if h := gp.s.Having; h != nil {
			if hasWindow(h) {
				return nil, errf(codeWindowing, "window functions are not allowed in HAVING")
			}
			if containsSRF(h) {
				return nil, srfError("set-returning functions are not allowed in HAVING")
			}
			hsc := &scope{outer: gp.outer, aggs: gp.aggs, in: gp.in, grp: gp.grp}
			e, err := gp.b.cp.expr(h, hsc)
			if err != nil {
				return nil, err
			}
			if having, err = gp.b.cp.coerce(e, types.Bool, types.CoerceImplicit); err != nil {
				return nil, errf(types.CodeDatatypeMismatch, "argument of HAVING must be type boolean, not type %s", e.typ())
			}
		}
		var cols []column
		for _, k := range gp.grp.keys {
			cols = append(cols, column{name: "?group?", typ: k.e.typ()})
		}
		for _, a := range *gp.aggs {
			cols = append(cols, column{name: a.fn, typ: a.t})
		}
		in = &aggNode{in: gp.srf.passThrough(in), aggs: *gp.aggs, cols: cols, g: gp.grp}
		if having != nil {
			in = &filterNode{in: in, cond: having}
		}
	}
	if len(gp.win.funcs) > 0 {
		in = newWindowNode(in, gp.win)
	}
	return in, nil
}

// distinctNode adds the DISTINCT filter (after the sort) when the query
// has one.
func (gp *groupPlan) distinctNode(in node) node {
	if gp.distinct == nil {
		return in
	}
	return &distinctNode{in: in, keys: gp.distinct}
}

// distinctNode passes the first row of each distinct value of the key
// columns (hashing; input order is kept).
type distinctNode struct {
	in   node
	keys []int
}

func (n *distinctNode) columns() []column { return n.in.columns() }
func (n *distinctNode) run(c *Ctx, emit func([]types.Datum) error) error {
	cols := n.in.columns()
	seen := map[string]bool{}
	var kb []byte
	return n.in.run(c, func(row []types.Datum) error {
		kb = kb[:0]
		for _, k := range n.keys {
			kb = types.AppendKey(kb, cols[k].typ, row[k], false)
		}
		if seen[string(kb)] {
			return nil
		}
		seen[string(kb)] = true
		return emit(row)
	})
}
func (n *distinctNode) explain(e *explainer) {
	e.line("Unique")
	e.child(n.in)
}

// hasWindow reports whether e contains a window function call (not
// looking into subqueries).
func hasWindow(e ast.Node) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Subquery, *ast.Select:
			return false
		case *ast.FuncCall:
			found = found || x.Over != nil
		}
		return !found
	})
	return found
}

// astEqual reports whether two expressions are the same, ignoring source
// positions; column references are equal when they resolve to the same
// column of sc (sc nil: when they are written the same).
func astEqual(a, b ast.Node, sc *scope) bool {
	return valuesEqual(reflect.ValueOf(a), reflect.ValueOf(b), sc)
}

var columnRefType = reflect.TypeOf((*ast.ColumnRef)(nil))

func valuesEqual(a, b reflect.Value, sc *scope) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return valuesEqual(a.Elem(), b.Elem(), sc)
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Type() == columnRefType {
			x, y := a.Interface().(*ast.ColumnRef), b.Interface().(*ast.ColumnRef)
			if sc != nil && !x.Star && !y.Star {
				i, err1 := sc.lookup(x)
				j, err2 := sc.lookup(y)
				if err1 == nil && err2 == nil && i >= 0 && j >= 0 {
					return i == j
				}
			}
			return x.Schema == y.Schema && x.Table == y.Table && x.Column == y.Column && x.Star == y.Star
		}
		if a.Type().Elem().PkgPath() != columnRefType.Elem().PkgPath() {
			return reflect.DeepEqual(a.Interface(), b.Interface())
		}
		return valuesEqual(a.Elem(), b.Elem(), sc)
	case reflect.Struct:
		t := a.Type()
		if t.PkgPath() != columnRefType.Elem().PkgPath() {
			return reflect.DeepEqual(a.Interface(), b.Interface())
		}
		for i := 0; i < a.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "Loc" || !f.IsExported() {
				continue
			}
			if !valuesEqual(a.Field(i), b.Field(i), sc) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !valuesEqual(a.Index(i), b.Index(i), sc) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
