package ast

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

// CreateSequence is CREATE SEQUENCE [IF NOT EXISTS] name [options].
type CreateSequence struct {
	Name        QualifiedName
	IfNotExists bool
	// Options are the sequence options as DefElems: as (type name),
	// increment, start, restart, minvalue/maxvalue ("" for NO MINVALUE /
	// NO MAXVALUE), cache, cycle ("true"/"false"), owned_by.
	Options []*Option
}

// AlterSequence is ALTER SEQUENCE [IF EXISTS] name options.
type AlterSequence struct {
	Name     QualifiedName
	IfExists bool
	Options  []*Option
}

func (*CreateSequence) node() {}
func (*AlterSequence) node()  {}
func (*CreateSequence) stmt() {}
func (*AlterSequence) stmt()  {}

func (c *converter) createSequence(s *pg.CreateSeqStmt) (Statement, error) {
	out := &CreateSequence{IfNotExists: s.IfNotExists}
	var err error
	if out.Name, err = c.qname(s.Sequence); err != nil {
		return nil, err
	}
	if out.Options, err = c.options(s.Options); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *converter) alterSequence(s *pg.AlterSeqStmt) (Statement, error) {
	out := &AlterSequence{IfExists: s.MissingOk}
	var err error
	if out.Name, err = c.qname(s.Sequence); err != nil {
		return nil, err
	}
	if out.Options, err = c.options(s.Options); err != nil {
		return nil, err
	}
	return out, nil
}
