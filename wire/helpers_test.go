package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	testUser     = "alice"
	testPassword = "s3cret-Pässword"
)

// testServer is a Server on a loopback port with the test engine double.
type testServer struct {
	srv  *Server
	addr *net.TCPAddr
	eng  *testEngine
	auth *MemoryAuth
}

// startTestServer starts a server with SCRAM auth for testUser; mod may
// change the configuration. It is shut down at the end of the test.
func startTestServer(t testing.TB, mod func(*Config)) *testServer {
	t.Helper()
	eng := newTestEngine()
	auth := NewMemoryAuth()
	if err := auth.SetPassword(testUser, testPassword); err != nil {
		t.Fatal(err)
	}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	cfg := Config{
		Engine: eng,
		Auth:   auth,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("serve returned %v", err)
		}
	})
	return &testServer{srv: srv, addr: ln.Addr().(*net.TCPAddr), eng: eng, auth: auth}
}

// url is a connection string for user/password.
func (ts *testServer) url(user, password, extra string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password),
		Host: fmt.Sprintf("127.0.0.1:%d", ts.addr.Port), Path: "/testdb",
		RawQuery: "sslmode=disable&connect_timeout=10" + extra}
	return u.String()
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// connect opens a pgx connection as testUser.
func (ts *testServer) connect(t testing.TB, extra string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(testCtx(t), ts.url(testUser, testPassword, extra))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgCode returns the SQLSTATE of a pgx error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// connCount is the number of connections the server is serving.
func (s *Server) connCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
