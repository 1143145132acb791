package ast

import "strings"

// CommandTag returns the command tag PostgreSQL sends in CommandComplete
// for st, without row counts (the executor appends " 0 n" for INSERT and
// " n" for SELECT, UPDATE, DELETE, COPY). A COMMIT of a failed transaction
// must be reported as "ROLLBACK" by the caller.
func CommandTag(st Statement) string {
	switch s := st.(type) {
	case *Select:
		return "SELECT"
	case *Insert:
		return "INSERT"
	case *Update:
		return "UPDATE"
	case *Delete:
		return "DELETE"
	case *CreateTable:
		return "CREATE TABLE"
	case *Drop:
		return "DROP " + [...]string{"", "TABLE", "INDEX", "VIEW", "SCHEMA", "SEQUENCE"}[s.Type]
	case *AlterTable:
		return "ALTER TABLE"
	case *CreateIndex:
		return "CREATE INDEX"
	case *Truncate:
		return "TRUNCATE TABLE"
	case *Lock:
		return "LOCK TABLE"
	case *Transaction:
		switch s.Kind {
		case TxnBegin:
			if s.Start {
				return "START TRANSACTION"
			}
			return "BEGIN"
		case TxnCommit:
			return "COMMIT"
		case TxnRollback, TxnRollbackTo:
			return "ROLLBACK"
		case TxnSavepoint:
			return "SAVEPOINT"
		case TxnRelease:
			return "RELEASE"
		}
	case *Vacuum:
		if s.IsAnalyze {
			return "ANALYZE"
		}
		return "VACUUM"
	case *Set:
		return "SET"
	case *Reset:
		return "RESET"
	case *Show:
		return "SHOW"
	case *Copy:
		return "COPY"
	case *Explain:
		return "EXPLAIN"
	case *CreateSchema:
		return "CREATE SCHEMA"
	case *CreateView:
		return "CREATE VIEW"
	case *CreateSequence:
		return "CREATE SEQUENCE"
	case *AlterSequence:
		return "ALTER SEQUENCE"
	case *Discard:
		return "DISCARD " + strings.ToUpper(s.Target)
	case *Prepare:
		return "PREPARE"
	case *Execute:
		return "EXECUTE"
	case *Deallocate:
		return "DEALLOCATE"
	case *CreateTableAs:
		return "CREATE TABLE AS"
	}
	return ""
}
