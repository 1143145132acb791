package wire

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// encodeMsgs encodes frontend messages into one byte stream.
func encodeMsgs(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// fuzzSeeds are client byte streams that exercise every message kind.
func fuzzSeeds() map[string][]byte {
	return map[string][]byte{
		"simple": encodeMsgs(&pgproto3.Query{String: "select 1; select 'x'"}, &pgproto3.Query{String: ""},
			&pgproto3.Query{String: "begin"}, &pgproto3.Query{String: "error 42P01 x"}, &pgproto3.Query{String: "rollback"},
			&pgproto3.Terminate{}),
		"extended": encodeMsgs(&pgproto3.Parse{Name: "s", Query: "select $1::int8, $2"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0},
				Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 9}, nil}, ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P', Name: "p"}, &pgproto3.Execute{Portal: "p", MaxRows: 1},
			&pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Close{ObjectType: 'S', Name: "s"},
			&pgproto3.Flush{}, &pgproto3.Sync{}),
		"suspend": encodeMsgs(&pgproto3.Parse{Query: "series 4"}, &pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 3}, &pgproto3.Execute{MaxRows: 3}, &pgproto3.Sync{}),
		"copy": encodeMsgs(&pgproto3.Query{String: "create table t (a int4, b text)"},
			&pgproto3.Query{String: "copy t from stdin csv"}, &pgproto3.CopyData{Data: []byte("1,\"x\"\"y\"\n2,\n")},
			&pgproto3.CopyDone{}, &pgproto3.Query{String: "copy t from stdin"},
			&pgproto3.CopyData{Data: []byte("3\t\\N\n")}, &pgproto3.CopyFail{Message: "no"},
			&pgproto3.Query{String: "copy t from stdin binary"},
			&pgproto3.CopyData{Data: []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x05\xff\xff\xff\xff\xff\xff")},
			&pgproto3.CopyDone{}, &pgproto3.Query{String: "select * from t"}),
		"errors": append(encodeMsgs(&pgproto3.Parse{Query: "frob"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Sync{}, &pgproto3.Query{String: "select '\xff'"}), typed('Z', nil)...),
		"truncated": {'Q', 0, 0, 0, 50, 's'},
	}
}

// FuzzMessageLoop feeds arbitrary client byte streams into a connection on a
// net.Pipe: the server must neither panic nor hang, whatever arrives.
func FuzzMessageLoop(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(true, seed)
	}
	f.Add(false, []byte("GET / HTTP/1.0\r\n\r\n"))
	f.Add(false, append(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, codeSSLRequest), startupBytes(3<<16, "user", "u")...))

	f.Fuzz(func(t *testing.T, withStartup bool, data []byte) {
		eng := newTestEngine()
		eng.fuzzing = true
		var logBuf bytes.Buffer
		srv, err := NewServer(Config{Engine: eng, AuthMethod: AuthTrust, MaxMessageSize: 1 << 16,
			Logger: slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelError}))})
		if err != nil {
			t.Fatal(err)
		}
		server, client := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.ServeConn(context.Background(), server)
		}()
		go io.Copy(io.Discard, client)
		var stream []byte
		if withStartup {
			stream = startupBytes(3<<16, "user", "fuzz", "database", "db")
		}
		stream = append(stream, data...)
		client.SetWriteDeadline(time.Now().Add(5 * time.Second))
		client.Write(stream) // the server may close early; that is fine
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("server hung on input %q", data)
		}
		if n := srv.panics.Load(); n != 0 {
			t.Fatalf("%d panics recovered on input %q:\n%s", n, data, logBuf.String())
		}
	})
}

// FuzzCopyDecoder decodes arbitrary data in every COPY format: errors are
// fine, panics and endless loops are not.
func FuzzCopyDecoder(f *testing.F) {
	f.Add(uint8(0), []byte("1\ta\\tb\\x41\\101\n\\N\t\\.\n\\.\n"))
	f.Add(uint8(1), []byte("a,\"b\"\"c\nd\",,\"\"\r\n\\.\n"))
	f.Add(uint8(2), []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01x\xff\xff"))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		d, err := NewCopyDecoder(bytesReader(data), CopyFormat{Kind: CopyKind(kind % 3)})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more rows (%d) than input bytes", i)
			}
			row, err := d.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var we *Error
				if !errors.As(err, &we) {
					t.Fatalf("error without SQLSTATE: %v", err)
				}
				return
			}
			_ = row
		}
	})
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// TestWriteFuzzCorpus keeps testdata/fuzz/FuzzMessageLoop in step with
// fuzzSeeds (run with -update).
func TestWriteFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzMessageLoop")
	for name, seed := range fuzzSeeds() {
		path := filepath.Join(dir, "seed-"+name)
		want := fmt.Sprintf("go test fuzz v1\nbool(true)\n[]byte(%q)\n", seed)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Fatalf("%s is missing or stale (run with -update): %v", path, err)
		}
	}
}
