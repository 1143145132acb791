// Package segment is the Borealis storage node: it keeps replicas of protection
// groups in a hot log (append-only, checksummed frames, group commit with one
// fsync per batch), a memtable of recent records per page and immutable,
// compressed layer files (delta layers sorted by page and LSN, image layers of
// materialized pages), and serves the storage RPC of package storagerpc:
// Append, Fetch, GetPage@LSN, Status, RaiseEpoch and Truncate. In the
// background it fills gaps from its peers (repair), flushes the memtable to
// layers and collects history below the writer's minimum read point.
package segment
