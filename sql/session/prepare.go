package session

import (
	"context"
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// SQL-level prepared statements (PREPARE / EXECUTE / DEALLOCATE) share the
// protocol's mechanism: a PREPARE stores the same *statement a Parse
// message makes, and EXECUTE runs it through Session.run with its plan slot
// like a portal does. CREATE TABLE AS / SELECT INTO run as a CREATE TABLE
// whose columns are typed from the query's output, then an INSERT ... query,
// in one transaction.

// isUtility reports the statements runUtility handles.
func isUtility(stmt ast.Statement) bool {
	switch stmt.(type) {
	case *ast.Prepare, *ast.Execute, *ast.Deallocate, *ast.CreateTableAs:
		return true
	}
	return false
}

// runUtility runs the statements the planner does not: done is false for
// any other statement.
func (s *Session) runUtility(ctx context.Context, stmt ast.Statement, out *output) (done bool, err error) {
	if !isUtility(stmt) {
		return false, nil
	}
	if s.failed {
		return true, &wire.Error{Code: exec.CodeInFailedTransaction,
			Message: "current transaction is aborted, commands ignored until end of transaction block"}
	}
	switch st := stmt.(type) {
	case *ast.Prepare:
		return true, s.sqlPrepare(ctx, st, out)
	case *ast.Execute:
		return true, s.sqlExecute(ctx, st, out)
	case *ast.Deallocate:
		return true, s.sqlDeallocate(ctx, st, out)
	case *ast.CreateTableAs:
		return true, s.createTableAs(ctx, st, out)
	}
	return false, nil
}

func (s *Session) sqlPrepare(ctx context.Context, st *ast.Prepare, out *output) error {
	if _, ok := s.prepared[st.Name]; ok {
		return s.fail(ctx, &wire.Error{Code: "42P05", Message: fmt.Sprintf("prepared statement %q already exists", st.Name)})
	}
	oids := make([]uint32, len(st.Types))
	for i, tn := range st.Types {
		t, err := tn.Resolve()
		if err != nil {
			return s.fail(ctx, err)
		}
		oids[i] = uint32(t.OID)
	}
	p, err := s.plan(ctx, st.Stmt, oids)
	if err != nil {
		return s.fail(ctx, err)
	}
	if s.prepared == nil {
		s.prepared = map[string]*statement{}
	}
	s.prepared[st.Name] = &statement{s: s, stmt: st.Stmt, plan: p}
	return out.complete("PREPARE")
}

func (s *Session) sqlDeallocate(ctx context.Context, st *ast.Deallocate, out *output) error {
	if st.Name == "" {
		s.prepared = nil
		return out.complete("DEALLOCATE ALL")
	}
	if _, ok := s.prepared[st.Name]; !ok {
		return s.fail(ctx, errNoPrepared(st.Name))
	}
	delete(s.prepared, st.Name)
	return out.complete("DEALLOCATE")
}

func errNoPrepared(name string) error {
	return &wire.Error{Code: "26000", Message: fmt.Sprintf("prepared statement %q does not exist", name)}
}

// sqlExecute evaluates the arguments (coerced to the parameter types as an
// assignment would) and runs the prepared statement with them.
func (s *Session) sqlExecute(ctx context.Context, st *ast.Execute, out *output) error {
	ps, ok := s.prepared[st.Name]
	if !ok {
		return s.fail(ctx, errNoPrepared(st.Name))
	}
	ps.mu.Lock()
	plan := ps.plan
	ps.mu.Unlock()
	if len(st.Args) != len(plan.ParamTypes) {
		return s.fail(ctx, &wire.Error{Code: types.CodeSyntaxError,
			Message: fmt.Sprintf("wrong number of parameters for prepared statement %q", st.Name),
			Detail:  fmt.Sprintf("Expected %d parameters but got %d.", len(plan.ParamTypes), len(st.Args))})
	}
	params, err := s.executeArgs(ctx, st.Args, plan.ParamTypes, out)
	if err != nil {
		return err
	}
	slot := &plan
	err = s.run(ctx, ps.stmt, slot, &ps.mu, nil, params, nil, out)
	ps.mu.Lock()
	ps.plan = *slot
	ps.mu.Unlock()
	return err
}

// executeArgs evaluates EXECUTE's arguments as one SELECT of the arguments
// cast to the parameter types. Like PostgreSQL, an argument whose type has
// no implicit or assignment cast to the parameter's is 42804.
func (s *Session) executeArgs(ctx context.Context, args []ast.Expr, ptypes []types.Type, out *output) ([]types.Datum, error) {
	if len(args) == 0 {
		return nil, nil
	}
	raw := &ast.Select{}
	for _, a := range args {
		raw.Targets = append(raw.Targets, &ast.Target{Expr: a})
	}
	rp, err := s.plan(ctx, raw, nil)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	sel := &ast.Select{}
	for i, a := range args {
		to := ptypes[i]
		if c, lit := a.(*ast.Const); (!lit || c.Type.OID != types.OIDUnknown && !c.Value.IsNull()) && i < len(rp.ColTypes) {
			from := rp.ColTypes[i]
			if from.OID != to.OID && from.OID != types.OIDUnknown {
				if cc, ok := types.CastContext(from.OID, to.OID); !ok || cc > types.CoerceAssignment {
					return nil, s.fail(ctx, &wire.Error{Code: types.CodeDatatypeMismatch,
						Message: fmt.Sprintf("parameter $%d of type %s cannot be coerced to the expected type %s", i+1, from, to),
						Hint:    "You will need to rewrite or cast the expression."})
				}
			}
		}
		t := types.Type{OID: to.OID, Typmod: -1} // parameters have no typmod
		sel.Targets = append(sel.Targets, &ast.Target{Expr: &ast.Cast{Expr: a, Type: &ast.TypeName{Name: t.String(), Resolved: &t}}})
	}
	var vals []types.Datum
	var planSlot *exec.Plan
	capture := s.captureOutput(out)
	capture.row = func(r []types.Datum, _ []types.Type) error {
		vals = append([]types.Datum(nil), r...)
		return nil
	}
	if err := s.run(ctx, sel, &planSlot, nil, nil, nil, nil, capture); err != nil {
		return nil, err
	}
	if len(vals) != len(args) {
		return nil, &wire.Error{Code: types.CodeInternalError, Message: "EXECUTE arguments produced no row"}
	}
	return vals, nil
}

// captureOutput passes notices and parameter changes on to out and swallows
// the rest.
func (s *Session) captureOutput(out *output) *output {
	return &output{
		begin:    func([]wire.Column) error { return nil },
		row:      func([]types.Datum, []types.Type) error { return nil },
		notice:   out.notice,
		param:    out.param,
		copyIn:   out.copyIn,
		complete: func(string) error { return nil },
		empty:    func() error { return nil },
	}
}

// createTableAs runs CREATE TABLE AS / SELECT INTO: a CREATE TABLE typed
// from the query's output columns, then INSERT INTO it the query's rows,
// both in one transaction (an implicit block when outside one).
func (s *Session) createTableAs(ctx context.Context, st *ast.CreateTableAs, out *output) error {
	qp, err := s.plan(ctx, st.Query, nil)
	if err != nil {
		return s.fail(ctx, err)
	}
	if len(st.Columns) > len(qp.Columns) {
		return s.fail(ctx, &wire.Error{Code: types.CodeSyntaxError, Message: "too many column names were specified"})
	}
	ct := &ast.CreateTable{Name: st.Name, IfNotExists: st.IfNotExists}
	names := make([]string, len(qp.Columns))
	for i, c := range qp.Columns {
		names[i] = c.Name
		if i < len(st.Columns) {
			names[i] = st.Columns[i]
		}
		t := qp.ColTypes[i]
		if t.OID == types.OIDUnknown {
			t = types.Text
		}
		ct.Columns = append(ct.Columns, &ast.ColumnDef{Name: names[i], Type: &ast.TypeName{Name: t.String(), Resolved: &t}})
	}
	own := !s.inBlock && !s.implicitBlock
	if own {
		s.implicitBlock = true
	}
	tag, err := s.createTableAsRun(ctx, st, ct, names, out)
	if own {
		s.implicitBlock = false
		if err != nil {
			s.endTx(ctx, false)
			return err
		}
		if err := s.endTx(ctx, true); err != nil {
			return toWire(err)
		}
	}
	if err != nil {
		return err
	}
	return out.complete(tag)
}

func (s *Session) createTableAsRun(ctx context.Context, st *ast.CreateTableAs, ct *ast.CreateTable, names []string, out *output) (string, error) {
	skipped := false
	create := s.captureOutput(out)
	create.notice = func(n *wire.Error) error {
		if n.Code == exec.CodeDuplicateTable {
			skipped = true
		}
		return out.notice(n)
	}
	var slot *exec.Plan
	if err := s.run(ctx, ct, &slot, nil, nil, nil, nil, create); err != nil {
		return "", err
	}
	if skipped || st.NoData {
		return "CREATE TABLE AS", nil
	}
	tag := ""
	insert := s.captureOutput(out)
	insert.complete = func(t string) error { tag = t; return nil }
	ins := &ast.Insert{Table: st.Name, Columns: names, Source: st.Query}
	slot = nil
	if err := s.run(ctx, ins, &slot, nil, nil, nil, nil, insert); err != nil {
		return "", err
	}
	f := strings.Fields(tag) // INSERT 0 n
	if len(f) != 3 {
		return "", &wire.Error{Code: types.CodeInternalError, Message: "CREATE TABLE AS: unexpected INSERT tag " + tag}
	}
	return "SELECT " + f[2], nil
}

// utilityPlan is the stand-in plan of a protocol-level prepared utility
// statement: an EXECUTE describes the rows of the statement it runs.
func (s *Session) utilityPlan(stmt ast.Statement) *exec.Plan {
	p := &exec.Plan{Kind: exec.KindQuery}
	if e, ok := stmt.(*ast.Execute); ok {
		if ps, ok := s.prepared[e.Name]; ok && ps.plan != nil {
			p.Columns, p.ColTypes = ps.plan.Columns, ps.plan.ColTypes
		}
	}
	return p
}
