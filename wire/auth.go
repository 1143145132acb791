package wire

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// AuthMethod selects how clients authenticate.
type AuthMethod int

// Authentication methods.
const (
	// AuthSCRAM is SCRAM-SHA-256 (RFC 5802, RFC 7677), the default.
	AuthSCRAM AuthMethod = iota
	// AuthTrust lets every client in without a password; for local development.
	AuthTrust
)

// String returns the pg_hba.conf name of the method.
func (m AuthMethod) String() string {
	switch m {
	case AuthSCRAM:
		return "scram-sha-256"
	case AuthTrust:
		return "trust"
	}
	return "AuthMethod(" + strconv.Itoa(int(m)) + ")"
}

// ParseAuthMethod parses "scram-sha-256" or "trust".
func ParseAuthMethod(s string) (AuthMethod, error) {
	switch strings.ToLower(s) {
	case "scram-sha-256", "scram", "":
		return AuthSCRAM, nil
	case "trust":
		return AuthTrust, nil
	}
	return 0, fmt.Errorf("unknown authentication method %q (want scram-sha-256 or trust)", s)
}

// ErrUnknownUser is returned by an Auth provider for a user it does not know.
var ErrUnknownUser = errors.New("unknown user")

// Auth provides the stored SCRAM verifiers of users.
type Auth interface {
	// Verifier returns the user's SCRAM-SHA-256 verifier, or an error wrapping
	// ErrUnknownUser. The client is told only "password authentication failed"
	// either way.
	Verifier(ctx context.Context, user string) (*SCRAMVerifier, error)
}

// MemoryAuth is an in-memory Auth holding SCRAM verifiers (never passwords).
// It is safe for concurrent use.
type MemoryAuth struct {
	mu    sync.RWMutex
	users map[string]*SCRAMVerifier
}

// NewMemoryAuth returns an empty MemoryAuth.
func NewMemoryAuth() *MemoryAuth { return &MemoryAuth{users: map[string]*SCRAMVerifier{}} }

// SetPassword stores a fresh verifier (random salt, DefaultSCRAMIterations) for
// user's password.
func (a *MemoryAuth) SetPassword(user, password string) error {
	v, err := NewSCRAMVerifier(password, DefaultSCRAMIterations)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", user, err)
	}
	a.SetVerifier(user, v)
	return nil
}

// SetVerifier stores a verifier for user.
func (a *MemoryAuth) SetVerifier(user string, v *SCRAMVerifier) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[user] = v
}

// Verifier implements Auth.
func (a *MemoryAuth) Verifier(_ context.Context, user string) (*SCRAMVerifier, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	v, ok := a.users[user]
	if !ok {
		return nil, fmt.Errorf("user %q: %w", user, ErrUnknownUser)
	}
	return v, nil
}

// DefaultSCRAMIterations is PostgreSQL's default scram_iterations.
const DefaultSCRAMIterations = 4096

// SCRAMVerifier is the stored form of a SCRAM-SHA-256 password, as in
// pg_authid.rolpassword: the server can check a client's proof and prove itself,
// but cannot recover the password.
type SCRAMVerifier struct {
	Salt       []byte
	Iterations int
	StoredKey  [32]byte
	ServerKey  [32]byte
}

// NewSCRAMVerifier derives a verifier for password with a random 16-byte salt.
func NewSCRAMVerifier(password string, iterations int) (*SCRAMVerifier, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("scram salt: %w", err)
	}
	return deriveSCRAMVerifier(password, salt, iterations)
}

func deriveSCRAMVerifier(password string, salt []byte, iterations int) (*SCRAMVerifier, error) {
	if iterations < 1 {
		return nil, fmt.Errorf("scram iterations %d: must be positive", iterations)
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("scram salted password: %w", err)
	}
	v := &SCRAMVerifier{Salt: salt, Iterations: iterations}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	v.StoredKey = sha256.Sum256(clientKey)
	copy(v.ServerKey[:], hmacSHA256(salted, []byte("Server Key")))
	return v, nil
}

// String formats v as PostgreSQL stores it:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64).
func (v *SCRAMVerifier) String() string {
	b := base64.StdEncoding
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.Iterations, b.EncodeToString(v.Salt),
		b.EncodeToString(v.StoredKey[:]), b.EncodeToString(v.ServerKey[:]))
}

// ParseSCRAMVerifier parses the form String produces (and PostgreSQL stores).
func ParseSCRAMVerifier(s string) (*SCRAMVerifier, error) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, errors.New("scram verifier: missing SCRAM-SHA-256$ prefix")
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, errors.New("scram verifier: missing keys")
	}
	iterStr, saltStr, ok := strings.Cut(iterSalt, ":")
	if !ok {
		return nil, errors.New("scram verifier: missing salt")
	}
	iter, err := strconv.Atoi(iterStr)
	if err != nil || iter < 1 {
		return nil, fmt.Errorf("scram verifier: bad iteration count %q", iterStr)
	}
	storedStr, serverStr, ok := strings.Cut(keys, ":")
	if !ok {
		return nil, errors.New("scram verifier: missing server key")
	}
	b := base64.StdEncoding
	salt, err := b.DecodeString(saltStr)
	if err != nil {
		return nil, fmt.Errorf("scram verifier: salt: %w", err)
	}
	stored, err := b.DecodeString(storedStr)
	if err != nil || len(stored) != 32 {
		return nil, errors.New("scram verifier: bad stored key")
	}
	server, err := b.DecodeString(serverStr)
	if err != nil || len(server) != 32 {
		return nil, errors.New("scram verifier: bad server key")
	}
	v := &SCRAMVerifier{Salt: salt, Iterations: iter}
	copy(v.StoredKey[:], stored)
	copy(v.ServerKey[:], server)
	return v, nil
}

func hmacSHA256(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}

// scramServer is the server side of one SCRAM-SHA-256 exchange.
type scramServer struct {
	v               *SCRAMVerifier
	gs2Header       string
	clientFirstBare string
	serverFirst     string
	nonce           string
}

// errSCRAM marks a malformed SCRAM message (reported as 08P01).
var errSCRAM = errors.New("malformed SCRAM message")

// first handles client-first-message and returns server-first-message.
func (s *scramServer) first(msg []byte) (string, error) {
	m := string(msg)
	// gs2-header: cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(m, ",")
	if !ok {
		return "", fmt.Errorf("%w: no GS2 header", errSCRAM)
	}
	switch {
	case flag == "n", flag == "y":
	case strings.HasPrefix(flag, "p="):
		return "", fmt.Errorf("%w: channel binding is not supported", errSCRAM)
	default:
		return "", fmt.Errorf("%w: bad channel binding flag %q", errSCRAM, flag)
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || (authzid != "" && !strings.HasPrefix(authzid, "a=")) {
		return "", fmt.Errorf("%w: bad GS2 header", errSCRAM)
	}
	if authzid != "" {
		return "", fmt.Errorf("%w: authorization identity is not supported", errSCRAM)
	}
	s.gs2Header = flag + "," + authzid + ","
	s.clientFirstBare = bare
	// client-first-message-bare: [reserved-mext ","] username "," nonce ["," extensions]
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") || !strings.HasPrefix(attrs[1], "r=") {
		return "", fmt.Errorf("%w: bad client-first-message", errSCRAM)
	}
	// PostgreSQL ignores the user name here: the startup packet's user counts.
	clientNonce := attrs[1][2:]
	if clientNonce == "" || !printableNonce(clientNonce) {
		return "", fmt.Errorf("%w: bad client nonce", errSCRAM)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("scram nonce: %w", err)
	}
	s.nonce = clientNonce + base64.StdEncoding.EncodeToString(raw)
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce, base64.StdEncoding.EncodeToString(s.v.Salt), s.v.Iterations)
	return s.serverFirst, nil
}

// final handles client-final-message. It returns server-final-message and
// whether the client's proof was right.
func (s *scramServer) final(msg []byte) (string, bool, error) {
	m := string(msg)
	idx := strings.LastIndex(m, ",p=")
	if idx < 0 {
		return "", false, fmt.Errorf("%w: no proof", errSCRAM)
	}
	withoutProof := m[:idx]
	proof, err := base64.StdEncoding.DecodeString(m[idx+3:])
	if err != nil || len(proof) != sha256.Size {
		return "", false, fmt.Errorf("%w: bad proof", errSCRAM)
	}
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return "", false, fmt.Errorf("%w: bad client-final-message", errSCRAM)
	}
	cbind, err := base64.StdEncoding.DecodeString(attrs[0][2:])
	if err != nil || string(cbind) != s.gs2Header {
		return "", false, fmt.Errorf("%w: channel binding mismatch", errSCRAM)
	}
	if attrs[1][2:] != s.nonce {
		return "", false, fmt.Errorf("%w: nonce mismatch", errSCRAM)
	}
	authMsg := []byte(s.clientFirstBare + "," + s.serverFirst + "," + withoutProof)
	clientSig := hmacSHA256(s.v.StoredKey[:], authMsg)
	clientKey := make([]byte, sha256.Size)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ clientSig[i]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], s.v.StoredKey[:]) != 1 {
		return "", false, nil
	}
	serverSig := hmacSHA256(s.v.ServerKey[:], authMsg)
	return "v=" + base64.StdEncoding.EncodeToString(serverSig), true, nil
}

// printableNonce checks RFC 5802's printable: %x21-2B / %x2D-7E.
func printableNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

// mockVerifier returns a verifier for an unknown user that no password matches,
// with a salt stable per user so that probing cannot tell unknown users apart.
func mockVerifier(secret []byte, user string) *SCRAMVerifier {
	salt := hmacSHA256(secret, []byte("salt:"+user))[:16]
	v := &SCRAMVerifier{Salt: salt, Iterations: DefaultSCRAMIterations}
	rand.Read(v.StoredKey[:]) // crypto/rand.Read never fails
	rand.Read(v.ServerKey[:])
	return v
}
