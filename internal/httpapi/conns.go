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

// LimitConnections admits at most limit connections of ln at once, and an eighth of them
// (at least one) from one client: an IPv4 address or IPv6 /64, as for failed
// authentications. An idle keep-alive gives way first: a client at its share loses its own
// connection idle longest, or with none idle is refused; at the limit the connection idle
// longest of all is closed, or with none idle the new one waits its turn (four times as
// many may wait). Trusted proxies have no share: behind a front door every connection is
// theirs. A connection from the host to itself (`actors healthcheck`, as the container's
// health check runs it) is admitted at once, uncounted. The hook returned is the server's
// ConnState, which tells idle connections from busy ones.
func LimitConnections(ln *net.TCPListener, limit int, trusted []netip.Prefix, log *slog.Logger) (net.Listener, func(net.Conn, http.ConnState)) {
	s := &slots{TCPListener: ln, max: limit, perClient: max(1, limit/8), trusted: trusted, log: log,
		refusals: rate.Sometimes{Interval: 10 * time.Second}, open: make(map[*slotConn]bool), clients: make(map[netip.Prefix]int)}
	return s, s.connState
}

type slots struct {
	*net.TCPListener
	max, perClient int
	trusted        []netip.Prefix
	log            *slog.Logger
	refusals       rate.Sometimes // logged now and then, not each time

	mu      sync.Mutex
	open    map[*slotConn]bool
	clients map[netip.Prefix]int // connections open or waiting, by client; trusted proxies' are not
	waiting []*slotConn          // first come, first served
	ready   []*slotConn          // admitted from waiting, for Accept to hand over
	queued  atomic.Int32         // len(waiting), read on every request without the lock
}

// slotConn embeds *net.TCPConn so that net/http still finds CloseWrite, to close gracefully.
type slotConn struct {
	*net.TCPConn
	client    netip.Prefix // its limitKey; the zero Prefix for a trusted proxy
	idleSince atomic.Int64 // Unix ns since it went idle after a request; 0 while busy or new
}

func (s *slots) Accept() (net.Conn, error) {
	for {
		s.mu.Lock()
		if len(s.ready) > 0 {
			c := s.ready[0]
			s.ready = s.ready[1:]
			s.mu.Unlock()
			return c, nil
		}
		s.mu.Unlock()
		c, err := s.AcceptTCP()
		if errors.Is(err, os.ErrDeadlineExceeded) { // fill woke it to hand a waiting one over
			_ = s.SetDeadline(time.Time{})
			continue
		}
		if err != nil {
			return nil, err
		}
		if conn := s.admit(c); conn != nil {
			return conn, nil
		}
	}
}

// admit returns c as the server is to see it, or nil when it waits or is refused.
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
	if sc.client.IsValid() && s.clients[sc.client] >= s.perClient && !s.closeIdle(sc.client) ||
		len(s.open) >= s.max && !s.closeIdle(netip.Prefix{}) && len(s.waiting) >= 4*s.max {
		c.Close()
		s.refusals.Do(func() {
			s.log.Warn("connection refused: its client has its share of ACTORS_MAX_CONNECTIONS, or all are busy and more wait", slog.String("client", peer.String()))
		})
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
	s.open[sc] = true
	return sc
}

// closeIdle closes the connection idle longest, of client if it is valid, and reports
// whether there was one.
func (s *slots) closeIdle(client netip.Prefix) bool {
	var oldest *slotConn
	for c := range s.open {
		since := c.idleSince.Load()
		if since != 0 && (!client.IsValid() || c.client == client) && (oldest == nil || since < oldest.idleSince.Load()) {
			oldest = c
		}
	}
	if oldest != nil {
		s.release(oldest)
		oldest.Close()
	}
	return oldest != nil
}

// release frees c's slot, once: a connection closed to make room is released then, and
// net/http reports it closed later.
func (s *slots) release(c *slotConn) {
	if !s.open[c] {
		return
	}
	delete(s.open, c)
	if s.clients[c.client]--; s.clients[c.client] <= 0 {
		delete(s.clients, c.client)
	}
}

// fill admits waiting connections to free slots, and wakes Accept to hand them over.
func (s *slots) fill() {
	for len(s.waiting) > 0 && len(s.open) < s.max {
		s.open[s.waiting[0]] = true
		s.ready = append(s.ready, s.waiting[0])
		s.waiting = s.waiting[1:]
		s.queued.Add(-1)
		_ = s.SetDeadline(time.Now())
	}
}

// connState runs on every change of a connection's state, twice a request on a keep-alive
// connection, when it only stores the time, unless connections wait for a slot.
func (s *slots) connState(c net.Conn, state http.ConnState) {
	sc, ok := c.(*slotConn)
	switch {
	case !ok:
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
	t, _ := a.(*net.TCPAddr) // nil for any other, whose AddrPort is the zero one
	return t.AddrPort().Addr().Unmap()
}
