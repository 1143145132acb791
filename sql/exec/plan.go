package exec

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/rellock"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// Kind says how the session treats a plan.
type Kind uint8

// Plan kinds.
const (
	KindQuery      Kind = iota // runs in a transaction (SELECT, DML, DDL, COPY, ...)
	KindBegin                  // BEGIN / START TRANSACTION
	KindCommit                 // COMMIT / END
	KindRollback               // ROLLBACK / ABORT
	KindSet                    // SET name = value (session)
	KindShow                   // SHOW name (session)
	KindTxMode                 // SET TRANSACTION ... (session)
	KindEmpty                  // empty statement
	KindSavepoint              // SAVEPOINT name (Name)
	KindRelease                // RELEASE [SAVEPOINT] name (Name)
	KindRollbackTo             // ROLLBACK TO [SAVEPOINT] name (Name)
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

	// Locks are the relation locks the session takes before running the
	// plan, held to transaction end (lockrel.go).
	Locks []rellock.Request
	// LockTable: a LOCK statement (transaction blocks only); LockNoWait
	// is its NOWAIT.
	LockTable, LockNoWait bool

	// Explain is the plan's shape, as EXPLAIN prints it.
	Explain string
	// SearchPath is the search_path the plan was built with (BuildPath).
	SearchPath string

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

// Build plans one parsed statement against catalog cat with the
// database's function registry. paramTypes are the client's parameter type
// OIDs (0: infer).
func (db *DB) Build(stmt ast.Statement, cat *catalog.Set, paramTypes []uint32) (*Plan, error) {
	return build(stmt, cat, paramTypes, db.Funcs, "")
}

// BuildPath is Build with the session's search_path (searchPath is the
// setting's text; "" means public only): unqualified relation names are
// looked up in its schemas, CREATE without a schema creates in the first
// that exists. The plan's SearchPath records it: a plan is valid only for
// the same setting.
func (db *DB) BuildPath(stmt ast.Statement, cat *catalog.Set, paramTypes []uint32, searchPath string) (*Plan, error) {
	return build(stmt, cat, paramTypes, db.Funcs, searchPath)
}

// Build plans one parsed statement against catalog cat, knowing only the
// executor's own functions. paramTypes are the client's parameter type
// OIDs (0: infer).
func Build(stmt ast.Statement, cat *catalog.Set, paramTypes []uint32) (*Plan, error) {
	return build(stmt, cat, paramTypes, nil, "")
}

func build(stmt ast.Statement, cat *catalog.Set, paramTypes []uint32, reg *funcs.Registry, searchPath string) (*Plan, error) {
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
	b := &builder{cp: &compiler{ps: ps, cat: cat, funcs: reg}, cat: cat, path: parseSearchPath(searchPath)}
	b.cp.sq = &subqState{b: b, top: topWith(stmt)}
	p, err := b.stmt(stmt)
	if err != nil {
		return nil, err
	}
	p.Cat = cat
	p.SearchPath = searchPath
	if p.Kind == KindQuery {
		p.Locks = b.relationLocks(stmt)
	}
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

// builder plans the statements of one Build.
type builder struct {
	cp   *compiler
	cat  *catalog.Set
	path []string // search_path schemas (schema.go); nil: public
	sys  bool     // the statement names a system column (syscols.go)
}

func (b *builder) stmt(st ast.Statement) (*Plan, error) {
	b.sys = refsSystemColumn(st) // syscols.go
	if p, ok, err := b.withDML(st); ok {
		return p, err
	}
	switch s := st.(type) {
	case nil:
		return &Plan{Kind: KindEmpty}, nil
	case *ast.Select:
		root, err := b.selectQuery(s, nil)
		if err != nil {
			return nil, err
		}
		p := queryPlan(root)
		p.ReadOnly = lockingCommand(s) == "" && dmlCommand(s.With) == "" // FOR UPDATE/SHARE writes row locks
		return p, nil
	case *ast.Explain:
		for _, o := range s.Options {
			if o.Name == "analyze" {
				return nil, unsupported("EXPLAIN ANALYZE is not supported")
			}
		}
		inner, err := b.stmt(s.Stmt)
		if err != nil {
			return nil, err
		}
		text := inner.Explain
		if text == "" {
			text = "Utility Statement"
		}
		p := &Plan{Kind: KindQuery, ReadOnly: true, Columns: []wire.Column{textColumn("QUERY PLAN")}, ColTypes: []types.Type{types.Text}}
		lines := strings.Split(text, "\n")
		p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
			for _, l := range lines {
				if err := emit([]types.Datum{types.NewString(l)}); err != nil {
					return "", err
				}
			}
			return "EXPLAIN", nil
		}
		return p, nil
	case *ast.Insert:
		return b.insertStmt(s)
	case *ast.Update:
		return b.updateStmt(s)
	case *ast.Delete:
		return b.deleteStmt(s)
	case *ast.CreateTable:
		return b.createStmt(s)
	case *ast.Drop:
		if s.Type == ast.DropView {
			return b.dropViewStmt(s)
		}
		return b.dropStmt(s)
	case *ast.CreateView:
		return b.createViewStmt(s)
	case *ast.CreateSequence:
		return b.createSequenceStmt(s)
	case *ast.CreateSchema:
		return b.createSchemaStmt(s)
	case *ast.AlterSequence:
		return b.alterSequenceStmt(s)
	case *ast.Truncate:
		return b.truncateStmt(s)
	case *ast.Lock:
		return b.lockStmt(s)
	case *ast.AlterTable:
		return b.alterTableStmt(s)
	case *ast.CreateIndex:
		return b.indexStmt(s)
	case *ast.Copy:
		return b.copyStmt(s)
	case *ast.Vacuum:
		return b.vacuumStmt(s)
	case *ast.Transaction:
		return txStmt(s)
	case *ast.Set:
		return setStmt(s)
	case *ast.Reset:
		return &Plan{Kind: KindSet, Name: s.Name, Reset: true, Tag: "RESET"}, nil
	case *ast.Show:
		name := s.Name
		col := name
		if c, ok := showColumns[name]; ok {
			col = c
		}
		return &Plan{Kind: KindShow, Name: name,
			Columns:  []wire.Column{textColumn(col)},
			ColTypes: []types.Type{types.Text}}, nil
	case *ast.Discard:
		if s.Target != "all" {
			return nil, unsupported("DISCARD %s is not supported", strings.ToUpper(s.Target))
		}
		return &Plan{Kind: KindSet, Reset: true, Name: "all", Tag: "DISCARD ALL"}, nil
	}
	tag := ast.CommandTag(st)
	if tag == "" {
		tag = "this statement"
	}
	return nil, unsupported("%s is not supported", tag)
}

// queryPlan is the plan of a SELECT whose operator tree is root.
func queryPlan(root node) *Plan {
	cols := root.columns()
	p := &Plan{Kind: KindQuery, ReadOnly: true, Explain: explainPlan(root)}
	for _, c := range cols {
		p.Columns = append(p.Columns, c.desc())
		t := c.typ
		p.ColTypes = append(p.ColTypes, t)
	}
	root = regOutput(root, p.ColTypes)
	p.run = func(c *Ctx, emit func([]types.Datum) error) (string, error) {
		nrows := 0
		err := root.run(c, func(r []types.Datum) error { nrows++; return emit(r) })
		if err == errStop {
			err = nil
		}
		return fmt.Sprintf("SELECT %d", nrows), err
	}
	return p
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
func writeCommand(st ast.Statement) string {
	switch s := st.(type) {
	case *ast.Copy:
		if s.From {
			return "COPY FROM"
		}
		return ""
	case *ast.Vacuum:
		return ""
	case *ast.Select:
		if w := dmlCommand(s.With); w != "" {
			return w
		}
		return lockingCommand(s)
	}
	return ast.CommandTag(st)
}

func textColumn(name string) wire.Column {
	return wire.Column{Name: name, TypeOID: uint32(types.OIDText), TypeSize: -1, TypeMod: -1}
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

// isolation maps an isolation level as written to the engine's name.
func isolation(v string) (string, error) {
	switch v {
	case "":
		return "", nil
	case "read committed", "read uncommitted":
		return "read committed", nil
	case "repeatable read", "serializable":
		return v, nil
	}
	return "", errf(CodeInvalidParameterValue, "invalid isolation level %q", v)
}

func txStmt(t *ast.Transaction) (*Plan, error) {
	iso, err := isolation(t.Isolation)
	if err != nil {
		return nil, err
	}
	ro := ""
	if t.ReadOnly != nil {
		ro = boolSetting(*t.ReadOnly)
	}
	switch t.Kind {
	case ast.TxnBegin:
		return &Plan{Kind: KindBegin, Iso: iso, TxReadOnly: ro, Tag: ast.CommandTag(t)}, nil
	case ast.TxnCommit:
		return &Plan{Kind: KindCommit}, nil
	case ast.TxnRollback:
		return &Plan{Kind: KindRollback}, nil
	case ast.TxnSavepoint:
		return &Plan{Kind: KindSavepoint, Name: t.Savepoint, Tag: "SAVEPOINT"}, nil
	case ast.TxnRelease:
		return &Plan{Kind: KindRelease, Name: t.Savepoint, Tag: "RELEASE"}, nil
	case ast.TxnRollbackTo:
		return &Plan{Kind: KindRollbackTo, Name: t.Savepoint, Tag: "ROLLBACK"}, nil
	}
	return nil, unsupported("%s is not supported", ast.CommandTag(t))
}

func boolSetting(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// constString returns the text of a SET value.
func constString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Const:
		switch {
		case x.Value.IsNull():
			return ""
		case x.Type.OID == types.OIDBool:
			return boolSetting(x.Value.Bool())
		case x.Value.K == types.KindString:
			return x.Value.S
		}
		return types.FormatText(x.Type, x.Value, nil)
	case *ast.Cast:
		return constString(x.Expr)
	case *ast.UnaryExpr:
		if x.Op == "-" {
			return "-" + constString(x.Expr)
		}
	case *ast.ColumnRef:
		return x.Column
	}
	return ""
}

func setStmt(s *ast.Set) (*Plan, error) {
	name := s.Name
	if s.Default {
		return &Plan{Kind: KindSet, Name: name, Reset: true, Local: s.Local, Tag: "SET"}, nil
	}
	var vals []string
	for _, a := range s.Values {
		vals = append(vals, constString(a))
	}
	v := strings.Join(vals, ", ")
	if s.Transaction {
		switch name {
		case "transaction_isolation", "default_transaction_isolation":
			iso, err := isolation(strings.ToLower(v))
			if err != nil {
				return nil, err
			}
			if name == "transaction_isolation" {
				p := &Plan{Kind: KindTxMode, Iso: iso, Tag: "SET"}
				if s.ReadOnly != nil {
					p.TxReadOnly = boolSetting(*s.ReadOnly)
				}
				return p, nil
			}
			v = iso
		case "transaction_read_only", "default_transaction_read_only":
			v = boolSetting(v == "true")
			if name == "transaction_read_only" {
				return &Plan{Kind: KindTxMode, TxReadOnly: v, Tag: "SET"}, nil
			}
		}
	}
	return &Plan{Kind: KindSet, Name: name, Value: v, Local: s.Local, Tag: "SET"}, nil
}
