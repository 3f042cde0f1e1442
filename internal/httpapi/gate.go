package httpapi

import (
	"bytes"
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
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"golang.org/x/time/rate"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/route"
)

// gate is the spec gate. It implements actorsapi.ServeMux: the generated code registers
// each operation's route through it, and the gate wraps the route with the checks the spec
// asks for (credentials, then parameters and body) before the generated code runs. So an
// operation added to the spec is authenticated and validated with no new code here.
type gate struct {
	mux     *http.ServeMux
	ops     []*operation // by route.Op.Index
	opts    *openapi3filter.Options
	basic   basicAuth
	limiter *authLimiter
	trusted []netip.Prefix // proxies whose X-Forwarded-For is believed
	// bodyChecks holds a token for each request body being validated, two at most: a valid
	// body takes microseconds, while a hostile one costs kin-openapi megabytes until it is
	// done, and the collector lets the heap grow by a multiple of what is live. Bounding
	// them bounds that memory, whatever the number of cores.
	bodyChecks chan struct{}
	log        *slog.Logger
	warnings   rate.Sometimes // of clients limited
	errs       []error
}

// operation is what the gate knows of one spec operation, computed once at start-up.
type operation struct {
	*route.Op
	// validation is the route kin-openapi validates against: its operation has no security,
	// which is checked first and apart, so that a client without credentials learns nothing
	// about its input.
	validation *routers.Route
	// basicAlone: one of the operation's security requirements is the basic scheme alone,
	// which the configured credentials satisfy whatever the others ask.
	basicAlone bool
	pathParams []string
	// singleQuery are the query parameters that take one value: kin-openapi would read only
	// the first of repeated ones, so the gate refuses repeats itself.
	singleQuery []string
	bodyTypes   []string // media types the body may have; nil when the operation takes none
	// headerParams are the header and cookie parameters, canonical: a request with none of
	// them, no query and no body is judged by its path alone (see accepted).
	headerParams []string
	accepted     acceptedPaths
	handler      http.Handler // the generated route behind the checks; nil until registered
}

var _ actorsapi.ServeMux = (*gate)(nil)

// newGate serves each path of the route table, its operations by method and 405 for other
// methods, and hands other paths to beside. Matching by path first, as OpenAPI does, serves
// /actors/count beside /actors/{id}. Its mux holds no pattern with a method: ServeMux looks
// those up first, and a lookup that fails costs an allocation.
func newGate(routes *route.Table, beside http.Handler, basic basicAuth, trusted []netip.Prefix, log *slog.Logger) *gate {
	g := &gate{
		mux:        http.NewServeMux(),
		basic:      basic,
		limiter:    newAuthLimiter(),
		trusted:    trusted,
		bodyChecks: make(chan struct{}, 2),
		opts: &openapi3filter.Options{
			AuthenticationFunc: basic.authenticate,
			MultiError:         true, // name every bad parameter and field, not just the first
			// Defaults are the handlers' business; setting them would rewrite the request.
			SkipSettingDefaults: true,
		},
		log:      log,
		warnings: rate.Sometimes{Interval: time.Second},
	}
	for _, op := range routes.Ops {
		validated := *op.Operation
		validated.Security = &openapi3.SecurityRequirements{}
		o := &operation{Op: op, validation: &routers.Route{Spec: op.Spec, Path: op.Path, PathItem: op.PathItem, Method: op.Method, Operation: &validated}}
		if op.Spec.Components != nil {
			schemes := op.Spec.Components.SecuritySchemes
			o.basicAlone = slices.ContainsFunc(op.Security, func(req openapi3.SecurityRequirement) bool {
				names := slices.Collect(maps.Keys(req))
				return len(names) == 1 && schemes[names[0]] != nil && isBasic(schemes[names[0]].Value)
			})
		}
		for _, p := range op.Params {
			switch v := p.Value; {
			case v == nil:
			case v.In == openapi3.ParameterInPath:
				o.pathParams = append(o.pathParams, v.Name)
			case v.In == openapi3.ParameterInQuery && (v.Schema == nil || v.Schema.Value == nil || !v.Schema.Value.Type.Is("array")):
				o.singleQuery = append(o.singleQuery, v.Name)
			case v.In == openapi3.ParameterInHeader:
				o.headerParams = append(o.headerParams, http.CanonicalHeaderKey(v.Name))
			case v.In == openapi3.ParameterInCookie:
				o.headerParams = append(o.headerParams, "Cookie")
			}
		}
		if op.Operation.RequestBody != nil && op.Operation.RequestBody.Value != nil {
			o.bodyTypes = slices.Sorted(maps.Keys(op.Operation.RequestBody.Value.Content))
		}
		g.ops = append(g.ops, o)
	}
	for _, p := range routes.Paths {
		g.mux.Handle(p.Pattern, g.path(p))
	}
	g.mux.Handle("/", beside)
	return g
}

// path serves one spec path: the request's method chooses the operation.
func (g *gate) path(p *route.Path) http.Handler {
	detail := "This path answers " + p.Allow + " only."
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := p.Method(r.Method)
		if op == nil {
			w.Header().Set("Allow", p.Allow)
			problem(w, http.StatusMethodNotAllowed, detail, nil)
			return
		}
		// ServeMux set r.Pattern to the path. The access log and telemetry know the operation
		// by its pattern, which ServeMux would have set had the route been registered by method.
		r.Pattern = op.Pattern
		g.ops[op.Index].handler.ServeHTTP(w, r)
	})
}

// HandleFunc registers a generated route, gated by its spec operation.
func (g *gate) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	i := slices.IndexFunc(g.ops, func(op *operation) bool { return op.Pattern == pattern })
	if i < 0 {
		g.errs = append(g.errs, fmt.Errorf("generated route %q has no operation in the spec", pattern))
		return
	}
	g.ops[i].handler = g.wrap(g.ops[i], h)
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// check reports routes the generated code and the spec disagree on.
func (g *gate) check() error {
	for _, op := range g.ops {
		if op.handler == nil {
			g.errs = append(g.errs, fmt.Errorf("spec operation %q has no generated route; run go generate", op.Pattern))
		}
	}
	return errors.Join(g.errs...)
}

func (g *gate) wrap(op *operation, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !op.Public() && !g.authenticate(w, r, op) {
			return
		}
		if op.bodyTypes != nil {
			if status, detail, invalid := readBody(r, op.bodyTypes); status != 0 {
				problem(w, status, detail, invalid)
				return
			}
		}
		invalid, ok := g.validate(r, op)
		if !ok {
			return // the client left while its body waited to be checked
		}
		if len(invalid) > 0 {
			badRequest(w, invalid)
			return
		}
		next(w, r)
	})
}

// validate checks the request's parameters and body against the spec with kin-openapi, and
// returns what is wrong with them.
func (g *gate) validate(r *http.Request, op *operation) ([]actorsapi.InvalidParam, bool) {
	if op.bodyTypes != nil {
		select {
		case g.bodyChecks <- struct{}{}:
			defer func() { <-g.bodyChecks }()
		case <-r.Context().Done():
			return nil, false
		}
	}
	key, byPath := op.pathKey(r)
	if byPath && op.accepted.has(key) {
		return nil, true
	}
	in := &openapi3filter.RequestValidationInput{Request: r, Route: op.validation, Options: g.opts}
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
	if byPath && len(invalid) == 0 {
		op.accepted.add(key)
	}
	return invalid, true
}

// pathKey says whether kin-openapi's verdict on r depends on its path parameters alone (no
// body, no query, none of the operation's headers), and if so returns them as one key.
func (op *operation) pathKey(r *http.Request) (string, bool) {
	if op.bodyTypes != nil || r.URL.RawQuery != "" {
		return "", false
	}
	for _, name := range op.headerParams {
		if _, ok := r.Header[name]; ok {
			return "", false
		}
	}
	if len(op.pathParams) == 1 {
		return r.PathValue(op.pathParams[0]), true
	}
	var key []byte
	for _, name := range op.pathParams {
		v := r.PathValue(name) // length first: a value may hold any byte
		key = append(strconv.AppendInt(key, int64(len(v)), 10), ':')
		key = append(key, v...)
	}
	return string(key), true
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
