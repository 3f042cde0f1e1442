//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/apitest"
)

// TestGracefulShutdown runs the built binary, as a container would, and sends it SIGTERM
// under load. Requests the server has accepted must end with their real answer; then the
// process exits 0 and nothing listens any more.
//
// Which of the load's requests the server had accepted when the signal came cannot be told
// from the client side (a request may sit in the kernel's accept queue), so the test makes
// some requests whose acceptance it can prove: POSTs with "Expect: 100-continue". The
// server sends "100 Continue" only once a handler reads the body, so a client that got it
// holds an accepted, unfinished request. Those clients send their bodies only after the
// signal, once the listener is closed, and must get 201.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	const shutdownTimeout = 10 * time.Second
	srv := startBinary(t, devEnv(map[string]string{
		"ACTORS_SHUTDOWN_TIMEOUT": shutdownTimeout.String(),
	}))

	// Accepted, unfinished requests.
	const held = 4
	var holds []*heldRequest
	for i := range held {
		holds = append(holds, holdRequest(t, srv.addr, fmt.Sprintf(`{"actor":"Held %d","role":"In flight"}`, i)))
	}

	// A bounded load from 8 clients on keep-alive connections, running across the signal.
	type outcome struct {
		status int
		err    error
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	check := apitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: 8})
	client := &http.Client{Transport: check, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	for w := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				var req *http.Request
				if i%2 == 0 {
					req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/actors/%d", srv.base, 1+(w+i)%8), nil)
				} else {
					req, _ = http.NewRequest(http.MethodPost, srv.base+"/actors", strings.NewReader(`{"actor":"Load","role":"Extra"}`))
					req.Header.Set("Content-Type", "application/json")
				}
				req.SetBasicAuth("user", "password")
				resp, err := client.Do(req)
				var o outcome
				if err != nil {
					o.err = err
				} else {
					// The checking transport has read the whole body: a cut-off answer is an error here.
					o.status = resp.StatusCode
					resp.Body.Close()
				}
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // let the load run; what is checked does not depend on it
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	// New connections are refused while the held requests keep the process alive.
	waitRefused(t, srv.addr)
	select {
	case <-srv.exited:
		t.Fatalf("the process exited (%v) with %d accepted requests unfinished", srv.cmd.ProcessState, held)
	default:
	}
	for i, h := range holds {
		status, body := h.finish(t)
		if status != http.StatusCreated || !strings.Contains(body, fmt.Sprintf(`"actor":"Held %d"`, i)) {
			t.Errorf("held request %d after SIGTERM: %d %s, want 201 with its actor", i, status, body)
		}
	}

	finished := time.Now()
	select {
	case <-srv.exited:
		t.Logf("the process exited %s after the held requests were answered", time.Since(finished).Round(time.Millisecond))
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatalf("the process did not exit within the shutdown timeout (%s)", shutdownTimeout)
	}
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d, want 0; output:\n%s", code, srv.output())
	}
	if c, err := net.Dial("tcp", srv.addr); err == nil {
		c.Close()
		t.Error("a connection was accepted after the process exited")
	}

	// Every answer the load got is a real one; the only failures allowed are connections the
	// server had not accepted (refused, or closed while idle between requests).
	answered := map[int]int{}
	failed := 0
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			failed++
			if !connectionLevel(o.err) {
				t.Errorf("a load request failed after the server accepted it: %v", o.err)
			}
		case o.status != http.StatusOK && o.status != http.StatusCreated:
			t.Errorf("a load request got %d, want 200 or 201", o.status)
		default:
			answered[o.status]++
		}
	}
	t.Logf("load: %d requests, %d answered 200, %d answered 201, %d not accepted (refused or closed idle)", len(outcomes), answered[200], answered[201], failed)
	if answered[200] == 0 || answered[201] == 0 {
		t.Errorf("the load got no answers before the signal: the test proves nothing")
	}
}

// connectionLevel reports whether err is the client failing to reach the server, or the
// server closing a connection with no request of it accepted, rather than an answer cut off.
func connectionLevel(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || strings.Contains(err.Error(), "server closed idle connection")
}

// heldRequest is a POST whose headers the server has accepted and whose body is unsent.
type heldRequest struct {
	conn net.Conn
	r    *bufio.Reader
	body string
}

func holdRequest(t *testing.T, addr, body string) *heldRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST /actors HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic dXNlcjpwYXNzd29yZA==\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	return &heldRequest{conn: conn, r: r, body: body}
}

// finish sends the body and returns the answer.
func (h *heldRequest) finish(t *testing.T) (int, string) {
	t.Helper()
	if _, err := io.WriteString(h.conn, h.body); err != nil {
		t.Errorf("sending a held body: %v", err)
		return 0, ""
	}
	resp, err := http.ReadResponse(h.r, nil)
	if err != nil {
		t.Errorf("reading a held answer: %v", err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("reading a held answer's body: %v", err)
	}
	return resp.StatusCode, string(b)
}

func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections 10s after SIGTERM")
		}
	}
}

// binaryServer is the built actors binary running as a subprocess.
type binaryServer struct {
	bin    string // the binary's path
	cmd    *exec.Cmd
	addr   string // host:port it listens on
	base   string // http://addr
	exited chan struct{}
	mu     sync.Mutex
	out    bytes.Buffer
}

func (s *binaryServer) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// buildBinary builds ./cmd/actors into a temporary folder and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("go is not on PATH: cannot build the binary")
		}
		t.Skip("go is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "actors")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binaryEnv is env added to a clean environment: none of the caller's ACTORS_* or OTEL_*
// variables.
func binaryEnv(env map[string]string) []string {
	var kvs []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACTORS_") && !strings.HasPrefix(kv, "OTEL_") {
			kvs = append(kvs, kv)
		}
	}
	for k, v := range env {
		kvs = append(kvs, k+"="+v)
	}
	return kvs
}

// startBinary builds ./cmd/actors and starts it on a free loopback port with env added to a
// clean environment (binaryEnv).
// oneShot closes each connection after its request. A client that keeps connections alive
// may dial one more than it uses when requests follow each other closely, and a connection
// that never sends a request holds the server's Shutdown for net/http's 5 s grace, longer than
// some tests give it.
var oneShot = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func startBinary(t *testing.T, env map[string]string) *binaryServer {
	t.Helper()
	bin := buildBinary(t)
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = binaryEnv(env)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &binaryServer{bin: bin, cmd: cmd, exited: make(chan struct{})}
	cmd.Stderr = &lockedWriter{s}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		// Keep draining the log so the server never blocks on it; the first line with msg
		// "listening" gives the address.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Bytes()
			s.mu.Lock()
			s.out.Write(append(line, '\n'))
			s.mu.Unlock()
			var l struct{ Msg, Addr string }
			if json.Unmarshal(line, &l) == nil && l.Msg == "listening" {
				addr <- l.Addr
			}
		}
		_ = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case s.addr = <-addr:
	case <-s.exited:
		t.Fatalf("the server exited at start-up:\n%s", s.output())
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not report its address:\n%s", s.output())
	}
	s.base = "http://" + s.addr
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := oneShot.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered 200: %v\n%s", err, s.output())
		}
	}
}

type lockedWriter struct{ s *binaryServer }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(p)
}
