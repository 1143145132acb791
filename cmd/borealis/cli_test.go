package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the borealis command line in-process.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// hashTree hashes every path, mode and content under dir ("" when it does
// not exist), to check that a command changed nothing on disk.
func hashTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel + "\x00" + info.Mode().String() + "\x00"))
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// localClusterDir writes a generated local cluster into a new data directory.
func localClusterDir(t *testing.T) (string, *cluster) {
	t.Helper()
	c, err := newLocalCluster(false)
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.encode()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, clusterFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, c
}

func writeFile(t *testing.T, path, s string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBadInput: every bad input is a one-line error that says what to do,
// and leaves the data directory as it was.
func TestBadInput(t *testing.T) {
	type setup struct {
		dir  string // the data directory to compare before and after
		args []string
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T) setup
		wantErr string
	}{
		{"unknown node for kill", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"kill", "zz", "--dir", dir}}
		}, `unknown node "zz": valid nodes are a1, a2, b1, b2, c1, c2`},
		{"unknown node for stop", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"stop", "d1", "--dir", dir}}
		}, `valid nodes are a1, a2, b1, b2, c1, c2`},
		{"unknown node for start", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"start", "writer", "--dir", dir}}
		}, `valid nodes are a1, a2, b1, b2, c1, c2`},
		{"no node name", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"kill", "--dir", dir}}
		}, "takes node names"},
		{"port in use", func(t *testing.T) setup {
			dir, c := localClusterDir(t)
			ln, err := net.Listen("tcp", c.Nodes[2].HTTP)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			return setup{dir, []string{"up", "--dir", dir}}
		}, "already in use: stop the program using it, or change the port"},
		{"port in use for start", func(t *testing.T) setup {
			dir, c := localClusterDir(t)
			ln, err := net.Listen("tcp", c.Nodes[0].Listen)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			return setup{dir, []string{"start", "a1", "--dir", dir}}
		}, "(listen address of node a1) is already in use"},
		{"another cluster's directory", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			cfg := writeFile(t, filepath.Join(t.TempDir(), "other.toml"), validTOML)
			return setup{dir, []string{"up", "--dir", dir, "--config", cfg}}
		}, `belongs to cluster "local-`},
		{"another cluster's directory for status", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			cfg := writeFile(t, filepath.Join(t.TempDir(), "other.toml"), validTOML)
			return setup{dir, []string{"status", "--dir", dir, "--config", cfg}}
		}, "use another --dir, or the config of that cluster"},
		{"newer format", func(t *testing.T) setup {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, clusterFile), strings.Replace(validTOML, "format = 1", "format = 7", 1))
			return setup{dir, []string{"up", "--dir", dir}}
		}, "has format 7 but this borealis understands up to format 1: use a newer borealis binary"},
		{"newer format for status", func(t *testing.T) setup {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, clusterFile), strings.Replace(validTOML, "format = 1", "format = 2", 1))
			return setup{dir, []string{"status", "--dir", dir}}
		}, "use a newer borealis binary"},
		{"malformed config file", func(t *testing.T) setup {
			dir := filepath.Join(t.TempDir(), "data")
			cfg := writeFile(t, filepath.Join(t.TempDir(), "bad.toml"), "format = 1\n[[node]\nname = \"a1\"\n")
			return setup{dir, []string{"up", "--dir", dir, "--config", cfg}}
		}, "is not a valid cluster file"},
		{"malformed cluster file in the directory", func(t *testing.T) setup {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, clusterFile), "format = = 1\n")
			return setup{dir, []string{"up", "--dir", dir}}
		}, "is not a valid cluster file"},
		{"invalid config file", func(t *testing.T) setup {
			dir := filepath.Join(t.TempDir(), "data")
			cfg := writeFile(t, filepath.Join(t.TempDir(), "bad.toml"), strings.Replace(validTOML, "127.0.0.1:7001", "127.0.0.1:99999", 1))
			return setup{dir, []string{"up", "--dir", dir, "--config", cfg}}
		}, "between 1 and 65535"},
		{"missing config file", func(t *testing.T) setup {
			dir := filepath.Join(t.TempDir(), "data")
			return setup{dir, []string{"up", "--dir", dir, "--config", filepath.Join(dir, "nope.toml")}}
		}, "read config"},
		{"directory that is not a cluster's", func(t *testing.T) setup {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "notes.txt"), "mine")
			return setup{dir, []string{"up", "--dir", dir}}
		}, "is not empty and has no cluster.toml"},
		{"status without a cluster", func(t *testing.T) setup {
			dir := filepath.Join(t.TempDir(), "none")
			return setup{dir, []string{"status", "--dir", dir}}
		}, "start one with `borealis up"},
		{"unknown --nodes", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"up", "--dir", dir, "--nodes", "a1,q9"}}
		}, `unknown node "q9"`},
		{"unknown drill", func(t *testing.T) setup {
			return setup{t.TempDir(), []string{"drill", "meteor"}}
		}, "name one drill: storage-loss, az-outage, az-plus-one, writer-crash"},
		{"drill without a cluster", func(t *testing.T) setup {
			dir := filepath.Join(t.TempDir(), "none")
			return setup{dir, []string{"drill", "az-plus-one", "--dir", dir}}
		}, "start one with `borealis up"},
		{"drill on a stopped cluster", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"drill", "storage-loss", "--dir", dir}}
		}, "is not running on this host: start the cluster with `borealis up"},
		{"fresh drill on a cluster's directory", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"drill", "storage-loss", "--fresh", "--dir", dir}}
		}, "--fresh needs a new or empty --dir"},
		{"drill with one account", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"drill", "writer-crash", "--accounts", "1", "--dir", dir}}
		}, "--accounts must be between 2 and 100000"},
		{"drill with a negative hold", func(t *testing.T) setup {
			dir, _ := localClusterDir(t)
			return setup{dir, []string{"drill", "az-outage", "--hold", "-1s", "--dir", dir}}
		}, "--hold not negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.setup(t)
			before := hashTree(t, s.dir)
			_, err := runCLI(t, s.args...)
			if err == nil {
				t.Fatalf("borealis %s: no error, want %q", strings.Join(s.args, " "), tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			if after := hashTree(t, s.dir); after != before {
				t.Fatalf("the data directory changed")
			}
		})
	}
}

func TestStatusOfStoppedCluster(t *testing.T) {
	dir, _ := localClusterDir(t)
	out, err := runCLI(t, "status", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a1", "c2", healthDown, "none yet"} {
		if !strings.Contains(out, want) {
			t.Fatalf("status output lacks %q:\n%s", want, out)
		}
	}
	for _, cmd := range []string{"stop", "kill"} {
		out, err := runCLI(t, cmd, "b1", "--dir", dir)
		if err != nil || !strings.Contains(out, "b1 is not running") {
			t.Fatalf("%s b1 on a stopped cluster: %q %v", cmd, out, err)
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range newRootCmd().Commands() {
		if c.Short == "" {
			t.Errorf("command %s lacks help text", c.Name())
		}
	}
}

// TestSelectNodes: with a multi-host cluster file, up starts the nodes whose
// address is on this host, or those named.
func TestSelectNodes(t *testing.T) {
	c, err := parseCluster("x", []byte(validTOML))
	if err != nil {
		t.Fatal(err)
	}
	c.Nodes[1].Listen = "192.0.2.1:5432" // TEST-NET-1: never this host
	l := &loaded{cluster: c}
	sel, err := l.selectNodes(nil)
	if err != nil || len(sel) != 1 || sel[0].Name != "a1" {
		t.Fatalf("local nodes: %v %v", sel, err)
	}
	sel, err = l.selectNodes([]string{"w"})
	if err != nil || len(sel) != 1 || sel[0].Name != "w" {
		t.Fatalf("named nodes: %v %v", sel, err)
	}
	if c.allLoopback() {
		t.Fatal("a cluster with a remote node counted as local")
	}
}
