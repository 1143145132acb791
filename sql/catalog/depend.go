package catalog

import (
	"sort"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
)

// Dependencies between catalog objects, in the shape of PostgreSQL's
// pg_depend: a dependent object, the object it references and a type,
// 'n' (normal: dropping the referenced object needs CASCADE, which drops
// the dependent too), 'a' (auto: the dependent goes silently with it) or
// 'i' (internal: the dependent is part of the referenced object).
//
// Only a view's references are stored (Table.Depends, written with the
// view's catalog row in the CREATE VIEW transaction, so they roll back and
// survive restarts with it); the others follow from the definitions the
// catalog already holds and are derived by Set.Dependencies: a relation
// depends on its schema, an index or key constraint and a CHECK on the
// columns it covers, a FOREIGN KEY on its own columns (auto) and on the
// referenced columns (normal), a column default on its column (auto) and
// on the sequences it calls nextval on (normal), an owned sequence on its
// column (auto), a key constraint's index on the constraint (internal).

// ViewDep is one relation (Column "") or column a view reads. Columns are
// kept by name: the catalog has no dropped-column slots, so positions
// shift under DROP COLUMN; renames update the name.
type ViewDep struct {
	Rel    uint32 `json:"rel"`
	Column string `json:"column,omitempty"`
}

// ObjectKind is the kind of a catalog object in a dependency.
type ObjectKind uint8

// Object kinds.
const (
	ObjRelation   ObjectKind = iota + 1 // table, view or sequence OID; Sub: column attnum (0: whole)
	ObjIndex                            // index OID (Table: its table's OID)
	ObjKey                              // UNIQUE/PRIMARY KEY constraint: its index's OID
	ObjCheck                            // CHECK of table OID, Name its name
	ObjForeignKey                       // FOREIGN KEY of table OID, Name its name
	ObjDefault                          // default of table OID, column attnum Sub
	ObjSchema                           // schema OID (NamespacePublic for public)
)

// Object names a catalog object. Table is the OID of the relation the
// object belongs to (its own OID for a relation or schema).
type Object struct {
	Kind  ObjectKind
	OID   uint32
	Sub   int
	Table uint32
	Name  string
}

// Dependency is one pg_depend row: Obj depends on Ref with Type 'n', 'a'
// or 'i'.
type Dependency struct {
	Obj, Ref Object
	Type     byte
}

// Whole returns the object a column belongs to (the object itself
// otherwise).
func (o Object) Whole() Object {
	if o.Kind == ObjRelation {
		o.Sub = 0
	}
	return o
}

// Covers reports whether dropping o drops x's referenced object r: the
// same object, or a column of relation o.
func (o Object) Covers(r Object) bool {
	if o.Kind != r.Kind || o.OID != r.OID || o.Name != r.Name {
		return false
	}
	return o.Sub == r.Sub || (o.Kind == ObjRelation && o.Sub == 0)
}

// RelObject is the object of relation t.
func RelObject(t *Table) Object { return Object{Kind: ObjRelation, OID: t.OID, Table: t.OID} }

// ColumnObject is column pos (0-based) of relation t.
func ColumnObject(t *Table, pos int) Object {
	return Object{Kind: ObjRelation, OID: t.OID, Sub: pos + 1, Table: t.OID}
}

// SchemaOf returns the schema name of relation name ("public" when it has
// no "schema." prefix) and the name without it.
func SchemaOf(name string) (schema, rel string) {
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i], name[i+1:]
	}
	return "public", name
}

// Dependencies returns every dependency between the objects of s, ordered
// by dependent (relations by OID; a relation's parts after it).
func (s *Set) Dependencies() []Dependency {
	var out []Dependency
	add := func(obj, ref Object, typ byte) { out = append(out, Dependency{Obj: obj, Ref: ref, Type: typ}) }
	for _, t := range s.Tables() {
		rel := RelObject(t)
		if sc, _ := SchemaOf(t.Name); sc == "public" {
			add(rel, Object{Kind: ObjSchema, OID: NamespacePublic, Table: NamespacePublic, Name: "public"}, 'n')
		} else if ns, ok := s.Schema(sc); ok {
			add(rel, Object{Kind: ObjSchema, OID: ns.OID, Table: ns.OID, Name: sc}, 'n')
		}
		for _, d := range t.Depends {
			r, ok := s.ByOID(d.Rel)
			if !ok {
				continue
			}
			ref := RelObject(r)
			if d.Column != "" {
				pos := r.Column(d.Column)
				if pos < 0 {
					continue
				}
				ref = ColumnObject(r, pos)
			}
			add(rel, ref, 'n')
		}
		if t.Sequence && t.OwnedBy != 0 {
			if o, ok := s.ByOID(t.OwnedBy); ok && t.OwnedCol < len(o.Columns) {
				typ := byte('a') // serial
				if o.Columns[t.OwnedCol].Identity != "" {
					typ = 'i' // identity: the sequence is part of the column
				}
				add(rel, ColumnObject(o, t.OwnedCol), typ)
			}
		}
		for k, c := range t.Columns {
			if c.Default == "" {
				continue
			}
			def := Object{Kind: ObjDefault, OID: t.OID, Sub: k + 1, Table: t.OID}
			add(def, ColumnObject(t, k), 'a')
			for _, name := range nextvalNames(c.Default) {
				if q, ok := s.Table(name); ok && q.Sequence {
					add(def, RelObject(q), 'n')
				}
			}
		}
		for _, ix := range t.Indexes {
			obj := Object{Kind: ObjIndex, OID: ix.OID, Table: t.OID, Name: ix.Name}
			if ix.Constraint {
				key := Object{Kind: ObjKey, OID: ix.OID, Table: t.OID, Name: ix.Name}
				for _, c := range ix.Columns {
					add(key, ColumnObject(t, c), 'a')
				}
				add(obj, key, 'i')
				continue
			}
			for _, c := range ix.Columns {
				add(obj, ColumnObject(t, c), 'a')
			}
		}
		for _, ck := range t.Checks {
			obj := Object{Kind: ObjCheck, OID: t.OID, Table: t.OID, Name: ck.Name}
			cols := ExprColumns(ck.Expr)
			n := 0
			for k, c := range t.Columns {
				if cols[c.Name] {
					add(obj, ColumnObject(t, k), 'a')
					n++
				}
			}
			if n == 0 {
				add(obj, rel, 'a')
			}
		}
		for _, fk := range t.ForeignKeys {
			obj := Object{Kind: ObjForeignKey, OID: t.OID, Table: t.OID, Name: fk.Name}
			for _, c := range fk.Columns {
				add(obj, ColumnObject(t, c), 'a')
			}
			if r, ok := s.ByOID(fk.RefTable); ok {
				for _, c := range fk.RefColumns {
					if r.OID != t.OID || !contains(fk.Columns, c) {
						add(obj, ColumnObject(r, c), 'n')
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Obj.Table < out[j].Obj.Table })
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ExprColumns returns the names of the columns an expression's SQL text
// references (none when it does not parse).
func ExprColumns(sql string) map[string]bool {
	out := map[string]bool{}
	e, err := ast.ParseScalar(sql)
	if err != nil {
		return out
	}
	ast.Walk(e, func(n ast.Node) bool {
		if r, ok := n.(*ast.ColumnRef); ok && !r.Star {
			out[r.Column] = true
		}
		return true
	})
	return out
}

// nextvalNames returns the catalog names of the sequences a default's SQL
// text calls nextval on with a constant name (nextval('s') or
// nextval('s'::regclass)).
func nextvalNames(sql string) []string {
	e, err := ast.ParseScalar(sql)
	if err != nil {
		return nil
	}
	var out []string
	ast.Walk(e, func(n ast.Node) bool {
		f, ok := n.(*ast.FuncCall)
		if !ok || f.Name != "nextval" || len(f.Args) != 1 || (f.Schema != "" && f.Schema != "pg_catalog") {
			return true
		}
		arg := f.Args[0]
		if c, ok := arg.(*ast.Cast); ok {
			arg = c.Expr
		}
		if c, ok := arg.(*ast.Const); ok && c.Value.K != 0 && c.Value.S != "" {
			out = append(out, regclassName(c.Value.S))
		}
		return true
	})
	return out
}

// regclassName turns regclass input text ("s", "Sc.S", "\"S\"") into a
// catalog name: unquoted parts folded to lower case, "public." dropped.
func regclassName(s string) string {
	var parts []string
	for len(s) > 0 {
		var part string
		if s[0] == '"' {
			end := strings.Index(s[1:], "\"")
			if end < 0 {
				return s
			}
			part, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part, s = strings.ToLower(s[:end]), s[end:]
		}
		parts = append(parts, part)
		s = strings.TrimPrefix(s, ".")
	}
	if len(parts) == 2 && parts[0] == "public" {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}
