package storagerpc

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
)

// Codec is the gRPC codec for this package's messages. It is installed per
// server (ServerCodec) and per call (the Client does it), never globally.
type Codec struct{}

// Name names the codec in the gRPC content type.
func (Codec) Name() string { return "borealis-storage-v1" }

// Marshal encodes a Message.
func (Codec) Marshal(v any) ([]byte, error) {
	m, ok := v.(Message)
	if !ok {
		return nil, fmt.Errorf("storagerpc: cannot marshal %T", v)
	}
	return Marshal(m), nil
}

// Unmarshal decodes into a Message.
func (Codec) Unmarshal(data []byte, v any) error {
	m, ok := v.(Message)
	if !ok {
		return fmt.Errorf("storagerpc: cannot unmarshal into %T", v)
	}
	return Unmarshal(data, m)
}

// ServerCodec is the server option that makes a gRPC server speak this codec.
func ServerCodec() grpc.ServerOption { return grpc.ForceServerCodec(Codec{}) }

// ServiceName is the gRPC service name.
const ServiceName = "borealis.storage.v1.Storage"

// Server is what a storage node implements.
type Server interface {
	// Append receives batches of one protection group and acknowledges each
	// once durable, in order. A stale epoch ends the stream with
	// codes.FailedPrecondition.
	Append(AppendServerStream) error
	// Fetch streams the records of a group in a range (repair, recovery).
	Fetch(*FetchRequest, FetchServerStream) error
	// GetPage returns a page as of an LSN; codes.Unavailable when the replica
	// is not complete at that LSN, codes.OutOfRange below its GC horizon.
	GetPage(context.Context, *GetPageRequest) (*GetPageResponse, error)
	// Status describes the node and its groups.
	Status(context.Context, *StatusRequest) (*StatusResponse, error)
	// RaiseEpoch fences older writers of a group.
	RaiseEpoch(context.Context, *EpochRequest) (*EpochResponse, error)
	// Truncate drops a range of records of a group.
	Truncate(context.Context, *TruncateRequest) (*EpochResponse, error)
}

// AppendServerStream is the server side of an Append stream.
type AppendServerStream interface {
	Context() context.Context
	Recv() (*AppendRequest, error)
	Send(*AppendAck) error
}

// FetchServerStream is the server side of a Fetch stream.
type FetchServerStream interface {
	Context() context.Context
	Send(*FetchChunk) error
}

type appendServerStream struct{ grpc.ServerStream }

func (s appendServerStream) Recv() (*AppendRequest, error) {
	m := new(AppendRequest)
	if err := s.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

func (s appendServerStream) Send(m *AppendAck) error { return s.SendMsg(m) }

type fetchServerStream struct{ grpc.ServerStream }

func (s fetchServerStream) Send(m *FetchChunk) error { return s.SendMsg(m) }

func unary[Req any, Resp any, PReq interface {
	*Req
	Message
}](name string, call func(Server, context.Context, PReq) (Resp, error)) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := PReq(new(Req))
			if err := dec(in); err != nil {
				return nil, err
			}
			if icpt == nil {
				return call(srv.(Server), ctx, in)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + ServiceName + "/" + name}
			return icpt(ctx, in, info, func(ctx context.Context, req any) (any, error) {
				return call(srv.(Server), ctx, req.(PReq))
			})
		},
	}
}

// ServiceDesc describes the storage service for grpc.Server.RegisterService.
var ServiceDesc = grpc.ServiceDesc{
	ServiceName: ServiceName,
	HandlerType: (*Server)(nil),
	Methods: []grpc.MethodDesc{
		unary("GetPage", Server.GetPage),
		unary("Status", Server.Status),
		unary("RaiseEpoch", Server.RaiseEpoch),
		unary("Truncate", Server.Truncate),
	},
	Streams: []grpc.StreamDesc{
		{
			StreamName:    "Append",
			ServerStreams: true,
			ClientStreams: true,
			Handler: func(srv any, stream grpc.ServerStream) error {
				return srv.(Server).Append(appendServerStream{stream})
			},
		},
		{
			StreamName:    "Fetch",
			ServerStreams: true,
			Handler: func(srv any, stream grpc.ServerStream) error {
				m := new(FetchRequest)
				if err := stream.RecvMsg(m); err != nil {
					return err
				}
				return srv.(Server).Fetch(m, fetchServerStream{stream})
			},
		},
	},
	Metadata: "storagerpc",
}

// Register registers a storage Server on a gRPC server built with ServerCodec.
func Register(s *grpc.Server, srv Server) { s.RegisterService(&ServiceDesc, srv) }

// Client calls a storage node. Every call takes a context: callers set deadlines.
type Client struct {
	cc grpc.ClientConnInterface
}

// NewClient wraps a connection to a storage node.
func NewClient(cc grpc.ClientConnInterface) *Client { return &Client{cc: cc} }

func (c *Client) invoke(ctx context.Context, method string, in, out Message) error {
	return c.cc.Invoke(ctx, "/"+ServiceName+"/"+method, in, out, grpc.ForceCodec(Codec{}))
}

// GetPage reads a page as of an LSN.
func (c *Client) GetPage(ctx context.Context, in *GetPageRequest) (*GetPageResponse, error) {
	out := new(GetPageResponse)
	return out, c.invoke(ctx, "GetPage", in, out)
}

// Status asks for the node's status.
func (c *Client) Status(ctx context.Context, in *StatusRequest) (*StatusResponse, error) {
	out := new(StatusResponse)
	return out, c.invoke(ctx, "Status", in, out)
}

// RaiseEpoch raises a group's epoch on the node.
func (c *Client) RaiseEpoch(ctx context.Context, in *EpochRequest) (*EpochResponse, error) {
	out := new(EpochResponse)
	return out, c.invoke(ctx, "RaiseEpoch", in, out)
}

// Truncate drops a range of a group's records on the node.
func (c *Client) Truncate(ctx context.Context, in *TruncateRequest) (*EpochResponse, error) {
	out := new(EpochResponse)
	return out, c.invoke(ctx, "Truncate", in, out)
}

// AppendClientStream is the writer side of an Append stream.
type AppendClientStream struct{ grpc.ClientStream }

// Send sends one batch.
func (s AppendClientStream) Send(m *AppendRequest) error { return s.SendMsg(m) }

// Recv receives the next acknowledgement.
func (s AppendClientStream) Recv() (*AppendAck, error) {
	m := new(AppendAck)
	if err := s.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Append opens an Append stream; it lives as long as ctx.
func (c *Client) Append(ctx context.Context) (AppendClientStream, error) {
	s, err := c.cc.NewStream(ctx, &ServiceDesc.Streams[0], "/"+ServiceName+"/Append", grpc.ForceCodec(Codec{}))
	if err != nil {
		return AppendClientStream{}, err
	}
	return AppendClientStream{s}, nil
}

// FetchClientStream is the receiving side of a Fetch stream.
type FetchClientStream struct{ grpc.ClientStream }

// Recv receives the next chunk; io.EOF ends the stream.
func (s FetchClientStream) Recv() (*FetchChunk, error) {
	m := new(FetchChunk)
	if err := s.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Fetch opens a Fetch stream for a range of records.
func (c *Client) Fetch(ctx context.Context, in *FetchRequest) (FetchClientStream, error) {
	s, err := c.cc.NewStream(ctx, &ServiceDesc.Streams[1], "/"+ServiceName+"/Fetch", grpc.ForceCodec(Codec{}))
	if err != nil {
		return FetchClientStream{}, err
	}
	if err := s.SendMsg(in); err != nil {
		return FetchClientStream{}, err
	}
	if err := s.CloseSend(); err != nil {
		return FetchClientStream{}, err
	}
	return FetchClientStream{s}, nil
}
