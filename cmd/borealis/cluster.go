package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// clusterFormat is the newest cluster.toml format this binary understands.
const clusterFormat = 1

// clusterFile is the name of the cluster configuration inside a data directory.
const clusterFile = "cluster.toml"

// defaultDir is the data directory operator commands use without --dir.
const defaultDir = "./borealis-data"

// Roles a node may have. A role is a subcommand of this binary.
const (
	roleStorage = "storage"
	roleWriter  = "writer"
)

// knownRoles are the roles a cluster file may name.
var knownRoles = []string{roleStorage, roleWriter}

// cluster is the configuration of one cluster: its identity and its nodes. It
// is stored as TOML, in <dir>/cluster.toml for a local cluster, or in a file
// of the operator's choosing (--config) for several hosts.
type cluster struct {
	Format int    `toml:"format"`
	ID     string `toml:"cluster_id"`
	Nodes  []node `toml:"node"`
}

// node is one process of the cluster.
type node struct {
	Name   string `toml:"name"`
	Role   string `toml:"role"`
	AZ     string `toml:"az"`
	Listen string `toml:"listen"` // the role's service address (gRPC for storage, Postgres for the writer)
	HTTP   string `toml:"http"`   // /metrics and /healthz
	Data   string `toml:"data"`   // data directory, relative to the cluster's data directory
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	idRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
)

// parseCluster decodes and validates a cluster file's contents; path is used
// in messages only. Every error is one line that says what to do.
func parseCluster(path string, data []byte) (*cluster, error) {
	var c cluster
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid cluster file (%s): fix it or restore it from a backup", path, oneLine(err.Error()))
	}
	if c.Format > clusterFormat {
		return nil, fmt.Errorf("%s has format %d but this borealis understands up to format %d: use a newer borealis binary", path, c.Format, clusterFormat)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q: remove it or check its spelling", path, und[0].String())
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// validate checks the configuration for everything a start would trip on.
func (c *cluster) validate() error {
	if c.Format < 1 {
		return errors.New(`missing or invalid "format": add format = 1`)
	}
	if !idRE.MatchString(c.ID) {
		return fmt.Errorf(`invalid cluster_id %q: use letters, digits, '.', '_' or '-'`, c.ID)
	}
	if len(c.Nodes) == 0 {
		return errors.New("no nodes: add [[node]] sections")
	}
	names := map[string]bool{}
	addrs := map[string]string{}
	datas := map[string]string{}
	for i, n := range c.Nodes {
		where := fmt.Sprintf("node %d (%q)", i+1, n.Name)
		if !nameRE.MatchString(n.Name) {
			return fmt.Errorf("%s: invalid name: use lower-case letters, digits, '_' or '-'", where)
		}
		if names[n.Name] {
			return fmt.Errorf("%s: duplicate name: give every node its own name", where)
		}
		names[n.Name] = true
		if !contains(knownRoles, n.Role) {
			return fmt.Errorf("%s: unknown role %q: use one of %s", where, n.Role, strings.Join(knownRoles, ", "))
		}
		if n.Role == roleStorage && n.AZ == "" {
			return fmt.Errorf("%s: storage node without az: set az (for example az = \"a\")", where)
		}
		for _, a := range []struct{ key, addr string }{{"listen", n.Listen}, {"http", n.HTTP}} {
			if err := checkAddr(a.addr); err != nil {
				return fmt.Errorf("%s: %s address %q: %w", where, a.key, a.addr, err)
			}
			if other, ok := addrs[a.addr]; ok {
				return fmt.Errorf("%s: %s address %s is also used by %s: give each its own port", where, a.key, a.addr, other)
			}
			addrs[a.addr] = n.Name
		}
		if err := checkRel(n.Data); err != nil {
			return fmt.Errorf("%s: data %q: %w", where, n.Data, err)
		}
		clean := filepath.Clean(n.Data)
		if other, ok := datas[clean]; ok {
			return fmt.Errorf("%s: data directory %q is also used by %s: give each node its own", where, n.Data, other)
		}
		datas[clean] = n.Name
	}
	return nil
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port")
	}
	if host == "" {
		return errors.New("want an explicit host, for example 127.0.0.1:7001")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return errors.New("want a port between 1 and 65535")
	}
	return nil
}

func checkRel(p string) error {
	if p == "" {
		return errors.New("empty: set data to a directory name such as \"data/a1\"")
	}
	if filepath.IsAbs(p) {
		return errors.New("must be relative to the cluster's data directory")
	}
	c := filepath.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return errors.New("must name a directory inside the cluster's data directory")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// node returns the node called name, or an error listing the valid names.
func (c *cluster) node(name string) (*node, error) {
	for i := range c.Nodes {
		if c.Nodes[i].Name == name {
			return &c.Nodes[i], nil
		}
	}
	return nil, fmt.Errorf("unknown node %q: valid nodes are %s", name, strings.Join(c.names(), ", "))
}

func (c *cluster) names() []string {
	var ns []string
	for _, n := range c.Nodes {
		ns = append(ns, n.Name)
	}
	return ns
}

func (c *cluster) hasRole(role string) bool {
	for _, n := range c.Nodes {
		if n.Role == role {
			return true
		}
	}
	return false
}

// encode renders the cluster as TOML with a short header.
func (c *cluster) encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Borealis cluster configuration. Written by `borealis up`; safe to edit while\n")
	b.WriteString("# the cluster is stopped. Addresses are host:port; data is relative to this\n")
	b.WriteString("# file's directory (the --dir of borealis commands).\n")
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return nil, fmt.Errorf("encode cluster: %w", err)
	}
	return b.Bytes(), nil
}

// localStorage are the storage nodes of a local cluster and their AZs.
var localStorage = []struct{ name, az string }{
	{"a1", "a"}, {"a2", "a"}, {"b1", "b"}, {"b2", "b"}, {"c1", "c"}, {"c2", "c"},
}

// newLocalCluster returns a fresh local cluster: six storage nodes in three
// AZs, plus a writer when withWriter, on free loopback ports.
func newLocalCluster(withWriter bool) (*cluster, error) {
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("cluster id: %w", err)
	}
	c := &cluster{Format: clusterFormat, ID: "local-" + hex.EncodeToString(id)}
	for _, s := range localStorage {
		c.Nodes = append(c.Nodes, node{Name: s.name, Role: roleStorage, AZ: s.az, Data: filepath.Join("nodes", s.name)})
	}
	if withWriter {
		c.Nodes = append(c.Nodes, node{Name: "writer", Role: roleWriter, AZ: "a", Data: filepath.Join("nodes", "writer")})
	}
	if err := c.assignPorts(); err != nil {
		return nil, err
	}
	return c, nil
}

// addLocalWriter adds a writer node to a local cluster created before the
// writer role existed.
func (c *cluster) addLocalWriter() error {
	c.Nodes = append(c.Nodes, node{Name: "writer", Role: roleWriter, AZ: "a", Data: filepath.Join("nodes", "writer")})
	return c.assignPorts()
}

// assignPorts gives every node without an address a free loopback port.
// Every listener stays open until all ports are chosen, so no two nodes get
// the same port (a closed port may be handed out again at once).
func (c *cluster) assignPorts() error {
	var held []net.Listener
	defer func() {
		for _, ln := range held {
			ln.Close()
		}
	}()
	for i := range c.Nodes {
		n := &c.Nodes[i]
		for _, a := range []*string{&n.Listen, &n.HTTP} {
			if *a != "" {
				continue
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return fmt.Errorf("find a free port: %w", err)
			}
			held = append(held, ln)
			*a = ln.Addr().String()
		}
	}
	return nil
}

// clusterFlags are the flags every cluster command shares.
type clusterFlags struct {
	dir    string
	config string
}

// loaded is a cluster as an operator command sees it.
type loaded struct {
	*cluster
	dir      string // the data directory
	path     string // where the configuration came from
	inDir    bool   // <dir>/cluster.toml exists
	fromFile bool   // --config was given
}

// errNoCluster is wrapped when a data directory has no cluster yet.
var errNoCluster = errors.New("no cluster")

// load reads the cluster of flags: the --config file, checked against the
// data directory's own copy when there is one, or <dir>/cluster.toml. It
// changes nothing on disk.
func (f *clusterFlags) load() (*loaded, error) {
	dir := f.dir
	if dir == "" {
		dir = defaultDir
	}
	l := &loaded{dir: dir, path: filepath.Join(dir, clusterFile)}
	var own *cluster
	data, err := os.ReadFile(l.path)
	switch {
	case err == nil:
		if own, err = parseCluster(l.path, data); err != nil {
			return nil, err
		}
		l.inDir = true
	case errors.Is(err, os.ErrNotExist):
	default:
		return nil, fmt.Errorf("read cluster file: %w", err)
	}
	if f.config == "" {
		if own == nil {
			return nil, fmt.Errorf("%w in %s: start one with `borealis up --dir %s`, or pass --dir or --config", errNoCluster, dir, dir)
		}
		l.cluster = own
		return l, nil
	}
	data, err = os.ReadFile(f.config)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := parseCluster(f.config, data)
	if err != nil {
		return nil, err
	}
	if own != nil && own.ID != cfg.ID {
		return nil, fmt.Errorf("%s belongs to cluster %q but %s describes cluster %q: use another --dir, or the config of that cluster", dir, own.ID, f.config, cfg.ID)
	}
	l.cluster, l.path, l.fromFile = cfg, f.config, true
	return l, nil
}

// checkFreshDir refuses a directory that holds files but no cluster: it is
// most likely not meant to become a Borealis data directory.
func checkFreshDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("%s is not empty and has no %s, so it is not a Borealis data directory: choose an empty or new --dir", dir, clusterFile)
	}
	return nil
}

// writeFileAtomic writes data to path through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Paths inside a data directory.
func (l *loaded) dataDir(n *node) string { return filepath.Join(l.dir, n.Data) }
func (l *loaded) logFile(n *node) string { return filepath.Join(l.dir, "logs", n.Name+".log") }
func (l *loaded) pidFile(n *node) string { return filepath.Join(l.dir, "run", n.Name+".pid") }
