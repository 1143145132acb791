package exec

import (
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// WITH and WITH RECURSIVE.
//
// A CTE is planned once where its WITH clause is, and every reference to it
// in FROM scans its rows, computed on the first scan of a statement
// execution and kept in the Ctx (so a CTE referenced twice runs once). A
// recursive CTE "non-recursive UNION [ALL] recursive" runs the
// non-recursive term, then the recursive term over the rows of the
// previous round (the working table, which its self-reference scans) until
// a round produces no rows; UNION drops rows already produced.

// CodeInvalidRecursion is 42P19.
const CodeInvalidRecursion = "42P19"

// cteDef is a CTE in scope.
type cteDef struct {
	dml  bool // INSERT/UPDATE/DELETE ... RETURNING: runs once, first
	name string
	cols []column // output names and types (qualifier "")
	body node     // produces the rows (a recursiveNode when recursive)
	// work is set while the recursive term is planned: references to the
	// CTE then scan the working table.
	work *cteWork
}

// cteWork identifies a recursive CTE's working table in the run cache.
type cteWork struct {
	refs int
}

// lookupCTE finds the innermost CTE named name.
func (b *builder) lookupCTE(name string) *cteDef {
	ctes := b.cp.sq.ctes
	for i := len(ctes) - 1; i >= 0; i-- {
		if ctes[i].name == name {
			return ctes[i]
		}
	}
	return nil
}

// cteRef plans a FROM reference to a CTE; ok is false when x names none.
func (b *builder) cteRef(x *ast.TableRef) (n node, ok bool, err error) {
	if x.Name.Schema != "" || b.cp.sq == nil {
		return nil, false, nil
	}
	def := b.lookupCTE(x.Name.Name)
	if def == nil {
		return nil, false, nil
	}
	cols := append([]column(nil), def.cols...)
	rel := def.name
	if x.Alias != nil {
		rel = x.Alias.Name
		if len(x.Alias.Columns) > len(cols) {
			return nil, true, errf(CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", rel, len(cols), len(x.Alias.Columns))
		}
		for i, c := range x.Alias.Columns {
			cols[i].name = c
		}
	}
	for i := range cols {
		cols[i].table = rel
	}
	if def.dml && len(def.cols) == 0 {
		return nil, true, unsupported("WITH query %q does not have a RETURNING clause", def.name)
	}
	if def.work != nil {
		def.work.refs++
		if def.work.refs > 1 {
			return nil, true, errf(CodeInvalidRecursion, "recursive reference to query %q must not appear more than once", def.name)
		}
		return &workScanNode{work: def.work, cols: cols, name: def.name}, true, nil
	}
	return &cteScanNode{def: def, cols: cols}, true, nil
}

// withSelect plans a SELECT with a WITH clause.
func (b *builder) withSelect(s *ast.Select, outer *scope) (node, error) {
	pop, err := b.pushWith(s.With, outer)
	if err != nil {
		return nil, err
	}
	defer pop()
	inner := *s
	inner.With = nil
	n, err := b.selectQuery(&inner, outer)
	if err != nil {
		return nil, err
	}
	if dml := b.dmlCTEs(); dml != nil {
		n = &dmlFirstNode{dml: dml, in: n}
	}
	return n, nil
}

// withDML plans INSERT/UPDATE/DELETE with a WITH clause (read-only CTEs);
// ok is false for other statements.
func (b *builder) withDML(st ast.Statement) (p *Plan, ok bool, err error) {
	var w *ast.With
	var inner ast.Statement
	switch s := st.(type) {
	case *ast.Insert:
		if w = s.With; w != nil {
			c := *s
			c.With, inner = nil, &c
		}
	case *ast.Update:
		if w = s.With; w != nil {
			c := *s
			c.With, inner = nil, &c
		}
	case *ast.Delete:
		if w = s.With; w != nil {
			c := *s
			c.With, inner = nil, &c
		}
	}
	if w == nil {
		return nil, false, nil
	}
	pop, err := b.pushWith(w, nil)
	if err != nil {
		return nil, true, err
	}
	defer pop()
	if p, err = b.stmt(inner); err != nil {
		return nil, true, err
	}
	if dml := b.dmlCTEs(); dml != nil {
		run := p.run
		p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
			if err := runDMLCTEs(c, dml); err != nil {
				return "", err
			}
			return run(c, emit)
		}
	}
	return p, true, nil
}

// pushWith plans the CTEs of w and brings them into scope until pop.
func (b *builder) pushWith(w *ast.With, outer *scope) (pop func(), err error) {
	sq := b.cp.sq
	if sq == nil {
		return nil, unsupported("WITH is not supported in this context")
	}
	base := len(sq.ctes)
	pop = func() { sq.ctes = sq.ctes[:base] }
	seen := map[string]bool{}
	for i, cte := range w.CTEs {
		if sel, ok := cte.Query.(*ast.Select); ok && w.Recursive { // small area
			for _, later := range w.CTEs[i+1:] {
				if later.Name != cte.Name && refsRelation(sel, later.Name) {
					pop()
					return nil, unsupported("WITH RECURSIVE query %q refers to the later WITH query %q (forward and mutual references are not implemented)", cte.Name, later.Name)
				}
			}
		}
		if _, ok := cte.Query.(*ast.Select); !ok && w != sq.top {
			pop()
			return nil, unsupported("WITH clause containing a data-modifying statement must be at the top level")
		}
		if seen[cte.Name] {
			pop()
			return nil, errf(CodeDuplicateAlias, "WITH query name %q specified more than once", cte.Name)
		}
		seen[cte.Name] = true
		def, err := b.planCTE(cte, w.Recursive, outer)
		if err != nil {
			pop()
			return nil, err
		}
		sq.ctes = append(sq.ctes, def)
	}
	return pop, nil
}

// cteBarrier is why a CTE cannot reference its enclosing query.
const cteBarrier = "WITH queries that reference columns of an enclosing query are not supported"

// planCTE plans one CTE.
func (b *builder) planCTE(cte *ast.CTE, recursive bool, outer *scope) (*cteDef, error) {
	def := &cteDef{name: cte.Name}
	sel, ok := cte.Query.(*ast.Select)
	if !ok {
		return b.planDMLCTE(def, cte)
	}
	if recursive && refsRelation(sel, cte.Name) {
		return b.planRecursive(def, cte, sel, outer)
	}
	body, _, err := b.cp.subplan(sel, outer, cteBarrier)
	if err != nil {
		return nil, err
	}
	def.body = body
	if def.cols, err = cteColumns(cte, body.columns()); err != nil {
		return nil, err
	}
	return def, nil
}

// cteColumns names a CTE's output columns (its column alias list first).
func cteColumns(cte *ast.CTE, in []column) ([]column, error) {
	if len(cte.Columns) > len(in) {
		return nil, errf(CodeInvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", cte.Name, len(in), len(cte.Columns))
	}
	cols := make([]column, len(in))
	for i, c := range in {
		cols[i] = column{name: c.name, typ: c.typ}
		if i < len(cte.Columns) {
			cols[i].name = cte.Columns[i]
		}
		if cols[i].typ.OID == types.OIDUnknown {
			cols[i].typ = types.Text
		}
	}
	return cols, nil
}

// refsRelation reports whether sel names relation name (unqualified) in a
// FROM clause anywhere inside it.
func refsRelation(sel *ast.Select, name string) bool {
	found := false
	ast.Walk(sel, func(n ast.Node) bool {
		if t, ok := n.(*ast.TableRef); ok && t.Name.Schema == "" && t.Name.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// planRecursive plans "non-recursive UNION [ALL] recursive".
func (b *builder) planRecursive(def *cteDef, cte *ast.CTE, sel *ast.Select, outer *scope) (*cteDef, error) {
	if sel.Op != ast.SetUnion || sel.Left == nil || sel.Right == nil {
		return nil, errf(CodeInvalidRecursion, "recursive query %q does not have the form non-recursive-term UNION [ALL] recursive-term", cte.Name)
	}
	if len(sel.OrderBy) > 0 || sel.Limit != nil || sel.Offset != nil || sel.With != nil {
		return nil, unsupported("ORDER BY, LIMIT, OFFSET or WITH in a recursive query is not supported")
	}
	if refsRelation(sel.Left, cte.Name) {
		return nil, errf(CodeInvalidRecursion, "recursive reference to query %q must not appear within its non-recursive term", cte.Name)
	}
	if err := b.recursiveTermAggs(sel.Right); err != nil { // hunt_query.go
		return nil, err
	}
	left, _, err := b.cp.subplan(sel.Left, outer, cteBarrier)
	if err != nil {
		return nil, err
	}
	if def.cols, err = cteColumns(cte, left.columns()); err != nil {
		return nil, err
	}
	def.work = &cteWork{}
	sq := b.cp.sq
	sq.ctes = append(sq.ctes, def)
	right, _, err := b.cp.subplan(sel.Right, outer, cteBarrier)
	sq.ctes = sq.ctes[:len(sq.ctes)-1]
	work := def.work
	def.work = nil
	if err != nil {
		return nil, err
	}
	rcols := right.columns()
	if len(rcols) != len(def.cols) {
		return nil, errf(types.CodeSyntaxError, "each UNION query must have the same number of columns")
	}
	var conv []expr
	for i, c := range def.cols {
		rt := rcols[i].typ
		if rt.OID == c.typ.OID {
			continue
		}
		common, err := setOpType("UNION", c.typ, rt, false, isUnknownLiteral(sel.Right, i))
		if err != nil {
			return nil, err
		}
		if common.OID != c.typ.OID {
			err := errf(types.CodeDatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall", cte.Name, i+1, c.typ, common)
			err.Hint = "Cast the output of the non-recursive term to the correct type."
			return nil, err
		}
		if conv == nil {
			conv = make([]expr, len(rcols))
			for j, rc := range rcols {
				conv[j] = &colExpr{i: j, t: rc.typ}
			}
		}
		conv[i] = &castExpr{e: conv[i], to: c.typ, ctx: types.CoerceExplicit}
	}
	if conv != nil {
		right = &projectNode{in: right, exprs: conv, cols: def.cols}
	}
	def.body = &recursiveNode{left: left, right: right, work: work, distinct: !sel.All, cols: def.cols}
	return def, nil
}

// cteScanNode scans a CTE's rows (computed once per statement execution).
type cteScanNode struct {
	def  *cteDef
	cols []column
}

func (n *cteScanNode) columns() []column { return n.cols }
func (n *cteScanNode) run(c *Ctx, emit func([]types.Datum) error) error {
	r := c.subq()
	if rows, ok := r.cache[n.def]; ok {
		return emitCopies(rows, emit)
	}
	// First scan: stream the rows while keeping them (a scan ended early,
	// by LIMIT, keeps nothing: an infinite recursive CTE under a LIMIT
	// stops).
	var rows [][]types.Datum
	if err := n.def.body.run(c, func(row []types.Datum) error {
		rows = append(rows, row)
		return emit(append([]types.Datum(nil), row...))
	}); err != nil {
		return err
	}
	r.cache[n.def] = rows
	return nil
}
func (n *cteScanNode) explain(e *explainer) {
	e.line("CTE Scan on %s", n.def.name)
	e.child(n.def.body)
}

// emitCopies emits copies of rows (receivers own the rows they get).
func emitCopies(rows [][]types.Datum, emit func([]types.Datum) error) error {
	for _, r := range rows {
		if err := emit(append([]types.Datum(nil), r...)); err != nil {
			return err
		}
	}
	return nil
}

// workScanNode scans a recursive CTE's working table.
type workScanNode struct {
	work *cteWork
	cols []column
	name string
}

func (n *workScanNode) columns() []column { return n.cols }
func (n *workScanNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return emitCopies(c.subq().cache[n.work], emit)
}
func (n *workScanNode) explain(e *explainer) { e.line("WorkTable Scan on %s", n.name) }

// recursiveNode evaluates a recursive CTE.
type recursiveNode struct {
	left, right node
	work        *cteWork
	distinct    bool
	cols        []column
}

func (n *recursiveNode) columns() []column { return n.cols }
func (n *recursiveNode) run(c *Ctx, emit func([]types.Datum) error) error {
	ts := columnTypes(n.cols)
	seen := map[string]bool{}
	var next [][]types.Datum
	collect := func(row []types.Datum) error {
		if n.distinct {
			k := rowKey(ts, row)
			if seen[k] {
				return nil
			}
			seen[k] = true
		}
		next = append(next, row)
		return emit(append([]types.Datum(nil), row...))
	}
	if err := n.left.run(c, collect); err != nil {
		return err
	}
	r := c.subq()
	defer delete(r.cache, n.work)
	for len(next) > 0 {
		if err := c.Ctx.Err(); err != nil {
			return err
		}
		r.cache[n.work], next = next, nil
		if err := n.right.run(c, collect); err != nil {
			return err
		}
	}
	return nil
}
func (n *recursiveNode) explain(e *explainer) {
	e.line("Recursive Union")
	e.child(n.left)
	e.child(n.right)
}

// topWith returns the WITH clause of a statement's top level.
func topWith(st ast.Statement) *ast.With {
	switch s := st.(type) {
	case *ast.Select:
		return s.With
	case *ast.Insert:
		return s.With
	case *ast.Update:
		return s.With
	case *ast.Delete:
		return s.With
	}
	return nil
}

// dmlCommand names the first data-modifying statement of w ("" none).
func dmlCommand(w *ast.With) string {
	if w == nil {
		return ""
	}
	for _, cte := range w.CTEs {
		if _, ok := cte.Query.(*ast.Select); !ok {
			return ast.CommandTag(cte.Query)
		}
	}
	return ""
}

// planDMLCTE plans INSERT/UPDATE/DELETE ... RETURNING in WITH: its
// RETURNING rows are the CTE's rows. It runs once, before the main query
// (which, like PostgreSQL's, does not see its changes: they are made by
// the statement's own command).
func (b *builder) planDMLCTE(def *cteDef, cte *ast.CTE) (*cteDef, error) {
	switch cte.Query.(type) {
	case *ast.Insert, *ast.Update, *ast.Delete:
	default:
		return nil, unsupported("this statement in WITH is not supported")
	}
	p, err := b.stmt(cte.Query)
	if err != nil {
		return nil, err
	}
	var in []column
	for i, c := range p.Columns {
		in = append(in, column{name: c.Name, typ: p.ColTypes[i]})
	}
	if def.cols, err = cteColumns(cte, in); err != nil {
		return nil, err
	}
	def.dml = true
	def.body = &dmlCTENode{p: p, cols: def.cols}
	return def, nil
}

// dmlCTEs returns the data-modifying CTEs in scope.
func (b *builder) dmlCTEs() []*cteDef {
	var out []*cteDef
	for _, d := range b.cp.sq.ctes {
		if d.dml {
			out = append(out, d)
		}
	}
	return out
}

// runDMLCTEs runs the data-modifying CTEs (once per execution) and keeps
// their RETURNING rows for the CTE scans.
func runDMLCTEs(c *Ctx, dml []*cteDef) error {
	r := c.subq()
	for _, d := range dml {
		if _, done := r.cache[d]; done {
			continue
		}
		rows := [][]types.Datum{}
		if err := d.body.run(c, func(row []types.Datum) error {
			rows = append(rows, row)
			return nil
		}); err != nil {
			return err
		}
		r.cache[d] = rows
	}
	return nil
}

// dmlFirstNode runs a query's data-modifying CTEs before the query.
type dmlFirstNode struct {
	dml []*cteDef
	in  node
}

func (n *dmlFirstNode) columns() []column { return n.in.columns() }
func (n *dmlFirstNode) run(c *Ctx, emit func([]types.Datum) error) error {
	if err := runDMLCTEs(c, n.dml); err != nil {
		return err
	}
	return n.in.run(c, emit)
}
func (n *dmlFirstNode) explain(e *explainer) { n.in.explain(e) }

// dmlCTENode runs a data-modifying statement; its rows are the RETURNING
// rows.
type dmlCTENode struct {
	p    *Plan
	cols []column
}

func (n *dmlCTENode) columns() []column { return n.cols }
func (n *dmlCTENode) run(c *Ctx, emit func([]types.Datum) error) error {
	_, err := n.p.Run(c, emit)
	return err
}
func (n *dmlCTENode) explain(e *explainer) {
	for _, l := range strings.Split(n.p.Explain, "\n") {
		e.line("%s", l)
	}
}
