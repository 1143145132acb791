package funcs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// A tiny evaluator for test expressions: function calls over literals,
// written in SQL so the same text runs on PostgreSQL:
//
//	expr := literal ['::' type] | name '(' [expr {',' expr}] ')' ['::' type]
//	literal := 'string' | number | -number | NULL | true | false
//
// Literal typing follows PostgreSQL: quoted strings and NULL are unknown,
// integers int4 (int8, numeric when larger), decimals numeric.

type exprParser struct {
	s   string
	pos int
	reg *Registry
	c   *Context
}

func (p *exprParser) ws() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *exprParser) eat(tok string) bool {
	p.ws()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

// evalExpr evaluates src, returning its value and type.
func evalExpr(reg *Registry, c *Context, src string) (types.Datum, types.Type, error) {
	p := &exprParser{s: src, reg: reg, c: c}
	d, t, err := p.expr()
	if err != nil {
		return d, t, err
	}
	p.ws()
	if p.pos != len(p.s) {
		return d, t, fmt.Errorf("test parser: trailing input at %d in %q", p.pos, src)
	}
	return d, t, nil
}

func (p *exprParser) expr() (types.Datum, types.Type, error) {
	d, t, err := p.primary()
	if err != nil {
		return d, t, err
	}
	for p.eat("::") {
		p.ws()
		st := p.pos
		for p.pos < len(p.s) && (isASCIIAlnum(p.s[p.pos]) || p.s[p.pos] == '_' || p.s[p.pos] == ' ' || p.s[p.pos] == '[' || p.s[p.pos] == ']') {
			if p.s[p.pos] == ' ' && !strings.HasPrefix(p.s[p.pos:], " with") && !strings.HasPrefix(p.s[p.pos:], " without") &&
				!strings.HasPrefix(p.s[p.pos:], " time") && !strings.HasPrefix(p.s[p.pos:], " zone") &&
				!strings.HasPrefix(p.s[p.pos:], " precision") && !strings.HasPrefix(p.s[p.pos:], " varying") {
				break
			}
			p.pos++
		}
		name := strings.TrimSpace(p.s[st:p.pos])
		var mods []int32
		if p.eat("(") {
			for {
				p.ws()
				n := 0
				for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
					n = n*10 + int(p.s[p.pos]-'0')
					p.pos++
				}
				mods = append(mods, int32(n))
				if !p.eat(",") {
					break
				}
			}
			if !p.eat(")") {
				return d, t, fmt.Errorf("test parser: bad type modifier in %q", p.s)
			}
		}
		to, err := types.LookupType(name, mods)
		if err != nil {
			return d, t, err
		}
		var env *types.Env
		if p.c != nil {
			env = p.c.Env
		}
		if d, err = types.Cast(d, t, to, types.CoerceExplicit, env); err != nil {
			return d, t, err
		}
		t = to
	}
	return d, t, nil
}

func (p *exprParser) primary() (types.Datum, types.Type, error) {
	p.ws()
	if p.pos >= len(p.s) {
		return types.Null, types.Unknown, fmt.Errorf("test parser: unexpected end of %q", p.s)
	}
	c := p.s[p.pos]
	switch {
	case c == '(':
		p.pos++
		d, t, err := p.expr()
		if err == nil && !p.eat(")") {
			err = fmt.Errorf("test parser: missing ) in %q", p.s)
		}
		return d, t, err
	case c == '\'':
		p.pos++
		var b strings.Builder
		for p.pos < len(p.s) {
			if p.s[p.pos] == '\'' {
				if p.pos+1 < len(p.s) && p.s[p.pos+1] == '\'' {
					b.WriteByte('\'')
					p.pos += 2
					continue
				}
				break
			}
			b.WriteByte(p.s[p.pos])
			p.pos++
		}
		p.pos++
		return types.NewString(b.String()), types.Unknown, nil
	case c == '-' || (c >= '0' && c <= '9') || c == '.':
		st := p.pos
		p.pos++
		for p.pos < len(p.s) && ((p.s[p.pos] >= '0' && p.s[p.pos] <= '9') || p.s[p.pos] == '.' || p.s[p.pos] == 'e' ||
			((p.s[p.pos] == '-' || p.s[p.pos] == '+') && p.s[p.pos-1] == 'e')) {
			p.pos++
		}
		lit := p.s[st:p.pos]
		if !strings.ContainsAny(lit, ".e") {
			if v, err := types.ParseInt(types.OIDInt4, lit); err == nil {
				return types.NewInt(v), types.Int4, nil
			}
			if v, err := types.ParseInt(types.OIDInt8, lit); err == nil {
				return types.NewInt(v), types.Int8, nil
			}
		}
		n, err := types.ParseNumeric(lit)
		if err != nil {
			return types.Null, types.Unknown, err
		}
		return types.NewNumeric(n), types.Numeric_, nil
	}
	st := p.pos
	for p.pos < len(p.s) && (isASCIIAlnum(p.s[p.pos]) || p.s[p.pos] == '_' || p.s[p.pos] == '.') {
		p.pos++
	}
	word := strings.TrimPrefix(strings.ToLower(p.s[st:p.pos]), "pg_catalog.")
	switch word {
	case "null":
		return types.Null, types.Unknown, nil
	case "true", "false":
		return types.NewBool(word == "true"), types.Bool, nil
	case "":
		return types.Null, types.Unknown, fmt.Errorf("test parser: unexpected %q in %q", c, p.s)
	}
	if !p.eat("(") {
		return types.Null, types.Unknown, fmt.Errorf("test parser: expected ( after %s", word)
	}
	var args []types.Datum
	var ats []types.Type
	if !p.eat(")") {
		for {
			d, t, err := p.expr()
			if err != nil {
				return d, t, err
			}
			args, ats = append(args, d), append(ats, t)
			if p.eat(")") {
				break
			}
			if !p.eat(",") {
				return types.Null, types.Unknown, fmt.Errorf("test parser: expected , or ) in %q", p.s)
			}
		}
	}
	return callFunc(p.reg, p.c, word, args, ats)
}

// callFunc resolves and runs a scalar function the way the executor does:
// coerce each argument to its parameter type, honour strictness, Eval.
func callFunc(reg *Registry, c *Context, name string, args []types.Datum, ats []types.Type) (types.Datum, types.Type, error) {
	if reg.IsAggregate(name) { // an aggregate over the one row SELECT produces
		a, params, err := reg.ResolveAgg(name, ats)
		if err != nil {
			return types.Null, types.Unknown, err
		}
		st := a.New(params)
		co := make([]types.Datum, len(args))
		skip := false
		for i, d := range args {
			if co[i], err = types.Cast(d, ats[i], params[i], types.CoerceImplicit, nil); err != nil {
				return types.Null, types.Unknown, err
			}
			skip = skip || (a.Strict && d.IsNull())
		}
		if !skip {
			if err := st.Step(c, co); err != nil {
				return types.Null, types.Unknown, err
			}
		}
		d, err := st.Final(c)
		return d, a.ResultType(params), err
	}
	f, params, err := reg.Resolve(name, ats)
	if err != nil {
		return types.Null, types.Unknown, err
	}
	var env *types.Env
	if c != nil {
		env = c.Env
	}
	co := make([]types.Datum, len(args))
	for i, a := range args {
		if ats[i] == params[i] || params[i].OID == OIDAny {
			co[i] = a
			continue
		}
		if co[i], err = types.Cast(a, ats[i], params[i], types.CoerceImplicit, env); err != nil {
			return types.Null, types.Unknown, err
		}
	}
	rt := f.ResultType(params)
	if f.Strict {
		for _, a := range co {
			if a.IsNull() {
				return types.Null, rt, nil
			}
		}
	}
	d, err := f.Eval(c, co, params)
	return d, rt, err
}

func contextWithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}
