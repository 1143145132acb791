package exec

// Schemas (area "ddl"): CREATE SCHEMA [IF NOT EXISTS] and DROP SCHEMA [IF
// EXISTS] [CASCADE|RESTRICT]. A schema is a catalog row with Namespace set;
// a relation in schema s (other than public) is stored under the name
// "s.name" (catalog.NormalizeName), so qualified names work wherever
// relations are named (FROM, INSERT INTO, DDL). Not done: search_path for
// unqualified names (they always mean public; plans are built without the
// session's settings), current_schema() follows nothing.

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// CodeDuplicateSchema is SQLSTATE 42P06.
const CodeDuplicateSchema = "42P06"

// builtinSchemas always exist and are not stored.
var builtinSchemas = map[string]bool{"public": true, "pg_catalog": true, "information_schema": true}

// schemaExists reports whether schema exists in cat.
func schemaExists(cat *catalog.Set, schema string) bool {
	if schema == "" || builtinSchemas[schema] {
		return true
	}
	_, ok := cat.Schema(schema)
	return ok
}

// checkSchema answers 3F000 when a relation is created in a schema that
// does not exist.
func checkSchema(cat *catalog.Set, schema string) error {
	if !schemaExists(cat, strings.ToLower(schema)) {
		return errf(CodeUndefinedSchema, "schema %q does not exist", schema)
	}
	return nil
}

func (b *builder) createSchemaStmt(s *ast.CreateSchema) (*Plan, error) {
	name, ifNotExists := s.Name, s.IfNotExists
	if strings.HasPrefix(name, "pg_") {
		return nil, &types.Error{Code: "42939", Message: fmt.Sprintf("unacceptable schema name %q", name),
			Detail: `The prefix "pg_" is reserved for system schemas.`}
	}
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		if schemaExists(c.Cat, name) {
			if ifNotExists {
				return "CREATE SCHEMA", c.notice(CodeDuplicateSchema, "schema %q already exists, skipping", name)
			}
			return "", errf(CodeDuplicateSchema, "schema %q already exists", name)
		}
		t := &catalog.Table{Name: name, Namespace: true}
		var err error
		if t.OID, err = c.DB.Cat.NewOID(); err != nil {
			return "", err
		}
		if err := c.DB.Cat.Put(c.Ctx, c.Tx, t); err != nil {
			return "", err
		}
		return "CREATE SCHEMA", nil
	}
	return p, nil
}

// relKind names a relation's kind as DROP's messages do.
func relKind(t *catalog.Table) string {
	switch {
	case t.Sequence:
		return "sequence"
	case t.View != "":
		return "view"
	}
	return "table"
}

func (b *builder) dropSchemaStmt(s *ast.Drop) (*Plan, error) {
	var names []string
	for _, q := range s.Names {
		names = append(names, q.Name)
	}
	ifExists, cascade := s.IfExists, s.Cascade
	p := &Plan{Kind: KindQuery, DDL: true}
	p.run = func(c *Ctx, _ func([]types.Datum) error) (string, error) {
		for _, n := range names {
			sc, ok := c.Cat.Schema(n)
			if !ok {
				if builtinSchemas[n] {
					return "", unsupported("dropping schema %q is not supported", n)
				}
				if ifExists {
					if err := c.notice("00000", "schema %q does not exist, skipping", n); err != nil {
						return "", err
					}
					continue
				}
				return "", errf(CodeUndefinedSchema, "schema %q does not exist", n)
			}
			obj := catalog.Object{Kind: catalog.ObjSchema, OID: sc.OID, Table: sc.OID, Name: n}
			if err := dropObjects(c, []catalog.Object{obj}, cascade); err != nil { // depend.go
				return "", err
			}
		}
		return "DROP SCHEMA", nil
	}
	return p, nil
}

// parseSearchPath splits a search_path setting into schema names
// (unquoted names folded to lower case, "quoted" kept).
func parseSearchPath(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"' {
			part = strings.ReplaceAll(part[1:len(part)-1], `""`, `"`)
		} else {
			part = strings.ToLower(part)
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// pathLookup finds an unqualified relation in a schema of the search path
// listed before public (public itself is the ordinary lookup).
func (b *builder) pathLookup(q ast.QualifiedName) (*catalog.Table, bool) {
	if q.Schema != "" {
		return nil, false
	}
	for _, s := range b.path {
		if s == "public" {
			return nil, false
		}
		if builtinSchemas[s] {
			continue
		}
		if t, ok := b.cat.Table(s + "." + q.Name); ok {
			return t, true
		}
	}
	return nil, false
}

// pathHasPublic reports whether unqualified names may resolve in public:
// no search path was given (internal plans), or it lists public.
func (b *builder) pathHasPublic() bool {
	if b.path == nil {
		return true
	}
	for _, s := range b.path {
		if s == "public" {
			return true
		}
	}
	return false
}

// createName is the catalog name and schema of a relation CREATE makes:
// an unqualified name goes to the first schema of the search path that
// exists (3F000 when none does).
func (b *builder) createName(q ast.QualifiedName) (string, string, error) {
	schema := q.Schema
	if schema == "" && b.path != nil {
		schema = "-"
		for _, s := range b.path {
			if s == "pg_catalog" || s == "information_schema" || !schemaExists(b.cat, s) {
				continue
			}
			schema = s
			break
		}
		if schema == "-" {
			return "", "", errf(CodeUndefinedSchema, "no schema has been selected to create in")
		}
	}
	n, err := catalog.NormalizeName(schema, q.Name)
	if err != nil {
		return "", "", errf(CodeUndefinedSchema, "schema %q does not exist", schema)
	}
	return n, schema, nil
}

// currentSchemas are the schemas of the session's search_path that exist
// (current_schema() is the first).
func currentSchemas(c *Ctx) []string {
	v := "\"$user\", public"
	if c.Setting != nil {
		if s, ok := c.Setting("search_path"); ok {
			v = s
		}
	}
	var out []string
	for _, s := range parseSearchPath(v) {
		if s == "$user" {
			s = c.User
		}
		if s == "pg_catalog" || s == "information_schema" || c.Cat == nil || !schemaExists(c.Cat, s) {
			continue
		}
		out = append(out, s)
	}
	return out
}
