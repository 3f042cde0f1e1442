// Package httpapi is the HTTP face of the service: the spec gate (Basic auth and request
// validation with kin-openapi), the strict handlers behind the generated router, problem
// answers, and middleware. NewHandler assembles it; routes is the one place that says
// what is served where, and what runs around it.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/getkin/kin-openapi/openapi3"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/docs"
	"github.com/actors-dev/actors/internal/route"
	"github.com/actors-dev/actors/internal/telemetry"
)

// Config is what the HTTP layer needs.
type Config struct {
	Store    actors.Store
	Username string
	Password string
	// TrustedProxies are the front doors whose X-Forwarded-For or Forwarded names the
	// client (for limiting failed authentications per client) and says HTTPS (for HSTS),
	// and whose trace context a span continues. Empty: the peer address is the client.
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
	// The spec as written, not the generated code's copy, whose operationIds are Go names.
	doc, err := openapi3.NewLoader().LoadFromData(actorsapi.SpecYAML)
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	errs := errorResponder{log: cfg.Logger}
	strict := actorsapi.NewStrictHandlerWithOptions(handlers{store: cfg.Store}, nil, actorsapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  errs.rejected,
		ResponseErrorHandlerFunc: errs.respond,
	})
	return routes(cfg, doc, func(gate actorsapi.ServeMux) {
		actorsapi.HandlerWithOptions(strict, actorsapi.StdHTTPServerOptions{BaseRouter: gate, ErrorHandlerFunc: errs.rejected})
	})
}

// routes is every route the service answers, and the middleware around them all.
// register puts the spec's operations on the gate: NewHandler's registers the generated code.
func routes(cfg Config, doc *openapi3.T, register func(actorsapi.ServeMux)) (http.Handler, error) {
	table, err := route.New(doc)
	if err != nil {
		return nil, err
	}
	// Every operation of api/openapi.yaml: the gate serves each spec path, and the generated
	// code registers each operation's route on the gate, which puts it behind the spec's
	// checks (credentials, parameters, body). Other paths go to mux.
	mux := http.NewServeMux()
	gate := newGate(table, mux, newBasicAuth(cfg.Username, cfg.Password), cfg.TrustedProxies, cfg.Logger)
	register(gate)
	if err := gate.check(); err != nil {
		return nil, err
	}
	// The spec itself and Swagger UI need no credentials: they sit on mux beside the gate.
	const specJSONPath, uiPath = "/openapi.json", "/docs"
	ui, err := docs.New(actorsapi.SpecYAML, actorsapi.SpecJSON, doc.Info.Title, specJSONPath, uiPath)
	if err != nil {
		return nil, err
	}
	mux.Handle("GET /openapi.yaml", ui.SpecYAML)
	mux.Handle("GET "+specJSONPath, ui.SpecJSON)
	mux.Handle("GET "+uiPath, ui.Page)
	mux.Handle("GET "+uiPath+"/{$}", ui.Page)
	mux.Handle("GET "+uiPath+"/", ui.Assets) // an asset, or a 404
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		problem(w, http.StatusNotFound, "Nothing is served at this path.", nil)
	})

	return chain(gate,
		telemetry.RequestIDs(),
		// One wrapper sees every answer and hands it to the access log, and to the operation's
		// metrics and the request's span when they are on. Outside recoverPanics, so that
		// they record the 500 a panic becomes.
		telemetry.Observe(cfg.Tracer, cfg.Metrics, table, func(r *http.Request) bool { return isTrusted(peerAddr(r), cfg.TrustedProxies) },
			telemetry.AccessLog(cfg.Logger)),
		recoverPanics(cfg.Logger),
		securityHeaders(cfg.TrustedProxies),
		limitHeaders,
		limitBody,
	), nil
}
