package httpapi

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestHSTS: Strict-Transport-Security goes only on answers that went out over HTTPS:
// directly, or through a trusted proxy that says so; a client's own X-Forwarded-Proto
// means nothing.
func TestHSTS(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	tests := []struct {
		name  string
		peer  string
		proto []string
		fwd   []string // Forwarded
		tls   bool
		want  bool
	}{
		{name: "plain HTTP", peer: "203.0.113.7:4242"},
		{name: "TLS to the service", peer: "203.0.113.7:4242", tls: true, want: true},
		{name: "HTTPS at the load balancer", peer: "10.0.1.5:80", proto: []string{"https"}, want: true},
		{name: "HTTP at the load balancer", peer: "10.0.1.5:80", proto: []string{"http"}},
		{name: "the client's own header", peer: "203.0.113.7:4242", proto: []string{"https"}},
		{name: "the nearest proxy's value counts", peer: "10.0.1.5:80", proto: []string{"https", "http"}},
		{name: "HTTPS at API Gateway", peer: "10.0.1.5:80", fwd: []string{"for=198.51.100.1;host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https"}, want: true},
		{name: "API Gateway's element is the last", peer: "10.0.1.5:80", fwd: []string{"for=1.2.3.4;proto=https, for=198.51.100.1;proto=http"}},
		{name: "API Gateway's header line is the last", peer: "10.0.1.5:80", fwd: []string{"for=1.2.3.4;proto=http", `for=198.51.100.1;host="h";proto=https`}, want: true},
		{name: "the client's own Forwarded", peer: "203.0.113.7:4242", fwd: []string{"for=1.2.3.4;proto=https"}},
		{name: "X-Forwarded-Proto wins over a client's Forwarded", peer: "10.0.1.5:80", proto: []string{"http"}, fwd: []string{"proto=https"}},
	}
	h := securityHeaders(lb)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/actors", nil)
			r.RemoteAddr = tc.peer
			for _, p := range tc.proto {
				r.Header.Add("X-Forwarded-Proto", p)
			}
			for _, f := range tc.fwd {
				r.Header.Add("Forwarded", f)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get("Strict-Transport-Security") != ""; got != tc.want {
				t.Errorf("HSTS sent: %v, want %v", got, tc.want)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
		})
	}
}
