package exec

import (
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// funcContext is the funcs.Context of a statement.
func (c *Ctx) funcContext() *funcs.Context {
	if c.fctx == nil {
		c.fctx = &funcs.Context{Ctx: c.Ctx, Env: c.Env, User: c.User, Database: c.Database, Setting: c.Setting, SetSetting: c.SetSetting, Cat: c.Cat, Rand: c.Rand}
	}
	return c.fctx
}

// funcExpr calls a function of the funcs registry.
type funcExpr struct {
	f        *funcs.Func
	args     []expr
	argTypes []types.Type
	t        types.Type
}

func (e *funcExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	vals := make([]types.Datum, len(e.args))
	for i, a := range e.args {
		d, err := a.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		if d.IsNull() && e.f.Strict {
			return types.Null, nil
		}
		vals[i] = d
	}
	return e.f.Eval(c.funcContext(), vals, e.argTypes)
}
func (e *funcExpr) typ() types.Type { return e.t }

// registryFunc resolves a call of a function the compiler does not know
// itself through the registry; nil, nil when there is no registry.
func (cp *compiler) registryFunc(name string, args []expr) (expr, error) {
	if cp.funcs == nil {
		return nil, nil
	}
	in := make([]types.Type, len(args))
	for i, a := range args {
		in[i] = a.typ()
	}
	f, params, err := cp.funcs.Resolve(name, in)
	if err != nil {
		for _, oin := range oidArgs(in) {
			if f2, p2, err2 := cp.funcs.Resolve(name, oin); err2 == nil {
				f, params, err = f2, p2, nil
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	for i := range args {
		if i < len(params) {
			if args[i], err = cp.coerce(args[i], params[i], types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
	}
	argTypes := make([]types.Type, len(args))
	for i, a := range args {
		argTypes[i] = a.typ()
	}
	return &funcExpr{f: f, args: args, argTypes: argTypes, t: f.ResultType(params)}, nil
}
