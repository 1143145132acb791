package exec

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// node is an operator of a query plan. Execution is push-based: run calls
// emit once per output row, in order, and stops early when emit returns an
// error (errStop ends a run without failing it: LIMIT uses it). The row
// passed to emit is owned by the receiver (nodes never reuse it).
type node interface {
	// columns is the output schema, used for name resolution by the nodes
	// and expressions above and for RowDescription.
	columns() []column
	// run produces the rows.
	run(c *Ctx, emit func(row []types.Datum) error) error
	// explain appends the node's EXPLAIN lines (and its children's).
	explain(e *explainer)
}

// errStop ends a run early without an error (LIMIT reached).
var errStop = errors.New("exec: stop")

// explainer collects EXPLAIN lines, PostgreSQL style: the top node, then
// each child on a line "->  " indented under its parent.
type explainer struct {
	lines []string
	depth int
}

// line adds the line of a node at the current depth.
func (e *explainer) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if e.depth > 0 {
		s = strings.Repeat("      ", e.depth-1) + "  ->  " + s
	}
	e.lines = append(e.lines, s)
}

// child explains n one level deeper.
func (e *explainer) child(n node) {
	e.depth++
	n.explain(e)
	e.depth--
}

// explainPlan returns the EXPLAIN text of a plan tree.
func explainPlan(n node) string {
	e := &explainer{}
	n.explain(e)
	return strings.Join(e.lines, "\n")
}

// resultNode produces one empty row (SELECT without FROM).
type resultNode struct{}

func (resultNode) columns() []column { return nil }
func (resultNode) run(_ *Ctx, emit func([]types.Datum) error) error {
	return emit(nil)
}
func (resultNode) explain(e *explainer) { e.line("Result") }

// valuesNode produces the rows of a VALUES list.
type valuesNode struct {
	cols []column
	rows [][]expr
}

func (n *valuesNode) columns() []column { return n.cols }
func (n *valuesNode) run(c *Ctx, emit func([]types.Datum) error) error {
	for _, r := range n.rows {
		row := make([]types.Datum, len(r))
		for i, e := range r {
			d, err := e.eval(c, nil)
			if err != nil {
				return err
			}
			row[i] = d
		}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}
func (n *valuesNode) explain(e *explainer) { e.line("Values Scan") }

// filterNode passes the rows of its input for which cond is true.
type filterNode struct {
	in   node
	cond expr
}

func (n *filterNode) columns() []column { return n.in.columns() }
func (n *filterNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, func(row []types.Datum) error {
		ok, err := truthy(c, n.cond, row)
		if err != nil || !ok {
			return err
		}
		return emit(row)
	})
}

// explain: a filter is shown as part of the node it filters.
func (n *filterNode) explain(e *explainer) { n.in.explain(e) }

// projectNode computes its output columns from each input row.
type projectNode struct {
	in    node
	exprs []expr
	cols  []column
}

func (n *projectNode) columns() []column { return n.cols }
func (n *projectNode) run(c *Ctx, emit func([]types.Datum) error) error {
	return n.in.run(c, func(row []types.Datum) error {
		out := make([]types.Datum, len(n.exprs))
		for i, e := range n.exprs {
			d, err := e.eval(c, row)
			if err != nil {
				return err
			}
			out[i] = d
		}
		return emit(out)
	})
}
func (n *projectNode) explain(e *explainer) { n.in.explain(e) }

// sortKey orders rows by column col.
type sortKey struct {
	col        int
	desc       bool
	nullsFirst bool
	t          types.Type
}

// sortNode sorts its input (stable: ties keep input order).
type sortNode struct {
	in   node
	keys []sortKey
}

func (n *sortNode) columns() []column { return n.in.columns() }
func (n *sortNode) run(c *Ctx, emit func([]types.Datum) error) error {
	var rows [][]types.Datum
	if err := n.in.run(c, func(row []types.Datum) error {
		rows = append(rows, row)
		return nil
	}); err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool { return compareRows(n.keys, rows[i], rows[j]) < 0 })
	for _, r := range rows {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}
func (n *sortNode) explain(e *explainer) {
	e.line("Sort")
	e.child(n.in)
}

// compareRows orders two rows by keys.
func compareRows(keys []sortKey, a, b []types.Datum) int {
	for _, k := range keys {
		x, y := a[k.col], b[k.col]
		var r int
		if x.IsNull() || y.IsNull() {
			r = types.CompareNulls(x, y, k.nullsFirst, nil)
		} else {
			r = types.CompareAs(k.t, x, y)
			if k.desc {
				r = -r
			}
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

// limitNode passes rows offset+1 .. offset+limit of its input; the
// expressions are evaluated once per run (limit nil: no limit).
type limitNode struct {
	in            node
	limit, offset expr
	ties          []sortKey // WITH TIES: also the rows equal to the last one on these keys
}

func (n *limitNode) columns() []column { return n.in.columns() }
func (n *limitNode) run(c *Ctx, emit func([]types.Datum) error) error {
	var limit, offset int64 = -1, 0
	for _, x := range []struct {
		e   expr
		dst *int64
	}{{n.limit, &limit}, {n.offset, &offset}} {
		if x.e == nil {
			continue
		}
		d, err := x.e.eval(c, nil)
		if err != nil {
			return err
		}
		if d.IsNull() && x.dst == &limit && n.ties != nil {
			return errf(codeInvalidRowCount, "row count cannot be null in FETCH FIRST ... WITH TIES clause")
		}
		if !d.IsNull() {
			if d.I < 0 {
				if x.dst == &limit {
					return errf("2201W", "LIMIT must not be negative")
				}
				return errf("2201X", "OFFSET must not be negative")
			}
			*x.dst = d.I
		}
	}
	if limit == 0 {
		return nil
	}
	var seen int64
	var last []types.Datum // WITH TIES: the limit-th row
	err := n.in.run(c, func(row []types.Datum) error {
		seen++
		if seen <= offset {
			return nil
		}
		if last != nil {
			if compareRows(n.ties, last, row) != 0 {
				return errStop
			}
			return emit(row)
		}
		if limit >= 0 && seen-offset >= limit && n.ties != nil {
			last = append([]types.Datum(nil), row...)
		}
		if err := emit(row); err != nil {
			return err
		}
		if limit >= 0 && seen-offset >= limit && n.ties == nil {
			return errStop
		}
		return nil
	})
	if err == errStop {
		return nil
	}
	return err
}
func (n *limitNode) explain(e *explainer) {
	e.line("Limit")
	e.child(n.in)
}
