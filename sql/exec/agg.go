package exec

import (
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
}

// registryAgg compiles a call of an aggregate of the funcs registry.
func (cp *compiler) registryAgg(f *ast.FuncCall, sc *scope, spec *aggSpec) (expr, error) {
	sc.inAgg = true
	for _, a := range f.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			sc.inAgg = false
			return nil, err
		}
		spec.args = append(spec.args, e)
	}
	sc.inAgg = false
	in := make([]types.Type, len(spec.args))
	for i, a := range spec.args {
		in[i] = a.typ()
	}
	a, params, err := cp.funcs.ResolveAgg(f.Name, in)
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
	*sc.aggs = append(*sc.aggs, spec)
	return &aggRef{i: len(*sc.aggs) - 1, t: spec.t}, nil
}

func (cp *compiler) aggregate(f *ast.FuncCall, sc *scope) (expr, error) {
	name := f.Name
	if sc.aggs == nil || sc.inAgg {
		if sc.inAgg {
			return nil, errf(CodeGrouping, "aggregate function calls cannot be nested")
		}
		if sc.noAggs != "" {
			return nil, errf(CodeGrouping, "aggregate functions are not allowed in %s", sc.noAggs)
		}
		return nil, errf(CodeGrouping, "aggregate functions are not allowed here")
	}
	if f.Distinct || len(f.OrderBy) > 0 || f.Filter != nil {
		// Errors in the arguments come first, as in PostgreSQL.
		sc.inAgg = true
		for _, a := range f.Args {
			if _, err := cp.expr(a, sc); err != nil {
				sc.inAgg = false
				return nil, err
			}
		}
		sc.inAgg = false
		return nil, unsupported("DISTINCT, ORDER BY and FILTER in aggregates are not supported")
	}
	spec := &aggSpec{fn: name}
	if !aggNames[name] {
		return cp.registryAgg(f, sc, spec)
	}
	if f.Star {
		if name != "count" {
			return nil, errf(types.CodeSyntaxError, "%s(*) is not allowed", name)
		}
	} else {
		if len(f.Args) != 1 {
			return nil, errf(types.CodeUndefinedFunction, "function %s with %d arguments does not exist", name, len(f.Args))
		}
		sc.inAgg = true
		e, err := cp.expr(f.Args[0], sc)
		sc.inAgg = false
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		spec.arg, spec.argT = e, e.typ()
	}
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
		default:
			return nil, errf(types.CodeUndefinedFunction, "function sum(%s) does not exist", at)
		}
	case "avg":
		switch {
		case at.IsInt() || at.OID == types.OIDNumeric:
			spec.t = types.Numeric_
		case at.OID == types.OIDFloat8:
			spec.t = types.Float8
		default:
			return nil, errf(types.CodeUndefinedFunction, "function avg(%s) does not exist", at)
		}
	default: // min, max
		if at.OID == types.OIDBool {
			return nil, errf(types.CodeUndefinedFunction, "function %s(boolean) does not exist", name)
		}
		spec.t = at
	}
	*sc.aggs = append(*sc.aggs, spec)
	return &aggRef{i: len(*sc.aggs) - 1, t: spec.t}, nil
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
}

func (s *aggState) add(c *Ctx, row []types.Datum) error {
	if s.spec.reg != nil {
		vals := make([]types.Datum, len(s.spec.args))
		for i, a := range s.spec.args {
			d, err := a.eval(c, row)
			if err != nil {
				return err
			}
			if d.IsNull() && s.spec.reg.Strict {
				return nil
			}
			vals[i] = d
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
	v, err := s.spec.arg.eval(c, row)
	if err != nil || v.IsNull() {
		return err
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
			s.fsum += v.F
		}
	case "min", "max":
		if s.best.IsNull() {
			s.best = v
			return nil
		}
		x := types.CompareAs(s.spec.argT, v, s.best)
		if (s.spec.fn == "min" && x < 0) || (s.spec.fn == "max" && x > 0) {
			s.best = v
		}
	}
	return nil
}

func (s *aggState) result(c *Ctx) (types.Datum, error) {
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
	case types.OIDFloat8:
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

// aggNode computes aggregates over all rows of its input: one output row
// holding each aggregate's result (aggs[i] is output column i).
type aggNode struct {
	in   node
	aggs []*aggSpec
	cols []column
}

func (n *aggNode) columns() []column { return n.cols }
func (n *aggNode) run(c *Ctx, emit func([]types.Datum) error) error {
	states := make([]*aggState, len(n.aggs))
	for i, a := range n.aggs {
		states[i] = &aggState{spec: a}
	}
	if err := n.in.run(c, func(row []types.Datum) error {
		for _, s := range states {
			if err := s.add(c, row); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	out := make([]types.Datum, len(states))
	for i, s := range states {
		d, err := s.result(c)
		if err != nil {
			return err
		}
		out[i] = d
	}
	return emit(out)
}
func (n *aggNode) explain(e *explainer) {
	e.line("Aggregate")
	e.child(n.in)
}
