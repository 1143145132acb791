package exec

import (
	"slices"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/pgcatalog"
	"github.com/borealis-db/borealis/sql/rellock"
	"github.com/borealis-db/borealis/sql/txn"
	"github.com/borealis-db/borealis/sql/types"
)

// Relation locks (sql/rellock), taken by the session before a statement
// reads the catalog it runs against and held to the end of the transaction,
// as PostgreSQL takes them: a plan lists them in Plan.Locks.
//
//   - SELECT: ACCESS SHARE on every table and view it reads (a view: the
//     view and the tables of its query); SELECT FOR UPDATE/SHARE: ROW SHARE.
//   - INSERT/UPDATE/DELETE/COPY FROM (also inside WITH): ROW EXCLUSIVE on
//     the target, ROW SHARE on the tables its foreign keys reference and
//     ROW EXCLUSIVE on the tables referencing it (cascades write there),
//     transitively.
//   - CREATE INDEX: SHARE. VACUUM: SHARE UPDATE EXCLUSIVE.
//   - ALTER TABLE, DROP, TRUNCATE, ALTER SEQUENCE, CREATE OR REPLACE VIEW
//     (an existing view): ACCESS EXCLUSIVE on each relation changed, and
//     SHARE ROW EXCLUSIVE on the tables linked to it by a foreign key (old
//     or new: ADD FOREIGN KEY, CREATE TABLE ... REFERENCES), whose writers
//     check or cascade through it.
//   - LOCK: the mode asked for, on each table, and on a view's tables.
//
// Catalog relations (pg_catalog, information_schema) take none. Every DDL
// statement also takes DDLRel in ACCESS EXCLUSIVE mode: DDL transactions
// run one at a time, and a wait for that lock is part of the wait-for graph.

// DDLRel is the lock key that serializes DDL transactions (no relation has
// OID 0).
const DDLRel uint32 = 0

// newRelLocks returns db's relation lock manager, wired with mgr into one
// wait-for graph with the row-lock waits.
func newRelLocks(mgr *txn.Manager) *rellock.Manager {
	lm := rellock.New(rellock.Options{ExtraEdges: func() map[rellock.Owner][]rellock.Owner {
		out := map[rellock.Owner][]rellock.Owner{}
		for w, h := range mgr.RowWaits() {
			out[w] = append(out[w], h)
		}
		return out
	}})
	mgr.SetLockWaits(func() map[*txn.Tx][]*txn.Tx {
		out := map[*txn.Tx][]*txn.Tx{}
		for w, hs := range lm.Edges() {
			wt, ok := w.(*txn.Tx)
			if !ok {
				continue
			}
			for _, h := range hs {
				if ht, ok := h.(*txn.Tx); ok {
					out[wt] = append(out[wt], ht)
				}
			}
		}
		return out
	})
	return lm
}

// lockSet collects the locks of one statement.
type lockSet struct {
	b     *builder
	modes map[uint32]uint16 // relation → modes (bit per mode)
	views map[uint32]bool   // views expanded (guards cycles)
	share rellock.Mode      // mode of tables read: ACCESS SHARE or ROW SHARE
}

// relationLocks returns the locks statement st needs, sorted by relation.
func (b *builder) relationLocks(st ast.Statement) []rellock.Request {
	ls := &lockSet{b: b, modes: map[uint32]uint16{}, views: map[uint32]bool{}, share: rellock.AccessShare}
	if s, ok := st.(*ast.Select); ok && lockingCommand(s) != "" {
		ls.share = rellock.RowShare
	}
	ls.walk(st)
	var out []rellock.Request
	for rel, set := range ls.modes {
		for m := rellock.AccessShare; m <= rellock.AccessExclusive; m++ {
			if set&(1<<m) != 0 && !coveredBy(m, set) {
				out = append(out, rellock.Request{Rel: rel, Mode: m})
			}
		}
	}
	slices.SortFunc(out, func(a, b rellock.Request) int {
		if a.Rel != b.Rel {
			if a.Rel < b.Rel {
				return -1
			}
			return 1
		}
		return int(a.Mode) - int(b.Mode)
	})
	return out
}

// coveredBy reports whether another mode of set makes m redundant.
func coveredBy(m rellock.Mode, set uint16) bool {
	for o := rellock.AccessShare; o <= rellock.AccessExclusive; o++ {
		if o != m && set&(1<<o) != 0 && rellock.Covers(o, m) {
			return true
		}
	}
	return false
}

func (ls *lockSet) add(rel uint32, m rellock.Mode) { ls.modes[rel] |= 1 << m }

// resolve looks a relation up as the statement will (nil: none, or a
// catalog relation).
func (ls *lockSet) resolve(q ast.QualifiedName) *catalog.Table {
	t, err := ls.b.relation(q)
	if err != nil {
		return nil
	}
	return t
}

// walk adds the locks of every relation st names.
func (ls *lockSet) walk(st ast.Node) {
	ast.Walk(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.TableRef:
			if t := ls.resolve(x.Name); t != nil {
				ls.read(t, ls.share)
			}
		case *ast.Insert:
			ls.write(x.Table)
		case *ast.Update:
			ls.write(x.Table)
		case *ast.Delete:
			ls.write(x.Table)
		case *ast.Copy:
			if x.From {
				ls.write(x.Table)
			} else if x.Query == nil {
				if t := ls.resolve(x.Table); t != nil {
					ls.read(t, rellock.AccessShare)
				}
			}
		case *ast.CreateIndex:
			if t := ls.resolve(x.Table); t != nil {
				ls.add(t.OID, rellock.Share)
			}
		case *ast.Vacuum:
			if len(x.Tables) == 0 {
				for _, t := range ls.b.cat.Tables() {
					if t.View == "" && !t.Namespace {
						ls.add(t.OID, rellock.ShareUpdateExclusive)
					}
				}
			}
			for _, vt := range x.Tables {
				if t := ls.resolve(vt.Table); t != nil {
					ls.add(t.OID, rellock.ShareUpdateExclusive)
				}
			}
		case *ast.AlterTable:
			if t := ls.resolve(x.Table); t != nil {
				ls.exclusive(t)
			}
			for _, c := range x.Cmds {
				if c.Constraint != nil {
					ls.references([]*ast.Constraint{c.Constraint})
				}
				if c.Def != nil {
					ls.references(c.Def.Constraints)
				}
			}
		case *ast.AlterSequence:
			ls.walkAlterSequence(x)
		case *ast.Truncate:
			for _, q := range x.Tables {
				if t := ls.resolve(q); t != nil {
					ls.exclusive(t)
				}
			}
		case *ast.Drop:
			ls.drop(x)
		case *ast.CreateView:
			if x.OrReplace {
				if t := ls.resolve(x.Name); t != nil {
					ls.add(t.OID, rellock.AccessExclusive)
				}
			}
		case *ast.CreateTable:
			ls.references(x.Constraints)
			for _, c := range x.Columns {
				ls.references(c.Constraints)
			}
		case *ast.Lock:
			for _, q := range x.Tables {
				if t := ls.resolve(q); t != nil {
					ls.read(t, rellock.Mode(x.Mode))
				}
			}
		}
		return true
	})
}

// references locks the tables new foreign keys reference.
func (ls *lockSet) references(cs []*ast.Constraint) {
	for _, c := range cs {
		if c != nil && c.Type == ast.ConstrForeignKey {
			if t := ls.resolve(c.RefTable); t != nil {
				ls.add(t.OID, rellock.ShareRowExclusive)
			}
		}
	}
}

// read locks table or view t in mode m; a view also locks the relations
// of its query.
func (ls *lockSet) read(t *catalog.Table, m rellock.Mode) {
	if !m.Valid() {
		return
	}
	ls.add(t.OID, m)
	if t.View == "" || ls.views[t.OID] {
		return
	}
	ls.views[t.OID] = true
	st, err := ast.ParseOne(t.View)
	if err != nil {
		return // planning reports it
	}
	saved := ls.share
	ls.share = m
	ls.walk(st)
	ls.share = saved
}

// write locks the target of a row change and, transitively, the tables
// its foreign keys check (ROW SHARE) and the tables referencing it, which
// cascades may change (ROW EXCLUSIVE).
func (ls *lockSet) write(q ast.QualifiedName) {
	t := ls.resolve(q)
	if t == nil {
		return
	}
	seen := map[uint32]bool{}
	var visit func(t *catalog.Table)
	visit = func(t *catalog.Table) {
		if seen[t.OID] {
			return
		}
		seen[t.OID] = true
		ls.add(t.OID, rellock.RowExclusive)
		for _, fk := range t.ForeignKeys {
			ls.add(fk.RefTable, rellock.RowShare)
		}
		for _, c := range ls.b.cat.Tables() {
			for _, fk := range c.ForeignKeys {
				if fk.RefTable == t.OID {
					visit(c)
				}
			}
		}
	}
	visit(t)
}

// exclusive locks t for a change of its definition or storage, and the
// tables linked to it by foreign keys against their writers.
func (ls *lockSet) exclusive(t *catalog.Table) {
	ls.add(t.OID, rellock.AccessExclusive)
	for _, fk := range t.ForeignKeys {
		ls.add(fk.RefTable, rellock.ShareRowExclusive)
	}
	for _, c := range ls.b.cat.Tables() {
		if c.OID == t.OID {
			continue
		}
		for _, fk := range c.ForeignKeys {
			if fk.RefTable == t.OID {
				ls.add(c.OID, rellock.ShareRowExclusive)
			}
		}
		if c.Sequence && c.OwnedBy == t.OID {
			ls.add(c.OID, rellock.AccessExclusive)
		}
	}
}

func (ls *lockSet) drop(x *ast.Drop) {
	switch x.Type {
	case ast.DropSchema:
		for _, q := range x.Names {
			prefix := strings.ToLower(q.Name) + "."
			for _, t := range ls.b.cat.Tables() {
				if !t.Namespace && strings.HasPrefix(strings.ToLower(t.Name), prefix) {
					ls.exclusive(t)
				}
			}
		}
	case ast.DropIndex:
		for _, q := range x.Names {
			name := q.Name
			for _, t := range ls.b.cat.Tables() {
				if sc, _, ok := strings.Cut(t.Name, "."); ok && !strings.EqualFold(sc, q.Schema) {
					continue
				} else if !ok && q.Schema != "" && !strings.EqualFold(q.Schema, "public") {
					continue
				}
				for _, ix := range t.Indexes {
					if ix.Name == name {
						ls.exclusive(t)
					}
				}
			}
		}
	default:
		for _, q := range x.Names {
			if t := ls.resolve(q); t != nil {
				ls.exclusive(t)
			}
		}
	}
}

func (ls *lockSet) walkAlterSequence(x *ast.AlterSequence) {
	if t := ls.resolve(x.Name); t != nil {
		ls.add(t.OID, rellock.AccessExclusive)
	}
}

// lockStmt plans LOCK [TABLE] name [, ...] [IN mode MODE] [NOWAIT]: the
// session takes the plan's locks; running it does nothing more.
func (b *builder) lockStmt(s *ast.Lock) (*Plan, error) {
	if !rellock.Mode(s.Mode).Valid() {
		return nil, errf(types.CodeSyntaxError, "unknown lock mode %d", s.Mode)
	}
	for _, q := range s.Tables {
		if _, ok, err := b.catalogRef(q, ""); ok {
			if err != nil {
				return nil, err
			}
			continue // virtual catalog relations need no lock
		}
		t, err := b.relation(q)
		if err != nil {
			return nil, err
		}
		if t.Sequence || t.Namespace {
			return nil, errf(CodeWrongObjectType, "cannot lock relation %q", t.Name)
		}
	}
	// Any mode is allowed in a read-only transaction (PostgreSQL restricts
	// modes only during recovery).
	p := &Plan{Kind: KindQuery, ReadOnly: true, LockTable: true, LockNoWait: s.NoWait}
	p.run = func(*Ctx, func([]types.Datum) error) (string, error) { return "LOCK TABLE", nil }
	return p, nil
}

// lockInfo lists the relation locks for pg_locks (the DDL lock, on no
// relation, is not shown).
func (db *DB) lockInfo() []pgcatalog.LockInfo {
	if db == nil || db.Locks == nil {
		return nil
	}
	var out []pgcatalog.LockInfo
	for _, h := range db.Locks.Snapshot() {
		if h.Rel != DDLRel {
			out = append(out, pgcatalog.LockInfo{Relation: h.Rel, Mode: h.Mode.String(), Granted: h.Granted, PID: h.PID})
		}
	}
	return out
}
