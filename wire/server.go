package wire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Config fields left zero.
const (
	DefaultServerVersion  = "16.4"
	DefaultMaxMessageSize = 64 << 20
	DefaultAuthTimeout    = time.Minute
	DefaultWriteTimeout   = 5 * time.Minute
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("wire: server closed")

// errServerShutdown is the context cause of queries interrupted by shutdown.
var errServerShutdown = errors.New("wire: server shutting down")

// Config configures a Server.
type Config struct {
	// Engine opens the SQL sessions. Required.
	Engine Engine
	// AuthMethod is SCRAM-SHA-256 (the zero value) or trust.
	AuthMethod AuthMethod
	// Auth provides SCRAM verifiers. Required with AuthSCRAM.
	Auth Auth
	// TLS, when set, is used for clients that send SSLRequest; when nil TLS is
	// off and SSLRequest is answered 'N'. See LoadTLS.
	TLS *tls.Config
	// RequireTLS refuses unencrypted sessions (needs TLS).
	RequireTLS bool
	// ServerVersion is reported as server_version (default "16.4"): clients
	// (libpq, pgbench, pgx) parse its leading number to pick features.
	ServerVersion string
	// MaxMessageSize bounds a message body; larger messages get 08P01 and the
	// connection is closed. Default 64 MiB.
	MaxMessageSize int
	// AuthTimeout bounds the whole startup phase, TLS and authentication
	// included (PostgreSQL's authentication_timeout). Default 1 minute.
	AuthTimeout time.Duration
	// IdleTimeout closes a session that sends nothing for this long with
	// 57P05 (PostgreSQL's idle_session_timeout). Zero disables it.
	IdleTimeout time.Duration
	// WriteTimeout bounds every write to a client. Default 5 minutes.
	WriteTimeout time.Duration
	// MaxConnections refuses sessions beyond this many with 53300. Zero means
	// no limit.
	MaxConnections int
	// ClientCheckInterval is how often a running statement checks that its
	// client is still connected; a statement whose client disconnected is
	// cancelled (PostgreSQL's client_connection_check_interval). Default
	// DefaultClientCheckInterval; negative disables the check.
	ClientCheckInterval time.Duration
	// Logger receives connection-level events. Default: discard.
	Logger *slog.Logger
}

// Server serves the PostgreSQL protocol on any number of listeners.
type Server struct {
	cfg        Config
	log        *slog.Logger
	mockSecret []byte // keys mock SCRAM salts of unknown users

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[uint32]*conn
	nextPID   uint32
	wg        sync.WaitGroup
	panics    atomic.Int64 // recovered panics, for tests
}

// NewServer checks cfg and returns a Server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("wire: Config.Engine is required")
	}
	switch cfg.AuthMethod {
	case AuthSCRAM:
		if cfg.Auth == nil {
			return nil, errors.New("wire: Config.Auth is required for scram-sha-256")
		}
	case AuthTrust:
	default:
		return nil, fmt.Errorf("wire: unknown auth method %d", cfg.AuthMethod)
	}
	if cfg.RequireTLS && cfg.TLS == nil {
		return nil, errors.New("wire: RequireTLS needs a TLS configuration")
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = DefaultServerVersion
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.AuthTimeout <= 0 {
		cfg.AuthTimeout = DefaultAuthTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.ClientCheckInterval == 0 {
		cfg.ClientCheckInterval = DefaultClientCheckInterval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secret := make([]byte, 32)
	rand.Read(secret) // crypto/rand.Read never fails
	var pid [4]byte
	rand.Read(pid[:])
	return &Server{
		cfg:        cfg,
		log:        log,
		mockSecret: secret,
		listeners:  map[net.Listener]struct{}{},
		conns:      map[*conn]struct{}{},
		byPID:      map[uint32]*conn{},
		// Start somewhere in [1000, 2^30) so process ids look ordinary and
		// differ between restarts.
		nextPID: 1000 + binary.BigEndian.Uint32(pid[:])%(1<<30),
	}, nil
}

// Serve accepts connections on ln and serves each on its own goroutine until
// ctx is done or Shutdown is called. When ctx is done the whole server stops
// hard: every connection is closed at once, running queries are cancelled, and
// Serve returns ctx's error once all connections have ended. After Shutdown it
// returns ErrServerClosed. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.closeAll()
	})
	defer stop()

	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.mu.Lock()
				s.closing = true
				s.mu.Unlock()
				s.closeAll()
				s.wg.Wait()
				return ctx.Err()
			}
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing || errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			// Temporary failure (e.g. EMFILE): back off and retry.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("wire: accept failed", "err", err, "retry_in", delay)
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		delay = 0
		go s.ServeConn(ctx, nc)
	}
}

// Shutdown stops accepting, ends idle sessions with 57P01 at once and busy ones
// when their current message is done, and waits for all to end. When ctx ends
// first it closes the remaining connections, cancelling their queries, and
// returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.requestStop()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.closeAll()
		<-done
		return ctx.Err()
	}
}

// closeAll closes every connection and cancels its queries.
func (s *Server) closeAll() {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
}

// ServeConn serves one client connection on the calling goroutine and closes
// it. Serve uses it for every accepted connection; tests can call it with one
// end of a net.Pipe.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	tooMany := s.cfg.MaxConnections > 0 && len(s.conns) > s.cfg.MaxConnections
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		if c.pid != 0 && s.byPID[c.pid] == c {
			delete(s.byPID, c.pid)
		}
		s.mu.Unlock()
		s.wg.Done()
	}()
	c.serve(ctx, tooMany)
}

// register assigns c a process id and secret for CancelRequest.
func (s *Server) register(c *conn) {
	var secret [4]byte
	rand.Read(secret[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		s.nextPID++
		if s.nextPID == 0 || s.nextPID >= 1<<31 {
			s.nextPID = 1000
		}
		if _, used := s.byPID[s.nextPID]; !used {
			break
		}
	}
	c.pid = s.nextPID
	c.secret = secret[:]
	s.byPID[c.pid] = c
}

// cancel handles a CancelRequest: it cancels the running query of the session
// with that process id if the secret matches (compared in constant time).
// Like PostgreSQL it never tells the requester whether it worked.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil {
		s.log.Debug("wire: cancel request for unknown process", "pid", pid)
		return
	}
	if subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		s.log.Warn("wire: cancel request with wrong secret", "pid", pid)
		return
	}
	c.cancelQuery()
}
