package exec

import (
	"fmt"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Kind says how the session treats a plan.
type Kind uint8

// Plan kinds.
const (
	KindQuery    Kind = iota // runs in a transaction (SELECT, DML, DDL, COPY, ...)
	KindBegin                // BEGIN / START TRANSACTION
	KindCommit               // COMMIT / END
	KindRollback             // ROLLBACK / ABORT
	KindSet                  // SET name = value (session)
	KindShow                 // SHOW name (session)
	KindTxMode               // SET TRANSACTION ... (session)
	KindEmpty                // empty statement
)

// Plan is a planned statement, reusable across executions with different
// parameters. A plan is tied to the catalog Set it was built against.
type Plan struct {
	Kind Kind
	// Columns describes the result rows (nil when the statement returns none).
	Columns []wire.Column
	// ColTypes are the result column types.
	ColTypes []types.Type
	// ParamTypes are the parameter types ($1..$n).
	ParamTypes []types.Type
	// Cat is the catalog the plan was built against.
	Cat *catalog.Set
	// DDL: the statement changes the catalog.
	DDL bool
	// ReadOnly: the statement writes nothing (SELECT).
	ReadOnly bool
	// NoTxBlock: the statement cannot run inside a transaction block (VACUUM).
	NoTxBlock bool
	// Iso is the isolation level for KindBegin/KindTxMode ("" default).
	Iso string
	// Name and Value of KindSet/KindShow ("" Value with Reset for RESET).
	Name, Value string
	Reset       bool
	// Local: SET LOCAL.
	Local bool
	// TxReadOnly is the access mode BEGIN/SET TRANSACTION asks for: "on"
	// (READ ONLY), "off" (READ WRITE) or "" (the default).
	TxReadOnly string
	// Tag is the command tag of a session statement (KindBegin, KindSet,
	// KindTxMode): BEGIN or START TRANSACTION, SET or RESET.
	Tag string
	// WriteCommand names a statement that writes (INSERT, CREATE TABLE,
	// COPY FROM, ...) as PostgreSQL names it in "cannot execute %s in a
	// read-only transaction"; "" when a read-only transaction may run it.
	WriteCommand string

	// Explain is the plan's shape, as EXPLAIN prints it.
	Explain string

	run func(c *Ctx, emit func([]types.Datum) error) (string, error)
}

// Run executes the plan, calling emit for each result row, and returns the
// command tag.
func (p *Plan) Run(c *Ctx, emit func([]types.Datum) error) (string, error) {
	if p.run == nil {
		return "", fmt.Errorf("exec: plan of kind %d has no executor", p.Kind)
	}
	return p.run(c, emit)
}

// Build plans one parsed statement against catalog cat. paramTypes are the
// client's parameter type OIDs (0: infer).
func Build(stmt *pg.Node, cat *catalog.Set, paramTypes []uint32) (*Plan, error) {
	ps := &params{}
	for i, o := range paramTypes {
		if o != 0 {
			t := types.Type{OID: types.OID(o), Typmod: -1}
			if o != uint32(OIDRegclass) && o != uint32(types.OIDOid) {
				if _, ok := types.Info(t.OID); !ok {
					return nil, unsupported("parameter type %d is not supported", o)
				}
			}
			*ps.get(i) = t
		}
	}
	b := &builder{cp: &compiler{ps: ps, cat: cat}, cat: cat}
	p, err := b.stmt(stmt)
	if err != nil {
		return nil, err
	}
	p.Cat = cat
	if p.Kind == KindQuery && !p.ReadOnly {
		p.WriteCommand = writeCommand(stmt)
	}
	for i := range ps.types {
		if ps.types[i].OID == 0 {
			ps.types[i] = types.Text
		}
	}
	p.ParamTypes = ps.types
	return p, nil
}

type builder struct {
	cp  *compiler
	cat *catalog.Set
}

func (b *builder) stmt(n *pg.Node) (*Plan, error) {
	switch {
	case n == nil:
		return &Plan{Kind: KindEmpty}, nil
	case n.GetSelectStmt() != nil:
		sp, err := b.selectStmt(n.GetSelectStmt())
		if err != nil {
			return nil, err
		}
		p := &Plan{Kind: KindQuery, Columns: sp.columns(), ColTypes: sp.outTypes(), ReadOnly: true, Explain: sp.src.describe()}
		p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
			nrows := 0
			err := sp.run(c, func(r []types.Datum) error { nrows++; return emit(r) })
			return fmt.Sprintf("SELECT %d", nrows), err
		}
		return p, nil
	case n.GetExplainStmt() != nil:
		e := n.GetExplainStmt()
		for _, o := range e.Options {
			if d := o.GetDefElem(); d != nil && d.Defname == "analyze" {
				return nil, unsupported("EXPLAIN ANALYZE is not supported")
			}
		}
		inner, err := b.stmt(e.Query)
		if err != nil {
			return nil, err
		}
		text := inner.Explain
		if text == "" {
			text = "Utility Statement"
		}
		p := &Plan{Kind: KindQuery, ReadOnly: true, Columns: []wire.Column{textColumn("QUERY PLAN")}, ColTypes: []types.Type{types.Text}}
		p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
			return "EXPLAIN", emit([]types.Datum{types.NewString(text)})
		}
		return p, nil
	case n.GetInsertStmt() != nil:
		return b.insertStmt(n.GetInsertStmt())
	case n.GetUpdateStmt() != nil:
		return b.updateStmt(n.GetUpdateStmt())
	case n.GetDeleteStmt() != nil:
		return b.deleteStmt(n.GetDeleteStmt())
	case n.GetCreateStmt() != nil:
		return b.createStmt(n.GetCreateStmt())
	case n.GetDropStmt() != nil:
		return b.dropStmt(n.GetDropStmt())
	case n.GetTruncateStmt() != nil:
		return b.truncateStmt(n.GetTruncateStmt())
	case n.GetAlterTableStmt() != nil:
		return b.alterTableStmt(n.GetAlterTableStmt())
	case n.GetIndexStmt() != nil:
		return b.indexStmt(n.GetIndexStmt())
	case n.GetCopyStmt() != nil:
		return b.copyStmt(n.GetCopyStmt())
	case n.GetVacuumStmt() != nil:
		return b.vacuumStmt(n.GetVacuumStmt())
	case n.GetTransactionStmt() != nil:
		return txStmt(n.GetTransactionStmt())
	case n.GetVariableSetStmt() != nil:
		return setStmt(n.GetVariableSetStmt())
	case n.GetVariableShowStmt() != nil:
		name := strings.ToLower(n.GetVariableShowStmt().Name)
		col := name
		if c, ok := showColumns[name]; ok {
			col = c
		}
		return &Plan{Kind: KindShow, Name: name,
			Columns:  []wire.Column{textColumn(col)},
			ColTypes: []types.Type{types.Text}}, nil
	case n.GetDiscardStmt() != nil:
		return &Plan{Kind: KindSet, Reset: true, Name: "all", Tag: "DISCARD ALL"}, nil
	}
	return nil, unsupported("statement %s is not supported", nodeKind(n))
}

// showColumns are the SHOW column names PostgreSQL spells differently from
// the lower-cased parameter name: the parameter's canonical name.
var showColumns = map[string]string{
	"timezone":                    "TimeZone",
	"time zone":                   "TimeZone",
	"datestyle":                   "DateStyle",
	"intervalstyle":               "IntervalStyle",
	"transaction isolation level": "transaction_isolation",
}

// writeCommand names a writing statement as PostgreSQL's read-only
// transaction check does; "" for statements a read-only transaction may
// run (COPY TO, VACUUM, ANALYZE).
func writeCommand(n *pg.Node) string {
	switch {
	case n.GetInsertStmt() != nil:
		return "INSERT"
	case n.GetUpdateStmt() != nil:
		return "UPDATE"
	case n.GetDeleteStmt() != nil:
		return "DELETE"
	case n.GetCopyStmt() != nil:
		if n.GetCopyStmt().IsFrom {
			return "COPY FROM"
		}
		return ""
	case n.GetVacuumStmt() != nil:
		return ""
	case n.GetCreateStmt() != nil:
		return "CREATE TABLE"
	case n.GetDropStmt() != nil:
		return "DROP " + objectName(n.GetDropStmt().RemoveType)
	case n.GetTruncateStmt() != nil:
		return "TRUNCATE TABLE"
	case n.GetAlterTableStmt() != nil:
		return "ALTER " + objectName(n.GetAlterTableStmt().Objtype)
	case n.GetIndexStmt() != nil:
		return "CREATE INDEX"
	}
	return strings.ToUpper(strings.TrimSuffix(nodeKind(n), "_stmt"))
}

// objectName spells an object type as SQL does (OBJECT_TABLE: TABLE).
func objectName(t pg.ObjectType) string {
	return strings.ReplaceAll(strings.TrimPrefix(t.String(), "OBJECT_"), "_", " ")
}

func textColumn(name string) wire.Column {
	return wire.Column{Name: name, TypeOID: uint32(types.OIDText), TypeSize: -1, TypeMod: -1}
}

func txStmt(t *pg.TransactionStmt) (*Plan, error) {
	iso, ro, err := txOptions(t.Options)
	if err != nil {
		return nil, err
	}
	switch t.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN:
		return &Plan{Kind: KindBegin, Iso: iso, TxReadOnly: ro, Tag: "BEGIN"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_START:
		return &Plan{Kind: KindBegin, Iso: iso, TxReadOnly: ro, Tag: "START TRANSACTION"}, nil
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		return &Plan{Kind: KindCommit}, nil
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return &Plan{Kind: KindRollback}, nil
	}
	return nil, unsupported("%s is not supported", strings.TrimPrefix(t.Kind.String(), "TRANS_STMT_"))
}

// txOptions extracts the isolation level and access mode ("on" READ
// ONLY, "off" READ WRITE, "" unspecified) from BEGIN/SET TRANSACTION
// options.
func txOptions(opts []*pg.Node) (iso, ro string, err error) {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "transaction_isolation":
			v := strings.ToLower(constString(d.Arg))
			switch v {
			case "read committed", "read uncommitted":
				iso = "read committed"
			case "repeatable read", "serializable":
				iso = v
			default:
				return "", "", errf(CodeInvalidParameterValue, "invalid isolation level %q", v)
			}
		case "transaction_read_only":
			// The grammar gives READ ONLY as 1 and READ WRITE as 0.
			switch v := strings.ToLower(constString(d.Arg)); v {
			case "1", "on", "true":
				ro = "on"
			case "0", "off", "false":
				ro = "off"
			default:
				return "", "", errf(CodeInvalidParameterValue, "invalid transaction access mode %q", v)
			}
		case "transaction_deferrable":
		default:
			return "", "", unsupported("transaction option %s is not supported", d.Defname)
		}
	}
	return iso, ro, nil
}

// constString returns the text of a constant node (string, integer, name).
func constString(n *pg.Node) string {
	switch {
	case n == nil:
		return ""
	case n.GetAConst() != nil:
		c := n.GetAConst()
		switch {
		case c.GetSval() != nil:
			return c.GetSval().Sval
		case c.GetIval() != nil:
			return fmt.Sprint(c.GetIval().Ival)
		case c.GetFval() != nil:
			return c.GetFval().Fval
		case c.GetBoolval() != nil:
			if c.GetBoolval().Boolval {
				return "on"
			}
			return "off"
		}
	case n.GetString_() != nil:
		return n.GetString_().Sval
	case n.GetInteger() != nil:
		return fmt.Sprint(n.GetInteger().Ival)
	case n.GetFloat() != nil:
		return n.GetFloat().Fval
	case n.GetBoolean() != nil:
		if n.GetBoolean().Boolval {
			return "on"
		}
		return "off"
	case n.GetTypeCast() != nil:
		return constString(n.GetTypeCast().Arg)
	}
	return ""
}

func setStmt(s *pg.VariableSetStmt) (*Plan, error) {
	name := strings.ToLower(s.Name)
	switch s.Kind {
	case pg.VariableSetKind_VAR_SET_VALUE:
		var vals []string
		for _, a := range s.Args {
			vals = append(vals, constString(a))
		}
		return &Plan{Kind: KindSet, Name: name, Value: strings.Join(vals, ", "), Local: s.IsLocal, Tag: "SET"}, nil
	case pg.VariableSetKind_VAR_SET_DEFAULT:
		return &Plan{Kind: KindSet, Name: name, Reset: true, Local: s.IsLocal, Tag: "SET"}, nil
	case pg.VariableSetKind_VAR_RESET:
		return &Plan{Kind: KindSet, Name: name, Reset: true, Local: s.IsLocal, Tag: "RESET"}, nil
	case pg.VariableSetKind_VAR_RESET_ALL:
		return &Plan{Kind: KindSet, Name: "all", Reset: true, Tag: "RESET"}, nil
	case pg.VariableSetKind_VAR_SET_MULTI:
		if name == "transaction" || name == "session characteristics" {
			iso, ro, err := txOptions(s.Args)
			if err != nil {
				return nil, err
			}
			if name == "transaction" {
				return &Plan{Kind: KindTxMode, Iso: iso, TxReadOnly: ro, Tag: "SET"}, nil
			}
			switch {
			case ro == "":
				return &Plan{Kind: KindSet, Name: "default_transaction_isolation", Value: iso, Tag: "SET"}, nil
			case iso == "":
				return &Plan{Kind: KindSet, Name: "default_transaction_read_only", Value: ro, Tag: "SET"}, nil
			}
			return nil, unsupported("SET SESSION CHARACTERISTICS with both an isolation level and an access mode is not supported")
		}
	}
	return nil, unsupported("SET %s is not supported", name)
}

// ---------------------------------------------------------------------------
// SELECT

type sortKey struct {
	col        int
	desc       bool
	nullsFirst bool
	t          types.Type
}

type selectPlan struct {
	src     *source
	where   expr
	aggs    []*aggSpec
	targets []expr
	names   []string
	tcols   []wire.Column
	hidden  int
	sort    []sortKey
	limit   expr
	offset  expr
}

func (sp *selectPlan) outTypes() []types.Type {
	out := make([]types.Type, len(sp.targets)-sp.hidden)
	for i := range out {
		out[i] = sp.targets[i].typ()
	}
	return out
}

func (sp *selectPlan) columns() []wire.Column {
	n := len(sp.targets) - sp.hidden
	cols := make([]wire.Column, n)
	for i := 0; i < n; i++ {
		t := sp.targets[i].typ()
		if t.OID == types.OIDUnknown {
			t = types.Text
		}
		c := wire.Column{Name: sp.names[i], TypeOID: uint32(t.OID), TypeMod: t.Typmod, TypeSize: typeSize(t)}
		if sp.tcols != nil {
			c.TableOID, c.TableAttr = sp.tcols[i].TableOID, sp.tcols[i].TableAttr
		}
		cols[i] = c
	}
	return cols
}

func typeSize(t types.Type) int16 {
	if t.OID == types.OIDOid || t.OID == OIDRegclass {
		return 4
	}
	if info, ok := types.Info(t.OID); ok {
		return info.Len
	}
	return -1
}

func (b *builder) selectStmt(s *pg.SelectStmt) (*selectPlan, error) {
	switch {
	case s.Op != pg.SetOperation_SETOP_NONE:
		return nil, unsupported("UNION, INTERSECT and EXCEPT are not supported")
	case s.WithClause != nil:
		return nil, unsupported("WITH is not supported")
	case len(s.DistinctClause) > 0:
		return nil, unsupported("DISTINCT is not supported")
	case len(s.GroupClause) > 0 || s.HavingClause != nil:
		return nil, unsupported("GROUP BY and HAVING are not supported")
	case len(s.WindowClause) > 0:
		return nil, unsupported("window clauses are not supported")
	case len(s.LockingClause) > 0:
		return nil, unsupported("SELECT FOR UPDATE/SHARE is not supported")
	case s.IntoClause != nil:
		return nil, unsupported("SELECT INTO is not supported")
	}
	if len(s.ValuesLists) > 0 {
		return b.valuesSelect(s)
	}
	src, err := b.fromClause(s.FromClause)
	if err != nil {
		return nil, err
	}
	sp := &selectPlan{src: src}
	sc := src.sc
	if s.WhereClause != nil {
		if hasAggregate(s.WhereClause) {
			return nil, errf(CodeGrouping, "aggregate functions are not allowed in WHERE")
		}
		w, err := b.cp.expr(s.WhereClause, sc)
		if err != nil {
			return nil, err
		}
		if w, err = b.cp.coerce(w, types.Bool, types.CoerceImplicit); err != nil {
			return nil, errf(types.CodeDatatypeMismatch, "argument of WHERE must be type boolean")
		}
		sp.where = w
		src.chooseIndex(b, s.WhereClause)
	}
	agg := false
	for _, t := range s.TargetList {
		agg = agg || hasAggregate(t)
	}
	for _, sb := range s.SortClause {
		agg = agg || hasAggregate(sb.GetSortBy().Node)
	}
	tsc := sc
	if agg {
		c := *sc
		c.aggs = &sp.aggs
		tsc = &c
	}
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if agg {
				return nil, errf(CodeGrouping, "column \"*\" must appear in the GROUP BY clause or be used in an aggregate function")
			}
			if len(sc.names) == 0 && src.none {
				return nil, errf(types.CodeSyntaxError, "SELECT * with no tables specified is not valid")
			}
			for i, n := range sc.names {
				sp.targets = append(sp.targets, &colExpr{i: i, t: sc.types[i]})
				sp.names = append(sp.names, n)
				sp.tcols = append(sp.tcols, src.colDesc(i))
			}
			continue
		}
		e, err := b.cp.expr(rt.Val, tsc)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) {
			if e, err = b.cp.coerce(e, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		sp.targets = append(sp.targets, e)
		sp.names = append(sp.names, targetName(rt))
		var cd wire.Column
		if ce, ok := e.(*colExpr); ok && !agg {
			cd = src.colDesc(ce.i)
		}
		sp.tcols = append(sp.tcols, cd)
	}
	for _, n := range s.SortClause {
		sb := n.GetSortBy()
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, unsupported("ORDER BY USING is not supported")
		}
		k := sortKey{desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
		k.nullsFirst = k.desc
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			k.nullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			k.nullsFirst = false
		}
		k.col = -1
		if c := sb.Node.GetAConst(); c != nil && c.GetIval() != nil {
			pos := int(c.GetIval().Ival)
			if pos < 1 || pos > len(sp.targets)-sp.hidden {
				return nil, errf(types.CodeInvalidParameterValue, "ORDER BY position %d is not in select list", pos)
			}
			k.col = pos - 1
		} else if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
			name := cr.Fields[0].GetString_().Sval
			for i, n := range sp.names {
				if n == name {
					k.col = i
					break
				}
			}
		}
		if k.col < 0 {
			e, err := b.cp.expr(sb.Node, tsc)
			if err != nil {
				return nil, err
			}
			sp.targets = append(sp.targets, e)
			sp.names = append(sp.names, "")
			sp.tcols = append(sp.tcols, wire.Column{})
			sp.hidden++
			k.col = len(sp.targets) - 1
		}
		k.t = sp.targets[k.col].typ()
		sp.sort = append(sp.sort, k)
	}
	if s.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, unsupported("FETCH ... WITH TIES is not supported")
	}
	for _, x := range []struct {
		n   *pg.Node
		dst *expr
	}{{s.LimitCount, &sp.limit}, {s.LimitOffset, &sp.offset}} {
		if x.n == nil {
			continue
		}
		if c := x.n.GetAConst(); c != nil && c.Isnull {
			continue // LIMIT ALL / NULL
		}
		e, err := b.cp.expr(x.n, &scope{})
		if err != nil {
			return nil, err
		}
		if e, err = b.cp.coerce(e, types.Int8, types.CoerceImplicit); err != nil {
			return nil, err
		}
		*x.dst = e
	}
	return sp, nil
}

func targetName(rt *pg.ResTarget) string {
	if rt.Name != "" {
		return rt.Name
	}
	n := rt.Val
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		return f[len(f)-1].GetString_().GetSval()
	case n.GetFuncCall() != nil:
		names := nodeName(n.GetFuncCall().Funcname)
		return names[len(names)-1]
	case n.GetSqlvalueFunction() != nil:
		return strings.ToLower(strings.TrimPrefix(n.GetSqlvalueFunction().Op.String(), "SVFOP_"))
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	}
	if rt.Val.GetTypeCast() != nil {
		if tn := nodeName(rt.Val.GetTypeCast().TypeName.Names); len(tn) > 0 {
			return tn[len(tn)-1]
		}
	}
	return "?column?"
}

func (b *builder) valuesSelect(s *pg.SelectStmt) (*selectPlan, error) {
	if len(s.SortClause) > 0 || s.LimitCount != nil || s.LimitOffset != nil {
		return nil, unsupported("ORDER BY/LIMIT on VALUES is not supported")
	}
	rows, err := b.valuesRows(s.ValuesLists, nil)
	if err != nil {
		return nil, err
	}
	sp := &selectPlan{src: &source{sc: &scope{}, values: rows, none: true}}
	for i := range rows[0] {
		sp.targets = append(sp.targets, &colExpr{i: i, t: rows[0][i].typ()})
		sp.names = append(sp.names, fmt.Sprintf("column%d", i+1))
	}
	return sp, nil
}

// valuesRows compiles VALUES lists; with colTypes the values are coerced
// (assignment) to them, else unknowns become text and the first row's types
// are used for every row.
func (b *builder) valuesRows(lists []*pg.Node, colTypes []types.Type) ([][]expr, error) {
	var rows [][]expr
	for _, l := range lists {
		items := l.GetList().Items
		if len(rows) > 0 && len(items) != len(rows[0]) {
			return nil, errf(types.CodeSyntaxError, "VALUES lists must all be the same length")
		}
		if colTypes != nil && len(items) > len(colTypes) {
			return nil, errf(types.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		row := make([]expr, len(items))
		for i, it := range items {
			if it.GetSetToDefault() != nil {
				row[i] = nil // DEFAULT
				continue
			}
			e, err := b.cp.expr(it, &scope{})
			if err != nil {
				return nil, err
			}
			switch {
			case colTypes != nil:
				e, err = b.cp.coerce(e, colTypes[i], types.CoerceAssignment)
			case len(rows) > 0:
				e, err = b.cp.coerce(e, rows[0][i].typ(), types.CoerceImplicit)
			case isUnknown(e):
				e, err = b.cp.coerce(e, types.Text, types.CoerceImplicit)
			}
			if err != nil {
				return nil, err
			}
			row[i] = e
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (sp *selectPlan) run(c *Ctx, emit func([]types.Datum) error) error {
	var limit, offset int64 = -1, 0
	for _, x := range []struct {
		e   expr
		dst *int64
	}{{sp.limit, &limit}, {sp.offset, &offset}} {
		if x.e == nil {
			continue
		}
		d, err := x.e.eval(c, nil)
		if err != nil {
			return err
		}
		if !d.IsNull() {
			if d.I < 0 {
				return errf("2201W", "LIMIT/OFFSET must not be negative")
			}
			*x.dst = d.I
		}
	}
	var states []*aggState
	for _, a := range sp.aggs {
		states = append(states, &aggState{spec: a})
	}
	var rows [][]types.Datum
	var seen int64
	project := func(in []types.Datum) ([]types.Datum, error) {
		out := make([]types.Datum, len(sp.targets))
		for i, t := range sp.targets {
			d, err := t.eval(c, in)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	}
	errStop := fmt.Errorf("stop")
	visible := len(sp.targets) - sp.hidden
	err := sp.src.scan(c, func(_ heap.TID, row []types.Datum) error {
		if sp.where != nil {
			ok, err := truthy(c, sp.where, row)
			if err != nil || !ok {
				return err
			}
		}
		if states != nil {
			for _, s := range states {
				if err := s.add(c, row); err != nil {
					return err
				}
			}
			return nil
		}
		out, err := project(row)
		if err != nil {
			return err
		}
		if sp.sort != nil {
			rows = append(rows, out)
			return nil
		}
		seen++
		if seen <= offset {
			return nil
		}
		if err := emit(out[:visible]); err != nil {
			return err
		}
		if limit >= 0 && seen-offset >= limit {
			return errStop
		}
		return nil
	})
	if err == errStop {
		return nil
	}
	if err != nil {
		return err
	}
	if states != nil {
		aggRow := make([]types.Datum, len(states))
		for i, s := range states {
			d, err := s.result()
			if err != nil {
				return err
			}
			aggRow[i] = d
		}
		out, err := project(aggRow)
		if err != nil {
			return err
		}
		rows = append(rows, out)
	} else if sp.sort == nil {
		return nil
	}
	if sp.sort != nil {
		sort.SliceStable(rows, func(i, j int) bool {
			for _, k := range sp.sort {
				cmp := func(a, b types.Datum) int { return types.CompareAs(k.t, a, b) }
				x := types.CompareNulls(rows[i][k.col], rows[j][k.col], k.nullsFirst, cmp)
				if k.desc {
					if rows[i][k.col].IsNull() != rows[j][k.col].IsNull() {
						// NULL placement is already decided by nullsFirst
					} else {
						x = -x
					}
				}
				if x != 0 {
					return x < 0
				}
			}
			return false
		})
	}
	for i, r := range rows {
		if int64(i) < offset {
			continue
		}
		if limit >= 0 && int64(i)-offset >= limit {
			break
		}
		if err := emit(r[:visible]); err != nil {
			return err
		}
	}
	return nil
}
