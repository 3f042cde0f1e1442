package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/telemetry"
)

// discardWriter is a reusable http.ResponseWriter, so allocations counted are the handler's.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// discardExporter takes batches of spans and drops them: the cost measured is the
// service's, not a collector's.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkTelemetry serves GET /actors/2 through the whole handler, as main builds it,
// with tracing and metrics off and on: the differences are their cost per request.
// "metrics" is the default configuration.
func BenchmarkTelemetry(b *testing.B) {
	for _, bc := range []struct {
		name             string
		tracing, metrics bool
	}{
		{"off", false, false},
		{"metrics", false, true},
		{"tracing", true, false},
		{"tracing+metrics", true, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var tp trace.TracerProvider
			handler := slog.NewJSONHandler(io.Discard, nil)
			var log = slog.New(handler)
			if bc.tracing {
				sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))
				b.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
				tp = sdk
				log = slog.New(telemetry.LogHandler(handler))
			}
			var m *telemetry.Metrics
			if bc.metrics {
				var err error
				if m, err = telemetry.NewMetrics(io.Discard, "actors", time.Minute); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = m.Close() })
			}
			h, err := httpapi.NewHandler(httpapi.Config{
				Store: memstore.New(0, actors.Seed()...), Username: user, Password: password,
				Logger: log, Tracer: tp, Metrics: m,
			})
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, "http://localhost/actors/2", http.NoBody)
			req.RequestURI = "/actors/2"
			req.RemoteAddr = "192.0.2.1:40000"
			req.SetBasicAuth(user, password)
			w := &discardWriter{header: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
