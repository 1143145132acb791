// Package heap is the heap access method: tables as chains of slotted pages
// holding row versions with MVCC headers (see Header). Row data is opaque
// bytes (the caller's tuple encoding).
//
// Every change is a redo record in a mini-transaction. An UPDATE writes a new
// version (on the same page when it fits) and sets the old version's xmax and
// CTID; a DELETE sets xmax. Row locks have PostgreSQL's four strengths
// (LockMode): the exclusive ones are the xmax of the newest version
// (FlagLockOnly), the shared ones members of the heap's in-memory lock
// table (rowlock.go), plus waits in package txn. Dead
// versions (creator aborted, or deleter committed below txn.Manager.Horizon)
// are pruned to 1-byte stubs when a page runs short of space and by Vacuum,
// which also turns stubs into reusable slots once the caller has removed the
// index entries pointing to them.
//
// Page layout: type volmeta.PageTypeHeap, special space 16 bytes: u64 next
// page of the chain (0: last), u64 last page of the chain (kept on the first
// page, the table's root). Free space is tracked in memory and rebuilt lazily.
package heap

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/borealis-db/borealis/buffer"
	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/volmeta"
)

const (
	specialSize = 16
	offNext     = 0
	offLast     = 8
	// MaxData is the largest row data a version can hold.
	MaxData = redo.PageSize - redo.PageHeaderSize - redo.ItemIDSize - specialSize - HeaderSize
)

// ErrTooBig is returned for row data above MaxData.
var ErrTooBig = errors.New("heap: row too big")

// ErrNotFound is returned for a TID that holds no row version.
var ErrNotFound = errors.New("heap: no row version at TID")

// Result says what Update, Delete and Lock found on the target version.
type Result uint8

// Results.
const (
	// OK: done.
	OK Result = iota
	// SelfModified: the version was already updated or deleted by this
	// transaction (an earlier command); nothing done.
	SelfModified
	// BeingModified: another transaction in progress (Xid) holds the row;
	// wait for it (txn.Manager.WaitFor) and retry.
	BeingModified
	// Updated: a committed transaction replaced the version by the one at
	// Next; nothing done.
	Updated
	// Deleted: a committed transaction deleted the row; nothing done.
	Deleted
	// Invisible: the version's creator has not committed (or aborted).
	Invisible
)

// String names the result.
func (r Result) String() string {
	return [...]string{"ok", "self-modified", "being-modified", "updated", "deleted", "invisible"}[r]
}

// TM is the outcome of Update, Delete and Lock.
type TM struct {
	Result Result
	Xid    uint64 // BeingModified: the holder; Updated/Deleted: the committer
	Next   TID    // Updated: the next version
}

// Options tune a heap.
type Options struct {
	// FillFactor in percent (10..100; 0 means 100): inserts leave this much
	// of a page unused for updates of its rows.
	FillFactor int
}

// Heap is an open table. Safe for concurrent use.
type Heap struct {
	pool *buffer.Pool
	meta *volmeta.Meta
	mgr  *txn.Manager
	root redo.PageID
	// reserve is the free space inserts leave on a page (fillfactor).
	reserve int

	extendMu sync.Mutex
	fsm      fsm
	locks    lockTable // shared and outer-level row locks (rowlock.go)
	bufs     sync.Pool
}

// Create makes an empty heap and returns its root page id.
func Create(meta *volmeta.Meta) (redo.PageID, error) {
	f, err := meta.NewPage()
	if err != nil {
		return 0, fmt.Errorf("heap: create: %w", err)
	}
	pool := meta.Pool()
	defer pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	var sp [specialSize]byte
	binary.LittleEndian.PutUint64(sp[offLast:], uint64(f.ID()))
	m := pool.Begin()
	err = m.InitPage(f, volmeta.PageTypeHeap, specialSize)
	if err == nil {
		err = m.SetSpecial(f, 0, sp[:])
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return 0, fmt.Errorf("heap: create: %w", err)
	}
	return f.ID(), nil
}

// Open opens the heap rooted at root. Nothing is read until it is used.
func Open(meta *volmeta.Meta, mgr *txn.Manager, root redo.PageID, opt Options) (*Heap, error) {
	ff := opt.FillFactor
	if ff == 0 {
		ff = 100
	}
	if ff < 10 || ff > 100 {
		return nil, fmt.Errorf("heap: fillfactor %d out of range [10, 100]", ff)
	}
	h := &Heap{pool: meta.Pool(), meta: meta, mgr: mgr, root: root,
		reserve: (redo.PageSize - redo.PageHeaderSize - specialSize) * (100 - ff) / 100}
	h.fsm.init()
	h.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return h, nil
}

// Root returns the heap's root page id.
func (h *Heap) Root() redo.PageID { return h.root }

// pinHeapPage pins a page and checks it is a heap page (unlatched check is
// refined under the latch by callers).
func (h *Heap) pin(ctx context.Context, id redo.PageID) (*buffer.Frame, error) {
	f, err := h.pool.Pin(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("heap: %w", err)
	}
	return f, nil
}

func checkHeapPage(pg *redo.Page) error {
	if pg.Type() != volmeta.PageTypeHeap || len(pg.Special()) != specialSize {
		return fmt.Errorf("heap: page %d is not a heap page (type %d)", pg.ID(), pg.Type())
	}
	return nil
}

func nextOf(pg *redo.Page) redo.PageID {
	return redo.PageID(binary.LittleEndian.Uint64(pg.Special()[offNext:]))
}

// freeSlot returns an unused item index of pg to reuse, or ItemCount.
func freeSlot(pg *redo.Page) int {
	n := pg.ItemCount()
	for i := 0; i < n; i++ {
		if _, ok := pg.Item(i); !ok {
			return i
		}
	}
	return n
}

// placeLocked puts item on the X-latched page f in mtr m, reusing an unused
// slot if there is one, and returns its slot. The caller checked the fit.
func placeLocked(m *buffer.MTR, f *buffer.Frame, item []byte) (int, error) {
	pg := f.Page()
	slot := freeSlot(pg)
	if slot >= redo.MaxItemCount || slot > 0xFFFF {
		return 0, fmt.Errorf("heap: page %d has no free slot", f.ID())
	}
	var err error
	if slot < pg.ItemCount() {
		err = m.OverwriteItem(f, slot, item)
	} else {
		err = m.InsertItem(f, slot, item)
	}
	return slot, err
}

// fits reports whether an item of n bytes fits on pg leaving reserve bytes.
func fits(pg *redo.Page, n, reserve int) bool {
	// Reusing an unused slot needs no new item id, but FreeSpace already
	// counts one: a conservative answer.
	return pg.FreeSpace()-reserve >= n
}

func (h *Heap) buf() *[]byte { return h.bufs.Get().(*[]byte) }

func (h *Heap) putBuf(b *[]byte) {
	if cap(*b) <= 2*redo.PageSize {
		*b = (*b)[:0]
		h.bufs.Put(b)
	}
}

// Insert adds a row version created by tx (xid assigned if needed) at its
// current command id and returns its TID.
func (h *Heap) Insert(ctx context.Context, tx *txn.Tx, data []byte) (TID, error) {
	if len(data) > MaxData {
		return TID{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooBig, len(data), MaxData)
	}
	xid, err := tx.AssignXid(ctx)
	if err != nil {
		return TID{}, err
	}
	bp := h.buf()
	defer h.putBuf(bp)
	hd := Header{Xmin: xid, Cmin: tx.CommandID()}
	item := append(appendHeader((*bp)[:0], &hd), data...)
	*bp = item
	return h.insertItem(ctx, item, h.reserve)
}

// InsertBatch adds row versions created by tx (xid assigned if needed), all
// at its current command id, as Insert would one by one, and returns their
// TIDs in order. Consecutive tuples share pages and mini-transactions: one
// MTR per page filled rather than one per tuple. On error, tuples already
// placed stay (invisible once tx aborts, as with Insert).
func (h *Heap) InsertBatch(ctx context.Context, tx *txn.Tx, datas [][]byte) ([]TID, error) {
	for i, data := range datas {
		if len(data) > MaxData {
			return nil, fmt.Errorf("%w: tuple %d: %d bytes, at most %d", ErrTooBig, i, len(data), MaxData)
		}
	}
	if len(datas) == 0 {
		return nil, nil
	}
	xid, err := tx.AssignXid(ctx)
	if err != nil {
		return nil, err
	}
	hd := Header{Xmin: xid, Cmin: tx.CommandID()}
	items := make([][]byte, len(datas))
	for i, data := range datas {
		items[i] = append(appendHeader(nil, &hd), data...)
	}
	tids := make([]TID, 0, len(items))
	for len(tids) < len(items) {
		got, err := h.insertItems(ctx, items[len(tids):], h.reserve)
		if err != nil {
			return tids, err
		}
		tids = append(tids, got...)
	}
	return tids, nil
}

// insertItem places item on a page with room (reserve bytes left over),
// extending the heap when none has.
func (h *Heap) insertItem(ctx context.Context, item []byte, reserve int) (TID, error) {
	tids, err := h.insertItems(ctx, [][]byte{item}, reserve)
	if err != nil {
		return TID{}, err
	}
	return tids[0], nil
}

// insertItems places the longest prefix of items (at least one) that fits
// on one page with room (reserve bytes left over), in one MTR, extending
// the heap when no page has room, and returns their TIDs.
func (h *Heap) insertItems(ctx context.Context, items [][]byte, reserve int) ([]TID, error) {
	tried := 0
	for {
		id, ok := h.fsm.candidate(len(items[0]) + reserve)
		if !ok || tried > 8 {
			break
		}
		tried++
		f, err := h.pin(ctx, id)
		if err != nil {
			return nil, err
		}
		f.Lock()
		pg := f.Page()
		if err := checkHeapPage(pg); err != nil {
			f.Unlock()
			h.pool.Unpin(f)
			h.fsm.forget(id)
			continue
		}
		if !fits(pg, len(items[0]), reserve) {
			if err := h.pruneLocked(f); err != nil {
				f.Unlock()
				h.pool.Unpin(f)
				return nil, err
			}
		}
		if fits(pg, len(items[0]), reserve) {
			m := h.pool.Begin()
			tids, err := placeAll(m, f, items, reserve)
			_, e := m.End()
			h.fsm.set(id, pg.FreeSpace())
			f.Unlock()
			h.pool.Unpin(f)
			if err == nil {
				err = e
			}
			if err != nil {
				return nil, fmt.Errorf("heap: insert: %w", err)
			}
			return tids, nil
		}
		h.fsm.set(id, pg.FreeSpace())
		f.Unlock()
		h.pool.Unpin(f)
	}
	return h.extend(ctx, items)
}

// placeAll places the longest prefix of items (at least the first, which
// the caller checked fits) that fits on f leaving reserve bytes, in m.
func placeAll(m *buffer.MTR, f *buffer.Frame, items [][]byte, reserve int) ([]TID, error) {
	var tids []TID
	for k, item := range items {
		if k > 0 && !fits(f.Page(), len(item), reserve) {
			break
		}
		slot, err := placeLocked(m, f, item)
		if err != nil {
			return nil, err
		}
		tids = append(tids, TID{Page: f.ID(), Slot: uint16(slot)})
	}
	return tids, nil
}

// extend adds a page at the end of the chain and puts the longest prefix
// of items (at least one) that fits on it, or on the last page when that
// has room.
func (h *Heap) extend(ctx context.Context, items [][]byte) ([]TID, error) {
	h.extendMu.Lock()
	defer h.extendMu.Unlock()
	root, err := h.pin(ctx, h.root)
	if err != nil {
		return nil, err
	}
	defer h.pool.Unpin(root)
	root.Lock()
	defer root.Unlock()
	if err := checkHeapPage(root.Page()); err != nil {
		return nil, err
	}
	lastID := redo.PageID(binary.LittleEndian.Uint64(root.Page().Special()[offLast:]))
	last := root
	if lastID != h.root {
		if last, err = h.pin(ctx, lastID); err != nil {
			return nil, err
		}
		defer h.pool.Unpin(last)
		last.Lock()
		defer last.Unlock()
		if err := checkHeapPage(last.Page()); err != nil {
			return nil, err
		}
	}
	// The last page may have room (another inserter's page, or the FSM not
	// knowing it yet, e.g. after a restart).
	if fits(last.Page(), len(items[0]), h.reserve) {
		m := h.pool.Begin()
		tids, err := placeAll(m, last, items, h.reserve)
		_, e := m.End()
		h.fsm.set(lastID, last.Page().FreeSpace())
		if err == nil {
			err = e
		}
		if err != nil {
			return nil, fmt.Errorf("heap: insert: %w", err)
		}
		return tids, nil
	}
	nf, err := h.meta.NewPage()
	if err != nil {
		return nil, fmt.Errorf("heap: extend: %w", err)
	}
	defer h.pool.Unpin(nf)
	nf.Lock()
	defer nf.Unlock()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(nf.ID()))
	m := h.pool.Begin()
	err = m.InitPage(nf, volmeta.PageTypeHeap, specialSize)
	if err == nil {
		err = m.SetSpecial(last, offNext, b[:])
	}
	if err == nil {
		err = m.SetSpecial(root, offLast, b[:])
	}
	var tids []TID
	if err == nil {
		tids, err = placeAll(m, nf, items, h.reserve)
	}
	if _, e := m.End(); err == nil {
		err = e
	}
	if err != nil {
		return nil, fmt.Errorf("heap: extend: %w", err)
	}
	h.fsm.set(lastID, last.Page().FreeSpace())
	h.fsm.set(nf.ID(), nf.Page().FreeSpace())
	return tids, nil
}

// Fetch returns the version at tid if snap sees it: its header, and its data
// appended to dst. ok is false when snap does not see it; ErrNotFound when
// tid holds no version (never did, or pruned).
func (h *Heap) Fetch(ctx context.Context, tid TID, snap *txn.Snapshot, dst []byte) (hd Header, data []byte, ok bool, err error) {
	f, err := h.pin(ctx, tid.Page)
	if err != nil {
		return Header{}, dst, false, err
	}
	defer h.pool.Unpin(f)
	f.RLock()
	defer f.RUnlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return Header{}, dst, false, err
	}
	hd, d, found := tupleAt(pg, int(tid.Slot))
	if !found {
		return Header{}, dst, false, fmt.Errorf("%w %s", ErrNotFound, tid)
	}
	if snap != nil {
		vis, err := h.mgr.Visible(hd.Xmin, hd.Xmax, hd.Cmin, hd.Cmax, hd.LockOnly(), snap)
		if err != nil || !vis {
			return hd, dst, false, err
		}
	}
	return hd, append(dst, d...), true, nil
}

// examine decides whether tx may take the version at tid, whose header is
// hd, with strength mode: its xmax and its lock-table members.
func (h *Heap) examine(tx *txn.Tx, hd *Header, tid TID, mode LockMode) (TM, error) {
	if !tx.Owns(hd.Xmin) {
		st, _, err := h.mgr.CommitLSN(hd.Xmin)
		if err != nil {
			return TM{}, err
		}
		if st != txn.Committed {
			return TM{Result: Invisible, Xid: hd.Xmin}, nil
		}
	}
	switch {
	case hd.Xmax == txn.InvalidXid:
	case tx.Owns(hd.Xmax):
		if !hd.LockOnly() {
			return TM{Result: SelfModified}, nil
		}
	default:
		st, _, err := h.mgr.CommitLSN(hd.Xmax)
		if err != nil {
			return TM{}, err
		}
		switch {
		case st == txn.InProgress:
			// A locker whose strength is compatible lets mode in, and so
			// does a non-key updater for KEY SHARE (lockNext then locks
			// its new version too); other updaters are waited for.
			if (!hd.LockOnly() && !keySharePast(hd, mode)) || mode.Conflicts(xmaxMode(hd)) {
				return TM{Result: BeingModified, Xid: hd.Xmax}, nil
			}
		case st == txn.Aborted || hd.LockOnly():
		case hd.Updated():
			return TM{Result: Updated, Xid: hd.Xmax, Next: hd.CTID}, nil
		default:
			return TM{Result: Deleted, Xid: hd.Xmax}, nil
		}
	}
	if x := h.locks.conflict(h.mgr, tx, tid, hd.Xmin, mode); x != txn.InvalidXid {
		return TM{Result: BeingModified, Xid: x}, nil
	}
	return TM{Result: OK}, nil
}

// modify runs fn on the X-latched page of tid after examine allowed it at
// strength mode.
func (h *Heap) modify(ctx context.Context, tx *txn.Tx, tid TID, mode LockMode, fn func(f *buffer.Frame, hd *Header) error) (TM, error) {
	return h.modifyNext(ctx, tx, tid, txn.InvalidXid, mode, fn)
}

// modifyNext is modify on a version reached by following an update chain
// whose previous version's xmax is prevXmax (InvalidXid: not following):
// the version at tid must have been created by prevXmax, else its slot was
// pruned and reused and the row is gone from this chain (Deleted), as in
// PostgreSQL's "t_xmin of the next tuple must equal t_xmax of the prior".
func (h *Heap) modifyNext(ctx context.Context, tx *txn.Tx, tid TID, prevXmax uint64, mode LockMode, fn func(f *buffer.Frame, hd *Header) error) (TM, error) {
	if _, err := tx.AssignXid(ctx); err != nil {
		return TM{}, err
	}
	f, err := h.pin(ctx, tid.Page)
	if err != nil {
		return TM{}, err
	}
	defer h.pool.Unpin(f)
	f.Lock()
	defer f.Unlock()
	pg := f.Page()
	if err := checkHeapPage(pg); err != nil {
		return TM{}, err
	}
	hd, _, found := tupleAt(pg, int(tid.Slot))
	if prevXmax != txn.InvalidXid && (!found || hd.Xmin != prevXmax) {
		return TM{Result: Deleted, Xid: prevXmax}, nil
	}
	if !found {
		return TM{}, fmt.Errorf("%w %s", ErrNotFound, tid)
	}
	tm, err := h.examine(tx, &hd, tid, mode)
	if err != nil || tm.Result != OK {
		return tm, err
	}
	return TM{Result: OK}, fn(f, &hd)
}

// patchHeader writes hd's xmax..ctid over item slot of f in mtr m.
func patchHeader(m *buffer.MTR, f *buffer.Frame, slot uint16, hd *Header) error {
	var b [HeaderSize]byte
	return m.PatchItem(f, int(slot), offXmax, xmaxPatch(b[:0], hd))
}

// Delete marks the version at tid deleted by tx. The TM says whether it
// did; see Result.
func (h *Heap) Delete(ctx context.Context, tx *txn.Tx, tid TID) (TM, error) {
	return h.modify(ctx, tx, tid, LockUpdate, func(f *buffer.Frame, hd *Header) error {
		h.keepOuterLock(tx, tid, hd)
		hd.Xmax, hd.Cmax, hd.Flags, hd.CTID = tx.Xid(), tx.CommandID(), hd.Flags&FlagHeapOnly, TID{}
		m := h.pool.Begin()
		err := patchHeader(m, f, tid.Slot, hd)
		if _, e := m.End(); err == nil {
			err = e
		}
		if err != nil {
			return fmt.Errorf("heap: delete %s: %w", tid, err)
		}
		return nil
	})
}

// Lock takes the FOR UPDATE row lock of the version at tid for tx: xmax =
// tx with FlagLockOnly. The TM says whether it did.
func (h *Heap) Lock(ctx context.Context, tx *txn.Tx, tid TID) (TM, error) {
	return h.lockNext(ctx, tx, tid, txn.InvalidXid, LockUpdate)
}

// LockWith takes the row lock of the version at tid for tx at strength
// mode (SELECT FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE): the
// exclusive strengths in xmax, the shared ones in the lock table (see
// LockMode). The TM says whether it did (BeingModified: a conflicting
// holder, Xid, to wait for).
func (h *Heap) LockWith(ctx context.Context, tx *txn.Tx, tid TID, mode LockMode) (TM, error) {
	return h.lockNext(ctx, tx, tid, txn.InvalidXid, mode)
}

// lockNext is LockWith on a version reached through an update chain from
// one whose xmax is prevXmax (see modifyNext).
func (h *Heap) lockNext(ctx context.Context, tx *txn.Tx, tid TID, prevXmax uint64, mode LockMode) (TM, error) {
	var succ TID       // the in-progress non-key update's new version, locked too
	var updater uint64 // its creator
	tm, err := h.modifyNext(ctx, tx, tid, prevXmax, mode, func(f *buffer.Frame, hd *Header) error {
		ownX := hd.Xmax != txn.InvalidXid && tx.Owns(hd.Xmax) // a lock: examine refused our updates
		if ownX && (mode.shared() || xmaxMode(hd) >= mode) {
			return nil // already held at this strength or stronger
		}
		if mode.shared() {
			if !h.locks.holds(h.mgr, tx, tid, hd.Xmin, mode) {
				h.locks.add(h.mgr, tid, hd.Xmin, tx.Xid(), mode)
			}
			if !ownX && keySharePast(hd, mode) {
				if st, _, err := h.mgr.CommitLSN(hd.Xmax); err == nil && st == txn.InProgress {
					succ, updater = hd.CTID, hd.Xmax
					h.locks.add(h.mgr, succ, updater, tx.Xid(), mode)
				}
			}
			return nil
		}
		h.keepOuterLock(tx, tid, hd)
		hd.Xmax, hd.Cmax, hd.Flags, hd.CTID = tx.Xid(), tx.CommandID(), FlagLockOnly|xmaxFlags(mode)|hd.Flags&FlagHeapOnly, TID{}
		m := h.pool.Begin()
		err := patchHeader(m, f, tid.Slot, hd)
		if _, e := m.End(); err == nil {
			err = e
		}
		if err != nil {
			return fmt.Errorf("heap: lock %s: %w", tid, err)
		}
		return nil
	})
	if err != nil || tm.Result != OK || updater == txn.InvalidXid {
		return tm, err
	}
	return h.checkSuccessor(ctx, succ, updater, mode)
}

// Update replaces the version at tid by a new one with data, created by tx,
// and returns the new version's TID. The new version goes on the same page
// when it fits (one MTR); otherwise the row is locked, the new version is
// inserted elsewhere, and the old one is then pointed at it. The TM says
// whether it did.
func (h *Heap) Update(ctx context.Context, tx *txn.Tx, tid TID, data []byte) (TID, TM, error) {
	t, _, tm, err := h.update(ctx, tx, tid, data, false, LockUpdate)
	return t, tm, err
}

// UpdateHOT is Update for a change that leaves every indexed column as it
// was: when the new version fits on the same page it is heap-only (a HOT
// update: heapOnly is true) and the caller adds no index entries for it;
// index scans reach it from the old entries through FetchIndexed.
// Otherwise it is an ordinary update (heapOnly false: index the new TID).
func (h *Heap) UpdateHOT(ctx context.Context, tx *txn.Tx, tid TID, data []byte) (newTID TID, heapOnly bool, tm TM, err error) {
	return h.update(ctx, tx, tid, data, true, LockUpdate)
}

// UpdateWith is Update (hot false) or UpdateHOT (hot true) taking the row
// at strength mode: LockNoKeyUpdate for an update that changes no column
// of a unique index (it does not conflict with FOR KEY SHARE lockers, such
// as foreign key checks of referencing rows), LockUpdate otherwise. The
// lock table's members of the old version are carried to the new one.
func (h *Heap) UpdateWith(ctx context.Context, tx *txn.Tx, tid TID, data []byte, hot bool, mode LockMode) (newTID TID, heapOnly bool, tm TM, err error) {
	if mode < LockNoKeyUpdate {
		return TID{}, false, TM{}, fmt.Errorf("heap: update %s: strength %s too weak", tid, mode)
	}
	return h.update(ctx, tx, tid, data, hot, mode)
}

func (h *Heap) update(ctx context.Context, tx *txn.Tx, tid TID, data []byte, hot bool, mode LockMode) (TID, bool, TM, error) {
	if len(data) > MaxData {
		return TID{}, false, TM{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooBig, len(data), MaxData)
	}
	xid, err := tx.AssignXid(ctx)
	if err != nil {
		return TID{}, false, TM{}, err
	}
	bp := h.buf()
	defer h.putBuf(bp)
	nh := Header{Xmin: xid, Cmin: tx.CommandID()}
	if hot {
		nh.Flags = FlagHeapOnly
	}
	item := append(appendHeader((*bp)[:0], &nh), data...)
	*bp = item
	var newTID TID
	moved := false
	tm, err := h.modify(ctx, tx, tid, mode, func(f *buffer.Frame, hd *Header) error {
		h.keepOuterLock(tx, tid, hd)
		pg := f.Page()
		if !fits(pg, len(item), 0) {
			if err := h.pruneLocked(f); err != nil {
				return err
			}
		}
		if !fits(pg, len(item), 0) {
			// Lock the row now; move the new version after unlatching.
			moved = true
			if hd.Xmax == xid && hd.LockOnly() && xmaxMode(hd) >= mode {
				return nil
			}
			hd.Xmax, hd.Cmax, hd.Flags, hd.CTID = xid, tx.CommandID(), FlagLockOnly|xmaxFlags(mode)|hd.Flags&FlagHeapOnly, TID{}
			m := h.pool.Begin()
			err := patchHeader(m, f, tid.Slot, hd)
			if _, e := m.End(); err == nil {
				err = e
			}
			return err
		}
		m := h.pool.Begin()
		slot, err := placeLocked(m, f, item)
		if err == nil {
			newTID = TID{Page: tid.Page, Slot: uint16(slot)}
			fl := FlagUpdated
			if hot {
				fl |= FlagHotUpdated
			}
			hd.Xmax, hd.Cmax, hd.Flags, hd.CTID = xid, tx.CommandID(), fl|xmaxFlags(mode)|hd.Flags&FlagHeapOnly, newTID
			err = patchHeader(m, f, tid.Slot, hd)
		}
		if err == nil {
			h.locks.carry(h.mgr, tid, hd.Xmin, newTID, xid)
		}
		if _, e := m.End(); err == nil {
			err = e
		}
		h.fsm.set(tid.Page, pg.FreeSpace())
		return err
	})
	if err != nil {
		return TID{}, false, tm, fmt.Errorf("heap: update %s: %w", tid, err)
	}
	if tm.Result != OK || !moved {
		return newTID, hot && tm.Result == OK, tm, nil
	}
	if hot { // not on the same page: an ordinary version, indexed
		nh.Flags = 0
		item = appendHeader(item[:0], &nh)
		item = append(item, data...)
		*bp = item
	}
	newTID, err = h.insertItem(ctx, item, 0)
	if err != nil {
		return TID{}, false, TM{}, fmt.Errorf("heap: update %s: %w", tid, err)
	}
	// We hold the row lock: point the old version at the new one.
	tm, err = h.modify(ctx, tx, tid, mode, func(f *buffer.Frame, hd *Header) error {
		hd.Xmax, hd.Cmax, hd.Flags, hd.CTID = xid, tx.CommandID(), FlagUpdated|xmaxFlags(mode)|hd.Flags&FlagHeapOnly, newTID
		m := h.pool.Begin()
		err := patchHeader(m, f, tid.Slot, hd)
		if _, e := m.End(); err == nil {
			err = e
		}
		if err == nil {
			h.locks.carry(h.mgr, tid, hd.Xmin, newTID, xid)
		}
		return err
	})
	if err == nil && tm.Result != OK {
		err = fmt.Errorf("heap: update %s: row lock lost (%s)", tid, tm.Result)
	}
	if err != nil {
		return TID{}, false, tm, fmt.Errorf("heap: update %s: %w", tid, err)
	}
	return newTID, false, tm, nil
}

// LockLatest locks the newest version of the row whose version at tid snap
// saw, waiting for transactions that hold it and following the update chain
// (Read Committed), and returns that version's TID and data (appended to
// dst): the caller re-checks its WHERE on it when the TID changed
// (PostgreSQL's EvalPlanQual). ok is false when the row was deleted. Under
// Repeatable Read a row changed by a transaction the snapshot does not see
// is a 40001 serialization failure; a deadlock is a 40P01 *txn.Error.
func (h *Heap) LockLatest(ctx context.Context, tx *txn.Tx, tid TID, snap *txn.Snapshot, dst []byte) (TID, []byte, bool, error) {
	return h.LockLatestWith(ctx, tx, tid, snap, dst, LockUpdate)
}

// LockLatestWith is LockLatest at strength mode (see LockWith).
func (h *Heap) LockLatestWith(ctx context.Context, tx *txn.Tx, tid TID, snap *txn.Snapshot, dst []byte, mode LockMode) (TID, []byte, bool, error) {
	prevXmax := txn.InvalidXid // set while following the update chain
	for {
		tm, err := h.lockNext(ctx, tx, tid, prevXmax, mode)
		if err != nil {
			return tid, dst, false, err
		}
		switch tm.Result {
		case OK, SelfModified:
			if tm.Result == SelfModified {
				return tid, dst, false, nil
			}
			_, data, _, err := h.Fetch(ctx, tid, nil, dst)
			return tid, data, err == nil, err
		case BeingModified:
			if err := h.mgr.WaitFor(ctx, tx, tm.Xid); err != nil {
				return tid, dst, false, err
			}
		case Updated, Deleted:
			if tx.Isolation() == txn.RepeatableRead {
				return tid, dst, false, &txn.Error{Code: txn.CodeSerializationFailure,
					Message: "could not serialize access due to concurrent update"}
			}
			if tm.Result == Deleted {
				return tid, dst, false, nil
			}
			tid, prevXmax = tm.Next, tm.Xid
		case Invisible:
			return tid, dst, false, fmt.Errorf("heap: lock %s: version not committed", tid)
		}
	}
}
