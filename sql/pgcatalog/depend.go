package pgcatalog

import (
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// pg_depend is generated from catalog.Set.Dependencies. A view's
// dependencies are its own (classid pg_class, objid the view) rather than
// its rewrite rule's as in PostgreSQL, which has pg_rewrite rows; pinned
// and type dependencies (a table's row type) are not listed.

// pgDependColumns are pg_depend's columns.
var pgDependColumns = []Column{
	{"classid", typOID, 26},
	{"objid", typOID, 26},
	{"objsubid", types.Int4, 23},
	{"refclassid", typOID, 26},
	{"refobjid", typOID, 26},
	{"refobjsubid", types.Int4, 23},
	{"deptype", types.Text, 18},
}

// Catalog OIDs of the classes of dependency objects.
const (
	classRelation   = 1259
	classConstraint = 2606
	classAttrDef    = 2604
	classNamespace  = 2615
)

// dependAddress is an object's (classid, objid, objsubid) as pg_depend
// names it; false when the object no longer resolves.
func dependAddress(cat *catalog.Set, o catalog.Object) (uint32, uint32, int, bool) {
	switch o.Kind {
	case catalog.ObjRelation:
		return classRelation, o.OID, o.Sub, true
	case catalog.ObjIndex:
		return classRelation, o.OID, 0, true
	case catalog.ObjKey:
		return classConstraint, ConstraintOIDBase + o.OID, 0, true
	case catalog.ObjDefault:
		return classAttrDef, attrDefOID(o.Table, o.Sub), 0, true
	case catalog.ObjSchema:
		return classNamespace, o.OID, 0, true
	case catalog.ObjCheck, catalog.ObjForeignKey:
		t, ok := cat.ByOID(o.Table)
		if !ok {
			return 0, 0, 0, false
		}
		if o.Kind == catalog.ObjCheck {
			for k, c := range t.Checks {
				if c.Name == o.Name {
					return classConstraint, tableConstraintOID(CheckOIDBase, t.OID, k), 0, true
				}
			}
			return 0, 0, 0, false
		}
		for k, fk := range t.ForeignKeys {
			if fk.Name == o.Name {
				return classConstraint, tableConstraintOID(ForeignKeyOIDBase, t.OID, k), 0, true
			}
		}
	}
	return 0, 0, 0, false
}

func dependRows(_ *Table, env *Env) ([]rowMap, error) {
	if env == nil || env.Cat == nil {
		return nil, nil
	}
	var out []rowMap
	for _, d := range env.Cat.Dependencies() {
		c1, o1, s1, ok1 := dependAddress(env.Cat, d.Obj)
		c2, o2, s2, ok2 := dependAddress(env.Cat, d.Ref)
		if !ok1 || !ok2 {
			continue
		}
		out = append(out, rowMap{
			"classid": i(int64(c1)), "objid": i(int64(o1)), "objsubid": i(int64(s1)),
			"refclassid": i(int64(c2)), "refobjid": i(int64(o2)), "refobjsubid": i(int64(s2)),
			"deptype": s(string(rune(d.Type))),
		})
	}
	return out, nil
}
