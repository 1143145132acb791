package buffer

import (
	"context"

	"github.com/borealis-db/borealis/redo"
)

// Log is where the pool's redo records go and where its misses are served
// from. quorum.Volume implements it through an adapter; memlog is an
// in-process implementation for tests and tools.
type Log interface {
	// BeginMTR takes the log-tail lock and returns the mini-transaction's
	// record sink: the LSNs of one MTR are contiguous.
	BeginMTR() MTRLog
	// WaitDurable returns once VDL >= lsn (group commit), or with the
	// context's error.
	WaitDurable(ctx context.Context, lsn redo.LSN) error
	// VDL is the volume durable LSN: every record at or below it is durable
	// and storage can serve pages as of it.
	VDL() redo.LSN
	// ReadPage returns page id as of LSN at. The page must be verified (see
	// redo.Page.Verify) if it came from outside memory. A page never written
	// is returned all zero. The caller owns the returned page.
	ReadPage(ctx context.Context, id redo.PageID, at redo.LSN) (*redo.Page, error)
}

// MTRLog receives the records of one mini-transaction while holding the
// log-tail lock.
type MTRLog interface {
	// Add assigns rec its LSN and back-links (PrevVolume, PrevGroup,
	// PrevPage), writing them into rec. Add must not retain rec or its
	// payload after it returns (it copies or encodes them): callers reuse
	// payload buffers.
	Add(rec *redo.Record)
	// End marks the last record as a CPL, queues the records to storage and
	// releases the log-tail lock. It returns the LSN of the last record (0
	// for an MTR without records). An error means the records may not reach
	// storage: the writer must stop.
	End() (redo.LSN, error)
}
