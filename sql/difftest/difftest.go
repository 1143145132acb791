// Package difftest is the differential SQL test of Borealis against
// PostgreSQL 15: it splits SQL scripts into statements, runs them through the
// real psql against both servers, cuts psql's output into one block per
// statement, classifies each difference (not yet supported, wrong answer)
// and checks the differences against the list of expected differences kept
// in sql/testdata/diff/EXPECTED_DIFFERENCES.md. The tests themselves live in
// this package's _test files; this file holds the pure, unit-tested parts.
package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/ast"
)

// Unit is one statement (or one psql meta-command line) of a script.
type Unit struct {
	Script string // script name, e.g. "joins.sql"
	N      int    // 1-based position in the script
	Text   string // the statement as sent, without its trailing semicolon
}

// Key names the unit in the expected-differences file: "joins.sql#12".
func (u Unit) Key() string { return fmt.Sprintf("%s#%d", u.Script, u.N) }

// Snippet is the unit's text on one line, cut to at most 80 characters, with
// backquotes replaced: it identifies the statement in the expected file.
func (u Unit) Snippet() string { return Snippet(u.Text) }

// Snippet collapses whitespace of s and cuts it to 80 characters.
func Snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "`", "'")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

// SplitScript splits an SQL script into statements with PostgreSQL's own
// scanner (string literals, comments and dollar quotes are respected).
// Statements that are only comments are dropped.
func SplitScript(name, sql string) ([]Unit, error) {
	parts, err := ast.SplitStatements(sql)
	if err != nil {
		return nil, fmt.Errorf("split %s: %w", name, err)
	}
	var units []Unit
	for _, p := range parts {
		p = strings.TrimSpace(stripComments(p))
		if p == "" {
			continue
		}
		units = append(units, Unit{Script: name, N: len(units) + 1, Text: p})
	}
	return units, nil
}

// stripComments drops whole lines that are "--" comments (comments inside a
// statement's lines are kept: they are part of what psql sends).
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// Marker is the line psql prints (with \echo to stdout and \warn to
// stderr) before statement n of a driver script.
func Marker(n int) string { return fmt.Sprintf("@@@difftest %d@@@", n) }

// DriverScript is the psql input for units: before each statement a marker
// on both of psql's output streams, so that outputs can be cut per
// statement whatever the buffering of stdout and stderr.
func DriverScript(units []Unit) string {
	var b strings.Builder
	for i, u := range units {
		fmt.Fprintf(&b, "\\echo '%s'\n\\warn '%s'\n", Marker(i+1), Marker(i+1))
		b.WriteString(u.Text)
		if !strings.HasPrefix(u.Text, `\`) {
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// CutOutput splits one psql stream into n blocks at the markers; text before
// the first marker is returned as prologue; a marker beyond n is text. A
// block whose marker never appeared (psql stopped) is the string Missing.
func CutOutput(out string, n int) (prologue string, blocks []string) {
	blocks = make([]string, n)
	for i := range blocks {
		blocks[i] = Missing
	}
	cur := -1
	var b strings.Builder
	flush := func() {
		if cur < 0 {
			prologue = b.String()
		} else if cur < n {
			blocks[cur] = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(out, "\n") {
		if k, ok := markerIndex(strings.TrimRight(line, "\n")); ok && k <= n {
			flush()
			cur = k - 1
			continue
		}
		b.WriteString(line)
	}
	flush()
	return prologue, blocks
}

// Missing stands for the output of a statement psql never ran.
const Missing = "<psql stopped before this statement>"

func markerIndex(line string) (int, bool) {
	const pre, post = "@@@difftest ", "@@@"
	if !strings.HasPrefix(line, pre) || !strings.HasSuffix(line, post) || len(line) < len(pre)+len(post)+1 {
		return 0, false
	}
	k, err := strconv.Atoi(line[len(pre) : len(line)-len(post)])
	if err != nil || k < 1 {
		return 0, false
	}
	return k, true
}

var (
	psqlPrefix = regexp.MustCompile(`(?m)^psql:[^\n]*?:[0-9]+: `)
	errorCode  = regexp.MustCompile(`(?m)^(?:psql:[^\n]*?:[0-9]+: )?(ERROR|FATAL):  ([0-9A-Z]{5})`)
)

// Normalize removes what legitimately differs between two runs of the same
// script: psql's "psql:FILE:LINE: " prefix, trailing blanks and blank lines
// at the ends.
func Normalize(block string) string {
	block = psqlPrefix.ReplaceAllString(block, "")
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// ErrorCode returns the SQLSTATE of the first error in a block (psql run
// with VERBOSITY=sqlstate), or "".
func ErrorCode(block string) string {
	if m := errorCode.FindStringSubmatch(block); m != nil {
		return m[2]
	}
	return ""
}

// Category is the kind of an entry in the expected-differences file.
type Category int

// The categories, in the order of the file's sections.
const (
	NotSupported Category = iota // Borealis answers an error where PostgreSQL answers otherwise
	Accepted                     // a difference accepted for good, with its reason
	Wrong                        // Borealis answers (not an error) differently: a bug
	FollowOn                     // a non-error difference caused by an earlier difference in the script
)

// Sections are the headings of the expected-differences file, by category.
var Sections = [...]string{
	NotSupported: "not yet supported",
	Accepted:     "accepted difference",
	Wrong:        "wrong answers (bugs)",
	FollowOn:     "follow-on differences",
}

func (c Category) String() string { return Sections[c] }

// Outcome is what both servers answered to one unit.
type Outcome struct {
	Unit     Unit
	Postgres string // normalized output block
	Borealis string
}

// Differs reports whether the two answers differ.
func (o Outcome) Differs() bool { return o.Postgres != o.Borealis }

// Classify says which section a differing outcome belongs to: an error
// from Borealis is "not yet supported" (whatever the code: it is never a
// wrong answer); any other difference, including psql losing the
// connection, is a wrong answer.
func (o Outcome) Classify() Category {
	if o.Borealis != Missing && ErrorCode(o.Borealis) != "" {
		return NotSupported
	}
	return Wrong
}

// Reason is a short description of the difference for the expected file.
func (o Outcome) Reason() string {
	desc := func(s string) string {
		if s == Missing {
			return "no answer (psql stopped)"
		}
		if c := ErrorCode(s); c != "" {
			return "ERROR " + c
		}
		return "answers"
	}
	return fmt.Sprintf("borealis %s, postgres %s", desc(o.Borealis), desc(o.Postgres))
}

// Entry is one line of the expected-differences file.
type Entry struct {
	Category Category
	Key      string // "script#n"
	Snippet  string // the statement's text (Snippet), to notice renumbering
	Reason   string
}

// Line formats e as it appears in the file.
func (e Entry) Line() string { return fmt.Sprintf("- %s `%s`: %s", e.Key, e.Snippet, e.Reason) }

// Expected is the parsed expected-differences file.
type Expected struct {
	Header  string                // text before the first section, kept verbatim
	Entries map[string]Entry      // by key
	Extra   [len(Sections)]string // text of each section that is not an entry, kept verbatim
}

var entryLine = regexp.MustCompile("^- (\\S+#[0-9]+) `([^`]*)`: (.+)$")

// ParseExpected parses the expected-differences file: a header, then
// "## <section>" headings (Sections) each followed by entry lines
// "- script#n `snippet`: reason". Other lines in a section are kept as
// commentary. A key may appear once only.
func ParseExpected(text string) (*Expected, error) {
	ex := &Expected{Entries: map[string]Entry{}}
	cat := Category(-1)
	var header strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "## ") {
			name := strings.TrimSpace(line[3:])
			found := false
			for c, s := range Sections {
				if s == name {
					cat, found = Category(c), true
				}
			}
			if !found {
				return nil, fmt.Errorf("line %d: unknown section %q (want one of %q)", i+1, name, Sections)
			}
			continue
		}
		if cat < 0 {
			header.WriteString(line + "\n")
			continue
		}
		if strings.HasPrefix(line, "- ") {
			m := entryLine.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: entry not of the form \"- script#n `snippet`: reason\": %q", i+1, line)
			}
			if old, dup := ex.Entries[m[1]]; dup {
				return nil, fmt.Errorf("line %d: %s listed twice (also in %q)", i+1, m[1], old.Category)
			}
			ex.Entries[m[1]] = Entry{Category: cat, Key: m[1], Snippet: m[2], Reason: m[3]}
			continue
		}
		if strings.TrimSpace(line) != "" {
			ex.Extra[cat] += line + "\n"
		}
	}
	ex.Header = strings.TrimRight(header.String(), "\n") + "\n"
	return ex, nil
}

// Format writes the file back: header, then each section with its
// commentary and its entries sorted by script and position.
func (ex *Expected) Format() string {
	var b strings.Builder
	b.WriteString(ex.Header)
	for c := range Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", Sections[c])
		if ex.Extra[c] != "" {
			b.WriteString(ex.Extra[c] + "\n")
		}
		var es []Entry
		for _, e := range ex.Entries {
			if e.Category == Category(c) {
				es = append(es, e)
			}
		}
		sort.Slice(es, func(i, j int) bool { return keyLess(es[i].Key, es[j].Key) })
		for _, e := range es {
			b.WriteString(e.Line() + "\n")
		}
	}
	return b.String()
}

func keyLess(a, b string) bool {
	sa, na := splitKey(a)
	sb, nb := splitKey(b)
	if sa != sb {
		return sa < sb
	}
	return na < nb
}

func splitKey(k string) (string, int) {
	i := strings.LastIndexByte(k, '#')
	if i < 0 {
		return k, 0
	}
	n, _ := strconv.Atoi(k[i+1:])
	return k[:i], n
}

// ScriptOf returns the script part of a key.
func ScriptOf(key string) string { s, _ := splitKey(key); return s }

// Problem is one reason the suite fails.
type Problem struct {
	Key     string
	Message string
}

// Check compares outcomes of the scripts covered by this run with the
// expected entries for those scripts. It returns the problems (unlisted
// differences, listed entries that no longer differ, entries in the wrong
// section, entries whose statement changed) and the "not yet supported"
// entries the current state calls for (for -update-expected).
func Check(ex *Expected, outcomes []Outcome) (problems []Problem, notSupported []Entry) {
	covered := map[string]bool{}
	seen := map[string]bool{}
	differs := map[string]bool{}
	for _, o := range outcomes {
		differs[o.Unit.Key()] = o.Differs()
	}
	for _, o := range outcomes {
		covered[o.Unit.Script] = true
		k := o.Unit.Key()
		seen[k] = true
		if o.Differs() && o.Classify() == NotSupported {
			notSupported = append(notSupported, Entry{Category: NotSupported, Key: k, Snippet: o.Unit.Snippet(), Reason: o.Reason()})
		}
		e, listed := ex.Entries[k]
		if listed && e.Snippet != o.Unit.Snippet() {
			problems = append(problems, Problem{k, fmt.Sprintf("listed as %q but the statement there is now `%s` (listed: `%s`); renumber the entry", e.Category, o.Unit.Snippet(), e.Snippet)})
			continue
		}
		if !o.Differs() {
			if listed {
				problems = append(problems, Problem{k, fmt.Sprintf("listed as %q but Borealis now answers like PostgreSQL: delete the entry %q from the expected file", e.Category, e.Line())})
			}
			continue
		}
		c := o.Classify()
		switch {
		case !listed:
			problems = append(problems, Problem{k, fmt.Sprintf("unlisted difference (%s): %s\n%s", c, o.Reason(), sideBySide(o))})
		case e.Category == Accepted:
		case e.Category == FollowOn && c == Wrong:
			if msg := checkFollowOn(e, o.Unit, differs); msg != "" {
				problems = append(problems, Problem{k, msg + "\n" + sideBySide(o)})
			}
		case e.Category != c:
			problems = append(problems, Problem{k, fmt.Sprintf("listed as %q but is now %q (%s)\n%s", e.Category, c, o.Reason(), sideBySide(o))})
		}
	}
	for k, e := range ex.Entries {
		if covered[ScriptOf(k)] && !seen[k] {
			problems = append(problems, Problem{k, fmt.Sprintf("listed as %q but the script has no such statement: delete the entry", e.Category)})
		}
	}
	sort.Slice(problems, func(i, j int) bool { return keyLess(problems[i].Key, problems[j].Key) })
	return problems, notSupported
}

var followsFrom = regexp.MustCompile(`^follows from #([0-9]+)\b`)

// checkFollowOn verifies a follow-on entry: its reason starts "follows from
// #k" where k is an earlier statement of the same script that differs too.
// It returns "" when the entry holds.
func checkFollowOn(e Entry, u Unit, differs map[string]bool) string {
	m := followsFrom.FindStringSubmatch(e.Reason)
	if m == nil {
		return fmt.Sprintf("follow-on entry's reason must start with \"follows from #k\" (k: the earlier statement that differs): %q", e.Reason)
	}
	k, _ := strconv.Atoi(m[1])
	if k >= u.N {
		return fmt.Sprintf("follow-on entry names #%d, which is not before #%d", k, u.N)
	}
	if !differs[fmt.Sprintf("%s#%d", u.Script, k)] {
		return fmt.Sprintf("follow-on entry names #%d, which now answers like PostgreSQL: this difference is a wrong answer (or gone); move or delete the entry", k)
	}
	return ""
}

func sideBySide(o Outcome) string {
	return fmt.Sprintf("  statement: %s\n  --- postgres\n%s\n  --- borealis\n%s", o.Unit.Snippet(), indent(o.Postgres), indent(o.Borealis))
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// UpdateNotSupported replaces the "not yet supported" entries of the
// covered scripts with fresh ones; the other sections are never touched.
func (ex *Expected) UpdateNotSupported(covered map[string]bool, fresh []Entry) {
	for k, e := range ex.Entries {
		if e.Category == NotSupported && covered[ScriptOf(k)] {
			delete(ex.Entries, k)
		}
	}
	for _, e := range fresh {
		if old, ok := ex.Entries[e.Key]; ok && old.Category != NotSupported {
			continue // listed elsewhere by hand; Check reports a category mismatch
		}
		ex.Entries[e.Key] = e
	}
}

// Psql finds the psql binary: PostgreSQL 15's own, else the one on PATH.
func Psql(pgBin string) (string, error) {
	if p := filepath.Join(pgBin, "psql"); fileExists(p) {
		return p, nil
	}
	p, err := exec.LookPath("psql")
	if err != nil {
		return "", errors.New("psql not found")
	}
	return p, nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// ReadLines reads a file of one psql meta-command per line ("#" comments and
// blank lines skipped) as units.
func ReadLines(name, text string) []Unit {
	var units []Unit
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		units = append(units, Unit{Script: name, N: len(units) + 1, Text: l})
	}
	return units
}
