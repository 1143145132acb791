package types

import "fmt"

// SQLSTATE codes used by this package (and useful to its callers).
const (
	CodeFeatureNotSupported     = "0A000"
	CodeSyntaxError             = "42601"
	CodeInvalidTextRep          = "22P02"
	CodeNumericValueOutOfRange  = "22003"
	CodeStringDataRightTrunc    = "22001"
	CodeInvalidDatetimeFormat   = "22007"
	CodeDatetimeFieldOverflow   = "22008"
	CodeDivisionByZero          = "22012"
	CodeInvalidParameterValue   = "22023"
	CodeDatatypeMismatch        = "42804"
	CodeCannotCoerce            = "42846"
	CodeUndefinedFunction       = "42883"
	CodeAmbiguousFunction       = "42725"
	CodeUndefinedObject         = "42704"
	CodeInvalidBinaryRep        = "22P03"
	CodeProtocolViolation       = "08P01"
	CodeInternalError           = "XX000"
	CodeInvalidParameterTypmod  = "22023"
	CodeNullValueNotAllowed     = "22004"
	CodeInvalidDatetimeTimezone = "22009"
)

// Error is an error carrying a PostgreSQL SQLSTATE. It is a plain struct so
// that the wire layer can map it onto an ErrorResponse field by field.
type Error struct {
	Code    string // SQLSTATE, e.g. "22P02"
	Message string // primary message, PostgreSQL's wording where one exists
	Detail  string // optional DETAIL
	Hint    string // optional HINT
	// Position is the 1-based character offset into the statement text
	// that the error refers to (ErrorResponse field 'P'); 0 when none.
	Position int
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s (SQLSTATE %s): %s", e.Message, e.Code, e.Detail)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
}

// Errorf builds an *Error with the given SQLSTATE and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errInvalidSyntax(typeName, input string) *Error {
	return Errorf(CodeInvalidTextRep, "invalid input syntax for type %s: \"%s\"", typeName, input)
}

func errOutOfRangeFor(input, typeName string) *Error {
	return Errorf(CodeNumericValueOutOfRange, "value \"%s\" is out of range for type %s", input, typeName)
}

var (
	errNumericOverflow    = &Error{Code: CodeNumericValueOutOfRange, Message: "value overflows numeric format"}
	errIntOutOfRange      = &Error{Code: CodeNumericValueOutOfRange, Message: "integer out of range"}
	errSmallintOutOfRange = &Error{Code: CodeNumericValueOutOfRange, Message: "smallint out of range"}
	errBigintOutOfRange   = &Error{Code: CodeNumericValueOutOfRange, Message: "bigint out of range"}
	errDivByZero          = &Error{Code: CodeDivisionByZero, Message: "division by zero"}
	errFloatOverflow      = &Error{Code: CodeNumericValueOutOfRange, Message: "value out of range: overflow"}
	errFloatUnderflow     = &Error{Code: CodeNumericValueOutOfRange, Message: "value out of range: underflow"}
)

func fmtDetail(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func errFloatOutOfRange(input string) *Error {
	return Errorf(CodeNumericValueOutOfRange, "\"%s\" is out of range for type double precision", input)
}
