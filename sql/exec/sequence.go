package exec

// Sequences (area "ddl"): CREATE/ALTER/DROP SEQUENCE, serial and identity
// columns, nextval/currval/setval/lastval and SELECT * FROM seq.
//
// A sequence is a catalog.Table with Sequence set: its Root is the page of
// package sequence that holds its parameters and value (DB.Seqs opens it),
// its Columns are last_value, log_cnt and is_called. Creating one is
// transactional in the catalog (an aborted CREATE leaves only a leaked
// page); the values it hands out are not, as in PostgreSQL. A serial or
// identity column owns its sequence (OwnedBy): DROP TABLE drops it and
// TRUNCATE ... RESTART IDENTITY restarts it.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/types"
)

// sequenceColumns are the columns SELECT * FROM seq shows.
var sequenceColumns = []catalog.Column{
	{Name: "last_value", Type: types.Int8, NotNull: true},
	{Name: "log_cnt", Type: types.Int8, NotNull: true},
	{Name: "is_called", Type: types.Bool, NotNull: true},
}

// seqOptions converts CREATE/ALTER SEQUENCE options. restart is set for
// RESTART [WITH n] (restartStart: RESTART alone, at the start value);
// ownedBy is OWNED BY's "table,column" or "none" ("" when not given).
func seqOptions(opts []*ast.Option, alter bool) (o sequence.Options, restart *int64, restartStart bool, ownedBy string, err error) {
	seen := map[string]bool{}
	num := func(op *ast.Option) (*int64, error) {
		v, err := strconv.ParseInt(strings.TrimSpace(op.Value), 10, 64)
		if err != nil {
			return nil, errf(CodeInvalidParameterValue, "%s requires a numeric value", op.Name)
		}
		return &v, nil
	}
	for _, op := range opts {
		if seen[op.Name] {
			return o, nil, false, "", &types.Error{Code: types.CodeSyntaxError, Message: "conflicting or redundant options"}
		}
		seen[op.Name] = true
		switch op.Name {
		case "as":
			var t sequence.IntType
			switch strings.TrimPrefix(op.Value, "pg_catalog.") {
			case "int2", "smallint":
				t = sequence.Int2
			case "int4", "integer", "int":
				t = sequence.Int4
			case "int8", "bigint":
				t = sequence.Int8
			default:
				return o, nil, false, "", errf(CodeInvalidParameterValue, "sequence type must be smallint, integer, or bigint")
			}
			o.Type = &t
		case "increment":
			if o.Increment, err = num(op); err != nil {
				return
			}
		case "start":
			if o.Start, err = num(op); err != nil {
				return
			}
		case "restart":
			if !alter {
				return o, nil, false, "", unsupported("RESTART in CREATE SEQUENCE is not supported")
			}
			if op.Value == "" {
				restartStart = true
			} else if restart, err = num(op); err != nil {
				return
			}
		case "minvalue":
			if op.Value == "" {
				o.NoMin = true
			} else if o.Min, err = num(op); err != nil {
				return
			}
		case "maxvalue":
			if op.Value == "" {
				o.NoMax = true
			} else if o.Max, err = num(op); err != nil {
				return
			}
		case "cache":
			if o.Cache, err = num(op); err != nil {
				return
			}
		case "cycle":
			c := op.Value == "true"
			o.Cycle = &c
		case "owned_by":
			ownedBy = strings.ToLower(op.Value)
		default:
			return o, nil, false, "", unsupported("sequence option %q is not supported", op.Name)
		}
	}
	return o, restart, restartStart, ownedBy, nil
}

// resolveOwnedBy finds OWNED BY's table and column ("none": 0, 0).
func resolveOwnedBy(cat *catalog.Set, ownedBy string) (uint32, int, error) {
	if ownedBy == "" || ownedBy == "none" {
		return 0, 0, nil
	}
	parts := strings.Split(ownedBy, ",")
	if len(parts) < 2 {
		return 0, 0, errf(CodeInvalidParameterValue, "invalid OWNED BY option")
	}
	tname, col := parts[len(parts)-2], parts[len(parts)-1]
	t, ok := cat.Table(tname)
	if !ok || t.Sequence || t.View != "" {
		return 0, 0, errf(CodeUndefinedTable, "relation %q does not exist", tname)
	}
	i := t.Column(col)
	if i < 0 {
		return 0, 0, errf(CodeUndefinedColumn, "column %q of relation %q does not exist", col, tname)
	}
	return t.OID, i, nil
}

func (b *builder) createSequenceStmt(s *ast.CreateSequence) (*Plan, error) {
	name, schema, err := b.createName(s.Name)
	if err != nil {
		return nil, err
	}
	opts, _, _, ownedBy, err := seqOptions(s.Options, false)
	if err != nil {
		return nil, err
	}
	params, err := opts.Resolve(nil)
	if err != nil {
		return nil, err
	}
	ifNotExists := s.IfNotExists
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if err := checkSchema(c.Cat, schema); err != nil {
			return "", err
		}
		if _, ok := c.Cat.Table(name); ok {
			if ifNotExists {
				return "CREATE SEQUENCE", c.notice(CodeDuplicateTable, "relation %q already exists, skipping", name)
			}
			return "", errf(CodeDuplicateTable, "relation %q already exists", name)
		}
		owner, col, err := resolveOwnedBy(c.Cat, ownedBy)
		if err != nil {
			return "", err
		}
		if _, err := createSequence(c, name, params, owner, col); err != nil {
			return "", err
		}
		return "CREATE SEQUENCE", nil
	}
	return p, nil
}

// createSequence creates sequence name in c's transaction.
func createSequence(c *Ctx, name string, params sequence.Params, owner uint32, col int) (*catalog.Table, error) {
	t := &catalog.Table{Name: name, Sequence: true, OwnedBy: owner, OwnedCol: col,
		Columns: append([]catalog.Column(nil), sequenceColumns...)}
	var err error
	if t.OID, err = c.DB.Cat.NewOID(); err != nil {
		return nil, err
	}
	if t.Root, err = c.DB.Seqs.Create(c.Ctx, params); err != nil {
		return nil, fmt.Errorf("create sequence %s: %w", name, err)
	}
	if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func (b *builder) alterSequenceStmt(s *ast.AlterSequence) (*Plan, error) {
	name, err := b.objectName(s.Name)
	if err != nil {
		return nil, err
	}
	opts, restart, restartStart, ownedBy, err := seqOptions(s.Options, true)
	if err != nil {
		return nil, err
	}
	ifExists := s.IfExists
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		t, ok := c.Cat.Table(name)
		if !ok {
			if ifExists {
				return "ALTER SEQUENCE", c.notice("00000", "relation %q does not exist, skipping", name)
			}
			return "", errf(CodeUndefinedTable, "relation %q does not exist", name)
		}
		if !t.Sequence {
			return "", errf(CodeWrongObjectType, "%q is not a sequence", name)
		}
		q, err := c.DB.Seqs.Open(c.Ctx, t.Root)
		if err != nil {
			return "", err
		}
		old := q.Params()
		np, err := opts.Resolve(&old)
		if err != nil {
			return "", err
		}
		if restartStart {
			v := np.Start
			restart = &v
		}
		nt := t.Clone()
		if ownedBy != "" {
			owner, col, err := resolveOwnedBy(c.Cat, ownedBy)
			if err != nil {
				return "", err
			}
			nt.OwnedBy, nt.OwnedCol = owner, col
		}
		if !seqParamsEqual(old, np) || restart != nil {
			// As PostgreSQL gives the sequence a new relfilenode: a new
			// page with the new parameters and the current (or restarted)
			// state, which the catalog entry points at from this
			// transaction on; a rollback leaves the old page in place.
			if nt.Root, err = alterSequencePage(c, q, np, restart); err != nil {
				return "", err
			}
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, nt); err != nil {
			return "", err
		}
		return "ALTER SEQUENCE", nil
	}
	return p, nil
}

// seqParamsEqual reports whether two sequences' parameters are the same.
func seqParamsEqual(a, b sequence.Params) bool { return a == b }

// alterSequencePage writes a new sequence page with parameters p holding
// q's state, or restarted at *restart (ALTER SEQUENCE in a transaction).
// Values other sessions take from q until the ALTER commits are not seen
// by the new page (PostgreSQL makes nextval wait for the ALTER's lock).
func alterSequencePage(c *Ctx, q *sequence.Sequence, p sequence.Params, restart *int64) (redo.PageID, error) {
	st := q.State()
	last := st.LastValue
	if restart != nil {
		last = *restart
	}
	root, err := c.DB.Seqs.Create(c.Ctx, p)
	if err != nil {
		return 0, err
	}
	nq, err := c.DB.Seqs.Open(c.Ctx, root)
	if err != nil {
		return 0, err
	}
	if err := nq.Alter(c.Ctx, p, &last); err != nil { // checks last against the bounds
		return 0, err
	}
	if restart == nil && st.IsCalled {
		if err := nq.Setval(c.Ctx, "", last, true); err != nil {
			return 0, err
		}
	}
	return root, nil
}

// dropSequenceStmt plans DROP SEQUENCE.
func (b *builder) dropSequenceStmt(s *ast.Drop) (*Plan, error) {
	var names []string
	for _, q := range s.Names {
		n, err := b.objectName(q)
		if err != nil {
			if s.IfExists {
				continue
			}
			return nil, err
		}
		names = append(names, n)
	}
	missingOK, cascade := s.IfExists, s.Cascade
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		var origins []catalog.Object
		for _, n := range names {
			t, ok := c.Cat.Table(n)
			if !ok {
				if missingOK {
					if err := c.notice("00000", "sequence %q does not exist, skipping", n); err != nil {
						return "", err
					}
					continue
				}
				return "", errf(CodeUndefinedTable, "sequence %q does not exist", n)
			}
			if !t.Sequence {
				return "", &types.Error{Code: CodeWrongObjectType, Message: fmt.Sprintf("%q is not a sequence", n), Hint: dropHint(t)}
			}
			origins = append(origins, catalog.RelObject(t))
		}
		if err := dropObjects(c, origins, cascade); err != nil { // depend.go
			return "", err
		}
		return "DROP SEQUENCE", nil
	}
	return p, nil
}

// dropHint is the HINT of DROP naming a relation of another kind.
func dropHint(t *catalog.Table) string {
	switch {
	case t.Sequence:
		return "Use DROP SEQUENCE to remove a sequence."
	case t.View != "":
		return "Use DROP VIEW to remove a view."
	}
	return "Use DROP TABLE to remove a table."
}

// restartOwnedSequences restarts the sequences t's columns own (TRUNCATE
// ... RESTART IDENTITY). Like setval it is not transactional.
func restartOwnedSequences(c *Ctx, t *catalog.Table) error {
	for _, s := range c.Cat.Tables() {
		if !s.Sequence || s.OwnedBy != t.OID {
			continue
		}
		q, err := c.DB.Seqs.Open(c.Ctx, s.Root)
		if err != nil {
			return err
		}
		p := q.Params()
		start := p.Start
		if err := q.Alter(c.Ctx, p, &start); err != nil {
			return err
		}
	}
	return nil
}

// ownedSequence is the sequence a serial or identity column gets at
// CREATE TABLE.
type ownedSequence struct {
	col    int
	params sequence.Params
}

// columnSequence handles serial types and identity columns of CREATE TABLE:
// it returns the column's type and, for those columns, the sequence to
// create (nil otherwise). The column's default is set by createOwned.
func columnSequence(cd *ast.ColumnDef) (types.Type, *sequence.Params, error) {
	if cd.Identity == "" && cd.Type != nil && cd.Type.ArrayBounds == 0 && (cd.Type.Schema == "" || cd.Type.Schema == "pg_catalog") {
		var it sequence.IntType
		var t types.Type
		switch cd.Type.Name {
		case "serial", "serial4":
			it, t = sequence.Int4, types.Int4
		case "bigserial", "serial8":
			it, t = sequence.Int8, types.Int8
		case "smallserial", "serial2":
			it, t = sequence.Int2, types.Int2
		}
		if t.OID != 0 {
			if cd.Default != nil {
				return t, nil, errf(types.CodeSyntaxError, "multiple default values specified for column %q", cd.Name)
			}
			p, err := sequence.Options{Type: &it}.Resolve(nil)
			return t, &p, err
		}
	}
	t, err := typeName(cd.Type)
	if err != nil || cd.Identity == "" {
		return t, nil, err
	}
	var it sequence.IntType
	switch t.OID {
	case types.OIDInt2:
		it = sequence.Int2
	case types.OIDInt4:
		it = sequence.Int4
	case types.OIDInt8:
		it = sequence.Int8
	default:
		return t, nil, errf(CodeInvalidParameterValue, "identity column type must be smallint, integer, or bigint")
	}
	if cd.Default != nil {
		return t, nil, errf(types.CodeSyntaxError, "both default and identity specified for column %q of table %q", cd.Name, "")
	}
	p, err := sequence.Options{Type: &it}.Resolve(nil)
	return t, &p, err
}

// createOwned creates the sequences of t's serial and identity columns
// (t.OID set, t not stored yet) and sets the columns' defaults; it returns
// the sequences.
func createOwned(c *Ctx, t *catalog.Table, owned []ownedSequence) ([]*catalog.Table, error) {
	var out []*catalog.Table
	for _, o := range owned {
		base := t.Name + "_" + t.Columns[o.col].Name + "_seq"
		name := base
		for i := 1; ; i++ {
			if _, taken := c.Cat.Table(name); !taken {
				break
			}
			name = fmt.Sprintf("%s%d", base, i)
		}
		st, err := createSequence(c, name, o.params, t.OID, o.col)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		t.Columns[o.col].Default = "nextval(" + quoteLiteral(name) + "::regclass)"
		t.Columns[o.col].NotNull = true
	}
	return out, nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// identityTargets checks an INSERT's explicit values for identity columns:
// a GENERATED ALWAYS column takes a non-DEFAULT value only with OVERRIDING
// SYSTEM VALUE (428C9); OVERRIDING USER VALUE ignores the values given for
// identity columns (rows are changed in place to DEFAULT). sub: the source
// is a query, not VALUES.
func identityTargets(t *catalog.Table, target []int, rows [][]expr, sub bool, overriding string) error {
	for i, col := range target {
		cd := t.Columns[col]
		if cd.Identity == "" {
			continue
		}
		switch {
		case overriding == "user":
			if sub {
				return unsupported("OVERRIDING USER VALUE with a query is not supported")
			}
			for _, r := range rows {
				if i < len(r) {
					r[i] = nil
				}
			}
		case cd.Identity == "a" && overriding != "system":
			given := sub
			for _, r := range rows {
				if i < len(r) && r[i] != nil {
					given = true
				}
			}
			if given {
				return &types.Error{Code: "428C9", Message: fmt.Sprintf("cannot insert a non-DEFAULT value into column %q", cd.Name),
					Detail: fmt.Sprintf("Column %q is an identity column defined as GENERATED ALWAYS.", cd.Name),
					Hint:   "Use OVERRIDING SYSTEM VALUE to override."}
			}
		}
	}
	return nil
}

// sequenceNode is SELECT ... FROM seq: one row (last_value, log_cnt,
// is_called) read from the sequence when the statement runs.
type sequenceNode struct {
	t    *catalog.Table
	cols []column
}

func (n *sequenceNode) columns() []column    { return n.cols }
func (n *sequenceNode) explain(e *explainer) { e.line("Seq Scan on %s", n.t.Name) }
func (n *sequenceNode) run(c *Ctx, emit func([]types.Datum) error) error {
	q, err := c.DB.Seqs.Open(c.Ctx, n.t.Root)
	if err != nil {
		return err
	}
	st := q.State()
	return emit([]types.Datum{types.NewInt(st.LastValue), types.NewInt(st.LogCnt), types.NewBool(st.IsCalled)})
}

// seqFunc is nextval, currval, setval or lastval.
type seqFunc struct {
	name  string
	fixed *catalog.Table // the sequence, when known at plan time (args unused)
	args  []expr         // regclass/oid (integer) or text sequence name, then setval's value and is_called
}

// sequenceFunc compiles the sequence functions; nil, nil for other names.
func (cp *compiler) sequenceFunc(name string, args []expr) (expr, error) {
	switch {
	case name == "lastval" && len(args) == 0:
	case (name == "nextval" || name == "currval") && len(args) == 1:
	case name == "setval" && (len(args) == 2 || len(args) == 3):
	default:
		return nil, nil
	}
	out := &seqFunc{name: name, args: args}
	if len(args) > 0 {
		a := args[0]
		if t := a.typ(); t.OID != OIDRegclass && t.OID != types.OIDOid && !t.IsInt() {
			var err error
			if a, err = cp.coerce(a, types.Text, types.CoerceImplicit); err != nil {
				return nil, err
			}
		}
		out.args[0] = a
	}
	if len(args) > 1 {
		var err error
		if out.args[1], err = cp.coerce(args[1], types.Int8, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	if len(args) > 2 {
		var err error
		if out.args[2], err = cp.coerce(args[2], types.Bool, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (e *seqFunc) typ() types.Type { return types.Int8 }

func (e *seqFunc) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	if c.DB == nil || c.DB.Seqs == nil {
		return types.Null, unsupported("sequences need a database")
	}
	sess := c.Seq
	if sess == nil {
		sess = sequence.NewSession() // no session: currval never set
		c.Seq = sess
	}
	if e.name == "lastval" {
		root, v, err := sess.Lastval()
		if err != nil {
			return types.Null, err
		}
		for _, t := range c.Cat.Tables() {
			if t.Sequence && t.Root == root {
				return types.NewInt(v), nil
			}
		}
		return types.Null, sequence.ErrLastvalUndefined()
	}
	if e.fixed != nil {
		q, err := c.DB.Seqs.Open(c.Ctx, e.fixed.Root)
		if err != nil {
			return types.Null, err
		}
		v, err := sess.Nextval(c.Ctx, e.fixed.Name, q)
		if err != nil {
			return types.Null, err
		}
		return types.NewInt(v), nil
	}
	vals := make([]types.Datum, len(e.args))
	for i, a := range e.args {
		d, err := a.eval(c, row)
		if err != nil {
			return types.Null, err
		}
		if d.IsNull() {
			return types.Null, nil
		}
		vals[i] = d
	}
	t, err := sequenceArg(c, vals[0])
	if err != nil {
		return types.Null, err
	}
	q, err := c.DB.Seqs.Open(c.Ctx, t.Root)
	if err != nil {
		return types.Null, err
	}
	var v int64
	switch e.name {
	case "nextval":
		v, err = sess.Nextval(c.Ctx, t.Name, q)
	case "currval":
		v, err = sess.Currval(t.Name, q)
	case "setval":
		isCalled := len(vals) < 3 || vals[2].Bool()
		v, err = sess.Setval(c.Ctx, t.Name, q, vals[1].I, isCalled)
	}
	if err != nil {
		return types.Null, err
	}
	return types.NewInt(v), nil
}

// sequenceArg finds the sequence a sequence function names: a regclass
// (OID) or text parsed as a possibly qualified, possibly quoted name.
func sequenceArg(c *Ctx, d types.Datum) (*catalog.Table, error) {
	var t *catalog.Table
	if d.K == types.KindInt {
		tt, ok := c.Cat.ByOID(uint32(d.I))
		if !ok {
			return nil, errf(CodeUndefinedTable, "could not open relation with OID %d", d.I)
		}
		t = tt
	} else {
		schema, name, err := splitQualified(d.S)
		if err != nil {
			return nil, err
		}
		if schema == "" {
			for _, s := range currentSchemas(c) { // search_path
				if tt, ok := c.Cat.Table(s + "." + name); ok && s != "public" {
					t = tt
					break
				}
			}
		}
		if t == nil {
			tt, err := lookupRelation(c.Cat, schema, name)
			if err != nil {
				return nil, err
			}
			t = tt
		}
	}
	if !t.Sequence {
		return nil, errf(CodeWrongObjectType, "%q is not a sequence", t.Name)
	}
	return t, nil
}

// splitQualified parses a relation name as regclass input does:
// [schema.]name, unquoted parts folded to lower case, "quoted" kept.
func splitQualified(s string) (schema, name string, err error) {
	var parts []string
	s = strings.TrimSpace(s)
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			end := -1
			for i := 1; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						i++
						continue
					}
					end = i
					break
				}
			}
			if end < 0 {
				return "", "", errf(CodeInvalidName, "invalid name syntax")
			}
			part = strings.ReplaceAll(s[1:end], `""`, `"`)
			s = s[end+1:]
		} else {
			i := strings.IndexByte(s, '.')
			if i < 0 {
				i = len(s)
			}
			part = strings.ToLower(strings.TrimSpace(s[:i]))
			s = s[i:]
		}
		if part == "" {
			return "", "", errf(CodeInvalidName, "invalid name syntax")
		}
		parts = append(parts, part)
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		if s[0] != '.' {
			return "", "", errf(CodeInvalidName, "invalid name syntax")
		}
		s = strings.TrimSpace(s[1:])
	}
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	case 3:
		return parts[1], parts[2], nil
	}
	return "", "", errf(CodeInvalidName, "improper relation name (too many dotted names): %s", strings.Join(parts, "."))
}

// CodeInvalidName is SQLSTATE 42602.
const CodeInvalidName = "42602"

// objectName resolves the name of a relation a DDL statement creates or
// names (only schema public exists: 3F000 for another schema).
func (b *builder) objectName(q ast.QualifiedName) (string, error) {
	n, err := catalog.NormalizeName(q.Schema, q.Name)
	if err != nil {
		return "", errf(CodeUndefinedSchema, "schema %q does not exist", q.Schema)
	}
	return n, nil
}

// lookupRelation finds relation schema.name (schema "" or public).
func lookupRelation(cat *catalog.Set, schema, name string) (*catalog.Table, error) {
	n, err := catalog.NormalizeName(schema, name)
	if err != nil {
		return nil, errf(CodeUndefinedSchema, "schema %q does not exist", schema)
	}
	t, ok := cat.Table(n)
	if !ok {
		return nil, errf(CodeUndefinedTable, "relation %q does not exist", name)
	}
	return t, nil
}

// identityUpdateErr is UPDATE's 428C9 for a GENERATED ALWAYS column set to
// anything but DEFAULT.
func identityUpdateErr(col string) error {
	return &types.Error{Code: "428C9", Message: fmt.Sprintf("column %q can only be updated to DEFAULT", col),
		Detail: fmt.Sprintf("Column %q is an identity column defined as GENERATED ALWAYS.", col)}
}
