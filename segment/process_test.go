package segment

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/borealis-db/borealis/segment/storagerpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type proc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stderr: new(bytes.Buffer), done: make(chan error, 1)}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
	})
	return p
}

// wait waits for the process to exit and returns its error.
func (p *proc) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("process did not exit; stderr:\n%s", p.stderr)
		return nil
	}
}

func TestStorageProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "borealis")
	build := exec.Command("go", "build", "-o", bin, "../cmd/borealis")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "data")
	addr, httpAddr := freeAddr(t), freeAddr(t)
	args := []string{"storage", "--dir", dir, "--listen", addr, "--node", "a1", "--az", "a", "--http", httpAddr}

	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	cli := storagerpc.NewClient(cc)
	ready := func(p *proc) {
		eventually(t, "the node to answer Status", func() bool {
			select {
			case err := <-p.done:
				p.done <- err
				t.Fatalf("node exited: %v\n%s", err, p.stderr)
			default:
			}
			st, err := cli.Status(ctxT(t), &storagerpc.StatusRequest{})
			return err == nil && st.Node == "a1" && st.AZ == "a"
		})
	}

	p := startProc(t, bin, args...)
	ready(p)
	g := newGen(40, 4)
	var last *storagerpc.AppendAck
	for i := 0; i < 10; i++ {
		acks, err := appendBatches(t, cli, req(1, 1, g.batch(t, 5)))
		if err != nil {
			t.Fatal(err)
		}
		last = acks[0]
	}
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if hz, err := http.Get("http://" + httpAddr + "/healthz"); err != nil || hz.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", hz, err)
	} else {
		hz.Body.Close()
	}
	for _, m := range []string{"borealis_storage_fsyncs_total", "borealis_storage_scl{pg=\"1\"}", "borealis_storage_fsync_seconds_bucket"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("metrics lack %s", m)
		}
	}

	// SIGKILL, restart, read back everything acknowledged.
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t)
	p = startProc(t, bin, args...)
	ready(p)
	full, err := cli.Status(ctxT(t), &storagerpc.StatusRequest{})
	if err != nil || full.DiskBytes == 0 {
		t.Fatalf("status after SIGKILL: %+v %v", full, err)
	}
	if st := groupStatus(t, cli, 1); st.SCL != last.SCL {
		t.Fatalf("after SIGKILL: %+v, want SCL %d", st, last.SCL)
	}
	checkPages(t, cli, g, 1, last.SCL)

	// A second node on the same port fails with a one-line error.
	p2 := startProc(t, bin, "storage", "--dir", filepath.Join(tmp, "other"), "--listen", addr, "--node", "a2")
	if err := p2.wait(t); err == nil || !strings.Contains(p2.stderr.String(), "listen on") {
		t.Errorf("second node on a used port: %v, stderr %q", err, p2.stderr)
	}

	// SIGTERM: clean exit.
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), `"msg":"storage node stopped"`) {
		t.Errorf("no JSON shutdown log line in:\n%s", p.stderr)
	}

	// A damaged directory: refuses to start, naming the file and offset.
	logs := nonEmptyLogs(t, dir)
	damage(t, logs[0], 30)
	p = startProc(t, bin, args...)
	if err := p.wait(t); err == nil {
		t.Fatal("started on a damaged directory")
	}
	line := lastLine(p.stderr.String())
	if !strings.Contains(line, logs[0]) || !strings.Contains(line, "offset") || !strings.Contains(line, "--repair") {
		t.Errorf("error line %q does not name the file, offset and remedy", line)
	}

	// Bad flags.
	for _, bad := range [][]string{
		{"storage", "--dir", dir},
		{"storage", "--dir", dir, "--listen", addr, "--node", "x", "--bogus"},
		{"storage", "--dir", filepath.Join(tmp, "f", "x"), "--listen", "nonsense", "--node", "x"},
	} {
		p := startProc(t, bin, bad...)
		if err := p.wait(t); err == nil || strings.Count(strings.TrimSpace(p.stderr.String()), "\n") > 0 {
			t.Errorf("%v: exit %v, stderr %q (want non-zero and one line)", bad, err, p.stderr)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
