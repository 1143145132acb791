package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// Set operations: UNION, INTERSECT, EXCEPT [ALL].
//
// Both branches are planned as queries; each output column takes the
// common type of the branches' columns (PostgreSQL's select_common_type:
// one category, the type the other converts to implicitly, untyped
// literals take the other side's type) and a branch whose type differs is
// cast. Duplicates are found by the rows' key encoding (types.AppendKey,
// which encodes equal values equally). ORDER BY names or ordinals of the
// result columns, LIMIT and OFFSET apply to the whole result.

// CodeCannotCoerceSetOp is 42846 (cannot coerce).
const CodeCannotCoerceSetOp = "42846"

// setOpNode combines the rows of two inputs.
type setOpNode struct {
	op          ast.SetOp
	all         bool
	left, right node
	cols        []column
}

func setOpName(op ast.SetOp) string {
	switch op {
	case ast.SetIntersect:
		return "INTERSECT"
	case ast.SetExcept:
		return "EXCEPT"
	}
	return "UNION"
}

func (n *setOpNode) columns() []column { return n.cols }

func (n *setOpNode) explain(e *explainer) {
	switch {
	case n.op == ast.SetUnion && n.all:
		e.line("Append")
	case n.op == ast.SetUnion:
		e.line("HashAggregate")
		e.depth++
		e.line("Append")
	case n.op == ast.SetIntersect:
		e.line("HashSetOp Intersect%s", allSuffix(n.all))
	default:
		e.line("HashSetOp Except%s", allSuffix(n.all))
	}
	e.child(n.left)
	e.child(n.right)
	if n.op == ast.SetUnion && !n.all {
		e.depth--
	}
}

func allSuffix(all bool) string {
	if all {
		return " All"
	}
	return ""
}

func (n *setOpNode) run(c *Ctx, emit func([]types.Datum) error) error {
	ts := columnTypes(n.cols)
	if n.op == ast.SetUnion {
		seen := map[string]bool{}
		pass := func(row []types.Datum) error {
			if !n.all {
				k := rowKey(ts, row)
				if seen[k] {
					return nil
				}
				seen[k] = true
			}
			return emit(row)
		}
		if err := n.left.run(c, pass); err != nil {
			return err
		}
		return n.right.run(c, pass)
	}
	counts := map[string]int{}
	if err := n.right.run(c, func(row []types.Datum) error {
		counts[rowKey(ts, row)]++
		return nil
	}); err != nil {
		return err
	}
	done := map[string]bool{} // distinct forms: rows already emitted
	return n.left.run(c, func(row []types.Datum) error {
		k := rowKey(ts, row)
		if !n.all {
			if done[k] {
				return nil
			}
			if (counts[k] > 0) != (n.op == ast.SetIntersect) {
				return nil
			}
			done[k] = true
			return emit(row)
		}
		if n.op == ast.SetIntersect {
			if counts[k] == 0 {
				return nil
			}
			counts[k]--
			return emit(row)
		}
		if counts[k] > 0 { // EXCEPT ALL
			counts[k]--
			return nil
		}
		return emit(row)
	})
}

// columnTypes returns the types of cols.
func columnTypes(cols []column) []types.Type {
	ts := make([]types.Type, len(cols))
	for i, c := range cols {
		ts[i] = c.typ
	}
	return ts
}

// rowKey encodes a row so that rows of equal values (NULLs equal, as
// DISTINCT and set operations compare) have equal keys.
func rowKey(ts []types.Type, row []types.Datum) string {
	var b []byte
	for i, d := range row {
		b = types.AppendKey(b, ts[i], d, false)
	}
	return string(b)
}

// setOp plans a set operation with its ORDER BY / LIMIT / OFFSET.
func (b *builder) setOp(s *ast.Select, outer *scope) (node, error) {
	if s.With != nil {
		return b.withSelect(s, outer)
	}
	if len(s.Locking) > 0 {
		return nil, unsupported("FOR UPDATE/SHARE is not allowed with UNION/INTERSECT/EXCEPT")
	}
	name := setOpName(s.Op)
	left, err := b.selectQuery(s.Left, outer)
	if err != nil {
		return nil, err
	}
	right, err := b.selectQuery(s.Right, outer)
	if err != nil {
		return nil, err
	}
	lc, rc := left.columns(), right.columns()
	if len(lc) != len(rc) {
		return nil, errf(types.CodeSyntaxError, "each %s query must have the same number of columns", name)
	}
	cols := make([]column, len(lc))
	var lconv, rconv []expr
	for i := range lc {
		lu, ru := isUnknownLiteral(s.Left, i), isUnknownLiteral(s.Right, i)
		t, err := setOpType(name, lc[i].typ, rc[i].typ, lu, ru)
		if err != nil {
			return nil, err
		}
		cols[i] = column{name: lc[i].name, typ: t}
		lconv = convColumn(lconv, lc, i, t, lu)
		rconv = convColumn(rconv, rc, i, t, ru)
	}
	if lconv != nil {
		left = &projectNode{in: left, exprs: lconv, cols: cols}
	}
	if rconv != nil {
		right = &projectNode{in: right, exprs: rconv, cols: cols}
	}
	var out node = &setOpNode{op: s.Op, all: s.All, left: left, right: right, cols: cols}
	return b.setOpOrderLimit(out, s)
}

// convColumn makes column i of cols (an input's schema) of type t, adding
// a cast to the input's conversion list conv (created on first need).
func convColumn(conv []expr, cols []column, i int, t types.Type, unknown bool) []expr {
	from := cols[i].typ
	if from.OID == t.OID && (from.Typmod == t.Typmod || t.Typmod < 0) && !unknown {
		return conv
	}
	if conv == nil {
		conv = make([]expr, len(cols))
		for j, c := range cols {
			conv[j] = &colExpr{i: j, t: c.typ}
		}
	}
	ctx := types.CoerceImplicit
	if unknown || t.Typmod >= 0 {
		// An untyped literal is read as t (its input function); typmods
		// are applied as assignment does.
		ctx = types.CoerceExplicit
	}
	if !(from.OID == t.OID && from.Typmod == t.Typmod) {
		conv[i] = &castExpr{e: conv[i], to: t, ctx: ctx}
	}
	return conv
}

// isUnknownLiteral reports whether output column i of a simple SELECT is
// an untyped literal (a quoted string or NULL): it takes the type of the
// other branch, as PostgreSQL resolves it.
func isUnknownLiteral(s *ast.Select, i int) bool {
	if s == nil || s.Op != ast.SetNone {
		return false
	}
	var e ast.Expr
	switch {
	case s.Values != nil:
		if len(s.Values) != 1 || i >= len(s.Values[0]) {
			return false
		}
		e = s.Values[0][i]
	default:
		for _, t := range s.Targets {
			if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
				return false
			}
		}
		if i >= len(s.Targets) {
			return false
		}
		e = s.Targets[i].Expr
	}
	c, ok := e.(*ast.Const)
	return ok && c.Type.OID == types.OIDUnknown
}

func implicitCast(from, to types.Type) bool {
	cc, ok := types.CastContext(from.OID, to.OID)
	return ok && cc == types.CoerceImplicit
}

// setOpType resolves the type of a set operation's column from its
// branches' types l and r (lu/ru: the branch gives an untyped literal) with
// exprCommonType (select_common_type); both must convert to it implicitly.
func setOpType(op string, l, r types.Type, lu, ru bool) (types.Type, error) {
	if lu {
		l = types.Unknown
	}
	if ru {
		r = types.Unknown
	}
	t, err := exprCommonType([]expr{&constExpr{d: types.Null, t: l}, &constExpr{d: types.Null, t: r}}, op)
	if err != nil {
		return t, err
	}
	for _, x := range []types.Type{l, r} {
		if x.OID != types.OIDUnknown && x.OID != t.OID && !implicitCast(x, t) {
			return types.Type{}, errf(CodeCannotCoerceSetOp, "%s could not convert type %s to %s", op, x, t)
		}
	}
	return t, nil
}

// setOpOrderLimit adds a set operation's ORDER BY, LIMIT and OFFSET.
func (b *builder) setOpOrderLimit(in node, s *ast.Select) (node, error) {
	cols := in.columns()
	var keys []sortKey
	for _, o := range s.OrderBy {
		k := sortKey{desc: o.Desc, col: -1}
		k.nullsFirst = k.desc
		if o.NullsFirst != nil {
			k.nullsFirst = *o.NullsFirst
		}
		switch x := o.Expr.(type) {
		case *ast.Const:
			if x.Type.OID != types.OIDInt4 || x.Value.IsNull() {
				return nil, errf(types.CodeSyntaxError, "non-integer constant in ORDER BY")
			}
			pos := int(x.Value.I)
			if pos < 1 || pos > len(cols) {
				return nil, errf(codeInvalidColumnRef, "ORDER BY position %d is not in select list", pos)
			}
			k.col = pos - 1
		case *ast.ColumnRef:
			if x.Star {
				break
			}
			if x.Table != "" {
				return nil, errf(CodeUndefinedTable, "missing FROM-clause entry for table %q", x.Table)
			}
			for i, c := range cols {
				if c.name == x.Column {
					if k.col >= 0 {
						return nil, errf(CodeAmbiguousColumn, "ORDER BY %q is ambiguous", x.Column)
					}
					k.col = i
				}
			}
			if k.col < 0 {
				return nil, errf(CodeUndefinedColumn, "column %q does not exist", x.Column)
			}
		}
		if k.col < 0 {
			err := unsupported("invalid UNION/INTERSECT/EXCEPT ORDER BY clause")
			err.Detail = "Only result column names can be used, not expressions or functions."
			err.Hint = "Add the expression/function to every SELECT, or move the UNION into a FROM clause."
			return nil, err
		}
		k.t = cols[k.col].typ
		keys = append(keys, k)
	}
	if keys != nil {
		in = &sortNode{in: in, keys: keys}
	}
	return b.limitClause(s, in, keys) // hunt_query.go
}
