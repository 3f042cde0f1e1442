package telemetry

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// OperationIDKey is the span attribute that names the request's spec operation.
const OperationIDKey = attribute.Key("openapi.operation_id")

// propagator continues a trace the client started (W3C traceparent and tracestate).
var propagator = propagation.TraceContext{}

// Middleware records every request: a server span when tp is set, and the request's
// operation metrics when m is set; with neither it returns next as it is. operationIDs
// maps each spec operation's ServeMux pattern ("GET /actors/{id}") to its operationId: the
// route is known only once ServeMux has matched it, which it records in r.Pattern of the
// request it was given, so no middleware between this one and the mux may copy the request.
// Requests that match no operation (docs, 404, 405) get a span but no metrics.
//
// It is not otelhttp, though it follows the same semantic conventions: otelhttp wraps the
// body and the writer, computes attributes nobody reads and records OpenTelemetry metrics the
// service does not export (it writes EMF instead): half as many allocations again per
// request as this whole middleware with its spans.
func Middleware(tp trace.TracerProvider, m *Metrics, operationIDs map[string]string) func(http.Handler) http.Handler {
	if tp == nil && m == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	var tracer trace.Tracer
	if tp != nil {
		tracer = tp.Tracer(scope)
	}
	var ops map[string]*opStats
	if m != nil {
		ops = make(map[string]*opStats, len(operationIDs))
		for pattern, id := range operationIDs {
			ops[pattern] = m.operation(id)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			var span trace.Span
			if tracer != nil {
				var ctx = propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
				ctx, span = tracer.Start(ctx, spanMethod(r.Method), trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(requestAttributes(r)...))
				defer span.End()
				r = r.WithContext(ctx)
			}
			sw := statusWriters.Get().(*statusWriter)
			*sw = statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			status := sw.code()
			*sw = statusWriter{}
			statusWriters.Put(sw)
			if s := ops[r.Pattern]; s != nil {
				s.observe(status, time.Since(start))
			}
			if span != nil {
				endSpan(span, r, status, operationIDs[r.Pattern])
			}
		})
	}
}

// requestAttributes are the span's attributes known from the request line and headers.
// The query string, the headers other than User-Agent and the URL's user info are left out:
// they may carry credentials.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	method := spanMethod(r.Method)
	if method == "HTTP" {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String("_OTHER"), semconv.HTTPRequestMethodOriginal(r.Method))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs = append(attrs, semconv.URLPath(r.URL.Path), semconv.URLScheme(scheme), semconv.NetworkProtocolVersion(protocolVersion(r)))
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.NetworkPeerAddress(host))
	}
	return attrs
}

// endSpan names the span after the route ServeMux matched, "GET /actors/{id}", and adds
// what the answer told. A 5xx is an error of the server's; a 4xx is the client's, and
// leaves the status unset.
func endSpan(span trace.Span, r *http.Request, status int, operationID string) {
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	if route := routeOf(r.Pattern); route != "" {
		span.SetName(spanMethod(r.Method) + " " + route)
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if operationID != "" {
		attrs = append(attrs, OperationIDKey.String(operationID))
	}
	if status >= 500 {
		attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(status)))
		span.SetStatus(codes.Error, "")
	}
	span.SetAttributes(attrs...)
}

// routeOf is the path of a ServeMux pattern: "GET /actors/{id}" → "/actors/{id}".
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// spanMethod is the method as semantic conventions name spans: the known ones as they
// are, any other as "HTTP", so a client cannot make up span names.
func spanMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect:
		return method
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

// statusWriters are reused: with metrics on by default, a writer allocated per request
// would be the only allocation telemetry adds to it. net/http forbids using a
// ResponseWriter after ServeHTTP returns, so none is still in use when it is put back.
var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}

// statusWriter remembers the status of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx answers are interim: the final status follows
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent, or 200 when the handler sent nothing (net/http's answer then).
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
