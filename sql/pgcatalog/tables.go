package pgcatalog

import (
	"strconv"

	"github.com/borealis-db/borealis/sql/types"
)

// rowMap is one row by column name (see row).
type rowMap = map[string]types.Datum

var (
	null  = types.Null
	dTrue = types.NewBool(true)
	dFals = types.NewBool(false)
)

func s(v string) types.Datum { return types.NewString(v) }
func i(v int64) types.Datum  { return types.NewInt(v) }
func b(v bool) types.Datum   { return types.NewBool(v) }

// builtinRoles are PostgreSQL 15's predefined roles (OID, name).
var builtinRoles = []struct {
	oid  uint32
	name string
}{
	{3373, "pg_monitor"}, {3374, "pg_read_all_settings"}, {3375, "pg_read_all_stats"},
	{3377, "pg_stat_scan_tables"}, {4200, "pg_signal_backend"}, {4544, "pg_checkpoint"},
	{4569, "pg_read_server_files"}, {4570, "pg_write_server_files"},
	{4571, "pg_execute_server_program"}, {RoleDatabaseOwner, "pg_database_owner"},
	{6181, "pg_read_all_data"}, {6182, "pg_write_all_data"},
}

// roleName names a role OID.
func roleName(env *Env, oid uint32) (string, bool) {
	if oid == RoleSuperuser {
		return env.superuser(), true
	}
	for _, r := range builtinRoles {
		if r.oid == oid {
			return r.name, true
		}
	}
	return "", false
}

// tableDefs returns fresh definitions of every virtual table.
func tableDefs() []*Table {
	var defs []*Table
	add := func(schema, name string, oid uint32, kind byte, rows func(t *Table, env *Env) ([]rowMap, error)) {
		t := &Table{Schema: schema, Name: name, OID: oid, Kind: kind}
		t.Columns = append([]Column(nil), pgColumns[schema+"."+name]...)
		t.Rows = func(env *Env) ([][]types.Datum, error) {
			if env == nil {
				env = &Env{}
			}
			maps, err := rows(t, env)
			if err != nil {
				return nil, err
			}
			return rowsOf(t, maps)
		}
		defs = append(defs, t)
	}
	empty := func(*Table, *Env) ([]rowMap, error) { return nil, nil }
	pc := "pg_catalog"
	add(pc, "pg_namespace", 2615, 'r', namespaceRows)
	add(pc, "pg_class", 1259, 'r', classRows)
	add(pc, "pg_attribute", 1249, 'r', attributeRows)
	add(pc, "pg_type", 1247, 'r', typeRows)
	add(pc, "pg_index", 2610, 'r', indexRows)
	add(pc, "pg_constraint", 2606, 'r', constraintRows)
	add(pc, "pg_attrdef", 2604, 'r', attrdefRows)
	add(pc, "pg_database", 1262, 'r', databaseRows)
	add(pc, "pg_roles", 12000, 'v', rolesRows)
	add(pc, "pg_user", 12014, 'v', userRows)
	add(pc, "pg_auth_members", 1261, 'r', authMembersRows)
	add(pc, "pg_am", 2601, 'r', amRows)
	add(pc, "pg_collation", 3456, 'r', collationRows)
	add(pc, "pg_tablespace", 1213, 'r', tablespaceRows)
	add(pc, "pg_tables", 12033, 'v', pgTablesRows)
	add(pc, "pg_indexes", 12043, 'v', pgIndexesRows)
	add(pc, "pg_locks", locksOID, 'v', locksRows)
	defs[len(defs)-1].Columns = locksColumns() // locks.go (not in the generated columns)
	add(pc, "pg_description", 2609, 'r', descriptionRows)
	add(pc, "pg_shdescription", 2396, 'r', shdescriptionRows)
	add(pc, "pg_proc", 1255, 'r', empty)
	add(pc, "pg_policy", 3256, 'r', empty)
	add(pc, "pg_statistic_ext", 3381, 'r', empty)
	add(pc, "pg_publication", 6104, 'r', empty)
	add(pc, "pg_publication_namespace", 6237, 'r', empty)
	add(pc, "pg_publication_rel", 6106, 'r', empty)
	// psql's \d subscripts prattrs (int2vector), which a text column
	// cannot be: it is int2[] here (the relation has no rows).
	defs[len(defs)-1].Columns[defs[len(defs)-1].Column("prattrs")].Type = typInt2Array
	add(pc, "pg_depend", 2608, 'r', dependRows) // depend.go
	defs[len(defs)-1].Columns = append([]Column(nil), pgDependColumns...)
	add(pc, "pg_inherits", 2611, 'r', empty)
	add(pc, "pg_partitioned_table", 3350, 'r', empty)
	add(pc, "pg_sequence", 2224, 'r', sequenceRows) // psql.go
	add(pc, "pg_trigger", 2620, 'r', empty)
	add(pc, "pg_extension", 3079, 'r', empty)
	add(pc, "pg_db_role_setting", 2964, 'r', empty)
	is := "information_schema"
	add(is, "schemata", 13382, 'v', schemataRows)
	add(is, "tables", 13425, 'v', infoTablesRows)
	add(is, "columns", 13295, 'v', infoColumnsRows)
	return defs
}

// sharedCatalogs are the relations PostgreSQL shares between databases.
var sharedCatalogs = map[string]bool{"pg_database": true, "pg_auth_members": true, "pg_shdescription": true, "pg_tablespace": true, "pg_db_role_setting": true}

func namespaceRows(_ *Table, env *Env) ([]rowMap, error) {
	su := env.superuser()
	acl := textArray(su+"=UC/"+su, "=U/"+su)
	out := []rowMap{
		{"oid": i(NamespaceCatalog), "nspname": s("pg_catalog"), "nspowner": i(RoleSuperuser), "nspacl": acl},
		{"oid": i(NamespaceToast), "nspname": s("pg_toast"), "nspowner": i(RoleSuperuser)},
		{"oid": i(NamespacePublic), "nspname": s("public"), "nspowner": i(RoleDatabaseOwner),
			"nspacl": textArray("pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner")},
		{"oid": i(NamespaceInfoSchema), "nspname": s("information_schema"), "nspowner": i(RoleSuperuser), "nspacl": acl},
	}
	if env.Cat != nil {
		for _, sc := range env.Cat.Schemas() {
			out = append(out, rowMap{"oid": i(int64(sc.OID)), "nspname": s(sc.Name), "nspowner": i(RoleSuperuser)})
		}
	}
	return out, nil
}

func classRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	referenced := referencedTables(env) // psql.go
	for _, r := range relations(env) {
		m := rowMap{
			"oid": i(int64(r.oid)), "relname": s(r.name), "relnamespace": i(int64(r.ns)),
			"reltype": i(0), "reloftype": i(0), "relowner": i(RoleSuperuser), "relam": i(0),
			"relfilenode": i(int64(r.oid)), "reltablespace": i(0), "relpages": i(0),
			"reltuples": types.NewFloat(-1), "relallvisible": i(0), "reltoastrelid": i(0),
			"relhasindex": dFals, "relisshared": dFals, "relpersistence": s("p"),
			"relkind": charDatum(r.kind), "relnatts": i(int64(r.natts())), "relchecks": i(0),
			"relhasrules": dFals, "relhastriggers": dFals, "relhassubclass": dFals,
			"relrowsecurity": dFals, "relforcerowsecurity": dFals, "relispopulated": dTrue,
			"relreplident": s("n"), "relispartition": dFals, "relrewrite": i(0),
			"relfrozenxid": i(0), "relminmxid": i(0),
		}
		switch {
		case r.index != nil:
			m["relam"] = i(AMBtree)
		case r.table != nil && r.kind != 'r':
			m["relfilenode"] = i(0)
			if r.kind == 'S' {
				m["relfilenode"] = i(int64(r.oid))
			}
		case r.table != nil:
			m["relam"] = i(AMHeap)
			m["relhasindex"] = b(len(r.table.Indexes) > 0)
			m["relchecks"] = i(int64(len(r.table.Checks)))
			// PostgreSQL's foreign keys are triggers on both tables.
			m["relhastriggers"] = b(len(r.table.ForeignKeys) > 0 || referenced[r.table.OID])
			m["relreplident"] = s("d")
			if r.table.FillFactor != 0 {
				m["reloptions"] = textArray("fillfactor=" + strconv.Itoa(r.table.FillFactor))
			}
		case r.vt.Kind == 'r':
			m["relam"] = i(AMHeap)
			m["relisshared"] = b(sharedCatalogs[r.name])
			m["relreplident"] = s("d")
			if r.ns == NamespaceCatalog {
				m["relacl"] = textArray(env.superuser()+"=arwdDxt/"+env.superuser(), "=r/"+env.superuser())
			}
		default: // view
			m["relfilenode"] = i(0)
			m["relacl"] = textArray(env.superuser()+"=arwdDxt/"+env.superuser(), "=r/"+env.superuser())
		}
		out = append(out, m)
	}
	return out, nil
}

// attributeRows: attlen, attalign, attstorage, … come from the column's
// pg_type row.
func attributeRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		for n, a := range r.attrs() {
			ti, ok := typeInfo(a.pgType)
			if !ok {
				ti = &pgType{len: -1, align: 'i', storage: 'x'}
			}
			ndims := int64(0)
			if ti.elem != 0 && ti.len == -1 {
				ndims = 1
			}
			out = append(out, rowMap{
				"attrelid": i(int64(r.oid)), "attname": s(a.name), "atttypid": i(int64(a.pgType)),
				"attstattarget": i(-1), "attlen": i(int64(ti.len)), "attnum": i(int64(n + 1)),
				"attndims": i(ndims), "attcacheoff": i(-1), "atttypmod": i(int64(a.typ.Typmod)),
				"attbyval": b(ti.byVal), "attalign": charDatum(ti.align), "attstorage": charDatum(ti.storage),
				"attcompression": s(""), "attnotnull": b(a.notNull), "atthasdef": b(a.hasDef),
				"atthasmissing": dFals, "attidentity": s(a.identity), "attgenerated": s(""),
				"attisdropped": dFals, "attislocal": dTrue, "attinhcount": i(0),
				"attcollation": i(int64(ti.collation)),
			})
		}
	}
	return out, nil
}

func typeRows(_ *Table, _ *Env) ([]rowMap, error) {
	var out []rowMap
	for _, t := range pgTypes {
		out = append(out, rowMap{
			"oid": i(int64(t.oid)), "typname": s(t.name), "typnamespace": i(NamespaceCatalog),
			"typowner": i(RoleSuperuser), "typlen": i(int64(t.len)), "typbyval": b(t.byVal),
			"typtype": charDatum(t.typtype), "typcategory": charDatum(t.category),
			"typispreferred": b(t.oid == types.OIDText || t.oid == types.OIDFloat8 || t.oid == types.OIDTimestamptz || t.oid == types.OIDBool || t.oid == types.OIDOid || t.oid == types.OIDInterval),
			"typisdefined":   dTrue, "typdelim": s(","), "typrelid": i(0), "typsubscript": i(0),
			"typelem": i(int64(t.elem)), "typarray": i(int64(t.array)),
			"typalign": charDatum(t.align), "typstorage": charDatum(t.storage), "typnotnull": dFals,
			"typbasetype": i(0), "typtypmod": i(-1), "typndims": i(0),
			"typcollation": i(int64(t.collation)),
		})
	}
	return out, nil
}

func indexRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.index == nil {
			continue
		}
		ix := r.index
		keys := make([]int, len(ix.Columns))
		colls := make([]uint32, len(ix.Columns))
		classes := make([]uint32, len(ix.Columns))
		opts := make([]int, len(ix.Columns))
		for k, c := range ix.Columns {
			keys[k] = c + 1
			if ti, ok := typeInfo(r.table.Columns[c].Type.OID); ok {
				colls[k] = ti.collation
				classes[k] = ti.opclass
			}
		}
		out = append(out, rowMap{
			"indexrelid": i(int64(ix.OID)), "indrelid": i(int64(r.table.OID)),
			"indnatts": i(int64(len(keys))), "indnkeyatts": i(int64(len(keys))),
			"indisunique": b(ix.Unique), "indnullsnotdistinct": dFals, "indisprimary": b(ix.Primary),
			"indisexclusion": dFals, "indimmediate": dTrue, "indisclustered": dFals,
			"indisvalid": dTrue, "indcheckxmin": dFals, "indisready": dTrue, "indislive": dTrue,
			"indisreplident": dFals, "indkey": s(int2vector(keys)), "indcollation": s(int2vector(colls)),
			"indclass": s(int2vector(classes)), "indoption": s(int2vector(opts)),
		})
	}
	return out, nil
}

func constraintRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.index == nil || !isConstraint(r.index) {
			continue
		}
		ix := r.index
		keys := make([]types.Datum, len(ix.Columns))
		for k, c := range ix.Columns {
			keys[k] = i(int64(c + 1))
		}
		contype := "u"
		if ix.Primary {
			contype = "p"
		}
		out = append(out, rowMap{
			"oid": i(int64(constraintOID(ix))), "conname": s(ix.Name), "connamespace": i(NamespacePublic),
			"contype": s(contype), "condeferrable": dFals, "condeferred": dFals, "convalidated": dTrue,
			"conrelid": i(int64(r.table.OID)), "contypid": i(0), "conindid": i(int64(ix.OID)),
			"conparentid": i(0), "confrelid": i(0), "confupdtype": s(" "), "confdeltype": s(" "),
			"confmatchtype": s(" "), "conislocal": dTrue, "coninhcount": i(0), "connoinherit": dTrue,
			"conkey": types.NewArray(types.MakeArray(keys)),
		})
	}
	return append(out, tableConstraintRows(env)...), nil
}

func attrdefRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	if env.Cat == nil {
		return nil, nil
	}
	for _, t := range env.Cat.Tables() {
		for n, c := range t.Columns {
			if !hasDefault(c) {
				continue
			}
			out = append(out, rowMap{
				"oid": i(int64(attrDefOID(t.OID, n+1))), "adrelid": i(int64(t.OID)),
				"adnum": i(int64(n + 1)), "adbin": s(DefaultExpr(c.Default, c.Type)),
			})
		}
	}
	return out, nil
}

func databaseRows(_ *Table, env *Env) ([]rowMap, error) {
	return []rowMap{{
		"oid": i(DatabaseOID), "datname": s(env.database()), "datdba": i(RoleSuperuser),
		"encoding": i(EncodingUTF8), "datlocprovider": s("c"), "datistemplate": dFals,
		"datallowconn": dTrue, "datconnlimit": i(-1), "datfrozenxid": i(0), "datminmxid": i(1),
		"dattablespace": i(TablespaceDefault), "datcollate": s("C"), "datctype": s("C"),
	}}, nil
}

func rolesRows(_ *Table, env *Env) ([]rowMap, error) {
	out := []rowMap{{
		"rolname": s(env.superuser()), "rolsuper": dTrue, "rolinherit": dTrue, "rolcreaterole": dTrue,
		"rolcreatedb": dTrue, "rolcanlogin": dTrue, "rolreplication": dTrue, "rolconnlimit": i(-1),
		"rolpassword": s("********"), "rolbypassrls": dTrue, "oid": i(RoleSuperuser),
	}}
	for _, r := range builtinRoles {
		out = append(out, rowMap{
			"rolname": s(r.name), "rolsuper": dFals, "rolinherit": dTrue, "rolcreaterole": dFals,
			"rolcreatedb": dFals, "rolcanlogin": dFals, "rolreplication": dFals, "rolconnlimit": i(-1),
			"rolpassword": s("********"), "rolbypassrls": dFals, "oid": i(int64(r.oid)),
		})
	}
	return out, nil
}

func userRows(_ *Table, env *Env) ([]rowMap, error) {
	return []rowMap{{
		"usename": s(env.superuser()), "usesysid": i(RoleSuperuser), "usecreatedb": dTrue,
		"usesuper": dTrue, "userepl": dTrue, "usebypassrls": dTrue, "passwd": s("********"),
	}}, nil
}

func authMembersRows(_ *Table, _ *Env) ([]rowMap, error) {
	var out []rowMap
	for _, role := range []int64{3374, 3375, 3377} { // pg_monitor's memberships
		out = append(out, rowMap{"roleid": i(role), "member": i(3373), "grantor": i(RoleSuperuser), "admin_option": dFals})
	}
	return out, nil
}

func amRows(_ *Table, _ *Env) ([]rowMap, error) {
	return []rowMap{
		{"oid": i(AMHeap), "amname": s("heap"), "amhandler": i(3), "amtype": s("t")},
		{"oid": i(AMBtree), "amname": s("btree"), "amhandler": i(330), "amtype": s("i")},
	}, nil
}

func collationRows(_ *Table, _ *Env) ([]rowMap, error) {
	c := func(oid int64, name, provider string, locale types.Datum) rowMap {
		return rowMap{"oid": i(oid), "collname": s(name), "collnamespace": i(NamespaceCatalog),
			"collowner": i(RoleSuperuser), "collprovider": s(provider), "collisdeterministic": dTrue,
			"collencoding": i(-1), "collcollate": locale, "collctype": locale}
	}
	return []rowMap{c(CollationDefault, "default", "d", null), c(950, "C", "c", s("C")), c(951, "POSIX", "c", s("POSIX"))}, nil
}

func tablespaceRows(_ *Table, _ *Env) ([]rowMap, error) {
	return []rowMap{
		{"oid": i(TablespaceDefault), "spcname": s("pg_default"), "spcowner": i(RoleSuperuser)},
		{"oid": i(TablespaceGlobal), "spcname": s("pg_global"), "spcowner": i(RoleSuperuser)},
	}, nil
}

func pgTablesRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.kind != 'r' {
			continue
		}
		ns := r.nspname()
		hasIdx := r.table != nil && len(r.table.Indexes) > 0
		out = append(out, rowMap{"schemaname": s(ns), "tablename": s(r.name), "tableowner": s(env.superuser()),
			"hasindexes": b(hasIdx), "hasrules": dFals, "hastriggers": dFals, "rowsecurity": dFals})
	}
	return out, nil
}

func pgIndexesRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.index == nil {
			continue
		}
		out = append(out, rowMap{"schemaname": s("public"), "tablename": s(r.table.Name), "indexname": s(r.name),
			"indexdef": s(indexDef(env, r, 0, false))})
	}
	return out, nil
}

func schemataRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, ns := range []struct {
		name  string
		owner string
	}{
		{"information_schema", env.superuser()}, {"pg_catalog", env.superuser()},
		{"pg_toast", env.superuser()}, {"public", "pg_database_owner"},
	} {
		out = append(out, rowMap{"catalog_name": s(env.database()), "schema_name": s(ns.name), "schema_owner": s(ns.owner)})
	}
	return out, nil
}

func infoTablesRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.kind != 'r' && r.kind != 'v' {
			continue
		}
		ns := r.nspname()
		typ, ins := "BASE TABLE", "YES"
		if r.kind == 'v' {
			typ, ins = "VIEW", "NO"
		}
		out = append(out, rowMap{"table_catalog": s(env.database()), "table_schema": s(ns), "table_name": s(r.name),
			"table_type": s(typ), "is_insertable_into": s(ins), "is_typed": s("NO")})
	}
	return out, nil
}

func infoColumnsRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, r := range relations(env) {
		if r.kind != 'r' && r.kind != 'v' {
			continue
		}
		ns := r.nspname()
		for n, a := range r.attrs() {
			m := rowMap{
				"table_catalog": s(env.database()), "table_schema": s(ns), "table_name": s(r.name),
				"column_name": s(a.name), "ordinal_position": i(int64(n + 1)),
				"is_nullable": s(map[bool]string{true: "NO", false: "YES"}[a.notNull]),
				"udt_catalog": s(env.database()), "udt_schema": s("pg_catalog"),
				"dtd_identifier": s(strconv.Itoa(n + 1)), "is_self_referencing": s("NO"),
				"is_identity": s("NO"), "identity_cycle": s("NO"), "is_generated": s("NEVER"),
				"is_updatable": s(map[bool]string{true: "YES", false: "NO"}[r.kind == 'r' && r.table != nil]),
			}
			if r.table != nil && a.hasDef {
				m["column_default"] = s(DefaultExpr(r.table.Columns[n].Default, a.typ))
			}
			if ti, ok := typeInfo(a.pgType); ok {
				m["udt_name"] = s(ti.name)
				m["data_type"] = s(formatType(a.pgType, -1, false))
				if ti.elem != 0 && ti.len == -1 {
					m["data_type"] = s("ARRAY")
				}
			}
			infoColumnNumbers(m, a.typ)
			out = append(out, m)
		}
	}
	return out, nil
}

// infoColumnNumbers fills information_schema.columns' length, precision
// and scale columns for type t (PostgreSQL's _pg_char_max_length,
// _pg_numeric_precision, … functions).
func infoColumnNumbers(m rowMap, t types.Type) {
	switch t.OID {
	case types.OIDVarchar, types.OIDBpchar:
		if n := t.CharLen(); n >= 0 {
			m["character_maximum_length"] = i(int64(n))
			m["character_octet_length"] = i(int64(n) * 4)
		} else {
			m["character_octet_length"] = i(1073741824)
		}
	case types.OIDText:
		m["character_octet_length"] = i(1073741824)
	case types.OIDInt2, types.OIDInt4, types.OIDInt8:
		m["numeric_precision"] = i(map[types.OID]int64{types.OIDInt2: 16, types.OIDInt4: 32, types.OIDInt8: 64}[t.OID])
		m["numeric_precision_radix"] = i(2)
		m["numeric_scale"] = i(0)
	case types.OIDFloat8:
		m["numeric_precision"] = i(53)
		m["numeric_precision_radix"] = i(2)
	case 700:
		m["numeric_precision"] = i(24)
		m["numeric_precision_radix"] = i(2)
	case types.OIDNumeric:
		m["numeric_precision_radix"] = i(10)
		if p, sc, ok := t.NumericPrecScale(); ok {
			m["numeric_precision"] = i(int64(p))
			m["numeric_scale"] = i(int64(sc))
		}
	case types.OIDDate:
		m["datetime_precision"] = i(0)
	case types.OIDTimestamp, types.OIDTimestamptz, types.OIDInterval, types.OIDTime, types.OIDTimetz:
		p := int64(6)
		if t.Typmod >= 0 {
			p = int64(t.Typmod)
		}
		m["datetime_precision"] = i(p)
	}
}

func descriptionRows(_ *Table, _ *Env) ([]rowMap, error) {
	var out []rowMap
	for _, d := range descriptions {
		out = append(out, rowMap{"objoid": i(int64(d.objoid)), "classoid": i(int64(d.classoid)),
			"objsubid": i(int64(d.objsubid)), "description": s(d.text)})
	}
	return out, nil
}

// shdescriptions are the comments on shared objects: PostgreSQL's on its
// "postgres" database, when the database has that name.
func shdescriptions(env *Env) []description {
	if env.database() != "postgres" {
		return nil
	}
	return []description{{DatabaseOID, 1262, 0, "default administrative connection database"}}
}

func shdescriptionRows(_ *Table, env *Env) ([]rowMap, error) {
	var out []rowMap
	for _, d := range shdescriptions(env) {
		out = append(out, rowMap{"objoid": i(int64(d.objoid)), "classoid": i(int64(d.classoid)), "description": s(d.text)})
	}
	return out, nil
}
