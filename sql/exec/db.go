// Package exec plans and executes SQL statements over the writer's storage:
// it turns sql/ast statements into plans (operator trees of heap and
// B-tree scans, joins, filters, aggregates, sorts and limits; DML with
// index maintenance; DDL on the catalog; COPY) and runs them inside a
// transaction of package txn.
package exec

import (
	"context"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/btree"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/pgcatalog"
	"github.com/borealis-db/borealis/sql/rellock"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/volmeta"
	"github.com/borealis-db/borealis/wire"
)

// DB is an open database: the buffer pool over the volume's log, the meta
// page, the transaction manager, the catalog and the open access methods.
// Safe for concurrent use.
type DB struct {
	Pool *buffer.Pool
	Meta *volmeta.Meta
	Mgr  *txn.Manager
	Cat  *catalog.Catalog
	// Funcs resolves the functions and aggregates the executor does not
	// implement itself (read-only once the DB is open).
	Funcs *funcs.Registry
	// Seqs opens the sequences' pages (one in-memory state per sequence).
	Seqs *sequence.Store

	// Locks holds the relation locks of the open transactions (lockrel.go).
	Locks *rellock.Manager

	xidMu sync.Mutex // serializes xid assignment (see AssignXid)

	mu    sync.Mutex
	heaps map[redo.PageID]*heap.Heap
	trees map[redo.PageID]*btree.Tree
}

// Open opens (create: formatting a never-written volume) the database on
// log with a buffer pool of poolSize bytes (0: default).
func Open(ctx context.Context, log buffer.Log, poolSize int64, create bool) (*DB, error) {
	pool := buffer.New(log, poolSize)
	meta, err := volmeta.Open(ctx, pool, create)
	if err != nil {
		return nil, fmt.Errorf("exec: open meta page: %w", err)
	}
	mgr := txn.Open(meta)
	cat, err := catalog.Open(ctx, meta, mgr)
	if err != nil {
		meta.Close()
		return nil, err
	}
	db := &DB{Pool: pool, Meta: meta, Mgr: mgr, Cat: cat, Funcs: funcs.Builtins(), Seqs: sequence.NewStore(meta),
		heaps: map[redo.PageID]*heap.Heap{}, trees: map[redo.PageID]*btree.Tree{}}
	db.Locks = newRelLocks(mgr)
	pgcatalog.Register(db.Funcs, db.pageCount)
	return db, nil
}

// Close releases the meta page.
func (db *DB) Close() { db.Meta.Close() }

// heapOf returns the open heap of t.
func (db *DB) heapOf(t *catalog.Table) (*heap.Heap, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if h, ok := db.heaps[t.Root]; ok {
		return h, nil
	}
	h, err := heap.Open(db.Meta, db.Mgr, t.Root, heap.Options{FillFactor: t.FillFactor})
	if err != nil {
		return nil, fmt.Errorf("open heap of %s: %w", t.Name, err)
	}
	db.heaps[t.Root] = h
	return h, nil
}

// treeOf returns the open B-tree of ix.
func (db *DB) treeOf(ix *catalog.Index) *btree.Tree {
	db.mu.Lock()
	defer db.mu.Unlock()
	if t, ok := db.trees[ix.Root]; ok {
		return t
	}
	t := btree.Open(db.Meta, ix.Root)
	db.trees[ix.Root] = t
	return t
}

// AssignXid gives tx its xid. Assignments are serialized here because
// txn.Manager's range reservation is not safe against two goroutines
// reserving at once (reported); ctx is not canceled mid-reservation.
func (db *DB) AssignXid(ctx context.Context, tx *txn.Tx) error {
	if tx.Xid() != txn.InvalidXid {
		return nil
	}
	db.xidMu.Lock()
	defer db.xidMu.Unlock()
	_, err := tx.AssignXid(context.WithoutCancel(ctx))
	return err
}

// Ctx is what a statement runs with.
type Ctx struct {
	Ctx    context.Context
	DB     *DB
	Tx     *txn.Tx
	Snap   txn.Snapshot
	Cat    *catalog.Set
	Env    *types.Env
	Params []types.Datum
	// CopyIn starts COPY FROM STDIN (the session's ResultWriter.CopyIn).
	CopyIn CopyInFunc
	// Setting returns a session setting (current_setting, SHOW).
	Setting func(name string) (string, bool)
	// SetSetting changes a session setting as SET [LOCAL] does and returns
	// its new value (set_config; a nil value resets it; nil: settings cannot be
	// changed here).
	SetSetting func(name string, value *string, local bool) (string, error)
	// Rand is the session's random()/setseed state (nil: setseed refused).
	Rand *funcs.SessionRand
	// User and Database name the session.
	User, Database string
	// InBlock reports an explicit transaction block.
	InBlock bool
	// Notice sends a NOTICE to the client (nil: notices are dropped).
	Notice func(n *wire.Error) error
	// Seq is the session's sequence state (currval, lastval; nil: a
	// fresh one per statement).
	Seq *sequence.Session

	fctx *funcs.Context // built on first use (funcContext)
	sub  *subRun        // subqueries' run-time state (subq)

	// fkQueue holds the running statement's deferred foreign key checks
	// (constraint.go).
	fkQueue *[]func() error
}

// notice sends a NOTICE with code and message, if the session takes them.
func (c *Ctx) notice(code, format string, args ...any) error {
	if c.Notice == nil {
		return nil
	}
	return c.Notice(&wire.Error{Severity: wire.SeverityNotice, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Heap returns the open heap of table t (tools and tests).
func (db *DB) Heap(t *catalog.Table) (*heap.Heap, error) { return db.heapOf(t) }
