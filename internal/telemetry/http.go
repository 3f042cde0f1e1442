package telemetry

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/internal/route"
)

// OperationIDKey is the span attribute that names the request's spec operation.
const OperationIDKey = attribute.Key("openapi.operation_id")

// Result is what Observe learned of one answered request. Its route is the request's
// Pattern, which ServeMux sets on the request it is given, so no middleware between Observe
// and the mux may copy the request.
type Result struct {
	Status   int   // the status sent: 200 when the handler sent none, as net/http does
	Bytes    int64 // the body bytes written
	Duration time.Duration
	// RequestID is the answer's X-Request-Id (see RequestIDs).
	RequestID string
}

// Observer records one answered request.
type Observer func(r *http.Request, res Result)

// Observe wraps the response writer once per request and hands the Result to each observer
// (the access log), to the metrics of the request's operation when m is set, and to its
// server span when tp is set. The span is started first, so that everything logged while the
// request is served, the observers' lines too, carries its ids. Requests that reach no
// operation of routes (docs, 404, 405) get a span but no metrics.
//
// A span continues the trace of the request's traceparent and tracestate (or whatever
// OTEL_PROPAGATORS names, see StartTracing) only when trusted says the request came through
// a trusted proxy: anyone else's would choose which requests are sampled, whatever the
// sampler, and could put every request in one trace. Otherwise the span starts a trace of
// its own, and the sampler decides. trusted may be nil: nobody is.
//
// The span is not otelhttp's, though it follows the same semantic conventions: otelhttp
// wraps the body and the writer, computes attributes nobody reads and records OpenTelemetry
// metrics the service does not export (it writes EMF instead): half as many allocations
// again per request as this whole middleware with its spans.
func Observe(tp trace.TracerProvider, m *Metrics, routes *route.Table, trusted func(*http.Request) bool, observers ...Observer) func(http.Handler) http.Handler {
	observers = slices.Clone(observers)
	if m != nil {
		observers = append(observers, m.observer(routes))
	}
	var tracer trace.Tracer
	if tp != nil {
		tracer = tp.Tracer(scope)
		observers = append(observers, spanObserver(routes))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			if tracer != nil {
				ctx := r.Context()
				if trusted != nil && trusted(r) {
					ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(r.Header))
				}
				ctx, span := tracer.Start(ctx, spanMethod(r.Method), trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(requestAttributes(r)...))
				defer span.End()
				r = r.WithContext(ctx)
			}
			rec := recorders.Get().(*recorder)
			*rec = recorder{ResponseWriter: w}
			// Deferred, so that a handler aborted with http.ErrAbortHandler is still recorded.
			defer observed(rec, r, start, observers)
			next.ServeHTTP(rec, r)
		})
	}
}

// observed hands the recorded answer to the observers and puts the recorder back.
func observed(rec *recorder, r *http.Request, start time.Time, observers []Observer) {
	res := Result{Status: rec.status, Bytes: rec.bytes, Duration: time.Since(start), RequestID: RequestID(rec.Header())}
	if res.Status == 0 {
		res.Status = http.StatusOK
	}
	*rec = recorder{}
	recorders.Put(rec)
	for _, o := range observers {
		o(r, res)
	}
}

// recorders are reused: a recorder allocated per request would be one allocation more for
// every request. net/http forbids using a ResponseWriter after ServeHTTP returns, so none
// is still in use when it is put back.
var recorders = sync.Pool{New: func() any { return new(recorder) }}

// recorder remembers the status and size of the answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx answers are interim: the final status follows
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestAttributes are the span's attributes known from the request line and headers.
// The query string, the headers other than User-Agent and the URL's user info are left out:
// they may carry credentials.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	method := spanMethod(r.Method)
	if method == "HTTP" {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String("_OTHER"), semconv.HTTPRequestMethodOriginal(bounded(r.Method)))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs = append(attrs, semconv.URLPath(bounded(r.URL.Path)), semconv.URLScheme(scheme), semconv.NetworkProtocolVersion(protocolVersion(r)))
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(bounded(ua)))
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.NetworkPeerAddress(host))
	}
	return attrs
}

// spanObserver names the request's span after the route ServeMux matched, "GET
// /actors/{id}", and adds what the answer told. A 5xx is an error of the server's; a 4xx is
// the client's, and leaves the status unset.
func spanObserver(routes *route.Table) Observer {
	ids := make(map[string]string, len(routes.Ops))
	for _, op := range routes.Ops {
		ids[op.Pattern] = op.ID
	}
	return func(r *http.Request, res Result) {
		span := trace.SpanFromContext(r.Context())
		attrs := make([]attribute.KeyValue, 0, 4)
		attrs = append(attrs, semconv.HTTPResponseStatusCode(res.Status))
		if route := routeOf(r.Pattern); route != "" {
			span.SetName(spanMethod(r.Method) + " " + route)
			attrs = append(attrs, semconv.HTTPRoute(route))
		}
		if id := ids[r.Pattern]; id != "" {
			attrs = append(attrs, OperationIDKey.String(id))
		}
		if res.Status >= 500 {
			attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(res.Status)))
			span.SetStatus(codes.Error, "")
		}
		span.SetAttributes(attrs...)
	}
}

// routeOf is the path of a ServeMux pattern: "GET /actors/{id}" → "/actors/{id}".
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// spanMethod is the method as semantic conventions name spans: the known ones as they
// are, any other as "HTTP", so a client cannot make up span names. It returns a constant:
// the request's method shares the memory of its whole request line, which a span would keep.
func spanMethod(method string) string {
	for _, known := range [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect} {
		if method == known {
			return known
		}
	}
	return "HTTP"
}

func protocolVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMajor == 2:
		return "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return "1.0"
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}

// maxAttribute bounds each value the client chose in a span (path, method, User-Agent): a
// request line may be 64 KiB, and a span waits for its export with up to 2047 others.
const maxAttribute = 256

// bounded is s for a span: cut to maxAttribute bytes on a character boundary, and then a
// copy, since the SDK's own limit keeps a slice of the original and with it the whole
// request line; and valid UTF-8, since OTLP refuses a batch holding anything else.
func bounded(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxAttribute {
		return s
	}
	cut := maxAttribute
	for !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut])
}
