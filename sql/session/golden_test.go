package session

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden runs sql/testdata/*.sql statement by statement through the
// simple protocol of a real server and compares each result (rows, command
// tag, or SQLSTATE) with the .golden file next to it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ts := startServer(t)
			c := ts.connect(t).PgConn()
			var out strings.Builder
			for _, stmt := range splitScript(string(src)) {
				fmt.Fprintf(&out, "> %s\n", stmt)
				res, err := c.Exec(context.Background(), stmt).ReadAll()
				var pe *pgconn.PgError
				if errors.As(err, &pe) {
					fmt.Fprintf(&out, "ERROR %s: %s\n", pe.Code, pe.Message)
					continue
				} else if err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
				for _, r := range res {
					if len(r.FieldDescriptions) > 0 {
						var names []string
						for _, fd := range r.FieldDescriptions {
							names = append(names, fd.Name)
						}
						fmt.Fprintf(&out, "%s\n", strings.Join(names, " | "))
						for _, row := range r.Rows {
							var vals []string
							for _, v := range row {
								if v == nil {
									vals = append(vals, "NULL")
								} else {
									vals = append(vals, string(v))
								}
							}
							fmt.Fprintf(&out, "%s\n", strings.Join(vals, " | "))
						}
					}
					fmt.Fprintf(&out, "%s\n", r.CommandTag.String())
				}
			}
			golden := strings.TrimSuffix(f, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := out.String(); got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Fatalf("line %d differs:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("output length differs: got %d lines, want %d", len(gl), len(wl))
			}
		})
	}
}

// splitScript splits a script into statements: one per line ending in ';'
// (lines starting with -- are comments).
func splitScript(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") || strings.TrimSpace(line) == "" {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		} else {
			cur.WriteString(" ")
		}
	}
	return out
}
