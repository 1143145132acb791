package ast

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyAstImportsPgQuery checks that sql/ast is the only package of the
// module that imports pg_query_go: everything else reaches PostgreSQL's
// parser, deparser and scanner through this package.
func TestOnlyAstImportsPgQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}}|{{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`,
		"github.com/borealis-db/borealis/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const pgq = "github.com/pganalyze/pg_query_go/v5"
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, ok := strings.Cut(line, "|")
		if !ok {
			continue
		}
		checked++
		if pkg == "github.com/borealis-db/borealis/sql/ast" {
			if !strings.Contains(imports, pgq) {
				t.Errorf("sql/ast does not import %s: is the go list output what this test expects?", pgq)
			}
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if imp == pgq || strings.HasPrefix(imp, pgq+"/") {
				t.Errorf("package %s imports %s (only sql/ast may)", pkg, imp)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("go list listed only %d packages", checked)
	}
}
