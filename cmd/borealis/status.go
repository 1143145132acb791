package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// writeQuorum is how many of a protection group's six replicas must be up
// with the group's log for writes to go on.
const writeQuorum = 4

// Health values of a node.
const (
	healthUp           = "up"           // answers its health probe
	healthUnresponsive = "unresponsive" // its process runs but it does not answer
	healthDown         = "down"         // neither
)

// nodeStatus is one row of `borealis status`.
type nodeStatus struct {
	Name      string          `json:"name"`
	Role      string          `json:"role"`
	AZ        string          `json:"az"`
	PID       int             `json:"pid,omitempty"` // a live process of this data directory
	Address   string          `json:"address"`
	HTTP      string          `json:"http"`
	Health    string          `json:"health"`
	Error     string          `json:"error,omitempty"`
	Epoch     uint64          `json:"epoch"`      // highest volume epoch among its groups
	SCL       uint64          `json:"scl"`        // highest segment complete LSN among its groups
	VDL       uint64          `json:"vdl"`        // highest VDL the writer reported to it
	DiskBytes uint64          `json:"disk_bytes"` // as reported, or measured in its data directory when down
	Groups    []replicaStatus `json:"groups,omitempty"`
}

// replicaStatus is a storage node's view of one protection group.
type replicaStatus struct {
	PG      uint32 `json:"pg"`
	Epoch   uint64 `json:"epoch"`
	SCL     uint64 `json:"scl"`
	Highest uint64 `json:"highest"`
	VDL     uint64 `json:"vdl"`
	Lag     uint64 `json:"lag"` // LSNs behind the group's most complete replica
}

// groupStatus summarises one protection group across its replicas.
type groupStatus struct {
	PG          uint32            `json:"pg"`
	Replicas    int               `json:"replicas"`  // replicas the group has
	Reachable   int               `json:"reachable"` // replicas that answered
	SCLs        map[string]uint64 `json:"scls"`      // node → SCL, reachable replicas
	HighestSCL  uint64            `json:"highest_scl"`
	AtHighest   int               `json:"at_highest_scl"`
	WriteQuorum bool              `json:"write_quorum"` // at least 4 replicas reachable
}

// statusReport is the whole output of `borealis status`.
type statusReport struct {
	ClusterID string        `json:"cluster_id"`
	Config    string        `json:"config"`
	Nodes     []nodeStatus  `json:"nodes"`
	Groups    []groupStatus `json:"groups"`
}

func newStatusCmd() *cobra.Command {
	var (
		f      clusterFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every node of the cluster, its health and its protection groups",
		Long: `Show every node of the cluster: role, AZ, pid, addresses, health (does it
answer its Status RPC or /healthz, does its process run), volume epoch, SCL
(segment complete LSN), the VDL the writer reported to it, disk used (for the
writer: the epoch and VDL its storage nodes last saw from it); then each
protection group: how many of its replicas answer, their SCLs, and whether it
has a write quorum (4 of 6 replicas reachable).`,
		Example: `  borealis status
  borealis status --json
  borealis status --config cluster.toml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := f.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			r := collectStatus(ctx, l)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			printStatus(cmd.OutOrStdout(), r)
			return nil
		},
	}
	addClusterFlags(cmd, &f)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of tables")
	return cmd
}

// collectStatus probes every node in parallel.
func collectStatus(ctx context.Context, l *loaded) *statusReport {
	r := &statusReport{ClusterID: l.ID, Config: l.path, Nodes: make([]nodeStatus, len(l.Nodes))}
	var wg sync.WaitGroup
	for i := range l.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Nodes[i] = nodeStatusOf(ctx, l, &l.Nodes[i])
		}()
	}
	wg.Wait()
	r.Groups = summariseGroups(r.Nodes)
	// The writer does not export its epoch and VDL yet: show them as its
	// storage nodes last saw them (the highest epoch, and the VDL the
	// writer reported to them).
	var epoch, vdl uint64
	for _, n := range r.Nodes {
		if n.Role == roleStorage {
			epoch, vdl = max(epoch, n.Epoch), max(vdl, n.VDL)
		}
	}
	for i := range r.Nodes {
		if n := &r.Nodes[i]; n.Role == roleWriter && n.Health == healthUp {
			n.Epoch, n.VDL = epoch, vdl
		}
	}
	return r
}

func nodeStatusOf(ctx context.Context, l *loaded, n *node) nodeStatus {
	s := nodeStatus{Name: n.Name, Role: n.Role, AZ: n.AZ, Address: n.Listen, HTTP: n.HTTP}
	pid, alive, err := l.nodePID(n)
	if err != nil {
		s.Error = err.Error()
	}
	if alive {
		s.PID = pid
	}
	p := probeNode(ctx, n)
	switch {
	case p.ok:
		s.Health = healthUp
	case alive:
		s.Health, s.Error = healthUnresponsive, p.err
	default:
		s.Health = healthDown
	}
	if p.status != nil {
		s.DiskBytes = p.status.DiskBytes
		for _, g := range p.status.Groups {
			s.Groups = append(s.Groups, replicaStatus{PG: g.PG, Epoch: g.Epoch, SCL: uint64(g.SCL), Highest: uint64(g.Highest), VDL: uint64(g.VDL)})
			s.Epoch = max(s.Epoch, g.Epoch)
			s.SCL = max(s.SCL, uint64(g.SCL))
			s.VDL = max(s.VDL, uint64(g.VDL))
		}
	} else {
		s.DiskBytes = dirSize(l.dataDir(n))
	}
	return s
}

// summariseGroups groups the replicas' reports by protection group and fills
// in each replica's lag.
func summariseGroups(nodes []nodeStatus) []groupStatus {
	storage := 0
	for _, n := range nodes {
		if n.Role == roleStorage {
			storage++
		}
	}
	byPG := map[uint32]*groupStatus{}
	for _, n := range nodes {
		for _, g := range n.Groups {
			gs := byPG[g.PG]
			if gs == nil {
				gs = &groupStatus{PG: g.PG, SCLs: map[string]uint64{}, Replicas: min(storage, 6)}
				byPG[g.PG] = gs
			}
			gs.Reachable++
			gs.SCLs[n.Name] = g.SCL
			gs.HighestSCL = max(gs.HighestSCL, g.SCL)
		}
	}
	var out []groupStatus
	for _, gs := range byPG {
		for _, scl := range gs.SCLs {
			if scl == gs.HighestSCL {
				gs.AtHighest++
			}
		}
		gs.WriteQuorum = gs.Reachable >= writeQuorum
		out = append(out, *gs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PG < out[j].PG })
	for i := range nodes {
		for j := range nodes[i].Groups {
			g := &nodes[i].Groups[j]
			if gs := byPG[g.PG]; gs != nil {
				g.Lag = gs.HighestSCL - g.SCL
			}
		}
	}
	return out
}

// dirSize is the size of the files under dir (0 when it does not exist).
func dirSize(dir string) uint64 {
	var n uint64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += uint64(info.Size())
			}
		}
		return nil
	})
	return n
}

func printStatus(out io.Writer, r *statusReport) {
	fmt.Fprintf(out, "Cluster %s (%s)\n\n", r.ClusterID, r.Config)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tAZ\tPID\tHEALTH\tADDRESS\tHTTP\tEPOCH\tSCL\tVDL\tDISK")
	for _, n := range r.Nodes {
		pid := "-"
		if n.PID > 0 {
			pid = fmt.Sprint(n.PID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", n.Name, n.Role, n.AZ, pid, n.Health, n.Address, n.HTTP, n.Epoch, n.SCL, n.VDL, humanBytes(n.DiskBytes))
	}
	tw.Flush()
	for _, n := range r.Nodes {
		if n.Error != "" {
			fmt.Fprintf(out, "  %s: %s\n", n.Name, n.Error)
		}
	}
	fmt.Fprintln(out)
	if len(r.Groups) == 0 {
		fmt.Fprintln(out, "Protection groups: none yet (the writer creates them when it first opens the volume).")
		return
	}
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PG\tREACHABLE\tHIGHEST SCL\tAT HIGHEST\tWRITE QUORUM\tSCL PER REPLICA")
	for _, g := range r.Groups {
		var per []string
		for name, scl := range g.SCLs {
			per = append(per, fmt.Sprintf("%s=%d", name, scl))
		}
		sort.Strings(per)
		q := "no"
		if g.WriteQuorum {
			q = "yes"
		}
		fmt.Fprintf(tw, "%d\t%d/%d\t%d\t%d\t%s\t%s\n", g.PG, g.Reachable, g.Replicas, g.HighestSCL, g.AtHighest, q, strings.Join(per, " "))
	}
	tw.Flush()
}

func humanBytes(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTPE"[exp])
}
