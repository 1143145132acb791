package exec

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/types"
)

// copyBatchRows is how many rows COPY buffers before writing them, as
// PostgreSQL's COPY (MAX_BUFFERED_TUPLES 1000).
const copyBatchRows = 1000

// insertBatch inserts rows as insert does one by one, but writes their
// tuples with heap.InsertBatch (one mini-transaction per page instead of
// per tuple). As in PostgreSQL's buffered COPY, every row's own checks
// (NOT NULL, CHECK) run before the batch is written; index entries (and
// their unique checks) and foreign key checks follow, row by row.
func (w *writer) insertBatch(c *Ctx, rows [][]types.Datum) error {
	if len(rows) == 0 {
		return nil
	}
	datas := make([][]byte, len(rows))
	for i, vals := range rows {
		if err := w.checkRow(c, vals); err != nil {
			return err
		}
		data, err := types.AppendTuple(nil, w.types, vals)
		if err != nil {
			return err
		}
		if len(data) > heap.MaxData {
			return rowErr(fmt.Errorf("%w: %d bytes, at most %d", heap.ErrTooBig, len(data), heap.MaxData))
		}
		datas[i] = data
	}
	h, err := c.DB.heapOf(w.t)
	if err != nil {
		return err
	}
	tids, err := h.InsertBatch(c.Ctx, c.Tx, datas)
	if err != nil {
		return rowErr(err)
	}
	for i, vals := range rows {
		for j := range w.t.Indexes {
			if err := w.indexInsert(c, &w.t.Indexes[j], vals, tids[i], true); err != nil {
				return err
			}
		}
		if err := w.checkParents(c, vals, nil); err != nil {
			return err
		}
	}
	return nil
}
