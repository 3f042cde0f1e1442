package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/apitest"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

const (
	user     = "user"
	password = "password"
)

// newServer starts the whole handler over store (a seeded memstore when nil).
func newServer(t *testing.T, store actors.Store) (*httptest.Server, *http.Client) {
	t.Helper()
	if store == nil {
		store = memstore.New(0, actors.Seed()...)
	}
	h, err := httpapi.NewHandler(httpapi.Config{Store: store, Username: user, Password: password})
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, apitest.NewClient(t)
}

// brokenStore fails every call with err, or panics when err is nil.
type brokenStore struct{ err error }

func (b brokenStore) fail() error {
	if b.err == nil {
		panic("store exploded")
	}
	return b.err
}
func (b brokenStore) List(context.Context, int64, int) (actors.Page, error) {
	return actors.Page{}, b.fail()
}
func (b brokenStore) Get(context.Context, int64) (actors.Actor, error) {
	return actors.Actor{}, b.fail()
}
func (b brokenStore) Create(context.Context, actors.Fields) (actors.Actor, error) {
	return actors.Actor{}, b.fail()
}
func (b brokenStore) Replace(context.Context, int64, actors.Fields, actors.IfMatch) (actors.Actor, error) {
	return actors.Actor{}, b.fail()
}
func (b brokenStore) Update(context.Context, int64, actors.Patch, actors.IfMatch) (actors.Actor, error) {
	return actors.Actor{}, b.fail()
}
func (b brokenStore) Delete(context.Context, int64, actors.IfMatch) error { return b.fail() }
func (b brokenStore) Ping(context.Context) error                          { return b.fail() }

type tcase struct {
	name       string
	method     string
	path       string
	header     map[string]string // "Content-Type" defaults to application/json when a body is given
	body       string
	noAuth     bool
	store      actors.Store
	wantStatus int
	wantHeader map[string]string // exact values; "" means the header must be absent
	wantBody   string            // substring of the body
	wantErrors []string          // names the problem's errors list must hold, in order
}

func (tc tcase) run(t *testing.T) {
	t.Helper()
	srv, client := newServer(t, tc.store)
	var body io.Reader
	if tc.body != "" {
		body = strings.NewReader(tc.body)
	}
	req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range tc.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	if !tc.noAuth {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != tc.wantStatus {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, got)
	}
	for k, want := range tc.wantHeader {
		if v := resp.Header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if !strings.Contains(string(got), tc.wantBody) {
		t.Errorf("body %s does not contain %q", got, tc.wantBody)
	}
	if tc.wantErrors != nil {
		var p struct {
			Errors []struct{ In, Name, Reason string }
		}
		if err := json.Unmarshal(got, &p); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range p.Errors {
			names = append(names, e.In+":"+e.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(tc.wantErrors) {
			t.Errorf("problem errors = %v, want %v (body %s)", names, tc.wantErrors, got)
		}
	}
	if resp.StatusCode >= 400 && strings.Contains(string(got), password) {
		t.Errorf("error body echoes the password: %s", got)
	}
}

const seedJSON = `[{"actor":"William Shatner","id":1,"role":"James T"},{"actor":"Leonard Nimoy","id":2,"role":"Spock"},` +
	`{"actor":"DeForest Kelley","id":3,"role":"Leonard McCoy"},{"actor":"James Doohan","id":4,"role":"Montgomery Scott"},` +
	`{"actor":"George Takei","id":5,"role":"Hikaru Sulu"},{"actor":"Walter Koenig","id":6,"role":"Pavel Chekov"},` +
	`{"actor":"Nichelle Nichols","id":7,"role":"Nyota Uhura"},{"actor":"Majel Barrett","id":8,"role":"Christine Chapel"}]`

func TestOperations(t *testing.T) {
	unavailable := brokenStore{err: fmt.Errorf("dial: %w", actors.ErrUnavailable)}
	internal := brokenStore{err: errors.New("disk on fire: secret internal detail")}
	problemJSON := map[string]string{"Content-Type": "application/problem+json"}
	tests := []tcase{
		// GET /actors
		{name: "list seed", method: "GET", path: "/actors", wantStatus: 200, wantBody: seedJSON + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json", "Link": "", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Server": ""}},
		{name: "list first page", method: "GET", path: "/actors?limit=3", wantStatus: 200, wantBody: `"id":3,`,
			wantHeader: map[string]string{"Link": `</actors?limit=3&after=3>; rel="next"`}},
		{name: "list last page", method: "GET", path: "/actors?limit=3&after=6", wantStatus: 200, wantBody: `"id":8,`,
			wantHeader: map[string]string{"Link": ""}},
		{name: "list past the end", method: "GET", path: "/actors?after=8", wantStatus: 200, wantBody: "[]"},
		{name: "list limit 0", method: "GET", path: "/actors?limit=0", wantStatus: 400, wantErrors: []string{"query:limit"}, wantHeader: problemJSON},
		{name: "list limit 1001", method: "GET", path: "/actors?limit=1001", wantStatus: 400, wantErrors: []string{"query:limit"}},
		{name: "list bad after and limit", method: "GET", path: "/actors?limit=x&after=-1", wantStatus: 400, wantErrors: []string{"query:limit", "query:after"}},
		{name: "list no credentials", method: "GET", path: "/actors", noAuth: true, wantStatus: 401,
			wantHeader: map[string]string{"WWW-Authenticate": `Basic realm="actors", charset="UTF-8"`}},
		{name: "list wrong password", method: "GET", path: "/actors", noAuth: true, header: map[string]string{"Authorization": "Basic dXNlcjpudW1iZXIx"}, wantStatus: 401},
		// The scheme is case-insensitive (RFC 7617): the right credentials, spelled otherwise than
		// clients usually send them, still pass, and wrong ones still fail.
		{name: "list lower-case scheme", method: "GET", path: "/actors", noAuth: true, header: map[string]string{"Authorization": "basic dXNlcjpwYXNzd29yZA=="}, wantStatus: 200},
		{name: "list lower-case scheme, wrong password", method: "GET", path: "/actors", noAuth: true, header: map[string]string{"Authorization": "basic dXNlcjpudW1iZXIx"}, wantStatus: 401},
		{name: "list store unavailable", method: "GET", path: "/actors", store: unavailable, wantStatus: 503, wantHeader: problemJSON},
		{name: "list store error", method: "GET", path: "/actors", store: internal, wantStatus: 500, wantBody: `"detail":"An unexpected error`},
		{name: "list store panic", method: "GET", path: "/actors", store: brokenStore{}, wantStatus: 500, wantHeader: problemJSON},

		// POST /actors
		{name: "create", method: "POST", path: "/actors", body: `{"actor":"Zoe Saldana","role":"Uhura"}`, wantStatus: 201,
			wantBody: `{"actor":"Zoe Saldana","id":9,"role":"Uhura"}`, wantHeader: map[string]string{"Location": "/actors/9", "ETag": `"1"`}},
		{name: "create with charset", method: "POST", path: "/actors", body: `{"actor":"A","role":"B"}`,
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"}, wantStatus: 201},
		{name: "create missing role", method: "POST", path: "/actors", body: `{"actor":"Zoe Saldana"}`, wantStatus: 400, wantErrors: []string{"body:/role"}},
		{name: "create empty and blank", method: "POST", path: "/actors", body: `{"actor":"","role":"   "}`, wantStatus: 400, wantErrors: []string{"body:/actor", "body:/actor", "body:/role"}},
		{name: "create too long", method: "POST", path: "/actors", body: `{"actor":"` + strings.Repeat("a", 201) + `","role":"x"}`, wantStatus: 400, wantErrors: []string{"body:/actor"}},
		{name: "create unknown field", method: "POST", path: "/actors", body: `{"actor":"a","role":"b","rank":"captain"}`, wantStatus: 400, wantErrors: []string{"body:/rank"}},
		{name: "create wrong type", method: "POST", path: "/actors", body: `{"actor":1,"role":"b"}`, wantStatus: 400, wantErrors: []string{"body:/actor"}},
		{name: "create not JSON", method: "POST", path: "/actors", body: `{"actor":`, wantStatus: 400, wantErrors: []string{"body:"}},
		{name: "create no body", method: "POST", path: "/actors", header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400, wantErrors: []string{"body:"}},
		{name: "create invalid UTF-8", method: "POST", path: "/actors", body: "{\"actor\":\"\xff\",\"role\":\"b\"}", wantStatus: 400, wantBody: "UTF-8"},
		{name: "create deep JSON", method: "POST", path: "/actors", body: strings.Repeat("[", 10001) + strings.Repeat("]", 10001), wantStatus: 400},
		{name: "create too large", method: "POST", path: "/actors", body: `{"actor":"` + strings.Repeat("a", 1<<20) + `","role":"b"}`, wantStatus: 413, wantHeader: problemJSON},
		{name: "create wrong content type", method: "POST", path: "/actors", body: `{"actor":"a","role":"b"}`,
			header: map[string]string{"Content-Type": "text/plain"}, wantStatus: 415, wantBody: "application/json"},
		{name: "create no content type", method: "POST", path: "/actors", body: `{"actor":"a","role":"b"}`,
			header: map[string]string{"Content-Type": ""}, wantStatus: 415},
		{name: "create latin-1", method: "POST", path: "/actors", body: `{"actor":"a","role":"b"}`,
			header: map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, wantStatus: 415},
		{name: "create no credentials", method: "POST", path: "/actors", body: `{"actor":1}`, noAuth: true, wantStatus: 401},
		{name: "create store unavailable", method: "POST", path: "/actors", body: `{"actor":"a","role":"b"}`, store: unavailable, wantStatus: 503},
		{name: "create store error", method: "POST", path: "/actors", body: `{"actor":"a","role":"b"}`, store: internal, wantStatus: 500},

		// GET /actors/{id}
		{name: "get", method: "GET", path: "/actors/2", wantStatus: 200, wantBody: `{"actor":"Leonard Nimoy","id":2,"role":"Spock"}`,
			wantHeader: map[string]string{"ETag": `"1"`}},
		{name: "get not modified", method: "GET", path: "/actors/2", header: map[string]string{"If-None-Match": `"1"`}, wantStatus: 304,
			wantHeader: map[string]string{"ETag": `"1"`}},
		{name: "get not modified weak list", method: "GET", path: "/actors/2", header: map[string]string{"If-None-Match": `"7", W/"1"`}, wantStatus: 304},
		{name: "get modified", method: "GET", path: "/actors/2", header: map[string]string{"If-None-Match": `"2"`}, wantStatus: 200},
		{name: "get unknown", method: "GET", path: "/actors/99", wantStatus: 404, wantHeader: problemJSON},
		{name: "get id 0", method: "GET", path: "/actors/0", wantStatus: 400, wantErrors: []string{"path:id"}},
		{name: "get id negative", method: "GET", path: "/actors/-1", wantStatus: 400, wantErrors: []string{"path:id"}},
		{name: "get id text", method: "GET", path: "/actors/abc", wantStatus: 400, wantErrors: []string{"path:id"}},
		{name: "get id beyond int64", method: "GET", path: "/actors/9223372036854775808", wantStatus: 400, wantErrors: []string{"path:id"}},
		{name: "get no credentials", method: "GET", path: "/actors/abc", noAuth: true, wantStatus: 401},
		{name: "get store unavailable", method: "GET", path: "/actors/1", store: unavailable, wantStatus: 503},
		{name: "get store error", method: "GET", path: "/actors/1", store: internal, wantStatus: 500},

		// PUT /actors/{id}
		{name: "replace", method: "PUT", path: "/actors/1", body: `{"actor":"Chris Pine","role":"James T. Kirk"}`, wantStatus: 200,
			wantBody: `{"actor":"Chris Pine","id":1,"role":"James T. Kirk"}`, wantHeader: map[string]string{"ETag": `"2"`}},
		{name: "replace if-match", method: "PUT", path: "/actors/1", header: map[string]string{"If-Match": `"1"`}, body: `{"actor":"a","role":"b"}`, wantStatus: 200},
		{name: "replace if-match star", method: "PUT", path: "/actors/1", header: map[string]string{"If-Match": `*`}, body: `{"actor":"a","role":"b"}`, wantStatus: 200},
		{name: "replace stale", method: "PUT", path: "/actors/1", header: map[string]string{"If-Match": `"2"`}, body: `{"actor":"a","role":"b"}`, wantStatus: 412, wantHeader: problemJSON},
		{name: "replace weak tag", method: "PUT", path: "/actors/1", header: map[string]string{"If-Match": `W/"1"`}, body: `{"actor":"a","role":"b"}`, wantStatus: 412},
		{name: "replace unknown", method: "PUT", path: "/actors/99", body: `{"actor":"a","role":"b"}`, wantStatus: 404},
		{name: "replace partial body", method: "PUT", path: "/actors/1", body: `{"actor":"a"}`, wantStatus: 400, wantErrors: []string{"body:/role"}},
		{name: "replace wrong content type", method: "PUT", path: "/actors/1", body: `{"actor":"a","role":"b"}`,
			header: map[string]string{"Content-Type": "application/merge-patch+json"}, wantStatus: 415},
		{name: "replace too large", method: "PUT", path: "/actors/1", body: strings.Repeat(" ", 1<<20+1), wantStatus: 413},
		{name: "replace bad id", method: "PUT", path: "/actors/x", body: `{"actor":"a","role":"b"}`, wantStatus: 400, wantErrors: []string{"path:id"}},
		{name: "replace no credentials", method: "PUT", path: "/actors/1", body: `{"actor":"a","role":"b"}`, noAuth: true, wantStatus: 401},
		{name: "replace store unavailable", method: "PUT", path: "/actors/1", body: `{"actor":"a","role":"b"}`, store: unavailable, wantStatus: 503},
		{name: "replace store error", method: "PUT", path: "/actors/1", body: `{"actor":"a","role":"b"}`, store: internal, wantStatus: 500},

		// PATCH /actors/{id}
		{name: "patch", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{"role":"Uhura"}`, wantStatus: 200, wantBody: `{"actor":"Nichelle Nichols","id":7,"role":"Uhura"}`, wantHeader: map[string]string{"ETag": `"2"`}},
		{name: "patch if-match", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"1"`},
			body: `{"actor":"N. Nichols"}`, wantStatus: 200},
		{name: "patch stale", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"5"`},
			body: `{"actor":"N. Nichols"}`, wantStatus: 412},
		{name: "patch null", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{"role":null}`, wantStatus: 400, wantErrors: []string{"body:/role"}},
		{name: "patch empty", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{}`, wantStatus: 400},
		{name: "patch as JSON", method: "PATCH", path: "/actors/7", body: `{"role":"Uhura"}`, wantStatus: 415, wantBody: "application/merge-patch+json"},
		{name: "patch unknown", method: "PATCH", path: "/actors/99", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{"role":"x"}`, wantStatus: 404},
		{name: "patch too large", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: strings.Repeat(" ", 1<<20+1), wantStatus: 413},
		{name: "patch no credentials", method: "PATCH", path: "/actors/7", body: `{}`, noAuth: true, wantStatus: 401},
		{name: "patch store unavailable", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{"role":"x"}`, store: unavailable, wantStatus: 503},
		{name: "patch store error", method: "PATCH", path: "/actors/7", header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: `{"role":"x"}`, store: internal, wantStatus: 500},

		// DELETE /actors/{id}
		{name: "delete", method: "DELETE", path: "/actors/3", wantStatus: 204, wantBody: ""},
		{name: "delete if-match", method: "DELETE", path: "/actors/3", header: map[string]string{"If-Match": `"1"`}, wantStatus: 204},
		{name: "delete stale", method: "DELETE", path: "/actors/3", header: map[string]string{"If-Match": `"9"`}, wantStatus: 412},
		{name: "delete unknown", method: "DELETE", path: "/actors/99", wantStatus: 404},
		{name: "delete bad id", method: "DELETE", path: "/actors/0", wantStatus: 400},
		{name: "delete no credentials", method: "DELETE", path: "/actors/3", noAuth: true, wantStatus: 401},
		{name: "delete store unavailable", method: "DELETE", path: "/actors/3", store: unavailable, wantStatus: 503},
		{name: "delete store error", method: "DELETE", path: "/actors/3", store: internal, wantStatus: 500},

		// probes, unknown routes
		{name: "healthz", method: "GET", path: "/healthz", noAuth: true, wantStatus: 200, wantBody: `{"status":"ok"}`},
		{name: "healthz with bad store", method: "GET", path: "/healthz", noAuth: true, store: unavailable, wantStatus: 200},
		{name: "readyz", method: "GET", path: "/readyz", noAuth: true, wantStatus: 200, wantBody: `{"status":"ready"}`},
		{name: "readyz store unavailable", method: "GET", path: "/readyz", noAuth: true, store: unavailable, wantStatus: 503},
		{name: "readyz store error", method: "GET", path: "/readyz", noAuth: true, store: internal, wantStatus: 503},
		{name: "unknown path", method: "GET", path: "/nope", wantStatus: 404, wantHeader: problemJSON},
		{name: "unknown nested path", method: "GET", path: "/actors/1/films", wantStatus: 404},
		{name: "wrong method", method: "DELETE", path: "/actors", wantStatus: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, POST", "Content-Type": "application/problem+json"}},
		{name: "wrong method on item", method: "POST", path: "/actors/1", wantStatus: 405, wantHeader: map[string]string{"Allow": "DELETE, GET, HEAD, PATCH, PUT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

func TestErrorBodiesHideInternals(t *testing.T) {
	srv, client := newServer(t, brokenStore{err: errors.New("disk on fire: secret internal detail")})
	req, _ := http.NewRequest("GET", srv.URL+"/actors/1", nil)
	req.SetBasicAuth(user, password)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "disk on fire") {
		t.Errorf("500 body leaks the internal error: %s", body)
	}
}

func TestRequestID(t *testing.T) {
	srv, client := newServer(t, nil)
	for _, tc := range []struct{ sent, want string }{
		{"abc-123", "abc-123"},
		{"bad id with spaces", ""},
		{"", ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
		if tc.sent != "" {
			req.Header.Set("X-Request-Id", tc.sent)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("X-Request-Id")
		if tc.want != "" && got != tc.want || tc.want == "" && (got == "" || got == tc.sent) {
			t.Errorf("sent X-Request-Id %q, got back %q", tc.sent, got)
		}
	}
}

// TestDocsNeedNoCredentials: the spec and Swagger UI answer without credentials, with the
// caching their package gives them rather than the API's no-store.
func TestDocsNeedNoCredentials(t *testing.T) {
	srv, _ := newServer(t, nil)
	for _, path := range []string{"/openapi.yaml", "/openapi.json", "/docs", "/docs/", "/docs/swagger-ui.css"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s without credentials: %d, Cache-Control %q; want 200, no-cache", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
}

// TestRememberedValidation: the gate remembers path values kin-openapi accepted, so the
// same path with something more to check (a header parameter, a query) is checked again,
// and a value it rejected is rejected every time.
func TestRememberedValidation(t *testing.T) {
	srv, client := newServer(t, nil)
	get := func(path string, header ...string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.SetBasicAuth(user, password)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, want := range []int{200, 200} {
		if got := get("/actors/2"); got != want {
			t.Fatalf("GET /actors/2, time %d: %d, want %d", i+1, got, want)
		}
	}
	if got := get("/actors/2", "If-None-Match", strings.Repeat("x", 1025)); got != http.StatusBadRequest {
		t.Errorf("GET /actors/2 with an If-None-Match over 1024 characters, after the path was accepted: %d, want 400", got)
	}
	for range 2 {
		if got := get("/actors/0"); got != http.StatusBadRequest {
			t.Errorf("GET /actors/0: %d, want 400", got)
		}
	}
	get("/actors")
	if got := get("/actors?limit=0"); got != http.StatusBadRequest {
		t.Errorf("GET /actors?limit=0 after GET /actors was accepted: %d, want 400", got)
	}
}

// TestPaddedIDsAreNotKept: ids padded with zeros are valid, and each is a path of its own;
// remembering the accepted ones must not keep their bytes. 4000 of them (fewer than the
// values remembered before starting again), of up to 48 KiB, would keep about 100 MB.
func TestPaddedIDsAreNotKept(t *testing.T) {
	h, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, actors.Seed()...), Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		req := httptest.NewRequest("GET", path, nil)
		req.SetBasicAuth(user, password)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	get("/actors/1") // the handler's own start-up allocations, before the measure
	before := liveHeap()
	for i := range 4000 {
		if code := get("/actors/" + strings.Repeat("0", 64+i*12) + "1"); code != http.StatusOK {
			t.Fatalf("padded id %d: %d, want 200", i, code)
		}
	}
	grown := liveHeap() - before
	runtime.KeepAlive(h) // what it holds is what is measured
	if grown > 8<<20 {
		t.Errorf("4000 padded ids grew the live heap by %d MB, want under 8 MB", grown>>20)
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
