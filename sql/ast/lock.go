package ast

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

// Lock is LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT].
type Lock struct {
	Tables []QualifiedName
	// Mode is PostgreSQL's lock mode number: 1 ACCESS SHARE … 8 ACCESS
	// EXCLUSIVE (the default).
	Mode   int
	NoWait bool
}

func (*Lock) node() {}
func (*Lock) stmt() {}

func (c *converter) lock(s *pg.LockStmt) (Statement, error) {
	out := &Lock{Mode: int(s.Mode), NoWait: s.Nowait}
	for _, n := range s.Relations {
		rv := n.GetRangeVar()
		if rv == nil {
			return nil, c.unsupported(nodeName(n)+" in LOCK", -1)
		}
		q, err := c.qname(rv)
		if err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, q)
	}
	return out, nil
}
