// Package wire is the PostgreSQL frontend/backend protocol (version 3.0) server of
// Borealis.
//
// It owns everything that happens on a client connection up to the point where a
// query has to be run: TLS negotiation (SSLRequest), the startup packet, password
// authentication (SCRAM-SHA-256, or trust for local development), ParameterStatus
// and BackendKeyData, CancelRequest, the simple and extended query protocols with
// their statement and portal namespaces, COPY FROM STDIN streaming, error and
// notice reporting with SQLSTATE codes, and ReadyForQuery with the session's
// transaction status.
//
// It knows nothing about SQL. Queries are handed to an Engine (one Session per
// connection) through the interfaces in engine.go; the engine parses, plans and
// executes them and writes its results through a ResultWriter. Messages are framed
// by this package and encoded/decoded with github.com/jackc/pgx/v5/pgproto3.
package wire
