package httpapi

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications are limited per client: a burst of authFailBurst, then one more
// every authFailEvery (10 a minute). A client that has used them up gets 429 for every
// secured request until a token returns, even with the right password, or guessing would go
// on at full speed with 429 meaning "wrong". Clients that authenticate never spend a token.
// An IPv6 client spends from its /64 (limitKey) and from its /48 too, which has siteBudgets
// times the budget: a site usually holds a /48, and each of its 65,536 /64s would otherwise
// bring a budget of its own.
const (
	authFailBurst = 10
	authFailEvery = 6 * time.Second
	siteBudgets   = 5
	// maxTrackedClients bounds the limiter's memory under a spray of addresses.
	maxTrackedClients = 100_000
)

type authLimiter struct {
	mu      sync.Mutex
	clients map[netip.Prefix]*budget // by limitKeys
	now     func() time.Time
}

type budget struct {
	*rate.Limiter
	warned bool // its exhaustion was reported, and it has not rested since
}

func newAuthLimiter() *authLimiter {
	return &authLimiter{clients: make(map[netip.Prefix]*budget), now: time.Now}
}

// limitKey is the client a connection or a failure is counted against: its IPv4 address,
// or its IPv6 /64. One host usually has a whole /64 to itself, so counting single IPv6
// addresses would give it billions of fresh budgets.
func limitKey(client netip.Addr) netip.Prefix {
	if client.Is6() {
		p, _ := client.Prefix(64) // cannot fail: 64 bits fit an IPv6 address
		return p
	}
	return netip.PrefixFrom(client, client.BitLen())
}

// limitKeys are the budgets a client's failures are spent from, keys[:n]: its limitKey, and
// an IPv6 client's /48. An array, so that checking a client allocates nothing.
func limitKeys(client netip.Addr) (keys [2]netip.Prefix, n int) {
	keys[0] = limitKey(client)
	if !client.Is6() {
		return keys, 1
	}
	keys[1], _ = client.Prefix(48) // cannot fail: 48 bits fit an IPv6 address
	return keys, 2
}

// blocked reports whether the client has no failures left, and if so how long until it has.
func (l *authLimiter) blocked(client netip.Addr) (wait time.Duration, blocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys, n := limitKeys(client)
	for _, key := range keys[:n] {
		if b := l.clients[key]; b != nil { // a client that never failed costs no clock reading
			if d, ok := timeToNextFailure(b.Limiter, l.now()); ok {
				wait, blocked = max(wait, d), true
			}
		}
	}
	return wait, blocked
}

// recordFailure spends one of the client's failures. It reports whether the client is now
// blocked and for how long, and the budget this failure used up, if it is the first time
// since that budget last rested (an invalid Prefix otherwise): what is worth a warning.
func (l *authLimiter) recordFailure(client netip.Addr) (wait time.Duration, blocked bool, exhausted netip.Prefix) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	keys, n := limitKeys(client)
	for i, key := range keys[:n] {
		b := l.clients[key]
		if b == nil {
			if len(l.clients) >= maxTrackedClients {
				l.forgetRested(now)
			}
			burst, every := authFailBurst, rate.Every(authFailEvery)
			if i == 1 { // the /48
				burst, every = siteBudgets*burst, siteBudgets*every
			}
			b = &budget{Limiter: rate.NewLimiter(every, burst)}
			l.clients[key] = b
		}
		if b.TokensAt(now) >= float64(b.Burst()) {
			b.warned = false
		}
		if !b.AllowN(now, 1) {
			blocked = true
		}
		if d, ok := timeToNextFailure(b.Limiter, now); ok {
			wait = max(wait, d)
			if !b.warned {
				b.warned, exhausted = true, key
			}
		}
	}
	return wait, blocked, exhausted
}

// forgetRested drops budgets that have refilled: they are indistinguishable from new ones.
// If all are still spent, it drops them all rather than grow without bound.
func (l *authLimiter) forgetRested(now time.Time) {
	for key, b := range l.clients {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.clients, key)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		clear(l.clients)
	}
}

// timeToNextFailure is how long until the limiter allows another failure; false when it
// allows one now.
func timeToNextFailure(lim *rate.Limiter, now time.Time) (time.Duration, bool) {
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0, false
	}
	return time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second)), true
}

// retryAfter is a Retry-After value in whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(int64(math.Max(1, math.Ceil(d.Seconds()))), 10)
}

// clientAddr is the address that failed authentications are counted against: the peer, or,
// when the peer is a trusted proxy (a front door), the last address its proxies name that is
// not itself a trusted proxy. A malformed or unnamed hop ends the walk: nothing before it
// is believed. Without trusted proxies no header is read, since any client can write them.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := peerAddr(r)
	if !isTrusted(peer, trusted) {
		return peer
	}
	hops := forwardedFor(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseNode(hops[i])
		if !ok {
			return peer
		}
		if !isTrusted(addr, trusted) {
			return addr
		}
		peer = addr
	}
	return peer
}

// forwardedFor lists the clients the proxies name, nearest last: an ALB appends the address
// it received the connection from to X-Forwarded-For; API Gateway sends no X-Forwarded-For,
// and appends an RFC 7239 element, for=<client>;host=…;proto=https, to Forwarded instead
// (turning any X-Forwarded-* a client sent into elements before it). So Forwarded is read
// only when X-Forwarded-For is absent: behind an ALB, a client's own Forwarded means nothing.
func forwardedFor(h http.Header) []string {
	if xff := h["X-Forwarded-For"]; len(xff) > 0 {
		return strings.Split(strings.Join(xff, ","), ",")
	}
	var hops []string
	for _, v := range h["Forwarded"] {
		for element := range strings.SplitSeq(v, ",") {
			hops = append(hops, forwardedParam(element, "for"))
		}
	}
	return hops
}

// forwardedParam is a parameter of a Forwarded element, unquoted; "" when it has none. A
// quoted value holding ',' or ';', which no front door sends, is cut apart and fails as an
// address: the walk stops there, at the proxy.
func forwardedParam(element, name string) string {
	for pair := range strings.SplitSeq(element, ";") {
		if k, v, _ := strings.Cut(strings.TrimSpace(pair), "="); strings.EqualFold(k, name) {
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// parseNode reads the address of a hop: 192.0.2.7, 2001:db8::7, or either with a port, the
// IPv6 address then in brackets. RFC 7239's "unknown" and obfuscated names (_hidden) are no
// address.
func parseNode(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if s, ok = strings.CutSuffix(inner, "]"); !ok {
			return netip.Addr{}, false
		}
	}
	addr, err := netip.ParseAddr(s)
	return addr.Unmap(), err == nil
}

// peerAddr is the address the connection comes from; the zero Addr when it has none
// (in-process tests).
func peerAddr(r *http.Request) netip.Addr {
	peer, _ := parseNode(r.RemoteAddr)
	return peer
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
