package exec

import "github.com/borealis-db/borealis/sql/types"

// SQLSTATE codes the executor returns (besides those of package types).
const (
	CodeUndefinedTable         = "42P01"
	CodeUndefinedColumn        = "42703"
	CodeDuplicateTable         = "42P07"
	CodeDuplicateObject        = "42710"
	CodeInvalidTableDef        = "42P16"
	CodeGrouping               = "42803"
	CodeUndefinedParameter     = "42P02"
	CodeAmbiguousColumn        = "42702"
	CodeUniqueViolation        = "23505"
	CodeNotNullViolation       = "23502"
	CodeInFailedTransaction    = "25P02"
	CodeActiveSQLTransaction   = "25001"
	CodeNoActiveSQLTransaction = "25P01"
	CodeReadOnlySQLTransaction = "25006"
	CodeUndefinedObject        = "42704"
	CodeWrongObjectType        = "42809"
	CodeInvalidParameterValue  = "22023"
	CodeCardinalityViolation   = "21000"
)

// errf builds a *types.Error with a SQLSTATE.
func errf(code, format string, args ...any) *types.Error {
	return types.Errorf(code, format, args...)
}

// unsupported is the 0A000 error for SQL this engine does not implement.
func unsupported(format string, args ...any) *types.Error {
	return types.Errorf(types.CodeFeatureNotSupported, format, args...)
}
