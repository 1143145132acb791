package exec

import (
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// column is one column of a node's output: its name, type, the relation
// (name or alias) that qualifies it, and where it comes from for
// RowDescription.
type column struct {
	name  string
	typ   types.Type
	table string // qualifier ("" none: reachable unqualified only)
	// tableOID and attr describe a base-table column (0: computed).
	tableOID uint32
	attr     uint16
	// merged hides a join's USING/NATURAL input column from unqualified
	// references and from "*": the merged output column stands for it.
	merged bool
	// system marks a system column (ctid, xmin, ...; syscols.go): not in "*".
	system bool
}

// desc is the column's RowDescription entry.
func (c column) desc() wire.Column {
	t := c.typ
	if t.OID == types.OIDUnknown {
		t = types.Text
	}
	return wire.Column{Name: c.name, TableOID: c.tableOID, TableAttr: c.attr,
		TypeOID: uint32(t.OID), TypeMod: t.Typmod, TypeSize: typeSize(t)}
}

// tableColumns is the output schema of a scan of t, qualified by alias
// (the table's name when alias is "").
func tableColumns(t *catalog.Table, alias string) []column {
	if alias == "" {
		alias = t.Name
	}
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = column{name: c.Name, typ: c.Type, table: alias, tableOID: t.OID, attr: uint16(i + 1)}
	}
	return cols
}

// scope resolves names in an expression: the columns of the row the
// expression is evaluated over (a node's output schema) and, for a
// subquery, the scope of the enclosing query (outer).
//
// Aggregation: when aggs is non-nil, aggregate calls compile into *aggs
// (evaluated by an aggregate node over its input scope, in) and the
// expression is evaluated over the aggregate node's output row
// (the aggregate results); a column reference outside an aggregate call
// is then a grouping error.
type scope struct {
	cols  []column
	outer *scope

	aggs  *[]*aggSpec
	in    *scope // aggregate arguments resolve here (aggs != nil)
	inAgg bool
	// noAggs names the clause in which aggregates are not allowed ("" allowed).
	noAggs string
	// grp is the GROUP BY of an aggregating scope (group.go); win collects
	// window function calls where they are allowed (window.go; nil: not).
	grp *grouping
	win *windowing
	// srf collects set-returning calls where they are allowed (the select
	// list, projectset.go; nil: not).
	srf *srfSet
}

// lookup finds the column ref names in sc (not its outer scopes): its
// index, or -1; an error when the reference is ambiguous.
func (sc *scope) lookup(ref *ast.ColumnRef) (int, error) {
	found := -1
	for i, c := range sc.cols {
		if ref.Table != "" {
			if c.table != ref.Table || c.name != ref.Column {
				continue
			}
		} else if c.merged || c.name != ref.Column {
			continue
		}
		if found >= 0 {
			return -1, errf(CodeAmbiguousColumn, "column reference %q is ambiguous", refName(ref))
		}
		found = i
	}
	return found, nil
}

// hasTable reports whether a relation named name is in scope.
func (sc *scope) hasTable(name string) bool {
	for _, c := range sc.cols {
		if c.table == name {
			return true
		}
	}
	return false
}

func refName(ref *ast.ColumnRef) string {
	parts := []string{}
	if ref.Schema != "" {
		parts = append(parts, ref.Schema)
	}
	if ref.Table != "" {
		parts = append(parts, ref.Table)
	}
	parts = append(parts, ref.Column)
	return strings.Join(parts, ".")
}

// star expands "*" or "t.*" to the visible columns' indexes.
func (sc *scope) star(table string) ([]int, error) {
	var out []int
	for i, c := range sc.cols {
		if (table == "" && c.merged) || c.system {
			continue
		}
		if table != "" && c.table != table {
			continue
		}
		out = append(out, i)
	}
	if table != "" && len(out) == 0 {
		return nil, errf(CodeUndefinedTable, "missing FROM-clause entry for table %q", table)
	}
	return out, nil
}
