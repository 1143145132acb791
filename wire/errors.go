package wire

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"
)

// SQLSTATE codes wire itself uses. The engine uses its own set; any five-character
// code is accepted in an Error.
const (
	CodeProtocolViolation          = "08P01"
	CodeConnectionFailure          = "08006"
	CodeInvalidPassword            = "28P01"
	CodeInvalidAuthorization       = "28000"
	CodeCharacterNotInRepertoire   = "22021"
	CodeInvalidParameterValue      = "22023"
	CodeQueryCanceled              = "57014"
	CodeAdminShutdown              = "57P01"
	CodeIdleSessionTimeout         = "57P05"
	CodeFeatureNotSupported        = "0A000"
	CodeInternalError              = "XX000"
	CodeDuplicatePreparedStatement = "42P05"
	CodeInvalidSQLStatementName    = "26000"
	CodeInvalidCursorName          = "34000"
	CodeProgramLimitExceeded       = "54000"
	CodeTooManyConnections         = "53300"
)

// Severities as sent in ErrorResponse and NoticeResponse.
const (
	SeverityError   = "ERROR"
	SeverityFatal   = "FATAL"
	SeverityWarning = "WARNING"
	SeverityNotice  = "NOTICE"
)

// ErrQueryCanceled is the context cause wire uses when a CancelRequest cancels
// the running query.
var ErrQueryCanceled = errors.New("canceling statement due to user request")

// Error is an error with a SQLSTATE, as the engine returns it and wire sends it
// in an ErrorResponse (or, passed to ResultWriter.Notice, a NoticeResponse).
type Error struct {
	// Severity is "ERROR" (the default when empty), "FATAL", or for notices
	// "WARNING", "NOTICE", "INFO", "DEBUG", "LOG".
	Severity string
	// Code is the five-character SQLSTATE, e.g. "42P01".
	Code string
	// Message is the primary human-readable message.
	Message string
	// Detail is an optional secondary message.
	Detail string
	// Hint is an optional suggestion.
	Hint string
	// Position is the 1-based character offset of the error in the query, or 0.
	Position int32
	// Table, Column, Constraint, DataType name the object involved, if any.
	Table, Column, Constraint, DataType string
	// Err is an underlying cause; it is not sent to the client.
	Err error
}

// Errorf makes an ERROR with the given SQLSTATE and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error implements error.
func (e *Error) Error() string {
	sev := e.Severity
	if sev == "" {
		sev = SeverityError
	}
	s := fmt.Sprintf("%s: %s (SQLSTATE %s)", sev, e.Message, e.Code)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// toError maps any error to an *Error. cancelCause is the cause of the query
// context's cancellation, if any.
func toError(ctx context.Context, err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	if ctx != nil && errors.Is(err, context.Canceled) {
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, ErrQueryCanceled):
			return &Error{Code: CodeQueryCanceled, Message: ErrQueryCanceled.Error(), Err: err}
		case errors.Is(cause, errClientGone):
			return &Error{Severity: SeverityFatal, Code: CodeConnectionFailure, Message: errClientGone.Error(), Err: err}
		case errors.Is(cause, errServerShutdown):
			return &Error{Severity: SeverityFatal, Code: CodeAdminShutdown,
				Message: "terminating connection due to administrator command", Err: err}
		}
	}
	if errors.Is(err, ErrQueryCanceled) {
		return &Error{Code: CodeQueryCanceled, Message: ErrQueryCanceled.Error(), Err: err}
	}
	return &Error{Code: CodeInternalError, Message: err.Error(), Err: err}
}

// response converts e to the protocol message.
func (e *Error) response() *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = SeverityError
	}
	code := e.Code
	if len(code) != 5 {
		code = CodeInternalError
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		TableName:           e.Table,
		ColumnName:          e.Column,
		ConstraintName:      e.Constraint,
		DataTypeName:        e.DataType,
	}
}

// fatal reports whether the error ends the connection.
func (e *Error) fatal() bool { return e.Severity == SeverityFatal || e.Severity == "PANIC" }

// protocolError is a FATAL 08P01.
func protocolError(format string, args ...any) *Error {
	return &Error{Severity: SeverityFatal, Code: CodeProtocolViolation, Message: fmt.Sprintf(format, args...)}
}
