package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgServer is a private PostgreSQL started for the benchmark.
type pgServer struct {
	proc     *proc
	addr     string      // TCP 127.0.0.1:port that pgbench uses
	version  string      // server_version
	settings [][2]string // name, current_setting(name)
}

// pgSettingsReported are the settings logged with the results.
var pgSettingsReported = []string{
	"checkpoint_timeout", "commit_delay", "fsync", "full_page_writes", "max_connections",
	"max_wal_size", "shared_buffers", "synchronous_commit", "wal_buffers", "wal_level",
	"wal_sync_method",
}

// pgArgs are the postgres command-line settings: durable commits like
// Borealis (fsync and synchronous_commit on) and a buffer pool the size of
// Borealis's default.
func pgArgs(sharedBuffers string) []string {
	return []string{
		"-c", "fsync=on",
		"-c", "synchronous_commit=on",
		"-c", "full_page_writes=on",
		"-c", "shared_buffers=" + sharedBuffers,
		"-c", "max_connections=100",
	}
}

// startPostgres runs initdb in dir/pg and starts postgres on a free loopback
// port with its unix socket in dir/pg. As root it runs both as the
// "postgres" user, since initdb refuses root.
func startPostgres(ctx context.Context, ps *procSet, dir, binDir, sharedBuffers string) (*pgServer, error) {
	pgDir := filepath.Join(dir, "pg")
	if err := os.MkdirAll(pgDir, 0o700); err != nil {
		return nil, fmt.Errorf("postgres dir: %w", err)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user to run initdb as: %w", err)
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("postgres user ids %q/%q are not numbers", u.Uid, u.Gid)
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// The postgres user must reach pgDir through dir.
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, fmt.Errorf("chmod %s: %w", dir, err)
		}
		if err := os.Chown(pgDir, uid, gid); err != nil {
			return nil, fmt.Errorf("chown %s: %w", pgDir, err)
		}
	}
	data := filepath.Join(pgDir, "data")
	ictx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	initdb := exec.CommandContext(ictx, filepath.Join(binDir, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = sysProcAttr(cred)
	initdb.Dir = pgDir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"-D", data, "-p", strconv.Itoa(port), "-k", pgDir, "-c", "listen_addresses=127.0.0.1"}, pgArgs(sharedBuffers)...)
	p, err := ps.start("postgres", filepath.Join(dir, "postgres.log"), syscall.SIGINT, cred, filepath.Join(binDir, "postgres"), args...)
	if err != nil {
		return nil, err
	}
	s := &pgServer{proc: p, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	url := connURL(s.addr)
	if err := waitUntil(ctx, p, time.Minute, func(ctx context.Context) error {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		return c.Close(ctx)
	}); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
	defer qcancel()
	c, err := pgx.Connect(qctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	defer c.Close(context.Background())
	if err := c.QueryRow(qctx, "select current_setting('server_version')").Scan(&s.version); err != nil {
		return nil, fmt.Errorf("postgres: server_version: %w", err)
	}
	rows, err := c.Query(qctx, "select name, current_setting(name) from pg_settings where name = any($1) order by name", pgSettingsReported)
	if err != nil {
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	for rows.Next() {
		var kv [2]string
		if err := rows.Scan(&kv[0], &kv[1]); err != nil {
			return nil, fmt.Errorf("postgres: settings: %w", err)
		}
		s.settings = append(s.settings, kv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	return s, nil
}

// connURL is the URL pgx uses to reach a server at addr (user and database
// postgres, no TLS).
func connURL(addr string) string {
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable"
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	return port, nil
}
