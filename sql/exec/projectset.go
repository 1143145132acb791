package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// Set-returning functions in the select list (PostgreSQL 10+ semantics).
// The select list's scope carries an srfSet; compiling a call of a
// set-returning function there registers it (srfSlot) and yields an srfRef
// reading the call's current value. The select list's projection then
// becomes a projectSetNode: for each input row it runs the calls of level
// 0 in lockstep (as many rows as the longest, shorter ones padded with
// NULL, none when all are empty), binding each output row to the level's
// key scope, then level 1 (calls whose arguments hold level-0 calls), and
// so on, and evaluates the select list once per combination. Set-returning
// calls inside CASE, COALESCE, aggregate or window calls are refused
// before compiling (srfPlacement), elsewhere by the scope having no srfSet.

// srfSet collects a select list's set-returning calls.
type srfSet struct {
	slots []*srfSlot
}

// srfSlot is one set-returning call of a select list.
type srfSlot struct {
	call  *srfCall
	level int    // 0, or 1 + the highest level of the calls in its arguments
	key   *scope // the level's binding key (set when the node is built)
	idx   int    // the call's position in its level's output row
}

// srfRef reads a set-returning call's current value.
type srfRef struct {
	slot *srfSlot
	t    types.Type
}

func (e *srfRef) eval(c *Ctx, _ []types.Datum) (types.Datum, error) {
	if c.sub != nil && e.slot.key != nil {
		for k := len(c.sub.binds) - 1; k >= 0; k-- {
			if b := c.sub.binds[k]; b.sc == e.slot.key {
				return b.row[e.slot.idx], nil
			}
		}
	}
	return types.Null, errf(types.CodeFeatureNotSupported, "set-returning functions are not allowed here")
}
func (e *srfRef) typ() types.Type { return e.t }

// srfHint is PostgreSQL's hint for misplaced set-returning calls.
const srfHint = "You might be able to move the set-returning function into a LATERAL FROM item."

// srfError is a 0A000 error about a set-returning call's placement.
func srfError(msg string) error {
	return &types.Error{Code: types.CodeFeatureNotSupported, Message: msg, Hint: srfHint}
}

// srfCallExpr compiles a call of set-returning function f in sc.
func (cp *compiler) srfCallExpr(x *ast.FuncCall, f *srfFunc, sc *scope) (expr, error) {
	if sc.srf == nil {
		switch {
		case sc.inAgg:
			return nil, srfError("aggregate function calls cannot contain set-returning function calls")
		case sc.noAggs == "functions in FROM":
			return nil, srfError("set-returning functions must appear at top level of FROM")
		case sc.noAggs != "":
			return nil, srfError("set-returning functions are not allowed in " + sc.noAggs)
		}
		return nil, srfError("set-returning functions are not allowed here")
	}
	if x.Star || x.Distinct || len(x.OrderBy) > 0 || x.Filter != nil {
		return nil, errf("42809", "%s is not an aggregate function", x.Name)
	}
	before := len(sc.srf.slots)
	args := make([]expr, len(x.Args))
	for i, a := range x.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	level := 0
	for _, s := range sc.srf.slots[before:] {
		level = max(level, s.level+1)
	}
	args, outs, err := f.plan(cp, x.Name, args)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, unsupported("set-returning function %s returns a record, which is not supported in the select list (call it in FROM)", x.Name)
	}
	slot := &srfSlot{call: &srfCall{f: f, name: x.Name, args: args, outs: outs}, level: level}
	sc.srf.slots = append(sc.srf.slots, slot)
	return &srfRef{slot: slot, t: outs[0].typ}, nil
}

// project returns the select list's projection: a projectSetNode when it
// holds set-returning calls, else a projectNode.
func (s *srfSet) project(in node, exprs []expr, cols []column) node {
	if s == nil || len(s.slots) == 0 {
		return &projectNode{in: in, exprs: exprs, cols: cols}
	}
	n := &projectSetNode{in: in, exprs: exprs, cols: cols}
	for _, sl := range s.slots {
		for len(n.levels) <= sl.level {
			n.levels = append(n.levels, nil)
			n.keys = append(n.keys, &scope{})
		}
		sl.key, sl.idx = n.keys[sl.level], len(n.levels[sl.level])
		n.levels[sl.level] = append(n.levels[sl.level], sl.call)
	}
	return n
}

// projectSetNode evaluates a select list holding set-returning calls.
type projectSetNode struct {
	in     node
	exprs  []expr
	cols   []column
	levels [][]*srfCall
	keys   []*scope
}

func (n *projectSetNode) columns() []column { return n.cols }
func (n *projectSetNode) explain(e *explainer) {
	e.line("ProjectSet")
	e.child(n.in)
}
func (n *projectSetNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, func(row []types.Datum) error {
		return n.expand(c, row, 0, emit)
	})
}

// expand runs level l's calls over row (lower levels bound) and recurses;
// past the last level it evaluates the select list.
func (n *projectSetNode) expand(c *Ctx, row []types.Datum, l int, emit func([]types.Datum) error) error {
	if l == len(n.levels) {
		out := make([]types.Datum, len(n.exprs))
		for i, e := range n.exprs {
			d, err := e.eval(c, row)
			if err != nil {
				return err
			}
			out[i] = d
		}
		return emit(out)
	}
	return lockstep(c, n.levels[l], row, func(vals []types.Datum) error {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		return c.within(n.keys[l], vals, func() error { return n.expand(c, row, l+1, emit) })
	})
}

// isSRFCall reports whether n calls a set-returning function.
func isSRFCall(n ast.Node) bool {
	f, ok := n.(*ast.FuncCall)
	if !ok || f.Over != nil {
		return false
	}
	_, ok = lookupSRF(f.Schema, f.Name)
	return ok
}

// containsSRF reports whether e calls a set-returning function outside
// subqueries.
func containsSRF(e ast.Node) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.Subquery, *ast.Select:
			return false
		}
		if isSRFCall(n) {
			found = true
		}
		return !found
	})
	return found
}

// srfPlacement checks the set-returning calls of select-list (or ORDER
// BY) expressions: reports whether there are any, and refuses them inside
// CASE, COALESCE, aggregate and window calls, as PostgreSQL does.
func (cp *compiler) srfPlacement(es []ast.Expr) (bool, error) {
	any := false
	var err error
	for _, e := range es {
		ast.Walk(e, func(n ast.Node) bool {
			if err != nil {
				return false
			}
			switch x := n.(type) {
			case *ast.Subquery, *ast.Select:
				return false
			case *ast.CaseExpr:
				if containsSRF(x) {
					err = srfError("set-returning functions are not allowed in CASE")
				}
				return false
			case *ast.Coalesce:
				if containsSRF(x) {
					err = srfError("set-returning functions are not allowed in COALESCE")
				}
				return false
			case *ast.FuncCall:
				if x.Over != nil || (cp.isAggregate(x.Name) && x.Schema == "") {
					inner := false
					for _, a := range x.Args {
						inner = inner || containsSRF(a)
					}
					if x.Over != nil {
						for _, p := range x.Over.PartitionBy {
							inner = inner || containsSRF(p)
						}
						for _, o := range x.Over.OrderBy {
							inner = inner || containsSRF(o.Expr)
						}
					}
					switch {
					case inner && x.Over != nil:
						err = srfError("window function calls cannot contain set-returning function calls")
					case inner:
						err = srfError("aggregate function calls cannot contain set-returning function calls")
					}
					return false
				}
			}
			any = any || isSRFCall(n)
			return true
		})
		if err != nil {
			return false, err
		}
	}
	return any, nil
}

// allowSRFs gives the select-list scope tsc an srfSet when the select list
// or ORDER BY of s calls set-returning functions where they are allowed.
func (b *builder) allowSRFs(s *ast.Select, targets []*ast.Target, tsc *scope) error {
	es := make([]ast.Expr, 0, len(targets)+len(s.OrderBy))
	for _, t := range targets {
		es = append(es, t.Expr)
	}
	for _, o := range s.OrderBy {
		es = append(es, o.Expr)
	}
	has, err := b.cp.srfPlacement(es)
	if has && err == nil {
		tsc.srf = &srfSet{}
	}
	return err
}

// groupSRFs returns the srfSet GROUP BY key src compiles with when it calls
// set-returning functions (PostgreSQL evaluates them below the
// aggregation: each input row is repeated per value), else nil.
func (gp *groupPlan) groupSRFs(src ast.Expr) *srfSet {
	if !containsSRF(src) {
		return nil
	}
	if gp.srf == nil {
		gp.srf = &srfSet{}
	}
	return gp.srf
}

// passThrough puts a projectSetNode running s's calls under the
// aggregation: it passes each input row on once per combination of the
// calls' values, with the values bound while the aggregation evaluates its
// keys. Without calls it returns in.
func (s *srfSet) passThrough(in node) node {
	if s == nil || len(s.slots) == 0 {
		return in
	}
	cols := in.columns()
	exprs := make([]expr, len(cols))
	for i, c := range cols {
		exprs[i] = &colExpr{i: i, t: c.typ}
	}
	return s.project(in, exprs, cols)
}
