package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

// TestFailedAuthenticationsAreLimited: ten failures from one client, then 429 with
// Retry-After for every secured request, right password included; public routes still answer.
func TestFailedAuthenticationsAreLimited(t *testing.T) {
	srv, client := newServer(t, nil)
	do := func(path, pass string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if pass != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	// Successes never count.
	for range 20 {
		if resp := do("/actors/1", password); resp.StatusCode != http.StatusOK {
			t.Fatalf("authenticated request: %d", resp.StatusCode)
		}
	}
	for i := range 10 {
		if resp := do("/actors", "guess"+strconv.Itoa(i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	for _, pass := range []string{"guess-11", "", password} {
		resp := do("/actors", pass)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("after 10 failures, password %q: status %d, want 429", pass, resp.StatusCode)
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 6 {
			t.Errorf("Retry-After = %q, want 1..6 seconds", resp.Header.Get("Retry-After"))
		}
	}
	if resp := do("/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz while limited: %d, want 200", resp.StatusCode)
	}

	// Every secured operation of the spec answers the limited client 429, as documented.
	doc, err := actorsapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue
			}
			req, _ := http.NewRequest(method, srv.URL+param.ReplaceAllString(path, "1"), strings.NewReader(`{"actor":"a","role":"b"}`))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(user, password)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s while limited: %d (Retry-After %q), want 429", method, path, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}
	}
}

func TestHostileInputs(t *testing.T) {
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	tests := []tcase{
		{name: "headers of 100 KiB", method: "GET", path: "/actors", header: map[string]string{"X-Big": strings.Repeat("a", 100<<10)}, wantStatus: 431,
			wantHeader: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "limit repeated", method: "GET", path: "/actors?limit=2&limit=3", wantStatus: 400, wantErrors: []string{"query:limit"}},
		{name: "after repeated", method: "GET", path: "/actors?after=2&after=3", wantStatus: 400, wantErrors: []string{"query:after"}},
		{name: "JSON nested 10,000 deep", method: "POST", path: "/actors", header: jsonHeader,
			body: strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), wantStatus: 400},
		{name: "invalid UTF-8 in role", method: "PUT", path: "/actors/1", body: "{\"actor\":\"a\",\"role\":\"\xc3\x28\"}", wantStatus: 400},
		{name: "empty user", method: "GET", path: "/actors", noAuth: true, header: map[string]string{"Authorization": "Basic OnBhc3N3b3Jk"}, wantStatus: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// TestBodyLimits: a body just over 64 KiB is refused unread; one just under, made of
// properties the schema does not allow, is validated, and the answer names 20 of them and
// says how many there were, rather than growing with the body.
func TestBodyLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"actor":"a","role":"b"`)
	n := 0
	for ; b.Len() < 64<<10-16; n++ {
		fmt.Fprintf(&b, `,"p%d":1`, n)
	}
	b.WriteString("}")
	unknown := b.String()
	srv, client := newServer(t, nil)
	for _, tc := range []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"over 64 KiB", `{"actor":"a","role":"` + strings.Repeat("b", 64<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"just under 64 KiB, all unknown properties", unknown, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/actors", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(user, password)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.wantStatus, got)
			}
			if tc.wantStatus != http.StatusBadRequest {
				return
			}
			var p struct {
				Detail string
				Errors []struct{ In, Name, Reason string }
			}
			if err := json.Unmarshal(got, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 20 || p.Errors[0].Name != "/p0" || !strings.Contains(p.Detail, fmt.Sprintf("first 20 of its %d", n)) {
				t.Errorf("errors %d (first %v), detail %q: want the first 20 of %d named", len(p.Errors), p.Errors[:min(1, len(p.Errors))], p.Detail, n)
			}
			if len(got) > 4<<10 {
				t.Errorf("the 400 is %d bytes for a %d-byte body; want it small whatever the body", len(got), len(tc.body))
			}
		})
	}
}

// TestRefusalsCloseTheConnection: a 401 or a 429 says Connection: close and ends the
// connection at once, reading no more of the refused body, so that a client without
// credentials cannot keep its slot by sending the body slowly.
func TestRefusalsCloseTheConnection(t *testing.T) {
	srv, _ := newServer(t, nil)
	addr := strings.TrimPrefix(srv.URL, "http://")
	slowPost := func(auth string) (*http.Response, net.Conn) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // the test server has no read timeout
		fmt.Fprintf(c, "POST /actors HTTP/1.1\r\nHost: a\r\n%sContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"act", auth)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer before the body is complete: %v", err)
		}
		resp.Body.Close()
		return resp, c
	}
	wrong := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":wrong")) + "\r\n"
	const failures = 10 // a client's budget of failed authentications
	for i := range failures + 1 {
		resp, c := slowPost(wrong)
		want := http.StatusUnauthorized
		if i == failures {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want || !resp.Close { // Close: the answer says Connection: close
			t.Fatalf("refusal %d: %d, close %v; want %d with Connection: close", i+1, resp.StatusCode, resp.Close, want)
		}
		if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("refusal %d: the connection is still open, waiting for the body (%v)", i+1, err)
		}
	}
}

// TestClientsBehindAPIGateway: behind API Gateway every connection comes from the VPC
// link, and the client is named only in Forwarded. One client guessing passwords is
// limited; another, with the right password, is not.
func TestClientsBehindAPIGateway(t *testing.T) {
	h, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, actors.Seed()...), Username: user, Password: password,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}) // the test server's clients: the VPC link
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(client, pass string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/actors/1", nil)
		req.SetBasicAuth(user, pass)
		req.Header.Set("Forwarded", "for="+client+";host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for range 10 {
		do("198.51.100.1", "guess")
	}
	if resp := do("198.51.100.1", password); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the guessing client: %d, want 429", resp.StatusCode)
	}
	resp := do(`"[2001:db8::2]:4711"`, password)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("another client: %d, want 200", resp.StatusCode)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS, though API Gateway says the client came over HTTPS")
	}
}

// TestLimitedClientsAreLogged: a client that runs out of failed authentications is logged
// once, however long it goes on guessing; many clients running out at once give no more
// than a line a second.
func TestLimitedClientsAreLogged(t *testing.T) {
	var logs bytes.Buffer
	h, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, actors.Seed()...), Username: user, Password: password,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	guess := func(peer string) int {
		req := httptest.NewRequest("GET", "/actors", nil)
		req.RemoteAddr = peer
		req.SetBasicAuth(user, "guess")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	warnings := func() int { return strings.Count(logs.String(), `"msg":"authentication failures limited`) }
	limited := 0
	for range 543 {
		if guess("203.0.113.7:4242") == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 533 || warnings() != 1 {
		t.Fatalf("543 guesses: %d limited, %d warnings; want 533 limited and 1 warning\n%s", limited, warnings(), logs.String())
	}
	if !strings.Contains(logs.String(), `"client":"203.0.113.7/32"`) {
		t.Errorf("the warning does not name the client:\n%s", logs.String())
	}
	start := time.Now()
	for i := range 200 {
		for range 10 {
			guess(fmt.Sprintf("198.51.100.%d:4242", i))
		}
	}
	if n, most := warnings()-1, int(time.Since(start)/time.Second)+1; n > most {
		t.Errorf("200 clients limited: %d warnings, want at most one a second (%d)", n, most)
	}
}
