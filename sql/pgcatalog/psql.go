package pgcatalog

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/sequence"
	"github.com/borealis-db/borealis/sql/types"
)

// What psql's \d of foreign keys and sequences reads: relhastriggers (a
// FOREIGN KEY is a pair of triggers in PostgreSQL, on the referencing and
// the referenced table; psql lists the constraints only when the flag is
// set) and pg_sequence's rows (the parameters live in each sequence's page,
// read through Env.Sequence).

// SequenceReader returns the parameters of the sequence t.
type SequenceReader func(t *catalog.Table) (sequence.Params, error)

// referencedTables are the OIDs of the tables some FOREIGN KEY references:
// PostgreSQL has RI triggers on them, as on the referencing tables.
func referencedTables(env *Env) map[uint32]bool {
	out := map[uint32]bool{}
	if env == nil || env.Cat == nil {
		return out
	}
	for _, t := range env.Cat.Tables() {
		for _, fk := range t.ForeignKeys {
			out[fk.RefTable] = true
		}
	}
	return out
}

// sequenceTypeOID is the pg_type OID of a sequence's data type.
func sequenceTypeOID(t sequence.IntType) int64 {
	switch t {
	case sequence.Int2:
		return int64(types.OIDInt2)
	case sequence.Int4:
		return int64(types.OIDInt4)
	}
	return int64(types.OIDInt8)
}

// sequenceRows are pg_sequence's rows: one per sequence, read from its
// page (no rows without Env.Sequence).
func sequenceRows(_ *Table, env *Env) ([]rowMap, error) {
	if env.Cat == nil || env.Sequence == nil {
		return nil, nil
	}
	var out []rowMap
	for _, t := range env.Cat.Tables() {
		if !t.Sequence {
			continue
		}
		p, err := env.Sequence(t)
		if err != nil {
			return nil, fmt.Errorf("pg_sequence: sequence %s: %w", t.Name, err)
		}
		out = append(out, rowMap{
			"seqrelid": i(int64(t.OID)), "seqtypid": i(sequenceTypeOID(p.Type)),
			"seqstart": i(p.Start), "seqincrement": i(p.Increment), "seqmax": i(p.Max),
			"seqmin": i(p.Min), "seqcache": i(p.Cache), "seqcycle": b(p.Cycle),
		})
	}
	return out, nil
}

// registerPsql adds the functions of psql's describe queries defined here:
// pg_get_triggerdef (there are no triggers, so NULL, as PostgreSQL answers
// for an OID that is no trigger), pg_get_viewdef and pg_tablespace_location.
func registerPsql(r *funcs.Registry) {
	null := func(*funcs.Context, []types.Datum, []types.Type) (types.Datum, error) { return types.Null, nil }
	r.Add(&funcs.Func{Name: "pg_get_triggerdef", Args: []types.Type{typOID}, Result: types.Text, Strict: true, Eval: null})
	r.Add(&funcs.Func{Name: "pg_get_triggerdef", Args: []types.Type{typOID, types.Bool}, Result: types.Text, Strict: true, Eval: null})
	registerViewdef(r) // viewdef.go
	// the built-in tablespaces live in the data directory: ""
	r.Add(&funcs.Func{Name: "pg_tablespace_location", Args: []types.Type{typOID}, Result: types.Text, Strict: true,
		Eval: func(_ *funcs.Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			if a[0].I == TablespaceDefault || a[0].I == TablespaceGlobal {
				return types.NewString(""), nil
			}
			return types.Null, nil
		}})
}
