package wire

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// A statement whose client closes its connection is cancelled without
// waiting for a write to fail, and the server stays healthy.
func TestClientDisconnectCancelsStatement(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("client liveness checks are implemented on Linux only")
	}
	for _, tc := range []struct {
		name      string
		interval  time.Duration
		pipelined bool // a message is pending when the client hangs up
	}{
		{"idle socket", 20 * time.Millisecond, false},
		{"pending input", 20 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := trustServer(t, func(c *Config) { c.ClientCheckInterval = tc.interval })
			cl := dialRaw(t, ts)
			cl.startup()
			cl.send(&pgproto3.Query{String: "sleep"})
			var qctx context.Context
			select {
			case qctx = <-ts.eng.sleeping:
			case <-time.After(30 * time.Second):
				t.Fatal("sleep never started")
			}
			if tc.pipelined {
				cl.send(&pgproto3.Sync{})
			}
			// A live client is not "gone", pending input or not.
			select {
			case <-qctx.Done():
				t.Fatalf("statement of a live client cancelled: %v", context.Cause(qctx))
			case <-time.After(10 * tc.interval):
			}
			cl.nc.Close()
			select {
			case <-qctx.Done():
				if !errors.Is(context.Cause(qctx), errClientGone) {
					t.Fatalf("cancel cause %v, want %v", context.Cause(qctx), errClientGone)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("statement still running 30 s after its client left")
			}
			// Other sessions are unaffected.
			other := dialRaw(t, ts)
			other.startup()
			other.send(&pgproto3.Query{String: "notice still here"})
			msgs, _ := other.receive(1)
			if _, ok := msgs[len(msgs)-2].(*pgproto3.CommandComplete); !ok {
				t.Fatalf("other session got %v, want a CommandComplete", msgs)
			}
		})
	}
}
