// Package contract holds responses to the spec: a Checker finds the spec operation a request
// is routed to, as the server's ServeMux routes it, and validates the response against that
// operation with kin-openapi. Tests use it through internal/apitest; the contract probe
// (cmd/contractprobe) uses it on a live server.
package contract

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Checker validates responses against one spec. It is safe for concurrent use.
type Checker struct {
	mux    *http.ServeMux // finds the spec operation of a request, as the server does
	routes map[string]*routers.Route
}

// NewChecker returns a Checker for doc, whose paths are matched from the server's root (its
// servers are ignored).
func NewChecker(doc *openapi3.T) *Checker {
	c := &Checker{mux: http.NewServeMux(), routes: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			c.routes[pattern] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			c.mux.Handle(pattern, http.NotFoundHandler())
		}
	}
	return c
}

// Check validates one response to req, whose body has been read into body. Answers for
// paths or methods the spec does not have must still be problem documents: 404, 405, and
// 431 (refused before any operation is chosen).
func (c *Checker) Check(req *http.Request, resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge {
		return isProblem(resp.Header, body)
	}
	route, params := c.findRoute(req)
	if route == nil {
		// Not a spec operation (unknown path, method, or a route served beside the API).
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return isProblem(resp.Header, body)
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

// isProblem reports whether a response is an RFC 9457 problem document: the media type and
// a body.
func isProblem(h http.Header, body []byte) error {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "application/problem+json" {
		return errors.New("want a problem+json answer, got Content-Type " + h.Get("Content-Type"))
	}
	if len(body) == 0 {
		return errors.New("empty problem body")
	}
	return nil
}

// findRoute returns the spec operation ServeMux would route req to, and its path parameters.
func (c *Checker) findRoute(req *http.Request) (*routers.Route, map[string]string) {
	_, pattern := c.mux.Handler(req) // HEAD finds the GET pattern, as in the server
	route := c.routes[pattern]
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
