package pgcatalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// PageCounter returns the number of pages of a user table's heap or of an
// index (by OID); Register's size functions multiply it by the page size.
type PageCounter func(ctx context.Context, oid uint32) (int64, error)

// SQLSTATEs raised here.
const (
	codeUndefinedTable        = "42P01"
	codeInvalidParameterValue = "22023"
	codeInvalidName           = "42602"
)

// env returns the Env of a function call.
func env(c *funcs.Context) *Env {
	if c == nil {
		return &Env{}
	}
	return &Env{Cat: c.Cat, User: c.User, Database: c.Database, Setting: c.Setting}
}

// Register adds the catalog functions psql and drivers call to r:
// format_type, pg_get_indexdef, pg_get_constraintdef, pg_get_expr,
// pg_table_is_visible, pg_type_is_visible, pg_function_is_visible,
// pg_get_userbyid, obj_description, col_description, shobj_description,
// pg_encoding_to_char, pg_char_to_encoding, has_table_privilege,
// has_schema_privilege, has_database_privilege, pg_relation_size,
// pg_table_size, pg_total_relation_size, pg_indexes_size, pg_size_pretty,
// pg_relation_is_publishable, pg_get_statisticsobjdef_columns,
// pg_get_function_result, pg_get_function_arguments, and array_to_string
// when r has none. pages gives relation sizes; with nil the size
// functions return NULL.
func Register(r *funcs.Registry, pages PageCounter) {
	T, B, I4, I8 := types.Text, types.Bool, types.Int4, types.Int8
	add := func(name string, result types.Type, strict bool, eval func(c *funcs.Context, a []types.Datum) (types.Datum, error), args ...types.Type) {
		r.Add(&funcs.Func{Name: name, Args: args, Result: result, Strict: strict,
			Eval: func(c *funcs.Context, a []types.Datum, _ []types.Type) (types.Datum, error) { return eval(c, a) }})
	}
	oid := func(d types.Datum) uint32 { return uint32(d.I) }

	add("format_type", T, false, func(_ *funcs.Context, a []types.Datum) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		return types.NewString(formatType(types.OID(oid(a[0])), int32(a[1].I), !a[1].IsNull())), nil
	}, typOID, I4)

	indexdef := func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		r, ok := findRel(env(c), oid(a[0]))
		if !ok || r.index == nil {
			return types.Null, nil
		}
		col, pretty := 0, false
		if len(a) > 1 {
			col, pretty = int(a[1].I), a[2].Bool()
		}
		return types.NewString(indexDef(env(c), r, col, pretty)), nil
	}
	add("pg_get_indexdef", T, true, indexdef, typOID)
	add("pg_get_indexdef", T, true, indexdef, typOID, I4, B)

	condef := func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		def, ok := constraintDef(env(c), oid(a[0]))
		if !ok {
			return types.Null, nil
		}
		return types.NewString(def), nil
	}
	add("pg_get_constraintdef", T, true, condef, typOID)
	add("pg_get_constraintdef", T, true, condef, typOID, B)

	expr := func(_ *funcs.Context, a []types.Datum) (types.Datum, error) { return a[0], nil }
	add("pg_get_expr", T, true, expr, T, typOID)
	add("pg_get_expr", T, true, expr, T, typOID, B)

	add("pg_table_is_visible", B, true, func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		e := env(c)
		r, ok := findRel(e, oid(a[0]))
		if !ok {
			return types.Null, nil
		}
		return types.NewBool(relVisible(e.Setting, r)), nil
	}, typOID)
	add("pg_type_is_visible", B, true, func(_ *funcs.Context, a []types.Datum) (types.Datum, error) {
		if _, ok := typeInfo(types.OID(oid(a[0]))); !ok {
			return types.Null, nil
		}
		return types.NewBool(true), nil
	}, typOID)
	// pg_proc is empty: no function OID exists, so the answer is NULL.
	noFunction := func(*funcs.Context, []types.Datum) (types.Datum, error) { return types.Null, nil }
	add("pg_function_is_visible", B, true, noFunction, typOID)
	add("pg_get_function_result", T, true, noFunction, typOID)
	add("pg_get_function_arguments", T, true, noFunction, typOID)
	// There are no extended statistics objects.
	add("pg_get_statisticsobjdef_columns", T, true, noFunction, typOID)

	add("pg_get_userbyid", T, true, func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		if n, ok := roleName(env(c), oid(a[0])); ok {
			return types.NewString(n), nil
		}
		return types.NewString(fmt.Sprintf("unknown (OID=%d)", oid(a[0]))), nil
	}, typOID)

	// Descriptions come from pg_description / pg_shdescription (COMMENT ON
	// is not supported, so only built-in objects have one).
	describe := func(list func(*Env) []description, class func(a []types.Datum) (uint32, bool), sub int32) func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		return func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
			classOID, anyClass := class(a)
			for _, d := range list(env(c)) {
				if d.objoid == oid(a[0]) && (anyClass || d.classoid == classOID) && d.objsubid == sub {
					return types.NewString(d.text), nil
				}
			}
			return types.Null, nil
		}
	}
	builtin := func(*Env) []description { return descriptions }
	named := func(a []types.Datum) (uint32, bool) {
		if t, ok := Lookup("pg_catalog", a[1].S); ok && t.Name == a[1].S {
			return t.OID, false
		}
		return 0, false
	}
	anyClass := func([]types.Datum) (uint32, bool) { return 0, true }
	add("obj_description", T, true, describe(builtin, anyClass, 0), typOID)
	add("obj_description", T, true, describe(builtin, named, 0), typOID, T)
	add("shobj_description", T, true, describe(shdescriptions, named, 0), typOID, T)
	// No column has a comment.
	add("col_description", T, true, func(*funcs.Context, []types.Datum) (types.Datum, error) { return types.Null, nil }, typOID, I4)

	add("pg_encoding_to_char", T, true, func(_ *funcs.Context, a []types.Datum) (types.Datum, error) {
		if a[0].I < 0 || a[0].I >= int64(len(encodings)) {
			return types.NewString(""), nil
		}
		return types.NewString(encodings[a[0].I]), nil
	}, I4)
	add("pg_char_to_encoding", I4, true, func(_ *funcs.Context, a []types.Datum) (types.Datum, error) {
		return types.NewInt(int64(encodingNumber(a[0].S))), nil
	}, T)

	// Privileges: every session is the superuser, so every privilege is
	// held; a table named by text must exist, one named by OID that does
	// not exist gives NULL, as in PostgreSQL.
	tablePriv := func(c *funcs.Context, a []types.Datum, argTypes []types.Type) (types.Datum, error) {
		for _, d := range a {
			if d.IsNull() {
				return types.Null, nil
			}
		}
		t, tt := a[len(a)-2], argTypes[len(a)-2]
		e := env(c)
		if tt.IsString() {
			if _, err := RegclassIn(e, t.S); err != nil {
				return types.Null, err
			}
		} else if _, ok := findRel(e, uint32(t.I)); !ok {
			return types.Null, nil
		}
		if err := checkPrivilege(a[len(a)-1].S); err != nil {
			return types.Null, err
		}
		return types.NewBool(true), nil
	}
	always := func(_ *funcs.Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		for _, d := range a {
			if d.IsNull() {
				return types.Null, nil
			}
		}
		return types.NewBool(true), nil
	}
	for _, n := range []int{2, 3} {
		args := make([]types.Type, n)
		for k := range args {
			args[k] = funcs.Any
		}
		args[n-1] = T
		r.Add(&funcs.Func{Name: "has_table_privilege", Args: args, Result: B, Eval: tablePriv})
		r.Add(&funcs.Func{Name: "has_schema_privilege", Args: args, Result: B, Eval: always})
		r.Add(&funcs.Func{Name: "has_database_privilege", Args: args, Result: B, Eval: always})
	}

	size := func(which func(r *rel) []uint32) func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		return func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
			r, ok := findRel(env(c), oid(a[0]))
			if !ok || pages == nil {
				return types.Null, nil
			}
			if len(a) > 1 {
				switch a[1].S {
				case "main":
				case "fsm", "vm", "init":
					return types.NewInt(0), nil
				default:
					return types.Null, types.Errorf(codeInvalidParameterValue, "invalid fork name")
				}
			}
			ctx := context.Background()
			if c != nil && c.Ctx != nil {
				ctx = c.Ctx
			}
			var total int64
			for _, o := range which(r) {
				n, err := pages(ctx, o)
				if err != nil {
					return types.Null, fmt.Errorf("size of relation %d: %w", o, err)
				}
				total += n * redo.PageSize
			}
			return types.NewInt(total), nil
		}
	}
	self := func(r *rel) []uint32 {
		if r.vt != nil {
			return nil
		}
		return []uint32{r.oid}
	}
	indexes := func(r *rel) []uint32 {
		var out []uint32
		if r.table != nil && r.index == nil {
			for _, ix := range r.table.Indexes {
				out = append(out, ix.OID)
			}
		}
		return out
	}
	add("pg_relation_size", I8, true, size(self), typOID)
	add("pg_relation_size", I8, true, size(self), typOID, T)
	add("pg_table_size", I8, true, size(self), typOID)
	add("pg_indexes_size", I8, true, size(indexes), typOID)
	add("pg_total_relation_size", I8, true, size(func(r *rel) []uint32 { return append(self(r), indexes(r)...) }), typOID)
	add("pg_size_pretty", T, true, func(_ *funcs.Context, a []types.Datum) (types.Datum, error) {
		return types.NewString(SizePretty(a[0].I)), nil
	}, I8)

	add("pg_relation_is_publishable", B, true, func(c *funcs.Context, a []types.Datum) (types.Datum, error) {
		r, ok := findRel(env(c), oid(a[0]))
		if !ok {
			return types.Null, nil
		}
		return types.NewBool(r.table != nil && r.index == nil), nil
	}, typOID)

	textArr := types.Type{OID: types.OIDTextArray, Typmod: -1}
	if _, _, err := r.Resolve("array_to_string", []types.Type{textArr, T}); err != nil {
		join := func(c *funcs.Context, a []types.Datum, at []types.Type) (types.Datum, error) {
			if a[0].IsNull() || a[1].IsNull() {
				return types.Null, nil
			}
			return arrayToString(c, a, at), nil
		}
		r.Add(&funcs.Func{Name: "array_to_string", Args: []types.Type{funcs.AnyArray, T}, Result: T, Eval: join})
		r.Add(&funcs.Func{Name: "array_to_string", Args: []types.Type{funcs.AnyArray, T, T}, Result: T, Eval: join})
	}
	registerPsql(r) // psql.go
}

// arrayToString is array_to_string(arr, sep [, null_string]): elements in
// their text form joined by sep, NULL elements skipped unless null_string
// is given (and not NULL).
func arrayToString(c *funcs.Context, a []types.Datum, at []types.Type) types.Datum {
	elem, _ := at[0].ElemType()
	var env *types.Env
	if c != nil {
		env = c.Env
	}
	var parts []string
	for _, e := range a[0].A.Elems {
		if e.IsNull() {
			if len(a) > 2 && !a[2].IsNull() {
				parts = append(parts, a[2].S)
			}
			continue
		}
		parts = append(parts, types.FormatText(elem, e, env))
	}
	return types.NewString(strings.Join(parts, a[1].S))
}

// checkPrivilege validates a privilege list such as 'SELECT, INSERT'.
func checkPrivilege(p string) error {
	for _, part := range strings.Split(p, ",") {
		w := strings.ToUpper(strings.TrimSpace(part))
		w = strings.TrimSuffix(w, " WITH GRANT OPTION")
		switch w {
		case "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER":
		default:
			return types.Errorf(codeInvalidParameterValue, "unrecognized privilege type: \"%s\"", strings.TrimSpace(part))
		}
	}
	return nil
}

// SizePretty is PostgreSQL 15's pg_size_pretty(bigint).
func SizePretty(size int64) string {
	units := []struct {
		name  string
		limit int64
		round bool
		bits  uint
	}{
		{"bytes", 10 * 1024, false, 0}, {"kB", 20*1024 - 1, true, 10}, {"MB", 20*1024 - 1, true, 20},
		{"GB", 20*1024 - 1, true, 30}, {"TB", 20*1024 - 1, true, 40}, {"PB", 20*1024 - 1, true, 50},
	}
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	b2i := func(v bool) uint {
		if v {
			return 1
		}
		return 0
	}
	for k, u := range units {
		if k == len(units)-1 || abs(size) < u.limit {
			if u.round {
				if size < 0 {
					size = (size - 1) / 2
				} else {
					size = (size + 1) / 2
				}
			}
			return fmt.Sprintf("%d %s", size, u.name)
		}
		next := units[k+1]
		bits := next.bits - u.bits - b2i(next.round) + b2i(u.round)
		size /= int64(1) << bits
	}
	return ""
}

// encodings are PostgreSQL's encoding names by number (pg_enc).
var encodings = []string{
	"SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8", "MULE_INTERNAL",
	"LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9", "LATIN10",
	"WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252", "ISO_8859_5", "ISO_8859_6",
	"ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254", "WIN1255", "WIN1257", "KOI8U",
	"SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004",
}

// encodingNumber is pg_char_to_encoding: -1 for an unknown name.
func encodingNumber(name string) int {
	norm := func(s string) string {
		return strings.ToUpper(strings.NewReplacer("_", "", "-", "").Replace(s))
	}
	for k, e := range encodings {
		if norm(e) == norm(name) {
			return k
		}
	}
	switch norm(name) {
	case "UNICODE":
		return 6
	}
	return -1
}

// indexDef is pg_get_indexdef(index, col, pretty): the whole CREATE INDEX
// statement for col 0 (the table schema-qualified, unless pretty and the
// table is visible), else the col-th key column's name.
func indexDef(env *Env, r *rel, col int, pretty bool) string {
	ix := r.index
	cols := make([]string, len(ix.Columns))
	for k, c := range ix.Columns {
		cols[k] = quoteIdent(r.table.Columns[c].Name)
	}
	if col > 0 {
		if col > len(cols) {
			return ""
		}
		return cols[col-1]
	}
	unique := ""
	if ix.Unique {
		unique = "UNIQUE "
	}
	table := "public." + quoteIdent(r.table.Name)
	if pretty && visible(env.Setting, NamespacePublic) {
		table = quoteIdent(r.table.Name)
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s USING btree (%s)", unique, quoteIdent(ix.Name), table, strings.Join(cols, ", "))
}

// constraintDef is pg_get_constraintdef for a constraint OID.
func constraintDef(env *Env, oid uint32) (string, bool) {
	if oid >= CheckOIDBase && oid < AttrDefOIDBase {
		return tableConstraintDef(env, oid)
	}
	if oid < ConstraintOIDBase || oid >= AttrDefOIDBase {
		return "", false
	}
	r, ok := findRel(env, oid-ConstraintOIDBase)
	if !ok || r.index == nil || !isConstraint(r.index) {
		return "", false
	}
	cols := make([]string, len(r.index.Columns))
	for k, c := range r.index.Columns {
		cols[k] = quoteIdent(r.table.Columns[c].Name)
	}
	kind := "UNIQUE"
	if r.index.Primary {
		kind = "PRIMARY KEY"
	}
	return kind + " (" + strings.Join(cols, ", ") + ")", true
}

// RegclassOut is the text form of an oid cast to regclass: the relation's
// name, schema-qualified when its schema is not visible, or the number
// when no relation has that OID.
func RegclassOut(env *Env, oid uint32) string {
	r, ok := findRel(env, oid)
	if !ok {
		return fmt.Sprint(oid)
	}
	var setting func(string) (string, bool)
	if env != nil {
		setting = env.Setting
	}
	if relVisible(setting, r) {
		return quoteIdent(r.name)
	}
	return qualifiedName(r)
}

// RegclassIn resolves a relation name (as in 'name'::regclass: optionally
// schema-qualified, double quotes preserving case, else folded to lower
// case; a number is taken as an OID) to its OID: 42P01 when no relation
// has that name.
func RegclassIn(env *Env, name string) (uint32, error) {
	s := strings.TrimSpace(name)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		var n uint64
		if _, err := fmt.Sscan(s, &n); err == nil && n <= 0xffffffff {
			return uint32(n), nil
		}
	}
	parts, err := splitQualified(s)
	if err != nil {
		return 0, err
	}
	var schemas []string
	switch len(parts) {
	case 1:
		var setting func(string) (string, bool)
		if env != nil {
			setting = env.Setting
		}
		schemas = append([]string{"pg_catalog"}, searchPath(setting)...)
	case 2:
		schemas = []string{parts[0]}
	case 3:
		if env == nil || parts[0] != env.database() {
			return 0, types.Errorf("0A000", "cross-database references are not implemented: %s", name)
		}
		schemas = []string{parts[1]}
	default:
		return 0, types.Errorf(codeInvalidName, "improper relation name (too many dotted names): %s", name)
	}
	rel := parts[len(parts)-1]
	for _, sc := range schemas {
		switch sc {
		case "public":
			for _, r := range relations(env) {
				if r.ns == NamespacePublic && r.name == rel {
					return r.oid, nil
				}
			}
		case "pg_catalog", "information_schema":
			if t, ok := Lookup(sc, rel); ok && t.Name == rel {
				return t.OID, nil
			}
		default:
			for _, r := range relations(env) {
				if r.nsnam == sc && r.name == rel {
					return r.oid, nil
				}
			}
		}
	}
	if len(parts) > 1 {
		_, user := env.schema(schemas[0])
		if _, ok := map[string]bool{"public": true, "pg_catalog": true, "information_schema": true, "pg_toast": true}[schemas[0]]; !ok && !user {
			return 0, types.Errorf("3F000", "schema \"%s\" does not exist", schemas[0])
		}
	}
	return 0, types.Errorf(codeUndefinedTable, "relation \"%s\" does not exist", name)
}

// splitQualified splits a possibly qualified, possibly quoted name into
// its parts, folding unquoted parts to lower case.
func splitQualified(s string) ([]string, error) {
	var parts []string
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			k := 1
			for {
				if k >= len(s) {
					return nil, types.Errorf(codeInvalidName, "invalid name syntax")
				}
				if s[k] == '"' {
					if k+1 < len(s) && s[k+1] == '"' {
						b.WriteByte('"')
						k += 2
						continue
					}
					k++
					break
				}
				b.WriteByte(s[k])
				k++
			}
			part, s = b.String(), s[k:]
		} else {
			k := strings.IndexByte(s, '.')
			if k < 0 {
				k = len(s)
			}
			part, s = strings.ToLower(strings.TrimSpace(s[:k])), s[k:]
		}
		if part == "" {
			return nil, types.Errorf(codeInvalidName, "invalid name syntax")
		}
		parts = append(parts, part)
		if s == "" {
			return parts, nil
		}
		if s[0] != '.' {
			return nil, types.Errorf(codeInvalidName, "invalid name syntax")
		}
		s = s[1:]
	}
}

// RegtypeOut is the text form of an oid cast to regtype.
func RegtypeOut(oid uint32) string {
	if _, ok := typeInfo(types.OID(oid)); !ok {
		return fmt.Sprint(oid)
	}
	return formatType(types.OID(oid), -1, false)
}
