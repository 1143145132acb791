package session

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/borealis-db/borealis/buffer/memlog"
	"github.com/borealis-db/borealis/sql/exec"
	"github.com/borealis-db/borealis/wire"
)

// collect is a wire.ResultWriter that records rows as text.
type collect struct {
	rows [][]string
	tags []string
}

func (c *collect) BeginRows([]wire.Column) error { return nil }
func (c *collect) WriteRow(v [][]byte) error {
	r := make([]string, len(v))
	for i, b := range v {
		if b == nil {
			r[i] = "NULL"
		} else {
			r[i] = string(b)
		}
	}
	c.rows = append(c.rows, r)
	return nil
}
func (c *collect) Complete(tag string) error            { c.tags = append(c.tags, tag); return nil }
func (c *collect) EmptyQuery() error                    { return nil }
func (c *collect) Notice(*wire.Error) error             { return nil }
func (c *collect) ParameterStatus(string, string) error { return nil }
func (c *collect) CopyIn(wire.CopyFormat, int) (io.Reader, error) {
	return nil, &wire.Error{Code: "0A000", Message: "no copy here"}
}

// TestCatalogSurvivesRestart: the catalog and data live in pages; a new
// engine on the same log (a writer restart) finds them, including the
// primary key index, and DDL aborted before the restart is gone.
func TestCatalogSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	log := memlog.New(nil)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func() (*exec.DB, wire.Session) {
		db, err := exec.Open(ctx, log, 8<<20, true)
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(db, logger).Startup(ctx, wire.StartupInfo{User: "u", Database: "d"})
		if err != nil {
			t.Fatal(err)
		}
		return db, s
	}
	run := func(s wire.Session, q string) *collect {
		t.Helper()
		c := &collect{}
		if err := s.Exec(ctx, q, c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return c
	}
	db, s := open()
	run(s, "create table k (id int8 primary key, name varchar(20) not null default 'x')")
	run(s, "insert into k (id) select g from generate_series(1, 500) as g")
	run(s, "begin; create table gone (a int); insert into gone values (1)")
	_ = s.Close() // rolls back the open block
	db.Close()

	db2, s2 := open()
	defer db2.Close()
	c := run(s2, "select count(*), min(name), max(id) from k")
	if got := c.rows[0]; got[0] != "500" || got[1] != "x" || got[2] != "500" {
		t.Fatalf("after restart: %v", got)
	}
	if c := run(s2, "explain select name from k where id = 42"); c.rows[0][0] != "Index Scan using k_pkey on k" {
		t.Fatalf("plan after restart: %v", c.rows)
	}
	if c := run(s2, "select name from k where id = 42"); len(c.rows) != 1 {
		t.Fatalf("index lookup after restart: %v", c.rows)
	}
	if err := s2.Exec(ctx, "select * from gone", &collect{}); err == nil {
		t.Fatal("table created by an aborted transaction exists after restart")
	}
}
