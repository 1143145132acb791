package wire

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// rawClient speaks the protocol message by message.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
	// log records the exchange for golden files.
	log []string
}

func dialRaw(t testing.TB, ts *testServer) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", ts.addr.String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

func (c *rawClient) record(dir string, m any) {
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	s := string(b)
	if k, ok := m.(*pgproto3.BackendKeyData); ok && k != nil {
		s = `{"Type":"BackendKeyData","ProcessID":"<pid>","SecretKey":"<secret>"}`
	}
	c.log = append(c.log, dir+" "+s)
}

// send sends frontend messages and flushes.
func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.record("C", m)
		if sm, ok := m.(*pgproto3.StartupMessage); ok {
			c.fe.Send(sm)
			continue
		}
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// writeRaw writes bytes as they are.
func (c *rawClient) writeRaw(b []byte) error {
	c.log = append(c.log, fmt.Sprintf("C raw %q", b))
	_, err := c.nc.Write(b)
	return err
}

// receive reads messages until ReadyForQuery (n times) or the end of the
// connection; it returns them and whether the server closed.
func (c *rawClient) receive(rfqs int) ([]pgproto3.BackendMessage, bool) {
	c.t.Helper()
	var out []pgproto3.BackendMessage
	for rfqs > 0 {
		m, err := c.fe.Receive()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
				c.log = append(c.log, "S <closed>")
				return out, true
			}
			c.t.Fatalf("receive: %v", err)
		}
		c.record("S", m)
		out = append(out, m)
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			rfqs--
		}
	}
	return out, false
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// startup sends a trust startup as user and reads up to ReadyForQuery.
func (c *rawClient) startup() {
	c.t.Helper()
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "raw", "database": "db", "application_name": "golden"}})
	msgs, closed := c.receive(1)
	if closed || len(msgs) == 0 {
		c.t.Fatalf("startup failed: %v", msgs)
	}
}

// expectError asserts an ErrorResponse with code among msgs.
func expectError(t *testing.T, msgs []pgproto3.BackendMessage, code string) {
	t.Helper()
	for _, m := range msgs {
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Code != code {
				t.Fatalf("error code %s (%s), want %s", e.Code, e.Message, code)
			}
			return
		}
	}
	t.Fatalf("no ErrorResponse %s in %d messages", code, len(msgs))
}

func typed(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

func startupBytes(version uint32, params ...string) []byte {
	body := binary.BigEndian.AppendUint32(nil, version)
	for _, p := range params {
		body = append(append(body, p...), 0)
	}
	body = append(body, 0)
	return append(binary.BigEndian.AppendUint32(nil, uint32(4+len(body))), body...)
}

func trustServer(t *testing.T, mod func(*Config)) *testServer {
	return startTestServer(t, func(c *Config) {
		c.AuthMethod = AuthTrust
		c.MaxMessageSize = 4096
		if mod != nil {
			mod(c)
		}
	})
}

// TestMalformedInput sends broken byte streams; each gets an answer or a
// close, never a hang or a panic, and a bystander session keeps working.
func TestMalformedInput(t *testing.T) {
	ts := trustServer(t, nil)
	bystander := ts.connect(t, "")
	ctx := testCtx(t)

	for _, tc := range []struct {
		name      string
		preStart  bool   // send bytes instead of a startup
		data      []byte // raw bytes to send
		code      string // expected error code, "" for a silent close
		continues bool   // the session goes on (ReadyForQuery follows)
	}{
		{name: "http garbage before startup", preStart: true, data: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{name: "short startup length", preStart: true, data: []byte{0, 0, 0, 4, 0, 0, 0, 0}},
		{name: "huge startup length", preStart: true, data: []byte{0x7f, 0, 0, 0, 0, 3, 0, 0}},
		{name: "protocol 2", preStart: true, data: startupBytes(2<<16, "user", "x"), code: CodeFeatureNotSupported},
		{name: "no user", preStart: true, data: startupBytes(3<<16, "database", "x"), code: CodeInvalidAuthorization},
		{name: "unterminated startup", preStart: true, data: []byte{0, 0, 0, 12, 0, 3, 0, 0, 'u', 's', 'e', 'r'}, code: CodeProtocolViolation},
		{name: "unknown message type", data: typed('Z', nil), code: CodeProtocolViolation},
		{name: "zero type byte", data: []byte{0, 0, 0, 0, 4}, code: CodeProtocolViolation},
		{name: "oversized message", data: []byte{'Q', 0x40, 0, 0, 0}, code: CodeProtocolViolation},
		{name: "length below 4", data: []byte{'Q', 0, 0, 0, 3}, code: CodeProtocolViolation},
		{name: "negative length", data: []byte{'Q', 0xff, 0xff, 0xff, 0xff}, code: CodeProtocolViolation},
		{name: "query without terminator", data: typed('Q', []byte("select 1")), code: CodeProtocolViolation},
		{name: "bind garbage", data: typed('B', []byte{0xff, 0xff, 0xff}), code: CodeProtocolViolation},
		{name: "bind negative param count", data: typed('B', []byte{0, 0, 0, 0, 0xff, 0xff}), code: CodeProtocolViolation},
		{name: "parse truncated oids", data: typed('P', []byte{0, 's', 0, 0, 5, 0}), code: CodeProtocolViolation},
		{name: "describe bad kind", data: typed('D', []byte{'X', 0}), code: CodeProtocolViolation},
		{name: "close bad kind", data: typed('C', []byte{'Y', 0}), code: CodeProtocolViolation},
		{name: "sync with body", data: typed('S', []byte{1}), code: CodeProtocolViolation},
		{name: "password after auth", data: typed('p', []byte("pw\x00")), code: CodeProtocolViolation},
		{name: "invalid utf8 query", data: typed('Q', []byte("select '\xc3\x28'\x00")), code: CodeCharacterNotInRepertoire, continues: true},
		{name: "invalid utf8 parse", data: append(typed('P', []byte("\x00select '\xff'\x00\x00\x00")), typed('S', nil)...), code: CodeCharacterNotInRepertoire, continues: true},
		{name: "execute missing portal", data: append(typed('E', []byte("nope\x00\x00\x00\x00\x00")), typed('S', nil)...), code: CodeInvalidCursorName, continues: true},
		{name: "function call", data: typed('F', []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), code: CodeFeatureNotSupported, continues: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts)
			if !tc.preStart {
				c.startup()
			}
			if err := c.writeRaw(tc.data); err != nil {
				t.Fatal(err)
			}
			msgs, closed := c.receive(1)
			if tc.code != "" {
				expectError(t, msgs, tc.code)
			} else if len(msgs) != 0 {
				t.Fatalf("expected a silent close, got %v", msgs)
			}
			if tc.continues {
				if closed {
					t.Fatal("server closed a session that should continue")
				}
				c.send(&pgproto3.Query{String: "select 1"})
				msgs, closed = c.receive(1)
				if closed || len(msgs) != 4 {
					t.Fatalf("after error: %v closed=%v", msgs, closed)
				}
				return
			}
			if !closed {
				t.Fatal("server did not close the connection")
			}
		})
	}

	t.Run("truncated message then EOF", func(t *testing.T) {
		c := dialRaw(t, ts)
		c.startup()
		c.writeRaw([]byte{'Q', 0, 0, 0, 100, 's', 'e', 'l'})
		c.nc.(*net.TCPConn).CloseWrite()
		if _, closed := c.receive(1); !closed {
			t.Fatal("not closed")
		}
	})
	t.Run("panic in engine", func(t *testing.T) {
		c := dialRaw(t, ts)
		c.startup()
		c.send(&pgproto3.Query{String: "panic"})
		msgs, closed := c.receive(1)
		expectError(t, msgs, CodeInternalError)
		if !closed {
			t.Fatal("not closed after panic")
		}
	})

	var one int32
	if err := bystander.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("bystander session broken: %v", err)
	}
	// Every session the engine started was closed again (except the bystander).
	deadline := time.Now().Add(10 * time.Second)
	for ts.eng.started.Load()-ts.eng.closed.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions started, %d closed", ts.eng.started.Load(), ts.eng.closed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestShutdownAndIdleTimeout(t *testing.T) {
	t.Run("idle timeout", func(t *testing.T) {
		ts := trustServer(t, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })
		c := dialRaw(t, ts)
		c.startup()
		msgs, closed := c.receive(1)
		expectError(t, msgs, CodeIdleSessionTimeout)
		if !closed {
			t.Fatal("not closed")
		}
	})
	t.Run("shutdown closes unauthenticated connections", func(t *testing.T) {
		ts := trustServer(t, nil)
		c := dialRaw(t, ts)
		// Wait until the server has the connection, then shut down: it must
		// not wait for the startup packet that never comes.
		deadline := time.Now().Add(10 * time.Second)
		for ts.srv.connCount() != 1 {
			if time.Now().After(deadline) {
				t.Fatal("server never saw the connection")
			}
			time.Sleep(5 * time.Millisecond)
		}
		ctx, cancel := contextWithTimeout(time.Minute)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if _, closed := c.receive(1); !closed {
			t.Fatal("not closed")
		}
	})
	t.Run("graceful shutdown", func(t *testing.T) {
		ts := trustServer(t, nil)
		idle := dialRaw(t, ts)
		idle.startup()
		busy := dialRaw(t, ts)
		busy.startup()
		busy.send(&pgproto3.Query{String: "sleep"})
		<-ts.eng.sleeping
		ctx, cancel := contextWithTimeout(time.Minute)
		defer cancel()
		shutdown := make(chan error, 1)
		go func() { shutdown <- ts.srv.Shutdown(ctx) }()
		// The idle session is told at once.
		msgs, closed := idle.receive(1)
		expectError(t, msgs, CodeAdminShutdown)
		if !closed {
			t.Fatal("idle not closed")
		}
		// The busy one keeps running until the grace period ends (here: we
		// end it), then it is cut off and Shutdown reports the expiry.
		select {
		case err := <-shutdown:
			t.Fatalf("shutdown returned %v while a session was busy", err)
		default:
		}
		cancel()
		if err := <-shutdown; !errors.Is(err, context.Canceled) {
			t.Fatalf("shutdown = %v", err)
		}
		if _, closed := busy.receive(1); !closed {
			t.Fatal("busy not closed")
		}
		if _, err := net.DialTimeout("tcp", ts.addr.String(), time.Second); err == nil {
			t.Fatal("still accepting after shutdown")
		}
	})
}

// goldenExchanges are message sequences whose exact server answers are kept in
// testdata/<name>.golden.
var goldenExchanges = map[string]func(c *rawClient){
	"simple": func(c *rawClient) {
		c.startup()
		c.send(&pgproto3.Query{String: "select 1; select 'x', $1"})
		c.receive(1)
		c.send(&pgproto3.Query{String: "select 1; select 'x'"})
		c.receive(1)
		c.send(&pgproto3.Query{String: ""})
		c.receive(1)
		c.send(&pgproto3.Query{String: "begin; set TimeZone = 'Europe/Paris'; notice hi"})
		c.receive(1)
		c.send(&pgproto3.Query{String: "error 42P01 relation \"t\" does not exist"})
		c.receive(1)
		c.send(&pgproto3.Query{String: "rollback"})
		c.receive(1)
		c.send(&pgproto3.Terminate{})
		c.receive(1)
	},
	"extended": func(c *rawClient) {
		c.startup()
		c.send(
			&pgproto3.Parse{Name: "s1", Query: "series 5"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Execute{Portal: "p1"},
			&pgproto3.Sync{},
		)
		c.receive(1)
		// Error: everything up to Sync is skipped.
		c.send(
			&pgproto3.Parse{Query: "select $1::int4"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("oops")}},
			&pgproto3.Execute{},
			&pgproto3.Parse{Name: "never", Query: "select 1"},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "select $1::int4, $2"},
			&pgproto3.Describe{ObjectType: 'S'},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("7"), nil}},
			&pgproto3.Execute{},
			&pgproto3.Close{ObjectType: 'S', Name: "s1"},
			&pgproto3.Close{ObjectType: 'P', Name: "gone"},
			&pgproto3.Describe{ObjectType: 'S', Name: "never"},
			&pgproto3.Execute{Portal: "after error"},
			&pgproto3.Flush{},
		)
		c.receive(1) // the first Sync's ReadyForQuery; Flush sends the rest
		c.send(&pgproto3.Sync{})
		c.receive(1)
		c.send(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
		c.receive(1)
	},
	"copy": func(c *rawClient) {
		c.startup()
		c.send(&pgproto3.Query{String: "create table c (id int4, s text)"})
		c.receive(1)
		c.send(&pgproto3.Query{String: "copy c from stdin csv"})
		c.receiveOne()
		c.send(&pgproto3.CopyData{Data: []byte("1,\"a,")}, &pgproto3.CopyData{Data: []byte("b\"\n2,\n")}, &pgproto3.CopyDone{})
		c.receive(1)
		c.send(&pgproto3.Query{String: "copy c from stdin"})
		c.receiveOne()
		c.send(&pgproto3.CopyData{Data: []byte("3\tc\n")}, &pgproto3.CopyFail{Message: "client says no"})
		c.receive(1)
		c.send(&pgproto3.Query{String: "copy c from stdin"})
		c.receiveOne()
		c.send(&pgproto3.CopyData{Data: []byte("x\ty\n")}, &pgproto3.CopyData{Data: []byte("4\td\n")}, &pgproto3.CopyDone{})
		c.receive(1)
		c.send(&pgproto3.Query{String: "select * from c"})
		c.receive(1)
	},
	"protocol_violation": func(c *rawClient) {
		c.startup()
		c.writeRaw(typed('Z', []byte("??")))
		c.receive(1)
	},
}

// receiveOne reads exactly one message.
func (c *rawClient) receiveOne() {
	c.t.Helper()
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	c.record("S", m)
}

func TestGolden(t *testing.T) {
	ts := trustServer(t, nil)
	for name, run := range goldenExchanges {
		t.Run(name, func(t *testing.T) {
			c := dialRaw(t, ts)
			run(c)
			got := strings.Join(c.log, "\n") + "\n"
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Fatalf("exchange differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestStartupNegotiation(t *testing.T) {
	ts := trustServer(t, func(c *Config) { c.MaxConnections = 3 })
	readByte := func(c *rawClient) byte {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c.nc, b); err != nil {
			t.Error(err)
		}
		return b[0]
	}
	t.Run("ssl and gss refused when off", func(t *testing.T) {
		c := dialRaw(t, ts)
		c.writeRaw(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, codeGSSENCRequest))
		if b := readByte(c); b != 'N' {
			t.Fatalf("GSSENCRequest answered %q", b)
		}
		c.writeRaw(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, codeSSLRequest))
		if b := readByte(c); b != 'N' {
			t.Fatalf("SSLRequest answered %q", b)
		}
		c.startup()
	})
	t.Run("protocol 3.2 and _pq_ options are negotiated down", func(t *testing.T) {
		c := dialRaw(t, ts)
		c.writeRaw(startupBytes(3<<16|2, "user", "u", "_pq_.compression", "on"))
		msgs, closed := c.receive(1)
		if closed || len(msgs) == 0 {
			t.Fatal("no session")
		}
		npv, ok := msgs[0].(*pgproto3.NegotiateProtocolVersion)
		if !ok || npv.NewestMinorProtocol != 0 || len(npv.UnrecognizedOptions) != 1 || npv.UnrecognizedOptions[0] != "_pq_.compression" {
			t.Fatalf("first message %#v", msgs[0])
		}
	})
	t.Run("too many connections", func(t *testing.T) {
		// Earlier subtests' connections end asynchronously on the server.
		deadline := time.Now().Add(10 * time.Second)
		for ts.srv.connCount() != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d connections linger", ts.srv.connCount())
			}
			time.Sleep(5 * time.Millisecond)
		}
		var open []*rawClient
		for range 3 {
			c := dialRaw(t, ts)
			c.startup()
			open = append(open, c)
		}
		c := dialRaw(t, ts)
		c.writeRaw(startupBytes(3<<16, "user", "u"))
		msgs, closed := c.receive(1)
		expectError(t, msgs, CodeTooManyConnections)
		if !closed {
			t.Fatal("not closed")
		}
		open[0].send(&pgproto3.Terminate{})
		open[0].receive(1)
	})
}

// TestErrorFlushedWithoutSync: a client pipelining with Flush (no Sync) sees
// an error at once, and the session recovers at the next Sync.
func TestErrorFlushedWithoutSync(t *testing.T) {
	ts := trustServer(t, nil)
	c := dialRaw(t, ts)
	c.startup()
	c.send(&pgproto3.Parse{Query: "frobnicate"}, &pgproto3.Flush{})
	m, err := c.fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != "42601" {
		t.Fatalf("got %#v", m)
	}
	c.send(&pgproto3.Parse{Query: "select 1"}, &pgproto3.Flush{}, &pgproto3.Sync{},
		&pgproto3.Parse{Query: "select 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	msgs, closed := c.receive(2)
	if closed {
		t.Fatal("closed")
	}
	var kinds []string
	for _, m := range msgs {
		kinds = append(kinds, fmt.Sprintf("%T", m)[len("*pgproto3."):])
	}
	if got, want := strings.Join(kinds, " "), "ReadyForQuery ParseComplete BindComplete DataRow CommandComplete ReadyForQuery"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestCopyEndMarkerWaitsForCopyDone: data ends at \. but the COPY completes
// only at CopyDone (clients such as pgconn read the result after sending it),
// and a CopyFail after the marker fails the COPY.
func TestCopyEndMarkerWaitsForCopyDone(t *testing.T) {
	ts := trustServer(t, nil)
	c := dialRaw(t, ts)
	c.startup()
	c.send(&pgproto3.Query{String: "create table m (a int4)"})
	c.receive(1)
	for _, tc := range []struct {
		end  pgproto3.FrontendMessage
		want string
	}{
		{&pgproto3.CopyDone{}, "CommandComplete"},
		{&pgproto3.CopyFail{Message: "late"}, "ErrorResponse"},
	} {
		c.send(&pgproto3.Query{String: "copy m from stdin"})
		c.receiveOne()
		c.send(&pgproto3.CopyData{Data: []byte("1\n\\.\n")}, &pgproto3.CopyData{Data: []byte("ignored after marker\n")})
		// Nothing may arrive before the end message: prove it by sending it
		// only now and checking the first answer is the outcome.
		c.send(tc.end)
		msgs, closed := c.receive(1)
		if closed || len(msgs) != 2 {
			t.Fatalf("got %v closed=%v", msgs, closed)
		}
		if got := fmt.Sprintf("%T", msgs[0])[len("*pgproto3."):]; got != tc.want {
			t.Fatalf("first answer %s, want %s", got, tc.want)
		}
	}
}
