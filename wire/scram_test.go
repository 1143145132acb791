package wire

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// TestSCRAMRFC7677 checks the server side against the RFC 7677 example.
func TestSCRAMRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err := deriveSCRAMVerifier("pencil", salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	s := &scramServer{v: v}
	first, err := s.first([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "r=rOprNGfwEbeRWgbNEkqO") || !strings.HasSuffix(first, ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096") {
		t.Fatalf("server-first %q", first)
	}
	// Replay the RFC's server nonce.
	s.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	s.serverFirst = "r=" + s.nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	final, ok, err := s.final([]byte("c=biws,r=" + s.nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	if err != nil || !ok {
		t.Fatalf("proof rejected: %v", err)
	}
	if final != "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Fatalf("server-final %q", final)
	}
	// A wrong proof is refused without a protocol error.
	if _, ok, err := s.final([]byte("c=biws,r=" + s.nonce + ",p=" + base64.StdEncoding.EncodeToString(make([]byte, 32)))); ok || err != nil {
		t.Fatalf("zero proof: ok=%v err=%v", ok, err)
	}
	for _, bad := range []string{
		"c=biws,r=" + s.nonce, // no proof
		"c=biws,r=other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",           // nonce mismatch
		"c=eSws,r=" + s.nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", // binding mismatch
		"c=biws,r=" + s.nonce + ",p=!!!",
	} {
		if _, _, err := s.final([]byte(bad)); err == nil {
			t.Errorf("accepted malformed final %q", bad)
		}
	}
}

func TestSCRAMFirstMalformed(t *testing.T) {
	v, _ := NewSCRAMVerifier("x", 1)
	for _, bad := range []string{"", "n", "x,,n=,r=abc", "p=tls-server-end-point,,n=,r=a", "n,a=bob,n=,r=abc",
		"n,,r=abc", "n,,n=,r="} {
		s := &scramServer{v: v}
		if _, err := s.first([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	s := &scramServer{v: v}
	if _, err := s.first([]byte("y,,n=,r=abc")); err != nil {
		t.Errorf("client supporting but not using channel binding refused: %v", err)
	}
}

func TestSCRAMVerifierString(t *testing.T) {
	v, err := NewSCRAMVerifier("pw", DefaultSCRAMIterations)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSCRAMVerifier(v.String())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Salt, v.Salt) || p.Iterations != v.Iterations || p.StoredKey != v.StoredKey || p.ServerKey != v.ServerKey {
		t.Fatalf("round trip: %v != %v", p, v)
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$x:abc$a:b", "SCRAM-SHA-256$4096:!!$a:b",
		"SCRAM-SHA-256$4096:c2FsdA==$YQ==:YQ==", "SCRAM-SHA-256$4096:c2FsdA=="} {
		if _, err := ParseSCRAMVerifier(bad); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	if _, err := ParseAuthMethod("md5"); err == nil {
		t.Error("md5 accepted")
	}
	if m, err := ParseAuthMethod("trust"); err != nil || m != AuthTrust || m.String() != "trust" {
		t.Errorf("trust: %v %v", m, err)
	}
}
