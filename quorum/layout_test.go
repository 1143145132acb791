package quorum

import (
	"fmt"
	"strings"
	"testing"

	"github.com/borealis-db/borealis/redo"
)

func sixNodes() []Node {
	var ns []Node
	for _, az := range []string{"a", "b", "c"} {
		for i := 1; i <= 2; i++ {
			ns = append(ns, Node{Name: fmt.Sprintf("%s%d", az, i), Addr: fmt.Sprintf("127.0.0.1:%d", 7000+len(ns)), AZ: az})
		}
	}
	return ns
}

func TestLayoutValidate(t *testing.T) {
	six := sixNodes()
	tests := []struct {
		name  string
		nodes []Node
		want  string // substring of the error, "" for valid
	}{
		{"six nodes in three AZs", six, ""},
		{"no nodes", nil, "need at least 3"},
		{"two AZs", six[:4], "span 2 AZs"},
		{"one node in an AZ", six[:5], `AZ "c" has 1 node`},
		{"duplicate name", append(six[:5:5], Node{Name: "a1", Addr: "x:1", AZ: "c"}), `"a1" appears twice`},
		{"duplicate address", append(six[:5:5], Node{Name: "c9", Addr: six[0].Addr, AZ: "c"}), "appears twice"},
		{"missing fields", append(six[:5:5], Node{}), "has no name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Layout{Nodes: tc.nodes}.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestLayoutGroupsAndReplicas(t *testing.T) {
	l := Layout{SegmentPages: 16, Nodes: sixNodes()}
	for _, tc := range []struct {
		page redo.PageID
		pg   uint32
	}{{0, 0}, {15, 0}, {16, 1}, {100, 6}} {
		if pg, err := l.Group(tc.page); err != nil || pg != tc.pg {
			t.Errorf("Group(%d) = %d, %v; want %d", tc.page, pg, err, tc.pg)
		}
	}
	if _, err := (Layout{SegmentPages: 1}).Group(1 << 40); err == nil {
		t.Error("Group beyond uint32 groups succeeded")
	}
	if pg, _ := (Layout{}).Group(DefaultSegmentPages); pg != 1 {
		t.Errorf("default segment size: page %d in group %d", DefaultSegmentPages, pg)
	}
	// Exactly six nodes: every group uses all of them.
	for pg := uint32(0); pg < 10; pg++ {
		seen := map[string]bool{}
		for _, n := range l.Replicas(pg) {
			seen[n.Name] = true
		}
		if len(seen) != 6 {
			t.Fatalf("group %d uses %v", pg, seen)
		}
	}
	// More nodes and AZs: two distinct nodes in each of three distinct AZs,
	// deterministic, and every node used by some group.
	var many []Node
	for _, az := range []string{"a", "b", "c", "d"} {
		for i := 1; i <= 3; i++ {
			many = append(many, Node{Name: fmt.Sprintf("%s%d", az, i), Addr: fmt.Sprintf("h%s%d:1", az, i), AZ: az})
		}
	}
	big := Layout{Nodes: many}
	if err := big.Validate(); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for pg := uint32(0); pg < 24; pg++ {
		rs := big.Replicas(pg)
		if rs != big.Replicas(pg) {
			t.Fatal("Replicas is not deterministic")
		}
		perAZ := map[string]map[string]bool{}
		for _, n := range rs {
			if perAZ[n.AZ] == nil {
				perAZ[n.AZ] = map[string]bool{}
			}
			perAZ[n.AZ][n.Name] = true
			used[n.Name] = true
		}
		if len(perAZ) != 3 {
			t.Fatalf("group %d spans %d AZs: %v", pg, len(perAZ), rs)
		}
		for az, ns := range perAZ {
			if len(ns) != 2 {
				t.Fatalf("group %d has %d distinct nodes in AZ %s: %v", pg, len(ns), az, rs)
			}
		}
	}
	if len(used) != len(many) {
		t.Errorf("only %d of %d nodes used", len(used), len(many))
	}
}
