package quorum

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/borealis-db/borealis/redo"
	"github.com/borealis-db/borealis/segment/storagerpc"
)

type readCandidate struct {
	node     Node
	rep      *replica // nil when the group has no streams
	complete bool     // acknowledged SCL >= the read LSN
	latency  time.Duration
}

// ReadPage reads a page as of lsn (normally at or below VDL). No quorum is
// needed: it asks a replica whose acknowledged SCL is at or above lsn,
// fastest first, hedges with a second replica after HedgeDelay, and tries the
// others when one fails. The image is verified (checksum, structure, page id,
// page LSN not above lsn) before it is returned. A page never written comes
// back all zero.
func (v *Volume) ReadPage(ctx context.Context, page redo.PageID, lsn redo.LSN) (*redo.Page, error) {
	pg, err := v.cfg.Layout.Group(page)
	if err != nil {
		return nil, fmt.Errorf("quorum: read page: %w", err)
	}
	v.mu.Lock()
	if v.fatal == ErrClosed {
		v.mu.Unlock()
		return nil, ErrClosed
	}
	asked := lsn
	lsn = v.readPointLocked(pg, lsn)
	var cands []readCandidate
	g := v.groups[pg]
	for i, n := range v.cfg.Layout.Replicas(pg) {
		c := readCandidate{node: n}
		if g != nil {
			c.rep = g.replicas[i]
			c.complete = v.tr.SCL(pg, i) >= lsn
			c.latency = c.rep.latency
			if !c.rep.connected {
				c.latency += time.Hour // try the ones we can reach first
			}
		}
		cands = append(cands, c)
	}
	v.mu.Unlock()
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].complete != cands[j].complete {
			return cands[i].complete
		}
		return cands[i].latency < cands[j].latency
	})

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c    readCandidate
		page *redo.Page
		err  error
	}
	results := make(chan result, len(cands))
	launch := func(c readCandidate) {
		go func() {
			cctx, ccancel := context.WithTimeout(rctx, v.cfg.CallTimeout)
			defer ccancel()
			start := time.Now()
			p, err := v.readFrom(cctx, c.node, pg, page, lsn)
			if err == nil && c.rep != nil {
				d := time.Since(start)
				v.mu.Lock()
				if c.rep.latency == 0 {
					c.rep.latency = d
				} else {
					c.rep.latency = (7*c.rep.latency + d) / 8
				}
				v.mu.Unlock()
			}
			results <- result{c: c, page: p, err: err}
		}()
	}
	hedge := time.NewTimer(v.cfg.HedgeDelay)
	defer hedge.Stop()
	launch(cands[0])
	next, outstanding := 1, 1
	var failures []string
	for outstanding > 0 {
		select {
		case r := <-results:
			outstanding--
			if r.err == nil {
				return r.page, nil
			}
			failures = append(failures, fmt.Sprintf("%s (%v)", r.c.node.Name, describe(r.err)))
			if next < len(cands) {
				launch(cands[next])
				next++
				outstanding++
			}
		case <-hedge.C:
			if next < len(cands) {
				launch(cands[next])
				next++
				outstanding++
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("quorum: read page %d at LSN %d (group %d at %d): %w (failed so far: %s)", page, asked, pg, lsn, ctx.Err(), strings.Join(failures, ", "))
		}
	}
	return nil, fmt.Errorf("quorum: read page %d at LSN %d: no replica of group %d served it at %d: %s", page, asked, pg, lsn, strings.Join(failures, ", "))
}

// readFrom reads and verifies a page from one replica.
func (v *Volume) readFrom(ctx context.Context, n Node, pg uint32, page redo.PageID, lsn redo.LSN) (*redo.Page, error) {
	resp, err := v.clients[n.Addr].GetPage(ctx, &storagerpc.GetPageRequest{PG: pg, Page: page, LSN: lsn})
	if err != nil {
		return nil, err
	}
	if len(resp.Page) != redo.PageSize {
		return nil, fmt.Errorf("page image of %d bytes, want %d", len(resp.Page), redo.PageSize)
	}
	p := new(redo.Page)
	copy(p[:], resp.Page)
	if err := p.Verify(); err != nil {
		return nil, err
	}
	if !p.IsZero() {
		if p.ID() != page {
			return nil, fmt.Errorf("asked for page %d, got page %d", page, p.ID())
		}
		if p.LSN() > lsn {
			return nil, fmt.Errorf("asked for page %d at LSN %d, got its image at LSN %d", page, lsn, p.LSN())
		}
	}
	return p, nil
}
