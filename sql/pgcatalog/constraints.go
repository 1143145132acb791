package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// CHECK and FOREIGN KEY constraints have no OID in sql/catalog: theirs
// are synthesized from the table's OID and the constraint's position,
// CheckOIDBase + (table OID << 6 | k) and ForeignKeyOIDBase + (table OID
// << 6 | k), inside the constraint range below AttrDefOIDBase (tables
// with OIDs below 2^22 and up to 64 of each kind per table).
const (
	CheckOIDBase      = ConstraintOIDBase + 0x20000000
	ForeignKeyOIDBase = ConstraintOIDBase + 0x30000000
)

// tableConstraintOID is the OID of a table's k-th CHECK or FOREIGN KEY.
func tableConstraintOID(base, table uint32, k int) uint32 {
	return base + (table<<6|uint32(k))&0x0fffffff
}

// tableConstraintRows are the pg_constraint rows of the CHECK and FOREIGN
// KEY constraints of every table.
func tableConstraintRows(env *Env) []rowMap {
	var out []rowMap
	if env == nil || env.Cat == nil {
		return nil
	}
	common := func(oid uint32, name, contype string, t *catalog.Table) rowMap {
		return rowMap{
			"oid": i(int64(oid)), "conname": s(name), "connamespace": i(NamespacePublic),
			"contype": s(contype), "condeferrable": dFals, "condeferred": dFals, "convalidated": dTrue,
			"conrelid": i(int64(t.OID)), "contypid": i(0), "conindid": i(0),
			"conparentid": i(0), "confrelid": i(0), "confupdtype": s(" "), "confdeltype": s(" "),
			"confmatchtype": s(" "), "conislocal": dTrue, "coninhcount": i(0), "connoinherit": dFals,
		}
	}
	for _, t := range env.Cat.Tables() {
		for k, c := range t.Checks {
			m := common(tableConstraintOID(CheckOIDBase, t.OID, k), c.Name, "c", t)
			m["conbin"] = s(c.Expr)
			out = append(out, m)
		}
		for k, fk := range t.ForeignKeys {
			m := common(tableConstraintOID(ForeignKeyOIDBase, t.OID, k), fk.Name, "f", t)
			m["confrelid"] = i(int64(fk.RefTable))
			m["confupdtype"], m["confdeltype"], m["confmatchtype"] = s(action(fk.OnUpdate)), s(action(fk.OnDelete)), s("s")
			m["conkey"] = attnums(fk.Columns)
			m["confkey"] = attnums(fk.RefColumns)
			m["connoinherit"] = dTrue
			if ref, ok := env.Cat.ByOID(fk.RefTable); ok {
				for n := range ref.Indexes {
					if sameColumns(ref.Indexes[n].Columns, fk.RefColumns) && ref.Indexes[n].Unique {
						m["conindid"] = i(int64(ref.Indexes[n].OID))
						break
					}
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// action is a foreign key action letter ("" is NO ACTION's 'a').
func action(a string) string {
	if a == "" {
		return "a"
	}
	return a
}

// attnums is an int2[] of 1-based column numbers.
func attnums(cols []int) types.Datum {
	keys := make([]types.Datum, len(cols))
	for k, c := range cols {
		keys[k] = i(int64(c + 1))
	}
	return types.NewArray(types.MakeArray(keys))
}

func sameColumns(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

// tableConstraintDef is pg_get_constraintdef of a CHECK or FOREIGN KEY
// constraint's OID.
func tableConstraintDef(env *Env, oid uint32) (string, bool) {
	if env == nil || env.Cat == nil || oid < CheckOIDBase || oid >= AttrDefOIDBase {
		return "", false
	}
	for _, t := range env.Cat.Tables() {
		for k, c := range t.Checks {
			if tableConstraintOID(CheckOIDBase, t.OID, k) == oid {
				return "CHECK (" + checkExpr(t, c.Expr) + ")", true
			}
		}
		for k, fk := range t.ForeignKeys {
			if tableConstraintOID(ForeignKeyOIDBase, t.OID, k) != oid {
				continue
			}
			ref, ok := env.Cat.ByOID(fk.RefTable)
			if !ok {
				return "", false
			}
			def := "FOREIGN KEY (" + columnNames(t, fk.Columns) + ") REFERENCES " + quoteIdent(ref.Name) + "(" + columnNames(ref, fk.RefColumns) + ")"
			for _, a := range []struct{ on, letter string }{{"UPDATE", fk.OnUpdate}, {"DELETE", fk.OnDelete}} {
				if w, ok := actionWords[a.letter]; ok {
					def += " ON " + a.on + " " + w
				}
			}
			return def, true
		}
	}
	return "", false
}

// actionWords spell the foreign key actions pg_get_constraintdef prints
// (NO ACTION, the default, is not printed).
var actionWords = map[string]string{"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

func columnNames(t *catalog.Table, cols []int) string {
	names := make([]string, len(cols))
	for k, c := range cols {
		if c >= 0 && c < len(t.Columns) {
			names[k] = quoteIdent(t.Columns[c].Name)
		}
	}
	return strings.Join(names, ", ")
}

// checkExpr renders a CHECK expression as pg_get_constraintdef does for
// the one shape it recognizes, `column op integer` on a numeric or
// double precision column, where PostgreSQL shows the constant's implicit
// cast (`balance >= 0::numeric`); any other expression is returned as the
// catalog stores it.
func checkExpr(t *catalog.Table, text string) string {
	x, err := ast.ParseScalar(text)
	if err != nil {
		return text
	}
	e, ok := x.(*ast.BinaryExpr)
	if !ok {
		return text
	}
	ref, ok1 := e.Left.(*ast.ColumnRef)
	c, ok2 := e.Right.(*ast.Const)
	if !ok1 || !ok2 || ref.Star || ref.Table != "" || c.Type.OID != types.OIDInt4 || c.Value.IsNull() || c.Value.I < 0 {
		return text
	}
	name := ref.Column
	for _, col := range t.Columns {
		if col.Name != name {
			continue
		}
		if col.Type.OID != types.OIDNumeric && col.Type.OID != types.OIDFloat8 {
			return text
		}
		return quoteIdent(name) + " " + e.Op + " " +
			strconv.FormatInt(c.Value.I, 10) + "::" + formatType(col.Type.OID, -1, false)
	}
	return text
}
