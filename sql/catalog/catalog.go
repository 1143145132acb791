// Package catalog is the writer's system catalog: the definitions of tables
// and indexes, stored as rows of a system heap table (created at volume
// initialisation, anchored in root slot RootSlot of the meta page, changed
// through the same transactional MVCC path as user data), with an in-memory
// cache of the committed state.
//
// Each catalog row is one relation: a tuple (oid int8, definition text) where
// the definition is the JSON encoding of Table, indexes included. DDL inside a
// transaction writes new row versions with the transaction's xid; sessions read
// their own uncommitted definitions with Load and everyone else the committed
// cache (Current), which is refreshed after every DDL transaction ends.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/sql/heap"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/sql/volmeta"
)

// RootSlot is the meta page root slot holding the catalog heap's root page.
const RootSlot = 0

// NamespacePublic is the OID of schema public (PostgreSQL's value).
const NamespacePublic = 2200

// NamespaceCatalog is the OID of schema pg_catalog (PostgreSQL's value).
const NamespaceCatalog = 11

var rowTypes = []types.Type{types.Int8, types.Text}

// Column is a table column.
type Column struct {
	Name    string     `json:"name"`
	Type    types.Type `json:"type"`
	NotNull bool       `json:"not_null,omitempty"`
	// Default is the SQL text of the DEFAULT expression ("" for none).
	Default string `json:"default,omitempty"`
	// Identity is "a" (GENERATED ALWAYS AS IDENTITY), "d" (BY DEFAULT) or
	// "": the column's values come from its owned sequence (Default).
	Identity string `json:"identity,omitempty"`
}

// Index is a B-tree index of a table.
type Index struct {
	OID     uint32      `json:"oid"`
	Name    string      `json:"name"`
	Columns []int       `json:"columns"` // column positions (0-based)
	Unique  bool        `json:"unique,omitempty"`
	Primary bool        `json:"primary,omitempty"`
	Root    redo.PageID `json:"root"`
	// Constraint: the index implements a UNIQUE (or PRIMARY KEY)
	// constraint, not a CREATE UNIQUE INDEX.
	Constraint bool `json:"constraint,omitempty"`
}

// Check is a CHECK constraint.
type Check struct {
	Name string `json:"name"`
	// Expr is the SQL text of the boolean expression over the columns.
	Expr string `json:"expr"`
}

// ForeignKey is a FOREIGN KEY constraint of the table it belongs to (the
// referencing table) on RefTable's RefColumns, which a unique index covers.
type ForeignKey struct {
	Name       string `json:"name"`
	Columns    []int  `json:"columns"` // referencing column positions
	RefTable   uint32 `json:"ref_table"`
	RefColumns []int  `json:"ref_columns"` // referenced column positions
	// OnDelete and OnUpdate are PostgreSQL's action letters: a (no
	// action), r (restrict), c (cascade), n (set null), d (set default).
	OnDelete string `json:"on_delete"`
	OnUpdate string `json:"on_update"`
}

// Table is a table definition.
type Table struct {
	OID         uint32       `json:"oid"`
	Name        string       `json:"name"`
	Columns     []Column     `json:"columns"`
	FillFactor  int          `json:"fillfactor,omitempty"`
	Root        redo.PageID  `json:"root"`
	Indexes     []Index      `json:"indexes,omitempty"`
	Checks      []Check      `json:"checks,omitempty"`
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	// View is a view's query (normalized SQL text; "" for a table). A view
	// has no heap (Root 0) and no indexes; Columns are its output columns.
	View string `json:"view,omitempty"`
	// Sequence: the relation is a sequence whose page (sql/sequence) is
	// Root; Columns are last_value, log_cnt, is_called.
	Sequence bool `json:"sequence,omitempty"`
	// OwnedBy is the OID of the table owning the sequence (serial and
	// identity columns; 0: none) and OwnedCol the column's position: the
	// sequence is dropped with the table.
	OwnedBy  uint32 `json:"owned_by,omitempty"`
	OwnedCol int    `json:"owned_col,omitempty"`
	// Namespace: the row is a schema (CREATE SCHEMA) named Name, not a
	// relation; Set keeps schemas apart (Schema, Schemas). A relation of
	// schema s other than public is named "s.name" (NormalizeName).
	Namespace bool `json:"namespace,omitempty"`
	// Depends are the relations and columns a view's query reads (its
	// pg_depend rows, see depend.go), written with the view.
	Depends []ViewDep `json:"depends,omitempty"`

	tid heap.TID // the catalog row version this definition was read from
}

// Column returns the position of the column named name, or -1.
func (t *Table) Column(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Types returns the column types in order.
func (t *Table) Types() []types.Type {
	ts := make([]types.Type, len(t.Columns))
	for i, c := range t.Columns {
		ts[i] = c.Type
	}
	return ts
}

// Clone returns a deep copy that can be changed and passed to Put.
func (t *Table) Clone() *Table {
	c := *t
	c.Columns = append([]Column(nil), t.Columns...)
	c.Indexes = make([]Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		ix.Columns = append([]int(nil), ix.Columns...)
		c.Indexes[i] = ix
	}
	c.Checks = append([]Check(nil), t.Checks...)
	c.Depends = append([]ViewDep(nil), t.Depends...)
	c.ForeignKeys = make([]ForeignKey, len(t.ForeignKeys))
	for i, fk := range t.ForeignKeys {
		fk.Columns = append([]int(nil), fk.Columns...)
		fk.RefColumns = append([]int(nil), fk.RefColumns...)
		c.ForeignKeys[i] = fk
	}
	return &c
}

// Set is an immutable view of the catalog: every table by name and OID.
type Set struct {
	byName  map[string]*Table
	byOID   map[uint32]*Table
	schemas map[string]*Table
}

// Schema returns the schema named name created with CREATE SCHEMA (public
// and pg_catalog are not stored).
func (s *Set) Schema(name string) (*Table, bool) {
	t, ok := s.schemas[name]
	return t, ok
}

// Schemas returns the schemas created with CREATE SCHEMA, ordered by OID.
func (s *Set) Schemas() []*Table {
	out := make([]*Table, 0, len(s.schemas))
	for _, t := range s.schemas {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Table returns the table named name.
func (s *Set) Table(name string) (*Table, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// ByOID returns the table with OID oid.
func (s *Set) ByOID(oid uint32) (*Table, bool) {
	t, ok := s.byOID[oid]
	return t, ok
}

// Tables returns every table, ordered by OID.
func (s *Set) Tables() []*Table {
	out := make([]*Table, 0, len(s.byOID))
	for _, t := range s.byOID {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OID < out[j].OID })
	return out
}

// Catalog is the open catalog. Safe for concurrent use.
type Catalog struct {
	meta *volmeta.Meta
	mgr  *txn.Manager
	h    *heap.Heap

	mu  sync.RWMutex
	cur *Set
}

// Open opens the catalog of the volume, creating the system heap on a volume
// where it does not exist yet, and loads the committed state.
func Open(ctx context.Context, meta *volmeta.Meta, mgr *txn.Manager) (*Catalog, error) {
	root := meta.Root(RootSlot)
	if root == 0 {
		r, err := heap.Create(meta)
		if err != nil {
			return nil, fmt.Errorf("catalog: create system heap: %w", err)
		}
		if err := meta.SetRoot(RootSlot, r); err != nil {
			return nil, fmt.Errorf("catalog: anchor system heap: %w", err)
		}
		root = r
	}
	h, err := heap.Open(meta, mgr, root, heap.Options{})
	if err != nil {
		return nil, fmt.Errorf("catalog: open system heap: %w", err)
	}
	c := &Catalog{meta: meta, mgr: mgr, h: h}
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Current returns the committed catalog (as of the last Refresh).
func (c *Catalog) Current() *Set {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cur
}

// Refresh reloads the committed catalog; call it after a DDL transaction ends.
func (c *Catalog) Refresh(ctx context.Context) error {
	tx := c.mgr.Begin(txn.ReadCommitted)
	defer tx.Abort()
	snap := tx.Snapshot()
	s, err := c.Load(ctx, &snap)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.cur = s
	c.mu.Unlock()
	return nil
}

// Load reads the catalog as snap sees it (a DDL transaction's own view).
func (c *Catalog) Load(ctx context.Context, snap *txn.Snapshot) (*Set, error) {
	s := &Set{byName: map[string]*Table{}, byOID: map[uint32]*Table{}, schemas: map[string]*Table{}}
	sc := c.h.Scan(ctx, snap)
	var vals []types.Datum
	for sc.Next() {
		var err error
		vals, err = types.DecodeTuple(sc.Data(), rowTypes, vals[:0])
		if err != nil {
			return nil, fmt.Errorf("catalog: row %s: %w", sc.TID(), err)
		}
		t := &Table{}
		if err := json.Unmarshal([]byte(vals[1].S), t); err != nil {
			return nil, fmt.Errorf("catalog: row %s: %w", sc.TID(), err)
		}
		t.tid = sc.TID()
		if t.Namespace {
			s.schemas[t.Name] = t
			continue
		}
		s.byName[t.Name] = t
		s.byOID[t.OID] = t
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("catalog: scan: %w", err)
	}
	return s, nil
}

// NewOID allocates an object id.
func (c *Catalog) NewOID() (uint32, error) {
	o, err := c.meta.NewOID()
	if err != nil {
		return 0, fmt.Errorf("catalog: new oid: %w", err)
	}
	return uint32(o), nil
}

// Put writes t's definition in transaction tx: a new row when t has never
// been stored, else a new version of its row. Callers serialize DDL (one DDL
// transaction at a time), so a row is never held by another transaction.
func (c *Catalog) Put(ctx context.Context, tx *txn.Tx, t *Table) error {
	def, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("catalog: encode %s: %w", t.Name, err)
	}
	data, err := types.AppendTuple(nil, rowTypes, []types.Datum{types.NewInt(int64(t.OID)), types.NewString(string(def))})
	if err != nil {
		return fmt.Errorf("catalog: encode %s: %w", t.Name, err)
	}
	if t.tid == (heap.TID{}) {
		tid, err := c.h.Insert(ctx, tx, data)
		if err != nil {
			return fmt.Errorf("catalog: insert %s: %w", t.Name, err)
		}
		t.tid = tid
		return nil
	}
	tid, tm, err := c.h.Update(ctx, tx, t.tid, data)
	if err != nil {
		return fmt.Errorf("catalog: update %s: %w", t.Name, err)
	}
	if tm.Result != heap.OK {
		return fmt.Errorf("catalog: update %s: concurrent change (%s)", t.Name, tm.Result)
	}
	t.tid = tid
	return nil
}

// Drop deletes t's definition in transaction tx.
func (c *Catalog) Drop(ctx context.Context, tx *txn.Tx, t *Table) error {
	if t.tid == (heap.TID{}) {
		return errors.New("catalog: drop of a table never stored")
	}
	tm, err := c.h.Delete(ctx, tx, t.tid)
	if err != nil {
		return fmt.Errorf("catalog: drop %s: %w", t.Name, err)
	}
	if tm.Result != heap.OK {
		return fmt.Errorf("catalog: drop %s: concurrent change (%s)", t.Name, tm.Result)
	}
	return nil
}

// NormalizeName returns the catalog name of relation schema.name: name
// for schema public (or none), "schema.name" for another schema (whether
// it exists is the caller's question: Set.Schema). pg_catalog and
// information_schema hold no stored relations: an error.
func NormalizeName(schema, name string) (string, error) {
	switch strings.ToLower(schema) {
	case "", "public":
		return name, nil
	case "pg_catalog", "information_schema":
		return "", fmt.Errorf("schema %q holds no tables", schema)
	}
	return schema + "." + name, nil
}
