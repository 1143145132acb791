// Package buffer is the writer's page cache and its mini-transactions.
//
// A Pool holds redo.Page frames keyed by page id. Callers Pin a page (reading
// it from the Log on a miss, at the Log's VDL), latch the frame (RLock/Lock),
// read or change it, unlatch and Unpin. Eviction (clock) takes only unpinned
// frames whose page LSN is at or below the Log's VDL, that is pages storage can
// already serve; the writer never writes a page anywhere.
//
// Every change goes through a mini-transaction (MTR): pin and X-latch every
// page the MTR changes first, then Begin, apply changes (each becomes one redo
// record, added to the log and applied to the frame with redo.Apply), End,
// then unlatch. Nothing may wait between Begin and End.
package buffer
