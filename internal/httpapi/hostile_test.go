package httpapi_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/actors-dev/actors/gen/actorsapi"
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
