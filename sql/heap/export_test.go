package heap

import (
	"context"

	"github.com/borealis-db/borealis/sql/txn"
)

// LockNext exposes lockNext: Lock on a version reached through an update
// chain from a version whose xmax is prevXmax.
func LockNext(h *Heap, ctx context.Context, tx *txn.Tx, tid TID, prevXmax uint64) (TM, error) {
	return h.lockNext(ctx, tx, tid, prevXmax, LockUpdate)
}
