package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/apitest"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

// The fuzz targets hold every answer of the whole handler to four properties: no panic,
// no 5xx, the answer matches api/openapi.yaml, and no 2xx from a data route (/actors...)
// without the right credentials. `go test` runs the seeds below and those committed under
// testdata/fuzz; scripts/fuzz.sh (make fuzz) runs the fuzzer.

const (
	fuzzUser     = "fuzz-user"
	fuzzPassword = "fuzz-pässwörd" // non-ASCII on purpose: Basic auth is UTF-8 here
)

// fuzzTarget is one handler with its store, shared by the inputs a fuzz worker runs in turn
// and replaced every fuzzResetEvery inputs, so creates cannot grow the store without bound
// and state left by one input (a deleted seed actor) varies what the next one meets.
type fuzzTarget struct {
	mu       sync.Mutex
	handler  http.Handler
	runs     int // inputs
	requests int
	check    *apitest.Transport
}

const fuzzResetEvery = 500

func newFuzzTarget(f *testing.F) *fuzzTarget {
	return &fuzzTarget{check: apitest.NewTransport(f, nil)}
}

// next starts an input: every fuzzResetEvery inputs, on a new handler and store.
func (ft *fuzzTarget) next(t *testing.T) {
	t.Helper()
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if ft.handler == nil || ft.runs%fuzzResetEvery == 0 {
		h, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, actors.Seed()...), Username: fuzzUser, Password: fuzzPassword})
		if err != nil {
			t.Fatalf("NewHandler: %v", err)
		}
		ft.handler = h
	}
	ft.runs++
}

// serve runs req through the handler and checks the properties that hold for any request.
// It returns the answer for target-specific checks.
func (ft *fuzzTarget) serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.requests++
	// A new peer address per request (from a /16, so the limiter's memory stays bounded): the
	// failed-auth limiter would otherwise answer 429 to almost everything after ten inputs.
	req.RemoteAddr = fmt.Sprintf("10.99.%d.%d:4242", ft.requests/256%256, ft.requests%256)

	rec := httptest.NewRecorder()
	ft.handler.ServeHTTP(rec, req)
	resp := rec.Result()
	body := rec.Body.Bytes()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s → %d (no request may cause a 5xx): %s", req.Method, req.RequestURI, resp.StatusCode, body)
	}
	if err := ft.check.Check(req, resp, body); err != nil {
		t.Fatalf("%s %s → %d does not match the spec: %v\nbody: %s", req.Method, req.RequestURI, resp.StatusCode, err, body)
	}
	if resp.StatusCode/100 == 2 && isDataRoute(req) && !rightCredentials(req) {
		t.Fatalf("%s %s → %d without the right credentials (Authorization %q)", req.Method, req.RequestURI, resp.StatusCode, req.Header.Get("Authorization"))
	}
	return rec
}

func isDataRoute(req *http.Request) bool {
	return req.URL.Path == "/actors" || strings.HasPrefix(req.URL.Path, "/actors/")
}

func rightCredentials(req *http.Request) bool {
	u, p, ok := req.BasicAuth()
	return ok && u == fuzzUser && p == fuzzPassword
}

// rawRequest is an HTTP/1.1 request as it crosses the wire. Parsing it with http.ReadRequest,
// as the server does, gives the handler only requests a real client could make it see.
type rawRequest struct {
	method, target string
	header         [][2]string
	body           []byte
}

func (r rawRequest) parse() (*http.Request, bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: actors.test\r\n", r.method, r.target)
	for _, h := range r.header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(r.body))
	b.Write(r.body)
	req, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil {
		return nil, false // the server itself answers 400 before any handler runs
	}
	for name, values := range req.Header {
		for _, v := range values {
			if !validFieldValue(v) {
				return nil, false // so does it for these (net/http's readRequest)
			}
		}
		if name == "" {
			return nil, false
		}
	}
	return req, true
}

// validFieldValue is RFC 9110's field-value: no control characters but tab.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// oneLine keeps a fuzzed header value on its header line, so each input maps to one request.
func oneLine(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

var (
	fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "BREW"}
	// Spec paths with {} for the fuzzed segment, and near misses; one more choice than these
	// makes the segment the whole request target.
	fuzzPaths = []string{"/actors", "/actors/{}", "/actors?{}", "/healthz", "/readyz", "/", "/actors/{}/more", "/actors/", "//actors", "/ACTORS", "/{}", "/actors/../healthz", "/healthz/{}"}
	// Headers worth a fuzzed value.
	fuzzHeaders = []string{"If-Match", "If-None-Match", "X-Request-Id", "X-Forwarded-For", "Accept", "Content-Encoding", "Transfer-Encoding", "Expect"}
)

// FuzzHandler sends whole requests: method, path (a spec path with a fuzzed segment, or a raw
// target), query, credentials (none, right, wrong, fuzzed), Content-Type, one more header,
// and a body.
func FuzzHandler(f *testing.F) {
	// method, path, segment, query, auth mode, auth text, Content-Type, header, header value, body
	f.Add(uint8(0), uint8(0), "", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "limit=2&after=3", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "limit=0", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "limit=1001&limit=1", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "after=-1&limit=99999999999999999999", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(0), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(1), "1", "", uint8(2), "", "", uint8(1), `"1"`, []byte(nil))
	f.Add(uint8(0), uint8(1), "1", "", uint8(1), "", "", uint8(1), `W/"1", "2"`, []byte(nil))
	f.Add(uint8(0), uint8(1), "9223372036854775808", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(1), "0", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(1), "-1", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(1), "%41", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(1), "1e3", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(5), uint8(1), "2", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "application/json", uint8(0), "", []byte(`{"actor":"Zoe Saldana","role":"Uhura"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(0), "", "application/json", uint8(0), "", []byte(`{"actor":"Zoe Saldana","role":"Uhura"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(2), "", "application/json", uint8(0), "", []byte(`{"actor":"Zoe Saldana","role":"Uhura"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "text/plain", uint8(0), "", []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "application/json; charset=latin1", uint8(0), "", []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "", uint8(0), "", []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "application/json", uint8(5), "gzip", []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(2), uint8(1), "3", "", uint8(1), "", "application/json", uint8(0), `"1"`, []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(2), uint8(1), "3", "", uint8(1), "", "application/json", uint8(0), `"7"`, []byte(`{"actor":"a","role":"b"}`))
	f.Add(uint8(3), uint8(1), "4", "", uint8(1), "", "application/merge-patch+json", uint8(0), `*`, []byte(`{"role":"Scotty"}`))
	f.Add(uint8(3), uint8(1), "4", "", uint8(1), "", "application/json", uint8(0), "", []byte(`{"role":"Scotty"}`))
	f.Add(uint8(4), uint8(1), "5", "", uint8(1), "", "", uint8(0), `"1"`, []byte(nil))
	f.Add(uint8(4), uint8(1), "5", "", uint8(1), "", "", uint8(0), `"2"`, []byte(nil))
	f.Add(uint8(4), uint8(0), "", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(6), uint8(0), "", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(8), uint8(3), "", "", uint8(0), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(11), "", "", uint8(0), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(8), "", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(3), "Basic", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(3), "Basic !!!not-base64", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(3), "Bearer x", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(4), "no-colon", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(4), ":"+fuzzPassword, "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(4), fuzzUser+":"+fuzzPassword+"\x00", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(4), "fuzz-user:fuzz-p\xe4ssw\xf6rd", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(0), "", "", uint8(1), "", "", uint8(3), "203.0.113.9, 10.0.0.1", []byte(nil))
	f.Add(uint8(0), uint8(13), "http://evil.test/actors", "", uint8(0), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(0), uint8(13), "*", "", uint8(1), "", "", uint8(0), "", []byte(nil))
	f.Add(uint8(1), uint8(0), "", "", uint8(1), "", "application/json", uint8(0), "", bytes.Repeat([]byte("["), 10000))

	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, method, path uint8, segment, query string, authMode uint8, auth, contentType string, header uint8, value string, body []byte) {
		raw := rawRequest{method: fuzzMethods[int(method)%len(fuzzMethods)], body: body}
		if choice := int(path) % (len(fuzzPaths) + 1); choice == len(fuzzPaths) {
			raw.target = segment // the whole request target, any form
		} else {
			raw.target = strings.Replace(fuzzPaths[choice], "{}", segment, 1)
			if query != "" {
				raw.target += "?" + query
			}
		}
		switch authMode % 5 {
		case 1:
			raw.header = append(raw.header, [2]string{"Authorization", basic(fuzzUser, fuzzPassword)})
		case 2:
			raw.header = append(raw.header, [2]string{"Authorization", basic(fuzzUser, "guess")})
		case 3:
			raw.header = append(raw.header, [2]string{"Authorization", oneLine(auth)})
		case 4:
			raw.header = append(raw.header, [2]string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(auth))})
		}
		if contentType != "" {
			raw.header = append(raw.header, [2]string{"Content-Type", oneLine(contentType)})
		}
		if value != "" {
			raw.header = append(raw.header, [2]string{fuzzHeaders[int(header)%len(fuzzHeaders)], oneLine(value)})
		}
		req, ok := raw.parse()
		if !ok {
			t.Skip("the server refuses this request before the handler")
		}
		ft.next(t)
		ft.serve(t, req)
	})
}

// FuzzBody sends fuzzed JSON bodies with the right credentials to the three operations that
// decode one (POST /actors, PUT and PATCH /actors/{id}). Beyond the common properties, a 2xx
// must store exactly what the body says.
func FuzzBody(f *testing.F) {
	seeds := []string{
		`{"actor":"Zoe Saldana","role":"Uhura"}`,
		`{"role":"Scotty"}`,
		``, `null`, `{}`, `[]`, `""`, `0`, `true`, ` `, "\ufeff{}",
		`{"actor":null,"role":null}`,
		`{"actor":"a"}`,
		`{"actor":1,"role":2}`,
		`{"actor":["a"],"role":{"b":1}}`,
		`{"actor":"a","role":"b","id":99}`,
		`{"actor":"a","role":"b","extra":null}`,
		`{"actor":"a","actor":"b","role":"c"}`,
		`{"ACTOR":"a","role":"b"}`,
		`{"actor":"a","role":"b"} trailing`,
		`{"actor":"a","role":"b"}{"actor":"c","role":"d"}`,
		`{"actor":"a","role":"b"`,
		`{"actor":"   ","role":"\t"}`,
		`{"actor":"\u00a0","role":"\u2003"}`,
		`{"actor":"\u0000","role":"\u0000x"}`,
		`{"actor":"\ud800","role":"\udc00x"}`,
		`{"actor":"` + strings.Repeat("x", 200) + `","role":"` + strings.Repeat("é", 200) + `"}`,
		`{"actor":"` + strings.Repeat("x", 201) + `","role":"b"}`,
		`{"actor":1e999999,"role":-0}`,
		`{"actor":123456789012345678901234567890,"role":"b"}`,
		"{\"actor\":\"\xff\xfe\",\"role\":\"b\"}",
		"{\"actor\":\"\xc3\x28\",\"role\":\"b\"}",
		`{"actor":"a","role":"b","nested":` + strings.Repeat(`{"x":`, 1000) + `1` + strings.Repeat(`}`, 1000) + `}`,
		`{"actor":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `,"role":"b"}`,
		strings.Repeat(`[`, 10000),
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i%3), []byte(s))
	}
	f.Add(uint8(1), uint8(0), []byte(`{"actor":"a","role":"b"}`))

	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, id, op uint8, body []byte) {
		raw := rawRequest{body: body, header: [][2]string{{"Authorization", basic(fuzzUser, fuzzPassword)}}}
		contentType := "application/json"
		switch op % 3 {
		case 0:
			raw.method, raw.target = http.MethodPost, "/actors"
		case 1:
			raw.method, raw.target = http.MethodPut, fmt.Sprintf("/actors/%d", id%10) // 0 and 9: not seed ids
		case 2:
			raw.method, raw.target = http.MethodPatch, fmt.Sprintf("/actors/%d", id%10)
			contentType = "application/merge-patch+json"
		}
		raw.header = append(raw.header, [2]string{"Content-Type", contentType})
		req, ok := raw.parse()
		if !ok {
			t.Fatalf("a fixed request failed to parse: %q", raw.target)
		}
		ft.next(t)
		rec := ft.serve(t, req)
		if rec.Code/100 != 2 {
			return
		}
		// What was accepted must be what was stored: the body's fields, decoded as any JSON
		// reader would, come back in the answer.
		var sent, got map[string]any
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatalf("%s %s accepted a body encoding/json refuses (%v): %q", raw.method, raw.target, err, body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		for k, v := range sent {
			if got[k] != v {
				t.Fatalf("%s %s accepted %s=%q but answered %s=%q", raw.method, raw.target, k, v, k, got[k])
			}
		}
		// And a later read shows the same actor.
		read, ok := rawRequest{method: http.MethodGet, target: fmt.Sprintf("/actors/%v", got["id"]),
			header: [][2]string{{"Authorization", basic(fuzzUser, fuzzPassword)}}}.parse()
		if !ok {
			t.Fatalf("GET /actors/%v failed to parse", got["id"])
		}
		again := ft.serve(t, read)
		if again.Code != http.StatusOK || !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
			t.Fatalf("after %s %s → %s, GET answers %d %s", raw.method, raw.target, rec.Body.Bytes(), again.Code, again.Body.Bytes())
		}
	})
}
