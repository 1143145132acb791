package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
)

// flushThreshold is the output size above which results are written out
// without waiting for the end of the message cycle.
const flushThreshold = 32 << 10

// conn is one client connection.
type conn struct {
	srv *Server
	nc  net.Conn
	tls bool
	rd  *msgReader
	out []byte
	// writeErr is the first write failure; once set the connection is dead.
	writeErr error

	ctx    context.Context // the connection's context
	cancel context.CancelCauseFunc

	pid    uint32
	secret []byte

	user string
	sess Session

	stmts          map[string]Statement
	portals        map[string]*portal
	ignoreTillSync bool
	copy           *copyReader // the COPY FROM STDIN in progress, if any

	mu          sync.Mutex
	idle        bool // blocked reading the next message
	stopping    bool // graceful shutdown requested
	started     bool // startup finished (before that, shutdown closes at once)
	queryCancel context.CancelCauseFunc
	queryWatch  *clientWatch // the running statement's client liveness check
}

type portal struct {
	p    Portal
	cols []Column // nil: no rows (NoData)
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{srv: s, nc: nc, stmts: map[string]Statement{}, portals: map[string]*portal{}}
}

// requestStop asks for a graceful end: at once if idle, else after the
// current message.
func (c *conn) requestStop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopping = true
	if !c.started {
		// Still negotiating or authenticating: nothing to finish.
		c.nc.Close()
		return
	}
	if c.idle {
		c.nc.SetReadDeadline(time.Unix(1, 0))
	}
}

// kill closes the connection now and cancels whatever runs on it.
func (c *conn) kill() {
	c.mu.Lock()
	cancel, nc := c.cancel, c.nc
	c.mu.Unlock()
	if cancel != nil {
		cancel(errServerShutdown)
	}
	nc.Close()
}

// cancelQuery cancels the running query, if any.
func (c *conn) cancelQuery() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queryCancel != nil {
		c.queryCancel(ErrQueryCanceled)
	}
}

// beginQuery returns the context for one engine call; endQuery must follow.
func (c *conn) beginQuery() context.Context {
	ctx, cancel := context.WithCancelCause(c.ctx)
	var watch *clientWatch
	if d := c.srv.cfg.ClientCheckInterval; d > 0 {
		watch = watchClient(c.nc, d, cancel)
	}
	c.mu.Lock()
	c.queryCancel = cancel
	c.queryWatch = watch
	c.mu.Unlock()
	return ctx
}

func (c *conn) endQuery() {
	c.mu.Lock()
	cancel, watch := c.queryCancel, c.queryWatch
	c.queryCancel, c.queryWatch = nil, nil
	c.mu.Unlock()
	if watch != nil {
		watch.stop()
	}
	if cancel != nil {
		cancel(nil)
	}
}

// serve runs the connection to its end. It never panics: a panic in the
// engine or here is logged with its stack and ends only this connection.
func (c *conn) serve(parent context.Context, tooMany bool) {
	ctx, cancel := context.WithCancelCause(parent)
	c.mu.Lock()
	c.ctx, c.cancel = ctx, cancel
	c.mu.Unlock()
	log := c.srv.log.With("remote", c.nc.RemoteAddr().String())
	defer func() {
		if r := recover(); r != nil {
			c.srv.panics.Add(1)
			log.Error("wire: panic in connection", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.sendError(&Error{Severity: SeverityFatal, Code: CodeInternalError, Message: "internal error"})
			c.flush()
		}
		c.closeSessionSafely(log)
		cancel(nil)
		c.nc.Close()
	}()

	c.nc.SetDeadline(time.Now().Add(c.srv.cfg.AuthTimeout))
	info, err := c.startup(ctx, tooMany)
	if err != nil {
		c.reportStartupError(log, err)
		return
	}
	log = log.With("user", info.User, "database", info.Database)
	c.nc.SetDeadline(time.Time{})
	log.Debug("wire: session started", "pid", c.pid, "tls", c.tls)
	if err := c.loop(); err != nil {
		c.reportLoopError(log, err)
	}
}

// closeSessionSafely is closeSession with a panic in the engine's Close
// methods logged instead of taking the process down.
func (c *conn) closeSessionSafely(log logger) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.panics.Add(1)
			log.Error("wire: panic closing session", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	c.closeSession(log)
}

// closeSession releases portals, statements and the session.
func (c *conn) closeSession(log logger) {
	c.closePortals()
	for name, st := range c.stmts {
		if err := st.Close(); err != nil {
			log.Warn("wire: closing statement", "err", err)
		}
		delete(c.stmts, name)
	}
	if c.sess != nil {
		if err := c.sess.Close(); err != nil {
			log.Warn("wire: closing session", "err", err)
		}
		c.sess = nil
	}
}

func (c *conn) closePortals() {
	for name, p := range c.portals {
		if err := p.p.Close(); err != nil {
			c.srv.log.Warn("wire: closing portal", "err", err)
		}
		delete(c.portals, name)
	}
}

// --- output -----------------------------------------------------------------

// send encodes msg into the output buffer.
func (c *conn) send(msg pgproto3.BackendMessage) {
	out, err := msg.Encode(c.out)
	if err != nil {
		// Only oversized fields fail to encode; the client cannot get this
		// message, so end the connection with the reason.
		if c.writeErr == nil {
			c.writeErr = fmt.Errorf("encode %T: %w", msg, err)
		}
		return
	}
	c.out = out
}

// flush writes the output buffer to the client.
func (c *conn) flush() error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if len(c.out) == 0 {
		return nil
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteTimeout))
	_, err := c.nc.Write(c.out)
	if cap(c.out) > 1<<20 {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	if err != nil {
		c.writeErr = fmt.Errorf("write to client: %w", err)
	}
	return c.writeErr
}

// maybeFlush flushes when enough output has accumulated.
func (c *conn) maybeFlush() error {
	if len(c.out) >= flushThreshold {
		return c.flush()
	}
	return c.writeErr
}

func (c *conn) sendError(e *Error) {
	c.send(e.response())
}

func (c *conn) readyForQuery() error {
	st := c.sess.TxStatus()
	switch st {
	case TxIdle, TxInBlock, TxFailed:
	default:
		st = TxFailed
	}
	if st == TxIdle {
		c.closePortals()
	}
	c.send(&pgproto3.ReadyForQuery{TxStatus: byte(st)})
	return c.flush()
}

// --- startup ----------------------------------------------------------------

// startup runs SSL/GSS negotiation, the startup packet, authentication and the
// engine's session start, up to the first ReadyForQuery.
func (c *conn) startup(ctx context.Context, tooMany bool) (StartupInfo, error) {
	var (
		sslDone, gssDone bool
		params           map[string]string
		minor            uint32
	)
	for params == nil {
		pkt, err := readStartupPacket(c.nc)
		if err != nil {
			return StartupInfo{}, err
		}
		code := binary.BigEndian.Uint32(pkt)
		switch {
		case code == codeSSLRequest:
			if sslDone || c.tls {
				return StartupInfo{}, protocolError("duplicate SSLRequest")
			}
			sslDone = true
			if len(pkt) != 4 {
				return StartupInfo{}, protocolError("invalid length of SSLRequest")
			}
			if c.srv.cfg.TLS == nil {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return StartupInfo{}, err
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return StartupInfo{}, err
			}
			tc := tls.Server(c.nc, c.srv.cfg.TLS)
			if err := tc.HandshakeContext(ctx); err != nil {
				return StartupInfo{}, fmt.Errorf("tls handshake: %w", err)
			}
			c.mu.Lock()
			c.nc, c.tls = tc, true
			c.mu.Unlock()
		case code == codeGSSENCRequest:
			if gssDone || c.tls {
				return StartupInfo{}, protocolError("duplicate GSSENCRequest")
			}
			gssDone = true
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return StartupInfo{}, err
			}
		case code == codeCancelRequest:
			var m pgproto3.CancelRequest
			if err := m.Decode(pkt); err != nil {
				return StartupInfo{}, fmt.Errorf("cancel request: %w", err)
			}
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return StartupInfo{}, errCancelHandled
		case code>>16 == 3:
			minor = code & 0xffff
			params, err = parseStartupParams(pkt[4:])
			if err != nil {
				return StartupInfo{}, err
			}
		default:
			return StartupInfo{}, &Error{Severity: SeverityFatal, Code: CodeFeatureNotSupported,
				Message: fmt.Sprintf("unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", code>>16, code&0xffff)}
		}
	}
	if c.srv.cfg.RequireTLS && !c.tls {
		return StartupInfo{}, &Error{Severity: SeverityFatal, Code: CodeInvalidAuthorization,
			Message: "connection requires SSL encryption", Hint: "Connect with sslmode=require."}
	}
	c.rd = newMsgReader(c.nc, c.srv.cfg.MaxMessageSize)

	// Protocol options (_pq_.*) and minor versions above 0 are negotiated down.
	var unrecognized []string
	for k := range params {
		if strings.HasPrefix(k, "_pq_.") {
			unrecognized = append(unrecognized, k)
			delete(params, k)
		}
	}
	if minor > 0 || len(unrecognized) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}
	info := StartupInfo{User: params["user"], Database: params["database"], Params: params,
		RemoteAddr: c.nc.RemoteAddr(), TLS: c.tls}
	if info.User == "" {
		return info, &Error{Severity: SeverityFatal, Code: CodeInvalidAuthorization,
			Message: "no PostgreSQL user name specified in startup packet"}
	}
	if info.Database == "" {
		info.Database = info.User
	}
	for k, v := range params {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return info, &Error{Severity: SeverityFatal, Code: CodeCharacterNotInRepertoire,
				Message: "invalid byte sequence for encoding \"UTF8\" in startup packet"}
		}
	}
	if tooMany {
		return info, &Error{Severity: SeverityFatal, Code: CodeTooManyConnections, Message: "sorry, too many clients already"}
	}
	c.user = info.User
	if err := c.authenticate(ctx, info.User); err != nil {
		return info, err
	}
	c.send(&pgproto3.AuthenticationOk{})

	c.srv.register(c)
	info.ProcessID = c.pid
	sess, err := c.srv.cfg.Engine.Startup(ctx, info)
	if err != nil {
		e := *toError(ctx, err)
		e.Severity = SeverityFatal
		return info, &e
	}
	c.sess = sess
	for _, p := range c.initialParams(info) {
		c.send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	// From here on a shutdown ends the session politely (57P01); this must
	// happen before the client can see ReadyForQuery.
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	return info, c.readyForQuery()
}

// errCancelHandled ends a connection that carried a CancelRequest.
var errCancelHandled = errors.New("cancel request handled")

// parseStartupParams parses the name/value pairs of a startup packet.
func parseStartupParams(b []byte) (map[string]string, error) {
	params := map[string]string{}
	for {
		if len(b) == 0 {
			return nil, protocolError("invalid startup packet layout: expected terminator as last byte")
		}
		if b[0] == 0 {
			if len(b) != 1 {
				return nil, protocolError("invalid startup packet layout: data after terminator")
			}
			return params, nil
		}
		k := bytes.IndexByte(b, 0)
		if k < 0 {
			return nil, protocolError("invalid startup packet layout: unterminated name")
		}
		name := string(b[:k])
		b = b[k+1:]
		v := bytes.IndexByte(b, 0)
		if v < 0 {
			return nil, protocolError("invalid startup packet layout: unterminated value of %q", name)
		}
		params[name] = string(b[:v])
		b = b[v+1:]
	}
}

// initialParams are the ParameterStatus values sent after authentication, in
// a fixed order.
func (c *conn) initialParams(info StartupInfo) [][2]string {
	appName := info.Params["application_name"]
	vals := map[string]string{
		"server_version":                c.srv.cfg.ServerVersion,
		"server_encoding":               "UTF8",
		"client_encoding":               "UTF8",
		"DateStyle":                     "ISO, MDY",
		"IntervalStyle":                 "postgres",
		"integer_datetimes":             "on",
		"standard_conforming_strings":   "on",
		"TimeZone":                      "UTC",
		"application_name":              appName,
		"is_superuser":                  "on",
		"session_authorization":         info.User,
		"default_transaction_read_only": "off",
		"in_hot_standby":                "off",
		"scram_iterations":              fmt.Sprint(DefaultSCRAMIterations),
	}
	order := []string{"in_hot_standby", "integer_datetimes", "TimeZone", "IntervalStyle", "is_superuser",
		"application_name", "default_transaction_read_only", "scram_iterations", "DateStyle",
		"standard_conforming_strings", "session_authorization", "client_encoding", "server_version",
		"server_encoding"}
	var extra []string
	for k, v := range c.sess.Params() {
		if _, known := vals[k]; !known {
			extra = append(extra, k)
		}
		vals[k] = v
	}
	slices.Sort(extra)
	out := make([][2]string, 0, len(vals))
	for _, k := range append(order, extra...) {
		out = append(out, [2]string{k, vals[k]})
	}
	return out
}

// authenticate runs the configured method for user.
func (c *conn) authenticate(ctx context.Context, user string) error {
	if c.srv.cfg.AuthMethod == AuthTrust {
		return nil
	}
	failed := &Error{Severity: SeverityFatal, Code: CodeInvalidPassword,
		Message: fmt.Sprintf("password authentication failed for user %q", user)}
	v, err := c.srv.cfg.Auth.Verifier(ctx, user)
	unknown := false
	if err != nil {
		if !errors.Is(err, ErrUnknownUser) {
			return &Error{Severity: SeverityFatal, Code: CodeInternalError,
				Message: "could not look up the user's credentials", Err: err}
		}
		// Go through a full exchange with a verifier nothing matches, so that
		// the client cannot tell unknown users from wrong passwords.
		unknown = true
		v = mockVerifier(c.srv.mockSecret, user)
	}
	s := &scramServer{v: v}
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := c.flush(); err != nil {
		return err
	}
	body, err := c.readAuthMessage()
	if err != nil {
		return err
	}
	var init pgproto3.SASLInitialResponse
	if err := init.Decode(body); err != nil {
		return protocolError("malformed SASLInitialResponse: %v", err)
	}
	if init.AuthMechanism != "SCRAM-SHA-256" {
		return protocolError("client selected an invalid SASL authentication mechanism")
	}
	serverFirst, err := s.first(init.Data)
	if err != nil {
		return protocolError("%v", err)
	}
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := c.flush(); err != nil {
		return err
	}
	body, err = c.readAuthMessage()
	if err != nil {
		return err
	}
	var resp pgproto3.SASLResponse
	if err := resp.Decode(body); err != nil {
		return protocolError("malformed SASLResponse: %v", err)
	}
	serverFinal, ok, err := s.final(resp.Data)
	if err != nil {
		return protocolError("%v", err)
	}
	if !ok || unknown {
		return failed
	}
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	return nil
}

// readAuthMessage reads the next 'p' message of an authentication exchange.
func (c *conn) readAuthMessage() ([]byte, error) {
	typ, body, err := c.rd.next(nil)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, protocolError("%v", err)
	}
	if typ != 'p' {
		return nil, protocolError("expected SASL response, got message type %d", typ)
	}
	return body, nil
}

// reportStartupError answers a failed startup when it makes sense and logs.
func (c *conn) reportStartupError(log logger, err error) {
	if errors.Is(err, errCancelHandled) {
		return
	}
	var we *Error
	if errors.As(err, &we) {
		we.Severity = SeverityFatal
		c.sendError(we)
		c.flush()
		log.Info("wire: startup refused", "code", we.Code, "msg", we.Message)
		return
	}
	if isDisconnect(err) {
		log.Debug("wire: client left during startup", "err", err)
		return
	}
	// Bad startup packets and failed TLS handshakes get no answer: the peer
	// may not even speak the protocol (PostgreSQL does the same).
	log.Info("wire: startup failed", "err", err)
}

// logger is the part of *slog.Logger connections use.
type logger interface {
	Debug(string, ...any)
	Info(string, ...any)
	Warn(string, ...any)
	Error(string, ...any)
}

// isDisconnect reports whether err means the client went away.
func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) ||
		errors.Is(err, os.ErrDeadlineExceeded)
}
