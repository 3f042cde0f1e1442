package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// limitedServer serves "ok" through LimitConnections on 127.0.0.1; the other loopback
// addresses (127.0.0.2 …) stand for other clients.
func limitedServer(t *testing.T, limit int, trusted ...netip.Prefix) (string, *slots) {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, hook := LimitConnections(tcp.(*net.TCPListener), limit, trusted, slog.New(slog.DiscardHandler))
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }),
		ConnState:         hook,
		ReadHeaderTimeout: time.Minute, // a busy connection stays busy for the whole test
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return tcp.Addr().String(), ln.(*slots)
}

// dialFrom connects to addr from the loopback address from.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// answered sends a request on c and reports whether it was answered; false means the
// server closed the connection instead.
func answered(c net.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // bounds a broken run only
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		return false
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// idle makes a keep-alive connection from client and waits until the server holds it idle.
func idle(t *testing.T, s *slots, client, addr string) net.Conn {
	t.Helper()
	c := dialFrom(t, client, addr)
	if !answered(c) {
		t.Fatalf("%s: no answer", client)
	}
	waitSlots(t, s, func(open, idle, _ int) bool { return idle == open })
	return c
}

// busy makes a connection from client that sends half a request, and waits until the
// server counts it (open) or holds it waiting.
func busy(t *testing.T, s *slots, client, addr string) net.Conn {
	t.Helper()
	var before int
	waitSlots(t, s, func(open, _, waiting int) bool { before = open + waiting; return true })
	c := dialFrom(t, client, addr)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	waitSlots(t, s, func(open, _, waiting int) bool { return open+waiting == before+1 })
	return c
}

// waitSlots polls the slots until cond holds for the connections open, idle and waiting.
func waitSlots(t *testing.T, s *slots, cond func(open, idle, waiting int) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		open, idle, waiting := len(s.open), 0, len(s.waiting)
		for c := range s.open {
			if c.idleSince.Load() != 0 {
				idle++
			}
		}
		s.mu.Unlock()
		if cond(open, idle, waiting) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("slots: %d open, %d idle, %d waiting", open, idle, waiting)
		}
	}
}

// closed reports whether the server has closed c (an answer would be read too, and fail).
func closed(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestIdleConnectionsGiveWay: at the limit, a new client's connection takes the slot of
// the connection idle longest, whoever holds it.
func TestIdleConnectionsGiveWay(t *testing.T) {
	const limit = 16
	addr, s := limitedServer(t, limit)
	var held []net.Conn
	for i := range limit {
		held = append(held, idle(t, s, fmt.Sprintf("127.0.1.%d", i+1), addr))
		time.Sleep(2 * time.Millisecond) // distinct idle times: the first is the oldest
	}
	for i := range 3 {
		if c := dialFrom(t, fmt.Sprintf("127.0.2.%d", i+1), addr); !answered(c) {
			t.Fatalf("new client, connection %d: not served at the limit although %d connections are idle", i+1, limit)
		}
		if !closed(held[i]) {
			t.Errorf("the connection idle longest (%d) is still open", i+1)
		}
	}
	if !answered(held[limit-1]) {
		t.Error("a connection idle for less time was closed")
	}
}

// TestConnectionsPerClient: a client has an eighth of the slots. At its share its own
// idle connection gives way; with none idle it is refused; other clients are unaffected.
// Trusted proxies have no share.
func TestConnectionsPerClient(t *testing.T) {
	const limit, share = 16, 2
	proxy := netip.MustParsePrefix("127.0.0.9/32")
	addr, s := limitedServer(t, limit, proxy)

	other := idle(t, s, "127.0.0.3", addr)
	first, second := idle(t, s, "127.0.0.2", addr), idle(t, s, "127.0.0.2", addr)
	if !answered(dialFrom(t, "127.0.0.2", addr)) {
		t.Fatal("a client at its share with an idle connection was not served")
	}
	if !closed(first) {
		t.Error("the client's connection idle longest is still open")
	}
	if !answered(second) || !answered(other) {
		t.Error("a connection that was not idle longest was closed")
	}

	for range share {
		busy(t, s, "127.0.0.4", addr)
	}
	if c := dialFrom(t, "127.0.0.4", addr); !closed(c) {
		t.Errorf("a client with %d busy connections got another", share)
	}
	if !answered(dialFrom(t, "127.0.0.5", addr)) {
		t.Error("another client was refused")
	}

	for range 2 * share {
		busy(t, s, "127.0.0.9", addr) // fails unless the proxy's connections are all open
	}
}

// TestConnectionsWaitAtTheLimit: with every slot busy, a connection waits for a slot, and
// gets the first to go idle; the host's own connections (the health check) do not wait.
func TestConnectionsWaitAtTheLimit(t *testing.T) {
	const limit = 8
	addr, s := limitedServer(t, limit)
	var held []net.Conn
	for i := range limit {
		held = append(held, busy(t, s, fmt.Sprintf("127.0.1.%d", i+1), addr))
	}
	waiter := dialFrom(t, "127.0.2.1", addr)
	done := make(chan bool, 1)
	go func() { done <- answered(waiter) }()
	waitSlots(t, s, func(_, _, waiting int) bool { return waiting == 1 })

	if !answered(dialFrom(t, "127.0.0.1", addr)) {
		t.Fatal("the host's own connection was not served at once")
	}
	select {
	case <-done:
		t.Fatal("a connection was served beyond the limit")
	case <-time.After(100 * time.Millisecond):
	}

	// One busy connection finishes its request and goes idle: its slot goes to the waiter.
	if _, err := io.WriteString(held[0], "Host: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Fatal("the waiting connection was not served when a slot freed")
	}
	r := bufio.NewReader(held[0])
	if resp, err := http.ReadResponse(r, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the connection that finished its request: %v", err)
	}
	if _, err := r.ReadString('k'); err != nil || !closed(held[0]) {
		t.Error("the connection that went idle was kept while another waited")
	}
}
