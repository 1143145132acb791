package ast

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v5"
	pgparser "github.com/pganalyze/pg_query_go/v5/parser"

	"github.com/borealis-db/borealis/sql/types"
)

// RawStmt is one statement of a (possibly multi-statement) query string.
type RawStmt struct {
	Stmt Statement
	SQL  string // the statement's own source text, trimmed, without ';'
	Loc  int    // byte offset of SQL in the input
}

// Parse parses a query string holding zero or more ';'-separated
// statements. Syntax errors are *types.Error with code 42601 and Position;
// constructs the tree does not represent are 0A000.
func Parse(sql string) ([]*RawStmt, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, syntaxError(err)
	}
	out := make([]*RawStmt, 0, len(tree.Stmts))
	for _, rs := range tree.Stmts {
		loc := int(rs.StmtLocation)
		end := len(sql)
		if rs.StmtLen > 0 {
			end = loc + int(rs.StmtLen)
		}
		if loc < 0 || loc > len(sql) || end > len(sql) || end < loc {
			return nil, &types.Error{Code: types.CodeInternalError, Message: "parser returned a bad statement location"}
		}
		c := &converter{sql: sql}
		st, err := c.stmt(rs.Stmt)
		if err != nil {
			return nil, err
		}
		out = append(out, &RawStmt{Stmt: st, SQL: strings.TrimSpace(sql[loc:end]), Loc: loc})
	}
	return out, nil
}

// ParseOne parses a string that must hold exactly one statement.
func ParseOne(sql string) (Statement, error) {
	stmts, err := Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &types.Error{Code: types.CodeSyntaxError, Message: fmt.Sprintf("expected one statement, got %d", len(stmts))}
	}
	return stmts[0].Stmt, nil
}

func syntaxError(err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		code := types.CodeSyntaxError
		if strings.HasPrefix(pe.Message, "frame ") { // gram.y's window frame errors are 42P20
			code = "42P20"
		}
		return &types.Error{Code: code, Message: pe.Message, Position: pe.Cursorpos}
	}
	return &types.Error{Code: types.CodeSyntaxError, Message: err.Error()}
}

type converter struct {
	sql string
}

// pos converts a pg_query byte location to a 1-based character position.
func (c *converter) pos(loc int32) int {
	if loc < 0 || int(loc) > len(c.sql) {
		return 0
	}
	return utf8.RuneCountInString(c.sql[:loc]) + 1
}

func (c *converter) unsupported(what string, loc int32) error {
	return &types.Error{Code: types.CodeFeatureNotSupported, Message: what + " is not supported", Position: c.pos(loc)}
}

func nodeName(n *pg.Node) string {
	if n == nil || n.Node == nil {
		return "empty node"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", n.Node), "*pg_query.Node_")
}

func strList(nodes []*pg.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func (c *converter) qname(rv *pg.RangeVar) (QualifiedName, error) {
	if rv.Catalogname != "" {
		return QualifiedName{}, c.unsupported("cross-database references", rv.Location)
	}
	return QualifiedName{Schema: rv.Schemaname, Name: rv.Relname}, nil
}

func (c *converter) nameList(nodes []*pg.Node) (QualifiedName, error) {
	parts := strList(nodes)
	switch len(parts) {
	case 1:
		return QualifiedName{Name: parts[0]}, nil
	case 2:
		return QualifiedName{Schema: parts[0], Name: parts[1]}, nil
	}
	return QualifiedName{}, c.unsupported("cross-database references", -1)
}

func alias(a *pg.Alias) *Alias {
	if a == nil {
		return nil
	}
	return &Alias{Name: a.Aliasname, Columns: strList(a.Colnames)}
}

// ---- statements ----

var stmtNames = map[string]string{
	"CreateFunctionStmt": "CREATE FUNCTION", "CreateSeqStmt": "CREATE SEQUENCE", "AlterSeqStmt": "ALTER SEQUENCE",
	"CreateRoleStmt": "CREATE ROLE", "GrantStmt": "GRANT", "GrantRoleStmt": "GRANT role", "CreatedbStmt": "CREATE DATABASE",
	"DropdbStmt": "DROP DATABASE", "CreateTableAsStmt": "CREATE TABLE AS", "CreateTrigStmt": "CREATE TRIGGER",
	"DoStmt": "DO", "ListenStmt": "LISTEN", "NotifyStmt": "NOTIFY", "UnlistenStmt": "UNLISTEN", "LockStmt": "LOCK",
	"PrepareStmt": "PREPARE", "ExecuteStmt": "EXECUTE", "DeallocateStmt": "DEALLOCATE", "DeclareCursorStmt": "DECLARE CURSOR",
	"FetchStmt": "FETCH", "ClosePortalStmt": "CLOSE", "CommentStmt": "COMMENT", "CreateExtensionStmt": "CREATE EXTENSION",
	"DiscardStmt": "DISCARD", "CheckPointStmt": "CHECKPOINT", "ReindexStmt": "REINDEX", "ClusterStmt": "CLUSTER",
	"MergeStmt": "MERGE", "CallStmt": "CALL", "CreateEnumStmt": "CREATE TYPE", "CompositeTypeStmt": "CREATE TYPE",
	"CreateDomainStmt": "CREATE DOMAIN", "AlterOwnerStmt": "ALTER ... OWNER", "AlterObjectSchemaStmt": "ALTER ... SET SCHEMA",
	"CreatePolicyStmt": "CREATE POLICY", "RuleStmt": "CREATE RULE", "LoadStmt": "LOAD", "AlterSystemStmt": "ALTER SYSTEM",
	"ConstraintsSetStmt": "SET CONSTRAINTS", "CreateTableSpaceStmt": "CREATE TABLESPACE", "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
}

func (c *converter) stmt(n *pg.Node) (Statement, error) {
	switch s := n.Node.(type) {
	case *pg.Node_SelectStmt:
		if s.SelectStmt.IntoClause != nil {
			return c.selectInto(s.SelectStmt) // prepare.go
		}
		return c.selectStmt(s.SelectStmt)
	case *pg.Node_PrepareStmt:
		return c.prepare(s.PrepareStmt)
	case *pg.Node_ExecuteStmt:
		return c.execute(s.ExecuteStmt)
	case *pg.Node_DeallocateStmt:
		return c.deallocate(s.DeallocateStmt)
	case *pg.Node_CreateTableAsStmt:
		return c.createTableAs(s.CreateTableAsStmt)
	case *pg.Node_InsertStmt:
		return c.insert(s.InsertStmt)
	case *pg.Node_UpdateStmt:
		return c.update(s.UpdateStmt)
	case *pg.Node_DeleteStmt:
		return c.delete(s.DeleteStmt)
	case *pg.Node_CreateStmt:
		return c.createTable(s.CreateStmt)
	case *pg.Node_DropStmt:
		return c.drop(s.DropStmt)
	case *pg.Node_AlterTableStmt:
		return c.alterTable(s.AlterTableStmt)
	case *pg.Node_RenameStmt:
		return c.rename(s.RenameStmt)
	case *pg.Node_IndexStmt:
		return c.createIndex(s.IndexStmt)
	case *pg.Node_TruncateStmt:
		return c.truncate(s.TruncateStmt)
	case *pg.Node_LockStmt:
		return c.lock(s.LockStmt)
	case *pg.Node_TransactionStmt:
		return c.transaction(s.TransactionStmt)
	case *pg.Node_VacuumStmt:
		return c.vacuum(s.VacuumStmt)
	case *pg.Node_VariableSetStmt:
		return c.set(s.VariableSetStmt)
	case *pg.Node_VariableShowStmt:
		return &Show{Name: strings.ToLower(s.VariableShowStmt.Name)}, nil
	case *pg.Node_CopyStmt:
		return c.copyStmt(s.CopyStmt)
	case *pg.Node_ExplainStmt:
		inner, err := c.stmt(s.ExplainStmt.Query)
		if err != nil {
			return nil, err
		}
		opts, err := c.options(s.ExplainStmt.Options)
		if err != nil {
			return nil, err
		}
		return &Explain{Stmt: inner, Options: opts}, nil
	case *pg.Node_CreateSchemaStmt:
		cs := s.CreateSchemaStmt
		if cs.Authrole != nil {
			return nil, c.unsupported("CREATE SCHEMA AUTHORIZATION", -1)
		}
		if len(cs.SchemaElts) > 0 {
			return nil, c.unsupported("CREATE SCHEMA with schema elements", -1)
		}
		return &CreateSchema{Name: cs.Schemaname, IfNotExists: cs.IfNotExists}, nil
	case *pg.Node_ViewStmt:
		return c.createView(s.ViewStmt)
	case *pg.Node_CreateSeqStmt:
		return c.createSequence(s.CreateSeqStmt)
	case *pg.Node_AlterSeqStmt:
		return c.alterSequence(s.AlterSeqStmt)
	case *pg.Node_DiscardStmt:
		return &Discard{Target: strings.ToLower(strings.TrimPrefix(s.DiscardStmt.Target.String(), "DISCARD_"))}, nil
	}
	name := nodeName(n)
	if nice, ok := stmtNames[name]; ok {
		name = nice
	}
	return nil, c.unsupported(name, -1)
}

func (c *converter) with(w *pg.WithClause) (*With, error) {
	if w == nil {
		return nil, nil
	}
	out := &With{Recursive: w.Recursive}
	for _, n := range w.Ctes {
		cte := n.GetCommonTableExpr()
		if cte == nil {
			return nil, c.unsupported(nodeName(n)+" in WITH", w.Location)
		}
		if cte.SearchClause != nil || cte.CycleClause != nil {
			return nil, c.unsupported("SEARCH/CYCLE clauses", cte.Location)
		}
		if cte.Ctematerialized != pg.CTEMaterialize_CTEMaterializeDefault && cte.Ctematerialized != pg.CTEMaterialize_CTEMATERIALIZE_UNDEFINED {
			return nil, c.unsupported("MATERIALIZED in WITH", cte.Location)
		}
		q, err := c.stmt(cte.Ctequery)
		if err != nil {
			return nil, err
		}
		out.CTEs = append(out.CTEs, &CTE{Name: cte.Ctename, Columns: strList(cte.Aliascolnames), Query: q})
	}
	return out, nil
}

func (c *converter) selectStmt(s *pg.SelectStmt) (*Select, error) {
	if s.IntoClause != nil {
		return nil, c.unsupported("SELECT INTO", -1)
	}
	if s.GroupDistinct {
		return nil, c.unsupported("GROUP BY DISTINCT", -1)
	}
	out := &Select{WithTies: s.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES}
	var err error
	if out.With, err = c.with(s.WithClause); err != nil {
		return nil, err
	}
	switch s.Op {
	case pg.SetOperation_SETOP_UNION, pg.SetOperation_SETOP_INTERSECT, pg.SetOperation_SETOP_EXCEPT:
		out.Op = map[pg.SetOperation]SetOp{pg.SetOperation_SETOP_UNION: SetUnion, pg.SetOperation_SETOP_INTERSECT: SetIntersect, pg.SetOperation_SETOP_EXCEPT: SetExcept}[s.Op]
		out.All = s.All
		if out.Left, err = c.selectStmt(s.Larg); err != nil {
			return nil, err
		}
		if out.Right, err = c.selectStmt(s.Rarg); err != nil {
			return nil, err
		}
	default:
		if len(s.DistinctClause) > 0 {
			out.Distinct = true
			if s.DistinctClause[0].Node != nil {
				if out.DistinctOn, err = c.exprs(s.DistinctClause); err != nil {
					return nil, err
				}
			}
		}
		for _, n := range s.ValuesLists {
			row, err := c.exprs(n.GetList().GetItems())
			if err != nil {
				return nil, err
			}
			out.Values = append(out.Values, row)
		}
		if out.Targets, err = c.targets(s.TargetList, false); err != nil {
			return nil, err
		}
		if out.From, err = c.fromList(s.FromClause); err != nil {
			return nil, err
		}
		if out.Where, err = c.optExpr(s.WhereClause); err != nil {
			return nil, err
		}
		var groupItems []*pg.Node
		for _, g := range s.GroupClause {
			if gs := g.GetGroupingSet(); gs != nil {
				if gs.Kind == pg.GroupingSetKind_GROUPING_SET_EMPTY { // GROUP BY (): one group
					out.GroupEmpty = true
					continue
				}
				return nil, c.unsupported("GROUPING SETS, ROLLUP and CUBE", gs.Location)
			}
			groupItems = append(groupItems, g)
		}
		if out.GroupBy, err = c.exprs(groupItems); err != nil {
			return nil, err
		}
		if out.Having, err = c.optExpr(s.HavingClause); err != nil {
			return nil, err
		}
		for _, n := range s.WindowClause {
			w := n.GetWindowDef()
			if w == nil {
				return nil, c.unsupported(nodeName(n)+" in WINDOW", -1)
			}
			wd, err := c.windowDef(w)
			if err != nil {
				return nil, err
			}
			wd.Name = w.Name
			out.Windows = append(out.Windows, wd)
		}
	}
	if out.OrderBy, err = c.orderBy(s.SortClause); err != nil {
		return nil, err
	}
	if out.Limit, err = c.optExpr(s.LimitCount); err != nil {
		return nil, err
	}
	if out.Offset, err = c.optExpr(s.LimitOffset); err != nil {
		return nil, err
	}
	for _, n := range s.LockingClause {
		lc := n.GetLockingClause()
		if lc == nil {
			return nil, c.unsupported(nodeName(n), -1)
		}
		l := &Locking{
			Strength: map[pg.LockClauseStrength]string{pg.LockClauseStrength_LCS_FORUPDATE: "update", pg.LockClauseStrength_LCS_FORNOKEYUPDATE: "no key update",
				pg.LockClauseStrength_LCS_FORSHARE: "share", pg.LockClauseStrength_LCS_FORKEYSHARE: "key share"}[lc.Strength],
			NoWait:   lc.WaitPolicy == pg.LockWaitPolicy_LockWaitError,
			SkipLock: lc.WaitPolicy == pg.LockWaitPolicy_LockWaitSkip,
		}
		for _, r := range lc.LockedRels {
			rv := r.GetRangeVar()
			if rv == nil {
				return nil, c.unsupported(nodeName(r)+" in FOR UPDATE", -1)
			}
			q, err := c.qname(rv)
			if err != nil {
				return nil, err
			}
			l.Tables = append(l.Tables, q)
		}
		out.Locking = append(out.Locking, l)
	}
	return out, nil
}

func (c *converter) targets(nodes []*pg.Node, returning bool) ([]*Target, error) {
	out := make([]*Target, 0, len(nodes))
	for _, n := range nodes {
		rt := n.GetResTarget()
		if rt == nil {
			return nil, c.unsupported(nodeName(n)+" in target list", -1)
		}
		if len(rt.Indirection) > 0 {
			return nil, c.unsupported("subscripts and field selection", rt.Location)
		}
		e, err := c.expr(rt.Val)
		if err != nil {
			return nil, err
		}
		out = append(out, &Target{Expr: e, Alias: rt.Name, Loc: c.pos(rt.Location)})
	}
	return out, nil
}

func (c *converter) orderBy(nodes []*pg.Node) ([]*OrderItem, error) {
	var out []*OrderItem
	for _, n := range nodes {
		sb := n.GetSortBy()
		if sb == nil {
			return nil, c.unsupported(nodeName(n)+" in ORDER BY", -1)
		}
		desc := sb.SortbyDir == pg.SortByDir_SORTBY_DESC
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			// USING < is ASC and USING > is DESC (the btree ordering
			// operators of the built-in operator classes); others 42809.
			switch opName(sb.UseOp) {
			case "<":
			case ">":
				desc = true
			default:
				return nil, &types.Error{Code: "42809", Message: fmt.Sprintf("operator %s is not a valid ordering operator", opName(sb.UseOp)),
					Hint: `Ordering operators must be "<" or ">" members of btree operator families.`}
			}
		}
		e, err := c.expr(sb.Node)
		if err != nil {
			return nil, err
		}
		oi := &OrderItem{Expr: e, Desc: desc}
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			t := true
			oi.NullsFirst = &t
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			f := false
			oi.NullsFirst = &f
		}
		out = append(out, oi)
	}
	return out, nil
}

func (c *converter) fromList(nodes []*pg.Node) ([]TableExpr, error) {
	var out []TableExpr
	for _, n := range nodes {
		t, err := c.tableExpr(n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (c *converter) tableExpr(n *pg.Node) (TableExpr, error) {
	switch t := n.Node.(type) {
	case *pg.Node_RangeVar:
		q, err := c.qname(t.RangeVar)
		if err != nil {
			return nil, err
		}
		return &TableRef{Name: q, Alias: alias(t.RangeVar.Alias), Only: !t.RangeVar.Inh, Loc: c.pos(t.RangeVar.Location)}, nil
	case *pg.Node_JoinExpr:
		j := t.JoinExpr
		if j.JoinUsingAlias != nil {
			return nil, c.unsupported("JOIN USING alias", -1)
		}
		out := &Join{Natural: j.IsNatural, Using: strList(j.UsingClause), Alias: alias(j.Alias)}
		switch j.Jointype {
		case pg.JoinType_JOIN_INNER:
			out.Type = JoinInner
			if j.Quals == nil && len(j.UsingClause) == 0 && !j.IsNatural {
				out.Type = JoinCross
			}
		case pg.JoinType_JOIN_LEFT:
			out.Type = JoinLeft
		case pg.JoinType_JOIN_RIGHT:
			out.Type = JoinRight
		case pg.JoinType_JOIN_FULL:
			out.Type = JoinFull
		default:
			return nil, c.unsupported("join type "+j.Jointype.String(), -1)
		}
		var err error
		if out.Left, err = c.tableExpr(j.Larg); err != nil {
			return nil, err
		}
		if out.Right, err = c.tableExpr(j.Rarg); err != nil {
			return nil, err
		}
		if out.On, err = c.optExpr(j.Quals); err != nil {
			return nil, err
		}
		return out, nil
	case *pg.Node_RangeSubselect:
		rs := t.RangeSubselect
		sel := rs.Subquery.GetSelectStmt()
		if sel == nil {
			return nil, c.unsupported(nodeName(rs.Subquery)+" in FROM", -1)
		}
		s, err := c.selectStmt(sel)
		if err != nil {
			return nil, err
		}
		return &SubqueryRef{Select: s, Alias: alias(rs.Alias), Lateral: rs.Lateral}, nil
	case *pg.Node_RangeFunction:
		rf := t.RangeFunction
		if rf.IsRowsfrom || len(rf.Functions) != 1 {
			return nil, c.unsupported("ROWS FROM", -1)
		}
		if len(rf.Coldeflist) > 0 {
			return nil, c.unsupported("column definition lists", -1)
		}
		items := rf.Functions[0].GetList().GetItems()
		if len(items) == 0 {
			return nil, c.unsupported("function in FROM", -1)
		}
		fc := items[0].GetFuncCall()
		if fc == nil {
			return nil, c.unsupported(nodeName(items[0])+" in FROM", -1)
		}
		f, err := c.funcCall(fc)
		if err != nil {
			return nil, err
		}
		return &FuncRef{Func: f, Alias: alias(rf.Alias), Lateral: rf.Lateral, WithOrdinality: rf.Ordinality}, nil
	}
	return nil, c.unsupported(nodeName(n)+" in FROM", -1)
}

func (c *converter) insert(s *pg.InsertStmt) (Statement, error) {
	out := &Insert{}
	var err error
	if out.With, err = c.with(s.WithClause); err != nil {
		return nil, err
	}
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	if s.Relation.Alias != nil {
		out.Alias = s.Relation.Alias.Aliasname
	}
	switch s.Override {
	case pg.OverridingKind_OVERRIDING_USER_VALUE:
		out.Overriding = "user"
	case pg.OverridingKind_OVERRIDING_SYSTEM_VALUE:
		out.Overriding = "system"
	}
	for _, n := range s.Cols {
		rt := n.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return nil, c.unsupported("subscripts and field selection in INSERT column list", -1)
		}
		out.Columns = append(out.Columns, rt.Name)
	}
	if s.SelectStmt == nil {
		out.DefaultValues = true
	} else {
		sel := s.SelectStmt.GetSelectStmt()
		if sel == nil {
			return nil, c.unsupported(nodeName(s.SelectStmt)+" as INSERT source", -1)
		}
		if out.Source, err = c.selectStmt(sel); err != nil {
			return nil, err
		}
	}
	if oc := s.OnConflictClause; oc != nil {
		o := &OnConflict{DoUpdate: oc.Action == pg.OnConflictAction_ONCONFLICT_UPDATE}
		if inf := oc.Infer; inf != nil {
			o.Constraint = inf.Conname
			for _, e := range inf.IndexElems {
				ie := e.GetIndexElem()
				if ie == nil || ie.Name == "" {
					return nil, c.unsupported("expressions in ON CONFLICT target", inf.Location)
				}
				o.Columns = append(o.Columns, ie.Name)
			}
			if o.TargetWhere, err = c.optExpr(inf.WhereClause); err != nil {
				return nil, err
			}
		}
		if o.Set, err = c.setClauses(oc.TargetList); err != nil {
			return nil, err
		}
		if o.Where, err = c.optExpr(oc.WhereClause); err != nil {
			return nil, err
		}
		out.OnConflict = o
	}
	if out.Returning, err = c.targets(s.ReturningList, true); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) setClauses(nodes []*pg.Node) ([]*SetClause, error) {
	var out []*SetClause
	for k := 0; k < len(nodes); k++ {
		n := nodes[k]
		rt := n.GetResTarget()
		if rt == nil {
			return nil, c.unsupported(nodeName(n)+" in SET", -1)
		}
		if len(rt.Indirection) > 0 {
			if rt.Val.GetMultiAssignRef() != nil {
				return nil, c.unsupported("subscripts and field selection in SET", rt.Location)
			}
			out = append(out, &SetClause{Column: rt.Name, Indirect: true})
			continue
		}
		if ref := rt.Val.GetMultiAssignRef(); ref != nil { // multiassign.go
			var items []*pg.ResTarget
			for j := k; j < len(nodes) && j < k+int(ref.Ncolumns); j++ {
				if r := nodes[j].GetResTarget(); r != nil && len(r.Indirection) == 0 {
					items = append(items, r)
				}
			}
			if ref.Colno != 1 || len(items) != int(ref.Ncolumns) {
				return nil, c.unsupported("multiple-column assignment with subscripts", rt.Location)
			}
			sets, err := c.multiAssign(items)
			if err != nil {
				return nil, err
			}
			out = append(out, sets...)
			k += len(items) - 1
			continue
		}
		e, err := c.expr(rt.Val)
		if err != nil {
			return nil, err
		}
		out = append(out, &SetClause{Column: rt.Name, Expr: e})
	}
	return out, nil
}

func (c *converter) update(s *pg.UpdateStmt) (Statement, error) {
	out := &Update{}
	var err error
	if out.With, err = c.with(s.WithClause); err != nil {
		return nil, err
	}
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	if s.Relation.Alias != nil {
		out.Alias = s.Relation.Alias.Aliasname
	}
	if out.Set, err = c.setClauses(s.TargetList); err != nil {
		return nil, err
	}
	if out.From, err = c.fromList(s.FromClause); err != nil {
		return nil, err
	}
	if s.WhereClause.GetCurrentOfExpr() != nil {
		return nil, c.unsupported("WHERE CURRENT OF", -1)
	}
	if out.Where, err = c.optExpr(s.WhereClause); err != nil {
		return nil, err
	}
	if out.Returning, err = c.targets(s.ReturningList, true); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) delete(s *pg.DeleteStmt) (Statement, error) {
	out := &Delete{}
	var err error
	if out.With, err = c.with(s.WithClause); err != nil {
		return nil, err
	}
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	if s.Relation.Alias != nil {
		out.Alias = s.Relation.Alias.Aliasname
	}
	if out.Using, err = c.fromList(s.UsingClause); err != nil {
		return nil, err
	}
	if s.WhereClause.GetCurrentOfExpr() != nil {
		return nil, c.unsupported("WHERE CURRENT OF", -1)
	}
	if out.Where, err = c.optExpr(s.WhereClause); err != nil {
		return nil, err
	}
	if out.Returning, err = c.targets(s.ReturningList, true); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) typeName(t *pg.TypeName) (*TypeName, error) {
	if t == nil {
		return nil, c.unsupported("missing type", -1)
	}
	if t.Setof || t.PctType {
		return nil, c.unsupported("SETOF and %TYPE", t.Location)
	}
	names := strList(t.Names)
	out := &TypeName{ArrayBounds: len(t.ArrayBounds), Loc: c.pos(t.Location) - 1}
	switch len(names) {
	case 1:
		out.Name = names[0]
	case 2:
		out.Name = names[1]
		if names[0] != "pg_catalog" {
			out.Schema = names[0]
		}
	default:
		return nil, c.unsupported("cross-database references", t.Location)
	}
	for _, m := range t.Typmods {
		ac := m.GetAConst()
		if ac == nil || ac.GetIval() == nil {
			return nil, c.unsupported("type modifier "+nodeName(m), t.Location)
		}
		out.Mods = append(out.Mods, ac.GetIval().Ival)
	}
	return out, nil
}

func (c *converter) createTable(s *pg.CreateStmt) (Statement, error) {
	switch {
	case len(s.InhRelations) > 0:
		return nil, c.unsupported("table inheritance", -1)
	case s.Partspec != nil:
		return nil, c.unsupported("partitioned tables", -1)
	case s.Partbound != nil:
		return nil, c.unsupported("partitions", -1)
	case s.OfTypename != nil:
		return nil, c.unsupported("typed tables", -1)
	case s.Tablespacename != "":
		return nil, c.unsupported("tablespaces", -1)
	case s.AccessMethod != "":
		return nil, c.unsupported("table access methods", -1)
	case s.Oncommit != pg.OnCommitAction_ONCOMMIT_NOOP && s.Oncommit != pg.OnCommitAction_ON_COMMIT_ACTION_UNDEFINED:
		return nil, c.unsupported("ON COMMIT", -1)
	}
	out := &CreateTable{IfNotExists: s.IfNotExists}
	var err error
	if out.Name, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	switch s.Relation.Relpersistence {
	case "t":
		out.Temp = true
	case "u":
		out.Unlogged = true
	}
	for _, e := range s.TableElts {
		switch el := e.Node.(type) {
		case *pg.Node_ColumnDef:
			cd, err := c.columnDef(el.ColumnDef)
			if err != nil {
				return nil, err
			}
			out.Columns = append(out.Columns, cd)
		case *pg.Node_Constraint:
			con, err := c.constraint(el.Constraint, true)
			if err != nil {
				return nil, err
			}
			if con != nil {
				out.Constraints = append(out.Constraints, con)
			}
		default:
			return nil, c.unsupported(nodeName(e)+" in CREATE TABLE", -1)
		}
	}
	for _, e := range s.Constraints {
		con, err := c.constraint(e.GetConstraint(), true)
		if err != nil {
			return nil, err
		}
		if con != nil {
			out.Constraints = append(out.Constraints, con)
		}
	}
	if out.Options, err = c.options(s.Options); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) columnDef(cd *pg.ColumnDef) (*ColumnDef, error) {
	if cd.CollClause != nil {
		return nil, c.unsupported("COLLATE", cd.Location)
	}
	if cd.Compression != "" || cd.StorageName != "" || cd.Storage != "" {
		return nil, c.unsupported("column STORAGE/COMPRESSION", cd.Location)
	}
	tn, err := c.typeName(cd.TypeName)
	if err != nil {
		return nil, err
	}
	out := &ColumnDef{Name: cd.Colname, Type: tn, NotNull: cd.IsNotNull}
	if cd.RawDefault != nil {
		if out.Default, err = c.expr(cd.RawDefault); err != nil {
			return nil, err
		}
		if out.DefaultSQL, err = deparseExpr(cd.RawDefault); err != nil {
			return nil, err
		}
	}
	for _, n := range cd.Constraints {
		con := n.GetConstraint()
		if con == nil {
			return nil, c.unsupported(nodeName(n)+" in column definition", cd.Location)
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_NULL:
			out.NotNull = false
		case pg.ConstrType_CONSTR_NOTNULL:
			out.NotNull = true
		case pg.ConstrType_CONSTR_DEFAULT:
			if out.Default, err = c.expr(con.RawExpr); err != nil {
				return nil, err
			}
			if out.DefaultSQL, err = deparseExpr(con.RawExpr); err != nil {
				return nil, err
			}
		case pg.ConstrType_CONSTR_IDENTITY:
			if len(con.Options) > 0 {
				return nil, c.unsupported("identity sequence options", con.Location)
			}
			out.Identity = con.GeneratedWhen
			out.NotNull = true
		default:
			k, err := c.constraint(con, false)
			if err != nil {
				return nil, err
			}
			if k != nil {
				out.Constraints = append(out.Constraints, k)
			}
		}
	}
	return out, nil
}

// constraint converts PRIMARY KEY/UNIQUE/CHECK/FOREIGN KEY; NOT DEFERRABLE
// and INITIALLY IMMEDIATE (the defaults) give nil.
func (c *converter) constraint(k *pg.Constraint, table bool) (*Constraint, error) {
	if k == nil {
		return nil, c.unsupported("constraint", -1)
	}
	if k.Deferrable || k.Initdeferred {
		return nil, c.unsupported("deferrable constraints", k.Location)
	}
	if len(k.Including) > 0 || k.Indexspace != "" || k.NullsNotDistinct || k.IsNoInherit || k.Indexname != "" {
		return nil, c.unsupported("this constraint option", k.Location)
	}
	if k.SkipValidation {
		return nil, c.unsupported("NOT VALID", k.Location)
	}
	out := &Constraint{Name: k.Conname}
	var err error
	switch k.Contype {
	case pg.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE, pg.ConstrType_CONSTR_ATTR_IMMEDIATE:
		return nil, nil
	case pg.ConstrType_CONSTR_ATTR_DEFERRABLE, pg.ConstrType_CONSTR_ATTR_DEFERRED:
		return nil, c.unsupported("deferrable constraints", k.Location)
	case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
		out.Type = ConstrPrimaryKey
		if k.Contype == pg.ConstrType_CONSTR_UNIQUE {
			out.Type = ConstrUnique
		}
		out.Columns = strList(k.Keys)
		if out.Options, err = c.options(k.Options); err != nil {
			return nil, err
		}
	case pg.ConstrType_CONSTR_CHECK:
		out.Type = ConstrCheck
		if out.Check, err = c.expr(k.RawExpr); err != nil {
			return nil, err
		}
		if out.CheckSQL, err = deparseExpr(k.RawExpr); err != nil {
			return nil, err
		}
	case pg.ConstrType_CONSTR_FOREIGN:
		out.Type = ConstrForeignKey
		if k.FkMatchtype != "" && k.FkMatchtype != "s" {
			return nil, c.unsupported("MATCH FULL", k.Location)
		}
		if len(k.FkDelSetCols) > 0 {
			return nil, c.unsupported("ON DELETE SET NULL (columns)", k.Location)
		}
		out.Columns = strList(k.FkAttrs)
		if out.RefTable, err = c.qname(k.Pktable); err != nil {
			return nil, err
		}
		out.RefColumns = strList(k.PkAttrs)
		out.OnDelete, out.OnUpdate = k.FkDelAction, k.FkUpdAction
	default:
		return nil, c.unsupported("constraint "+strings.TrimPrefix(k.Contype.String(), "CONSTR_"), k.Location)
	}
	return out, nil
}

func (c *converter) options(nodes []*pg.Node) ([]*Option, error) {
	var out []*Option
	for _, n := range nodes {
		de := n.GetDefElem()
		if de == nil {
			return nil, c.unsupported(nodeName(n)+" as option", -1)
		}
		if de.Defnamespace != "" {
			return nil, c.unsupported("option namespace "+de.Defnamespace, de.Location)
		}
		v, err := c.optionValue(de.Arg)
		if err != nil {
			return nil, err
		}
		out = append(out, &Option{Name: strings.ToLower(de.Defname), Value: v})
	}
	return out, nil
}

func (c *converter) optionValue(n *pg.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	switch v := n.Node.(type) {
	case *pg.Node_String_:
		return v.String_.Sval, nil
	case *pg.Node_Integer:
		return strconv.Itoa(int(v.Integer.Ival)), nil
	case *pg.Node_Float:
		return v.Float.Fval, nil
	case *pg.Node_Boolean:
		return strconv.FormatBool(v.Boolean.Boolval), nil
	case *pg.Node_AStar:
		return "*", nil
	case *pg.Node_TypeName:
		return strings.Join(strList(v.TypeName.Names), "."), nil
	case *pg.Node_List:
		var parts []string
		for _, it := range v.List.Items {
			s, err := c.optionValue(it)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	case *pg.Node_AConst:
		e, err := c.aConst(v.AConst)
		if err != nil {
			return "", err
		}
		return types.FormatText(e.Type, e.Value, nil), nil
	}
	return "", c.unsupported("option value "+nodeName(n), -1)
}

func (c *converter) drop(s *pg.DropStmt) (Statement, error) {
	if s.Concurrent {
		return nil, c.unsupported("DROP INDEX CONCURRENTLY", -1)
	}
	out := &Drop{IfExists: s.MissingOk, Cascade: s.Behavior == pg.DropBehavior_DROP_CASCADE}
	switch s.RemoveType {
	case pg.ObjectType_OBJECT_TABLE:
		out.Type = DropTable
	case pg.ObjectType_OBJECT_INDEX:
		out.Type = DropIndex
	case pg.ObjectType_OBJECT_VIEW:
		out.Type = DropView
	case pg.ObjectType_OBJECT_SCHEMA:
		out.Type = DropSchema
	case pg.ObjectType_OBJECT_SEQUENCE:
		out.Type = DropSequence
	default:
		return nil, c.unsupported("DROP "+strings.ReplaceAll(strings.TrimPrefix(s.RemoveType.String(), "OBJECT_"), "_", " "), -1)
	}
	for _, o := range s.Objects {
		if str := o.GetString_(); str != nil {
			out.Names = append(out.Names, QualifiedName{Name: str.Sval})
			continue
		}
		q, err := c.nameList(o.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		out.Names = append(out.Names, q)
	}
	return out, nil
}

func (c *converter) alterTable(s *pg.AlterTableStmt) (Statement, error) {
	if s.Objtype != pg.ObjectType_OBJECT_TABLE {
		return nil, c.unsupported("ALTER "+strings.TrimPrefix(s.Objtype.String(), "OBJECT_"), -1)
	}
	out := &AlterTable{IfExists: s.MissingOk}
	var err error
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	for _, n := range s.Cmds {
		cmd := n.GetAlterTableCmd()
		if cmd == nil {
			return nil, c.unsupported(nodeName(n)+" in ALTER TABLE", -1)
		}
		a := &AlterCmd{Column: cmd.Name, IfExists: cmd.MissingOk, Cascade: cmd.Behavior == pg.DropBehavior_DROP_CASCADE}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			a.Type = AlterAddColumn
			if a.Def, err = c.columnDef(cmd.Def.GetColumnDef()); err != nil {
				return nil, err
			}
		case pg.AlterTableType_AT_DropColumn:
			a.Type = AlterDropColumn
		case pg.AlterTableType_AT_AddConstraint:
			a.Type = AlterAddConstraint
			k, err := c.constraint(cmd.Def.GetConstraint(), true)
			if err != nil {
				return nil, err
			}
			if k == nil {
				return nil, c.unsupported("this ALTER TABLE ADD CONSTRAINT form", -1)
			}
			a.Constraint = k
		case pg.AlterTableType_AT_DropConstraint:
			a.Type = AlterDropConstraint
		case pg.AlterTableType_AT_ColumnDefault:
			a.Type = AlterSetDefault
			if a.Default, err = c.optExpr(cmd.Def); err != nil {
				return nil, err
			}
			if cmd.Def != nil {
				if a.DefaultSQL, err = deparseExpr(cmd.Def); err != nil {
					return nil, err
				}
			}
		case pg.AlterTableType_AT_SetNotNull:
			a.Type = AlterSetNotNull
		case pg.AlterTableType_AT_DropNotNull:
			a.Type = AlterDropNotNull
		case pg.AlterTableType_AT_AlterColumnType:
			a.Type = AlterColumnType
			cd := cmd.Def.GetColumnDef()
			if cd == nil || cd.CollClause != nil {
				return nil, c.unsupported("ALTER COLUMN TYPE with COLLATE", -1)
			}
			if cd.RawDefault != nil {
				u, err := c.expr(cd.RawDefault)
				if err != nil {
					return nil, err
				}
				a.Using = u
			}
			t, err := c.typeName(cd.TypeName)
			if err != nil {
				return nil, err
			}
			a.Def = &ColumnDef{Name: cmd.Name, Type: t}
		default:
			return nil, c.unsupported("ALTER TABLE "+strings.TrimPrefix(cmd.Subtype.String(), "AT_"), -1)
		}
		out.Cmds = append(out.Cmds, a)
	}
	return out, nil
}

func (c *converter) rename(s *pg.RenameStmt) (Statement, error) {
	if s.Relation == nil {
		return nil, c.unsupported("ALTER "+strings.TrimPrefix(s.RenameType.String(), "OBJECT_")+" RENAME", -1)
	}
	if s.RenameType == pg.ObjectType_OBJECT_COLUMN && s.RelationType != pg.ObjectType_OBJECT_TABLE {
		return nil, c.unsupported("ALTER "+strings.TrimPrefix(s.RelationType.String(), "OBJECT_")+" RENAME COLUMN", -1)
	}
	out := &AlterTable{IfExists: s.MissingOk}
	var err error
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	a := &AlterCmd{Column: s.Subname, NewName: s.Newname}
	switch s.RenameType {
	case pg.ObjectType_OBJECT_TABLE:
		a.Type = AlterRenameTable
	case pg.ObjectType_OBJECT_COLUMN:
		a.Type = AlterRenameColumn
	case pg.ObjectType_OBJECT_TABCONSTRAINT:
		a.Type = AlterRenameConstraint
	default:
		return nil, c.unsupported("ALTER TABLE RENAME of "+strings.TrimPrefix(s.RenameType.String(), "OBJECT_"), -1)
	}
	out.Cmds = []*AlterCmd{a}
	return out, nil
}

func (c *converter) createIndex(s *pg.IndexStmt) (Statement, error) {
	if s.TableSpace != "" {
		return nil, c.unsupported("tablespaces", -1)
	}
	if len(s.ExcludeOpNames) > 0 || s.NullsNotDistinct || s.Deferrable {
		return nil, c.unsupported("this index option", -1)
	}
	out := &CreateIndex{Name: s.Idxname, Unique: s.Unique, IfNotExists: s.IfNotExists, Concurrently: s.Concurrent, Method: s.AccessMethod}
	var err error
	if out.Table, err = c.qname(s.Relation); err != nil {
		return nil, err
	}
	for _, n := range s.IndexParams {
		ie := n.GetIndexElem()
		if ie == nil {
			return nil, c.unsupported(nodeName(n)+" in index", -1)
		}
		if len(ie.Collation) > 0 || len(ie.Opclass) > 0 || len(ie.Opclassopts) > 0 {
			return nil, c.unsupported("index collations and operator classes", -1)
		}
		el := &IndexElem{Column: ie.Name, Desc: ie.Ordering == pg.SortByDir_SORTBY_DESC}
		if ie.Expr != nil {
			if el.Expr, err = c.expr(ie.Expr); err != nil {
				return nil, err
			}
		}
		switch ie.NullsOrdering {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			t := true
			el.NullsFirst = &t
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			f := false
			el.NullsFirst = &f
		}
		out.Columns = append(out.Columns, el)
	}
	for _, n := range s.IndexIncludingParams {
		ie := n.GetIndexElem()
		if ie == nil || ie.Name == "" {
			return nil, c.unsupported("expressions in INCLUDE", -1)
		}
		out.Include = append(out.Include, ie.Name)
	}
	if out.Where, err = c.optExpr(s.WhereClause); err != nil {
		return nil, err
	}
	if out.Options, err = c.options(s.Options); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) truncate(s *pg.TruncateStmt) (Statement, error) {
	out := &Truncate{RestartIdentity: s.RestartSeqs, Cascade: s.Behavior == pg.DropBehavior_DROP_CASCADE}
	for _, n := range s.Relations {
		rv := n.GetRangeVar()
		if rv == nil {
			return nil, c.unsupported(nodeName(n)+" in TRUNCATE", -1)
		}
		q, err := c.qname(rv)
		if err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, q)
	}
	return out, nil
}

func (c *converter) txnOptions(out *Transaction, nodes []*pg.Node) error {
	for _, n := range nodes {
		de := n.GetDefElem()
		if de == nil {
			return c.unsupported(nodeName(n)+" as transaction option", -1)
		}
		v, err := c.optionValue(de.Arg)
		if err != nil {
			return err
		}
		switch de.Defname {
		case "transaction_isolation":
			out.Isolation = strings.ToLower(v)
		case "transaction_read_only":
			b := v == "1" || v == "true"
			out.ReadOnly = &b
		case "transaction_deferrable":
			b := v == "1" || v == "true"
			out.Deferrable = &b
		default:
			return c.unsupported("transaction option "+de.Defname, de.Location)
		}
	}
	return nil
}

func (c *converter) transaction(s *pg.TransactionStmt) (Statement, error) {
	out := &Transaction{Savepoint: s.SavepointName, Chain: s.Chain}
	switch s.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		out.Kind = TxnBegin
		out.Start = s.Kind == pg.TransactionStmtKind_TRANS_STMT_START
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		out.Kind = TxnCommit
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		out.Kind = TxnRollback
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		out.Kind = TxnSavepoint
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		out.Kind = TxnRelease
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		out.Kind = TxnRollbackTo
	default:
		return nil, c.unsupported("two-phase commit", -1)
	}
	if err := c.txnOptions(out, s.Options); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) vacuum(s *pg.VacuumStmt) (Statement, error) {
	out := &Vacuum{IsAnalyze: !s.IsVacuumcmd}
	for _, n := range s.Options {
		de := n.GetDefElem()
		if de == nil {
			return nil, c.unsupported(nodeName(n)+" as VACUUM option", -1)
		}
		v, err := c.optionValue(de.Arg)
		if err != nil {
			return nil, err
		}
		on := v == "" || v == "true" || v == "1" || v == "on"
		switch strings.ToLower(de.Defname) {
		case "analyze":
			out.Analyze = on
		case "full":
			out.Full = on
		case "freeze":
			out.Freeze = on
		case "verbose":
			out.Verbose = on
		case "skip_locked", "index_cleanup", "truncate", "process_toast", "disable_page_skipping", "parallel":
			// Tuning options with no effect on the result.
		default:
			return nil, c.unsupported("VACUUM option "+de.Defname, de.Location)
		}
	}
	for _, n := range s.Rels {
		vr := n.GetVacuumRelation()
		if vr == nil || vr.Relation == nil {
			return nil, c.unsupported(nodeName(n)+" in VACUUM", -1)
		}
		q, err := c.qname(vr.Relation)
		if err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, &VacuumTarget{Table: q, Columns: strList(vr.VaCols)})
	}
	return out, nil
}

func (c *converter) set(s *pg.VariableSetStmt) (Statement, error) {
	switch s.Kind {
	case pg.VariableSetKind_VAR_SET_VALUE:
		out := &Set{Name: strings.ToLower(s.Name), Local: s.IsLocal}
		vals, err := c.exprs(s.Args)
		if err != nil {
			return nil, err
		}
		out.Values = vals
		return out, nil
	case pg.VariableSetKind_VAR_SET_DEFAULT:
		return &Set{Name: strings.ToLower(s.Name), Default: true, Local: s.IsLocal}, nil
	case pg.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ...
		t := &Transaction{}
		if err := c.txnOptions(t, s.Args); err != nil {
			return nil, err
		}
		prefix := ""
		if s.Name == "SESSION CHARACTERISTICS" {
			prefix = "default_"
		} else if s.Name != "TRANSACTION" {
			return nil, c.unsupported("SET "+s.Name, -1)
		}
		str := func(v string) []Expr { return []Expr{&Const{Value: types.NewString(v), Type: types.Unknown, Loc: -1}} }
		switch {
		case t.Isolation != "" && t.ReadOnly == nil && t.Deferrable == nil:
			return &Set{Name: prefix + "transaction_isolation", Values: str(t.Isolation), Local: s.IsLocal, Transaction: true}, nil
		case t.Isolation == "" && t.ReadOnly != nil && t.Deferrable == nil:
			return &Set{Name: prefix + "transaction_read_only", Values: str(strconv.FormatBool(*t.ReadOnly)), Local: s.IsLocal, Transaction: true}, nil
		case t.Isolation != "" && t.ReadOnly != nil && t.Deferrable == nil && prefix == "":
			return &Set{Name: "transaction_isolation", Values: str(t.Isolation), Local: s.IsLocal, Transaction: true, ReadOnly: t.ReadOnly}, nil
		}
		return nil, c.unsupported("SET TRANSACTION with several options", -1)
	case pg.VariableSetKind_VAR_RESET:
		return &Reset{Name: strings.ToLower(s.Name)}, nil
	case pg.VariableSetKind_VAR_RESET_ALL:
		return &Reset{Name: "all"}, nil
	}
	return nil, c.unsupported("SET ... FROM CURRENT", -1)
}

func (c *converter) copyStmt(s *pg.CopyStmt) (Statement, error) {
	if s.IsProgram || s.Filename != "" {
		return nil, c.unsupported("COPY to or from a file or program", -1)
	}
	if s.WhereClause != nil {
		return nil, c.unsupported("COPY ... WHERE", -1)
	}
	out := &Copy{From: s.IsFrom, Columns: strList(s.Attlist)}
	var err error
	if s.Relation != nil {
		if out.Table, err = c.qname(s.Relation); err != nil {
			return nil, err
		}
	} else if s.Query != nil {
		sel := s.Query.GetSelectStmt()
		if sel == nil {
			return nil, c.unsupported("COPY ("+nodeName(s.Query)+") TO", -1)
		}
		if out.Query, err = c.selectStmt(sel); err != nil {
			return nil, err
		}
	}
	if out.Options, err = c.options(s.Options); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) createView(s *pg.ViewStmt) (Statement, error) {
	if len(s.Options) > 0 || (s.WithCheckOption != pg.ViewCheckOption_NO_CHECK_OPTION && s.WithCheckOption != pg.ViewCheckOption_VIEW_CHECK_OPTION_UNDEFINED) {
		return nil, c.unsupported("view options", -1)
	}
	if s.View.Relpersistence == "t" {
		return nil, c.unsupported("temporary views", s.View.Location)
	}
	out := &CreateView{Columns: strList(s.Aliases), OrReplace: s.Replace}
	var err error
	if out.Name, err = c.qname(s.View); err != nil {
		return nil, err
	}
	sel := s.Query.GetSelectStmt()
	if sel == nil {
		return nil, c.unsupported("view query "+nodeName(s.Query), -1)
	}
	if out.Query, err = c.selectStmt(sel); err != nil {
		return nil, err
	}
	if out.SQL, err = pg.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: s.Query}}}); err != nil {
		return nil, &types.Error{Code: types.CodeFeatureNotSupported, Message: "view query cannot be deparsed: " + err.Error()}
	}
	return out, nil
}

// deparseExpr returns the SQL text of an expression node (PostgreSQL's
// deparser), as catalogs store column defaults.
func deparseExpr(n *pg.Node) (string, error) {
	res := &pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}},
		Op:         pg.SetOperation_SETOP_NONE, LimitOption: pg.LimitOption_LIMIT_OPTION_DEFAULT}}}}}}
	s, err := pg.Deparse(res)
	if err != nil {
		return "", &types.Error{Code: types.CodeFeatureNotSupported, Message: "expression cannot be deparsed: " + err.Error()}
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}
