package segment

import (
	"bufio"
	"context"
	"math/rand"
	"net"
	"testing"
	"time"

	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// rawCodec sends arbitrary bytes as a message.
type rawCodec struct{}

func (rawCodec) Name() string { return "borealis-storage-v1" }
func (rawCodec) Marshal(v any) ([]byte, error) {
	return *v.(*[]byte), nil
}
func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), data...)
	return nil
}

func TestGarbageOnThePort(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	rng := rand.New(rand.NewSource(7))
	inputs := [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		[]byte("POST /borealis.storage.v1.Storage/Status HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
		[]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\x01\xff\xff\xff\xff\xff"),
	}
	for i := 0; i < 20; i++ {
		b := make([]byte, 1+rng.Intn(4096))
		rng.Read(b)
		inputs = append(inputs, b)
	}
	for i, in := range inputs {
		c, err := net.DialTimeout("tcp", n.Addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(in)
		_, _ = bufio.NewReader(c).ReadByte() // whatever the server answers, or EOF
		c.Close()
		if _, err := n.cli.Status(ctxT(t), &storagerpc.StatusRequest{}); err != nil {
			t.Fatalf("node unhealthy after garbage input %d: %v", i, err)
		}
	}
}

func TestMalformedMessages(t *testing.T) {
	n := startNode(t, t.TempDir(), nil)
	cc, err := grpc.NewClient(n.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	rng := rand.New(rand.NewSource(8))
	for i := 0; i < 30; i++ {
		msg := make([]byte, rng.Intn(200))
		rng.Read(msg)
		for _, m := range []string{"GetPage", "Status", "RaiseEpoch", "Truncate"} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			var out []byte
			_ = cc.Invoke(ctx, "/"+storagerpc.ServiceName+"/"+m, &msg, &out, grpc.ForceCodec(rawCodec{}))
			cancel()
		}
		// A malformed Append message, and a well-formed one with garbage records.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, err := cc.NewStream(ctx, &storagerpc.ServiceDesc.Streams[0], "/"+storagerpc.ServiceName+"/Append", grpc.ForceCodec(rawCodec{}))
		if err == nil {
			s.SendMsg(&msg)
			s.CloseSend()
			var out []byte
			err = s.RecvMsg(&out)
		}
		cancel()
		if err == nil {
			t.Fatalf("malformed append %d accepted", i)
		}
		_, err = appendBatches(t, n.cli, &storagerpc.AppendRequest{Epoch: 1, PG: 1, Records: msg})
		if len(msg) > 0 && status.Code(err) != codes.InvalidArgument {
			t.Fatalf("garbage records: %v", err)
		}
	}
	for _, q := range []*storagerpc.TruncateRequest{{PG: 1, Epoch: 1, Range: storagerpc.Range{After: 5, Before: 5}}} {
		if _, err := n.cli.Truncate(ctxT(t), q); err == nil {
			t.Errorf("truncate %+v accepted", q)
		}
	}
	if _, err := n.cli.Status(ctxT(t), &storagerpc.StatusRequest{}); err != nil {
		t.Fatalf("node unhealthy after malformed messages: %v", err)
	}
}
