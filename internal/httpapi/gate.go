package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// wwwAuthenticate is the challenge sent with every 401 (RFC 7617).
const wwwAuthenticate = `Basic realm="actors", charset="UTF-8"`

// gate is the spec gate. It implements actorsapi.ServeMux: the generated code registers
// each operation's route through it, and the gate wraps the route with the checks the spec
// asks for (credentials, then parameters and body) before the generated code runs. So an
// operation added to the spec is authenticated and validated with no new code here.
type gate struct {
	mux     *http.ServeMux
	ops     map[string]*operation // by ServeMux pattern, e.g. "GET /actors/{id}"
	opts    *openapi3filter.Options
	limiter *authLimiter
	trusted []netip.Prefix // proxies whose X-Forwarded-For is believed
	log     *slog.Logger
	errs    []error
}

// operation is what the gate knows of one spec operation, computed once at start-up.
type operation struct {
	pattern    string
	route      *routers.Route // for validation; its operation has no security, checked first and apart
	security   openapi3.SecurityRequirements
	pathParams []string
	// singleQuery are the query parameters that take one value: kin-openapi would read only
	// the first of repeated ones, so the gate refuses repeats itself.
	singleQuery []string
	bodyTypes   []string // media types the body may have; nil when the operation takes none
	registered  bool
}

var _ actorsapi.ServeMux = (*gate)(nil)

func newGate(doc *openapi3.T, mux *http.ServeMux, auth openapi3filter.AuthenticationFunc, trusted []netip.Prefix, log *slog.Logger) *gate {
	g := &gate{
		mux:     mux,
		ops:     make(map[string]*operation),
		limiter: newAuthLimiter(),
		trusted: trusted,
		opts: &openapi3filter.Options{
			AuthenticationFunc: auth,
			MultiError:         true, // name every bad parameter and field, not just the first
			// Defaults are the handlers' business; setting them would rewrite the request.
			SkipSettingDefaults: true,
		},
		log: log,
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			validated := *op
			validated.Security = &openapi3.SecurityRequirements{}
			o := &operation{
				pattern:  method + " " + path,
				security: security,
				route:    &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &validated},
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				switch v := p.Value; {
				case v == nil:
				case v.In == openapi3.ParameterInPath && !slices.Contains(o.pathParams, v.Name):
					o.pathParams = append(o.pathParams, v.Name)
				case v.In == openapi3.ParameterInQuery && (v.Schema == nil || v.Schema.Value == nil || !v.Schema.Value.Type.Is("array")):
					o.singleQuery = append(o.singleQuery, v.Name)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mediaType := range op.RequestBody.Value.Content {
					o.bodyTypes = append(o.bodyTypes, mediaType)
				}
				slices.Sort(o.bodyTypes)
			}
			g.ops[o.pattern] = o
		}
	}
	return g
}

// HandleFunc registers a generated route, gated by its spec operation.
func (g *gate) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	op, ok := g.ops[pattern]
	if !ok {
		g.errs = append(g.errs, fmt.Errorf("generated route %q has no operation in the spec", pattern))
		return
	}
	op.registered = true
	g.mux.Handle(pattern, g.wrap(op, h))
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// check reports routes the generated code and the spec disagree on.
func (g *gate) check() error {
	for _, op := range g.ops {
		if !op.registered {
			g.errs = append(g.errs, fmt.Errorf("spec operation %q has no generated route; run go generate", op.pattern))
		}
	}
	return errors.Join(g.errs...)
}

// methodsByPath lists, for each spec path, the methods it answers, for 405's Allow header.
func (g *gate) methodsByPath() map[string][]string {
	out := make(map[string][]string)
	for _, op := range g.ops {
		method, path, _ := strings.Cut(op.pattern, " ")
		out[path] = append(out[path], method)
		if method == http.MethodGet {
			out[path] = append(out[path], http.MethodHead) // ServeMux answers HEAD with the GET handler
		}
	}
	for _, methods := range out {
		slices.Sort(methods)
	}
	return out
}

func (g *gate) wrap(op *operation, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = op.pattern
		}
		w.Header().Set("Cache-Control", "no-store")
		var params map[string]string
		if len(op.pathParams) > 0 {
			params = make(map[string]string, len(op.pathParams))
			for _, name := range op.pathParams {
				params[name] = r.PathValue(name)
			}
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: op.route, Options: g.opts}
		if len(op.security) > 0 && !g.authenticate(w, r, in, op) {
			return
		}
		if op.bodyTypes != nil {
			if status, detail := readBody(r, op.bodyTypes); status != 0 {
				problem(w, status, detail, nil)
				return
			}
		}
		invalid := repeatedQuery(r, op.singleQuery)
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			invalid = append(invalid, invalidParams(err)...)
		}
		if len(invalid) > 0 {
			problem(w, http.StatusBadRequest, "The request is not valid for this operation; errors names each bad parameter or field.", invalid)
			return
		}
		next(w, r)
	})
}

// authenticate checks the operation's security requirements through kin-openapi's
// AuthenticationFunc, and answers 401 or 429 when they fail. Credentials come first: a client
// without them learns nothing about its input.
func (g *gate) authenticate(w http.ResponseWriter, r *http.Request, in *openapi3filter.RequestValidationInput, op *operation) bool {
	client := clientAddr(r, g.trusted)
	if d, blocked := g.limiter.blocked(client); blocked {
		tooManyFailures(w, d)
		return false
	}
	// The body is held back meanwhile, as kin-openapi would read all of it before any check.
	body := r.Body
	r.Body = http.NoBody
	err := openapi3filter.ValidateSecurityRequirements(r.Context(), in, op.security)
	r.Body = body
	if err == nil {
		return true
	}
	if d, blocked := g.limiter.fail(client); blocked {
		g.log.LogAttrs(r.Context(), slog.LevelWarn, "authentication failures limited",
			slog.String("client", client.String()), slog.String("request_id", requestID(r.Context())))
		tooManyFailures(w, d)
		return false
	}
	w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	problem(w, http.StatusUnauthorized, "Missing or invalid credentials.", nil)
	return false
}

func tooManyFailures(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", retryAfter(wait))
	problem(w, http.StatusTooManyRequests, "Too many failed authentications from this client; retry after the number of seconds in Retry-After.", nil)
}

func repeatedQuery(r *http.Request, single []string) []actorsapi.InvalidParam {
	if len(single) == 0 || r.URL.RawQuery == "" {
		return nil
	}
	var out []actorsapi.InvalidParam
	q := r.URL.Query()
	for _, name := range single {
		if len(q[name]) > 1 {
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInQuery, Name: name, Reason: "given more than once"})
		}
	}
	return out
}

// readBody checks the body's media type and size and that it is UTF-8 (encoding/json would
// silently replace bad bytes), then leaves it in r.Body for validation and decoding.
// It returns a status and detail when the body must be refused.
func readBody(r *http.Request, accepted []string) (int, string) {
	unsupported := "The request body must have Content-Type " + strings.Join(accepted, " or ") + "."
	ct := r.Header.Get("Content-Type")
	if ct != "" && !acceptable(ct, accepted) {
		return http.StatusUnsupportedMediaType, unsupported
	}
	if r.ContentLength > maxBodyBytes {
		return http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB."
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB."
		}
		return http.StatusBadRequest, "The request body could not be read."
	}
	if len(data) > 0 && ct == "" {
		return http.StatusUnsupportedMediaType, unsupported
	}
	if !utf8.Valid(data) {
		return http.StatusBadRequest, "The request body is not valid UTF-8."
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return 0, ""
}

func acceptable(contentType string, accepted []string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || !slices.Contains(accepted, mediaType) {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8")
}

// invalidParams turns kin-openapi's validation errors into the problem's errors list.
func invalidParams(err error) []actorsapi.InvalidParam {
	var out []actorsapi.InvalidParam
	var visit func(error)
	visit = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				visit(inner)
			}
		case *openapi3filter.RequestError:
			if e.Parameter != nil {
				out = append(out, actorsapi.InvalidParam{
					In:     actorsapi.InvalidParamIn(e.Parameter.In),
					Name:   e.Parameter.Name,
					Reason: paramReason(e),
				})
				return
			}
			out = append(out, bodyErrors(e)...)
		default:
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInBody, Reason: "the request is not valid"})
		}
	}
	visit(err)
	return out
}

func paramReason(e *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(e.Err, &se) {
		return se.Reason
	}
	var pe *openapi3filter.ParseError
	if errors.As(e.Err, &pe) {
		if s := e.Parameter.Schema; s != nil && s.Value != nil && s.Value.Type != nil && len(s.Value.Type.Slice()) == 1 {
			return "not a valid " + s.Value.Type.Slice()[0]
		}
		return "not a valid value"
	}
	if errors.Is(e.Err, openapi3filter.ErrInvalidRequired) {
		return "required"
	}
	return e.Reason
}

func bodyErrors(e *openapi3filter.RequestError) []actorsapi.InvalidParam {
	var schemaErrs []*openapi3.SchemaError
	var collect func(error)
	collect = func(err error) {
		switch x := err.(type) {
		case openapi3.MultiError:
			for _, inner := range x {
				collect(inner)
			}
		case *openapi3.SchemaError:
			schemaErrs = append(schemaErrs, x)
		}
	}
	collect(e.Err)
	if len(schemaErrs) == 0 {
		reason := "the body is not valid JSON"
		if errors.Is(e.Err, openapi3filter.ErrInvalidRequired) {
			reason = "a request body is required"
		}
		return []actorsapi.InvalidParam{{In: actorsapi.InvalidParamInBody, Reason: reason}}
	}
	out := make([]actorsapi.InvalidParam, 0, len(schemaErrs))
	for _, se := range schemaErrs {
		name := ""
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			name = "/" + strings.Join(ptr, "/")
		} else if se.SchemaField == "properties" {
			// kin-openapi reports an unknown property on the object; name the property.
			if _, rest, ok := strings.Cut(se.Reason, `"`); ok {
				if prop, _, ok := strings.Cut(rest, `"`); ok {
					name = "/" + prop
				}
			}
		}
		out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInBody, Name: name, Reason: se.Reason})
	}
	return out
}
