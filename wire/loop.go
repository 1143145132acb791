package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
)

// errTerminate ends the loop after a Terminate message.
var errTerminate = errors.New("client sent Terminate")

// loop reads and handles messages until the client leaves or an error ends
// the connection. The returned error is what ended it.
func (c *conn) loop() error {
	for {
		if err := c.waitForMessage(); err != nil {
			return err
		}
		// Bind is the one message whose decoded form aliases its body (the
		// parameters), and they are handed to the engine: it gets a fresh body.
		typ, body, err := c.rd.next(func(t byte) bool { return t != 'B' })
		if err2 := c.stopIdle(); err2 != nil && err != nil {
			return err2
		}
		if err != nil {
			return c.readError(err)
		}
		if err := c.handle(typ, body); err != nil {
			return err
		}
		if c.writeErr != nil {
			return c.writeErr
		}
	}
}

// waitForMessage marks the connection idle (interruptible by shutdown) and
// arms the idle timeout.
func (c *conn) waitForMessage() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return errStopping
	}
	c.idle = true
	if d := c.srv.cfg.IdleTimeout; d > 0 {
		c.nc.SetReadDeadline(time.Now().Add(d))
	} else {
		c.nc.SetReadDeadline(time.Time{})
	}
	return nil
}

// stopIdle marks the connection busy; it returns errStopping when a shutdown
// interrupted the read.
func (c *conn) stopIdle() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = false
	// No read deadline while a message is handled (a COPY may read for long).
	c.nc.SetReadDeadline(time.Time{})
	if c.stopping {
		return errStopping
	}
	return nil
}

var (
	errStopping    = errors.New("server shutting down")
	errIdleTimeout = errors.New("idle session timeout")
)

// readError classifies a failed message read.
func (c *conn) readError(err error) error {
	var tooLarge *errMessageTooLarge
	var unknown *errUnknownType
	switch {
	case errors.As(err, &tooLarge):
		return &Error{Severity: SeverityFatal, Code: CodeProtocolViolation,
			Message: fmt.Sprintf("invalid message length: %d bytes exceed the limit of %d", tooLarge.size, tooLarge.max)}
	case errors.As(err, &unknown):
		return protocolError("invalid frontend message type %d", unknown.typ)
	case errors.Is(err, errBadLength):
		return protocolError("invalid message length")
	case errors.Is(err, os.ErrDeadlineExceeded) && c.srv.cfg.IdleTimeout > 0:
		return errIdleTimeout
	}
	return err
}

// reportLoopError tells the client why the connection ends, when it can.
func (c *conn) reportLoopError(log logger, err error) {
	var we *Error
	switch {
	case errors.Is(err, errTerminate):
		return
	case errors.Is(err, errStopping):
		we = &Error{Severity: SeverityFatal, Code: CodeAdminShutdown, Message: "terminating connection due to administrator command"}
	case errors.Is(err, errIdleTimeout):
		we = &Error{Severity: SeverityFatal, Code: CodeIdleSessionTimeout, Message: "terminating connection due to idle-session timeout"}
	case errors.As(err, &we):
	case isDisconnect(err):
		log.Debug("wire: client disconnected", "err", err)
		return
	default:
		log.Warn("wire: connection failed", "err", err)
		return
	}
	we.Severity = SeverityFatal
	c.writeErr = nil
	c.out = c.out[:0]
	c.sendError(we)
	c.flush()
	log.Info("wire: connection closed", "code", we.Code, "msg", we.Message)
}

// handle processes one message. A returned error ends the connection.
func (c *conn) handle(typ byte, body []byte) error {
	if typ == 'X' {
		return errTerminate
	}
	if typ == 'S' {
		c.ignoreTillSync = false
		if err := decodeEmpty(typ, body); err != nil {
			return err
		}
		return c.readyForQuery()
	}
	if c.ignoreTillSync {
		return nil
	}
	var err error
	switch typ {
	case 'Q':
		var m pgproto3.Query
		if err := decode(&m, body); err != nil {
			return err
		}
		return c.handleQuery(m.String)
	case 'F':
		var m pgproto3.FunctionCall
		if err := decode(&m, body); err != nil {
			return err
		}
		c.sendError(Errorf(CodeFeatureNotSupported, "the function call protocol is not supported"))
		return c.readyForQuery()
	case 'H':
		if err := decodeEmpty(typ, body); err != nil {
			return err
		}
		return c.flush()
	case 'd', 'c', 'f':
		// Leftovers of a COPY that already failed: ignored, as in PostgreSQL.
		return nil
	case 'p':
		return protocolError("invalid frontend message type %d", typ)
	case 'P':
		var m pgproto3.Parse
		if err := decode(&m, body); err != nil {
			return err
		}
		err = c.handleParse(&m)
	case 'B':
		var m pgproto3.Bind
		if err := decode(&m, body); err != nil {
			return err
		}
		err = c.handleBind(&m)
	case 'D':
		var m pgproto3.Describe
		if err := decode(&m, body); err != nil {
			return err
		}
		err = c.handleDescribe(&m)
	case 'E':
		var m pgproto3.Execute
		if err := decode(&m, body); err != nil {
			return err
		}
		err = c.handleExecute(&m)
	case 'C':
		var m pgproto3.Close
		if err := decode(&m, body); err != nil {
			return err
		}
		err = c.handleClose(&m)
	default:
		return protocolError("invalid frontend message type %d", typ)
	}
	if err != nil {
		// An extended-protocol message failed: report it and skip everything
		// up to the next Sync.
		we := toError(c.ctx, err)
		if we.fatal() || c.writeErr != nil {
			return we
		}
		c.sendError(we)
		c.ignoreTillSync = true
		// Like PostgreSQL, send an error at once: a client waiting after a
		// Flush must see it, since the Flush itself will now be skipped.
		return c.flush()
	}
	return c.maybeFlush()
}

// decode decodes a frontend message body; failures end the connection.
func decode(m pgproto3.FrontendMessage, body []byte) error {
	if err := m.Decode(body); err != nil {
		return protocolError("invalid message format: %T: %v", m, err)
	}
	return nil
}

func decodeEmpty(typ byte, body []byte) error {
	if len(body) != 0 {
		return protocolError("invalid message format: message type %d must be empty", typ)
	}
	return nil
}

// checkUTF8 returns 22021 for invalid UTF-8, naming the first bad bytes.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	end := min(i+2, len(b))
	hex := ""
	for j := i; j < end; j++ {
		if j > i {
			hex += " "
		}
		hex += fmt.Sprintf("0x%02x", b[j])
	}
	return Errorf(CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", hex)
}

// --- simple query -------------------------------------------------------------

func (c *conn) handleQuery(q string) error {
	// As in PostgreSQL, a simple query drops the unnamed statement and portal.
	c.dropUnnamed()
	if err := checkUTF8([]byte(q)); err != nil {
		c.sendError(toError(c.ctx, err))
		return c.readyForQuery()
	}
	w := &resultWriter{c: c}
	ctx := c.beginQuery()
	err := c.sess.Exec(ctx, q, w)
	c.endQuery()
	c.copy = nil
	if err != nil {
		we := toError(ctx, err)
		if we.fatal() || c.writeErr != nil {
			return we
		}
		c.sendError(we)
	}
	return c.readyForQuery()
}

func (c *conn) dropUnnamed() {
	if st, ok := c.stmts[""]; ok {
		st.Close()
		delete(c.stmts, "")
	}
	if p, ok := c.portals[""]; ok {
		p.p.Close()
		delete(c.portals, "")
	}
}

// --- extended protocol --------------------------------------------------------

func (c *conn) handleParse(m *pgproto3.Parse) error {
	if m.Name == "" {
		if st, ok := c.stmts[""]; ok {
			st.Close()
			delete(c.stmts, "")
		}
	} else if _, ok := c.stmts[m.Name]; ok {
		return Errorf(CodeDuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
	}
	if err := checkUTF8([]byte(m.Query)); err != nil {
		return err
	}
	ctx := c.beginQuery()
	st, err := c.sess.Prepare(ctx, m.Query, m.ParameterOIDs)
	c.endQuery()
	if err != nil {
		return withCtx(ctx, err)
	}
	c.stmts[m.Name] = st
	c.send(&pgproto3.ParseComplete{})
	return nil
}

// withCtx resolves a cancellation error while its context is still known.
func withCtx(ctx context.Context, err error) error {
	return toError(ctx, err)
}

func (c *conn) statement(name string) (Statement, error) {
	st, ok := c.stmts[name]
	if !ok {
		if name == "" {
			return nil, Errorf(CodeInvalidSQLStatementName, "unnamed prepared statement does not exist")
		}
		return nil, Errorf(CodeInvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	return st, nil
}

func (c *conn) portal(name string) (*portal, error) {
	p, ok := c.portals[name]
	if !ok {
		if name == "" {
			return nil, Errorf(CodeInvalidCursorName, "unnamed portal does not exist")
		}
		return nil, Errorf(CodeInvalidCursorName, "portal %q does not exist", name)
	}
	return p, nil
}

// expandFormats turns the 0, 1 or n format codes of a Bind into exactly n.
func expandFormats(codes []int16, n int, what string) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	case n:
		copy(out, codes)
	default:
		return nil, &Error{Code: CodeProtocolViolation,
			Message: fmt.Sprintf("bind message has %d %s formats but %d %ss", len(codes), what, n, what)}
	}
	for _, f := range out {
		if f != 0 && f != 1 {
			return nil, Errorf(CodeInvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return out, nil
}

func (c *conn) handleBind(m *pgproto3.Bind) error {
	st, err := c.statement(m.PreparedStatement)
	if err != nil {
		return err
	}
	if m.DestinationPortal == "" {
		if p, ok := c.portals[""]; ok {
			p.p.Close()
			delete(c.portals, "")
		}
	} else if _, ok := c.portals[m.DestinationPortal]; ok {
		return Errorf("42P03", "portal %q already exists", m.DestinationPortal)
	}
	desc := st.Desc()
	if len(m.Parameters) != len(desc.ParamOIDs) {
		return &Error{Code: CodeProtocolViolation, Message: fmt.Sprintf(
			"bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(desc.ParamOIDs))}
	}
	pf, err := expandFormats(m.ParameterFormatCodes, len(m.Parameters), "parameter")
	if err != nil {
		return err
	}
	rf, err := expandFormats(m.ResultFormatCodes, len(desc.Columns), "result")
	if err != nil {
		if len(desc.Columns) == 0 && len(m.ResultFormatCodes) == 1 {
			rf, err = []int16{}, nil // one code for a statement without columns: harmless
		} else {
			return err
		}
	}
	params := make([][]byte, len(m.Parameters))
	for i, v := range m.Parameters {
		if v == nil {
			continue
		}
		if pf[i] == 0 {
			if err := checkUTF8(v); err != nil {
				return err
			}
		}
		params[i] = v // the Bind body is not reused (see loop)
	}
	ctx := c.beginQuery()
	p, err := st.Bind(ctx, params, pf, rf)
	c.endQuery()
	if err != nil {
		return withCtx(ctx, err)
	}
	var cols []Column
	if desc.Columns != nil {
		cols = make([]Column, len(desc.Columns))
		for i, col := range desc.Columns {
			col.Format = rf[i]
			cols[i] = col
		}
	}
	c.portals[m.DestinationPortal] = &portal{p: p, cols: cols}
	c.send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		st, err := c.statement(m.Name)
		if err != nil {
			return err
		}
		desc := st.Desc()
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: append([]uint32{}, desc.ParamOIDs...)})
		c.sendRowDescription(desc.Columns, false)
	case 'P':
		p, err := c.portal(m.Name)
		if err != nil {
			return err
		}
		c.sendRowDescription(p.cols, true)
	default:
		return protocolError("invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

// sendRowDescription sends RowDescription, or NoData for nil columns.
func (c *conn) sendRowDescription(cols []Column, withFormats bool) {
	if cols == nil {
		c.send(&pgproto3.NoData{})
		return
	}
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		f := pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: col.TableAttr,
			DataTypeOID:          col.TypeOID,
			DataTypeSize:         col.TypeSize,
			TypeModifier:         col.TypeMod,
		}
		if withFormats {
			f.Format = col.Format
		}
		fields[i] = f
	}
	c.send(&pgproto3.RowDescription{Fields: fields})
}

func (c *conn) handleExecute(m *pgproto3.Execute) error {
	p, err := c.portal(m.Portal)
	if err != nil {
		return err
	}
	w := &resultWriter{c: c, extended: true}
	ctx := c.beginQuery()
	suspended, err := p.p.Execute(ctx, int(m.MaxRows), w)
	c.endQuery()
	c.copy = nil
	if err != nil {
		return withCtx(ctx, err)
	}
	if suspended {
		c.send(&pgproto3.PortalSuspended{})
	}
	return nil
}

func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		if st, ok := c.stmts[m.Name]; ok {
			delete(c.stmts, m.Name)
			if err := st.Close(); err != nil {
				return err
			}
		}
	case 'P':
		if p, ok := c.portals[m.Name]; ok {
			delete(c.portals, m.Name)
			if err := p.p.Close(); err != nil {
				return err
			}
		}
	default:
		return protocolError("invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.send(&pgproto3.CloseComplete{})
	return nil
}

// --- results -------------------------------------------------------------------

// resultWriter implements ResultWriter on a connection.
type resultWriter struct {
	c        *conn
	extended bool
}

func (w *resultWriter) BeginRows(cols []Column) error {
	if !w.extended {
		if cols == nil {
			cols = []Column{}
		}
		text := make([]Column, len(cols))
		for i, col := range cols {
			col.Format = 0
			text[i] = col
		}
		w.c.sendRowDescription(text, true)
	}
	return w.c.maybeFlush()
}

func (w *resultWriter) WriteRow(values [][]byte) error {
	w.c.send(&pgproto3.DataRow{Values: values})
	return w.c.maybeFlush()
}

func (w *resultWriter) Complete(tag string) error {
	// A COPY is complete only at the client's CopyDone: the engine may stop
	// reading early (at the \. end marker), so the rest is read here, as
	// PostgreSQL does. A CopyFail in the rest fails the COPY.
	if r := w.c.copy; r != nil {
		w.c.copy = nil
		if err := r.drain(); err != nil {
			return err
		}
	}
	w.c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return w.c.maybeFlush()
}

func (w *resultWriter) EmptyQuery() error {
	w.c.send(&pgproto3.EmptyQueryResponse{})
	return w.c.maybeFlush()
}

func (w *resultWriter) Notice(n *Error) error {
	e := n.response()
	if n.Severity == "" {
		e.Severity, e.SeverityUnlocalized = SeverityNotice, SeverityNotice
	}
	w.c.send((*pgproto3.NoticeResponse)(e))
	return w.c.maybeFlush()
}

func (w *resultWriter) ParameterStatus(name, value string) error {
	w.c.send(&pgproto3.ParameterStatus{Name: name, Value: value})
	return w.c.maybeFlush()
}

func (w *resultWriter) CopyIn(format CopyFormat, columns int) (io.Reader, error) {
	if columns < 0 || columns > 1<<15-1 {
		return nil, Errorf(CodeProgramLimitExceeded, "COPY of %d columns", columns)
	}
	var overall byte
	if format.Kind == CopyBinary {
		overall = 1
	}
	codes := make([]uint16, columns)
	for i := range codes {
		codes[i] = uint16(overall)
	}
	w.c.send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: codes})
	if err := w.c.flush(); err != nil {
		return nil, err
	}
	r := &copyReader{c: w.c}
	w.c.copy = r
	return r, nil
}

// drain reads and discards the rest of the copy stream. It returns nil at
// CopyDone and the failure otherwise.
func (r *copyReader) drain() error {
	var buf [4096]byte
	for {
		_, err := r.Read(buf[:])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// copyReader streams the payload of CopyData messages.
type copyReader struct {
	c    *conn
	buf  []byte
	done error // io.EOF after CopyDone, the failure otherwise
}

func (r *copyReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done != nil {
			return 0, r.done
		}
		if err := r.c.writeErr; err != nil {
			r.done = err
			return 0, err
		}
		typ, body, err := r.c.rd.next(func(t byte) bool { return t == 'd' })
		if err != nil {
			r.done = r.c.readError(err)
			if _, ok := r.done.(*Error); ok || isDisconnect(err) {
				// The connection cannot continue: make the loop end too.
				r.c.writeErr = fmt.Errorf("reading COPY data: %w", r.done)
			}
			return 0, r.done
		}
		switch typ {
		case 'd':
			r.buf = body
		case 'c':
			r.done = io.EOF
		case 'f':
			var m pgproto3.CopyFail
			if err := m.Decode(body); err != nil {
				r.done = Errorf(CodeProtocolViolation, "invalid CopyFail message")
			} else {
				r.done = Errorf(CodeQueryCanceled, "COPY from stdin failed: %s", m.Message)
			}
		case 'H', 'S':
			// Ignored during COPY, as in PostgreSQL.
		default:
			r.done = Errorf(CodeProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", typ)
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
