//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/apitest"
)

// Slow clients must not tie the server up: http.Server's ReadHeaderTimeout cuts off a
// client that trickles its headers (slowloris), and WriteTimeout one that stops reading.
// These tests run the server in-process with short timeouts.

// connGoroutines counts the goroutines serving an HTTP connection in this process.
func connGoroutines() int {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "net/http.(*conn).serve(")
}

// waitConnGoroutines polls until cond holds for the count of connection goroutines, or
// fails after limit. The limit only bounds a broken run; it is not what the test measures.
func waitConnGoroutines(t *testing.T, what string, limit time.Duration, cond func(int) bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		n := connGoroutines()
		if cond(n) {
			return
		}
		if time.Now().After(deadline) {
			var b bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
			for _, g := range strings.Split(b.String(), "\n\n") {
				if strings.Contains(g, "net/http.(*conn).serve(") {
					t.Log(g)
				}
			}
			t.Fatalf("%s: still %d connection goroutines after %s", what, n, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	base := startServer(t, devEnv(map[string]string{"ACTORS_READ_HEADER_TIMEOUT": "1s"}))
	addr := strings.TrimPrefix(base, "http://")

	// Ten slow clients, each sending a request's headers one byte a second: complete, the
	// header would take 35 s. Each reports how many bytes it got out before the server
	// closed the connection.
	const header = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
	const slow = 10
	cut := make(chan int, slow)
	for range slow {
		go func() { cut <- trickle(t, addr, header) }()
	}

	// Meanwhile 50 normal clients keep asking, on up to 50 connections, until every slow
	// client is cut off.
	const normal = 50
	client := &http.Client{
		Transport: apitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: normal}),
		Timeout:   10 * time.Second,
	}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range normal {
		wg.Go(func() {
			answered := 0
			for {
				req, _ := http.NewRequest(http.MethodGet, base+"/actors?limit=5", nil)
				req.SetBasicAuth("user", "password")
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("normal client %d, while slow clients hang on: %v", i, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("normal client %d: %s", i, resp.Status)
					return
				}
				answered++
				select {
				case <-stop:
					if answered < 2 {
						t.Errorf("normal client %d got only %d answers", i, answered)
					}
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		})
	}
	for range slow {
		if n := <-cut; n >= len(header) {
			t.Errorf("a slow client sent its whole header (%d bytes) and was not cut off", n)
		} else {
			t.Logf("slow client cut off after %d of %d header bytes", n, len(header))
		}
	}
	close(stop)
	wg.Wait()
}

// trickle sends header one byte a second until the server closes the connection, and
// returns how many bytes it sent. The server must close without serving the request.
func trickle(t *testing.T, addr, header string) int {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Errorf("slow client: %v", err)
		return len(header)
	}
	defer conn.Close()
	closed := make(chan []byte, 1)
	go func() {
		// The read ends when the server closes the connection; a complete header would
		// get an answer, which the caller counts as a failure through the bytes sent.
		answer, _ := io.ReadAll(conn)
		closed <- answer
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for sent := 0; ; {
		select {
		case answer := <-closed:
			// Cut off means closed unserved: with no answer, or, as net/http sometimes does
			// when the deadline ends a half-read request line, with its own 4xx.
			if len(answer) > 0 && !strings.HasPrefix(string(answer), "HTTP/1.1 4") {
				t.Errorf("slow client got an answer instead of being cut off: %q", answer)
			}
			return sent
		case <-tick.C:
			if sent == len(header) {
				// Everything is sent; give the server a last chance to answer.
				select {
				case <-closed:
				case <-time.After(5 * time.Second):
				}
				return sent
			}
			if _, err := conn.Write([]byte{header[sent]}); err != nil {
				return sent // the server has gone
			}
			sent++
		}
	}
}

func TestStalledReaderReleasesGoroutine(t *testing.T) {
	const writeTimeout = 2 * time.Second
	base := startServer(t, devEnv(map[string]string{"ACTORS_WRITE_TIMEOUT": writeTimeout.String()}))
	addr := strings.TrimPrefix(base, "http://")

	// 1000 actors with 200-character fields make GET /actors?limit=1000 about 400 KB, more than
	// the loopback socket buffers hold when the client reads nothing.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	body := fmt.Sprintf(`{"actor":%q,"role":%q}`, strings.Repeat("a", 200), strings.Repeat("r", 200))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 1000; i += 8 {
				req, _ := http.NewRequest(http.MethodPost, base+"/actors", strings.NewReader(body))
				req.SetBasicAuth("user", "password")
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("create: %v", err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					t.Errorf("create: %s", resp.Status)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/actors?limit=1000", nil)
	req.SetBasicAuth("user", "password")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections() // startServer's health checks
	waitConnGoroutines(t, "before the stalled client", 10*time.Second, func(n int) bool { return n == 0 })

	// The stalled client: a small receive buffer, pipelined requests whose answers add up to
	// more than Linux lets a loopback socket buffer on the sending side (tcp_wmem, 4 MiB at
	// most), and no reading.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pipelined := 8<<20/len(full) + 1
	request := "GET /actors?limit=1000 HTTP/1.1\r\nHost: a\r\nAuthorization: Basic dXNlcjpwYXNzd29yZA==\r\n\r\n"
	if _, err := io.WriteString(conn, strings.Repeat(request, pipelined)); err != nil {
		t.Fatal(err)
	}
	waitConnGoroutines(t, "the stalled client's request", 10*time.Second, func(n int) bool { return n == 1 })
	start := time.Now()
	// The server's write blocks on the full socket until WriteTimeout, then it must give the
	// connection up. The limit is generous: it only bounds a broken run.
	waitConnGoroutines(t, "after WriteTimeout", writeTimeout+10*time.Second, func(n int) bool { return n == 0 })
	t.Logf("the stalled connection's goroutine ended %s after the request (WriteTimeout %s)", time.Since(start).Round(time.Millisecond), writeTimeout)

	// Proof the server was stuck rather than done: the client now finds the answers cut short
	// and the connection closed.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the stalled connection open (%d bytes read)", got)
	}
	if got >= int64(pipelined*len(full)) {
		t.Errorf("the stalled client received all %d bytes: the server never blocked, so the test proves nothing", got)
	}
	t.Logf("stalled client: %d of at least %d bytes before the server gave up", got, pipelined*len(full))
}
