package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

func TestPgxQueryModes(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	ctx := testCtx(t)
	modes := []pgx.QueryExecMode{
		pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol,
	}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			var one int32
			if err := conn.QueryRow(ctx, "select 1", mode).Scan(&one); err != nil || one != 1 {
				t.Fatalf("select 1 = %d, %v", one, err)
			}
			var (
				i8 int64
				s  string
				b  bool
				i4 int32
			)
			err := conn.QueryRow(ctx, "select $1::int8, $2::text, $3::bool, $4::int4", mode,
				int64(-1)<<40, "héllo 'quoted'", true, int32(-7)).Scan(&i8, &s, &b, &i4)
			if err != nil {
				t.Fatal(err)
			}
			if i8 != int64(-1)<<40 || s != "héllo 'quoted'" || !b || i4 != -7 {
				t.Fatalf("echo = %d %q %v %d", i8, s, b, i4)
			}
			var null *string
			if err := conn.QueryRow(ctx, "select $1::text", mode, nil).Scan(&null); err != nil || null != nil {
				t.Fatalf("null echo = %v, %v", null, err)
			}
		})
	}
}

// TestPgxFormats checks that result formats requested at Bind reach the engine
// and come back in the RowDescription, in both text and binary.
func TestPgxFormats(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	ctx := testCtx(t)
	pc := conn.PgConn()
	sd, err := pc.Prepare(ctx, "fmt", "select $1::int8, $2::text", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.ParamOIDs) != 2 || sd.ParamOIDs[0] != oidInt8 || sd.ParamOIDs[1] != oidText {
		t.Fatalf("param oids %v", sd.ParamOIDs)
	}
	for _, tc := range []struct {
		name    string
		pformat []int16
		params  [][]byte
		rformat []int16
		want    [][]byte
	}{
		{"text", nil, [][]byte{[]byte("42"), []byte("x")}, nil, [][]byte{[]byte("42"), []byte("x")}},
		{"binary results", []int16{0}, [][]byte{[]byte("42"), []byte("x")}, []int16{1},
			[][]byte{{0, 0, 0, 0, 0, 0, 0, 42}, []byte("x")}},
		{"binary params mixed", []int16{1, 0}, [][]byte{{0, 0, 0, 0, 0, 0, 1, 0}, []byte("y")}, []int16{0, 1},
			[][]byte{[]byte("256"), []byte("y")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rr := pc.ExecPrepared(ctx, "fmt", tc.params, tc.pformat, tc.rformat).Read()
			if rr.Err != nil {
				t.Fatal(rr.Err)
			}
			if len(rr.Rows) != 1 || !equalRows(rr.Rows[0], tc.want) {
				t.Fatalf("rows %q, want %q", rr.Rows, tc.want)
			}
			for i, fd := range rr.FieldDescriptions {
				want := int16(0)
				if len(tc.rformat) == 1 {
					want = tc.rformat[0]
				} else if len(tc.rformat) > 1 {
					want = tc.rformat[i]
				}
				if fd.Format != want {
					t.Errorf("field %d format %d, want %d", i, fd.Format, want)
				}
			}
		})
	}
	// Wrong format counts and codes are errors, and the connection goes on.
	rr := pc.ExecPrepared(ctx, "fmt", [][]byte{[]byte("1"), []byte("2")}, []int16{0, 0, 0}, nil).Read()
	if pgCode(rr.Err) != CodeProtocolViolation {
		t.Fatalf("3 formats for 2 params: %v", rr.Err)
	}
	rr = pc.ExecPrepared(ctx, "fmt", [][]byte{[]byte("1"), []byte("2")}, []int16{7}, nil).Read()
	if pgCode(rr.Err) != CodeInvalidParameterValue {
		t.Fatalf("format 7: %v", rr.Err)
	}
	rr = pc.ExecPrepared(ctx, "fmt", [][]byte{[]byte("1")}, nil, nil).Read()
	if pgCode(rr.Err) != CodeProtocolViolation {
		t.Fatalf("1 param for 2: %v", rr.Err)
	}
	rr = pc.ExecPrepared(ctx, "fmt", [][]byte{[]byte("1"), {0xff, 0xfe}}, nil, nil).Read()
	if pgCode(rr.Err) != CodeCharacterNotInRepertoire {
		t.Fatalf("invalid utf8 text param: %v", rr.Err)
	}
	rr = pc.ExecPrepared(ctx, "fmt", [][]byte{[]byte("x1"), []byte("2")}, nil, nil).Read()
	if pgCode(rr.Err) != "22P02" {
		t.Fatalf("engine's bad input: %v", rr.Err)
	}
	if _, err := pc.Prepare(ctx, "fmt", "select 2", nil); pgCode(err) != CodeDuplicatePreparedStatement {
		t.Fatalf("duplicate prepare: %v", err)
	}
	rr = pc.ExecPrepared(ctx, "nope", nil, nil, nil).Read()
	if pgCode(rr.Err) != CodeInvalidSQLStatementName {
		t.Fatalf("missing statement: %v", rr.Err)
	}
	if err := pc.Deallocate(ctx, "fmt"); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Prepare(ctx, "fmt", "select 3", nil); err != nil {
		t.Fatalf("prepare after deallocate: %v", err)
	}
}

func equalRows(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) || (a[i] == nil) != (b[i] == nil) {
			return false
		}
	}
	return true
}

func TestPgxErrorsAndTxStatus(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	ctx := testCtx(t)
	pc := conn.PgConn()

	_, err := conn.Exec(ctx, "error 42P01 relation \"x\" does not exist")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42P01" || pe.Message != `relation "x" does not exist` ||
		pe.Detail != "raised by the test engine" || pe.Hint != "do not do that" || pe.Severity != "ERROR" {
		t.Fatalf("error = %#v", err)
	}
	if _, err := conn.Exec(ctx, "frobnicate"); pgCode(err) != "42601" {
		t.Fatalf("syntax error: %v", err)
	}
	if pc.TxStatus() != 'I' {
		t.Fatalf("status %c", pc.TxStatus())
	}
	if _, err := conn.Exec(ctx, "begin"); err != nil || pc.TxStatus() != 'T' {
		t.Fatalf("begin: %v %c", err, pc.TxStatus())
	}
	if _, err := conn.Exec(ctx, "error 40P01 deadlock detected"); pgCode(err) != "40P01" || pc.TxStatus() != 'E' {
		t.Fatalf("error in tx: %v %c", err, pc.TxStatus())
	}
	if _, err := conn.Exec(ctx, "select 1"); pgCode(err) != "25P02" {
		t.Fatalf("in failed tx: %v", err)
	}
	if _, err := conn.Exec(ctx, "rollback"); err != nil || pc.TxStatus() != 'I' {
		t.Fatalf("rollback: %v %c", err, pc.TxStatus())
	}
	// Invalid UTF-8 in a simple query.
	if _, err := pc.Exec(ctx, "select '\xff\xfe'").ReadAll(); pgCode(err) != CodeCharacterNotInRepertoire {
		t.Fatalf("invalid utf8: %v", err)
	}
	// Several statements in one Query: results before the error are kept.
	res, err := pc.Exec(ctx, "select 1; select 'two'; error 22012 division by zero; select 4").ReadAll()
	if pgCode(err) != "22012" || len(res) != 2 || string(res[1].Rows[0][0]) != "two" {
		t.Fatalf("multi: %d results, %v", len(res), err)
	}
	res, err = pc.Exec(ctx, " ; ").ReadAll()
	if err != nil || len(res) != 1 || res[0].CommandTag.String() != "" {
		t.Fatalf("empty query: %v %v", res, err)
	}
}

func TestPgxParameterStatusAndNotice(t *testing.T) {
	ts := startTestServer(t, nil)
	var mu sync.Mutex
	var notices []string
	cfg, err := pgx.ParseConfig(ts.url(testUser, testPassword, "&application_name=wiretest"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		notices = append(notices, n.Severity+" "+n.Message)
		mu.Unlock()
	}
	ctx := testCtx(t)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pc := conn.PgConn()
	for name, want := range map[string]string{
		"server_version": "16.4", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"DateStyle": "ISO, MDY", "integer_datetimes": "on", "standard_conforming_strings": "on",
		"TimeZone": "Etc/UTC", "application_name": "wiretest", "session_authorization": testUser,
		"borealis_test": "on",
	} {
		if got := pc.ParameterStatus(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if pc.PID() == 0 {
		t.Error("no BackendKeyData")
	}
	if _, err := conn.Exec(ctx, "set application_name = 'renamed'"); err != nil {
		t.Fatal(err)
	}
	if got := pc.ParameterStatus("application_name"); got != "renamed" {
		t.Errorf("after SET application_name = %q", got)
	}
	if _, err := conn.Exec(ctx, "notice hello there", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) != 1 || notices[0] != "NOTICE hello there" {
		t.Fatalf("notices %q", notices)
	}
}

func TestPgxBatchAndPipeline(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	ctx := testCtx(t)

	b := &pgx.Batch{}
	for i := range 20 {
		b.Queue("select $1::int8", int64(i))
	}
	br := conn.SendBatch(ctx, b)
	for i := range 20 {
		var v int64
		if err := br.QueryRow().Scan(&v); err != nil || v != int64(i) {
			t.Fatalf("batch row %d = %d, %v", i, v, err)
		}
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}

	// An error in the middle of a batch discards the rest until Sync.
	b = &pgx.Batch{}
	b.Queue("select 1")
	b.Queue("error 23505 duplicate key value violates unique constraint")
	b.Queue("select 3")
	br = conn.SendBatch(ctx, b)
	var v int32
	if err := br.QueryRow().Scan(&v); err != nil || v != 1 {
		t.Fatalf("first = %d, %v", v, err)
	}
	if _, err := br.Exec(); pgCode(err) != "23505" {
		t.Fatalf("second: %v", err)
	}
	if _, err := br.Exec(); err == nil {
		t.Fatal("third ran after an error in the same batch")
	}
	br.Close()

	// Explicit pipeline with several syncs and a suspended-free read.
	pipe := conn.PgConn().StartPipeline(ctx)
	pipe.SendQueryParams("select $1::text", [][]byte{[]byte("a")}, nil, nil, nil)
	pipe.SendQueryParams("error 42703 column q does not exist", nil, nil, nil, nil)
	if err := pipe.Sync(); err != nil {
		t.Fatal(err)
	}
	pipe.SendQueryParams("select $1::text", [][]byte{[]byte("b")}, nil, nil, nil)
	if err := pipe.Sync(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		r, err := pipe.GetResults()
		if err != nil {
			got = append(got, "err:"+pgCode(err))
			continue
		}
		if r == nil {
			break
		}
		switch r := r.(type) {
		case *pgconn.ResultReader:
			rr := r.Read()
			if rr.Err != nil {
				got = append(got, "err:"+pgCode(rr.Err))
			} else {
				got = append(got, string(rr.Rows[0][0]))
			}
		case *pgconn.PipelineSync:
			got = append(got, "sync")
		}
		if len(got) > 10 {
			break
		}
	}
	if err := pipe.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "a err:42703 sync b sync"; strings.Join(got, " ") != want {
		t.Fatalf("pipeline results %q, want %q", strings.Join(got, " "), want)
	}
}

func TestPgxCopyFrom(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, "create table items (id int8, name text, ok bool)"); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	rows := make([][]any, n)
	for i := range rows {
		var name any = fmt.Sprintf("item\t%d\n\"x\"", i)
		if i%7 == 0 {
			name = nil
		}
		rows[i] = []any{int64(i), name, i%2 == 0}
	}
	cnt, err := conn.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name", "ok"}, pgx.CopyFromRows(rows))
	if err != nil || cnt != n {
		t.Fatalf("CopyFrom = %d, %v", cnt, err)
	}
	checkItems(t, conn, rows)

	// Text and CSV through pgconn, and CopyFail from the client.
	pc := conn.PgConn()
	if _, err := conn.Exec(ctx, "create table t2 (id int4, s text)"); err != nil {
		t.Fatal(err)
	}
	tag, err := pc.CopyFrom(ctx, strings.NewReader("1\ta\\tb\n2\t\\N\n\\.\n"), "copy t2 from stdin")
	if err != nil || tag.RowsAffected() != 2 {
		t.Fatalf("text copy: %v %v", tag, err)
	}
	tag, err = pc.CopyFrom(ctx, strings.NewReader("id,s\n3,\"multi\nline, \"\"quoted\"\"\"\n4,\n5,\"\"\n"), "copy t2 from stdin csv header")
	if err != nil || tag.RowsAffected() != 3 {
		t.Fatalf("csv copy: %v %v", tag, err)
	}
	res, err := pc.Exec(ctx, "select * from t2").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res[0].Rows {
		if r[1] == nil {
			got = append(got, string(r[0])+"=NULL")
		} else {
			got = append(got, string(r[0])+"="+string(r[1]))
		}
	}
	want := []string{"1=a\tb", "2=NULL", "3=multi\nline, \"quoted\"", "4=NULL", "5="}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("t2 rows %q, want %q", got, want)
	}
	// A reader error makes pgconn send CopyFail: the server reports 57014.
	_, err = pc.CopyFrom(ctx, &failingReader{data: "6\tx\n"}, "copy t2 from stdin")
	if pgCode(err) != CodeQueryCanceled {
		t.Fatalf("copy fail: %v", err)
	}
	// Bad data: the engine's error; the rest of the stream is discarded.
	_, err = pc.CopyFrom(ctx, strings.NewReader(strings.Repeat("x\ty\n", 10000)), "copy t2 from stdin")
	if pgCode(err) != "22P02" {
		t.Fatalf("bad copy data: %v", err)
	}
	var one int32
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after copy errors: %v", err)
	}
}

type failingReader struct{ data string }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, errors.New("client gave up")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func checkItems(t *testing.T, conn *pgx.Conn, want [][]any) {
	t.Helper()
	ctx := testCtx(t)
	rows, err := conn.Query(ctx, "select id, name, ok from items")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var (
			id   int64
			name *string
			ok   bool
		)
		if err := rows.Scan(&id, &name, &ok); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if id != w[0].(int64) || ok != w[2].(bool) || (name == nil) != (w[1] == nil) || (name != nil && *name != w[1].(string)) {
			t.Fatalf("row %d = %d %v %v, want %v", i, id, name, ok, w)
		}
		i++
	}
	if rows.Err() != nil || i != len(want) {
		t.Fatalf("%d rows, %v", i, rows.Err())
	}
}

func TestPgxCancel(t *testing.T) {
	ts := startTestServer(t, nil)
	conn := ts.connect(t, "")
	other := ts.connect(t, "")
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), "sleep")
		errc <- err
	}()
	var qctx context.Context
	select {
	case qctx = <-ts.eng.sleeping:
	case <-ctx.Done():
		t.Fatal("sleep never started")
	}
	// A cancel for another session, and one with the right process id but a
	// wrong secret, do nothing. (The server closes a cancel connection only
	// after handling it, so the checks below see the outcome.)
	if err := other.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	raw := dialRaw(t, ts)
	raw.send(&pgproto3.CancelRequest{ProcessID: conn.PgConn().PID(), SecretKey: []byte{1, 2, 3, 4}})
	if _, closed := raw.receive(1); !closed {
		t.Fatal("cancel connection not closed")
	}
	raw = dialRaw(t, ts)
	raw.send(&pgproto3.CancelRequest{ProcessID: conn.PgConn().PID(), SecretKey: conn.PgConn().SecretKey()[:3]})
	raw.receive(1)
	if qctx.Err() != nil {
		t.Fatal("a cancel request with a wrong key cancelled the query")
	}
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if pgCode(err) != CodeQueryCanceled {
			t.Fatalf("canceled query: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("cancel did not reach the session")
	}
	var one int32
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
	if err := other.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		t.Fatalf("other session: %v", err)
	}
}

func TestPgxAuth(t *testing.T) {
	ts := startTestServer(t, nil)
	ctx := testCtx(t)
	for _, tc := range []struct {
		name, user, password, code string
	}{
		{"good", testUser, testPassword, ""},
		{"wrong password", testUser, "nope", CodeInvalidPassword},
		{"unknown user", "mallory", testPassword, CodeInvalidPassword},
		{"empty password", testUser, "", CodeInvalidPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := pgx.Connect(ctx, ts.url(tc.user, tc.password, ""))
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				conn.Close(ctx)
				return
			}
			if pgCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			var pe *pgconn.PgError
			errors.As(err, &pe)
			if want := fmt.Sprintf("password authentication failed for user %q", tc.user); pe.Message != want || pe.Severity != "FATAL" {
				t.Fatalf("message %q %s", pe.Message, pe.Severity)
			}
		})
	}
	// The engine refusing the database is a FATAL too.
	_, err := pgx.Connect(ctx, strings.Replace(ts.url(testUser, testPassword, ""), "/testdb", "/nodb", 1))
	if pgCode(err) != "3D000" {
		t.Fatalf("unknown database: %v", err)
	}
}

func TestPgxConcurrentSessions(t *testing.T) {
	ts := startTestServer(t, func(c *Config) { c.AuthMethod = AuthTrust })
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errc := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, ts.url("user"+fmt.Sprint(i), "", ""))
			if err != nil {
				errc <- err
				return
			}
			defer conn.Close(ctx)
			for j := range 20 {
				var v int64
				if err := conn.QueryRow(ctx, "select $1::int8", int64(i*100+j)).Scan(&v); err != nil || v != int64(i*100+j) {
					errc <- fmt.Errorf("session %d: %d %v", i, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// BenchmarkRoundTrip measures one query round trip through wire and the test
// engine double over loopback, per protocol mode.
func BenchmarkRoundTrip(b *testing.B) {
	ts := startTestServer(b, func(c *Config) { c.AuthMethod = AuthTrust })
	conn := ts.connect(b, "")
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		b.Run(mode.String(), func(b *testing.B) {
			var v int64
			for i := 0; b.Loop(); i++ {
				if err := conn.QueryRow(ctx, "select $1::int8", mode, int64(i)).Scan(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type brokenAuth struct{}

func (brokenAuth) Verifier(context.Context, string) (*SCRAMVerifier, error) {
	return nil, errors.New("catalog unavailable")
}

func TestAuthProviderFailure(t *testing.T) {
	ts := startTestServer(t, func(c *Config) { c.Auth = brokenAuth{} })
	_, err := pgx.Connect(testCtx(t), ts.url(testUser, testPassword, ""))
	if pgCode(err) != CodeInternalError {
		t.Fatalf("err = %v", err)
	}
}
