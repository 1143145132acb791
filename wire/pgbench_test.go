package wire

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPgbenchProtocolModes drives the server with the real pgbench in every
// protocol mode (and pipeline mode) on a custom script the test engine double
// understands. The builtin scripts need the SQL engine and are tested there.
func TestPgbenchProtocolModes(t *testing.T) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench not installed")
	}
	if testing.Short() {
		t.Skip("starts pgbench processes")
	}
	ts := startTestServer(t, nil)
	dir := t.TempDir()
	scripts := map[string]string{
		"plain.sql": "\\set v random(1, 1000000)\nselect :v::int8;\nselect 'x', :v;\nbegin;\nselect 1;\nend;\n",
		"pipe.sql":  "\\set v random(1, 100)\n\\startpipeline\nselect :v::int8;\nselect 2;\n\\endpipeline\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ mode, script string }{
		{"simple", "plain.sql"}, {"extended", "plain.sql"}, {"prepared", "plain.sql"},
		{"extended", "pipe.sql"}, {"prepared", "pipe.sql"},
	} {
		t.Run(tc.mode+"/"+tc.script, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, pgbench, "-n", "-h", "127.0.0.1", "-p", strconv.Itoa(ts.addr.Port),
				"-U", testUser, "-M", tc.mode, "-c", "4", "-j", "2", "-t", "50", "-f", filepath.Join(dir, tc.script), "testdb")
			cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pgbench: %v\n%s", err, out)
			}
			s := string(out)
			if !strings.Contains(s, "number of transactions actually processed: 200/200") ||
				!strings.Contains(s, "number of failed transactions: 0 (0.000%)") {
				t.Fatalf("pgbench did not complete every transaction:\n%s", s)
			}
		})
	}
}
