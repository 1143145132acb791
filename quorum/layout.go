package quorum

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/borealis-db/borealis/redo"
)

// DefaultSegmentPages is the default segment size in pages: 10 GiB of 8 KiB pages.
const DefaultSegmentPages = 10 << 30 / redo.PageSize

// Node is one storage node.
type Node struct {
	Name string // unique node name, e.g. "a1"
	Addr string // gRPC address, host:port
	AZ   string // availability zone
}

// Layout maps the volume's page space onto protection groups and their
// replicas. The page space is cut into segments of SegmentPages pages; group
// g holds pages [g*SegmentPages, (g+1)*SegmentPages). Each group has six
// replicas, two in each of three AZs, chosen deterministically from Nodes.
type Layout struct {
	SegmentPages uint64 // pages per segment; 0 means DefaultSegmentPages
	Nodes        []Node
}

func (l Layout) segmentPages() uint64 {
	if l.SegmentPages == 0 {
		return DefaultSegmentPages
	}
	return l.SegmentPages
}

// Validate checks the layout: unique non-empty names and addresses, at least
// three AZs, and at least two nodes in every AZ.
func (l Layout) Validate() error {
	var errs []error
	names := map[string]bool{}
	addrs := map[string]bool{}
	perAZ := map[string]int{}
	for i, n := range l.Nodes {
		switch {
		case n.Name == "":
			errs = append(errs, fmt.Errorf("node %d has no name", i))
		case names[n.Name]:
			errs = append(errs, fmt.Errorf("node name %q appears twice", n.Name))
		}
		switch {
		case n.Addr == "":
			errs = append(errs, fmt.Errorf("node %q has no address", n.Name))
		case addrs[n.Addr]:
			errs = append(errs, fmt.Errorf("address %q appears twice", n.Addr))
		}
		if n.AZ == "" {
			errs = append(errs, fmt.Errorf("node %q has no AZ", n.Name))
		}
		names[n.Name], addrs[n.Addr] = true, true
		perAZ[n.AZ]++
	}
	if len(perAZ) < 3 {
		errs = append(errs, fmt.Errorf("nodes span %d AZs, need at least 3 (two replicas in each of three AZs)", len(perAZ)))
	}
	for _, az := range sortedKeys(perAZ) {
		if perAZ[az] < 2 {
			errs = append(errs, fmt.Errorf("AZ %q has %d node, need at least 2", az, perAZ[az]))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid storage layout: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Group returns the protection group holding a page.
func (l Layout) Group(page redo.PageID) (uint32, error) {
	g := uint64(page) / l.segmentPages()
	if g > math.MaxUint32 {
		return 0, fmt.Errorf("page %d is beyond the last protection group (%d pages per segment)", page, l.segmentPages())
	}
	return uint32(g), nil
}

// Replicas returns the six replicas of a group: two in each of three AZs. With
// more than three AZs or more than two nodes in an AZ the choice rotates with
// the group number, so groups spread over the nodes. The order is stable: the
// index of a node in this array is its replica number in the group. The
// layout must be valid.
func (l Layout) Replicas(pg uint32) [Replicas]Node {
	byAZ := map[string][]Node{}
	for _, n := range l.Nodes {
		byAZ[n.AZ] = append(byAZ[n.AZ], n)
	}
	azs := make([]string, 0, len(byAZ))
	for az, ns := range byAZ {
		if len(ns) >= 2 {
			azs = append(azs, az)
		}
		slices.SortFunc(ns, func(a, b Node) int { return strings.Compare(a.Name, b.Name) })
	}
	slices.Sort(azs)
	var out [Replicas]Node
	if len(azs) < 3 {
		return out
	}
	for i := 0; i < 3; i++ {
		ns := byAZ[azs[(int(pg%uint32(len(azs)))+i)%len(azs)]]
		for j := 0; j < 2; j++ {
			out[2*i+j] = ns[(int(pg%uint32(len(ns)))*2+j)%len(ns)]
		}
	}
	return out
}

// Peers returns the addresses of a group's replicas, in replica order.
func (l Layout) Peers(pg uint32) []string {
	rs := l.Replicas(pg)
	out := make([]string, 0, Replicas)
	for _, n := range rs {
		out = append(out, n.Addr)
	}
	return out
}

// maxPlacementPeriod bounds the groups ReplicaSets looks at.
const maxPlacementPeriod = 1 << 16

// ReplicaSet is one placement of a group's replicas and the first group that
// uses it.
type ReplicaSet struct {
	PG    uint32
	Nodes [Replicas]Node
}

// ReplicaSets returns every distinct replica set the layout places groups
// on. Placement repeats with a period of the least common multiple of the
// number of AZs and the AZs' node counts; groups beyond maxPlacementPeriod
// are not looked at (such a layout would be pathological).
func (l Layout) ReplicaSets() []ReplicaSet {
	perAZ := map[string]int{}
	for _, n := range l.Nodes {
		perAZ[n.AZ]++
	}
	period, azs := 1, 0
	lcm := func(a, b int) int {
		x, y := a, b
		for y != 0 {
			x, y = y, x%y
		}
		return a / x * b
	}
	for _, c := range perAZ {
		if c >= 2 {
			azs++
			period = min(lcm(period, c), maxPlacementPeriod)
		}
	}
	if azs > 0 {
		period = min(lcm(period, azs), maxPlacementPeriod)
	}
	seen := map[[Replicas]Node]bool{}
	var out []ReplicaSet
	for pg := 0; pg < period; pg++ {
		set := l.Replicas(uint32(pg))
		if !seen[set] {
			seen[set] = true
			out = append(out, ReplicaSet{PG: uint32(pg), Nodes: set})
		}
	}
	return out
}
