// Package apitest helps tests hold the service to its spec: an http.RoundTripper that
// checks every response a test receives against api/openapi.yaml.
package apitest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// Transport checks each response against the spec and fails the test on a mismatch.
// Answers for paths or methods the spec does not have must still be problem documents.
type Transport struct {
	t      testing.TB
	mux    *http.ServeMux // finds the spec operation of a request, as the server does
	routes map[string]*routers.Route
	base   http.RoundTripper
}

// NewTransport returns a checking Transport over base (http.DefaultTransport when nil).
func NewTransport(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	doc, err := actorsapi.GetSpec()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	doc.Servers = nil
	tr := &Transport{t: t, mux: http.NewServeMux(), routes: map[string]*routers.Route{}, base: base}
	if tr.base == nil {
		tr.base = http.DefaultTransport
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			tr.routes[pattern] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			tr.mux.Handle(pattern, http.NotFoundHandler())
		}
	}
	return tr
}

// Client returns an http.Client whose every response is checked.
func NewClient(t testing.TB) *http.Client {
	return &http.Client{Transport: NewTransport(t, nil)}
}

// RoundTrip sends req, then checks the response against the spec.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := tr.check(req, resp, body); err != nil {
		tr.t.Errorf("%s %s → %d: response does not match the spec: %v\nbody: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
	return resp, nil
}

// Check validates one response against the spec; tests that use httptest.ResponseRecorder
// call it directly.
func (tr *Transport) Check(req *http.Request, resp *http.Response, body []byte) error {
	return tr.check(req, resp, body)
}

func (tr *Transport) check(req *http.Request, resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge {
		return isProblem(resp, body) // refused before any operation is chosen
	}
	route, params := tr.findRoute(req)
	if route == nil {
		// Not a spec operation (unknown path, method, or a route served beside the API).
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return isProblem(resp, body)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // a status the spec does not document is a failure
			ExcludeResponseBody:   req.Method == http.MethodHead,
			MultiError:            true,
		},
	}
	return openapi3filter.ValidateResponse(req.Context(), in)
}

func isProblem(resp *http.Response, body []byte) error {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "application/problem+json" {
		return errors.New("want a problem+json answer, got Content-Type " + resp.Header.Get("Content-Type"))
	}
	if len(body) == 0 {
		return errors.New("empty problem body")
	}
	return nil
}

// findRoute returns the spec operation ServeMux would route req to, and its path parameters.
func (tr *Transport) findRoute(req *http.Request) (*routers.Route, map[string]string) {
	_, pattern := tr.mux.Handler(req) // HEAD finds the GET pattern, as in the server
	route := tr.routes[pattern]
	if route == nil {
		return nil, nil
	}
	params := map[string]string{}
	names := strings.Split(route.Path, "/")
	values := strings.Split(req.URL.Path, "/")
	for i, name := range names {
		if strings.HasPrefix(name, "{") && i < len(values) {
			params[strings.Trim(name, "{}")] = values[i]
		}
	}
	return route, params
}
