package wire

import (
	"context"
	"io"
	"net"
)

// Engine creates one Session per authenticated client connection. It is the only
// thing wire needs from the SQL layer.
type Engine interface {
	// Startup opens a session for an authenticated client. An error (typically a
	// *Error such as 3D000 "database does not exist") is sent to the client as a
	// FATAL ErrorResponse and the connection is closed.
	Startup(ctx context.Context, info StartupInfo) (Session, error)
}

// StartupInfo is what the client said in its startup packet.
type StartupInfo struct {
	// User is the authenticated user name.
	User string
	// Database is the requested database; it defaults to User as in PostgreSQL.
	Database string
	// Params holds every startup parameter the client sent (user, database,
	// application_name, client_encoding, options, DateStyle, ...), except the
	// protocol options named "_pq_.*".
	Params map[string]string
	// RemoteAddr is the client's network address.
	RemoteAddr net.Addr
	// TLS reports whether the connection is encrypted.
	TLS bool
	// ProcessID is the id sent in BackendKeyData (pg_backend_pid()).
	ProcessID uint32
}

// TxStatus is the transaction status a session reports in ReadyForQuery.
type TxStatus byte

// Transaction statuses, with their protocol byte values.
const (
	// TxIdle means no transaction block is open.
	TxIdle TxStatus = 'I'
	// TxInBlock means a transaction block is open (after BEGIN).
	TxInBlock TxStatus = 'T'
	// TxFailed means the open transaction block failed; statements are refused
	// until it ends.
	TxFailed TxStatus = 'E'
)

// Session is one client's SQL session. wire calls its methods from the
// connection's goroutine only, one at a time; a session never needs locking for
// wire's sake.
//
// Cancellation: every call that runs a query (Exec, Statement.Bind,
// Portal.Execute) gets a context that wire cancels, with cause ErrQueryCanceled,
// when a matching CancelRequest arrives, and with the server's cause when the
// server shuts down. An engine must watch ctx while waiting (locks, storage) and
// return ctx's error, or a *Error; wire reports context.Canceled caused by a
// CancelRequest as 57014 "canceling statement due to user request".
type Session interface {
	// Params returns the run-time parameters to report to the client right
	// after authentication (ParameterStatus), e.g. TimeZone, is_superuser. They
	// override wire's defaults (server_version, server_encoding,
	// client_encoding, DateStyle, integer_datetimes, IntervalStyle,
	// standard_conforming_strings, TimeZone, application_name, is_superuser,
	// session_authorization). Changes later in the session are reported with
	// ResultWriter.ParameterStatus.
	Params() map[string]string

	// Exec runs a simple-protocol Query message, which may hold several
	// statements separated by semicolons. For each statement the engine writes
	// its result through w: BeginRows + WriteRow... + Complete for a statement
	// returning rows, Complete alone otherwise, EmptyQuery for a query string
	// holding no statement at all. On the first failing statement it returns the
	// error (wire sends the ErrorResponse); statements completed before it keep
	// their results. Implicit-transaction semantics across the statements are
	// the engine's business.
	Exec(ctx context.Context, query string, w ResultWriter) error

	// Prepare parses and analyzes one statement (extended protocol Parse).
	// paramOIDs are the parameter types the client specified; 0 or a missing
	// entry means "infer". A query with more than one statement must be refused
	// (42601 "cannot insert multiple commands into a prepared statement"). An
	// empty query is valid: its portal's Execute calls w.EmptyQuery.
	Prepare(ctx context.Context, query string, paramOIDs []uint32) (Statement, error)

	// TxStatus is the session's current transaction status; wire reports it in
	// every ReadyForQuery. When it is TxIdle at a ReadyForQuery, wire closes all
	// portals (portals never outlive their transaction).
	TxStatus() TxStatus

	// Close ends the session (the client left or the server shut down); an open
	// transaction must be rolled back. It is called exactly once.
	Close() error
}

// Statement is a prepared statement, owned by wire's statement namespace.
type Statement interface {
	// Desc describes the statement: the resolved parameter type OIDs (one per
	// $n, none left 0) and the result columns (nil when it returns no rows).
	// Column formats are ignored here: wire fills them from Bind.
	Desc() StatementDesc

	// Bind creates a portal. wire guarantees len(params) == len(paramFormats)
	// == len(Desc().ParamOIDs) and len(resultFormats) == len(Desc().Columns),
	// every format being 0 (text) or 1 (binary), text parameters being valid
	// UTF-8; a nil parameter is SQL NULL. params and the slices belong to the
	// engine after the call. Decoding parameters is the engine's job (22P02 etc.
	// on bad input).
	Bind(ctx context.Context, params [][]byte, paramFormats, resultFormats []int16) (Portal, error)

	// Close releases the statement (Close message, replacement of the unnamed
	// statement, end of session). Portals already bound from it stay usable
	// until they are closed themselves.
	Close() error
}

// Portal is a bound statement ready to run, owned by wire's portal namespace.
type Portal interface {
	// Execute runs the portal, writing at most maxRows rows (0 means all) with
	// w.WriteRow, values already encoded in the result formats given to Bind.
	// If it stops because maxRows were written and more rows remain, it returns
	// suspended=true and wire sends PortalSuspended; a later Execute continues.
	// Otherwise it calls w.Complete (or w.EmptyQuery for an empty statement).
	// In the extended protocol w.BeginRows sends nothing, so an engine can share
	// its execution path with Exec.
	Execute(ctx context.Context, maxRows int, w ResultWriter) (suspended bool, err error)

	// Close releases the portal (Close message, end of transaction, rebinding
	// of the unnamed portal, end of session).
	Close() error
}

// StatementDesc is the description of a prepared statement.
type StatementDesc struct {
	// ParamOIDs are the type OIDs of $1..$n.
	ParamOIDs []uint32
	// Columns are the result columns; nil when the statement returns no rows
	// (Describe answers NoData).
	Columns []Column
}

// Column describes one result column (one RowDescription field).
type Column struct {
	// Name is the column label.
	Name string
	// TableOID is the OID of the source table, or 0.
	TableOID uint32
	// TableAttr is the attribute number in the source table, or 0.
	TableAttr uint16
	// TypeOID is the data type OID (e.g. 23 for int4, 25 for text).
	TypeOID uint32
	// TypeSize is the pg_type.typlen: a positive size, -1 varlena, -2 cstring.
	TypeSize int16
	// TypeMod is the type modifier (e.g. varchar(n) → n+4), -1 if none.
	TypeMod int32
	// Format is 0 (text) or 1 (binary); set by wire from Bind's result formats.
	Format int16
}

// ResultWriter is how an engine sends results to the client. Methods return an
// error when the client connection failed; the engine should then stop and
// return that error.
type ResultWriter interface {
	// BeginRows starts a row-returning result. In the simple protocol it sends
	// RowDescription (all columns in text format); in the extended protocol it
	// sends nothing, since Describe already did.
	BeginRows(cols []Column) error
	// WriteRow sends one DataRow. values[i] == nil is NULL. The slices are not
	// retained after the call.
	WriteRow(values [][]byte) error
	// Complete ends a statement with CommandComplete, tag as PostgreSQL spells it:
	// "SELECT 5", "INSERT 0 1", "UPDATE 3", "COPY 10", "BEGIN", "SET", ...
	Complete(tag string) error
	// EmptyQuery reports a statement-less query (EmptyQueryResponse).
	EmptyQuery() error
	// Notice sends a NoticeResponse; n.Severity defaults to "NOTICE".
	Notice(n *Error) error
	// ParameterStatus reports a changed run-time parameter (after SET of a
	// reported parameter such as application_name, TimeZone, DateStyle).
	ParameterStatus(name, value string) error
	// CopyIn starts COPY FROM STDIN: it sends CopyInResponse, flushes, and
	// returns a reader of the client's CopyData payload. The reader returns
	// io.EOF at CopyDone, and a *Error (57014 "COPY from stdin failed: ...") at
	// CopyFail or 08P01 on a protocol violation. Wrap it with NewCopyDecoder
	// to get rows. After reading, the engine calls Complete("COPY n"). If the
	// engine returns early (an error in the data), wire discards the rest of
	// the client's copy stream.
	CopyIn(format CopyFormat, columns int) (io.Reader, error)
}
