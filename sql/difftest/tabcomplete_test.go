package difftest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// psqlTTY is an interactive psql in a pseudo-terminal, so that it reads
// input through readline and completes with TAB as a user's psql does.
type psqlTTY struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer // everything psql wrote, escape sequences included
	done chan struct{}
}

// startPsqlTTY starts psql -X on s in an 80x24 pseudo-terminal with a
// readline configuration that never pages or asks before listing
// candidates, and waits for its prompt.
func startPsqlTTY(t *testing.T, psql string, s server) *psqlTTY {
	t.Helper()
	dir := t.TempDir()
	inputrc := filepath.Join(dir, "inputrc")
	rc := "set bell-style none\nset enable-bracketed-paste off\nset completion-query-items 10000\nset page-completions off\nset colored-stats off\nset horizontal-scroll-mode off\n"
	if err := os.WriteFile(inputrc, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(psql, "-X", "-h", s.host, "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", "postgres")
	cmd.Env = append(os.Environ(), "TERM=xterm", "INPUTRC="+inputrc, "PSQL_HISTORY=/dev/null", "HOME="+dir,
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGAPPNAME=difftest", "PGOPTIONS=", "PGTZ=UTC")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatalf("psql in a pty: %v", err)
	}
	p := &psqlTTY{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				close(p.done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tty.Close()
		<-p.done
	})
	p.waitFor("=# ", 0)
	return p
}

// mark is the current length of psql's output.
func (p *psqlTTY) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Len()
}

// waitFor waits until psql's output after offset from contains s and
// returns that output up to and including s.
func (p *psqlTTY) waitFor(s string, from int) string {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p.mu.Lock()
		got := p.out.String()[from:]
		p.mu.Unlock()
		if i := strings.Index(got, s); i >= 0 {
			return got[:i+len(s)]
		}
		select {
		case <-p.done:
			p.t.Fatalf("psql exited before printing %q; output:\n%q", s, got)
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("psql did not print %q within 30s; output:\n%q", s, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// send types keys into psql.
func (p *psqlTTY) send(keys string) {
	p.t.Helper()
	if _, err := p.tty.Write([]byte(keys)); err != nil {
		p.t.Fatalf("write to psql: %v", err)
	}
}

// terminalNoise are escape sequences (CSI, OSC, charset and keypad modes)
// and bells: what a screen shows is the text around them.
var terminalNoise = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x07`)

// complete types line, then the tabs, then a marker, and returns what psql
// echoed from the start of line up to the marker (escape sequences and
// carriage returns removed): the completed text, and the candidates when
// readline listed them. The line is then discarded (Ctrl-U).
func (p *psqlTTY) complete(line, tabs string, n int) string {
	p.t.Helper()
	marker := fmt.Sprintf("@@tab%d@@", n)
	from := p.mark()
	p.send(line)
	p.send(tabs)
	p.send(marker)
	got := p.waitFor(marker, from)
	p.send("\x15") // readline's unix-line-discard
	got = terminalNoise.ReplaceAllString(got, "")
	got = strings.ReplaceAll(got, "\r", "")
	return strings.TrimSuffix(got, marker)
}

// quit ends psql with \q and waits for it to exit.
func (p *psqlTTY) quit() {
	p.t.Helper()
	p.send("\\q\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-p.done:
	case <-ctx.Done():
		p.t.Fatal("psql did not exit after \\q")
	}
}

// tabCases are the completions TestPsqlMeta checks: a unique table name, a
// prefix of several (two TABs list them), and a schema-qualified name.
// want are substrings Borealis's (and PostgreSQL's) answer must hold.
var tabCases = []struct {
	line, tabs string
	want       []string
}{
	{"select * from pgbench_acc", "\t", []string{"select * from pgbench_accounts "}},
	{"select * from pgbench_", "\t\t", []string{"pgbench_accounts", "pgbench_branches", "pgbench_history", "pgbench_tellers"}},
	{"select * from sales.reg", "\t", []string{"select * from sales.regions "}},
	{"\\d order", "\t\t", []string{"order_seq", "orders", "orders_id_seq"}},
	{"select * from big_ord", "\t", []string{"select * from big_orders "}},
}

// testTabCompletion drives psql's readline completion against both
// servers (schema of psql-meta-setup.sql) and compares what psql shows.
func testTabCompletion(t *testing.T, psql string, pg, bo server) {
	answers := map[string][]string{}
	for name, s := range map[string]server{"postgres": pg, "borealis": bo} {
		p := startPsqlTTY(t, psql, s)
		for n, tc := range tabCases {
			answers[name] = append(answers[name], p.complete(tc.line, tc.tabs, n))
		}
		p.quit()
	}
	for n, tc := range tabCases {
		pgA, boA := answers["postgres"][n], answers["borealis"][n]
		t.Logf("completing %q (TAB x%d) on Borealis shows %q", tc.line, len(tc.tabs), boA)
		if pgA != boA {
			t.Errorf("completing %q (TAB x%d): psql shows\n--- postgres\n%s\n--- borealis\n%s", tc.line, len(tc.tabs), pgA, boA)
		}
		for _, w := range tc.want {
			if !strings.Contains(boA, w) {
				t.Errorf("completing %q (TAB x%d) on Borealis: %q lacks %q", tc.line, len(tc.tabs), boA, w)
			}
		}
	}
}
