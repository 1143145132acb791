package exec

import (
	"sort"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// Window functions. A query's window function calls compile (in its
// select-list scope) into winFuncs of one windowing; a windowNode between
// the aggregation (or the WHERE filter) and the select-list projection
// materializes its input, sorts it by each window's PARTITION BY and
// ORDER BY keys, computes every call per row and emits each input row
// followed by the calls' results (winRef reads them from the end of the
// row), in the order of the last window sorted.

// PostgreSQL's frame option bits (nodes/parsenodes.h FRAMEOPTION_*).
const (
	frameNonDefault   = 0x00001
	frameRange        = 0x00002
	frameRows         = 0x00004
	frameGroups       = 0x00008
	frameStartUnbPrec = 0x00020
	frameEndUnbFoll   = 0x00100
	frameStartCurrent = 0x00200
	frameEndCurrent   = 0x00400
	frameStartOffPrec = 0x00800
	frameEndOffPrec   = 0x01000
	frameStartOffFoll = 0x02000
	frameEndOffFoll   = 0x04000
	frameExclCurrent  = 0x08000
	frameExclGroup    = 0x10000
	frameExclTies     = 0x20000
	frameDefault      = frameRange | frameStartUnbPrec | frameEndCurrent
	frameOffsets      = frameStartOffPrec | frameEndOffPrec | frameStartOffFoll | frameEndOffFoll
	frameExclusions   = frameExclCurrent | frameExclGroup | frameExclTies
)

// windowing collects the window function calls of one SELECT.
type windowing struct {
	named []*ast.WindowDef // the WINDOW clause
	funcs []*winFunc
	specs []*winSpec
	busy  bool // compiling a call's arguments (nested calls are errors)
}

// newWindowing checks the WINDOW clause's names.
func newWindowing(named []*ast.WindowDef) (*windowing, error) {
	for i, w := range named {
		for _, o := range named[:i] {
			if o.Name == w.Name {
				return nil, errf(codeWindowing, "window %q is already defined", w.Name)
			}
		}
	}
	return &windowing{named: named}, nil
}

// winSpec is a resolved window: partitioning, ordering and frame.
type winSpec struct {
	def   *ast.WindowDef
	part  []expr
	order []aggOrder
	frame int32
	// start and end are the frame offsets (nil when not given): int8 for
	// ROWS and GROUPS, for RANGE of the type added to the ORDER BY value.
	start, end expr
}

// winFunc is one window function call.
type winFunc struct {
	name string
	spec *winSpec
	args []expr
	agg  *aggSpec // aggregates used as window functions
	t    types.Type
}

// winRef reads window call i's result from the end of a window node's
// output row.
type winRef struct {
	w *windowing
	i int
	t types.Type
}

func (e *winRef) eval(_ *Ctx, row []types.Datum) (types.Datum, error) {
	return row[len(row)-len(e.w.funcs)+e.i], nil
}
func (e *winRef) typ() types.Type { return e.t }

// resolve applies a window reference (OVER w, OVER (w ...)).
func (w *windowing) resolve(d *ast.WindowDef, depth int) (*ast.WindowDef, error) {
	if d.RefName == "" {
		return d, nil
	}
	if depth > len(w.named) {
		return nil, errf(codeWindowing, "window %q references itself", d.RefName)
	}
	var base *ast.WindowDef
	for _, n := range w.named {
		if n.Name == d.RefName {
			base = n
			break
		}
	}
	if base == nil {
		return nil, errf(CodeUndefinedObject, "window %q does not exist", d.RefName)
	}
	base, err := w.resolve(base, depth+1)
	if err != nil {
		return nil, err
	}
	if d.Exact {
		return base, nil
	}
	out := *d
	out.RefName = ""
	if len(d.PartitionBy) > 0 {
		return nil, errf(codeWindowing, "cannot override PARTITION BY clause of window %q", d.RefName)
	}
	out.PartitionBy = base.PartitionBy
	if len(base.OrderBy) > 0 {
		if len(d.OrderBy) > 0 {
			return nil, errf(codeWindowing, "cannot override ORDER BY clause of window %q", d.RefName)
		}
		out.OrderBy = base.OrderBy
	}
	if base.FrameOptions&frameNonDefault != 0 {
		return nil, errf(codeWindowing, "cannot copy window %q because it has a frame clause", d.RefName)
	}
	return &out, nil
}

// windowCall compiles a call with OVER in scope sc (the select list's).
func (cp *compiler) windowCall(f *ast.FuncCall, sc *scope) (expr, error) {
	w := sc.win
	switch {
	case sc.inAgg:
		return nil, errf(CodeGrouping, "aggregate function calls cannot contain window function calls")
	case w == nil && sc.noAggs != "":
		return nil, errf(codeWindowing, "window functions are not allowed in %s", sc.noAggs)
	case w == nil:
		return nil, errf(codeWindowing, "window functions are not allowed here")
	case w.busy:
		return nil, errf(codeWindowing, "window function calls cannot be nested")
	}
	w.busy = true
	defer func() { w.busy = false }()
	if f.Schema != "" {
		return nil, errf(types.CodeUndefinedFunction, "function %s.%s does not exist", f.Schema, f.Name)
	}
	def, err := w.resolve(f.Over, 0)
	if err != nil {
		return nil, err
	}
	spec, err := cp.winSpec(def, sc)
	if err != nil {
		return nil, err
	}
	wf := &winFunc{name: f.Name, spec: spec}
	nargs := map[string][2]int{"row_number": {0, 0}, "rank": {0, 0}, "dense_rank": {0, 0}, "percent_rank": {0, 0},
		"cume_dist": {0, 0}, "ntile": {1, 1}, "lag": {1, 3}, "lead": {1, 3}, "first_value": {1, 1},
		"last_value": {1, 1}, "nth_value": {2, 2}}
	n, pure := nargs[f.Name]
	if !pure {
		if !cp.isAggregate(f.Name) {
			return nil, errf(CodeWrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", f.Name)
		}
		if f.Distinct {
			return nil, unsupported("DISTINCT is not implemented for window functions")
		}
		if len(f.OrderBy) > 0 {
			return nil, unsupported("aggregate ORDER BY is not implemented for window functions")
		}
		args, _, filter, err := cp.aggParts(&ast.FuncCall{Args: f.Args, Filter: f.Filter}, sc)
		if err != nil {
			return nil, err
		}
		a, err := cp.aggSpecFor(f, args)
		if err != nil {
			return nil, err
		}
		a.filter = filter
		wf.agg, wf.t = a, a.t
		return w.add(wf), nil
	}
	switch {
	case f.Star:
		return nil, errf(CodeWrongObjectType, "%s(*) specified, but %s is not an aggregate function", f.Name, f.Name)
	case f.Distinct:
		return nil, errf(CodeWrongObjectType, "DISTINCT specified, but %s is not an aggregate function", f.Name)
	case len(f.OrderBy) > 0:
		return nil, errf(CodeWrongObjectType, "ORDER BY specified, but %s is not an aggregate function", f.Name)
	case f.Filter != nil:
		return nil, unsupported("FILTER is not implemented for non-aggregate window functions")
	case len(f.Args) > 0 && (f.Name == "rank" || f.Name == "dense_rank" || f.Name == "percent_rank" || f.Name == "cume_dist"):
		return nil, errf(CodeWrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", f.Name)
	case len(f.Args) < n[0] || len(f.Args) > n[1]:
		return nil, errf(types.CodeUndefinedFunction, "function %s with %d arguments does not exist", f.Name, len(f.Args))
	}
	for i, a := range f.Args {
		e, err := cp.expr(a, sc)
		if err != nil {
			return nil, err
		}
		intArg := (f.Name == "ntile" && i == 0) || ((f.Name == "lag" || f.Name == "lead") && i == 1) || (f.Name == "nth_value" && i == 1)
		switch {
		case intArg:
			if e, err = cp.coerce(e, types.Int4, types.CoerceImplicit); err != nil {
				return nil, errf(types.CodeUndefinedFunction, "function %s(%s, %s) does not exist", f.Name, wf.argType(0), e.typ())
			}
		case i == 2: // lag/lead default: the common type (no typmod)
			vt := wf.args[0].typ()
			vt.Typmod = -1
			ce, err2 := cp.coerce(e, vt, types.CoerceImplicit)
			if err2 != nil {
				// the other way round (lag(int, 1, 1.5) is numeric)
				v2, err3 := cp.coerce(wf.args[0], e.typ(), types.CoerceImplicit)
				if err3 != nil {
					return nil, errf(types.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", f.Name, vt, e.typ())
				}
				wf.args[0] = v2
				ce = e
			}
			e = ce
		case isUnknown(e):
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		wf.args = append(wf.args, e)
	}
	switch f.Name {
	case "row_number", "rank", "dense_rank":
		wf.t = types.Int8
	case "ntile":
		wf.t = types.Int4
	case "percent_rank", "cume_dist":
		wf.t = types.Float8
	default:
		wf.t = wf.args[0].typ()
		if len(wf.args) > 2 {
			wf.t.Typmod = -1
		}
	}
	return w.add(wf), nil
}

func (wf *winFunc) argType(i int) types.Type {
	if i < len(wf.args) {
		return wf.args[i].typ()
	}
	return types.Unknown
}

// add registers a call and returns the reference to its result.
func (w *windowing) add(wf *winFunc) expr {
	w.funcs = append(w.funcs, wf)
	return &winRef{w: w, i: len(w.funcs) - 1, t: wf.t}
}

// winSpec compiles a resolved window definition; identical definitions
// share one spec (one sort).
func (cp *compiler) winSpec(d *ast.WindowDef, sc *scope) (*winSpec, error) {
	w := sc.win
	frame := d.FrameOptions
	if frame&frameNonDefault == 0 {
		frame = frameDefault
	}
	for _, s := range w.specs {
		o := s.def
		if s.frame == frame && astEqual(exprList(o.PartitionBy), exprList(d.PartitionBy), nil) &&
			sameOrder(o.OrderBy, d.OrderBy) && astEqual(o.StartOffset, d.StartOffset, nil) && astEqual(o.EndOffset, d.EndOffset, nil) {
			return s, nil
		}
	}
	s := &winSpec{def: d, frame: frame}
	for _, p := range d.PartitionBy {
		e, err := cp.expr(p, sc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		s.part = append(s.part, e)
	}
	for _, o := range d.OrderBy {
		e, err := cp.expr(o.Expr, sc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		ao := aggOrder{e: e, desc: o.Desc, nullsFirst: o.Desc}
		if o.NullsFirst != nil {
			ao.nullsFirst = *o.NullsFirst
		}
		s.order = append(s.order, ao)
	}
	if frame&frameOffsets != 0 {
		switch {
		case frame&frameRange != 0 && len(s.order) != 1:
			return nil, errf(codeWindowing, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
		}
	}
	if frame&frameGroups != 0 && len(s.order) == 0 {
		return nil, errf(codeWindowing, "GROUPS mode requires an ORDER BY clause")
	}
	for _, x := range []struct {
		src ast.Expr
		dst *expr
	}{{d.StartOffset, &s.start}, {d.EndOffset, &s.end}} {
		if x.src == nil {
			continue
		}
		kind := "ROWS"
		if frame&frameGroups != 0 {
			kind = "GROUPS"
		}
		if hasColumnRef(x.src) {
			return nil, errf(codeInvalidColumnRef, "argument of %s must not contain variables", kind)
		}
		e, err := cp.expr(x.src, &scope{noAggs: "window frame"})
		if err != nil {
			return nil, err
		}
		if frame&frameRange != 0 {
			if e, err = cp.rangeOffset(e, s.order[0].e.typ()); err != nil {
				return nil, err
			}
		} else if e, err = cp.coerce(e, types.Int8, types.CoerceImplicit); err != nil {
			return nil, errf(types.CodeDatatypeMismatch, "argument of %s must be type bigint", kind)
		}
		*x.dst = e
	}
	w.specs = append(w.specs, s)
	return s, nil
}

// rangeOffset coerces a RANGE frame offset to the type added to values of
// the ORDER BY type ot: the number type itself, interval for dates and
// times.
func (cp *compiler) rangeOffset(e expr, ot types.Type) (expr, error) {
	var to types.Type
	switch {
	case ot.IsInt():
		to = types.Int8
		if e.typ().IsInt() || isUnknown(e) {
			to = e.typ()
			if isUnknown(e) {
				to = types.Int8
			}
		}
	case ot.OID == types.OIDNumeric || ot.OID == types.OIDFloat8:
		to = types.Type{OID: ot.OID, Typmod: -1}
	case ot.OID == types.OIDFloat4:
		to = types.Float8 // in_range_float4_float8
	case ot.OID == types.OIDDate || ot.OID == types.OIDTimestamp || ot.OID == types.OIDTimestamptz || ot.OID == types.OIDInterval:
		to = types.Interval_
	default:
		return nil, unsupported("RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", ot)
	}
	out, err := cp.coerce(e, to, types.CoerceImplicit)
	if err != nil {
		return nil, unsupported("RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s", ot, e.typ())
	}
	return out, nil
}

// exprList wraps a list of expressions for astEqual.
func exprList(l []ast.Expr) ast.Node { return &ast.ArrayExpr{Elems: l} }

// sameOrder reports whether two ORDER BY lists are the same.
func sameOrder(a, b []*ast.OrderItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Desc != y.Desc || (x.NullsFirst == nil) != (y.NullsFirst == nil) ||
			(x.NullsFirst != nil && *x.NullsFirst != *y.NullsFirst) || !astEqual(x.Expr, y.Expr, nil) {
			return false
		}
	}
	return true
}

// hasColumnRef reports whether e references a column.
func hasColumnRef(e ast.Node) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		_, ok := n.(*ast.ColumnRef)
		found = found || ok
		return !found
	})
	return found
}

// windowNode computes the window functions of a query (see windowing).
type windowNode struct {
	in   node
	w    *windowing
	cols []column
}

func newWindowNode(in node, w *windowing) *windowNode {
	cols := append([]column(nil), in.columns()...)
	for _, f := range w.funcs {
		cols = append(cols, column{name: f.name, typ: f.t})
	}
	return &windowNode{in: in, w: w, cols: cols}
}

func (n *windowNode) columns() []column { return n.cols }
func (n *windowNode) explain(e *explainer) {
	e.line("WindowAgg")
	e.child(n.in)
}

func (n *windowNode) run(c *Ctx, emit func([]types.Datum) error) error {
	var rows [][]types.Datum
	if err := n.in.run(c, func(row []types.Datum) error {
		rows = append(rows, row)
		return nil
	}); err != nil {
		return err
	}
	nf := len(n.w.funcs)
	res := make([][]types.Datum, len(rows))
	for i := range res {
		res[i] = make([]types.Datum, nf)
	}
	perm := make([]int, len(rows))
	for i := range perm {
		perm[i] = i
	}
	for _, s := range n.w.specs {
		var fns []int
		for i, f := range n.w.funcs {
			if f.spec == s {
				fns = append(fns, i)
			}
		}
		if len(fns) == 0 {
			continue
		}
		p, err := s.sorted(c, rows)
		if err != nil {
			return err
		}
		perm = p.idx
		if err := p.compute(c, n.w, fns, rows, res); err != nil {
			return err
		}
	}
	for _, i := range perm {
		out := make([]types.Datum, 0, len(rows[i])+nf)
		out = append(out, rows[i]...)
		out = append(out, res[i]...)
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

// winPass is one window's sorted view of the rows.
type winPass struct {
	s       *winSpec
	idx     []int           // row numbers in window order
	part    [][]types.Datum // partition key values by row number
	ord     [][]types.Datum // order key values by row number
	st, end int64           // frame offsets (ROWS, GROUPS)
	stD     types.Datum     // frame offsets (RANGE)
	endD    types.Datum
}

// sorted evaluates the window's keys and sorts the rows by them (stable).
func (s *winSpec) sorted(c *Ctx, rows [][]types.Datum) (*winPass, error) {
	p := &winPass{s: s, idx: make([]int, len(rows)), part: make([][]types.Datum, len(rows)), ord: make([][]types.Datum, len(rows))}
	for i, r := range rows {
		p.idx[i] = i
		for _, e := range s.part {
			d, err := e.eval(c, r)
			if err != nil {
				return nil, err
			}
			p.part[i] = append(p.part[i], d)
		}
		for _, o := range s.order {
			d, err := o.e.eval(c, r)
			if err != nil {
				return nil, err
			}
			p.ord[i] = append(p.ord[i], d)
		}
	}
	for _, x := range []struct {
		e    expr
		dst  *int64
		what string
	}{{s.start, &p.st, "starting"}, {s.end, &p.end, "ending"}} {
		if x.e == nil {
			continue
		}
		d, err := x.e.eval(c, nil)
		if err != nil {
			return nil, err
		}
		if d.IsNull() {
			return nil, errf("22004", "frame %s offset must not be null", x.what)
		}
		if s.frame&frameRange != 0 {
			if neg, err := negativeOffset(x.e.typ(), d); err != nil || neg {
				if err == nil {
					err = errf("22013", "invalid preceding or following size in window function")
				}
				return nil, err
			}
			if x.what == "starting" {
				p.stD = d
			} else {
				p.endD = d
			}
			continue
		}
		if d.I < 0 {
			return nil, errf("22013", "frame %s offset must not be negative", x.what)
		}
		*x.dst = d.I
	}
	sort.SliceStable(p.idx, func(i, j int) bool {
		a, b := p.idx[i], p.idx[j]
		if r := p.cmpPart(a, b); r != 0 {
			return r < 0
		}
		return p.cmpOrder(a, b) < 0
	})
	return p, nil
}

func (p *winPass) cmpPart(a, b int) int {
	for k, e := range p.s.part {
		if r := compareDatums(e.typ(), p.part[a][k], p.part[b][k]); r != 0 {
			return r
		}
	}
	return 0
}

func (p *winPass) cmpOrder(a, b int) int {
	for k, o := range p.s.order {
		x, y := p.ord[a][k], p.ord[b][k]
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
			return r
		}
	}
	return 0
}

// compute fills res[row][f] for the calls fns of this window.
func (p *winPass) compute(c *Ctx, w *windowing, fns []int, rows, res [][]types.Datum) error {
	n := len(p.idx)
	for ps := 0; ps < n; {
		pe := ps + 1
		for pe < n && p.cmpPart(p.idx[ps], p.idx[pe]) == 0 {
			pe++
		}
		// Peer groups: gs/ge are the first and past-the-last positions of
		// each position's peers; gn its group number.
		gs, ge, gn := make([]int, pe-ps), make([]int, pe-ps), make([]int, pe-ps)
		var starts []int
		for j := ps; j < pe; j++ {
			if j == ps || p.cmpOrder(p.idx[j-1], p.idx[j]) != 0 {
				starts = append(starts, j)
			}
			gs[j-ps], gn[j-ps] = starts[len(starts)-1], len(starts)-1
		}
		for g, st := range starts {
			end := pe
			if g+1 < len(starts) {
				end = starts[g+1]
			}
			for j := st; j < end; j++ {
				ge[j-ps] = end
			}
		}
		part := &winPart{p: p, rows: rows, ps: ps, pe: pe, gs: gs, ge: ge, gn: gn, starts: starts}
		for _, fi := range fns {
			if err := part.compute(c, w.funcs[fi], fi, res); err != nil {
				return err
			}
		}
		ps = pe
	}
	return nil
}

// winPart is one partition [ps, pe) of a window pass.
type winPart struct {
	p          *winPass
	rows       [][]types.Datum
	ps, pe     int
	gs, ge, gn []int
	starts     []int
}

// row returns the input row at window position j.
func (wp *winPart) row(j int) []types.Datum { return wp.rows[wp.p.idx[j]] }

// frame returns the frame [lo, hi) of position j (before exclusions).
func (wp *winPart) frame(j int) (int, int) {
	f := wp.p.s.frame
	st, en := int(wp.p.st), int(wp.p.end)
	groupStart := func(g int) int {
		if g < 0 {
			return wp.ps
		}
		if g >= len(wp.starts) {
			return wp.pe
		}
		return wp.starts[g]
	}
	lo, hi := wp.ps, wp.pe
	g := wp.gn[j-wp.ps]
	switch {
	case f&frameStartUnbPrec != 0:
		lo = wp.ps
	case f&frameStartCurrent != 0:
		lo = j
		if f&frameRows == 0 {
			lo = wp.gs[j-wp.ps]
		}
	case f&frameStartOffPrec != 0:
		if f&frameGroups != 0 {
			lo = groupStart(g - st)
		} else {
			lo = j - st
		}
	case f&frameStartOffFoll != 0:
		if f&frameGroups != 0 {
			lo = groupStart(g + st)
		} else {
			lo = j + st
		}
	}
	switch {
	case f&frameEndUnbFoll != 0:
		hi = wp.pe
	case f&frameEndCurrent != 0:
		hi = j + 1
		if f&frameRows == 0 {
			hi = wp.ge[j-wp.ps]
		}
	case f&frameEndOffPrec != 0:
		if f&frameGroups != 0 {
			hi = groupStart(g - en + 1)
		} else {
			hi = j - en + 1
		}
	case f&frameEndOffFoll != 0:
		if f&frameGroups != 0 {
			hi = groupStart(g + en + 1)
		} else {
			hi = j + en + 1
		}
	}
	if f&frameRange != 0 && f&frameOffsets != 0 {
		if f&(frameStartOffPrec|frameStartOffFoll) != 0 {
			lo = wp.rangeBound(j, wp.p.stD, f&frameStartOffFoll != 0, false)
		}
		if f&(frameEndOffPrec|frameEndOffFoll) != 0 {
			hi = wp.rangeBound(j, wp.p.endD, f&frameEndOffFoll != 0, true)
		}
	}
	lo, hi = max(lo, wp.ps), min(hi, wp.pe)
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// rangeBound is a RANGE frame bound of position j: the first position
// whose ORDER BY value is at or after (end: past) the current value moved
// by off (following: forward in the sort direction). A NULL current value
// bounds at its NULL peers; non-NULL values never reach NULLs.
func (wp *winPart) rangeBound(j int, off types.Datum, following, end bool) int {
	p := wp.p
	o := p.s.order[0]
	val := func(k int) types.Datum { return p.ord[p.idx[k]][0] }
	v := val(j)
	if v.IsNull() {
		if end {
			return wp.ge[j-wp.ps]
		}
		return wp.gs[j-wp.ps]
	}
	// the non-NULL positions of the partition
	nn0, nn1 := wp.ps, wp.pe
	for nn0 < nn1 && val(nn0).IsNull() {
		nn0++
	}
	for nn1 > nn0 && val(nn1-1).IsNull() {
		nn1--
	}
	op := types.OpSub
	if following != o.desc {
		op = types.OpAdd
	}
	oe := p.s.start
	if end {
		oe = p.s.end
	}
	target, tt, err := types.Arith(op, o.e.typ(), v, oe.typ(), off)
	if err != nil { // out of range: the bound is past every value
		if op == types.OpAdd {
			return nn1
		}
		return nn0
	}
	cmp := func(k int) int {
		x := val(k)
		if tt.OID != o.e.typ().OID {
			if cx, err := types.Cast(x, o.e.typ(), tt, types.CoerceImplicit, nil); err == nil {
				x = cx
			}
		}
		r := types.CompareAs(tt, x, target)
		if o.desc {
			r = -r
		}
		return r
	}
	return nn0 + sort.Search(nn1-nn0, func(i int) bool {
		r := cmp(nn0 + i)
		if end {
			return r > 0
		}
		return r >= 0
	})
}

// negativeOffset reports whether a RANGE offset is negative.
func negativeOffset(t types.Type, d types.Datum) (bool, error) {
	z, _, err := types.Arith(types.OpSub, t, d, t, d)
	if err != nil {
		return false, err
	}
	return types.CompareAs(t, d, z) < 0, nil
}

// excluded reports whether frame position k is excluded for row j.
func (wp *winPart) excluded(j, k int) bool {
	f := wp.p.s.frame
	switch {
	case f&frameExclCurrent != 0:
		return k == j
	case f&frameExclGroup != 0:
		return k >= wp.gs[j-wp.ps] && k < wp.ge[j-wp.ps]
	case f&frameExclTies != 0:
		return k != j && k >= wp.gs[j-wp.ps] && k < wp.ge[j-wp.ps]
	}
	return false
}

// frameRows lists the positions in row j's frame.
func (wp *winPart) frameRows(j int) []int {
	lo, hi := wp.frame(j)
	var out []int
	for k := lo; k < hi; k++ {
		if !wp.excluded(j, k) {
			out = append(out, k)
		}
	}
	return out
}

// rowSpan is a frame without exclusions: positions lo..hi-1.
type rowSpan [2]int

// positions is a row frame as a list: len and i-th position.
type positions interface {
	len() int
	at(i int) int
}

func (r rowSpan) len() int     { return r[1] - r[0] }
func (r rowSpan) at(i int) int { return r[0] + i }

// frameList is an explicit list of frame positions (with exclusions).
type frameList []int

func (l frameList) len() int     { return len(l) }
func (l frameList) at(i int) int { return l[i] }

// frameList returns row j's frame positions without materializing a
// frame that has no exclusions.
func (wp *winPart) frameList(j int) positions {
	lo, hi := wp.frame(j)
	if wp.p.s.frame&frameExclusions == 0 {
		return rowSpan{lo, hi}
	}
	return frameList(wp.frameRows(j))
}

func (wp *winPart) compute(c *Ctx, f *winFunc, fi int, res [][]types.Datum) error {
	n := wp.pe - wp.ps
	set := func(j int, d types.Datum) { res[wp.p.idx[j]][fi] = d }
	if f.agg != nil {
		return wp.aggregate(c, f, set)
	}
	for j := wp.ps; j < wp.pe; j++ {
		pos := j - wp.ps
		switch f.name {
		case "row_number":
			set(j, types.NewInt(int64(pos+1)))
		case "rank":
			set(j, types.NewInt(int64(wp.gs[pos]-wp.ps+1)))
		case "dense_rank":
			set(j, types.NewInt(int64(wp.gn[pos]+1)))
		case "percent_rank":
			v := 0.0
			if n > 1 {
				v = float64(wp.gs[pos]-wp.ps) / float64(n-1)
			}
			set(j, types.NewFloat(v))
		case "cume_dist":
			set(j, types.NewFloat(float64(wp.ge[pos]-wp.ps)/float64(n)))
		case "ntile":
			d, err := f.args[0].eval(c, wp.row(wp.ps))
			if err != nil {
				return err
			}
			if d.IsNull() {
				set(j, types.Null)
				continue
			}
			if d.I <= 0 {
				return errf("22014", "argument of ntile must be greater than zero")
			}
			set(j, types.NewInt(ntile(int64(pos), int64(n), d.I)))
		case "lag", "lead":
			off := int64(1)
			if len(f.args) > 1 {
				d, err := f.args[1].eval(c, wp.row(j))
				if err != nil {
					return err
				}
				if d.IsNull() {
					set(j, types.Null)
					continue
				}
				off = d.I
			}
			if f.name == "lag" {
				off = -off
			}
			k := int64(j) + off
			var d types.Datum
			var err error
			switch {
			case k >= int64(wp.ps) && k < int64(wp.pe):
				d, err = f.args[0].eval(c, wp.row(int(k)))
			case len(f.args) > 2:
				d, err = f.args[2].eval(c, wp.row(j))
			}
			if err != nil {
				return err
			}
			set(j, d)
		case "first_value", "last_value", "nth_value":
			fr := wp.frameList(j)
			k := -1
			switch f.name {
			case "first_value":
				if fr.len() > 0 {
					k = fr.at(0)
				}
			case "last_value":
				if fr.len() > 0 {
					k = fr.at(fr.len() - 1)
				}
			default:
				d, err := f.args[1].eval(c, wp.row(j))
				if err != nil {
					return err
				}
				if d.IsNull() {
					set(j, types.Null)
					continue
				}
				if d.I <= 0 {
					return errf("22016", "argument of nth_value must be greater than zero")
				}
				if d.I <= int64(fr.len()) {
					k = fr.at(int(d.I - 1))
				}
			}
			if k < 0 {
				set(j, types.Null)
				continue
			}
			d, err := f.args[0].eval(c, wp.row(k))
			if err != nil {
				return err
			}
			set(j, d)
		}
	}
	return nil
}

// ntile is the bucket (1-based) of position pos of n rows in k buckets:
// the first n%k buckets hold one row more, as PostgreSQL's ntile.
func ntile(pos, n, k int64) int64 {
	if k >= n {
		return pos + 1
	}
	size, extra := n/k, n%k
	if pos < extra*(size+1) {
		return pos/(size+1) + 1
	}
	return extra + (pos-extra*(size+1))/size + 1
}

// aggregate computes an aggregate over each row's frame: incrementally
// when frames only grow (start UNBOUNDED PRECEDING, no exclusion), else
// per row.
func (wp *winPart) aggregate(c *Ctx, f *winFunc, set func(int, types.Datum)) error {
	fr := wp.p.s.frame
	if fr&frameStartUnbPrec != 0 && fr&frameExclusions == 0 {
		st := &aggState{spec: f.agg}
		next := wp.ps
		for j := wp.ps; j < wp.pe; j++ {
			_, hi := wp.frame(j)
			for ; next < hi; next++ {
				if err := st.add(c, wp.row(next)); err != nil {
					return err
				}
			}
			d, err := st.result(c)
			if err != nil {
				return err
			}
			set(j, d)
		}
		return nil
	}
	for j := wp.ps; j < wp.pe; j++ {
		st := &aggState{spec: f.agg}
		for _, k := range wp.frameRows(j) {
			if err := st.add(c, wp.row(k)); err != nil {
				return err
			}
		}
		d, err := st.result(c)
		if err != nil {
			return err
		}
		set(j, d)
	}
	return nil
}
