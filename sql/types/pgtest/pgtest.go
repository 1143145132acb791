// Package pgtest starts a private PostgreSQL 15 for differential tests:
// initdb and postgres from /usr/lib/postgresql/15/bin in a temporary
// directory (C locale, UTF8, fsync off), a unix socket in that directory, a
// free port number, and cleanup of the server when the test ends. When run
// as root it drops to the "postgres" user, since initdb refuses root.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Bin is where the PostgreSQL 15 binaries are expected.
const Bin = "/usr/lib/postgresql/15/bin"

// Start starts a private PostgreSQL 15 and returns a connection to it. It
// skips the test when the binaries are missing or with -short.
func Start(t testing.TB) *pgconn.PgConn {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not starting PostgreSQL")
	}
	if _, err := os.Stat(filepath.Join(Bin, "postgres")); err != nil {
		t.Skip("PostgreSQL 15 binaries not installed")
	}
	dir, err := os.MkdirTemp("", "borealis-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and no postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(Bin, name), args...)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		c.Dir = dir
		return c
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	srv := run("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
	})
	connStr := fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", dir, port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgconn.Connect(ctx, connStr)
		cancel()
		if err == nil {
			t.Cleanup(func() { conn.Close(context.Background()) })
			return conn
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("connect to test PostgreSQL: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Result is one value (text and binary formats) or error from PostgreSQL.
type Result struct {
	Null   bool
	Text   string
	Bin    []byte
	Code   string // SQLSTATE when the query failed
	Msg    string
	Detail string // the error's DETAIL, if any
	Pos    int    // error cursor position (1-based characters), 0 if none
}

// Query runs sql (no parameters) returning its single value in text and
// binary formats, or the error.
func Query(t testing.TB, conn *pgconn.PgConn, sql string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var r Result
	for _, format := range []int16{0, 1} {
		res := conn.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
		if res.Err != nil {
			var pe *pgconn.PgError
			if errors.As(res.Err, &pe) {
				return Result{Code: pe.Code, Msg: pe.Message, Detail: pe.Detail, Pos: int(pe.Position)}
			}
			t.Fatalf("%s: %v", sql, res.Err)
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
			t.Fatalf("%s: want one value, got %v", sql, res.Rows)
		}
		v := res.Rows[0][0]
		if v == nil {
			r.Null = true
		}
		if format == 0 {
			r.Text = string(v)
		} else {
			r.Bin = append([]byte(nil), v...)
		}
	}
	return r
}

// Exec runs sql, failing the test on error.
func Exec(t testing.TB, conn *pgconn.PgConn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql).ReadAll(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// QuoteLit quotes s as an SQL string literal.
func QuoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
