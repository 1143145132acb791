package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// CodeDuplicateAlias is 42712.
const CodeDuplicateAlias = "42712"

// mergedCol is an output column of JOIN USING / NATURAL: the value of the
// left (l) or right (r) input column, or the first non-NULL of both (FULL).
type mergedCol struct {
	l, r   int  // indexes in the left and right rows
	lc, rc expr // casts of the left / right value to the column's type (nil: none)
}

// value is the merged column's value for a pair of input rows (nil: that
// side is NULL-extended).
func (m mergedCol) value(c *Ctx, typ ast.JoinType, l, r []types.Datum) (types.Datum, error) {
	if typ == ast.JoinRight || (typ == ast.JoinFull && l[m.l].IsNull()) {
		if m.rc != nil {
			return m.rc.eval(c, r)
		}
		return r[m.r], nil
	}
	if m.lc != nil {
		return m.lc.eval(c, l)
	}
	return l[m.l], nil
}

// joinNode joins two inputs: nested loop over the materialized right
// input, or a hash join when equi-join keys were found (hashKeys). Output
// rows are merged USING columns, then the left row, then the right row.
type joinNode struct {
	typ         ast.JoinType
	left, right node
	on          expr // over left++right (nil: true)
	merged      []mergedCol
	cols        []column
	// hash join keys: lkeys over the left row, rkeys over the right row,
	// compared as types kt.
	lkeys, rkeys []expr
	kt           []types.Type
}

func (n *joinNode) columns() []column { return n.cols }

func (n *joinNode) explain(e *explainer) {
	name := "Nested Loop"
	if n.lkeys != nil {
		name = "Hash Join"
	}
	switch n.typ {
	case ast.JoinLeft:
		name += " Left Join"
	case ast.JoinRight:
		name += " Right Join"
	case ast.JoinFull:
		name += " Full Join"
	}
	e.line("%s", name)
	e.child(n.left)
	e.child(n.right)
}

// hashKey encodes a row's join key; ok is false when a key is NULL (such
// rows match nothing).
func hashKey(c *Ctx, keys []expr, kt []types.Type, row []types.Datum) (string, bool, error) {
	var b []byte
	for i, k := range keys {
		d, err := k.eval(c, row)
		if err != nil || d.IsNull() {
			return "", false, err
		}
		b = types.AppendKey(b, kt[i], d, false)
	}
	return string(b), true, nil
}

func (n *joinNode) run(c *Ctx, emit func([]types.Datum) error) error {
	var rrows [][]types.Datum
	if err := n.right.run(c, func(r []types.Datum) error {
		rrows = append(rrows, r)
		return nil
	}); err != nil {
		return err
	}
	var table map[string][]int
	if n.lkeys != nil {
		table = map[string][]int{}
		for i, r := range rrows {
			k, ok, err := hashKey(c, n.rkeys, n.kt, r)
			if err != nil {
				return err
			}
			if ok {
				table[k] = append(table[k], i)
			}
		}
	}
	matched := make([]bool, len(rrows))
	nl := len(n.left.columns())
	nr := len(n.right.columns())
	out := func(l, r []types.Datum) error {
		row := make([]types.Datum, 0, len(n.merged)+nl+nr)
		for _, m := range n.merged {
			v, err := m.value(c, n.typ, l, r)
			if err != nil {
				return err
			}
			row = append(row, v)
		}
		row = append(row, l...)
		return emit(append(row, r...))
	}
	nullL := make([]types.Datum, nl)
	nullR := make([]types.Datum, nr)
	both := make([]types.Datum, nl+nr)
	try := func(l []types.Datum, i int) (bool, error) {
		if n.on == nil {
			return true, nil
		}
		copy(both, l)
		copy(both[nl:], rrows[i])
		return truthy(c, n.on, both)
	}
	err := n.left.run(c, func(l []types.Datum) error {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		found := false
		visit := func(i int) error {
			ok, err := try(l, i)
			if err != nil || !ok {
				return err
			}
			found, matched[i] = true, true
			return out(l, rrows[i])
		}
		if table != nil {
			k, ok, err := hashKey(c, n.lkeys, n.kt, l)
			if err != nil {
				return err
			}
			if ok {
				for _, i := range table[k] {
					if err := visit(i); err != nil {
						return err
					}
				}
			}
		} else {
			for i := range rrows {
				if err := visit(i); err != nil {
					return err
				}
			}
		}
		if !found && (n.typ == ast.JoinLeft || n.typ == ast.JoinFull) {
			return out(l, nullR)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n.typ == ast.JoinRight || n.typ == ast.JoinFull {
		for i, r := range rrows {
			if !matched[i] {
				if err := out(nullL, r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// join plans "l JOIN r" (j gives the type and the condition).
func (b *builder) join(j *ast.Join, l, r node, outer *scope) (node, error) {
	lc, rc := l.columns(), r.columns()
	for _, a := range lc {
		if a.table != "" && (&scope{cols: rc}).hasTable(a.table) {
			return nil, errf(CodeDuplicateAlias, "table name %q specified more than once", a.table)
		}
	}
	n := &joinNode{typ: j.Type, left: l, right: r}
	if n.typ == ast.JoinCross {
		n.typ = ast.JoinInner
	}
	both := &scope{cols: append(append([]column(nil), lc...), rc...), outer: outer}
	using := j.Using
	if j.Natural {
		using = nil
		for _, a := range lc {
			if a.merged || a.system {
				continue
			}
			for _, b := range rc {
				if !b.merged && !b.system && a.name == b.name {
					using = append(using, a.name)
				}
			}
		}
	}
	var mcols []column
	var conds []expr
	for i, name := range using {
		for _, prev := range using[:i] {
			if prev == name && !j.Natural {
				return nil, errf(CodeDuplicateColumn, "column name %q appears more than once in USING clause", name)
			}
		}
		li, err := (&scope{cols: lc}).lookup(&ast.ColumnRef{Column: name})
		if err == nil && li < 0 {
			err = errf(CodeUndefinedColumn, "column %q specified in USING clause does not exist in left table", name)
		}
		if err != nil {
			return nil, err
		}
		ri, err := (&scope{cols: rc}).lookup(&ast.ColumnRef{Column: name})
		if err == nil && ri < 0 {
			err = errf(CodeUndefinedColumn, "column %q specified in USING clause does not exist in right table", name)
		}
		if err != nil {
			return nil, err
		}
		le, re, as, err := b.cp.comparable(&colExpr{i: li, t: lc[li].typ}, &colExpr{i: len(lc) + ri, t: rc[ri].typ})
		if err != nil {
			return nil, err
		}
		conds = append(conds, &cmpExpr{op: cmpEQ, l: le, r: re, as: as})
		// The merged column has the common type of both (select_common_type).
		lx, rx := expr(&colExpr{i: li, t: lc[li].typ}), expr(&colExpr{i: ri, t: rc[ri].typ})
		t, err := exprCommonType([]expr{lx, rx}, "JOIN/USING")
		if err != nil {
			return nil, err
		}
		m := mergedCol{l: li, r: ri}
		if lc[li].typ != t {
			if m.lc, err = b.cp.coerce(lx, t, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		if rc[ri].typ != t {
			if m.rc, err = b.cp.coerce(rx, t, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		n.merged = append(n.merged, m)
		mcols = append(mcols, column{name: name, typ: t})
		if lc[li].typ.OID == rc[ri].typ.OID && hashable(lc[li].typ) {
			n.lkeys = append(n.lkeys, &colExpr{i: li, t: lc[li].typ})
			n.rkeys = append(n.rkeys, &colExpr{i: ri, t: rc[ri].typ})
			n.kt = append(n.kt, lc[li].typ)
		}
	}
	if j.On != nil {
		on, err := b.cp.predicate(j.On, both, "JOIN conditions")
		if err != nil {
			return nil, err
		}
		conds = append(conds, on)
		b.equiKeys(n, j.On, lc, rc)
	}
	switch len(conds) {
	case 0:
	case 1:
		n.on = conds[0]
	default:
		n.on = &boolExpr{op: ast.And, args: conds}
	}
	// Output schema: merged columns, then both inputs (their USING columns
	// reachable only qualified).
	n.cols = mcols
	for _, side := range []struct {
		cols []column
		idx  func(m mergedCol) int
	}{{lc, func(m mergedCol) int { return m.l }}, {rc, func(m mergedCol) int { return m.r }}} {
		for i, c := range side.cols {
			for _, m := range n.merged {
				if side.idx(m) == i {
					c.merged = true
				}
			}
			if c.system && (j.Left != nil || j.Right != nil) {
				c.merged = true // an explicit JOIN's system columns: qualified only (syscols.go)
			}
			n.cols = append(n.cols, c)
		}
	}
	return n, nil
}

// hashable reports whether equal values of t have equal key encodings.
func hashable(t types.Type) bool {
	return t.OID != types.OIDBpchar && t.OID != types.OIDFloat8 && t.OID != types.OIDFloat4 && t.OID != types.OIDNumeric
}

// equiKeys finds "left-expression = right-expression" conjuncts of on and
// makes them the hash join's keys.
func (b *builder) equiKeys(n *joinNode, on ast.Expr, lc, rc []column) {
	ls, rs := &scope{cols: lc}, &scope{cols: rc}
	for _, c := range conjuncts(on, nil) {
		be, ok := c.(*ast.BinaryExpr)
		if !ok || be.Op != "=" {
			continue
		}
		for _, sides := range [][2]ast.Expr{{be.Left, be.Right}, {be.Right, be.Left}} {
			cp := &compiler{ps: &params{}, cat: b.cat, funcs: b.cp.funcs}
			le, err1 := cp.expr(sides[0], ls)
			re, err2 := cp.expr(sides[1], rs)
			if err1 != nil || err2 != nil || refsNothing(sides[0]) || refsNothing(sides[1]) {
				continue
			}
			if le.typ().OID != re.typ().OID || !hashable(le.typ()) {
				break
			}
			n.lkeys = append(n.lkeys, le)
			n.rkeys = append(n.rkeys, re)
			n.kt = append(n.kt, le.typ())
			break
		}
	}
}

// refsNothing reports an expression without column references.
func refsNothing(e ast.Expr) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		if _, ok := n.(*ast.ColumnRef); ok {
			found = true
		}
		return !found
	})
	return !found
}
