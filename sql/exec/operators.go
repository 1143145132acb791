package exec

import (
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// operator compiles the binary operators beyond comparison and arithmetic:
// || (types.Concat), ^ (power), the pattern operators (~ ~* !~ !~* and
// LIKE's ~~ family), jsonb's -> ->> #> #>> ? ?| ?& and @> <@ (jsonb and
// arrays), and && on arrays.
func (cp *compiler) operator(op string, l, r expr) (expr, error) {
	switch op {
	case "||":
		lt, rt := l.typ(), r.typ()
		t, err := types.ConcatResultType(lt, rt)
		if err != nil {
			return nil, err
		}
		// Fix the type of an unknown operand now (a parameter left unknown
		// would be typed text later): the array, jsonb or bytea type of
		// the result, else text.
		for _, e := range []*expr{&l, &r} {
			if !isUnknown(*e) {
				continue
			}
			to := types.Text
			if t.IsArray() || t.OID == types.OIDJSONB || t.OID == types.OIDBytea {
				to = t
			}
			if *e, err = cp.coerce(*e, to, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		return &concatExpr{l: l, r: r, t: t}, nil
	case "^":
		if cp.funcs != nil {
			if isUnknown(l) && isUnknown(r) { // float8 ^ float8: the numeric category's preferred type
				var err error
				if l, err = cp.coerce(l, types.Float8, types.CoerceImplicit); err != nil {
					return nil, err
				}
			}
			e, err := cp.registryFunc("power", []expr{l, r})
			if err == nil && e != nil {
				return e, nil
			}
		}
	case "~", "~*", "!~", "!~*":
		return cp.regexOp(op, l, r)
	case "~~", "!~~", "~~*", "!~~*":
		return cp.likeExprs(l, r, nil, op[0] == '!', op == "~~*" || op == "!~~*")
	case "->", "->>", "#>", "#>>", "?", "?|", "?&":
		return cp.jsonOp(op, l, r)
	case "@>", "<@", "&&":
		return cp.containsOp(op, l, r)
	case "&", "|", "#", "<<", ">>":
		return cp.bitOp(op, l, r) // bitops.go
	case "^@": // starts_with
		if cp.funcs != nil {
			if isUnknown(l) && isUnknown(r) {
				var err error
				if l, err = cp.coerce(l, types.Text, types.CoerceImplicit); err != nil {
					return nil, err
				}
			}
			if e, err := cp.registryFunc("starts_with", []expr{l, r}); err == nil && e != nil {
				return e, nil
			}
		}
	case "#-":
		if l.typ().OID == types.OIDJSONB && cp.funcs != nil {
			return cp.jsonFunc("jsonb_delete_path", l, r, types.Type{OID: types.OIDTextArray, Typmod: -1})
		}
	}
	return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.typ(), op, r.typ())
}

// concatExpr is a || b.
type concatExpr struct {
	l, r expr
	t    types.Type
}

func (e *concatExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	d, _, err := types.Concat(e.l.typ(), a, e.r.typ(), b, c.Env)
	return d, err
}
func (e *concatExpr) typ() types.Type { return e.t }

// unaryMore compiles the prefix operators other than + and -: @ (absolute
// value) and ~ (bitwise not of integers).
func (cp *compiler) unaryMore(op string, r expr) (expr, error) {
	switch op {
	case "@":
		if cp.funcs != nil {
			if e, err := cp.registryFunc("abs", []expr{r}); err == nil && e != nil {
				return e, nil
			}
		}
	case "~":
		if isUnknown(r) { // int2, int4, int8, bit, inet: PostgreSQL cannot choose
			return nil, errf(types.CodeAmbiguousFunction, "operator is not unique: ~ unknown")
		}
		if r.typ().IsInt() {
			return &bitNotExpr{e: r}, nil
		}
	}
	return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s", op, r.typ())
}

type bitNotExpr struct{ e expr }

func (e *bitNotExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return types.Null, err
	}
	return types.NewInt(^d.I), nil
}
func (e *bitNotExpr) typ() types.Type { return e.e.typ() }

// jsonOp compiles the jsonb operators.
func (cp *compiler) jsonOp(op string, l, r expr) (expr, error) {
	var err error
	if isUnknown(l) {
		if l, err = cp.coerce(l, types.JSONB, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	if l.typ().OID != types.OIDJSONB && !(l.typ().OID == types.OIDJSON && jsonTextOps[op]) { // json: jsontext.go
		return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.typ(), op, r.typ())
	}
	textArr, _ := types.ArrayOf(types.Text)
	var want types.Type
	switch op {
	case "->", "->>":
		if r.typ().IsInt() {
			want = types.Int4 // jsonb -> int4 only: an int8 operand has no operator (42883)
			if r.typ().OID == types.OIDInt8 {
				return nil, errf(types.CodeUndefinedFunction, "operator does not exist: jsonb %s bigint", op)
			}
		} else {
			want = types.Text
		}
	case "?":
		want = types.Text
	default:
		want = textArr
	}
	if isUnknown(r) || (want.OID == types.OIDText && r.typ().IsString()) {
		if r, err = cp.coerce(r, want, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	rt := r.typ()
	if rt.OID != want.OID && !(want.IsInt() && rt.IsInt()) {
		return nil, errf(types.CodeUndefinedFunction, "operator does not exist: jsonb %s %s", op, rt)
	}
	t := types.JSONB
	if l.typ().OID == types.OIDJSON {
		t = types.JSONType
	}
	switch op {
	case "->>", "#>>":
		t = types.Text
	case "?", "?|", "?&":
		t = types.Bool
	}
	return &jsonOpExpr{op: op, l: l, r: r, t: t}, nil
}

type jsonOpExpr struct {
	op   string
	l, r expr
	t    types.Type
}

func textElems(a *types.Array) []string {
	out := make([]string, 0, len(a.Elems))
	for _, e := range a.Elems {
		if !e.IsNull() {
			out = append(out, e.S)
		}
	}
	return out
}

func (e *jsonOpExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil || b.IsNull() {
		return types.Null, err
	}
	if e.l.typ().OID == types.OIDJSON {
		return jsonTextOp(e.op, a.S, b, e.r.typ().IsInt())
	}
	j := a.J
	asText := func(s string, ok bool) types.Datum {
		if !ok {
			return types.Null
		}
		return types.NewString(s)
	}
	asJSON := func(v *types.JSON) types.Datum {
		if v == nil {
			return types.Null
		}
		return types.NewJSON(v)
	}
	isInt := e.r.typ().IsInt()
	switch e.op {
	case "->":
		if isInt {
			return asJSON(types.JSONElem(j, b.I)), nil
		}
		return asJSON(types.JSONField(j, b.S)), nil
	case "->>":
		if isInt {
			return asText(types.JSONElemText(j, b.I)), nil
		}
		return asText(types.JSONFieldText(j, b.S)), nil
	case "?":
		return types.NewBool(types.JSONHasKey(j, b.S)), nil
	}
	if b.A == nil {
		return types.Null, nil
	}
	switch e.op {
	case "#>":
		if hasNullElem(b.A) {
			return types.Null, nil
		}
		return asJSON(types.JSONPath(j, textElems(b.A))), nil
	case "#>>":
		if hasNullElem(b.A) {
			return types.Null, nil
		}
		return asText(types.JSONPathText(j, textElems(b.A))), nil
	case "?|":
		return types.NewBool(types.JSONHasAny(j, textElems(b.A))), nil
	default:
		return types.NewBool(types.JSONHasAll(j, textElems(b.A))), nil
	}
}
func (e *jsonOpExpr) typ() types.Type { return e.t }

func hasNullElem(a *types.Array) bool {
	for _, e := range a.Elems {
		if e.IsNull() {
			return true
		}
	}
	return false
}

// containsOp compiles @> and <@ (jsonb or arrays) and && (arrays).
func (cp *compiler) containsOp(op string, l, r expr) (expr, error) {
	var err error
	switch {
	case isUnknown(l) && isUnknown(r):
		return nil, errf(types.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", op)
	case isUnknown(l):
		l, err = cp.coerce(l, r.typ(), types.CoerceImplicit)
	case isUnknown(r):
		r, err = cp.coerce(r, l.typ(), types.CoerceImplicit)
	}
	if err != nil {
		return nil, err
	}
	lt, rt := l.typ(), r.typ()
	if lt.OID == types.OIDJSONB && rt.OID == types.OIDJSONB && op != "&&" {
		return &containsExpr{op: op, l: l, r: r}, nil
	}
	le, lok := lt.ElemType()
	re, rok := rt.ElemType()
	if lok && rok {
		if le.OID != re.OID {
			// anyarray operators need one element type: cast the narrower.
			ct, err := exprCommonType([]expr{&constExpr{t: le}, &constExpr{t: re}}, "ARRAY")
			if err != nil {
				return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt)
			}
			at, _ := types.ArrayOf(ct)
			if l, err = cp.coerce(l, at, types.CoerceImplicit); err != nil {
				return nil, err
			}
			if r, err = cp.coerce(r, at, types.CoerceImplicit); err != nil {
				return nil, err
			}
			le = ct
		}
		return &containsExpr{op: op, l: l, r: r, elem: le, array: true}, nil
	}
	return nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt)
}

type containsExpr struct {
	op    string
	l, r  expr
	elem  types.Type
	array bool
}

func (e *containsExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil || b.IsNull() {
		return types.Null, err
	}
	if e.op == "<@" {
		a, b = b, a
	}
	if !e.array {
		return types.NewBool(types.JSONContains(a.J, b.J)), nil
	}
	if e.op == "&&" {
		return types.NewBool(arrayOverlaps(e.elem, a.A, b.A)), nil
	}
	return types.NewBool(arrayContains(e.elem, a.A, b.A)), nil
}
func (e *containsExpr) typ() types.Type { return types.Bool }

// arrayContains is PostgreSQL's arraycontains: every non-NULL... element of
// b equals some element of a; a NULL element never matches.
func arrayContains(elem types.Type, a, b *types.Array) bool {
	for _, y := range b.Elems {
		if y.IsNull() {
			return false
		}
		found := false
		for _, x := range a.Elems {
			if !x.IsNull() && types.CompareAs(elem, x, y) == 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// arrayOverlaps is &&: some non-NULL element is in both arrays.
func arrayOverlaps(elem types.Type, a, b *types.Array) bool {
	for _, y := range b.Elems {
		if y.IsNull() {
			continue
		}
		for _, x := range a.Elems {
			if !x.IsNull() && types.CompareAs(elem, x, y) == 0 {
				return true
			}
		}
	}
	return false
}

// anyAll compiles "x op ANY|ALL (array)": op applied to x and every
// element, combined with three-valued OR (ANY) or AND (ALL).
func (cp *compiler) anyAll(x *ast.AnyAll, sc *scope) (expr, error) {
	l, err := cp.expr(x.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := cp.expr(x.Right, sc)
	if err != nil {
		return nil, err
	}
	if isUnknown(r) {
		lt := l.typ()
		if isUnknown(l) {
			lt = types.Text
			if l, err = cp.coerce(l, lt, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		at, err := types.ArrayOf(lt)
		if err != nil {
			return nil, err
		}
		if r, err = cp.coerce(r, at, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	elem, ok := r.typ().ElemType()
	if !ok {
		return nil, errf(CodeWrongObjectType, "op ANY/ALL (array) requires array on right side")
	}
	if isUnknown(l) {
		if l, err = cp.coerce(l, elem, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	// The element comparison compiles over a two-column row (x, element).
	op, err := cp.binaryOp(x.Op, &colExpr{i: 0, t: l.typ()}, &colExpr{i: 1, t: elem})
	if err != nil {
		return nil, err
	}
	if op.typ().OID != types.OIDBool {
		return nil, errf(types.CodeDatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean")
	}
	return &anyAllExpr{l: l, r: r, op: op, all: x.All}, nil
}

type anyAllExpr struct {
	l, r, op expr
	all      bool
}

func (e *anyAllExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil {
		return types.Null, err
	}
	b, err := e.r.eval(c, row)
	if err != nil || b.IsNull() {
		return types.Null, err
	}
	null := false
	pair := make([]types.Datum, 2)
	for _, el := range b.A.Elems {
		pair[0], pair[1] = a, el
		d, err := e.op.eval(c, pair)
		if err != nil {
			return types.Null, err
		}
		switch {
		case d.IsNull():
			null = true
		case d.Bool() != e.all:
			return types.NewBool(!e.all), nil
		}
	}
	if null {
		return types.Null, nil
	}
	return types.NewBool(e.all), nil
}
func (e *anyAllExpr) typ() types.Type { return types.Bool }

// arrayCtor compiles ARRAY[e1, e2, ...] (elements of a common type; nested
// ARRAY[...] or array-typed elements build a multi-dimensional array).
func (cp *compiler) arrayCtor(x *ast.ArrayExpr, sc *scope) (expr, error) {
	elems := make([]expr, len(x.Elems))
	for i, a := range x.Elems {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		elems[i] = e
	}
	if len(elems) == 0 {
		return nil, errf(CodeIndeterminateDatatype, "cannot determine type of empty array")
	}
	t, err := exprCommonType(elems, "ARRAY")
	if err != nil {
		return nil, err
	}
	if err := cp.coerceAll(elems, t, "ARRAY"); err != nil {
		return nil, err
	}
	if t.IsArray() {
		return &arrayCtorExpr{elems: elems, t: t, nested: true}, nil
	}
	at, err := types.ArrayOf(t)
	if err != nil {
		return nil, err
	}
	return &arrayCtorExpr{elems: elems, t: at}, nil
}

type arrayCtorExpr struct {
	elems  []expr
	t      types.Type
	nested bool
}

func (e *arrayCtorExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	vals := make([]types.Datum, len(e.elems))
	for i, x := range e.elems {
		d, err := x.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		vals[i] = d
	}
	if !e.nested {
		return types.NewArray(types.MakeArray(vals)), nil
	}
	subs := make([]*types.Array, 0, len(vals))
	for _, v := range vals {
		if v.IsNull() {
			return types.Null, errf(CodeArraySubscript, "multidimensional arrays must have array expressions with matching dimensions")
		}
		subs = append(subs, v.A)
	}
	a, err := types.MakeArrayOfArrays(subs)
	if err != nil {
		return types.Null, err
	}
	return types.NewArray(a), nil
}
func (e *arrayCtorExpr) typ() types.Type { return e.t }

// subscript compiles a[i], a[i][j] and a[lo:hi].
func (cp *compiler) subscript(x *ast.Subscript, sc *scope) (expr, error) {
	a, err := cp.expr(x.Expr, sc)
	if err != nil {
		return nil, err
	}
	if isUnknown(a) {
		return nil, errf(types.CodeDatatypeMismatch, "cannot subscript type unknown because it does not support subscripting")
	}
	elem, ok := a.typ().ElemType()
	if !ok {
		return nil, errf(types.CodeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", a.typ())
	}
	if len(x.Indices) > types.MaxArrayDims {
		return nil, errf(CodeProgramLimit, "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(x.Indices), types.MaxArrayDims)
	}
	out := &subscriptExpr{a: a, t: elem}
	index := func(n ast.Expr) (expr, error) {
		if n == nil {
			return nil, nil
		}
		e, err := cp.expr(n, sc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) || e.typ().IsInt() || e.typ().OID == types.OIDNumeric || e.typ().OID == types.OIDFloat8 || e.typ().OID == types.OIDFloat4 {
			return cp.coerce(e, types.Int4, types.CoerceAssignment)
		}
		return nil, errf(types.CodeDatatypeMismatch, "array subscript must have type integer")
	}
	for _, ix := range x.Indices {
		if ix.Slice {
			out.slice = true
		}
	}
	if out.slice {
		if len(x.Indices) != 1 {
			return nil, unsupported("slices of multidimensional arrays are not supported")
		}
		out.t = a.typ()
	}
	for _, ix := range x.Indices {
		lo, err := index(ix.Lower)
		if err != nil {
			return nil, err
		}
		hi, err := index(ix.Upper)
		if err != nil {
			return nil, err
		}
		out.lo, out.hi = append(out.lo, lo), append(out.hi, hi)
	}
	return out, nil
}

type subscriptExpr struct {
	a      expr
	lo, hi []expr // per dimension; lo only for slices
	slice  bool
	t      types.Type
}

func (e *subscriptExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.a.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	bound := func(x expr) (*int64, bool, error) {
		if x == nil {
			return nil, true, nil
		}
		d, err := x.eval(c, row)
		if err != nil || d.IsNull() {
			return nil, false, err
		}
		v := d.I
		return &v, true, nil
	}
	if e.slice {
		lo, ok1, err := bound(e.lo[0])
		if err != nil {
			return types.Null, err
		}
		hi, ok2, err := bound(e.hi[0])
		if err != nil || !ok1 || !ok2 {
			return types.Null, err
		}
		s, err := types.ArraySlice(a.A, lo, hi)
		if err != nil {
			return types.Null, err
		}
		return types.NewArray(s), nil
	}
	idx := make([]int64, len(e.hi))
	for i, x := range e.hi {
		v, ok, err := bound(x)
		if err != nil || !ok {
			return types.Null, err
		}
		idx[i] = *v
	}
	return types.ArraySubscript(a.A, idx), nil
}
func (e *subscriptExpr) typ() types.Type { return e.t }

// jsonDelete compiles jsonb - text, jsonb - text[] and jsonb - int (an
// unknown right operand is text, as PostgreSQL resolves it).
func (cp *compiler) jsonDelete(l, r expr) (expr, error) {
	to := r.typ()
	if isUnknown(r) {
		to = types.Text
	}
	return cp.jsonFunc("jsonb_delete", l, r, to)
}

// jsonFunc compiles the jsonb operator implemented by function name, its
// right operand coerced to type to when it is unknown.
func (cp *compiler) jsonFunc(name string, l, r expr, to types.Type) (expr, error) {
	var err error
	if isUnknown(r) {
		if r, err = cp.coerce(r, to, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	e, err := cp.registryFunc(name, []expr{l, r})
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, errf(types.CodeUndefinedFunction, "operator does not exist: jsonb %s %s", map[bool]string{true: "#-", false: "-"}[name == "jsonb_delete_path"], r.typ())
	}
	return e, nil
}
