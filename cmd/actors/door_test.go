//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// TestHoldTheDoor runs the built binary with its defaults against what once starved it of
// connections, all at once, each attacker from loopback addresses of its own:
//
//   - 64 keep-alive connections from one address, each idle after one request;
//   - 64 more from 64 addresses, as many as the server serves at once;
//   - 16 connections sending their headers a byte at a time;
//   - 8 POSTs without credentials sending their bodies a byte at a time, each of which must
//     lose its connection with its 401, rather than keep it until the read timeout.
//
// Meanwhile /healthz, asked from yet another address on a new connection each time, must
// answer every time, and so must `actors healthcheck`, which the container runs.
func TestHoldTheDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	srv := startBinary(t, devEnv(nil))
	var attackers sync.WaitGroup
	var conns []net.Conn
	stop := make(chan struct{})
	defer func() {
		close(stop)
		for _, c := range conns {
			c.Close()
		}
		attackers.Wait()
	}()
	dial := func(from string) net.Conn {
		c, err := dialerFrom(from).Dial("tcp", srv.addr)
		if err != nil {
			t.Fatalf("attacker from %s: %v", from, err)
		}
		conns = append(conns, c)
		return c
	}

	idle := func(from string) {
		c := dial(from)
		attackers.Go(func() {
			fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
			_, _ = io.Copy(io.Discard, c) // the answer, then nothing until the server closes
		})
	}
	for range 64 {
		idle("127.0.20.1")
	}
	for i := range 64 {
		idle(fmt.Sprintf("127.0.21.%d", i+1))
	}
	trickle := func(from, request string) {
		c := dial(from)
		attackers.Go(func() {
			for i := range len(request) {
				if _, err := c.Write([]byte{request[i]}); err != nil {
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		})
	}
	for i := range 16 {
		trickle(fmt.Sprintf("127.0.22.%d", 1+i/8), "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: "+string(make([]byte, 100))+"\r\n\r\n")
	}
	var bodies []net.Conn
	for range 8 {
		c := dial("127.0.23.1")
		fmt.Fprint(c, "POST /actors HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{")
		bodies = append(bodies, c)
		attackers.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // the attack is in place

	probe := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, DialContext: dialerFrom("127.0.24.1").DialContext}}
	failed := 0
	for i := range 20 {
		resp, err := probe.Get(srv.base + "/healthz")
		if err != nil {
			failed++
			t.Errorf("/healthz probe %d during the attack: %v", i+1, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("/healthz probe %d during the attack: %s", i+1, resp.Status)
		}
	}
	for i := range 3 {
		cmd := exec.Command(srv.bin, "healthcheck")
		cmd.Env = binaryEnv(map[string]string{"ACTORS_ADDR": srv.addr})
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("actors healthcheck %d during the attack: %v\n%s", i+1, err, out)
		}
	}

	// Each slow body got its 401, and then lost its connection, long before the server's
	// read timeout (15s) would have ended it.
	for i, c := range bodies {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Errorf("slow body %d: no answer: %v", i+1, err)
			continue
		}
		if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
			t.Errorf("slow body %d: %s, close %v; want 401 with Connection: close", i+1, resp.Status, resp.Close)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		if _, err := r.ReadByte(); err == nil || isTimeout(err) {
			t.Errorf("slow body %d: the connection is still open after its 401 (%v)", i+1, err)
		}
	}
	if t.Failed() {
		t.Logf("server output:\n%s", srv.output())
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
