package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
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
	security   []securityAlternative
	pathParams []string
	// headerParams are the header and cookie parameters, canonical: a request carrying none
	// of them, no query and no body is validated by its path parameters alone, so the gate
	// remembers which of those kin-openapi accepted (see validate).
	headerParams []string
	accepted     acceptedPaths
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
				security: resolveSecurity(doc, security),
				route:    &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &validated},
				accepted: acceptedPaths{mu: new(sync.RWMutex), paths: make(map[string]struct{})},
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				switch v := p.Value; {
				case v == nil:
				case v.In == openapi3.ParameterInPath && !slices.Contains(o.pathParams, v.Name):
					o.pathParams = append(o.pathParams, v.Name)
				case v.In == openapi3.ParameterInQuery && (v.Schema == nil || v.Schema.Value == nil || !v.Schema.Value.Type.Is("array")):
					o.singleQuery = append(o.singleQuery, v.Name)
				case v.In == openapi3.ParameterInHeader:
					o.headerParams = append(o.headerParams, http.CanonicalHeaderKey(v.Name))
				case v.In == openapi3.ParameterInCookie:
					o.headerParams = append(o.headerParams, "Cookie")
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

// requestState is what the gate hands kin-openapi for one request, allocated once.
type requestState struct {
	in   openapi3filter.RequestValidationInput
	auth openapi3filter.AuthenticationInput
}

func (g *gate) wrap(op *operation, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = op.pattern
		}
		w.Header()["Cache-Control"] = headerNoStore
		st := &requestState{in: openapi3filter.RequestValidationInput{Request: r, Route: op.route, Options: g.opts}}
		if len(op.security) > 0 && !g.authenticate(w, r, st, op) {
			return
		}
		if op.bodyTypes != nil {
			if status, detail, invalid := readBody(r, op.bodyTypes); status != 0 {
				problem(w, status, detail, invalid)
				return
			}
		}
		if !g.validate(w, r, &st.in, op) {
			return
		}
		next(w, r)
	})
}

// validate checks the request's parameters and body against the spec with kin-openapi, and
// answers 400 when they fail.
func (g *gate) validate(w http.ResponseWriter, r *http.Request, in *openapi3filter.RequestValidationInput, op *operation) bool {
	// Most requests (GET /actors, GET /actors/{id}) carry nothing but path parameters. The
	// spec does not change while the server runs, so kin-openapi's answer for the same path
	// parameter values is the same: the gate asks once and remembers the values it accepted.
	key, memo := op.memoKey(r)
	if memo && op.accepted.has(key) {
		return true
	}
	if len(op.pathParams) > 0 {
		in.PathParams = make(map[string]string, len(op.pathParams))
		for _, name := range op.pathParams {
			in.PathParams[name] = r.PathValue(name)
		}
	}
	invalid := repeatedQuery(r, op.singleQuery)
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		invalid = append(invalid, invalidParams(err)...)
	}
	if len(invalid) > 0 {
		problem(w, http.StatusBadRequest, "The request is not valid for this operation; errors names each bad parameter or field.", invalid)
		return false
	}
	if memo {
		op.accepted.add(key)
	}
	return true
}

// memoKey says whether kin-openapi's verdict on r depends only on its path parameters, and
// if so returns them as one key.
func (op *operation) memoKey(r *http.Request) (string, bool) {
	if op.bodyTypes != nil || r.URL.RawQuery != "" {
		return "", false
	}
	for _, name := range op.headerParams {
		if _, ok := r.Header[name]; ok {
			return "", false
		}
	}
	switch len(op.pathParams) {
	case 0:
		return "", true
	case 1:
		return r.PathValue(op.pathParams[0]), true
	}
	values := make([]string, len(op.pathParams))
	for i, name := range op.pathParams {
		values[i] = r.PathValue(name)
	}
	return strings.Join(values, "\x00"), true
}

// maxValidated bounds each operation's memory of accepted path parameters; past it the
// memory starts again, so a client walking through ids costs a little time, never space.
const maxValidated = 4096

// acceptedPaths is a set of path parameter values kin-openapi accepted for one operation.
type acceptedPaths struct {
	mu    *sync.RWMutex
	paths map[string]struct{}
}

func (v acceptedPaths) has(key string) bool {
	v.mu.RLock()
	_, ok := v.paths[key]
	v.mu.RUnlock()
	return ok
}

func (v acceptedPaths) add(key string) {
	v.mu.Lock()
	if len(v.paths) >= maxValidated {
		clear(v.paths)
	}
	// A copy: key may point into a larger string (the request's path) that it would keep alive.
	v.paths[strings.Clone(key)] = struct{}{}
	v.mu.Unlock()
}

// authScheme is one security scheme of a requirement, resolved from the spec at start-up.
type authScheme struct {
	name   string
	scheme *openapi3.SecurityScheme // nil when the spec does not declare it: never satisfied
	scopes []string
}

// securityAlternative is one security requirement: all its schemes must be satisfied.
// An operation is authenticated when any one of its alternatives is.
type securityAlternative []authScheme

// resolveSecurity looks up each requirement's schemes once, in the order kin-openapi's
// ValidateSecurityRequirements would try them (by name).
func resolveSecurity(doc *openapi3.T, reqs openapi3.SecurityRequirements) []securityAlternative {
	var declared openapi3.SecuritySchemes
	if doc.Components != nil {
		declared = doc.Components.SecuritySchemes
	}
	var out []securityAlternative
	for _, req := range reqs {
		alt := securityAlternative{}
		for _, name := range slices.Sorted(maps.Keys(req)) {
			s := authScheme{name: name, scopes: req[name]}
			if ref := declared[name]; ref != nil {
				s.scheme = ref.Value
			}
			alt = append(alt, s)
		}
		out = append(out, alt)
	}
	return out
}

// checkSecurity is kin-openapi's ValidateSecurityRequirements with the lookups done at
// start-up: each scheme is still checked by the AuthenticationFunc the options carry.
func (g *gate) checkSecurity(ctx context.Context, st *requestState, alts []securityAlternative) error {
	for _, alt := range alts {
		ok := true
		for _, s := range alt {
			if s.scheme == nil {
				ok = false
				break
			}
			st.auth = openapi3filter.AuthenticationInput{RequestValidationInput: &st.in, SecuritySchemeName: s.name, SecurityScheme: s.scheme, Scopes: s.scopes}
			if err := g.opts.AuthenticationFunc(ctx, &st.auth); err != nil {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
	}
	return errBadCredentials
}

// authenticate checks the operation's security requirements through kin-openapi's
// AuthenticationFunc, and answers 401 or 429 when they fail. Credentials come first: a client
// without them learns nothing about its input.
func (g *gate) authenticate(w http.ResponseWriter, r *http.Request, st *requestState, op *operation) bool {
	client := clientAddr(r, g.trusted)
	if d, blocked := g.limiter.blocked(client); blocked {
		tooManyFailures(w, d)
		return false
	}
	// The body is held back meanwhile, as an AuthenticationFunc has no business reading it.
	body := r.Body
	r.Body = http.NoBody
	err := g.checkSecurity(r.Context(), st, op.security)
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
// It returns a status, detail and the bad field when the body must be refused.
func readBody(r *http.Request, accepted []string) (int, string, []actorsapi.InvalidParam) {
	unsupported := "The request body must have Content-Type " + strings.Join(accepted, " or ") + "."
	ct := r.Header.Get("Content-Type")
	if ct != "" && !acceptable(ct, accepted) {
		return http.StatusUnsupportedMediaType, unsupported, nil
	}
	if r.ContentLength > maxBodyBytes {
		return http.StatusRequestEntityTooLarge, detailTooLarge, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, detailTooLarge, nil
		}
		return http.StatusBadRequest, "The request body could not be read.", nil
	}
	if len(data) > 0 && ct == "" {
		return http.StatusUnsupportedMediaType, unsupported, nil
	}
	if !utf8.Valid(data) {
		return http.StatusBadRequest, "The request body is not valid UTF-8.", []actorsapi.InvalidParam{{In: actorsapi.InvalidParamInBody, Reason: "not valid UTF-8"}}
	}
	// Every body this API takes is JSON. The decoders downstream read the first JSON value and
	// ignore what follows, so `{...} trailing` or `{...}{...}` must be refused here.
	if len(data) > 0 && !json.Valid(data) {
		return http.StatusBadRequest, "The request body is not valid JSON.", []actorsapi.InvalidParam{{In: actorsapi.InvalidParamInBody, Reason: "the body is not valid JSON"}}
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return 0, "", nil
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
