package session

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/wire"
)

// testServer is the engine on memlog behind a real wire server on loopback.
type testServer struct {
	eng  *Engine
	addr string
}

func startServer(t testing.TB) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := exec.Open(ctx, memlog.New(nil), 64<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	return serveDB(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)), func() {})
}

// serveDB serves db through a real wire server on a loopback port until the
// test ends; then it shuts the server down, closes db and calls closeMore.
func serveDB(t testing.TB, db *exec.DB, logger *slog.Logger, closeMore func()) *testServer {
	t.Helper()
	eng := New(db, logger)
	srv, err := wire.NewServer(wire.Config{Engine: eng, AuthMethod: wire.AuthTrust, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(sctx, ln); close(done) }()
	t.Cleanup(func() {
		sd, c2 := context.WithTimeout(context.Background(), 10*time.Second)
		defer c2()
		_ = srv.Shutdown(sd)
		cancel()
		<-done
		db.Close()
		closeMore()
	})
	return &testServer{eng: eng, addr: ln.Addr().String()}
}

func (ts *testServer) url() string {
	host, port, _ := net.SplitHostPort(ts.addr)
	return fmt.Sprintf("postgres://tester@%s:%s/test?sslmode=disable", host, port)
}

func (ts *testServer) connect(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, ts.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t testing.TB, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(ctxT(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
