package exec

import (
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// vtable is a read-only pg_catalog relation generated from the catalog.
type vtable struct {
	oid  uint32
	cols []vcol
	rows func(c *Ctx) [][]types.Datum
}

type vcol struct {
	name string
	t    types.Type
}

var oidType = types.Type{OID: types.OIDOid, Typmod: -1}

func oidDatum(o uint32) types.Datum { return types.NewInt(int64(o)) }

// virtualTables are the pg_catalog relations a client may query (pgbench's
// relkind and partitioning checks, simple tools). OIDs are PostgreSQL's.
var virtualTables = map[string]*vtable{
	"pg_class": {oid: 1259, cols: []vcol{{"oid", oidType}, {"relname", types.Text}, {"relnamespace", oidType},
		{"relkind", types.Text}, {"relhasindex", types.Bool}, {"relpersistence", types.Text}, {"reltuples", types.Float8}},
		rows: func(c *Ctx) [][]types.Datum {
			var out [][]types.Datum
			for _, t := range c.Cat.Tables() {
				out = append(out, []types.Datum{oidDatum(t.OID), types.NewString(t.Name), oidDatum(catalog.NamespacePublic),
					types.NewString("r"), types.NewBool(len(t.Indexes) > 0), types.NewString("p"), types.NewFloat(-1)})
				for _, ix := range t.Indexes {
					out = append(out, []types.Datum{oidDatum(ix.OID), types.NewString(ix.Name), oidDatum(catalog.NamespacePublic),
						types.NewString("i"), types.NewBool(false), types.NewString("p"), types.NewFloat(-1)})
				}
			}
			return out
		}},
	"pg_namespace": {oid: 2615, cols: []vcol{{"oid", oidType}, {"nspname", types.Text}},
		rows: func(*Ctx) [][]types.Datum {
			return [][]types.Datum{
				{oidDatum(catalog.NamespaceCatalog), types.NewString("pg_catalog")},
				{oidDatum(catalog.NamespacePublic), types.NewString("public")},
			}
		}},
	"pg_partitioned_table": {oid: 3350, cols: []vcol{{"partrelid", oidType}, {"partstrat", types.Text}},
		rows: func(*Ctx) [][]types.Datum { return nil }},
	"pg_inherits": {oid: 2611, cols: []vcol{{"inhrelid", oidType}, {"inhparent", oidType}, {"inhseqno", types.Int4}},
		rows: func(*Ctx) [][]types.Datum { return nil }},
	"pg_tables": {oid: 0, cols: []vcol{{"schemaname", types.Text}, {"tablename", types.Text}, {"hasindexes", types.Bool}},
		rows: func(c *Ctx) [][]types.Datum {
			var out [][]types.Datum
			for _, t := range c.Cat.Tables() {
				out = append(out, []types.Datum{types.NewString("public"), types.NewString(t.Name), types.NewBool(len(t.Indexes) > 0)})
			}
			return out
		}},
}
