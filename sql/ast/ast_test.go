package ast

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/sql/types"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGolden parses every testdata/*.sql file (a multi-statement string)
// and compares the dump of each statement with testdata/*.golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := Parse(string(src))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var b strings.Builder
		for _, s := range stmts {
			b.WriteString("-- " + strings.Join(strings.Fields(stripComments(s.SQL)), " ") + "\n")
			b.WriteString(Dump(s.Stmt))
			b.WriteString("\n")
		}
		golden := strings.TrimSuffix(f, ".sql") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s: dump differs from %s (run go test -update and review the diff)\n%s", f, golden, firstDiff(b.String(), string(want)))
		}
	}
}

func stripComments(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n got: " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)))
}

func sqlErr(t *testing.T, err error) *types.Error {
	t.Helper()
	var e *types.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *types.Error", err, err)
	}
	return e
}

func TestUnsupportedConstructs(t *testing.T) {
	cases := []struct{ sql, msg string }{
		{"CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "CREATE FUNCTION is not supported"},
		{"CREATE TABLE p (a int) PARTITION BY RANGE (a)", "partitioned tables is not supported"},
		{"CREATE TABLE p (a int) TABLESPACE ts", "tablespaces is not supported"},
		{"CREATE TABLE c () INHERITS (p)", "table inheritance is not supported"},
		{"SELECT a INTO b FROM t UNION SELECT 1", "SELECT INTO is not supported"},
		{"CREATE MATERIALIZED VIEW m AS SELECT 1", "CREATE MATERIALIZED VIEW is not supported"},
		{"SELECT 1 INTO TEMP tt", "temporary tables is not supported"},
		{"SELECT a FROM t GROUP BY ROLLUP (a)", "GROUPING SETS, ROLLUP and CUBE is not supported"},
		{"SELECT (a).b FROM t", "field selection is not supported"},
		{"SELECT B'101'", "bit-string literals is not supported"},
		{"COPY t FROM '/etc/passwd'", "COPY to or from a file or program is not supported"},
		{"LISTEN chan", "LISTEN is not supported"},
		{"PREPARE TRANSACTION 'x'", "two-phase commit is not supported"},
		{`ALTER TABLE t ALTER COLUMN a TYPE text COLLATE "C"`, "ALTER COLUMN TYPE with COLLATE is not supported"},
		{"CREATE TABLE t (a int PRIMARY KEY DEFERRABLE)", "deferrable constraints is not supported"},
		{"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t", "WITHIN GROUP is not supported"},
		{"DELETE FROM t WHERE CURRENT OF c", "WHERE CURRENT OF is not supported"},
		{"SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))", "ROWS FROM is not supported"},
		{"VACUUM (NO_SUCH_OPTION) t", "VACUUM option no_such_option is not supported"},
		{"CREATE INDEX ON t (a text_pattern_ops)", "index collations and operator classes is not supported"},
		{"CREATE TABLE t (a int[] )", ""}, // parses, and resolves to int4[]
	}
	for _, c := range cases {
		stmts, err := Parse(c.sql)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.sql, err)
				continue
			}
			ct := stmts[0].Stmt.(*CreateTable)
			if typ, err := ct.Columns[0].Type.Resolve(); err != nil || typ.OID != types.OIDInt4Array {
				t.Errorf("%s: array type resolved to %v, %v", c.sql, typ, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted, want 0A000", c.sql)
			continue
		}
		e := sqlErr(t, err)
		if e.Code != types.CodeFeatureNotSupported || e.Message != c.msg {
			t.Errorf("%s: got %s %q, want 0A000 %q", c.sql, e.Code, e.Message, c.msg)
		}
	}
}

// TestSyntaxErrors checks code 42601, PostgreSQL's message and the cursor
// position (1-based characters, as psql shows it).
func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		sql string
		msg string
		pos int
	}{
		{"SELEC 1", `syntax error at or near "SELEC"`, 1},
		{"SELECT * FROM", `syntax error at end of input`, 14},
		{"SELECT 1 +", `syntax error at end of input`, 11},
		{"select * form t", `syntax error at or near "form"`, 10},
		{"INSERT INTO t VALUES (1,", `syntax error at end of input`, 25},
		{"SELECT 'é' FROM WHERE", `syntax error at or near "WHERE"`, 17},
		{"SELECT 'unterminated", `unterminated quoted string at or near "'unterminated"`, 8},
		{"CREATE TABLE (a int)", `syntax error at or near "("`, 14},
		{"SELECT 1; SELECT (", `syntax error at end of input`, 19},
	}
	for _, c := range cases {
		_, err := Parse(c.sql)
		if err == nil {
			t.Errorf("%s: accepted", c.sql)
			continue
		}
		e := sqlErr(t, err)
		if e.Code != types.CodeSyntaxError || e.Message != c.msg || e.Position != c.pos {
			t.Errorf("%q: got %s %q at %d, want 42601 %q at %d", c.sql, e.Code, e.Message, e.Position, c.msg, c.pos)
		}
	}
}

func TestSplit(t *testing.T) {
	stmts, err := Parse("  BEGIN;UPDATE t SET a = 1 ; -- note\n SELECT ';' ;;\nEND  ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BEGIN", "UPDATE t SET a = 1", "-- note\n SELECT ';'", "END"}
	if len(stmts) != len(want) {
		t.Fatalf("got %d statements", len(stmts))
	}
	for i, s := range stmts {
		if s.SQL != want[i] {
			t.Errorf("statement %d: %q, want %q", i, s.SQL, want[i])
		}
	}
	if stmts, err := Parse("  ;  -- nothing\n"); err != nil || len(stmts) != 0 {
		t.Errorf("empty query: %v %v", stmts, err)
	}
}

func TestLiteralTyping(t *testing.T) {
	cases := map[string]string{
		"SELECT 2147483647":           "integer",
		"SELECT 2147483648":           "bigint",
		"SELECT 9223372036854775808":  "numeric",
		"SELECT 1.0":                  "numeric",
		"SELECT 'a'":                  "unknown",
		"SELECT true":                 "boolean",
		"SELECT NULL":                 "unknown",
		"SELECT -2147483648":          "integer",
		"SELECT 1e2":                  "numeric",
		"SELECT 00000000000000000001": "integer",
	}
	for sql, want := range cases {
		st, err := ParseOne(sql)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := st.(*Select).Targets[0].Expr.(*Const)
		if !ok || c.Type.String() != want {
			t.Errorf("%s: %#v, want %s", sql, st.(*Select).Targets[0].Expr, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		sql, key string
		consts   []string
		ok       bool
	}{
		{"UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;",
			"UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", []string{"-4321", "76543"}, true},
		{"select a -1, -2147483648, (-5), 3 - 2", "select a -$1, $2, ($3), $4 - $5", []string{"1", "-2147483648", "-5", "3", "2"}, true},
		{"SELECT abalance FROM pgbench_accounts WHERE aid = 5", "SELECT abalance FROM pgbench_accounts WHERE aid = $1", []string{"5"}, true},
		{"INSERT INTO h (a, b) VALUES (7, 'it''s', 1.50, 3000000000)", "INSERT INTO h (a, b) VALUES ($1, $2, $3, $4)", []string{"7", "it's", "1.50", "3000000000"}, true},
		{"select t1.a from t1 where b like 'x%'", "select t1.a from t1 where b like $1", []string{"x%"}, true},
		{"select a from t order by 1", "", nil, false},
		{"select a from t group by a, 2", "", nil, false},
		{"select a from t order by a limit 5", "select a from t order by a limit $1", []string{"5"}, true},
		{"select date '2024-01-01'", "", nil, false},
		{"select -0::float8", "", nil, false}, // -(0::float8): the cast binds tighter
		{"select a, -1 :: int4", "", nil, false},
		{"select a - 1::int4", "select a - $1::int4", []string{"1"}, true},
		{"select E'\\n'", "", nil, false},
		{"select $1", "", nil, false},
		{"select 'a'::varchar(10)", "", nil, false},
		{"create table t (a int)", "", nil, false},
		{"select \"Col1\" from \"T2\" where x = 'a'", "select \"Col1\" from \"T2\" where x = $1", []string{"a"}, true},
		{"select 0x1f", "", nil, false},
	}
	for _, c := range cases {
		n, ok := Normalize(c.sql)
		if ok != c.ok {
			t.Errorf("%s: ok=%v", c.sql, ok)
			continue
		}
		if !ok {
			continue
		}
		if n.Key != c.key || len(n.Consts) != len(c.consts) {
			t.Errorf("%s: key %q with %d consts", c.sql, n.Key, len(n.Consts))
			continue
		}
		for i, k := range n.Consts {
			if got := types.FormatText(k.Type, k.Value, nil); got != c.consts[i] {
				t.Errorf("%s: const %d = %q want %q", c.sql, i, got, c.consts[i])
			}
		}
		// The key parses, and its parameters line up with the constants.
		if _, err := Parse(n.Key); err != nil {
			t.Errorf("%s: key does not parse: %v", c.sql, err)
		}
	}
}

// TestNormalizeEquivalence checks, for every testdata statement that
// normalizes, that parsing the key and putting the constants in place of
// the parameters gives the same tree as parsing the original.
func TestNormalizeEquivalence(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.sql")
	checked := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		stmts, err := Parse(string(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			n, ok := Normalize(s.SQL)
			if !ok {
				continue
			}
			keyStmt, err := ParseOne(n.Key)
			if err != nil {
				t.Errorf("%s: key %q: %v", s.SQL, n.Key, err)
				continue
			}
			bindConsts(reflect.ValueOf(keyStmt), n.Consts)
			if got, want := Dump(keyStmt), Dump(s.Stmt); got != want {
				t.Errorf("%s: normalized tree differs:\n%s", s.SQL, firstDiff(got, want))
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("only %d statements normalized", checked)
	}
}

var exprType = reflect.TypeOf((*Expr)(nil)).Elem()

// bindConsts replaces every *Param in the tree by its constant.
func bindConsts(v reflect.Value, consts []*Const) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			bindConsts(v.Elem(), consts)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			bindField(v.Field(i), consts)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			bindField(v.Index(i), consts)
		}
	}
}

func bindField(f reflect.Value, consts []*Const) {
	if f.Kind() == reflect.Interface && f.Type() == exprType && !f.IsNil() {
		if p, ok := f.Interface().(*Param); ok && f.CanSet() {
			f.Set(reflect.ValueOf(Expr(consts[p.Index-1])))
			return
		}
	}
	bindConsts(f, consts)
}

func TestFingerprint(t *testing.T) {
	a, err := Fingerprint("SELECT abalance FROM pgbench_accounts WHERE aid = 1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Fingerprint("select abalance from pgbench_accounts where aid = 99")
	c, _ := Fingerprint("select bbalance from pgbench_branches where bid = 99")
	if a != b || a == c {
		t.Errorf("fingerprints %x %x %x", a, b, c)
	}
	if _, err := Fingerprint("SELEC"); err == nil {
		t.Error("fingerprint of a syntax error")
	}
}

// FuzzParse checks that no input panics the parser or the conversion, and
// that every error is a *types.Error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"SELECT 1", "UPDATE t SET a = a + 1 WHERE b = 2", "CREATE TABLE t (a int primary key)",
		"SELECT * FROM a JOIN b USING (c) WHERE x IN (SELECT 1)", "COPY t FROM STDIN WITH (FORMAT csv)", "BEGIN; END", "SELEC",
		"UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;", "select a from t order by a, 2 limit 5 offset 1",
		"INSERT INTO h VALUES (1, 'x', 1.5e3, -7, CURRENT_TIMESTAMP)", "select 'a' || 'b', a::numeric(5,2) from t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 4096 {
			return
		}
		stmts, err := Parse(sql)
		if err != nil {
			var e *types.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		for _, s := range stmts {
			_ = Dump(s.Stmt)
		}
		// A normalizable single statement must mean the same after
		// normalization.
		if n, ok := Normalize(sql); ok && len(stmts) == 1 {
			keyStmts, err := Parse(n.Key)
			if err != nil || len(keyStmts) != 1 {
				t.Fatalf("%q normalized to %q: %v", sql, n.Key, err)
			}
			bindConsts(reflect.ValueOf(keyStmts[0].Stmt), n.Consts)
			if got, want := Dump(keyStmts[0].Stmt), Dump(stmts[0].Stmt); got != want {
				t.Fatalf("%q normalized to %q changes the tree:\n%s", sql, n.Key, firstDiff(got, want))
			}
		}
	})
}

func BenchmarkParsePgbenchUpdate(b *testing.B) {
	sql := "UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;"
	for i := 0; i < b.N; i++ {
		if _, err := Parse(sql); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprintPgbenchUpdate(b *testing.B) {
	sql := "UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;"
	for i := 0; i < b.N; i++ {
		if _, err := Fingerprint(sql); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizePgbenchUpdate(b *testing.B) {
	sql := "UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 76543;"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := Normalize(sql); !ok {
			b.Fatal("not normalized")
		}
	}
}

func TestWalk(t *testing.T) {
	st, err := ParseOne("SELECT count(*), sum(a) FILTER (WHERE b > $1) FROM t WHERE c IN (SELECT max(d) FROM u WHERE e = $2) ORDER BY $3")
	if err != nil {
		t.Fatal(err)
	}
	var funcs []string
	params := 0
	Walk(st, func(n Node) bool {
		switch x := n.(type) {
		case *FuncCall:
			funcs = append(funcs, x.Name)
		case *Param:
			params++
		case *Subquery:
			return false // do not enter subqueries
		}
		return true
	})
	if strings.Join(funcs, ",") != "count,sum" || params != 2 {
		t.Fatalf("funcs %v params %d", funcs, params)
	}
}

func TestCommandTag(t *testing.T) {
	cases := map[string]string{
		"BEGIN": "BEGIN", "START TRANSACTION": "START TRANSACTION", "END": "COMMIT", "ABORT": "ROLLBACK",
		"ROLLBACK TO SAVEPOINT a": "ROLLBACK", "RELEASE a": "RELEASE", "SAVEPOINT a": "SAVEPOINT",
		"truncate t": "TRUNCATE TABLE", "VALUES (1)": "SELECT", "vacuum analyze t": "VACUUM", "analyze": "ANALYZE",
		"drop table if exists a, b": "DROP TABLE", "drop schema s": "DROP SCHEMA", "SET TIME ZONE 'UTC'": "SET",
		"copy t from stdin": "COPY", "insert into t values (1)": "INSERT", "alter table t rename to u": "ALTER TABLE",
		"create unique index on t (a)": "CREATE INDEX", "show all": "SHOW", "reset all": "RESET",
	}
	for sql, want := range cases {
		st, err := ParseOne(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := CommandTag(st); got != want {
			t.Errorf("%s: %q, want %q", sql, got, want)
		}
	}
}
