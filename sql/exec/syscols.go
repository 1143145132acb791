package exec

// System columns: PostgreSQL's ctid, xmin, cmin, xmax, cmax and tableoid
// of a base table. They are not stored: a scan of a statement that names
// one appends their values, computed from each row version's TID and
// header, after the table's columns (columns flagged system, which "*"
// and NATURAL joins skip). INSERT's RETURNING computes them for the row
// it wrote. Values: ctid is the version's (page, slot+1) (Borealis page
// ids are volume-wide, so the block number is not relation-relative);
// xmin/xmax the low 32 bits of the 64-bit xids (PostgreSQL's xid is 32
// bits); cmin/cmax the command ids (cmax is cmin while xmax is 0, as
// PostgreSQL's raw t_cid shows); tableoid the table's OID.

import (
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// sysColNames are the system columns in PostgreSQL's attnum order (-1 to
// -6).
var sysColNames = [...]string{"ctid", "xmin", "cmin", "xmax", "cmax", "tableoid"}

// sysColTypes are their types.
var sysColTypes = [...]types.Type{types.Tid, types.Xid, types.Cid, types.Xid, types.Cid, {OID: types.OIDOid, Typmod: -1}}

// isSystemColumn reports whether name is a system column's name.
func isSystemColumn(name string) bool {
	for _, n := range sysColNames {
		if n == name {
			return true
		}
	}
	return false
}

// checkSystemColumnName is CREATE TABLE's / ADD COLUMN's check: a user
// column may not take a system column's name (42701, as PostgreSQL).
func checkSystemColumnName(name string) error {
	if isSystemColumn(name) {
		return errf(CodeDuplicateColumn, "column name %q conflicts with a system column name", name)
	}
	return nil
}

// sysColumns is the output schema of t's system columns, qualified by
// alias (the table's name when "").
func sysColumns(t *catalog.Table, alias string) []column {
	if alias == "" {
		alias = t.Name
	}
	cols := make([]column, len(sysColNames))
	for i, n := range sysColNames {
		cols[i] = column{name: n, typ: sysColTypes[i], table: alias, tableOID: t.OID, system: true}
	}
	return cols
}

// sysDatums appends the system column values of the version at tid with
// header hd of table t to row.
func sysDatums(row []types.Datum, t *catalog.Table, tid heap.TID, hd *heap.Header) []types.Datum {
	cmax := hd.Cmax
	if hd.Xmax == 0 {
		cmax = hd.Cmin
	}
	return append(row,
		types.TidDatum(uint64(tid.Page), tid.Slot+1),
		types.XidDatum(hd.Xmin),
		types.NewInt(int64(hd.Cmin)),
		types.XidDatum(hd.Xmax),
		types.NewInt(int64(cmax)),
		types.NewInt(int64(t.OID)))
}

// refsSystemColumn reports whether n names a system column anywhere
// (a column reference whose last part is one; user columns cannot have
// these names).
func refsSystemColumn(n ast.Node) bool {
	found := false
	ast.Walk(n, func(x ast.Node) bool {
		if found {
			return false
		}
		if cr, ok := x.(*ast.ColumnRef); ok && !cr.Star && isSystemColumn(cr.Column) {
			found = true
		}
		return !found
	})
	return found
}

// withSystemColumns makes a base-table scan output its system columns
// after the table's.
func (n *scanNode) withSystemColumns() *scanNode {
	n.cols = append(n.cols, sysColumns(n.table, n.cols0Alias())...)
	n.sys = true
	return n
}

func (n *scanNode) cols0Alias() string {
	if len(n.cols) > 0 {
		return n.cols[0].table
	}
	return n.table.Name
}

// runSys is run for a scan with system columns.
func (n *scanNode) runSys(c *Ctx, emit func([]types.Datum) error) error {
	return n.scanHeaders(c, func(tid heap.TID, hd *heap.Header, row []types.Datum) error {
		return emit(sysDatums(row, n.table, tid, hd))
	})
}

// insertedSys returns a RETURNING row of INSERT: the written row's values
// followed by its system columns. The row was written by this command of
// this transaction at tid (ctid is NULL-free only when known: upserts
// refuse ctid at planning); updated tells an ON CONFLICT DO UPDATE whose
// new version PostgreSQL shows with the updater's xid as xmax (the row
// lock it carried), so "xmax = 0" tells inserted rows from updated ones.
func insertedSys(c *Ctx, t *catalog.Table, row []types.Datum, tid heap.TID, updated bool) []types.Datum {
	hd := heap.Header{Xmin: c.Tx.Xid(), Cmin: c.Tx.CommandID()}
	if updated {
		hd.Xmax, hd.Cmax = c.Tx.Xid(), hd.Cmin
	}
	return sysDatums(append([]types.Datum(nil), row...), t, tid, &hd)
}

// sysTypeName resolves the names of the system column types (typeName's
// hook).
func sysTypeName(name string) (types.Type, bool) {
	switch strings.ToLower(name) {
	case "tid":
		return types.Tid, true
	case "xid":
		return types.Xid, true
	case "cid":
		return types.Cid, true
	}
	return types.Type{}, false
}

// isSysType reports tid, xid or cid.
func isSysType(t types.Type) bool { return types.SystemTypeName(t) != "" }

// sysCoerce compiles a cast to or from tid, xid or cid; ok is false when
// neither side is one. Strings (and unknown literals) convert by the
// type's input function, values to text by its output; xid = int4
// comparisons are comparable's business, not casts.
func (cp *compiler) sysCoerce(e expr, from, to types.Type, ctx types.CoercionContext) (expr, bool, error) {
	switch {
	case !isSysType(from) && !isSysType(to):
		return nil, false, nil
	case from.OID == to.OID:
		return e, true, nil
	case isSysType(to) && (from.IsString() || from.OID == types.OIDUnknown):
		in := &sysInExpr{e: e, t: to}
		if k, ok := e.(*constExpr); ok {
			d, err := in.conv(k.d)
			if err != nil {
				return nil, true, err
			}
			return &constExpr{d: d, t: to}, true, nil
		}
		return in, true, nil
	case isSysType(from) && to.IsString() && ctx >= types.CoerceAssignment:
		return &sysOutExpr{e: e, t: to}, true, nil
	}
	if ctx == types.CoerceImplicit {
		return nil, true, noOperator("operator does not exist: %s = %s", typeLabel(from), typeLabel(to))
	}
	return nil, true, errf(types.CodeCannotCoerce, "cannot cast type %s to %s", typeLabel(from), typeLabel(to))
}

// sysInExpr converts a string to tid, xid or cid.
type sysInExpr struct {
	e expr
	t types.Type
}

func (e *sysInExpr) typ() types.Type { return e.t }

func (e *sysInExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return d, err
	}
	return e.conv(d)
}

func (e *sysInExpr) conv(d types.Datum) (types.Datum, error) {
	if d.IsNull() {
		return d, nil
	}
	if e.t.OID == types.OIDTid {
		return types.ParseTid(d.S)
	}
	return types.ParseXid(d.S, e.t)
}

// sysOutExpr converts tid, xid or cid to text.
type sysOutExpr struct {
	e expr
	t types.Type
}

func (e *sysOutExpr) typ() types.Type { return e.t }

func (e *sysOutExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	d, err := e.e.eval(c, row)
	if err != nil || d.IsNull() {
		return d, err
	}
	return types.NewString(string(types.AppendText(nil, e.e.typ(), d, nil))), nil
}

// xidIntComparable reports a comparison PostgreSQL has as xideqint4 /
// xidneqint4: an xid against an integer.
func xidIntComparable(l, r types.Type) bool {
	return (l.OID == types.OIDXid && r.IsInt()) || (r.OID == types.OIDXid && l.IsInt())
}

// sysOperatorOK reports whether op between l and r is one PostgreSQL
// defines when either side is tid, xid or cid: xid and cid have only =
// and <> (xid also against int4), tid has every comparison.
func sysOperatorOK(op string, l, r types.Type) bool {
	if !isSysType(l) && !isSysType(r) {
		return true
	}
	if l.OID == types.OIDTid && r.OID == types.OIDTid {
		return true
	}
	return op == "=" || op == "<>" || op == "!="
}

// targetsName reports whether a target list references the column name.
func targetsName(list []*ast.Target, name string) bool {
	for _, tg := range list {
		found := false
		ast.Walk(tg.Expr, func(x ast.Node) bool {
			if cr, ok := x.(*ast.ColumnRef); ok && !cr.Star && cr.Column == name {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}
