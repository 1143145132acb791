package ast

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// Prepare is PREPARE name [(types)] AS statement.
type Prepare struct {
	Name  string
	Types []*TypeName // declared parameter types; nil entries never occur
	Stmt  Statement
}

// Execute is EXECUTE name [(args)].
type Execute struct {
	Name string
	Args []Expr
}

// Deallocate is DEALLOCATE [PREPARE] name, or ALL when Name is "".
type Deallocate struct {
	Name string
}

// CreateTableAs is CREATE TABLE [IF NOT EXISTS] name [(cols)] AS query
// [WITH [NO] DATA], and SELECT ... INTO [TABLE] name.
type CreateTableAs struct {
	Name        QualifiedName
	IfNotExists bool
	Columns     []string // column names overriding the query's (may be fewer)
	Query       *Select
	NoData      bool
	SelectInto  bool // written as SELECT INTO (same effect)
}

func (*Prepare) node()       {}
func (*Execute) node()       {}
func (*Deallocate) node()    {}
func (*CreateTableAs) node() {}
func (*Prepare) stmt()       {}
func (*Execute) stmt()       {}
func (*Deallocate) stmt()    {}
func (*CreateTableAs) stmt() {}

func (c *converter) prepare(s *pg.PrepareStmt) (Statement, error) {
	out := &Prepare{Name: s.Name}
	for _, n := range s.Argtypes {
		tn := n.GetTypeName()
		if tn == nil {
			return nil, c.unsupported(nodeName(n)+" as a parameter type", -1)
		}
		t, err := c.typeName(tn)
		if err != nil {
			return nil, err
		}
		out.Types = append(out.Types, t)
	}
	inner, err := c.stmt(s.Query)
	if err != nil {
		return nil, err
	}
	switch inner.(type) {
	case *Select, *Insert, *Update, *Delete:
	default:
		return nil, c.unsupported("PREPARE of "+strings.TrimSpace(CommandTag(inner)), -1)
	}
	out.Stmt = inner
	return out, nil
}

func (c *converter) execute(s *pg.ExecuteStmt) (Statement, error) {
	args, err := c.exprs(s.Params)
	if err != nil {
		return nil, err
	}
	return &Execute{Name: s.Name, Args: args}, nil
}

func (c *converter) createTableAs(s *pg.CreateTableAsStmt) (Statement, error) {
	if s.Objtype != pg.ObjectType_OBJECT_TABLE {
		return nil, c.unsupported("CREATE MATERIALIZED VIEW", -1)
	}
	q := s.Query.GetSelectStmt()
	if q == nil {
		return nil, c.unsupported("CREATE TABLE AS "+nodeName(s.Query), -1)
	}
	sel, err := c.selectStmt(q)
	if err != nil {
		return nil, err
	}
	return c.into(s.Into, sel, s.IfNotExists)
}

// into converts an INTO clause (of CREATE TABLE AS or SELECT INTO).
func (c *converter) into(in *pg.IntoClause, sel *Select, ifNotExists bool) (*CreateTableAs, error) {
	if in == nil || in.Rel == nil {
		return nil, c.unsupported("CREATE TABLE AS without a table", -1)
	}
	if in.Rel.Relpersistence == "t" {
		return nil, c.unsupported("temporary tables", in.Rel.Location)
	}
	if in.AccessMethod != "" || len(in.Options) > 0 || in.TableSpaceName != "" || in.OnCommit != pg.OnCommitAction_ONCOMMIT_NOOP && in.OnCommit != pg.OnCommitAction_ON_COMMIT_ACTION_UNDEFINED {
		return nil, c.unsupported("CREATE TABLE AS options", in.Rel.Location)
	}
	name, err := c.qname(in.Rel)
	if err != nil {
		return nil, err
	}
	return &CreateTableAs{Name: name, IfNotExists: ifNotExists, Columns: strList(in.ColNames), Query: sel, NoData: in.SkipData}, nil
}

// selectInto converts SELECT ... INTO [TABLE] name ...: CREATE TABLE AS.
func (c *converter) selectInto(s *pg.SelectStmt) (Statement, error) {
	in := s.IntoClause
	s.IntoClause = nil // the tree is this parse's own
	sel, err := c.selectStmt(s)
	s.IntoClause = in
	if err != nil {
		return nil, err
	}
	out, err := c.into(in, sel, false)
	if err != nil {
		return nil, err
	}
	out.SelectInto = true
	return out, nil
}

func (c *converter) deallocate(s *pg.DeallocateStmt) (Statement, error) {
	return &Deallocate{Name: s.Name}, nil
}
