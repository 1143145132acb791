package exec

import (
	"strings"

	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// Set-returning functions. One table (srfFuncs) serves both places a
// set-returning function may appear: FROM (srfScanNode, from.go's funcRef)
// and the select list (projectSetNode, projectset.go). A function plans its
// compiled arguments (coercing them to the chosen signature, naming its
// output columns) and then generates rows for one set of argument values.

// srfOut is one output column of a set-returning function.
type srfOut struct {
	name string
	typ  types.Type
}

// srfFunc is a set-returning function.
type srfFunc struct {
	// plan resolves the signature: the (coerced) arguments and the output
	// columns.
	plan func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error)
	// gen emits the rows for one set of argument values (each row has one
	// datum per output column); it stops when emit returns an error.
	gen func(c *Ctx, args []types.Datum, emit func([]types.Datum) error) error
	// lenient functions see NULL arguments; the others return no rows for
	// a NULL argument (PostgreSQL's strict functions).
	lenient bool
}

// srfFuncs are the set-returning functions, by name.
var srfFuncs = map[string]*srfFunc{
	"generate_series":           {plan: planSeries, gen: genSeries},
	"generate_subscripts":       {plan: planSubscripts, gen: genSubscripts},
	"unnest":                    {plan: planUnnest, gen: genUnnest},
	"regexp_matches":            {plan: planRegexpMatches, gen: genRegexpMatches},
	"string_to_table":           {plan: planStringToTable, gen: genStringToTable, lenient: true},
	"regexp_split_to_table":     {plan: planRegexpSplit, gen: genRegexpSplit},
	"jsonb_array_elements":      {plan: planJSONB(srfOut{"value", types.JSONB}), gen: genJSONBElements(false)},
	"jsonb_array_elements_text": {plan: planJSONB(srfOut{"value", types.Text}), gen: genJSONBElements(true)},
	"jsonb_each":                {plan: planJSONB(srfOut{"key", types.Text}, srfOut{"value", types.JSONB}), gen: genJSONBEach("jsonb_each", false)},
	"jsonb_each_text":           {plan: planJSONB(srfOut{"key", types.Text}, srfOut{"value", types.Text}), gen: genJSONBEach("jsonb_each_text", true)},
	"jsonb_object_keys":         {plan: planJSONB(srfOut{"jsonb_object_keys", types.Text}), gen: genJSONBKeys},
	"json_array_elements":       {plan: planJSONText(srfOut{"value", types.JSONType}), gen: genJSONTextElements("json_array_elements", false)}, // jsontext.go
	"json_array_elements_text":  {plan: planJSONText(srfOut{"value", types.Text}), gen: genJSONTextElements("json_array_elements_text", true)},
	"json_each":                 {plan: planJSONText(srfOut{"key", types.Text}, srfOut{"value", types.JSONType}), gen: genJSONTextEach("json_each", false, false)},
	"json_each_text":            {plan: planJSONText(srfOut{"key", types.Text}, srfOut{"value", types.Text}), gen: genJSONTextEach("json_each_text", true, false)},
	"json_object_keys":          {plan: planJSONText(srfOut{"json_object_keys", types.Text}), gen: genJSONTextEach("json_object_keys", false, true)},
	"pg_partition_ancestors":    {plan: planPartition(srfOut{"relid", regclassType}), gen: genNoRows},
	"pg_partition_tree": {plan: planPartition(srfOut{"relid", regclassType}, srfOut{"parentrelid", regclassType},
		srfOut{"isleaf", types.Bool}, srfOut{"level", types.Int4}), gen: genNoRows},
}

// regclassType is regclass (integer Datums holding the OID).
var regclassType = types.Type{OID: OIDRegclass, Typmod: -1}

// lookupSRF finds a set-returning function by (optionally pg_catalog-
// qualified) name.
func lookupSRF(schema, name string) (*srfFunc, bool) {
	if schema != "" && schema != "pg_catalog" {
		return nil, false
	}
	f, ok := srfFuncs[name]
	return f, ok
}

// noSuchFunction is 42883 for a call with these argument types.
func noSuchFunction(name string, args []expr) error {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = a.typ().String()
	}
	return errf(types.CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", "))
}

// coerceSRFArgs coerces args to ts (implicit casts); 42883 when one cannot be.
func (cp *compiler) coerceSRFArgs(name string, args []expr, ts ...types.Type) ([]expr, error) {
	if len(args) != len(ts) {
		return nil, noSuchFunction(name, args)
	}
	out := make([]expr, len(args))
	for i, a := range args {
		e, err := cp.coerce(a, ts[i], types.CoerceImplicit)
		if err != nil {
			return nil, noSuchFunction(name, args)
		}
		out[i] = e
	}
	return out, nil
}

// planSeries resolves generate_series: integers (int4, int8), numeric, and
// timestamp/timestamptz (date arguments become timestamptz) with an
// interval step, as PostgreSQL's overloads.
func planSeries(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, nil, noSuchFunction(name, args)
	}
	fam := map[types.OID]int{}
	for _, a := range args {
		fam[a.typ().OID]++
	}
	var t types.Type
	switch {
	case len(args) == 3 && (args[2].typ().OID == types.OIDInterval ||
		(isUnknown(args[2]) && fam[types.OIDTimestamp]+fam[types.OIDTimestamptz]+fam[types.OIDDate] > 0)):
		switch {
		case fam[types.OIDTimestamp] > 0 && fam[types.OIDTimestamptz] == 0 && fam[types.OIDDate] == 0:
			t = types.Timestamp
		default: // timestamptz, date and unknown arguments
			t = types.Timestamptz
		}
		a, err := cp.coerceSRFArgs(name, args, t, t, types.Interval_)
		if err != nil {
			return nil, nil, err
		}
		return a, []srfOut{{name, t}}, nil
	case fam[types.OIDNumeric] > 0:
		t = types.Numeric_
	case fam[types.OIDInt8] > 0:
		t = types.Int8
	case fam[types.OIDInt4]+fam[types.OIDInt2]+fam[types.OIDUnknown] == len(args):
		t = types.Int4
	case fam[types.OIDFloat8]+fam[types.OIDFloat4] > 0:
		t = types.Numeric_ // float arguments take the numeric overload
	default:
		return nil, nil, noSuchFunction(name, args)
	}
	ts := []types.Type{t, t, t}[:len(args)]
	a, err := cp.coerceSRFArgs(name, args, ts...)
	if err != nil {
		return nil, nil, err
	}
	return a, []srfOut{{name, t}}, nil
}

func genSeries(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	switch a[0].K {
	case types.KindInt:
		step := int64(1)
		if len(a) > 2 {
			step = a[2].I
		}
		if step == 0 {
			return errf(CodeInvalidParameterValue, "step size cannot equal zero")
		}
		for x := a[0].I; (step > 0 && x <= a[1].I) || (step < 0 && x >= a[1].I); x += step {
			if err := c.Ctx.Err(); err != nil {
				return err
			}
			if err := emit([]types.Datum{types.NewInt(x)}); err != nil {
				return err
			}
			if (step > 0 && x > maxInt64-step) || (step < 0 && x < minInt64-step) {
				break
			}
		}
		return nil
	case types.KindNumeric:
		return genSeriesNumeric(c, a, emit)
	}
	return genSeriesTime(c, a, emit)
}

const (
	maxInt64 = int64(^uint64(0) >> 1)
	minInt64 = -maxInt64 - 1
)

func genSeriesNumeric(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	step := types.NewNumeric(types.NumericFromInt64(1))
	if len(a) > 2 {
		step = a[2]
	}
	for _, d := range a {
		if d.N != nil && d.N.IsNaN() {
			return errf(CodeInvalidParameterValue, "%s value cannot be NaN", [3]string{"start", "stop", "step size"}[indexOf(a, d)])
		}
	}
	zero := types.NewNumeric(types.NumericFromInt64(0))
	dir := types.Compare(step, zero)
	if dir == 0 {
		return errf(CodeInvalidParameterValue, "step size cannot equal zero")
	}
	for x := a[0]; ; {
		if cmp := types.Compare(x, a[1]); (dir > 0 && cmp > 0) || (dir < 0 && cmp < 0) {
			return nil
		}
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit([]types.Datum{x}); err != nil {
			return err
		}
		next, _, err := types.Arith(types.OpAdd, types.Numeric_, x, types.Numeric_, step)
		if err != nil {
			return err
		}
		x = next
	}
}

// indexOf is the position of d among a (for error messages).
func indexOf(a []types.Datum, d types.Datum) int {
	for i := range a {
		if a[i].N == d.N {
			return i
		}
	}
	return 0
}

func genSeriesTime(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	t := types.Timestamptz
	if a[0].K == types.KindTimestamp {
		t = types.Timestamp
	}
	step := a[2]
	zero := types.NewInterval(types.Interval{})
	dir := types.Compare(step, zero)
	if dir == 0 {
		return errf(CodeInvalidParameterValue, "step size cannot equal zero")
	}
	for x := a[0]; ; {
		if cmp := types.Compare(x, a[1]); (dir > 0 && cmp > 0) || (dir < 0 && cmp < 0) {
			return nil
		}
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit([]types.Datum{x}); err != nil {
			return err
		}
		next, _, err := types.ArithEnv(types.OpAdd, t, x, types.Interval_, step, c.Env)
		if err != nil {
			return err
		}
		if types.Compare(next, x) == 0 {
			return nil // an infinite bound: no progress
		}
		x = next
	}
}

// planUnnest resolves unnest(anyarray): one column of the element type.
func planUnnest(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	if len(args) != 1 {
		return nil, nil, noSuchFunction(name, args)
	}
	if isUnknown(args[0]) {
		return nil, nil, errf(types.CodeAmbiguousFunction, "function unnest(unknown) is not unique")
	}
	et, ok := args[0].typ().ElemType()
	if !ok {
		return nil, nil, noSuchFunction(name, args)
	}
	return args, []srfOut{{name, et}}, nil
}

func genUnnest(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	if a[0].A == nil {
		return nil
	}
	for _, v := range a[0].A.Elems {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit([]types.Datum{v}); err != nil {
			return err
		}
	}
	return nil
}

// planSubscripts resolves generate_subscripts(anyarray, int[, bool]).
func planSubscripts(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	if len(args) < 2 || len(args) > 3 || isUnknown(args[0]) {
		return nil, nil, noSuchFunction(name, args)
	}
	if _, ok := args[0].typ().ElemType(); !ok {
		return nil, nil, noSuchFunction(name, args)
	}
	ts := []types.Type{args[0].typ(), types.Int4, types.Bool}[:len(args)]
	a, err := cp.coerceSRFArgs(name, args, ts...)
	if err != nil {
		return nil, nil, err
	}
	return a, []srfOut{{name, types.Int4}}, nil
}

func genSubscripts(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	arr, dim := a[0].A, a[1].I
	if arr == nil || dim < 1 || dim > int64(len(arr.Dims)) {
		return nil
	}
	lo := int64(1)
	if int(dim-1) < len(arr.LBounds) {
		lo = int64(arr.LBounds[dim-1])
	}
	hi := lo + int64(arr.Dims[dim-1]) - 1
	rev := len(a) > 2 && a[2].I != 0
	for k := int64(0); k <= hi-lo; k++ {
		v := lo + k
		if rev {
			v = hi - k
		}
		if err := emit([]types.Datum{types.NewInt(v)}); err != nil {
			return err
		}
	}
	return nil
}

// planRegexpMatches resolves regexp_matches(text, text[, text]) → text[].
func planRegexpMatches(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, nil, noSuchFunction(name, args)
	}
	a, err := cp.coerceSRFArgs(name, args, []types.Type{types.Text, types.Text, types.Text}[:len(args)]...)
	if err != nil {
		return nil, nil, err
	}
	at, err := types.ArrayOf(types.Text)
	if err != nil {
		return nil, nil, err
	}
	return a, []srfOut{{name, at}}, nil
}

func genRegexpMatches(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	flags := ""
	if len(a) > 2 {
		flags = a[2].S
	}
	re, global, err := funcs.CompileRegex(a[1].S, flags)
	if err != nil {
		return err
	}
	n := 1
	if global {
		n = -1
	}
	for _, m := range re.FindAllStringSubmatchIndex(a[0].S, n) {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		if err := emit([]types.Datum{funcs.MatchArray(a[0].S, m)}); err != nil {
			return err
		}
	}
	return nil
}

// planRegexpSplit resolves regexp_split_to_table(text, text[, text]).
func planRegexpSplit(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	a, outs, err := planStringToTable(cp, name, args)
	return a, outs, err
}

// genRegexpSplit emits the elements regexp_split_to_array returns (the
// funcs registry's), one per row.
func genRegexpSplit(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	if c.DB == nil || c.DB.Funcs == nil {
		return unsupported("regexp_split_to_table is not available")
	}
	in := []types.Type{types.Text, types.Text, types.Text}[:len(a)]
	f, _, err := c.DB.Funcs.Resolve("regexp_split_to_array", in)
	if err != nil {
		return err
	}
	if len(a) > 2 && strings.ContainsRune(a[2].S, 'g') {
		return errf(CodeInvalidParameterValue, "regexp_split_to_table() does not support the \"global\" option")
	}
	arr, err := f.Eval(c.funcContext(), a, in)
	if err != nil || arr.A == nil {
		return err
	}
	for _, v := range arr.A.Elems {
		if err := emit([]types.Datum{v}); err != nil {
			return err
		}
	}
	return nil
}

// planStringToTable resolves string_to_table(text, text[, text]).
func planStringToTable(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, nil, noSuchFunction(name, args)
	}
	a, err := cp.coerceSRFArgs(name, args, []types.Type{types.Text, types.Text, types.Text}[:len(args)]...)
	if err != nil {
		return nil, nil, err
	}
	return a, []srfOut{{name, types.Text}}, nil
}

// genStringToTable splits as string_to_array does: a NULL delimiter
// splits into characters, an empty one yields the whole string, an empty
// string yields no rows; fields equal to the third argument are NULL.
func genStringToTable(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	if a[0].IsNull() || a[0].S == "" {
		return nil
	}
	s := a[0].S
	var parts []string
	switch {
	case a[1].IsNull():
		for _, ch := range s {
			parts = append(parts, string(ch))
		}
	case a[1].S == "":
		parts = []string{s}
	default:
		parts = strings.Split(s, a[1].S)
	}
	for _, p := range parts {
		d := types.NewString(p)
		if len(a) > 2 && !a[2].IsNull() && p == a[2].S {
			d = types.Null
		}
		if err := emit([]types.Datum{d}); err != nil {
			return err
		}
	}
	return nil
}

// planJSONB resolves a function of one jsonb argument with these outputs.
func planJSONB(outs ...srfOut) func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	return func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
		a, err := cp.coerceSRFArgs(name, args, types.JSONB)
		if err != nil {
			return nil, nil, err
		}
		o := append([]srfOut(nil), outs...)
		if len(o) == 1 && o[0].name == "jsonb_object_keys" {
			o[0].name = name
		}
		return a, o, nil
	}
}

// jsonbText is a jsonb value as the _text functions return it.
func jsonbText(j *types.JSON) types.Datum {
	s, ok := types.JSONText(j)
	if !ok {
		return types.Null
	}
	return types.NewString(s)
}

func genJSONBElements(text bool) func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	return func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
		j := a[0].J
		switch {
		case j == nil:
			return nil
		case j.Kind == types.JSONObject:
			return errf(CodeInvalidParameterValue, "cannot extract elements from an object")
		case j.Kind != types.JSONArray:
			return errf(CodeInvalidParameterValue, "cannot extract elements from a scalar")
		}
		for _, e := range j.Elems {
			d := types.NewJSON(e)
			if text {
				d = jsonbText(e)
			}
			if err := emit([]types.Datum{d}); err != nil {
				return err
			}
		}
		return nil
	}
}

func genJSONBEach(name string, text bool) func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	return func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
		j := a[0].J
		if j == nil {
			return nil
		}
		if j.Kind != types.JSONObject {
			return errf(CodeInvalidParameterValue, "cannot call %s on a non-object", name)
		}
		for k, key := range j.Keys {
			v := types.NewJSON(j.Vals[k])
			if text {
				v = jsonbText(j.Vals[k])
			}
			if err := emit([]types.Datum{types.NewString(key), v}); err != nil {
				return err
			}
		}
		return nil
	}
}

func genJSONBKeys(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	j := a[0].J
	switch {
	case j == nil:
		return nil
	case j.Kind == types.JSONArray:
		return errf(CodeInvalidParameterValue, "cannot call jsonb_object_keys on an array")
	case j.Kind != types.JSONObject:
		return errf(CodeInvalidParameterValue, "cannot call jsonb_object_keys on a scalar")
	}
	for _, key := range j.Keys {
		if err := emit([]types.Datum{types.NewString(key)}); err != nil {
			return err
		}
	}
	return nil
}

// planPartition resolves pg_partition_ancestors/pg_partition_tree
// (regclass): there is no partitioning, so they return no rows, as
// PostgreSQL does for a relation that is not part of a partition tree.
func planPartition(outs ...srfOut) func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	return func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
		a, err := cp.coerceSRFArgs(name, args, regclassType)
		if err != nil {
			return nil, nil, err
		}
		return a, append([]srfOut(nil), outs...), nil
	}
}

func genNoRows(*Ctx, []types.Datum, func([]types.Datum) error) error { return nil }

// srfCall is one planned call of a set-returning function.
type srfCall struct {
	f    *srfFunc
	name string
	args []expr
	outs []srfOut
}

// run evaluates the arguments over row and emits the function's rows.
func (s *srfCall) run(c *Ctx, row []types.Datum, emit func([]types.Datum) error) error {
	vals := make([]types.Datum, len(s.args))
	for i, a := range s.args {
		d, err := a.eval(c, row)
		if err != nil {
			return err
		}
		if d.IsNull() && !s.f.lenient {
			return nil
		}
		vals[i] = d
	}
	return s.f.gen(c, vals, emit)
}

// lockstep runs calls over row side by side, PostgreSQL's ROWS FROM and
// ProjectSet semantics: row k holds each call's k-th output, NULLs for a
// call that has finished, until every call has; fn receives the outputs of
// all calls concatenated. A single call streams; several are materialized.
func lockstep(c *Ctx, calls []*srfCall, row []types.Datum, fn func([]types.Datum) error) error {
	if len(calls) == 1 {
		return calls[0].run(c, row, fn)
	}
	width := 0
	outs := make([][][]types.Datum, len(calls))
	longest := 0
	for i, s := range calls {
		width += len(s.outs)
		if err := s.run(c, row, func(r []types.Datum) error {
			outs[i] = append(outs[i], r)
			return nil
		}); err != nil {
			return err
		}
		longest = max(longest, len(outs[i]))
	}
	for k := 0; k < longest; k++ {
		r := make([]types.Datum, 0, width)
		for i, s := range calls {
			if k < len(outs[i]) {
				r = append(r, outs[i][k]...)
			} else {
				for range s.outs {
					r = append(r, types.Null)
				}
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// srfScanNode is a function in FROM: one or more set-returning calls
// (several for unnest(a, b, ...)) run in lockstep, optionally WITH
// ORDINALITY.
type srfScanNode struct {
	calls   []*srfCall
	ordinal bool
	cols    []column
}

func (n *srfScanNode) columns() []column { return n.cols }
func (n *srfScanNode) explain(e *explainer) {
	e.line("Function Scan on %s", n.calls[0].name)
}
func (n *srfScanNode) run(c *Ctx, emit func([]types.Datum) error) error {
	k := int64(0)
	return lockstep(c, n.calls, nil, func(r []types.Datum) error {
		if n.ordinal {
			k++
			r = append(r, types.NewInt(k))
		}
		return emit(r)
	})
}
