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
		tls   bool
		want  bool
	}{
		{name: "plain HTTP", peer: "203.0.113.7:4242"},
		{name: "TLS to the service", peer: "203.0.113.7:4242", tls: true, want: true},
		{name: "HTTPS at the load balancer", peer: "10.0.1.5:80", proto: []string{"https"}, want: true},
		{name: "HTTP at the load balancer", peer: "10.0.1.5:80", proto: []string{"http"}},
		{name: "the client's own header", peer: "203.0.113.7:4242", proto: []string{"https"}},
		{name: "the nearest proxy's value counts", peer: "10.0.1.5:80", proto: []string{"https", "http"}},
	}
	h := securityHeaders(lb)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/actors", nil)
			r.RemoteAddr = tc.peer
			for _, p := range tc.proto {
				r.Header.Add("X-Forwarded-Proto", p)
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
