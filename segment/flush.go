package segment

import (
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/borealis-db/borealis/redo"
)

// maintain runs on the maintainer goroutine, beside group commits: it flushes the
// memtable when it is over its threshold, compacts groups with many layers
// (collecting history below the min read point) and deletes obsolete log
// files. Failures are logged and retried next time: they never lose data,
// since the manifest is only replaced after the new files are durable.
func (n *Node) maintain() {
	if n.Healthy() != nil || time.Now().Before(n.maintPause) {
		return
	}
	failed := func(what string, g *group, err error) {
		n.log.Error(what+" failed; retrying in 5s", "pg", g.pg, "err", err)
		n.maintPause = time.Now().Add(5 * time.Second)
	}
	n.mu.RLock()
	total := 0
	var groups []*group
	for _, g := range n.groups {
		total += g.memBytes
		groups = append(groups, g)
	}
	n.mu.RUnlock()
	slices.SortFunc(groups, func(a, b *group) int { return int(a.pg) - int(b.pg) })
	changed := false
	if total >= n.cfg.MemtableSize {
		for _, g := range groups {
			ok, err := n.flush(g)
			if err != nil {
				failed("memtable flush", g, err)
				return
			}
			changed = changed || ok
		}
	}
	for _, g := range groups {
		n.mu.RLock()
		due := g.compactDue(n.cfg.CompactLayers)
		n.mu.RUnlock()
		if due {
			if err := n.compact(g); err != nil {
				failed("compaction", g, err)
				return
			}
			changed = true
		}
	}
	if changed {
		if err := n.installManifest(nil); err != nil {
			n.log.Error("manifest update failed", "err", err)
		}
	}
}

// flush writes the group's memtable records at or below the writer's VDL to
// a new delta layer and drops them from the memtable. Records above VDL stay:
// a recovery may still truncate them.
func (n *Node) flush(g *group) (bool, error) {
	n.mu.RLock()
	var ents []entry
	vdl := g.vdl
	if vdl <= g.flushedVDL {
		// Nothing at or below VDL arrived since the last flush, except
		// stragglers that wait for the next VDL advance.
		n.mu.RUnlock()
		return false, nil
	}
	for page, recs := range g.mem {
		for _, m := range recs {
			if m.rec.LSN <= vdl {
				ents = append(ents, entry{typ: entryDelta, page: page, lsn: m.rec.LSN, data: m.raw})
			}
		}
	}
	seq := n.nextSeq
	seen := n.commits
	n.mu.RUnlock()
	if len(ents) == 0 {
		n.mu.Lock()
		g.flushedVDL = vdl
		n.mu.Unlock()
		return false, nil
	}
	slices.SortFunc(ents, func(a, b entry) int {
		if entryLess(&a, &b) {
			return -1
		}
		return 1
	})
	l, err := writeLayer(n.cfg.Dir, seq, g.pg, layerDelta, ents, n.z, n.cfg.LayerBlockSize)
	if err != nil {
		return false, err
	}
	n.mu.Lock()
	n.nextSeq = seq + 1
	g.flushedVDL = vdl
	g.layers = append(g.layers, l)
	for page, recs := range g.mem {
		kept := recs[:0]
		for _, m := range recs {
			// Records stored since the collection above (repair can bring
			// some at or below VDL) are not in the layer: keep them.
			if m.rec.LSN <= vdl && m.commit <= seen {
				g.memBytes -= len(m.raw) + 64
				continue
			}
			kept = append(kept, m)
		}
		if len(kept) == 0 {
			delete(g.mem, page)
		} else {
			g.mem[page] = kept
		}
	}
	n.mu.Unlock()
	n.met.flushes.Inc()
	n.log.Debug("flushed memtable", "pg", g.pg, "layer", l.path, "records", len(ents), "upto_vdl", vdl)
	return true, nil
}

// compact merges the group's layers into one image layer and one delta
// layer. The images are the pages as of the GC point: the highest point of
// the group's chain at or below the min read point, SCL and the reported
// VDL, with no memtable record at or below it. Deltas at or below the GC point are
// dropped and the GC horizon rises to it.
func (n *Node) compact(g *group) error {
	n.mu.RLock()
	// The GC point never passes the VDL this replica was told: recovery
	// reads every group from the highest reported VDL, which must not be
	// below any replica's horizon (see "Crash recovery of a writer").
	target := min(g.mrp, g.durSCL, g.vdl)
	if m := g.minMemLSN(); m != 0 && m-1 < target {
		target = m - 1
	}
	horizon := g.horizon
	old := slices.Clone(g.layers)
	v := &readView{truncs: slices.Clone(g.truncs)}
	seq := n.nextSeq
	// The layers are read without the state lock (group commits go on):
	// only this goroutine closes or replaces them, and truncations added
	// meanwhile lie above the reported VDL, so above target.
	n.mu.RUnlock()
	var all []entry
	var err error
	// The GC point is the group's last record at or below target: every
	// record at or below target is held (target <= SCL) and, being below
	// the memtable, in a layer.
	point := horizon
	for _, l := range old {
		err = l.all(n.z, func(e entry) error {
			if e.typ == entryDelta && v.truncated(e.lsn) {
				return nil
			}
			if e.typ == entryDelta && e.lsn <= target && e.lsn > point {
				point = e.lsn
			}
			all = append(all, e)
			return nil
		})
		if err != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b entry) int {
		if entryLess(&a, &b) {
			return -1
		}
		if entryLess(&b, &a) {
			return 1
		}
		return int(a.typ) - int(b.typ)
	})
	var images, deltas []entry
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].page == all[i].page {
			j++
		}
		var img *entry
		var below []redo.Record
		for k := i; k < j; k++ {
			e := &all[k]
			switch {
			case e.typ == entryImage && e.lsn <= point:
				if img == nil || e.lsn >= img.lsn {
					img = e
				}
			case e.typ == entryDelta && e.lsn <= point:
				r, _, derr := redo.Decode(e.data)
				if derr != nil {
					return derr
				}
				below = append(below, r)
			case e.typ == entryDelta:
				if len(deltas) == 0 || deltas[len(deltas)-1].page != e.page || deltas[len(deltas)-1].lsn != e.lsn {
					deltas = append(deltas, *e)
				}
			}
		}
		if img != nil || len(below) > 0 {
			p, berr := buildPage(all[i].page, img, below)
			if berr != nil {
				return berr
			}
			if !p.IsZero() {
				images = append(images, entry{typ: entryImage, page: all[i].page, lsn: point, data: p[:]})
			}
		}
		i = j
	}
	var fresh []*layer
	closeFresh := func() {
		for _, l := range fresh {
			l.close()
			os.Remove(l.path)
		}
	}
	if len(images) > 0 {
		l, err := writeLayer(n.cfg.Dir, seq, g.pg, layerImage, images, n.z, n.cfg.LayerBlockSize)
		if err != nil {
			return err
		}
		seq++
		fresh = append(fresh, l)
	}
	if len(deltas) > 0 {
		l, err := writeLayer(n.cfg.Dir, seq, g.pg, layerDelta, deltas, n.z, n.cfg.LayerBlockSize)
		if err != nil {
			closeFresh()
			return err
		}
		seq++
		fresh = append(fresh, l)
	}
	n.mu.Lock()
	n.nextSeq = seq
	// Layers flushed meanwhile cannot exist (flush runs on the maintainer too),
	// but keep any layer not part of the merge to be safe.
	var rest []*layer
	for _, l := range g.layers {
		if !slices.Contains(old, l) {
			rest = append(rest, l)
		}
	}
	g.layers = append(fresh, rest...)
	g.collect(point)
	n.mu.Unlock()
	if err := n.installManifest(old); err != nil {
		return err
	}
	n.met.gcs.Inc()
	n.log.Debug("compacted group", "pg", g.pg, "gc_horizon", point, "images", len(images), "deltas", len(deltas), "old_layers", len(old))
	return nil
}

// installManifest writes the manifest for the current state with the first
// log file still needed, then deletes obsolete log files and the given
// replaced layers.
func (n *Node) installManifest(replaced []*layer) error {
	n.mu.Lock()
	start := n.w.seq
	for _, g := range n.groups {
		if s := g.minMemSeq(); s != 0 && s < start {
			start = s
		}
	}
	oldStart := n.logStart
	n.logStart = start
	m := n.manifestLocked()
	n.met.layers.Set(float64(n.layerCount()))
	n.mu.Unlock()
	// Written and fsynced (file and directory) without the state lock, so
	// that a slow disk does not hold up group commits. Only the maintainer
	// goroutine writes the manifest once the node runs, and what it
	// describes stays valid: files are deleted only after it is durable,
	// and later changes are in log files at or after its logStart.
	if err := writeManifest(n.cfg.Dir, m); err != nil {
		return err
	}
	if len(replaced) > 0 {
		n.layerMu.Lock() // wait for reads that still use the replaced layers
		for _, l := range replaced {
			l.close()
		}
		n.layerMu.Unlock()
	}
	for _, l := range replaced {
		if err := os.Remove(l.path); err != nil {
			n.log.Warn("cannot remove replaced layer", "file", l.path, "err", err)
		}
	}
	for s := oldStart; s < start; s++ {
		if err := os.Remove(filepath.Join(n.cfg.Dir, logName(s))); err != nil && !os.IsNotExist(err) {
			n.log.Warn("cannot remove obsolete log file", "seq", s, "err", err)
		}
	}
	n.met.diskBytes.Set(float64(n.diskBytes()))
	return nil
}
