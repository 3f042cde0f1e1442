// Package httpapi is the HTTP face of the service: the spec gate (Basic auth and request
// validation with kin-openapi), the strict handlers behind the generated router, problem
// answers, and middleware. NewHandler assembles it; routes is the one place that says
// what is served where.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/docs"
	"github.com/actors-dev/actors/internal/telemetry"
)

// Config is what the HTTP layer needs.
type Config struct {
	Store    actors.Store
	Username string
	Password string
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client, for
	// limiting failed authentications per client. Empty: the peer address is the client.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
	// Tracer, when set, gives every request a server span (see internal/telemetry).
	Tracer trace.TracerProvider
	// Metrics, when set, counts every request of a spec operation (see internal/telemetry).
	Metrics *telemetry.Metrics
}

// NewHandler returns the service's whole HTTP handler.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("httpapi: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	doc, err := Spec()
	if err != nil {
		return nil, err
	}
	return routes(cfg, doc)
}

// Spec loads and validates the spec embedded in gen/.
func Spec() (*openapi3.T, error) {
	doc, err := actorsapi.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	// The gate matches requests by ServeMux patterns, not by the spec's servers.
	doc.Servers = nil
	return doc, nil
}

func routes(cfg Config, doc *openapi3.T) (http.Handler, error) {
	mux := http.NewServeMux()
	errs := errorResponder{log: cfg.Logger}

	api := newGate(doc, mux, newBasicAuth(cfg.Username, cfg.Password).authenticate, cfg.TrustedProxies, cfg.Logger)
	strict := actorsapi.NewStrictHandlerWithOptions(handlers{store: cfg.Store, encoded: newEncodings()}, nil, actorsapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  errs.badRequest,
		ResponseErrorHandlerFunc: errs.respond,
	})
	actorsapi.HandlerWithOptions(strict, actorsapi.StdHTTPServerOptions{BaseRouter: api, ErrorHandlerFunc: errs.badRequest})
	if err := api.check(); err != nil {
		return nil, err
	}
	for path, methods := range api.methodsByPath() {
		mux.Handle(path, methodNotAllowed(methods))
	}
	// The spec and Swagger UI need no credentials: they sit on the mux beside the gate.
	ui, err := docs.New(actorsapi.SpecYAML)
	if err != nil {
		return nil, err
	}
	ui.Register(mux)
	mux.Handle("/", notFound())

	operationIDs, err := telemetry.OperationIDs(actorsapi.SpecYAML)
	if err != nil {
		return nil, err
	}
	return chain(mux,
		withRequestID(newRequestIDs()),
		// Outside the access log, so its lines carry the span's ids.
		telemetry.Middleware(cfg.Tracer, cfg.Metrics, operationIDs),
		accessLog(cfg.Logger),
		// Inside the access log, so the log records the 500 a panic becomes.
		recoverPanics(cfg.Logger),
		securityHeaders,
		limitHeaders,
		limitBody,
	), nil
}

func methodNotAllowed(methods []string) http.Handler {
	allow := strings.Join(methods, ", ")
	detail := "This path answers " + allow + " only."
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		problem(w, http.StatusMethodNotAllowed, detail, nil)
	})
}

func notFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		problem(w, http.StatusNotFound, "Nothing is served at this path.", nil)
	})
}
