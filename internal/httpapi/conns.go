package httpapi

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// LimitConnections admits at most limit connections of ln at once, and at most an eighth of
// them (at least one) from one client: an IPv4 address, or an IPv6 /64 as for failed
// authentications. An idle keep-alive connection gives way first: a client at its share
// loses its own connection idle longest, and at the overall limit the one idle longest of
// all is closed; a client with none idle is refused. With none idle overall, a connection
// waits, first come first served, until a slot frees or a connection goes idle; the
// waiting are limited too. Trusted proxies have no share of their own: behind a front door
// every connection comes from one. A connection from the host to itself (`actors
// healthcheck` over loopback, as the container's health check runs it) is admitted at once
// and not counted. The hook returned is the server's ConnState: it tells idle from busy.
func LimitConnections(ln *net.TCPListener, limit int, trusted []netip.Prefix, log *slog.Logger) (net.Listener, func(net.Conn, http.ConnState)) {
	s := &slots{
		ln: ln, max: limit, perClient: max(1, limit/8), trusted: trusted, log: log,
		refusals: rate.Sometimes{Interval: 10 * time.Second}, open: make(map[*slotConn]struct{}), clients: make(map[netip.Addr]int),
	}
	return slotListener{ln, s}, s.connState
}

type slots struct {
	ln             *net.TCPListener
	max, perClient int
	trusted        []netip.Prefix
	log            *slog.Logger
	refusals       rate.Sometimes // a refusal is logged now and then, not every time

	mu      sync.Mutex
	open    map[*slotConn]struct{}
	clients map[netip.Addr]int // connections open or waiting per client; trusted proxies are not counted
	waiting []*slotConn        // first come, first served
	ready   []*slotConn        // admitted from waiting, for Accept to hand over
	queued  atomic.Int32       // len(waiting), read on every request without the lock
}

// slotConn is a counted connection. It embeds *net.TCPConn so that net/http still finds
// CloseWrite, with which it closes a connection gracefully.
type slotConn struct {
	*net.TCPConn
	client    netip.Addr   // its limitKey; the zero Addr for a trusted proxy
	idleSince atomic.Int64 // when it went idle after a request (Unix ns); 0 while busy or new
}

type slotListener struct {
	*net.TCPListener
	s *slots
}

func (l slotListener) Accept() (net.Conn, error) {
	for {
		if c := l.s.next(); c != nil {
			return c, nil
		}
		c, err := l.AcceptTCP()
		if errors.Is(err, os.ErrDeadlineExceeded) { // fill woke it: a waiting connection is admitted
			_ = l.SetDeadline(time.Time{})
			continue
		}
		if err != nil {
			return nil, err
		}
		if conn := l.s.admit(c); conn != nil {
			return conn, nil
		}
	}
}

// Close closes the listener and the connections still waiting.
func (l slotListener) Close() error {
	l.s.mu.Lock()
	for _, c := range append(l.s.waiting, l.s.ready...) {
		c.Close()
	}
	l.s.waiting, l.s.ready = nil, nil
	l.s.mu.Unlock()
	return l.TCPListener.Close()
}

func (s *slots) next() net.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ready) == 0 {
		return nil
	}
	c := s.ready[0]
	s.ready = s.ready[1:]
	return c
}

// admit returns c as the server is to see it, or nil when it waits or was refused.
func (s *slots) admit(c *net.TCPConn) net.Conn {
	peer := tcpAddr(c.RemoteAddr())
	if peer == tcpAddr(c.LocalAddr()) {
		return c
	}
	sc := &slotConn{TCPConn: c}
	if !isTrusted(peer, s.trusted) {
		sc.client = limitKey(peer)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc.client.IsValid() && s.clients[sc.client] >= s.perClient && !s.closeIdle(sc.client) {
		s.refuse(sc, "connection refused: the client has as many as one client may, none idle")
		return nil
	}
	// Four times as many may wait as are served: a waiting connection costs its socket only.
	if len(s.open) >= s.max && !s.closeIdle(netip.Addr{}) && len(s.waiting) >= 4*s.max {
		s.refuse(sc, "connection refused: ACTORS_MAX_CONNECTIONS are busy and four times as many wait")
		return nil
	}
	if sc.client.IsValid() {
		s.clients[sc.client]++
	}
	if len(s.open) >= s.max {
		s.waiting = append(s.waiting, sc)
		s.queued.Add(1)
		return nil
	}
	s.open[sc] = struct{}{}
	return sc
}

// closeIdle closes the connection idle longest, of client when it is valid, and reports
// whether there was one.
func (s *slots) closeIdle(client netip.Addr) bool {
	var oldest *slotConn
	for c := range s.open {
		since := c.idleSince.Load()
		if since != 0 && (!client.IsValid() || c.client == client) && (oldest == nil || since < oldest.idleSince.Load()) {
			oldest = c
		}
	}
	if oldest == nil {
		return false
	}
	s.release(oldest)
	oldest.Close()
	return true
}

func (s *slots) refuse(c *slotConn, why string) {
	c.Close()
	s.refusals.Do(func() { s.log.Warn(why, slog.String("client", tcpAddr(c.RemoteAddr()).String())) })
}

// release frees c's slot, once: a connection closed to make room is released when closed,
// and again when net/http sees it closed.
func (s *slots) release(c *slotConn) {
	if _, ok := s.open[c]; !ok {
		return
	}
	delete(s.open, c)
	if c.client.IsValid() {
		if s.clients[c.client]--; s.clients[c.client] == 0 {
			delete(s.clients, c.client)
		}
	}
}

// fill admits waiting connections to the free slots, and wakes Accept to hand them over.
func (s *slots) fill() {
	ready := len(s.ready)
	for len(s.waiting) > 0 && len(s.open) < s.max {
		s.open[s.waiting[0]] = struct{}{}
		s.ready = append(s.ready, s.waiting[0])
		s.waiting = s.waiting[1:]
		s.queued.Add(-1)
	}
	if len(s.ready) > ready {
		_ = s.ln.SetDeadline(time.Now())
	}
}

// connState runs on every change of a connection's state, twice a request on a keep-alive
// connection: a request only stores the time, unless connections wait for a slot.
func (s *slots) connState(c net.Conn, state http.ConnState) {
	sc, ok := c.(*slotConn)
	if !ok {
		return
	}
	switch {
	case state == http.StateIdle && s.queued.Load() > 0: // its slot goes to the first waiting
		sc.Close()
		fallthrough
	case state == http.StateClosed || state == http.StateHijacked:
		s.mu.Lock()
		s.release(sc)
		s.fill()
		s.mu.Unlock()
	case state == http.StateIdle:
		sc.idleSince.Store(time.Now().UnixNano())
	case state == http.StateActive:
		sc.idleSince.Store(0)
	}
}

func tcpAddr(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}
