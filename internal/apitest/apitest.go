// Package apitest helps tests hold the service to its spec: an http.RoundTripper that
// checks every response a test receives against api/openapi.yaml.
package apitest

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/contract"
	"github.com/actors-dev/actors/internal/route"
)

// Transport checks each response against the spec and fails the test on a mismatch.
// Answers for paths or methods the spec does not have must still be problem documents.
type Transport struct {
	t     testing.TB
	check *contract.Checker
	base  http.RoundTripper
}

// NewTransport returns a checking Transport over base (http.DefaultTransport when nil).
func NewTransport(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	doc, err := actorsapi.GetSpec()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	routes, err := route.New(doc)
	if err != nil {
		t.Fatalf("route table: %v", err)
	}
	tr := &Transport{t: t, check: contract.NewChecker(routes), base: base}
	if tr.base == nil {
		tr.base = http.DefaultTransport
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
	if err := tr.check.Check(req, resp, body); err != nil {
		tr.t.Errorf("%s %s → %d: response does not match the spec: %v\nbody: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
	return resp, nil
}

// Check validates one response against the spec; tests that use httptest.ResponseRecorder
// call it directly.
func (tr *Transport) Check(req *http.Request, resp *http.Response, body []byte) error {
	return tr.check.Check(req, resp, body)
}
