// Package contract holds responses to the spec: a Checker finds the spec operation a request
// is routed to, by the route table the server routes by (internal/route), and validates the
// response against that operation with kin-openapi. Tests use it through internal/apitest;
// the contract probe (cmd/contractprobe) uses it on a live server.
package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/actors-dev/actors/internal/route"
)

// Checker validates responses against one spec. It is safe for concurrent use.
type Checker struct {
	routes *route.Table // finds the spec operation of a request, as the server does
	// Brief reports a response's first violation only, and leaves the schema and the value
	// out of its message. Each violation's error costs memory, with its message as much as
	// the value and schema it names, and a hostile response can hold millions. Tests want
	// them all; a tool facing servers it does not trust (the contract probe) does not.
	Brief bool
}

// NewChecker returns a Checker for the spec whose route table routes is.
func NewChecker(routes *route.Table) *Checker { return &Checker{routes: routes} }

// Check validates one response to req, whose body has been read into body. Answers for
// paths or methods the spec does not have must still be problem documents: 404, 405 (with
// the path's methods in Allow when the path is the spec's), and 431 (refused before any
// operation is chosen).
func (c *Checker) Check(req *http.Request, resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge {
		return isProblem(resp.Header, body)
	}
	path, op := c.routes.Match(req)
	switch {
	case path != nil && op == nil:
		if resp.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s has no %s operation: want 405, got %d", path.Path, req.Method, resp.StatusCode)
		}
		if allow := resp.Header.Get("Allow"); allow != path.Allow {
			return fmt.Errorf("405 for %s: want Allow: %s, got %q", path.Path, path.Allow, allow)
		}
		return isProblem(resp.Header, body)
	case op == nil:
		// Not a spec path: unknown, or a route served beside the API.
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return isProblem(resp.Header, body)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: &op.Route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // a status the spec does not document is a failure
			ExcludeResponseBody:   req.Method == http.MethodHead,
			MultiError:            true,
		},
	}
	if c.Brief {
		in.Options.MultiError = false
		in.Options.SchemaValidationOptions = []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}
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
