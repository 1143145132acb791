package exec

import (
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// positionalCall rewrites a call in named or mixed notation
// (`make_interval(days => 3)`) into positional form, as PostgreSQL's
// func_get_detail matches proargnames: positional arguments first, then
// each named one at its parameter's position, omitted trailing parameters
// taking their defaults. A name the function does not have, a parameter
// given twice or a missing one without a default is 42883 (no such
// function), as in PostgreSQL.
func positionalCall(f *ast.FuncCall, argTypes func(i int) types.Type) (*ast.FuncCall, error) {
	params := funcs.ParamNames(f.Name)
	noSuch := func() error {
		parts := make([]string, len(f.Args))
		for i := range f.Args {
			parts[i] = argTypes(i).String()
			if f.ArgNames[i] != "" {
				parts[i] = f.ArgNames[i] + " => " + parts[i]
			}
		}
		return errf(types.CodeUndefinedFunction, "function %s(%s) does not exist", f.Name, strings.Join(parts, ", "))
	}
	if params == nil || len(f.Args) > len(params) {
		return nil, noSuch()
	}
	slots := make([]ast.Expr, len(params))
	last := -1
	for i, a := range f.Args {
		pos := i
		if name := f.ArgNames[i]; name != "" {
			pos = -1
			for j, p := range params {
				if p.Name == name {
					pos = j
				}
			}
			if pos < 0 || slots[pos] != nil {
				return nil, noSuch()
			}
		} else if i > 0 && f.ArgNames[i-1] != "" {
			return nil, errf(types.CodeSyntaxError, "positional argument cannot follow named argument")
		}
		slots[pos] = a
		last = max(last, pos)
	}
	for j := 0; j <= last; j++ {
		if slots[j] == nil {
			if !params[j].HasDefault {
				return nil, noSuch()
			}
			slots[j] = &ast.Const{Value: params[j].Default, Type: params[j].DefaultT, Loc: f.Loc}
		}
	}
	out := *f
	out.Args, out.ArgNames = slots[:last+1], nil
	return &out, nil
}

// argType is the type of an argument expression for an error message
// (unknown when it does not compile).
func (cp *compiler) argType(e ast.Expr, sc *scope) types.Type {
	x, err := cp.expr(e, sc)
	if err != nil {
		return types.Unknown
	}
	return x.typ()
}
