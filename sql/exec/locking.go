package exec

import (
	"fmt"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// SELECT ... FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE
// [OF t] [NOWAIT | SKIP LOCKED].
//
// The heap has one row lock (xmax with the lock-only flag), so every
// strength takes it: FOR SHARE and FOR KEY SHARE are therefore exclusive
// here (two transactions cannot share-lock one row at once; the second
// waits). Rows are locked after the WHERE clause passed on them; a row
// changed by a concurrent transaction is followed to its newest version,
// which is locked and re-checked (Read Committed; Repeatable Read answers
// 40001). Supported over one table in FROM (with or without WHERE);
// joins, subqueries in FROM, grouping and DISTINCT answer 0A000.

// CodeLockNotAvailable is 55P03.
const CodeLockNotAvailable = "55P03"

// lockNode scans a table and locks each row that passes cond.
type lockNode struct {
	scan     *scanNode
	cond     expr // nil: none
	strength string
	noWait   bool
	skip     bool
}

func (n *lockNode) columns() []column { return n.scan.cols }

func (n *lockNode) explain(e *explainer) {
	e.line("LockRows")
	e.child(n.scan)
}

func (n *lockNode) run(c *Ctx, emit func([]types.Datum) error) error {
	h, err := c.DB.heapOf(n.scan.table)
	if err != nil {
		return err
	}
	colTypes := n.scan.table.Types()
	return n.scan.scan(c, func(tid heap.TID, row []types.Datum) error {
		if n.cond != nil {
			ok, err := truthy(c, n.cond, row)
			if err != nil || !ok {
				return err
			}
		}
		if n.noWait || n.skip {
			tm, err := h.Lock(c.Ctx, c.Tx, tid)
			if err != nil {
				return err
			}
			switch tm.Result {
			case heap.OK, heap.SelfModified:
				return emit(row)
			case heap.BeingModified:
				if n.skip {
					return nil
				}
				return errf(CodeLockNotAvailable, "could not obtain lock on row in relation %q", n.scan.table.Name)
			}
		}
		ltid, data, ok, err := h.LockLatest(c.Ctx, c.Tx, tid, &c.Snap, nil)
		if err != nil || !ok {
			return err
		}
		if ltid != tid {
			if row, err = types.DecodeTuple(data, colTypes, nil); err != nil {
				return fmt.Errorf("%s: row %s: %w", n.scan.table.Name, ltid, err)
			}
			if n.cond != nil {
				ok, err := truthy(c, n.cond, row)
				if err != nil || !ok {
					return err
				}
			}
		}
		return emit(row)
	})
}

// lockRows plans s's locking clause over in, the FROM item with its WHERE
// filter.
func (b *builder) lockRows(s *ast.Select, in node) (node, error) {
	what := "FOR " + strings.ToUpper(s.Locking[0].Strength)
	switch {
	case s.Distinct || len(s.DistinctOn) > 0:
		return nil, unsupported("%s is not allowed with DISTINCT clause", what)
	case len(s.GroupBy) > 0:
		return nil, unsupported("%s is not allowed with GROUP BY clause", what)
	case s.Having != nil:
		return nil, unsupported("%s is not allowed with HAVING clause", what)
	}
	for _, t := range s.Targets {
		if b.cp.hasAggregate(t.Expr) {
			return nil, unsupported("%s is not allowed with aggregate functions", what)
		}
	}
	var cond expr
	if f, ok := in.(*filterNode); ok {
		in, cond = f.in, f.cond
	}
	scan, ok := in.(*scanNode)
	if !ok {
		return nil, unsupported("%s is only supported over a single table in FROM", what)
	}
	n := &lockNode{scan: scan, cond: cond, strength: s.Locking[0].Strength}
	name := scan.cols[0].table
	if len(scan.cols) == 0 {
		name = scan.table.Name
	}
	for _, l := range s.Locking {
		if len(l.Tables) == 0 {
			n.noWait, n.skip = n.noWait || l.NoWait, n.skip || l.SkipLock
		}
		for _, q := range l.Tables {
			if q.Name != name {
				return nil, errf(CodeUndefinedTable, "relation %q in %s clause not found in FROM clause", q.Name, "FOR "+strings.ToUpper(l.Strength))
			}
			n.noWait, n.skip = n.noWait || l.NoWait, n.skip || l.SkipLock
		}
	}
	return n, nil
}

// lockingCommand names a locking SELECT for the read-only check ("" when
// s locks nothing).
func lockingCommand(s *ast.Select) string {
	if len(s.Locking) == 0 {
		return ""
	}
	return "SELECT FOR " + strings.ToUpper(s.Locking[0].Strength)
}
