package exec

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/pgcatalog"

	"github.com/borealis-db/borealis/sql/types"
)

// OIDRegclass is the pg_type OID of regclass (a table name cast to its OID).
const OIDRegclass types.OID = 2205

// expr is a compiled scalar expression evaluated over one input row.
type expr interface {
	eval(c *Ctx, row []types.Datum) (types.Datum, error)
	typ() types.Type
}

type constExpr struct {
	d types.Datum
	t types.Type
}

func (e *constExpr) eval(*Ctx, []types.Datum) (types.Datum, error) { return e.d, nil }
func (e *constExpr) typ() types.Type                               { return e.t }

type paramExpr struct {
	n  int // 0-based
	ps *params
}

func (e *paramExpr) eval(c *Ctx, _ []types.Datum) (types.Datum, error) {
	if e.n >= len(c.Params) {
		return types.Null, errf(CodeUndefinedParameter, "there is no parameter $%d", e.n+1)
	}
	return c.Params[e.n], nil
}
func (e *paramExpr) typ() types.Type {
	t := e.ps.types[e.n]
	if t.OID == 0 {
		return types.Unknown
	}
	return t
}

type colExpr struct {
	i int
	t types.Type
}

func (e *colExpr) eval(_ *Ctx, row []types.Datum) (types.Datum, error) { return row[e.i], nil }
func (e *colExpr) typ() types.Type                                     { return e.t }

type arithExpr struct {
	op   types.ArithOp
	l, r expr
	t    types.Type
}

func (e *arithExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil {
		return a, err
	}
	b, err := e.r.eval(c, row)
	if err != nil {
		return b, err
	}
	d, _, err := types.ArithEnv(e.op, e.l.typ(), a, e.r.typ(), b, c.Env)
	return d, err
}
func (e *arithExpr) typ() types.Type { return e.t }

type negExpr struct{ e expr }

func (e *negExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.e.eval(c, row)
	if err != nil {
		return a, err
	}
	return types.Neg(e.e.typ(), a)
}
func (e *negExpr) typ() types.Type { return e.e.typ() }

type cmpOp uint8

const (
	cmpEQ cmpOp = iota
	cmpNE
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

var cmpOps = map[string]cmpOp{"=": cmpEQ, "<>": cmpNE, "!=": cmpNE, "<": cmpLT, "<=": cmpLE, ">": cmpGT, ">=": cmpGE}

type cmpExpr struct {
	op   cmpOp
	l, r expr
	as   types.Type // comparison semantics (char(n) ignores trailing blanks)
}

func (e *cmpExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil || b.IsNull() {
		return types.Null, err
	}
	x := types.CompareAs(e.as, a, b)
	var v bool
	switch e.op {
	case cmpEQ:
		v = x == 0
	case cmpNE:
		v = x != 0
	case cmpLT:
		v = x < 0
	case cmpLE:
		v = x <= 0
	case cmpGT:
		v = x > 0
	case cmpGE:
		v = x >= 0
	}
	return types.NewBool(v), nil
}
func (e *cmpExpr) typ() types.Type { return types.Bool }

type boolExpr struct {
	op   ast.BoolOp
	args []expr
}

func (e *boolExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	switch e.op {
	case ast.Not:
		a, err := e.args[0].eval(c, row)
		if err != nil || a.IsNull() {
			return types.Null, err
		}
		return types.NewBool(!a.Bool()), nil
	case ast.And:
		null := false
		for _, x := range e.args {
			a, err := x.eval(c, row)
			if err != nil {
				return a, err
			}
			if a.IsNull() {
				null = true
			} else if !a.Bool() {
				return types.NewBool(false), nil
			}
		}
		if null {
			return types.Null, nil
		}
		return types.NewBool(true), nil
	default:
		null := false
		for _, x := range e.args {
			a, err := x.eval(c, row)
			if err != nil {
				return a, err
			}
			if a.IsNull() {
				null = true
			} else if a.Bool() {
				return types.NewBool(true), nil
			}
		}
		if null {
			return types.Null, nil
		}
		return types.NewBool(false), nil
	}
}
func (e *boolExpr) typ() types.Type { return types.Bool }

type nullTest struct {
	e   expr
	not bool
}

func (e *nullTest) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.e.eval(c, row)
	if err != nil {
		return a, err
	}
	return types.NewBool(a.IsNull() != e.not), nil
}
func (e *nullTest) typ() types.Type { return types.Bool }

type castExpr struct {
	e   expr
	to  types.Type
	ctx types.CoercionContext
}

func (e *castExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.e.eval(c, row)
	if err != nil {
		return a, err
	}
	return types.Cast(a, e.e.typ(), e.to, e.ctx, c.Env)
}
func (e *castExpr) typ() types.Type { return e.to }

// regclassExpr resolves a table name to its OID (text::regclass).
type regclassExpr struct{ e expr }

func (e *regclassExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.e.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	if a.K == types.KindInt {
		return a, nil
	}
	name := strings.TrimSpace(a.S)
	if n, err := strconv.ParseInt(name, 10, 64); err == nil {
		return types.NewInt(n), nil
	}
	name = strings.TrimPrefix(name, "public.")
	if len(name) > 1 && name[0] == '"' && name[len(name)-1] == '"' {
		name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
	} else {
		name = strings.ToLower(name)
	}
	if t, ok := c.Cat.Table(name); ok {
		return types.NewInt(int64(t.OID)), nil
	}
	if v, ok := pgcatalog.Lookup("", name); ok {
		return types.NewInt(int64(v.OID)), nil
	}
	return types.Null, errf(CodeUndefinedTable, "relation %q does not exist", a.S)
}
func (e *regclassExpr) typ() types.Type { return types.Type{OID: types.OIDOid, Typmod: -1} }

// nowExpr is now() / CURRENT_TIMESTAMP: the transaction's start time.
type nowExpr struct{ t types.Type }

func (e *nowExpr) eval(c *Ctx, _ []types.Datum) (types.Datum, error) {
	us := types.TimeToPGMicros(c.Env.Now)
	if e.t.OID == types.OIDTimestamp {
		local, err := types.TimestamptzToTimestamp(us, c.Env.Location)
		return types.NewTimestamp(local), err
	}
	if e.t.OID == types.OIDDate {
		local, err := types.TimestamptzToTimestamp(us, c.Env.Location)
		if err != nil {
			return types.Null, err
		}
		d := local / 86400000000
		if local < 0 && local%86400000000 != 0 {
			d--
		}
		return types.NewDate(int32(d)), nil
	}
	return types.NewTimestamptz(us), nil
}
func (e *nowExpr) typ() types.Type { return e.t }

// textFuncExpr is a function returning text computed from the session.
type textFuncExpr struct {
	fn func(c *Ctx) types.Datum
}

func (e *textFuncExpr) eval(c *Ctx, _ []types.Datum) (types.Datum, error) { return e.fn(c), nil }
func (e *textFuncExpr) typ() types.Type                                   { return types.Text }

// coalesceExpr is COALESCE(a, b, ...).
type coalesceExpr struct {
	args []expr
	t    types.Type
}

func (e *coalesceExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	for _, a := range e.args {
		d, err := a.eval(c, row)
		if err != nil || !d.IsNull() {
			return d, err
		}
	}
	return types.Null, nil
}
func (e *coalesceExpr) typ() types.Type { return e.t }

// inExpr is x IN (a, b, ...).
type inExpr struct {
	x    expr
	list []expr
	not  bool
}

func (e *inExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	x, err := e.x.eval(c, row)
	if err != nil || x.IsNull() {
		return types.Null, err
	}
	null := false
	for _, a := range e.list {
		d, err := a.eval(c, row)
		if err != nil {
			return d, err
		}
		if d.IsNull() {
			null = true
			continue
		}
		if types.CompareAs(e.x.typ(), x, d) == 0 {
			return types.NewBool(!e.not), nil
		}
	}
	if null {
		return types.Null, nil
	}
	return types.NewBool(e.not), nil
}
func (e *inExpr) typ() types.Type { return types.Bool }

// aggRef reads the result of aggregate i (in the aggregation output row).
type aggRef struct {
	i int
	t types.Type
}

func (e *aggRef) eval(_ *Ctx, row []types.Datum) (types.Datum, error) { return row[e.i], nil }
func (e *aggRef) typ() types.Type                                     { return e.t }

// truthy evaluates a predicate: NULL counts as false.
func truthy(c *Ctx, e expr, row []types.Datum) (bool, error) {
	d, err := e.eval(c, row)
	if err != nil || d.IsNull() {
		return false, err
	}
	return d.Bool(), nil
}
