package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validTOML = `format = 1
cluster_id = "test-1"

[[node]]
name = "a1"
role = "storage"
az = "a"
listen = "127.0.0.1:7001"
http = "127.0.0.1:8001"
data = "data/a1"

[[node]]
name = "w"
role = "writer"
listen = "127.0.0.1:5432"
http = "127.0.0.1:8000"
data = "data/w"
`

func TestParseCluster(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string // "" means valid
	}{
		{"valid", func(s string) string { return s }, ""},
		{"syntax", func(s string) string { return s + "\n[[node]\n" }, "not a valid cluster file"},
		{"wrong type", func(s string) string { return strings.Replace(s, "format = 1", `format = "one"`, 1) }, "not a valid cluster file"},
		{"newer format", func(s string) string { return strings.Replace(s, "format = 1", "format = 2\nnew_key = 3", 1) }, "use a newer borealis"},
		{"missing format", func(s string) string { return strings.Replace(s, "format = 1", "", 1) }, `add format = 1`},
		{"unknown key", func(s string) string { return strings.Replace(s, `az = "a"`, `az = "a"`+"\nzone = 1", 1) }, `unknown key "node.zone"`},
		{"bad id", func(s string) string { return strings.Replace(s, `"test-1"`, `"a b"`, 1) }, "invalid cluster_id"},
		{"no nodes", func(s string) string { return s[:strings.Index(s, "[[node]]")] }, "no nodes"},
		{"bad name", func(s string) string { return strings.Replace(s, `name = "a1"`, `name = "A 1"`, 1) }, "invalid name"},
		{"duplicate name", func(s string) string { return strings.Replace(s, `name = "w"`, `name = "a1"`, 1) }, "duplicate name"},
		{"unknown role", func(s string) string { return strings.Replace(s, `role = "writer"`, `role = "oracle"`, 1) }, `unknown role "oracle"`},
		{"storage without az", func(s string) string { return strings.Replace(s, `az = "a"`, "", 1) }, "without az"},
		{"no port", func(s string) string { return strings.Replace(s, "127.0.0.1:7001", "127.0.0.1", 1) }, "want host:port"},
		{"port range", func(s string) string { return strings.Replace(s, "127.0.0.1:7001", "127.0.0.1:70001", 1) }, "between 1 and 65535"},
		{"no host", func(s string) string { return strings.Replace(s, "127.0.0.1:7001", ":7001", 1) }, "explicit host"},
		{"shared port", func(s string) string { return strings.Replace(s, "127.0.0.1:8000", "127.0.0.1:7001", 1) }, "also used by a1"},
		{"absolute data", func(s string) string { return strings.Replace(s, `"data/a1"`, `"/tmp/a1"`, 1) }, "must be relative"},
		{"escaping data", func(s string) string { return strings.Replace(s, `"data/a1"`, `"../a1"`, 1) }, "inside the cluster's data directory"},
		{"empty data", func(s string) string { return strings.Replace(s, `data = "data/a1"`, `data = ""`, 1) }, "empty"},
		{"shared data", func(s string) string { return strings.Replace(s, `"data/w"`, `"data/./a1"`, 1) }, "also used by a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCluster("cluster.toml", []byte(tt.edit(validTOML)))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(c.Nodes) != 2 || c.ID != "test-1" || c.Nodes[0].Listen != "127.0.0.1:7001" {
					t.Fatalf("parsed %+v", c)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// TestLocalClusterRoundTrip: a generated cluster is valid, and encoding then
// parsing it gives it back unchanged.
func TestLocalClusterRoundTrip(t *testing.T) {
	for _, withWriter := range []bool{false, true} {
		c, err := newLocalCluster(withWriter)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("generated cluster invalid: %v", err)
		}
		want := 6
		if withWriter {
			want = 7
		}
		if len(c.Nodes) != want || !c.allLoopback() {
			t.Fatalf("generated %d nodes (loopback %v), want %d", len(c.Nodes), c.allLoopback(), want)
		}
		data, err := c.encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseCluster("x", data)
		if err != nil {
			t.Fatalf("parse encoded: %v\n%s", err, data)
		}
		if back.ID != c.ID || len(back.Nodes) != len(c.Nodes) {
			t.Fatalf("round trip changed the cluster")
		}
		for i := range c.Nodes {
			if back.Nodes[i] != c.Nodes[i] {
				t.Fatalf("node %d: %+v != %+v", i, back.Nodes[i], c.Nodes[i])
			}
		}
		if !withWriter {
			if err := c.addLocalWriter(); err != nil {
				t.Fatal(err)
			}
			if err := c.validate(); err != nil || !c.hasRole(roleWriter) {
				t.Fatalf("after adding a writer: %v", err)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	f := clusterFlags{dir: dir}
	if _, err := f.load(); err == nil || !strings.Contains(err.Error(), "borealis up") {
		t.Fatalf("empty dir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, clusterFile), []byte(validTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := f.load()
	if err != nil || l.ID != "test-1" || !l.inDir || l.fromFile {
		t.Fatalf("load dir: %+v %v", l, err)
	}
	cfg := filepath.Join(t.TempDir(), "c.toml")
	other := strings.Replace(validTOML, "test-1", "test-2", 1)
	if err := os.WriteFile(cfg, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (&clusterFlags{dir: dir, config: cfg}).load(); err == nil || !strings.Contains(err.Error(), `belongs to cluster "test-1"`) {
		t.Fatalf("other cluster: %v", err)
	}
	if _, err := (&clusterFlags{dir: t.TempDir(), config: cfg}).load(); err != nil {
		t.Fatalf("config with a fresh dir: %v", err)
	}
	if _, err := l.node("zz"); err == nil || !strings.Contains(err.Error(), "valid nodes are a1, w") {
		t.Fatalf("unknown node: %v", err)
	}
	if err := checkFreshDir(dir); err == nil {
		t.Fatal("a non-empty directory was accepted as fresh")
	}
}

// FuzzParseCluster: any input gives a valid cluster or a one-line error, never
// a panic.
func FuzzParseCluster(f *testing.F) {
	f.Add([]byte(validTOML))
	f.Add([]byte("format = 2"))
	f.Add([]byte("[[node]]\nname = 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCluster("f", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("parsed cluster fails validation: %v", err)
		}
	})
}

// TestClusterRoundTripProperty: any valid cluster survives encode then parse
// unchanged, whatever its names, roles, AZs, addresses and data paths.
func TestClusterRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	hosts := []string{"127.0.0.1", "10.0.0.7", "localhost", "[::1]", "db-1.example.com"}
	for i := 0; i < 500; i++ {
		c := &cluster{Format: clusterFormat, ID: fmt.Sprintf("c-%d.x_%d", i, r.IntN(1000))}
		n := 1 + r.IntN(9)
		for j := 0; j < n; j++ {
			nd := node{
				Name:   fmt.Sprintf("n%d-%d", j, r.IntN(100)),
				Role:   knownRoles[r.IntN(len(knownRoles))],
				Listen: fmt.Sprintf("%s:%d", hosts[r.IntN(len(hosts))], 1+2*j),
				HTTP:   fmt.Sprintf("%s:%d", hosts[r.IntN(len(hosts))], 2+2*j),
				Data:   fmt.Sprintf("d/%d/x y", j),
			}
			if nd.Role == roleStorage || r.IntN(2) == 0 {
				nd.AZ = string(rune('a' + r.IntN(3)))
			}
			c.Nodes = append(c.Nodes, nd)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("generated cluster %d invalid: %v", i, err)
		}
		data, err := c.encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseCluster("p", data)
		if err != nil {
			t.Fatalf("cluster %d: %v\n%s", i, err, data)
		}
		if back.ID != c.ID || back.Format != c.Format || len(back.Nodes) != len(c.Nodes) {
			t.Fatalf("cluster %d changed", i)
		}
		for j := range c.Nodes {
			if back.Nodes[j] != c.Nodes[j] {
				t.Fatalf("cluster %d node %d: %+v != %+v", i, j, back.Nodes[j], c.Nodes[j])
			}
		}
	}
}
