// Package ast is Borealis's typed SQL syntax tree. Parse turns SQL text into
// statements using PostgreSQL's own grammar (pg_query_go); every construct
// that the tree cannot represent is rejected with SQLSTATE 0A000 naming it,
// and syntax errors carry 42601 with PostgreSQL's cursor position, both as
// *types.Error. The tree is purely syntactic: names are unresolved and
// types are TypeName values that the binder resolves with types.LookupType.
package ast

import "github.com/borealis-db/borealis/sql/types"

// Node is any syntax tree node.
type Node interface{ node() }

// Statement is a top-level SQL statement.
type Statement interface {
	Node
	stmt()
}

// Expr is a scalar expression.
type Expr interface {
	Node
	expr()
}

// TableExpr is an item of a FROM clause.
type TableExpr interface {
	Node
	tableExpr()
}

// QualifiedName is an optionally schema-qualified object name.
type QualifiedName struct {
	Schema string
	Name   string
}

// String renders schema.name.
func (q QualifiedName) String() string {
	if q.Schema != "" {
		return q.Schema + "." + q.Name
	}
	return q.Name
}

// TypeName is a type as written: a lower-case name as PostgreSQL's
// grammar produces it (int4, varchar, bpchar, numeric, timestamptz, …, or a
// user-written name such as serial) with its modifiers.
type TypeName struct {
	Schema      string
	Name        string
	Mods        []int32
	ArrayBounds int // number of [] dimensions (0 = not an array)
	Loc         int
	// Resolved, when set, is the type itself (names built by the engine,
	// e.g. CREATE TABLE AS columns typed from a query's output).
	Resolved *types.Type
}

// Resolve maps the name to a supported SQL type.
func (t *TypeName) Resolve() (types.Type, error) {
	if t.Resolved != nil {
		return *t.Resolved, nil
	}
	typ, err := types.LookupType(t.Name, t.Mods)
	if err == nil && t.ArrayBounds > 0 {
		typ, err = types.ArrayOf(typ)
	}
	if err != nil {
		if e, ok := err.(*types.Error); ok {
			e2 := *e
			e2.Position = t.Loc + 1
			return types.Type{}, &e2
		}
	}
	return typ, err
}

// Alias is "AS name (col, ...)".
type Alias struct {
	Name    string
	Columns []string
}

// ---- statements ----

// Select is a SELECT, VALUES, or set operation (when Op != SetNone).
type Select struct {
	With       *With
	Distinct   bool
	DistinctOn []Expr
	Targets    []*Target
	From       []TableExpr
	Where      Expr
	GroupBy    []Expr
	GroupEmpty bool // GROUP BY () (with GroupBy empty: one group, as no GROUP BY in an aggregate query)
	Having     Expr
	Values     [][]Expr // VALUES (...), (...) when non-nil
	Op         SetOp    // set operation combining Left and Right
	All        bool     // UNION ALL etc.
	Left       *Select
	Right      *Select
	OrderBy    []*OrderItem
	Limit      Expr
	Offset     Expr
	WithTies   bool // FETCH FIRST n ROWS WITH TIES (Limit is n)
	Locking    []*Locking
	Windows    []*WindowDef // WINDOW clause (named windows)
}

// SetOp is a set operation.
type SetOp uint8

// Set operations.
const (
	SetNone SetOp = iota
	SetUnion
	SetIntersect
	SetExcept
)

// With is a WITH clause.
type With struct {
	Recursive bool
	CTEs      []*CTE
}

// CTE is one common table expression.
type CTE struct {
	Name    string
	Columns []string
	Query   Statement // *Select, or DML with RETURNING
}

// Target is a select-list or RETURNING item; "*" and "t.*" are a
// *ColumnRef with Star set.
type Target struct {
	Expr  Expr
	Alias string
	Loc   int
}

// OrderItem is an ORDER BY item.
type OrderItem struct {
	Expr       Expr
	Desc       bool
	NullsFirst *bool // nil = default for the direction
}

// Locking is FOR UPDATE / FOR SHARE ...
type Locking struct {
	Strength string // "update", "no key update", "share", "key share"
	Tables   []QualifiedName
	NoWait   bool
	SkipLock bool
}

// TableRef names a table in FROM.
type TableRef struct {
	Name  QualifiedName
	Alias *Alias
	Only  bool
	Loc   int
}

// JoinType is the kind of a join.
type JoinType uint8

// Join types.
const (
	JoinInner JoinType = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
)

// Join is "left JOIN right ON/USING".
type Join struct {
	Type    JoinType
	Natural bool
	Left    TableExpr
	Right   TableExpr
	On      Expr
	Using   []string
	Alias   *Alias
}

// SubqueryRef is "(SELECT ...) AS alias".
type SubqueryRef struct {
	Select  *Select
	Alias   *Alias
	Lateral bool
}

// FuncRef is a function in FROM, e.g. generate_series(1, 10) AS x.
type FuncRef struct {
	Func           *FuncCall
	Alias          *Alias
	Lateral        bool
	WithOrdinality bool
}

// Insert is INSERT.
type Insert struct {
	With          *With
	Table         QualifiedName
	Alias         string
	Columns       []string
	Source        *Select // VALUES or query; nil with DefaultValues
	DefaultValues bool
	OnConflict    *OnConflict
	Returning     []*Target
	// Overriding is OVERRIDING SYSTEM VALUE ("system") or USER VALUE
	// ("user"); "" when not written.
	Overriding string
}

// OnConflict is ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE].
type OnConflict struct {
	Columns     []string // inference columns
	TargetWhere Expr
	Constraint  string // ON CONSTRAINT name
	DoUpdate    bool
	Set         []*SetClause
	Where       Expr
}

// SetClause is "column = expr" in UPDATE / ON CONFLICT DO UPDATE.
type SetClause struct {
	Column string
	Expr   Expr // *Default for DEFAULT
	// Indirect: the target has subscripts or field selection (SET a[1] = …,
	// SET t.a = …); the executor checks Column exists, then refuses it.
	Indirect bool
}

// Update is UPDATE.
type Update struct {
	With      *With
	Table     QualifiedName
	Alias     string
	Set       []*SetClause
	From      []TableExpr
	Where     Expr
	Returning []*Target
}

// Delete is DELETE.
type Delete struct {
	With      *With
	Table     QualifiedName
	Alias     string
	Using     []TableExpr
	Where     Expr
	Returning []*Target
}

// CreateTable is CREATE TABLE.
type CreateTable struct {
	Name        QualifiedName
	IfNotExists bool
	Temp        bool
	Unlogged    bool
	Columns     []*ColumnDef
	Constraints []*Constraint
	Options     []*Option // WITH (fillfactor=90, ...)
}

// ColumnDef is a column definition. Column constraints other than NOT NULL,
// NULL and DEFAULT are in Constraints.
type ColumnDef struct {
	Name    string
	Type    *TypeName
	NotNull bool
	Default Expr
	// DefaultSQL is Default as SQL text (PostgreSQL's deparse), for
	// storing in the catalog.
	DefaultSQL  string
	Identity    string // "a" (ALWAYS), "d" (BY DEFAULT) or ""
	Constraints []*Constraint
}

// ConstraintType is the kind of a constraint.
type ConstraintType uint8

// Constraint kinds.
const (
	ConstrPrimaryKey ConstraintType = iota + 1
	ConstrUnique
	ConstrCheck
	ConstrForeignKey
)

// Constraint is a table or column constraint.
type Constraint struct {
	Type       ConstraintType
	Name       string
	Columns    []string // key columns (empty on a column constraint)
	Check      Expr
	CheckSQL   string // Check as SQL text (PostgreSQL's deparse), for the catalog
	RefTable   QualifiedName
	RefColumns []string
	OnDelete   string // "a" no action, "r" restrict, "c" cascade, "n" set null, "d" set default
	OnUpdate   string
	Options    []*Option // index WITH options
}

// Option is a "name = value" option (storage parameters, COPY options, ...).
// Value is the option's text ("" when given without a value).
type Option struct {
	Name  string
	Value string
}

// DropObjectType is what a DROP removes.
type DropObjectType uint8

// DROP targets.
const (
	DropTable DropObjectType = iota + 1
	DropIndex
	DropView
	DropSchema
	DropSequence
)

// Drop is DROP TABLE/INDEX/VIEW/SCHEMA/SEQUENCE.
type Drop struct {
	Type     DropObjectType
	Names    []QualifiedName
	IfExists bool
	Cascade  bool
}

// AlterTable is ALTER TABLE (and ALTER TABLE ... RENAME).
type AlterTable struct {
	Table    QualifiedName
	IfExists bool
	Cmds     []*AlterCmd
}

// AlterCmdType is one ALTER TABLE action.
type AlterCmdType uint8

// ALTER TABLE actions.
const (
	AlterAddColumn AlterCmdType = iota + 1
	AlterDropColumn
	AlterAddConstraint
	AlterDropConstraint
	AlterSetDefault  // Default nil = DROP DEFAULT
	AlterSetNotNull  // SET NOT NULL
	AlterDropNotNull // DROP NOT NULL
	AlterRenameColumn
	AlterRenameTable
	AlterRenameConstraint
	AlterColumnType // ALTER COLUMN ... TYPE (Def.Type; USING expression in Using)
)

// AlterCmd is one action of ALTER TABLE.
type AlterCmd struct {
	Type       AlterCmdType
	Column     string // column (or constraint) acted on
	NewName    string // for renames
	Def        *ColumnDef
	Constraint *Constraint
	Default    Expr
	DefaultSQL string // Default as SQL text (PostgreSQL's deparse)
	IfExists   bool   // DROP COLUMN IF EXISTS / ADD COLUMN IF NOT EXISTS
	Cascade    bool
	Using      Expr // ALTER COLUMN TYPE ... USING expression (nil: none)
}

// CreateIndex is CREATE [UNIQUE] INDEX.
type CreateIndex struct {
	Name         string
	Table        QualifiedName
	Unique       bool
	IfNotExists  bool
	Concurrently bool
	Method       string
	Columns      []*IndexElem
	Include      []string
	Where        Expr
	Options      []*Option
}

// IndexElem is an index key: a column or an expression.
type IndexElem struct {
	Column     string
	Expr       Expr
	Desc       bool
	NullsFirst *bool
}

// Truncate is TRUNCATE [TABLE] t, ....
type Truncate struct {
	Tables          []QualifiedName
	RestartIdentity bool
	Cascade         bool
}

// TxnKind is a transaction control statement kind.
type TxnKind uint8

// Transaction statements.
const (
	TxnBegin    TxnKind = iota + 1 // BEGIN / START TRANSACTION
	TxnCommit                      // COMMIT / END
	TxnRollback                    // ROLLBACK / ABORT
	TxnSavepoint
	TxnRelease
	TxnRollbackTo
)

// Transaction is BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/ROLLBACK TO.
type Transaction struct {
	Kind       TxnKind
	Start      bool   // written START TRANSACTION (command tag differs from BEGIN)
	Isolation  string // "read committed", "repeatable read", "serializable", "read uncommitted" or ""
	ReadOnly   *bool
	Deferrable *bool
	Savepoint  string
	Chain      bool
}

// Vacuum is VACUUM or ANALYZE (IsAnalyze set for the ANALYZE statement).
type Vacuum struct {
	IsAnalyze bool
	Analyze   bool
	Full      bool
	Freeze    bool
	Verbose   bool
	Tables    []*VacuumTarget
}

// VacuumTarget is a table with optional columns.
type VacuumTarget struct {
	Table   QualifiedName
	Columns []string
}

// Set is SET [LOCAL] name = value / TO DEFAULT, SET TIME ZONE, and SET
// TRANSACTION / SESSION CHARACTERISTICS (Name "transaction_isolation" etc.).
type Set struct {
	Name    string
	Values  []Expr // constants; empty with Default
	Default bool
	Local   bool
	// Transaction: written SET TRANSACTION ... or SET SESSION
	// CHARACTERISTICS AS TRANSACTION ... (not SET name = value).
	Transaction bool
	// ReadOnly is the access mode given together with an isolation level
	// in SET TRANSACTION (Name is then "transaction_isolation").
	ReadOnly *bool
}

// Reset is RESET name / RESET ALL (Name "all").
type Reset struct{ Name string }

// Show is SHOW name / SHOW ALL.
type Show struct{ Name string }

// Copy is COPY table [(cols)] FROM STDIN / TO STDOUT [WITH (...)].
type Copy struct {
	Table   QualifiedName
	Columns []string
	Query   *Select // COPY (query) TO
	From    bool
	Options []*Option // lower-case names: format, freeze, delimiter, null, header, quote, escape, ...
}

// Discard is DISCARD ALL (Target "all"), PLANS, SEQUENCES or TEMP.
type Discard struct{ Target string }

// Explain is EXPLAIN [ANALYZE] statement.
type Explain struct {
	Stmt    Statement
	Options []*Option
}

// CreateSchema is CREATE SCHEMA.
type CreateSchema struct {
	Name        string
	IfNotExists bool
}

// CreateView is CREATE [OR REPLACE] VIEW.
type CreateView struct {
	Name      QualifiedName
	Columns   []string
	Query     *Select
	OrReplace bool
	// SQL is the query's text as PostgreSQL's deparser prints it (what the
	// catalog stores; ParseOne reads it back).
	SQL string
}

// ---- expressions ----

// Const is a literal, typed as PostgreSQL types literals: integers that fit
// int4 are int4, then int8, larger or decimal ones numeric; strings are
// unknown; TRUE/FALSE bool; NULL is a NULL of type unknown.
type Const struct {
	Value types.Datum
	Type  types.Type
	Loc   int
}

// ColumnRef is a column reference: [schema.][table.]column, or a star
// (Star; Table set for t.*).
type ColumnRef struct {
	Schema string
	Table  string
	Column string
	Star   bool
	Loc    int
}

// Param is $n (1-based).
type Param struct {
	Index int
	Loc   int
}

// BinaryExpr is "left op right" for a PostgreSQL operator name (+, =, <>,
// ||, ~, ...).
type BinaryExpr struct {
	Op    string
	Left  Expr
	Right Expr
	Loc   int
}

// UnaryExpr is a prefix operator ("-", "+", "~", "@", ...).
type UnaryExpr struct {
	Op   string
	Expr Expr
	Loc  int
}

// BoolOp is AND/OR/NOT.
type BoolOp uint8

// Boolean operators.
const (
	And BoolOp = iota + 1
	Or
	Not
)

// BoolExpr is AND/OR over Args, or NOT of Args[0].
type BoolExpr struct {
	Op   BoolOp
	Args []Expr
}

// FuncCall is a function or aggregate call, possibly a window function.
type FuncCall struct {
	Schema   string
	Name     string // lower-case
	Args     []Expr
	Star     bool // count(*)
	Distinct bool
	OrderBy  []*OrderItem // aggregate ORDER BY
	Filter   Expr
	Over     *WindowDef
	Variadic bool
	Loc      int
	// ArgNames holds the names of arguments given in named notation
	// (`name => value`), "" for positional ones; nil when none is named.
	ArgNames []string
}

// WindowDef is an OVER clause or an entry of a WINDOW clause (Name set).
// RefName names the window it is based on: OVER w (Exact: w itself) or
// OVER (w ORDER BY ...) (a copy of w extended).
type WindowDef struct {
	Name        string
	RefName     string
	Exact       bool
	PartitionBy []Expr
	OrderBy     []*OrderItem
	// FrameOptions is PostgreSQL's frame option bits (FRAMEOPTION_*);
	// StartOffset/EndOffset are the n of "n PRECEDING/FOLLOWING".
	FrameOptions int32
	StartOffset  Expr
	EndOffset    Expr
	Loc          int
}

// CaseExpr is CASE [arg] WHEN ... THEN ... [ELSE ...] END.
type CaseExpr struct {
	Arg   Expr
	Whens []*When
	Else  Expr
}

// When is one WHEN cond THEN result.
type When struct {
	Cond   Expr
	Result Expr
}

// Coalesce is COALESCE(args).
type Coalesce struct{ Args []Expr }

// NullIf is NULLIF(a, b).
type NullIf struct{ Left, Right Expr }

// MinMax is GREATEST(args) or LEAST(args).
type MinMax struct {
	Greatest bool
	Args     []Expr
}

// Cast is CAST(expr AS type) or expr::type (and type 'literal').
type Cast struct {
	Expr Expr
	Type *TypeName
	Loc  int
}

// InList is "expr [NOT] IN (list)".
type InList struct {
	Expr Expr
	List []Expr
	Not  bool
}

// SubqueryKind is the kind of a subquery expression.
type SubqueryKind uint8

// Subquery expression kinds.
const (
	SubExists SubqueryKind = iota + 1 // EXISTS (select)
	SubScalar                         // (select)
	SubAny                            // left op ANY (select); IN is ANY with "="
	SubAll                            // left op ALL (select)
	SubArray                          // ARRAY(select)
)

// Subquery is a subquery used as an expression.
type Subquery struct {
	Kind   SubqueryKind
	Op     string // comparison for ANY/ALL
	Left   Expr
	Select *Select
}

// AnyAll is "left op ANY|ALL (array expression)".
type AnyAll struct {
	Op    string
	All   bool
	Left  Expr
	Right Expr
}

// Between is "expr [NOT] BETWEEN [SYMMETRIC] low AND high".
type Between struct {
	Expr      Expr
	Low, High Expr
	Not       bool
	Symmetric bool
}

// Like is "expr [NOT] LIKE|ILIKE pattern [ESCAPE e]".
type Like struct {
	Expr            Expr
	Pattern         Expr
	Escape          Expr
	Not             bool
	CaseInsensitive bool
}

// IsNull is "expr IS [NOT] NULL".
type IsNull struct {
	Expr Expr
	Not  bool
}

// IsBool is "expr IS [NOT] TRUE|FALSE|UNKNOWN".
type IsBool struct {
	Expr  Expr
	Value string // "true", "false", "unknown"
	Not   bool
}

// IsDistinct is "left IS [NOT] DISTINCT FROM right".
type IsDistinct struct {
	Left, Right Expr
	Not         bool
}

// SQLValueFunc is a niladic SQL function: current_timestamp,
// current_date, localtimestamp, current_user, session_user, user,
// current_role, current_schema, current_catalog, current_time, localtime.
type SQLValueFunc struct {
	Name      string
	Precision int32 // -1 unless e.g. current_timestamp(3)
	Loc       int
}

// ArrayExpr is ARRAY[elems].
type ArrayExpr struct{ Elems []Expr }

// Default is the DEFAULT keyword in VALUES or SET.
type Default struct{}

func (*Select) node()       {}
func (*Insert) node()       {}
func (*Update) node()       {}
func (*Delete) node()       {}
func (*CreateTable) node()  {}
func (*Drop) node()         {}
func (*AlterTable) node()   {}
func (*CreateIndex) node()  {}
func (*Truncate) node()     {}
func (*Transaction) node()  {}
func (*Vacuum) node()       {}
func (*Discard) node()      {}
func (*Set) node()          {}
func (*Reset) node()        {}
func (*Show) node()         {}
func (*Copy) node()         {}
func (*Explain) node()      {}
func (*CreateSchema) node() {}
func (*CreateView) node()   {}

func (*Select) stmt()       {}
func (*Insert) stmt()       {}
func (*Update) stmt()       {}
func (*Delete) stmt()       {}
func (*CreateTable) stmt()  {}
func (*Drop) stmt()         {}
func (*AlterTable) stmt()   {}
func (*CreateIndex) stmt()  {}
func (*Truncate) stmt()     {}
func (*Transaction) stmt()  {}
func (*Vacuum) stmt()       {}
func (*Set) stmt()          {}
func (*Reset) stmt()        {}
func (*Show) stmt()         {}
func (*Copy) stmt()         {}
func (*Explain) stmt()      {}
func (*Discard) stmt()      {}
func (*CreateSchema) stmt() {}
func (*CreateView) stmt()   {}

func (*TableRef) node()         {}
func (*Join) node()             {}
func (*SubqueryRef) node()      {}
func (*FuncRef) node()          {}
func (*TableRef) tableExpr()    {}
func (*Join) tableExpr()        {}
func (*SubqueryRef) tableExpr() {}
func (*FuncRef) tableExpr()     {}

func (*Const) node()        {}
func (*ColumnRef) node()    {}
func (*Param) node()        {}
func (*BinaryExpr) node()   {}
func (*UnaryExpr) node()    {}
func (*BoolExpr) node()     {}
func (*FuncCall) node()     {}
func (*CaseExpr) node()     {}
func (*Coalesce) node()     {}
func (*NullIf) node()       {}
func (*MinMax) node()       {}
func (*Cast) node()         {}
func (*InList) node()       {}
func (*Subquery) node()     {}
func (*AnyAll) node()       {}
func (*Between) node()      {}
func (*Like) node()         {}
func (*IsNull) node()       {}
func (*IsBool) node()       {}
func (*IsDistinct) node()   {}
func (*SQLValueFunc) node() {}
func (*ArrayExpr) node()    {}
func (*Default) node()      {}

func (*Const) expr()        {}
func (*ColumnRef) expr()    {}
func (*Param) expr()        {}
func (*BinaryExpr) expr()   {}
func (*UnaryExpr) expr()    {}
func (*BoolExpr) expr()     {}
func (*FuncCall) expr()     {}
func (*CaseExpr) expr()     {}
func (*Coalesce) expr()     {}
func (*NullIf) expr()       {}
func (*MinMax) expr()       {}
func (*Cast) expr()         {}
func (*InList) expr()       {}
func (*Subquery) expr()     {}
func (*AnyAll) expr()       {}
func (*Between) expr()      {}
func (*Like) expr()         {}
func (*IsNull) expr()       {}
func (*IsBool) expr()       {}
func (*IsDistinct) expr()   {}
func (*SQLValueFunc) expr() {}
func (*ArrayExpr) expr()    {}
func (*Default) expr()      {}
