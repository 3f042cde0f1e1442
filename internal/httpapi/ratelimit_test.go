package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestClientAddr(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	tests := []struct {
		name    string
		peer    string
		xff     []string
		fwd     []string // Forwarded
		trusted []netip.Prefix
		want    string
	}{
		{name: "peer", peer: "203.0.113.7:4242", want: "203.0.113.7"},
		{name: "header ignored without trusted proxies", peer: "203.0.113.7:4242", xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "header ignored from an untrusted peer", peer: "203.0.113.7:4242", xff: []string{"198.51.100.1"}, trusted: lb, want: "203.0.113.7"},
		{name: "client behind the load balancer", peer: "10.0.1.5:80", xff: []string{"198.51.100.1"}, trusted: lb, want: "198.51.100.1"},
		{name: "spoofed hops before the real client are ignored", peer: "10.0.1.5:80", xff: []string{"1.2.3.4, 198.51.100.1"}, trusted: lb, want: "198.51.100.1"},
		{name: "chain of trusted proxies", peer: "10.0.1.5:80", xff: []string{"198.51.100.1, 10.0.2.2", "10.0.3.3"}, trusted: lb, want: "198.51.100.1"},
		{name: "malformed hop stops the walk", peer: "10.0.1.5:80", xff: []string{"198.51.100.1, junk"}, trusted: lb, want: "10.0.1.5"},
		{name: "IPv6 peer", peer: "[2001:db8::1]:80", want: "2001:db8::1"},
		{name: "IPv4-mapped peer", peer: "[::ffff:203.0.113.7]:80", want: "203.0.113.7"},

		// API Gateway (HTTP API) sends Forwarded, with its own element last, and no X-Forwarded-For.
		{name: "API Gateway", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1;host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https"}, trusted: lb, want: "198.51.100.1"},
		{name: "API Gateway, a client's X-Forwarded-For turned into an element", peer: "10.0.1.5:80", trusted: lb, want: "198.51.100.1",
			fwd: []string{"for=1.2.3.4, for=198.51.100.1;host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https"}},
		{name: "API Gateway, elements in header lines", peer: "10.0.1.5:80", trusted: lb, want: "198.51.100.1",
			fwd: []string{"for=1.2.3.4;proto=http", "for=198.51.100.1;host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https"}},
		{name: "API Gateway, an IPv6 client", peer: "10.0.1.5:80", fwd: []string{`for="[2001:db8:cafe::17]";host=h;proto=https`}, trusted: lb, want: "2001:db8:cafe::17"},
		{name: "an IPv6 client with a port", peer: "10.0.1.5:80", fwd: []string{`For="[2001:db8:cafe::17]:4711"`}, trusted: lb, want: "2001:db8:cafe::17"},
		{name: "an IPv4 client with a port", peer: "10.0.1.5:80", fwd: []string{`for="198.51.100.1:4711"`}, trusted: lb, want: "198.51.100.1"},
		{name: "a quoted comma stops the walk", peer: "10.0.1.5:80", fwd: []string{`for=198.51.100.1;host="a,b"`}, trusted: lb, want: "10.0.1.5"},
		{name: "Forwarded through a chain of trusted proxies", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1, for=10.0.2.2;proto=https"}, trusted: lb, want: "198.51.100.1"},
		{name: "an unknown client stops the walk", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1, for=unknown"}, trusted: lb, want: "10.0.1.5"},
		{name: "an obfuscated client stops the walk", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1, for=_hidden"}, trusted: lb, want: "10.0.1.5"},
		{name: "an element without for stops the walk", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1, host=h;proto=https"}, trusted: lb, want: "10.0.1.5"},
		{name: "malformed Forwarded", peer: "10.0.1.5:80", fwd: []string{`for="[2001:db8::1`}, trusted: lb, want: "10.0.1.5"},
		{name: "an unclosed bracket", peer: "10.0.1.5:80", fwd: []string{`for="[2001:db8::1"`}, trusted: lb, want: "10.0.1.5"},
		{name: "an unclosed quote", peer: "10.0.1.5:80", fwd: []string{`for="198.51.100.1`}, trusted: lb, want: "10.0.1.5"},
		{name: "Forwarded from an untrusted peer", peer: "203.0.113.7:4242", fwd: []string{"for=198.51.100.1"}, trusted: lb, want: "203.0.113.7"},
		{name: "behind an ALB, a client's own Forwarded is ignored", peer: "10.0.1.5:80", xff: []string{"198.51.100.1"}, fwd: []string{"for=1.2.3.4"}, trusted: lb, want: "198.51.100.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/actors", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tc.fwd {
				r.Header.Add("Forwarded", v)
			}
			if got := clientAddr(r, tc.trusted); got.String() != tc.want {
				t.Errorf("clientAddr = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAuthLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newAuthLimiter()
	l.now = func() time.Time { return now }
	a, b := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8")
	for i := range authFailBurst {
		if _, blocked, _ := l.recordFailure(a); blocked {
			t.Fatalf("failure %d blocked; the first %d are allowed", i+1, authFailBurst)
		}
	}
	d, blocked, _ := l.recordFailure(a)
	if !blocked || d <= 0 || d > authFailEvery {
		t.Fatalf("failure %d: blocked=%v wait=%s, want blocked for at most %s", authFailBurst+1, blocked, d, authFailEvery)
	}
	if _, blocked := l.blocked(b); blocked {
		t.Error("another client is blocked too")
	}
	now = now.Add(authFailEvery)
	if _, blocked := l.blocked(a); blocked {
		t.Error("still blocked after a token came back")
	}
	if got := retryAfter(1500 * time.Millisecond); got != "2" {
		t.Errorf("retryAfter(1.5s) = %s, want 2", got)
	}
	if got := retryAfter(0); got != "1" {
		t.Errorf("retryAfter(0) = %s, want 1", got)
	}
}

// TestIPv6ClientsArePerSlash64: one host usually holds a whole /64, so its addresses share
// one budget of failures; another /64 has its own.
func TestIPv6ClientsArePerSlash64(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newAuthLimiter()
	l.now = func() time.Time { return now }
	blocked := 0
	for i := range 50 {
		addr := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, byte(i + 1)})
		for range 10 {
			if _, b := l.blocked(addr); b {
				blocked++
				continue
			}
			l.recordFailure(addr)
		}
	}
	if want := 50*10 - authFailBurst; blocked != want {
		t.Errorf("50 addresses of one /64 × 10 failures: %d blocked, want %d", blocked, want)
	}
	if _, b := l.blocked(netip.MustParseAddr("2001:db8:0:2::1")); b {
		t.Error("another /64 of the same /48 is blocked too")
	}
	if _, b := l.blocked(netip.MustParseAddr("2001:db8:0:1:ffff::1")); !b {
		t.Error("a new address in the limited /64 is not blocked")
	}
}

// TestIPv6SitesArePerSlash48: a site's /48 holds 65,536 /64s; together they have five
// times the budget of one, not 65,536 times.
func TestIPv6SitesArePerSlash48(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newAuthLimiter()
	l.now = func() time.Time { return now }
	refused := 0
	for i := range 50 {
		addr := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, byte(i + 1), 0, 0, 0, 0, 0, 0, 0, 1}) // 2001:db8:1:i::1
		for range 10 {
			if _, b := l.blocked(addr); b {
				refused++
				continue
			}
			l.recordFailure(addr)
		}
	}
	if want := 50*10 - siteBudgets*authFailBurst; refused != want {
		t.Errorf("50 /64s of one /48 × 10 guesses: %d refused, want %d", refused, want)
	}
	if _, b := l.blocked(netip.MustParseAddr("2001:db8:1:ffff::1")); !b {
		t.Error("a fresh /64 of the limited /48 is not blocked")
	}
	if _, b := l.blocked(netip.MustParseAddr("2001:db8:2::1")); b {
		t.Error("another /48 is blocked too")
	}
	now = now.Add(authFailEvery)
	if _, b := l.blocked(netip.MustParseAddr("2001:db8:1:ffff::1")); b {
		t.Error("the /48 is still blocked after its failures began to come back")
	}
}

// TestExhaustedOncePerBlock: recordFailure names a budget when a failure uses it up, once,
// until the budget has rested; a client guessing on at the rate its tokens return is not
// named again.
func TestExhaustedOncePerBlock(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newAuthLimiter()
	l.now = func() time.Time { return now }
	a := netip.MustParseAddr("203.0.113.7")
	var named []netip.Prefix
	guess := func() {
		if _, blocked := l.blocked(a); blocked {
			return
		}
		if _, _, exhausted := l.recordFailure(a); exhausted.IsValid() {
			named = append(named, exhausted)
		}
	}
	for range 533 {
		guess()
	}
	for range 20 { // on at the rate of the tokens
		now = now.Add(authFailEvery)
		guess()
	}
	if len(named) != 1 || named[0] != netip.MustParsePrefix("203.0.113.7/32") {
		t.Errorf("named %v, want 203.0.113.7/32 once", named)
	}
	now = now.Add(authFailBurst * authFailEvery) // rested
	for range authFailBurst {
		guess()
	}
	if len(named) != 2 {
		t.Errorf("after a rest and a new block: named %v, want a second time", named)
	}
}
