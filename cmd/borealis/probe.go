package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/borealis-db/borealis/segment/storagerpc"
)

// probeTimeout bounds one health probe of one node.
const probeTimeout = 2 * time.Second

func listenTCP(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// probe is what one health check of a node found.
type probe struct {
	ok     bool
	err    string                     // why not ok
	status *storagerpc.StatusResponse // storage nodes only
}

// probeNode asks a node whether it serves: the Status RPC for storage nodes,
// GET /healthz for the other roles (and, for the writer, a connection to its
// PostgreSQL port).
func probeNode(ctx context.Context, n *node) probe {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if n.Role == roleStorage {
		st, err := storageStatus(ctx, n.Listen)
		if err != nil {
			return probe{err: err.Error()}
		}
		return probe{ok: true, status: st}
	}
	if err := healthz(ctx, n.HTTP); err != nil {
		return probe{err: err.Error()}
	}
	if n.Role == roleWriter {
		// /healthz answers before the PostgreSQL port listens: the writer is
		// up only once it accepts connections.
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", n.Listen)
		if err != nil {
			return probe{err: fmt.Sprintf("postgres port: %v", err)}
		}
		c.Close()
	}
	return probe{ok: true}
}

// storageStatus calls Status on the storage node at addr.
func storageStatus(ctx context.Context, addr string) (*storagerpc.StatusResponse, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	defer cc.Close()
	st, err := storagerpc.NewClient(cc).Status(ctx, &storagerpc.StatusRequest{})
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", addr, err)
	}
	return st, nil
}

// healthz checks http://addr/healthz.
func healthz(ctx context.Context, addr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("healthz of %s: %w", addr, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthz of %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz of %s: %s: %s", addr, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
