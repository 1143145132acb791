package exec

import (
	"math"
	"sort"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/funcs"

	"github.com/borealis-db/borealis/sql/types"
)

// aggSpec is one aggregate call of a query.
type aggSpec struct {
	fn   string
	arg  expr // nil for count(*)
	t    types.Type
	argT types.Type
	// reg is a registry aggregate (then args/argTypes are its arguments).
	reg      *funcs.Agg
	args     []expr
	argTypes []types.Type
	// Options of the call: agg(DISTINCT ... ORDER BY ...) FILTER (WHERE ...).
	distinct bool
	order    []aggOrder
	filter   expr
}

// aggOrder is an ORDER BY item inside an aggregate call.
type aggOrder struct {
	e          expr
	desc       bool
	nullsFirst bool
}

// nargs is the number of argument values the aggregate steps with.
func (s *aggSpec) nargs() int {
	if s.reg != nil {
		return len(s.args)
	}
	if s.arg == nil {
		return 0
	}
	return 1
}

// argType is the type of argument i.
func (s *aggSpec) argType(i int) types.Type {
	if s.reg != nil {
		return s.argTypes[i]
	}
	return s.argT
}

// aggResult is the expression reading aggregate i's result in the
// aggregation output row of sc.
func (sc *scope) aggResult(i int, t types.Type) expr {
	if sc.grp == nil {
		return &aggRef{i: i, t: t}
	}
	return &aggSlot{g: sc.grp, i: i, t: t}
}

// aggregate compiles an aggregate call (not OVER) in the aggregating scope
// sc: its arguments, ORDER BY and FILTER are evaluated over the input rows.
func (cp *compiler) aggregate(f *ast.FuncCall, sc *scope) (expr, error) {
	if sc.aggs == nil || sc.inAgg {
		if sc.inAgg {
			return nil, errf(CodeGrouping, "aggregate function calls cannot be nested")
		}
		if sc.noAggs != "" {
			return nil, errf(CodeGrouping, "aggregate functions are not allowed in %s", sc.noAggs)
		}
		return nil, errf(CodeGrouping, "aggregate functions are not allowed here")
	}
	sc.inAgg = true
	args, order, filter, err := cp.aggParts(f, sc)
	sc.inAgg = false
	if err != nil {
		return nil, err
	}
	spec, err := cp.aggSpecFor(f, args)
	if err != nil {
		return nil, err
	}
	if f.Distinct && len(f.OrderBy) > 0 {
		for _, o := range f.OrderBy {
			found := false
			for _, a := range f.Args {
				found = found || astEqual(o.Expr, a, nil)
			}
			if !found {
				return nil, errf(codeInvalidColumnRef, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list")
			}
		}
	}
	spec.distinct, spec.order, spec.filter = f.Distinct, order, filter
	*sc.aggs = append(*sc.aggs, spec)
	return sc.aggResult(len(*sc.aggs)-1, spec.t), nil
}

// aggParts compiles an aggregate call's arguments, ORDER BY items and
// FILTER condition in sc.
func (cp *compiler) aggParts(f *ast.FuncCall, sc *scope) ([]expr, []aggOrder, expr, error) {
	var args []expr
	for _, a := range f.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, nil, nil, err
		}
		args = append(args, e)
	}
	var order []aggOrder
	for _, o := range f.OrderBy {
		e, err := cp.expr(o.Expr, sc)
		if err != nil {
			return nil, nil, nil, err
		}
		if isUnknown(e) {
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, nil, nil, err
			}
		}
		ao := aggOrder{e: e, desc: o.Desc, nullsFirst: o.Desc}
		if o.NullsFirst != nil {
			ao.nullsFirst = *o.NullsFirst
		}
		order = append(order, ao)
	}
	var filter expr
	if f.Filter != nil {
		e, err := cp.expr(f.Filter, sc)
		if err != nil {
			return nil, nil, nil, err
		}
		if filter, err = cp.coerce(e, types.Bool, types.CoerceImplicit); err != nil {
			return nil, nil, nil, errf(types.CodeDatatypeMismatch, "argument of FILTER must be type boolean, not type %s", e.typ())
		}
	}
	return args, order, filter, nil
}

// aggSpecFor resolves aggregate f over its compiled arguments: the
// executor's own count/sum/avg/min/max or a registry aggregate.
func (cp *compiler) aggSpecFor(f *ast.FuncCall, args []expr) (*aggSpec, error) {
	name := f.Name
	spec := &aggSpec{fn: name}
	if !aggNames[name] {
		return cp.registryAggSpec(name, args, spec)
	}
	if f.Star {
		if name != "count" {
			return nil, errf(types.CodeSyntaxError, "%s(*) is not allowed", name)
		}
		spec.t = types.Int8
		return spec, nil
	}
	if len(args) != 1 {
		return nil, errf(types.CodeUndefinedFunction, "function %s with %d arguments does not exist", name, len(args))
	}
	e := args[0]
	if isUnknown(e) {
		var err error
		if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	spec.arg, spec.argT = e, e.typ()
	at := spec.argT
	switch name {
	case "count":
		spec.t = types.Int8
	case "sum":
		switch {
		case at.OID == types.OIDInt2 || at.OID == types.OIDInt4:
			spec.t = types.Int8
		case at.OID == types.OIDInt8 || at.OID == types.OIDNumeric:
			spec.t = types.Numeric_
		case at.OID == types.OIDFloat8:
			spec.t = types.Float8
		case at.OID == types.OIDFloat4:
			spec.t = types.Float4 // float4pl: summed in real
		default:
			return cp.registryAggSpec(name, args, spec)
		}
	case "avg":
		switch {
		case at.IsInt() || at.OID == types.OIDNumeric:
			spec.t = types.Numeric_
		case at.OID == types.OIDFloat8 || at.OID == types.OIDFloat4:
			spec.t = types.Float8
		default:
			return cp.registryAggSpec(name, args, spec)
		}
	default: // min, max
		if at.OID == types.OIDBool {
			return nil, errf(types.CodeUndefinedFunction, "function %s(boolean) does not exist", name)
		}
		spec.t = at
	}
	return spec, nil
}

// registryAggSpec resolves a call of an aggregate of the funcs registry.
func (cp *compiler) registryAggSpec(name string, args []expr, spec *aggSpec) (*aggSpec, error) {
	if cp.funcs == nil || !cp.funcs.IsAggregate(name) {
		return nil, errf(types.CodeUndefinedFunction, "function %s does not exist", name)
	}
	spec.arg, spec.argT = nil, types.Type{}
	spec.args = append([]expr(nil), args...)
	in := make([]types.Type, len(spec.args))
	for i, a := range spec.args {
		in[i] = a.typ()
	}
	a, params, err := cp.funcs.ResolveAgg(name, in)
	if err != nil {
		return nil, err
	}
	for i := range spec.args {
		if i < len(params) {
			if spec.args[i], err = cp.coerce(spec.args[i], params[i], types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		spec.argTypes = append(spec.argTypes, spec.args[i].typ())
	}
	spec.reg, spec.t = a, a.ResultType(params)
	return spec, nil
}

// aggState accumulates one aggregate.
type aggState struct {
	spec  *aggSpec
	reg   funcs.AggState // registry aggregates
	count int64
	isum  int64
	nsum  *types.Numeric
	fsum  float64
	best  types.Datum
	// buf holds the argument values (then the ORDER BY values) of each
	// row when the call has DISTINCT or ORDER BY: they are sorted,
	// deduplicated and stepped at the end.
	buf [][]types.Datum
}

// buffered reports whether rows are collected before stepping.
func (s *aggState) buffered() bool { return s.spec.distinct || len(s.spec.order) > 0 }

func (s *aggState) add(c *Ctx, row []types.Datum) error {
	sp := s.spec
	if sp.filter != nil {
		ok, err := truthy(c, sp.filter, row)
		if err != nil || !ok {
			return err
		}
	}
	n := sp.nargs()
	vals := make([]types.Datum, n, n+len(sp.order))
	if sp.reg != nil {
		for i, a := range sp.args {
			d, err := a.eval(c, row)
			if err != nil {
				return err
			}
			vals[i] = d
		}
	} else if sp.arg != nil {
		d, err := sp.arg.eval(c, row)
		if err != nil {
			return err
		}
		vals[0] = d
	}
	if s.buffered() {
		for _, o := range sp.order {
			d, err := o.e.eval(c, row)
			if err != nil {
				return err
			}
			vals = append(vals, d)
		}
		s.buf = append(s.buf, vals)
		return nil
	}
	return s.step(c, vals)
}

// step adds one row's argument values.
func (s *aggState) step(c *Ctx, vals []types.Datum) error {
	if s.spec.reg != nil {
		if s.spec.reg.Strict {
			for _, d := range vals {
				if d.IsNull() {
					return nil
				}
			}
		}
		if s.reg == nil {
			s.reg = s.spec.reg.New(s.spec.argTypes)
		}
		return s.reg.Step(c.funcContext(), vals)
	}
	if s.spec.arg == nil {
		s.count++
		return nil
	}
	v := vals[0]
	if v.IsNull() {
		return nil
	}
	s.count++
	switch s.spec.fn {
	case "sum", "avg":
		switch v.K {
		case types.KindInt:
			if s.spec.argT.OID == types.OIDInt8 || s.spec.fn == "avg" {
				if s.nsum == nil {
					s.nsum = types.NumericFromInt64(0)
				}
				s.nsum = s.nsum.Add(types.NumericFromInt64(v.I))
			} else {
				s.isum += v.I
			}
		case types.KindNumeric:
			if s.nsum == nil {
				s.nsum = types.NumericFromInt64(0)
			}
			s.nsum = s.nsum.Add(v.N)
		case types.KindFloat:
			if s.spec.t.OID == types.OIDFloat4 {
				r, _, err := types.Arith(types.OpAdd, types.Float4, types.NewFloat(s.fsum), types.Float4, v)
				if err != nil {
					return err
				}
				s.fsum = r.F
				break
			}
			sum := s.fsum + v.F
			if math.IsInf(sum, 0) && !math.IsInf(s.fsum, 0) && !math.IsInf(v.F, 0) {
				return errf(types.CodeNumericValueOutOfRange, "value out of range: overflow") // float8pl
			}
			s.fsum = sum
		}
	case "min", "max":
		if s.best.IsNull() {
			s.best = v
			return nil
		}
		x := types.CompareAs(s.spec.argT, v, s.best)
		// On a tie PostgreSQL's *_larger/*_smaller return the later value
		// (1.0 then 1.00 gives 1.00), except bpchar's, which keep the first.
		if (s.spec.fn == "min" && x < 0) || (s.spec.fn == "max" && x > 0) || (x == 0 && s.spec.argT.OID != types.OIDBpchar) {
			s.best = v
		}
	}
	return nil
}

// flush sorts and deduplicates the buffered rows and steps them.
func (s *aggState) flush(c *Ctx) error {
	sp := s.spec
	n := sp.nargs()
	rows := s.buf
	s.buf = nil
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for k, o := range sp.order {
			x, y := a[n+k], b[n+k]
			var r int
			if x.IsNull() || y.IsNull() {
				r = types.CompareNulls(x, y, o.nullsFirst, nil)
			} else {
				r = types.CompareAs(o.e.typ(), x, y)
				if o.desc {
					r = -r
				}
			}
			if r != 0 {
				return r < 0
			}
		}
		if sp.distinct {
			for k := 0; k < n; k++ {
				if r := compareDatums(sp.argType(k), a[k], b[k]); r != 0 {
					return r < 0
				}
			}
		}
		return false
	})
	for i, r := range rows {
		if sp.distinct && i > 0 && sameValues(sp, rows[i-1][:n], r[:n]) {
			continue
		}
		if err := s.step(c, r[:n]); err != nil {
			return err
		}
	}
	return nil
}

// sameValues reports whether two argument lists are equal (NULLs equal).
func sameValues(sp *aggSpec, a, b []types.Datum) bool {
	for k := range a {
		if compareDatums(sp.argType(k), a[k], b[k]) != 0 {
			return false
		}
	}
	return true
}

// compareDatums orders two values of type t, NULLs last and equal.
func compareDatums(t types.Type, x, y types.Datum) int {
	if x.IsNull() || y.IsNull() {
		return types.CompareNulls(x, y, false, nil)
	}
	return types.CompareAs(t, x, y)
}

func (s *aggState) result(c *Ctx) (types.Datum, error) {
	if s.buf != nil {
		if err := s.flush(c); err != nil {
			return types.Null, err
		}
	}
	if s.spec.reg != nil {
		if s.reg == nil {
			s.reg = s.spec.reg.New(s.spec.argTypes)
		}
		return s.reg.Final(c.funcContext())
	}
	switch s.spec.fn {
	case "count":
		return types.NewInt(s.count), nil
	case "min", "max":
		return s.best, nil
	}
	if s.count == 0 {
		return types.Null, nil
	}
	switch s.spec.t.OID {
	case types.OIDInt8:
		return types.NewInt(s.isum), nil
	case types.OIDFloat8, types.OIDFloat4:
		if s.spec.fn == "avg" {
			return types.NewFloat(s.fsum / float64(s.count)), nil
		}
		return types.NewFloat(s.fsum), nil
	}
	if s.spec.fn == "avg" {
		q, err := s.nsum.Div(types.NumericFromInt64(s.count))
		if err != nil {
			return types.Null, err
		}
		return types.NewNumeric(q), nil
	}
	return types.NewNumeric(s.nsum), nil
}

// aggNode computes aggregates over its input: without grouping keys one
// output row holding each aggregate's result (aggs[i] is output column i);
// with keys (GROUP BY, hash aggregation) one row per distinct key, holding
// the keys then the aggregates' results, in the order groups first appear.
type aggNode struct {
	in   node
	aggs []*aggSpec
	cols []column
	// g is the query's GROUP BY (nil or no keys: one group over all rows).
	g *grouping
}

func (n *aggNode) columns() []column { return n.cols }

// group is one group of a hash aggregation.
type group struct {
	keys   []types.Datum
	states []*aggState
}

func (n *aggNode) newGroup(keys []types.Datum) *group {
	g := &group{keys: keys, states: make([]*aggState, len(n.aggs))}
	for i, a := range n.aggs {
		g.states[i] = &aggState{spec: a}
	}
	return g
}

func (n *aggNode) run(c *Ctx, emit func([]types.Datum) error) error {
	var keys []*groupKey
	if n.g != nil {
		keys = n.g.keys
	}
	var groups []*group
	index := map[string]*group{}
	if len(keys) == 0 {
		groups = append(groups, n.newGroup(nil))
	}
	var kb []byte
	if err := n.in.run(c, func(row []types.Datum) error {
		var g *group
		if len(keys) == 0 {
			g = groups[0]
		} else {
			kv := make([]types.Datum, len(keys))
			kb = kb[:0]
			for i, k := range keys {
				d, err := k.e.eval(c, row)
				if err != nil {
					return err
				}
				kv[i] = d
				kb = types.AppendKey(kb, k.e.typ(), d, false)
			}
			if g = index[string(kb)]; g == nil {
				g = n.newGroup(kv)
				index[string(kb)] = g
				groups = append(groups, g)
			}
		}
		for _, s := range g.states {
			if err := s.add(c, row); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, g := range groups {
		out := make([]types.Datum, 0, len(keys)+len(g.states))
		out = append(out, g.keys...)
		for _, s := range g.states {
			d, err := s.result(c)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

func (n *aggNode) explain(e *explainer) {
	if n.g != nil && len(n.g.keys) > 0 {
		e.line("HashAggregate")
	} else {
		e.line("Aggregate")
	}
	e.child(n.in)
}
