package wire

import (
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// psqlPath finds the PostgreSQL client of this machine.
func psqlPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/psql", "/usr/lib/postgresql/16/bin/psql", "/usr/lib/postgresql/15/bin/psql"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("psql not installed")
	return ""
}

// runPsql runs psql against ts with the given arguments and stdin.
func runPsql(t *testing.T, ts *testServer, sslmode, password, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := []string{"-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
		"-p", strconv.Itoa(ts.addr.Port), "-U", testUser, "-d", "testdb"}
	cmd := exec.CommandContext(ctx, psqlPath(t), append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE="+sslmode, "PGCONNECT_TIMEOUT=10",
		"PGAPPNAME=psqltest", "HOME="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPsql(t *testing.T) {
	psqlPath(t)
	if testing.Short() {
		t.Skip("starts psql processes")
	}
	tlsCfg, err := LoadTLS("", "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ts := startTestServer(t, func(c *Config) { c.TLS = tlsCfg })
	for _, sslmode := range []string{"disable", "require"} {
		t.Run(sslmode, func(t *testing.T) {
			out, err := runPsql(t, ts, sslmode, testPassword, "", "-c", "select 1")
			if err != nil || strings.TrimSpace(out) != "1" {
				t.Fatalf("psql select 1: %v\n%s", err, out)
			}
			out, err = runPsql(t, ts, sslmode, testPassword, "", "-c", "select 'a'; select 2")
			if err != nil || strings.TrimSpace(out) != "a\n2" {
				t.Fatalf("psql two statements: %v\n%q", err, out)
			}
			out, err = runPsql(t, ts, sslmode, "wrong", "", "-c", "select 1")
			if err == nil || !strings.Contains(out, `password authentication failed for user "alice"`) {
				t.Fatalf("psql wrong password: %v\n%s", err, out)
			}
			out, err = runPsql(t, ts, sslmode, testPassword, "", "-c", "error 42P01 relation \"nope\" does not exist")
			if err == nil || !strings.Contains(out, `ERROR:  relation "nope" does not exist`) {
				t.Fatalf("psql error: %v\n%s", err, out)
			}
		})
	}
	// COPY FROM STDIN through psql, then read back.
	table := "psqlcopy"
	if out, err := runPsql(t, ts, "require", testPassword, "", "-c", "create table "+table+" (id int4, s text)"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	out, err := runPsql(t, ts, "require", testPassword, "1\tone\n2\t\\N\n3\tthree\\nlines\n\\.\n", "-c", "copy "+table+" from stdin")
	if err != nil || strings.TrimSpace(out) != "COPY 3" {
		t.Fatalf("psql copy: %v\n%s", err, out)
	}
	out, err = runPsql(t, ts, "disable", testPassword, "", "-c", "select id, s from "+table)
	if err != nil || out != "1|one\n2|\n3|three\nlines\n" {
		t.Fatalf("psql read back: %v\n%q", err, out)
	}
}

func TestTLSRequired(t *testing.T) {
	dir := t.TempDir()
	tlsCfg, err := LoadTLS("", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(dir + "/" + SelfSignedCertFile)
	if err != nil {
		t.Fatal(err)
	}
	// A second start keeps the same certificate.
	if _, err := LoadTLS("", "", dir); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(dir + "/" + SelfSignedCertFile)
	if string(first) != string(second) {
		t.Fatal("self-signed certificate regenerated on second start")
	}
	// Explicit files work too.
	if _, err := LoadTLS(dir+"/"+SelfSignedCertFile, dir+"/"+SelfSignedKeyFile, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTLS(dir+"/"+SelfSignedCertFile, "", ""); err == nil {
		t.Fatal("cert without key accepted")
	}

	ts := startTestServer(t, func(c *Config) { c.TLS = tlsCfg; c.RequireTLS = true })
	ctx := testCtx(t)
	_, err = pgx.Connect(ctx, ts.url(testUser, testPassword, ""))
	if pgCode(err) != CodeInvalidAuthorization {
		t.Fatalf("plain connection to a TLS-only server: %v", err)
	}
	cfg, err := pgx.ParseConfig(strings.Replace(ts.url(testUser, testPassword, ""), "sslmode=disable", "sslmode=require", 1))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("connection is %T, not TLS", conn.PgConn().Conn())
	}
	var one int32
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select over TLS: %d %v", one, err)
	}
}
