package funcs

import (
	"github.com/borealis-db/borealis/sql/types"
)

// Cast functions: PostgreSQL's pg_proc has a function named after the
// target type for the casts that are implemented by a function
// (int4(numeric), date(timestamptz), timestamp(date), ...). Calls like
// text(123) or date('2024-01-01'), for which no such function exists, are
// type coercions (see coercionCall).
func addCastFuncs(r *Registry) {
	targets := []types.Type{types.Int2, types.Int4, types.Int8, types.Float8, types.Float4, types.Numeric_,
		types.Date, types.Timestamp, types.Timestamptz, types.Bool}
	sources := []types.Type{types.Int2, types.Int4, types.Int8, types.Float8, types.Float4, types.Numeric_,
		types.Date, types.Timestamp, types.Timestamptz, types.Bool}
	for _, to := range targets {
		ti, _ := types.Info(to.OID)
		for _, from := range sources {
			if from.OID == to.OID {
				continue
			}
			if _, ok := types.CastContext(from.OID, to.OID); !ok {
				continue
			}
			add(r, ti.Name, to, castEval(from, to), from)
		}
	}
}

func castEval(from, to types.Type) evalFn {
	return func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		var env *types.Env
		if c != nil {
			env = c.Env
		}
		return types.Cast(a[0], from, to, types.CoerceExplicit, env)
	}
}

// coercionCall is func_get_detail's type-coercion case: a one-argument
// call whose name is a type name, with an unknown literal or an argument
// that converts by relabelling or through text I/O, is a cast.
func coercionCall(name string, in []types.Type) (*Func, bool) {
	if len(in) != 1 {
		return nil, false
	}
	to, err := types.LookupType(name, nil)
	if err != nil || to.OID == types.OIDUnknown {
		return nil, false
	}
	if ti, ok := types.Info(to.OID); !ok || ti.Name != name {
		return nil, false // only pg_type names (int4, not integer) name a type here
	}
	from := in[0]
	if from.OID != types.OIDUnknown {
		if _, ok := types.CastContext(from.OID, to.OID); !ok {
			return nil, false
		}
		fcat, _ := category(from.OID)
		tcat, _ := category(to.OID)
		if fcat != 'S' && tcat != 'S' {
			return nil, false // a function cast: registered by addCastFuncs, or none
		}
	}
	return &Func{Name: name, Args: []types.Type{from}, Result: to, Strict: true, Eval: castEval(from, to)}, true
}
