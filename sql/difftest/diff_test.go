package difftest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/buffer/memlog"
	sqlexec "github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/sql/session"
	"github.com/borealis-db/borealis/sql/types/pgtest"
	"github.com/borealis-db/borealis/wire"
)

var (
	updateExpected = flag.Bool("update-expected", false, "rewrite the \"not yet supported\" section of "+expectedFile+" from the current state")
	diffReport     = flag.String("diff-report", "", "write every difference, both outputs side by side, to this file")
)

const (
	diffDir      = "../testdata/diff"
	expectedFile = diffDir + "/EXPECTED_DIFFERENCES.md"
	metaFile     = diffDir + "/psql-meta.txt"
	metaSetup    = diffDir + "/psql-meta-setup.sql"
)

// server is where psql connects.
type server struct {
	host string // TCP host or unix socket directory
	port int
}

// startPostgres starts a private PostgreSQL 15 (pgtest) and returns where
// psql reaches it and a connection to its "postgres" database.
func startPostgres(t *testing.T) (server, *pgconn.PgConn) {
	t.Helper()
	conn := pgtest.Start(t)
	sock := conn.Conn().RemoteAddr().String() // DIR/.s.PGSQL.PORT
	dir, base := filepath.Split(sock)
	port, err := strconv.Atoi(strings.TrimPrefix(base, ".s.PGSQL."))
	if err != nil {
		t.Fatalf("cannot tell PostgreSQL's port from socket %q", sock)
	}
	return server{host: filepath.Clean(dir), port: port}, conn
}

// startBorealis starts the SQL engine on memlog behind the real wire server
// on loopback (what sql/session's tests do) and returns a stop function.
func startBorealis(t *testing.T) (server, func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlexec.Open(ctx, memlog.New(nil), 64<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := wire.NewServer(wire.Config{Engine: session.New(db, logger), AuthMethod: wire.AuthTrust, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = srv.Serve(sctx, ln); close(done) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		sd, c2 := context.WithTimeout(context.Background(), 10*time.Second)
		defer c2()
		_ = srv.Shutdown(sd)
		cancel()
		<-done
		db.Close()
	}
	t.Cleanup(stop)
	return server{host: "127.0.0.1", port: ln.Addr().(*net.TCPAddr).Port}, stop
}

// psqlBin returns psql, skipping the test when it or PostgreSQL is missing.
func psqlBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: differential tests start PostgreSQL")
	}
	p, err := Psql(pgtest.Bin)
	if err != nil {
		t.Skip(err.Error())
	}
	return p
}

// runPsql runs psql with the suite's fixed settings; it returns stdout and
// stderr. A non-zero exit is not an error (psql exits 1 or 2 after failed
// statements or a lost connection, which the comparison shows).
func runPsql(t *testing.T, psql string, s server, db string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"-X", "-A", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=sqlstate", "-v", "SHOW_CONTEXT=never",
		"-P", "pager=off", "-P", "null=<NULL>", "-h", s.host, "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", db}
	cmd := exec.CommandContext(ctx, psql, append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGTZ=UTC", "PGDATESTYLE=ISO, MDY", "PGCLIENTENCODING=UTF8", "PGCONNECT_TIMEOUT=10",
		"PGSSLMODE=disable", "PGAPPNAME=difftest", "PGOPTIONS=", "PGPASSWORD=", "PSQL_HISTORY=/dev/null")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok || ctx.Err() != nil {
			t.Fatalf("psql %v: %v\n%s", args, err, errb.String())
		}
	}
	return out.String(), errb.String()
}

// scripts lists the SQL scripts of the suite.
func scripts(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(diffDir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if filepath.Base(n) != filepath.Base(metaSetup) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("no scripts in %s", diffDir)
	}
	return out
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// dbName is the database a script runs in (fresh on both servers).
func dbName(script string) string {
	return "diff_" + nonWord.ReplaceAllString(strings.TrimSuffix(strings.ToLower(script), ".sql"), "_")
}

// TestDifferential runs every script of sql/testdata/diff through psql
// against PostgreSQL 15 and Borealis and compares the answers statement by
// statement with the expected differences.
func TestDifferential(t *testing.T) {
	psql := psqlBin(t)
	pg, pgc := startPostgres(t)
	tmp := t.TempDir()
	var outcomes []Outcome
	for _, path := range scripts(t) {
		name := filepath.Base(path)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		units, err := SplitScript(name, string(src))
		if err != nil {
			t.Fatal(err)
		}
		driver := filepath.Join(tmp, name)
		if err := os.WriteFile(driver, []byte(DriverScript(units)), 0o644); err != nil {
			t.Fatal(err)
		}
		db := dbName(name)
		pgtest.Exec(t, pgc, "CREATE DATABASE "+db)
		pgOut, pgErr := runPsql(t, psql, pg, db, "-f", driver)
		bo, stop := startBorealisUnderTest(t)
		boOut, boErr := runPsql(t, psql, bo, db, "-f", driver)
		stop()
		outcomes = append(outcomes, combine(units, pgOut, pgErr, boOut, boErr, nil)...)
	}
	report(t, outcomes)
}

// combine cuts both servers' outputs per unit; norm (optional) further
// normalizes each block.
func combine(units []Unit, pgOut, pgErr, boOut, boErr string, norm func(string) string) []Outcome {
	n := len(units)
	_, po := CutOutput(pgOut, n)
	_, pe := CutOutput(pgErr, n)
	_, bo := CutOutput(boOut, n)
	_, be := CutOutput(boErr, n)
	var out []Outcome
	for i, u := range units {
		p, b := join(po[i], pe[i]), join(bo[i], be[i])
		if norm != nil {
			p, b = norm(p), norm(b)
		}
		out = append(out, Outcome{Unit: u, Postgres: p, Borealis: b})
	}
	return out
}

func join(stdout, stderr string) string {
	if stdout == Missing || stderr == Missing {
		return Missing
	}
	return Normalize(Normalize(stdout) + "\n" + Normalize(stderr))
}

// report checks outcomes against the expected file, rewrites its "not yet
// supported" section with -update-expected, writes -diff-report, logs the
// counts and fails on every problem.
func report(t *testing.T, outcomes []Outcome) {
	t.Helper()
	text, err := os.ReadFile(expectedFile)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ParseExpected(string(text))
	if err != nil {
		t.Fatalf("%s: %v", expectedFile, err)
	}
	problems, fresh := Check(ex, outcomes)
	counts := map[string]int{}
	for _, o := range outcomes {
		switch {
		case !o.Differs():
			counts["match"]++
		default:
			if e, ok := ex.Entries[o.Unit.Key()]; ok && (e.Category == Accepted || e.Category == FollowOn) {
				counts[e.Category.String()]++
			} else {
				counts[o.Classify().String()]++
			}
		}
	}
	t.Logf("%d statements: %d match, %d not yet supported, %d accepted differences, %d wrong answers, %d follow-on differences",
		len(outcomes), counts["match"], counts[NotSupported.String()], counts[Accepted.String()], counts[Wrong.String()], counts[FollowOn.String()])
	if *diffReport != "" {
		var b strings.Builder
		for _, o := range outcomes {
			if o.Differs() {
				fmt.Fprintf(&b, "=== %s [%s] %s\n%s\n\n", o.Unit.Key(), o.Classify(), o.Reason(), sideBySide(o))
			}
		}
		if err := os.WriteFile(*diffReport, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if *updateExpected {
		covered := map[string]bool{}
		for _, o := range outcomes {
			covered[o.Unit.Script] = true
		}
		ex.UpdateNotSupported(covered, fresh)
		if err := os.WriteFile(expectedFile, []byte(ex.Format()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the %q section of %s", NotSupported, expectedFile)
		problems, _ = Check(ex, outcomes)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Key, p.Message)
	}
	if len(problems) > 0 {
		t.Logf("%d problems. Fix Borealis, or list the difference in %s; a listed entry that no longer differs must be deleted. "+
			"go test ./sql/difftest -run %s -update-expected rewrites the %q section (never the others).",
			len(problems), expectedFile, t.Name(), NotSupported)
	}
}

var (
	conninfoAt = regexp.MustCompile(`(via socket in|on host) "[^"]*" at port "[0-9]+"`)
	timing     = regexp.MustCompile(`(?m)^Time: [0-9.]+ ms.*$`)
)

// normMeta hides what differs between any two servers in meta-command
// output: where the server is, and how long a query took.
func normMeta(s string) string {
	s = conninfoAt.ReplaceAllString(s, `at <server>`)
	return timing.ReplaceAllString(s, "Time: <t>")
}

// TestPsqlMeta runs psql's meta-commands (sql/testdata/diff/psql-meta.txt,
// one psql invocation per line, " ;; " separating several -c commands)
// against both servers holding the same schema (psql-meta-setup.sql), then
// psql's TAB completion in a pseudo-terminal (TabCompletion).
func TestPsqlMeta(t *testing.T) {
	psql := psqlBin(t)
	pg, _ := startPostgres(t)
	bo, _ := startBorealisUnderTest(t)
	setupOut := map[string]string{}
	for name, s := range map[string]server{"postgres": pg, "borealis": bo} {
		o, e := runPsql(t, psql, s, "postgres", "-f", metaSetup)
		setupOut[name] = Normalize(o + e)
	}
	if setupOut["postgres"] != setupOut["borealis"] {
		t.Logf("schema setup answered differently (the meta-command differences follow from it):\n--- postgres\n%s\n--- borealis\n%s",
			setupOut["postgres"], setupOut["borealis"])
	}
	text, err := os.ReadFile(metaFile)
	if err != nil {
		t.Fatal(err)
	}
	units := ReadLines(filepath.Base(metaFile), string(text))
	var outcomes []Outcome
	for _, u := range units {
		var args []string
		for _, c := range strings.Split(u.Text, " ;; ") {
			args = append(args, "-c", c)
		}
		po, pe := runPsql(t, psql, pg, "postgres", args...)
		bo, be := runPsql(t, psql, bo, "postgres", args...)
		outcomes = append(outcomes, Outcome{Unit: u, Postgres: normMeta(join(po, pe)), Borealis: normMeta(join(bo, be))})
	}
	t.Run("TabCompletion", func(t *testing.T) { testTabCompletion(t, psql, pg, bo) }) // tabcomplete_test.go
	report(t, outcomes)
}
