package funcs

import (
	"errors"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

func arr(t types.Type) types.Type {
	a, err := types.ArrayOf(t)
	if err != nil {
		panic(err)
	}
	return a
}

// TestResolve checks overload choice, coercion targets and errors.
func TestResolve(t *testing.T) {
	reg := Builtins()
	U, T, I4, I8, N, F := types.Unknown, types.Text, types.Int4, types.Int8, types.Numeric_, types.Float8
	cases := []struct {
		name   string
		args   []types.Type
		params []types.Type // nil when an error is expected
		result types.Type
		code   string
		msg    string
		hint   string
	}{
		{name: "round", args: []types.Type{I4}, params: []types.Type{F}, result: F},
		{name: "round", args: []types.Type{I4, I4}, params: []types.Type{N, I4}, result: N},
		{name: "round", args: []types.Type{N}, params: []types.Type{N}, result: N},
		{name: "ROUND", args: []types.Type{F}, params: []types.Type{F}, result: F},
		{name: "abs", args: []types.Type{U}, params: []types.Type{F}, result: F},
		{name: "abs", args: []types.Type{I8}, params: []types.Type{I8}, result: I8},
		{name: "length", args: []types.Type{U}, params: []types.Type{T}, result: I4},
		{name: "length", args: []types.Type{types.Varchar}, params: []types.Type{T}, result: I4},
		{name: "length", args: []types.Type{types.Bpchar}, params: []types.Type{types.Bpchar}, result: I4},
		{name: "length", args: []types.Type{types.Bytea}, params: []types.Type{types.Bytea}, result: I4},
		{name: "lpad", args: []types.Type{U, I4}, params: []types.Type{T, I4}, result: T},
		{name: "lpad", args: []types.Type{U, I8}, code: CodeUndefinedFunction,
			msg: "function lpad(unknown, bigint) does not exist", hint: hintNoMatch},
		{name: "lpad", args: []types.Type{I4, I4}, code: CodeUndefinedFunction,
			msg: "function lpad(integer, integer) does not exist", hint: hintNoMatch},
		{name: "nosuch", args: nil, code: CodeUndefinedFunction, msg: "function nosuch() does not exist", hint: hintNoMatch},
		{name: "date_part", args: []types.Type{U, U}, code: CodeAmbiguousFunction,
			msg: "function date_part(unknown, unknown) is not unique", hint: hintAmbiguous},
		{name: "date_part", args: []types.Type{U, types.Date}, params: []types.Type{T, types.Date}, result: F},
		{name: "concat", args: []types.Type{U, I4, types.Bool}, params: []types.Type{U, I4, types.Bool}, result: T},
		{name: "concat", args: nil, code: CodeUndefinedFunction, msg: "function concat() does not exist", hint: hintNoMatch},
		{name: "quote_literal", args: []types.Type{I4}, params: []types.Type{I4}, result: T},
		{name: "quote_literal", args: []types.Type{U}, params: []types.Type{T}, result: T},
		{name: "array_append", args: []types.Type{arr(I4), I4}, params: []types.Type{arr(I4), I4}, result: arr(I4)},
		{name: "array_append", args: []types.Type{arr(I4), U}, params: []types.Type{arr(I4), I4}, result: arr(I4)},
		{name: "array_append", args: []types.Type{arr(I4), I8}, params: []types.Type{arr(I8), I8}, result: arr(I8)},
		{name: "array_append", args: []types.Type{arr(I4), T}, code: CodeUndefinedFunction,
			msg: "function array_append(integer[], text) does not exist", hint: hintNoMatch},
		{name: "array_cat", args: []types.Type{arr(N), arr(I4)}, params: []types.Type{arr(N), arr(N)}, result: arr(N)},
		{name: "array_position", args: []types.Type{arr(F), I4}, params: []types.Type{arr(F), F}, result: I4},
		{name: "array_length", args: []types.Type{I4, I4}, code: CodeUndefinedFunction,
			msg: "function array_length(integer, integer) does not exist", hint: hintNoMatch},
		{name: "power", args: []types.Type{I4, F}, params: []types.Type{F, F}, result: F},
		{name: "power", args: []types.Type{I4, N}, params: []types.Type{N, N}, result: N},
		{name: "to_char", args: []types.Type{types.Date, U}, params: []types.Type{types.Timestamptz, T}, result: T},
		{name: "extract", args: []types.Type{U, types.Timestamptz}, params: []types.Type{T, types.Timestamptz}, result: N},
		{name: "pg_typeof", args: []types.Type{U}, params: []types.Type{U}, result: T},
	}
	for _, c := range cases {
		f, params, err := reg.Resolve(c.name, c.args)
		if c.code != "" {
			var e *types.Error
			if !errors.As(err, &e) {
				t.Errorf("%s%v: want error %s, got %v", c.name, c.args, c.code, err)
				continue
			}
			if e.Code != c.code || e.Message != c.msg || e.Hint != c.hint {
				t.Errorf("%s%v: got %s %q hint %q, want %s %q hint %q", c.name, c.args, e.Code, e.Message, e.Hint, c.code, c.msg, c.hint)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if len(params) != len(c.params) {
			t.Errorf("%s%v: params %v, want %v", c.name, c.args, params, c.params)
			continue
		}
		for i := range params {
			if params[i].OID != c.params[i].OID {
				t.Errorf("%s%v: params %v, want %v", c.name, c.args, params, c.params)
				break
			}
		}
		if rt := f.ResultType(params); rt.OID != c.result.OID {
			t.Errorf("%s%v: result %v, want %v", c.name, c.args, rt, c.result)
		}
	}
}

func TestResolveAgg(t *testing.T) {
	reg := Builtins()
	cases := []struct {
		name   string
		args   []types.Type
		result types.Type
		err    string
	}{
		{"count", nil, types.Int8, ""},
		{"count", []types.Type{types.Text}, types.Int8, ""},
		{"sum", []types.Type{types.Int4}, types.Int8, ""},
		{"sum", []types.Type{types.Int8}, types.Numeric_, ""},
		{"sum", []types.Type{types.Int2}, types.Int8, ""},
		{"avg", []types.Type{types.Int2}, types.Numeric_, ""},
		{"avg", []types.Type{types.Float8}, types.Float8, ""},
		{"max", []types.Type{types.Varchar}, types.Text, ""},
		{"min", []types.Type{types.Unknown}, types.Text, ""},
		{"max", []types.Type{types.Bool}, types.Type{}, "function max(boolean) does not exist"},
		{"sum", []types.Type{types.Text}, types.Type{}, "function sum(text) does not exist"},
		{"array_agg", []types.Type{types.Int4}, arr(types.Int4), ""},
		{"string_agg", []types.Type{types.Varchar, types.Unknown}, types.Text, ""},
	}
	for _, c := range cases {
		a, params, err := reg.ResolveAgg(c.name, c.args)
		if c.err != "" {
			var e *types.Error
			if !errors.As(err, &e) || e.Message != c.err || e.Code != CodeUndefinedFunction {
				t.Errorf("%s%v: got %v, want %q", c.name, c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if rt := a.ResultType(params); rt.OID != c.result.OID {
			t.Errorf("%s%v: result %v, want %v", c.name, c.args, rt, c.result)
		}
	}
	if !reg.IsAggregate("count") || reg.IsAggregate("lower") {
		t.Error("IsAggregate")
	}
}

// TestBuiltinsWellFormed: every overload has an implementation, a result
// type and a signature no other overload of its name repeats, and an
// exact-type call resolves to it.
func TestBuiltinsWellFormed(t *testing.T) {
	reg := Builtins()
	for name, fs := range reg.funcs {
		seen := map[string]bool{}
		for _, f := range fs {
			if f.Eval == nil || (f.ResultOf == nil && f.Result.OID == 0) {
				t.Errorf("%s%v: missing Eval or result type", name, f.Args)
			}
			key := signature(name, f.Args)
			if f.Variadic {
				key += " variadic"
			}
			if seen[key] {
				t.Errorf("duplicate overload %s", key)
			}
			seen[key] = true
			concrete := !f.Variadic
			for _, a := range f.Args {
				_, real := types.Info(a.OID)
				concrete = concrete && real
			}
			if !concrete {
				continue
			}
			got, _, err := reg.Resolve(name, f.Args)
			if err != nil || got != f {
				t.Errorf("%s: exact call does not resolve to itself (%v)", key, err)
			}
		}
	}
	for name, as := range reg.aggs {
		for _, a := range as {
			if a.New == nil || a.New(a.Args) == nil {
				t.Errorf("aggregate %s%v: no state", name, a.Args)
			}
		}
	}
}
