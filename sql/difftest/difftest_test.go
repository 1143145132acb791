package difftest

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitScript(t *testing.T) {
	src := "-- header comment\ncreate table t (a int);\n\ninsert into t values (1), (2);\nselect 'a;b', $$x;y$$\n  from t; -- trailing\nselect 1 /* ; */;\n"
	units, err := SplitScript("s.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create table t (a int)", "insert into t values (1), (2)", "select 'a;b', $$x;y$$\n  from t", "select 1 /* ; */"}
	if len(units) != len(want) {
		t.Fatalf("got %d units %+v, want %d", len(units), units, len(want))
	}
	for i, u := range units {
		if u.Text != want[i] || u.N != i+1 || u.Script != "s.sql" {
			t.Errorf("unit %d = %+v, want text %q", i, u, want[i])
		}
	}
	if k := units[2].Key(); k != "s.sql#3" {
		t.Errorf("key %q", k)
	}
	if _, err := SplitScript("bad.sql", "select 'unterminated"); err == nil {
		t.Log("scanner accepted an unterminated literal (it splits leniently)")
	}
}

func TestDriverAndCut(t *testing.T) {
	units := []Unit{{Script: "x", N: 1, Text: "select 1"}, {Script: "x", N: 2, Text: `\d t`}, {Script: "x", N: 3, Text: "select 3"}}
	d := DriverScript(units)
	for i, want := range []string{"\\echo '" + Marker(1) + "'", "\\warn '" + Marker(2) + "'", "select 1;", "\\d t\n", "select 3;"} {
		if !strings.Contains(d, want) {
			t.Errorf("driver lacks %d %q:\n%s", i, want, d)
		}
	}
	out := "pre\n" + Marker(1) + "\na\n(1 row)\n" + Marker(2) + "\n" + Marker(3) + "\nlast\n"
	pro, blocks := CutOutput(out, 3)
	if pro != "pre\n" || !reflect.DeepEqual(blocks, []string{"a\n(1 row)\n", "", "last\n"}) {
		t.Fatalf("prologue %q blocks %q", pro, blocks)
	}
	// psql stopped after statement 1: the rest are Missing.
	_, blocks = CutOutput(Marker(1)+"\nx\n", 3)
	if blocks[0] != "x\n" || blocks[1] != Missing || blocks[2] != Missing {
		t.Fatalf("blocks %q", blocks)
	}
	// Out-of-range and malformed markers are text.
	_, blocks = CutOutput(Marker(1)+"\n"+Marker(9)+"\n@@@difftest x@@@\n", 1)
	if blocks[0] != Marker(9)+"\n@@@difftest x@@@\n" {
		t.Fatalf("blocks %q", blocks)
	}
}

func TestNormalizeAndErrorCode(t *testing.T) {
	tests := []struct{ in, norm, code string }{
		{"psql:/tmp/x/a.sql:12: ERROR:  23505\n", "ERROR:  23505", "23505"},
		{"id|n  \n1|2\n(1 row)\n\n", "id|n\n1|2\n(1 row)", ""},
		{"CREATE TABLE\npsql:f.sql:3: NOTICE:  42P07\n", "CREATE TABLE\nNOTICE:  42P07", ""},
		{"psql:f:1: FATAL:  57P01\n", "FATAL:  57P01", "57P01"},
		{"ERROR:  syntax error at or near", "ERROR:  syntax error at or near", ""},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.norm)
		}
		if got := ErrorCode(tc.in); got != tc.code {
			t.Errorf("ErrorCode(%q) = %q, want %q", tc.in, got, tc.code)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		pg, bo string
		want   Category
	}{
		{"x\n(1 row)", "ERROR:  0A000", NotSupported},
		{"ERROR:  23505", "ERROR:  0A000", NotSupported},
		{"ERROR:  23505", "ERROR:  42P01", NotSupported},
		{"ERROR:  23505", "INSERT 0 1", Wrong},
		{"x\n1\n(1 row)", "x\n2\n(1 row)", Wrong},
		{"x\n(1 row)", Missing, Wrong},
	}
	for _, tc := range tests {
		o := Outcome{Postgres: tc.pg, Borealis: tc.bo}
		if got := o.Classify(); got != tc.want {
			t.Errorf("Classify(pg %q, bo %q) = %v, want %v", tc.pg, tc.bo, got, tc.want)
		}
	}
}

const sample = "# title\n\ntext\n\n## not yet supported\n\n- a.sql#2 `select 2`: borealis ERROR 0A000, postgres answers\n\n## accepted difference\n\nsome commentary\n- a.sql#3 `select version()`: ours\n\n## wrong answers (bugs)\n\n- b.sql#1 `select 1`: off by one\n\n## follow-on differences\n\n- a.sql#4 `select 4`: follows from #2 (refused)\n"

func TestParseFormat(t *testing.T) {
	ex, err := ParseExpected(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Entries) != 4 || ex.Entries["b.sql#1"].Category != Wrong || ex.Entries["a.sql#3"].Reason != "ours" ||
		ex.Entries["a.sql#4"].Category != FollowOn || ex.Extra[Accepted] != "some commentary\n" {
		t.Fatalf("parsed %+v", ex)
	}
	again, err := ParseExpected(ex.Format())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex, again) {
		t.Fatalf("format/parse round trip differs:\n%s", ex.Format())
	}
	for _, bad := range []string{
		"## no such section\n",
		"## not yet supported\n- a.sql#1 no snippet\n",
		"## not yet supported\n- a.sql#1 `x`: r\n## wrong answers (bugs)\n- a.sql#1 `x`: r\n",
	} {
		if _, err := ParseExpected(bad); err == nil {
			t.Errorf("ParseExpected(%q) accepted", bad)
		}
	}
}

func outcome(script string, n int, text, pg, bo string) Outcome {
	return Outcome{Unit: Unit{Script: script, N: n, Text: text}, Postgres: pg, Borealis: bo}
}

func TestCheck(t *testing.T) {
	ex, err := ParseExpected(sample)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(n int, text string) Outcome { return outcome("a.sql", n, text, "x", "x") }
	base := []Outcome{
		ok(1, "select 1"),
		outcome("a.sql", 2, "select 2", "x", "ERROR:  0A000"),
		outcome("a.sql", 3, "select version()", "PostgreSQL", "Borealis"),
		outcome("a.sql", 4, "select 4", "1", "2"),
		outcome("b.sql", 1, "select 1", "1", "2"),
	}
	problems, fresh := Check(ex, base)
	if len(problems) != 0 {
		t.Fatalf("problems on the listed state: %+v", problems)
	}
	if len(fresh) != 1 || fresh[0].Key != "a.sql#2" {
		t.Fatalf("fresh %+v", fresh)
	}
	mutate := func(i int, o Outcome) []Outcome {
		c := append([]Outcome(nil), base...)
		c[i] = o
		return c
	}
	tests := []struct {
		name     string
		outcomes []Outcome
		key      string
		msg      string
	}{
		{"listed unsupported now matches", mutate(1, ok(2, "select 2")), "a.sql#2", "delete the entry"},
		{"listed unsupported now wrong", mutate(1, outcome("a.sql", 2, "select 2", "x", "y")), "a.sql#2", "is now"},
		{"accepted now matches", mutate(2, ok(3, "select version()")), "a.sql#3", "delete the entry"},
		{"unlisted wrong", mutate(0, outcome("a.sql", 1, "select 1", "x", "y")), "a.sql#1", "unlisted difference (wrong answers (bugs))"},
		{"unlisted unsupported", mutate(0, outcome("a.sql", 1, "select 1", "x", "ERROR:  42883")), "a.sql#1", "unlisted difference (not yet supported)"},
		{"statement changed", mutate(4, outcome("b.sql", 1, "select 11", "1", "2")), "b.sql#1", "renumber"},
		{"wrong answer fixed", mutate(4, outcome("b.sql", 1, "select 1", "1", "1")), "b.sql#1", "delete the entry"},
		{"wrong answer listed becomes error", mutate(4, outcome("b.sql", 1, "select 1", "1", "ERROR:  0A000")), "b.sql#1", "is now"},
		{"follow-on cause gone", mutate(1, ok(2, "select 2")), "a.sql#4", "now answers like PostgreSQL"},
		{"entry for a missing statement", base[:3], "a.sql#4", "no such statement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems, _ := Check(ex, tc.outcomes)
			for _, p := range problems {
				if p.Key == tc.key && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Fatalf("no problem %s %q among %+v", tc.key, tc.msg, problems)
		})
	}
	// A script not covered by the run keeps its entries unchecked.
	if problems, _ := Check(ex, base[:4]); len(problems) != 0 {
		t.Fatalf("uncovered script b.sql reported: %+v", problems)
	}
}

func TestCheckFollowOnReason(t *testing.T) {
	for _, tc := range []struct{ reason, msg string }{
		{"because of #2", "must start with"},
		{"follows from #4 (itself)", "not before"},
		{"follows from #1 (matches)", "now answers like PostgreSQL"},
	} {
		ex := &Expected{Entries: map[string]Entry{
			"a.sql#2": {Category: NotSupported, Key: "a.sql#2", Snippet: "select 2", Reason: "r"},
			"a.sql#4": {Category: FollowOn, Key: "a.sql#4", Snippet: "select 4", Reason: tc.reason},
		}}
		problems, _ := Check(ex, []Outcome{
			outcome("a.sql", 1, "select 1", "x", "x"),
			outcome("a.sql", 2, "select 2", "x", "ERROR:  0A000"),
			outcome("a.sql", 4, "select 4", "1", "2"),
		})
		if len(problems) != 1 || !strings.Contains(problems[0].Message, tc.msg) {
			t.Errorf("reason %q: problems %+v, want %q", tc.reason, problems, tc.msg)
		}
	}
}

func TestUpdateNotSupported(t *testing.T) {
	ex, err := ParseExpected(sample)
	if err != nil {
		t.Fatal(err)
	}
	fresh := []Entry{
		{Category: NotSupported, Key: "a.sql#5", Snippet: "s5", Reason: "new"},
		{Category: NotSupported, Key: "b.sql#1", Snippet: "select 1", Reason: "hand-listed elsewhere"},
	}
	ex.UpdateNotSupported(map[string]bool{"a.sql": true, "b.sql": true}, fresh)
	if _, ok := ex.Entries["a.sql#2"]; ok {
		t.Error("stale not-supported entry kept")
	}
	if ex.Entries["a.sql#5"].Reason != "new" || ex.Entries["b.sql#1"].Category != Wrong ||
		ex.Entries["a.sql#3"].Category != Accepted || ex.Entries["a.sql#4"].Category != FollowOn {
		t.Fatalf("entries after update: %+v", ex.Entries)
	}
}

func TestReadLines(t *testing.T) {
	u := ReadLines("m.txt", "# c\n\\dt\n\n  \\d t  \n")
	if len(u) != 2 || u[0].Text != `\dt` || u[1].Text != `\d t` || u[1].N != 2 {
		t.Fatalf("%+v", u)
	}
}

// FuzzParseExpected: parsing never panics, and whatever parses survives a
// format/parse round trip unchanged.
func FuzzParseExpected(f *testing.F) {
	f.Add(sample)
	f.Add("## wrong answers (bugs)\n- x#1 `a`: b\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		ex, err := ParseExpected(s)
		if err != nil {
			return
		}
		again, err := ParseExpected(ex.Format())
		if err != nil {
			t.Fatalf("formatted file does not parse: %v\n%s", err, ex.Format())
		}
		if !reflect.DeepEqual(ex, again) {
			t.Fatalf("round trip differs:\n%q\n%q", s, ex.Format())
		}
	})
}

// FuzzCutOutput: cutting never panics and always yields n blocks.
func FuzzCutOutput(f *testing.F) {
	f.Add(Marker(1)+"\na\n"+Marker(2)+"\n", 2)
	f.Add("@@@difftest 0@@@\n@@@difftest -1@@@\n", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1000 {
			return
		}
		_, blocks := CutOutput(s, n)
		if len(blocks) != n {
			t.Fatalf("%d blocks, want %d", len(blocks), n)
		}
	})
}
