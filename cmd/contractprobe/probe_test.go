package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/route"
)

const (
	user     = "probe-user"
	password = "probe-password"
)

// newServer serves the real handler over a seeded memory store, behind wrap when not nil.
func newServer(t *testing.T, serverPassword string, wrap func(http.Handler) http.Handler) (*httptest.Server, actors.Store) {
	t.Helper()
	store := memstore.New(0, actors.Seed()...)
	h, err := httpapi.NewHandler(httpapi.Config{Store: store, Username: user, Password: serverPassword})
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, store
}

// probe runs the command against srv with the given password in its environment.
func probe(t *testing.T, srv *httptest.Server, probePassword string) (string, error) {
	t.Helper()
	env := map[string]string{"ACTORS_USERNAME": user, "ACTORS_PASSWORD": probePassword}
	var out bytes.Buffer
	err := run(context.Background(), []string{"contractprobe", "-url", srv.URL}, func(k string) string { return env[k] }, srv.Client().Transport, &out)
	return out.String(), err
}

// requireSeedOnly fails unless the store holds exactly the seed: the probe left nothing.
func requireSeedOnly(t *testing.T, store actors.Store) {
	t.Helper()
	page, err := store.List(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seed := actors.Seed()
	if len(page.Actors) != len(seed) {
		t.Errorf("the store holds %d actors after the probe, want the %d of the seed: %+v", len(page.Actors), len(seed), page.Actors)
	}
	for i, a := range page.Actors {
		if i < len(seed) && (a.ID != int64(i+1) || a.Name != seed[i].Name || a.Role != seed[i].Role) {
			t.Errorf("actor %d is %+v after the probe, want the seed's %+v", i+1, a, seed[i])
		}
	}
}

func TestProbePassesOnTheRealServer(t *testing.T) {
	srv, store := newServer(t, password, nil)
	out, err := probe(t, srv, password)
	if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, "contractprobe: PASS") {
		t.Errorf("err = %v; output:\n%s", err, out)
	}
	// Derived from the spec: every secured operation was challenged, and every operation
	// answered a success with credentials (and without, when it is public).
	for _, op := range []string{"GET /actors", "POST /actors", "GET /actors/1", "PUT /actors/1", "PATCH /actors/1", "DELETE /actors/1"} {
		if !strings.Contains(out, "ok   "+op+" without credentials: 401 with WWW-Authenticate") {
			t.Errorf("no 401 check of %s; output:\n%s", op, out)
		}
	}
	for _, check := range []string{
		"ok   POST /actors creates an actor: 201", "ok   GET /actors/9: 200", "ok   GET /actors?limit=1: 200",
		`ok   PUT /actors/9 with If-Match: "1": 200`, `ok   PATCH /actors/9 with If-Match: "2": 200`, `ok   DELETE /actors/9 with If-Match: "3": 204`,
		"ok   GET /healthz (getHealthz): 200", "ok   GET /healthz without credentials (getHealthz): 200",
		"ok   GET /readyz (getReadyz): 200", "ok   GET /readyz without credentials (getReadyz): 200",
	} {
		if !strings.Contains(out, check) {
			t.Errorf("the report lacks %q:\n%s", check, out)
		}
	}
	requireSeedOnly(t, store)
}

func TestProbeFailsWithAWrongPassword(t *testing.T) {
	srv, store := newServer(t, password, nil)
	out, err := probe(t, srv, "not-"+password)
	if err == nil || errors.Is(err, errUsage) {
		t.Errorf("err = %v, want a failed probe", err)
	}
	if !strings.Contains(out, "FAIL POST /actors creates an actor\n     expected: 201 with Location, ETag\n     got:      401") {
		t.Errorf("the report does not show the 401:\n%s", out)
	}
	requireSeedOnly(t, store)
}

// TestProbeNamesViolations runs the probe against servers that break the contract in one
// way each: it fails, its report names what was expected and what came back, and it leaves
// no actor behind.
func TestProbeNamesViolations(t *testing.T) {
	actorPath := regexp.MustCompile(`^/actors/\d+$`)
	cases := []struct {
		name string
		// rewrite changes the real handler's answer to r, recorded in w, before it is sent.
		rewrite func(r *http.Request, w *httptest.ResponseRecorder)
		// request changes the request before the real handler sees it.
		request func(r *http.Request)
		want    []string
	}{
		{name: "a plain-text 404",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if w.Code == http.StatusNotFound {
					replace(w, http.StatusNotFound, "text/plain; charset=utf-8", "not found\n")
				}
			},
			want: []string{"FAIL GET /actors/9 → 404 matches the spec", `Content-Type has unexpected value: "text/plain; charset=utf-8"`, "(answer: 404 text/plain; charset=utf-8 not found)"}},
		{name: "no ETag on a read",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if r.Method == http.MethodGet && actorPath.MatchString(r.URL.Path) {
					w.Header().Del("ETag")
				}
			},
			want: []string{"expected: 200 with ETag\n     got:      200 without ETag", `response header "ETag" missing`}},
		{name: "a stale If-Match accepted",
			request: func(r *http.Request) {
				if r.Method == http.MethodPatch {
					r.Header.Del("If-Match")
				}
			},
			want: []string{"FAIL PATCH /actors/9 with the stale If-Match: \"1\"\n     expected: 412\n     got:      200"}},
		{name: "If-None-Match ignored",
			request: func(r *http.Request) { r.Header.Del("If-None-Match") },
			want:    []string{"If-None-Match: \"3\"\n     expected: 304 with ETag\n     got:      200"}},
		{name: "a 401 without a challenge",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) { w.Header().Del("WWW-Authenticate") },
			want:    []string{"FAIL GET /actors without credentials\n     expected: 401 with WWW-Authenticate\n     got:      401 without WWW-Authenticate"}},
		{name: "another spec served",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if r.URL.Path == "/openapi.json" {
					body := strings.Replace(w.Body.String(), `"version": "1.0.0"`, `"version": "0.9.0"`, 1)
					replace(w, http.StatusOK, w.Header().Get("Content-Type"), body)
				}
			},
			want: []string{"FAIL /openapi.json is api/openapi.yaml as JSON", "differs under info"}},
		{name: "no Link to the next page",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) { w.Header().Del("Link") },
			want:    []string{"FAIL GET /actors?limit=1 links to the next page", `expected: Link: <...>; rel="next"`}},
		{name: "not ready",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if r.URL.Path == "/readyz" {
					replace(w, http.StatusServiceUnavailable, "application/problem+json", `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"store down"}`)
				}
			},
			want: []string{"FAIL GET /readyz (getReadyz)\n     expected: 200\n     got:      503", "FAIL GET /readyz without credentials (getReadyz)\n     expected: 200\n     got:      503"}},
		{name: "an update that fails half-way",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if r.Method == http.MethodPut {
					replace(w, http.StatusInternalServerError, "application/problem+json", `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"boom"}`)
				}
			},
			want: []string{"expected: 200 with ETag\n     got:      500", "ok   clean-up: DELETE /actors/9: 204"}},
		{name: "an undocumented status",
			rewrite: func(r *http.Request, w *httptest.ResponseRecorder) {
				if r.Method == http.MethodDelete && w.Code == http.StatusNoContent {
					w.Code = http.StatusAccepted
				}
			},
			want: []string{"FAIL DELETE /actors/9 → 202 matches the spec", "status is not supported", "expected: 204\n     got:      202"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, store := newServer(t, password, func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tc.request != nil {
						tc.request(r)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, r)
					if tc.rewrite != nil {
						tc.rewrite(r, rec)
					}
					for k, v := range rec.Header() {
						w.Header()[k] = v
					}
					w.WriteHeader(rec.Code)
					_, _ = w.Write(rec.Body.Bytes())
				})
			})
			out, err := probe(t, srv, password)
			if err == nil {
				t.Error("the probe passed")
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			if t.Failed() {
				t.Logf("report:\n%s", out)
			}
			requireSeedOnly(t, store)
		})
	}
}

// TestProbeCleansUpAfterATimeout: the probe's time runs out while the server sits on the
// update; the actor it created is still deleted, with time of its own.
func TestProbeCleansUpAfterATimeout(t *testing.T) {
	srv, store := newServer(t, password, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				// Read the body first: only then does the server notice the client leaving.
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done()
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	env := map[string]string{"ACTORS_USERNAME": user, "ACTORS_PASSWORD": password}
	var out bytes.Buffer
	err := run(context.Background(), []string{"contractprobe", "-url", srv.URL, "-timeout", "500ms"}, func(k string) string { return env[k] }, srv.Client().Transport, &out)
	if err == nil {
		t.Error("the probe passed")
	}
	for _, want := range []string{"FAIL PUT /actors/9", "context deadline exceeded", "ok   clean-up: DELETE /actors/9: 204", "FAIL the probe stopped before the operations no scenario drove"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	requireSeedOnly(t, store)
}

func TestProbeUnreachable(t *testing.T) {
	srv, _ := newServer(t, password, nil)
	srv.Close()
	out, err := probe(t, srv, password)
	if err == nil || !strings.Contains(out, "expected: an answer") || !strings.Contains(out, "no answer from "+srv.URL+" at all: not probing further") {
		t.Errorf("err = %v; report:\n%s", err, out)
	}
}

// replace sets the recorded answer to status, content type and body.
func replace(w *httptest.ResponseRecorder, status int, contentType, body string) {
	w.Code = status
	w.Header().Set("Content-Type", contentType)
	w.Header().Del("Content-Length")
	w.Body.Reset()
	w.Body.WriteString(body)
}

func TestProbeUsage(t *testing.T) {
	srv, store := newServer(t, password, nil)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no URL", nil, nil, "-url: missing"},
		{"credentials in the URL", []string{"-url", strings.Replace(srv.URL, "://", "://"+user+":"+password+"@", 1)}, nil, "set ACTORS_USERNAME and ACTORS_PASSWORD instead"},
		{"a path", []string{"-url", srv.URL + "/actors"}, nil, "want the server's root"},
		{"not http", []string{"-url", "ftp://example.com"}, nil, "want an http:// or https:// URL"},
		{"an argument", []string{"-url", srv.URL, password}, nil, "unexpected arguments"},
		{"no password", []string{"-url", srv.URL}, map[string]string{"ACTORS_USERNAME": user}, "set ACTORS_USERNAME and ACTORS_PASSWORD"},
		{"no user", []string{"-url", srv.URL}, map[string]string{"ACTORS_PASSWORD": password}, "set ACTORS_USERNAME and ACTORS_PASSWORD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = map[string]string{"ACTORS_USERNAME": user, "ACTORS_PASSWORD": password}
			}
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"contractprobe"}, tc.args...), func(k string) string { return env[k] }, srv.Client().Transport, &out)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a usage error with %q", err, tc.want)
			}
			if strings.Contains(out.String(), password) || strings.Contains(err.Error(), password) {
				t.Errorf("the password is in the output")
			}
		})
	}
	requireSeedOnly(t, store)
}

// TestProbeSaysWhatItCannotDrive: against a spec with two operations the server does not
// have, the GET is sent with credentials (and fails), and the POST, which no scenario drives,
// fails without being sent with them.
func TestProbeSaysWhatItCannotDrive(t *testing.T) {
	srv, store := newServer(t, password, nil)
	yaml := strings.Replace(string(actorsapi.SpecYAML), "\npaths:\n", `
paths:
  /probe-test/things:
    get:
      operationId: listThings
      responses: {'200': {description: Things, content: {application/json: {schema: {type: object}}}}}
  /probe-test/things/{id}/notes:
    parameters: [{$ref: '#/components/parameters/ID'}]
    post:
      operationId: addNote
      requestBody: {required: true, content: {application/json: {schema: {type: object}, example: {note: Make it so}}}}
      responses: {'201': {description: Added}}
`, 1)
	doc, err := openapi3.NewLoader().LoadFromData([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := route.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	var out bytes.Buffer
	p := newProber(u, user, password, doc, routes, []byte(yaml), srv.Client().Transport, &out)
	p.probe(t.Context())
	if p.result() == nil {
		t.Error("the probe passed")
	}
	for _, want := range []string{
		"FAIL GET /probe-test/things (listThings)\n     expected: 200\n     got:      404",
		"FAIL POST /probe-test/things/1/notes (addNote)\n     expected: a success, from a scenario that undoes what it did\n     got:      no scenario drives it",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "ok   POST /probe-test/things/1/notes (addNote)") {
		t.Error("the probe sent the unsafe operation it cannot undo")
	}
	requireSeedOnly(t, store)
}
