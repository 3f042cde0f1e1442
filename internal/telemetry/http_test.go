package telemetry_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/telemetry"
)

const (
	user     = "kirk"
	password = "NCC-1701-secret"
)

// failingStore fails every read, as a store that lost its disk would.
type failingStore struct{ actors.Store }

func (failingStore) Get(context.Context, int64) (actors.Actor, error) {
	return actors.Actor{}, errors.New("disk on fire")
}

// proxy is the trusted proxy of tracedHandler: httptest.NewRequest's peer.
var proxy = netip.MustParsePrefix("192.0.2.1/32")

// tracedHandler is the whole handler as main builds it with tracing on, its spans going to
// an in-memory exporter and its log to a buffer, behind a trusted proxy (proxy).
func tracedHandler(t *testing.T, store actors.Store) (http.Handler, *tracetest.InMemoryExporter, *bytes.Buffer) {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	h, logs := tracedWith(t, store, tp)
	return h, spans, logs
}

func tracedWith(t *testing.T, store actors.Store, tp *sdktrace.TracerProvider) (http.Handler, *bytes.Buffer) {
	t.Helper()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	otel.SetTextMapPropagator(propagation.TraceContext{}) // as StartTracing does by default
	t.Cleanup(func() { otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator()) })
	var logs bytes.Buffer
	h, err := httpapi.NewHandler(httpapi.Config{
		Store: store, Username: user, Password: password,
		Logger:         slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil))),
		Tracer:         tp,
		TrustedProxies: []netip.Prefix{proxy},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func TestServerSpans(t *testing.T) {
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tests := []struct {
		name      string
		method    string
		target    string
		auth      bool
		header    map[string]string
		store     actors.Store
		wantName  string
		wantAttrs map[attribute.Key]any
		wantError bool
	}{
		{
			name: "get continues the trace a trusted proxy passes on", method: "GET", target: "/actors/2", auth: true,
			header:   map[string]string{"Traceparent": "00-" + traceID + "-" + parentID + "-01", "Tracestate": "vendor=opaque"},
			wantName: "GET /actors/{id}",
			wantAttrs: map[attribute.Key]any{"http.route": "/actors/{id}", "openapi.operation_id": "getActor", "http.request.method": "GET",
				"http.response.status_code": int64(200), "url.path": "/actors/2", "url.scheme": "http", "network.protocol.version": "1.1"},
		},
		{
			name: "not found is the client's error", method: "GET", target: "/actors/99", auth: true,
			wantName:  "GET /actors/{id}",
			wantAttrs: map[attribute.Key]any{"http.response.status_code": int64(404), "openapi.operation_id": "getActor"},
		},
		{
			name: "no credentials", method: "DELETE", target: "/actors/2",
			wantName:  "DELETE /actors/{id}",
			wantAttrs: map[attribute.Key]any{"http.response.status_code": int64(401), "openapi.operation_id": "deleteActor"},
		},
		{
			name: "a failing store is the server's error", method: "GET", target: "/actors/2", auth: true, store: failingStore{},
			wantName:  "GET /actors/{id}",
			wantAttrs: map[attribute.Key]any{"http.response.status_code": int64(500), "error.type": "500"},
			wantError: true,
		},
		{
			name: "a path outside the spec", method: "GET", target: "/nothing/here",
			wantName:  "GET /",
			wantAttrs: map[attribute.Key]any{"http.response.status_code": int64(404), "http.route": "/"},
		},
		{
			name: "an unknown method makes no span name", method: "BREW", target: "/actors", auth: true,
			wantName:  "HTTP /actors",
			wantAttrs: map[attribute.Key]any{"http.request.method": "_OTHER", "http.request.method_original": "BREW", "http.response.status_code": int64(405)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := tt.store
			if store == nil {
				store = memstore.New(0, actors.Seed()...)
			}
			h, exporter, logs := tracedHandler(t, store)
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.auth {
				r.SetBasicAuth(user, password)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)

			spans := exporter.GetSpans()
			var server *tracetest.SpanStub
			for i := range spans {
				if spans[i].Name == tt.wantName {
					server = &spans[i]
				}
			}
			if server == nil {
				t.Fatalf("no span named %q among %v", tt.wantName, spanNames(spans))
			}
			got := map[attribute.Key]any{}
			for _, kv := range server.Attributes {
				got[kv.Key] = kv.Value.AsInterface()
			}
			for k, want := range tt.wantAttrs {
				if got[k] != want {
					t.Errorf("attribute %s = %v, want %v", k, got[k], want)
				}
			}
			if server.SpanKind.String() != "server" {
				t.Errorf("span kind %s, want server", server.SpanKind)
			}
			if (server.Status.Code == codes.Error) != tt.wantError {
				t.Errorf("span status %v, want error: %v", server.Status, tt.wantError)
			}
			if tt.header["Traceparent"] != "" {
				if server.SpanContext.TraceID().String() != traceID || server.Parent.SpanID().String() != parentID || !server.Parent.IsRemote() {
					t.Errorf("span %s with parent %s: want trace %s continued from span %s", server.SpanContext.TraceID(), server.Parent.SpanID(), traceID, parentID)
				}
				if server.SpanContext.TraceState().Get("vendor") != "opaque" {
					t.Errorf("tracestate %q not carried on", server.SpanContext.TraceState())
				}
			}

			// The access log line leads to the span.
			var line map[string]any
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if json.Unmarshal([]byte(l), &line) == nil && line["msg"] == "request" {
					break
				}
			}
			if line["trace_id"] != server.SpanContext.TraceID().String() || line["span_id"] != server.SpanContext.SpanID().String() {
				t.Errorf("access log %v: want trace_id %s and span_id %s", line, server.SpanContext.TraceID(), server.SpanContext.SpanID())
			}
		})
	}
}

// TestNoCredentialsInSpans sends credentials every way a client can, right and wrong, and
// looks for them in everything the spans hold.
func TestNoCredentialsInSpans(t *testing.T) {
	h, exporter, _ := tracedHandler(t, memstore.New(0, actors.Seed()...))
	const wrong = "wrong-Pa55word"
	requests := []*http.Request{
		httptest.NewRequest("GET", "/actors/2", nil),
		httptest.NewRequest("GET", "/actors/2", nil),
		// Credentials in the URL's user info, and in the query.
		httptest.NewRequest("GET", "http://"+user+":"+password+"@example.com/actors/2?password="+password, nil),
		httptest.NewRequest("POST", "/actors", strings.NewReader(`{"actor":"`+password+`"}`)),
	}
	requests[0].SetBasicAuth(user, password)
	requests[1].SetBasicAuth(user, wrong)
	requests[3].SetBasicAuth(user, password)
	requests[3].Header.Set("Content-Type", "application/json")
	for _, r := range requests {
		r.Header.Set("Cookie", "session="+password)
		r.Header.Set("X-Api-Key", password)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	spans := exporter.GetSpans()
	if len(spans) < len(requests) {
		t.Fatalf("%d spans for %d requests", len(spans), len(requests))
	}
	secrets := []string{password, wrong, base64.StdEncoding.EncodeToString([]byte(user + ":" + password)), "Basic ", "Authorization", "authorization", "Cookie", "X-Api-Key"}
	for _, s := range spans {
		var text strings.Builder
		fmt.Fprintln(&text, s.Name, s.Status.Description)
		for _, kv := range append(s.Attributes, s.Resource.Attributes()...) {
			fmt.Fprintln(&text, kv.Key, kv.Value.String())
		}
		for _, e := range s.Events {
			fmt.Fprintln(&text, e.Name)
			for _, kv := range e.Attributes {
				fmt.Fprintln(&text, kv.Key, kv.Value.String())
			}
		}
		for _, secret := range secrets {
			if strings.Contains(text.String(), secret) {
				t.Errorf("span %q holds %q:\n%s", s.Name, secret, text.String())
			}
		}
	}
}

func TestOffWithoutProvider(t *testing.T) {
	if telemetry.AWS(nil) != nil {
		t.Error("with tracing off, the AWS SDK gets a tracer provider")
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	return names
}

// TestObserve: every observer gets each answer's status, body size and duration once,
// whatever way the handler answered, a handler aborted with http.ErrAbortHandler included.
func TestObserve(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBytes  int64
	}{
		{"nothing written is net/http's 200", func(http.ResponseWriter, *http.Request) {}, 200, 0},
		{"a body alone is a 200", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) }, 200, 5},
		{"the first status counts", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("{}"))
		}, 404, 2},
		{"an interim 1xx is not the answer", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}, 204, 0},
		{"an aborted handler", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			panic(http.ErrAbortHandler)
		}, 503, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []telemetry.Result
			record := func(_ *http.Request, res telemetry.Result) { got = append(got, res) }
			h := telemetry.Observe(nil, nil, nil, nil, record, record)(tt.handler)
			func() {
				defer func() { _ = recover() }()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			}()
			if len(got) != 2 {
				t.Fatalf("observers called %d times, want once each", len(got))
			}
			for _, res := range got {
				if res.Status != tt.wantStatus || res.Bytes != tt.wantBytes || res.Duration < 0 {
					t.Errorf("got %+v, want status %d, %d bytes, a duration", res, tt.wantStatus, tt.wantBytes)
				}
			}
		})
	}
}

// TestClientsDoNotChooseSampling: under a 1% sampler, a client's traceparent with the
// sampled flag (01) decides nothing, and a fixed trace id puts nothing in one trace: each
// request starts a trace of its own. From a trusted proxy, the trace is continued.
func TestClientsDoNotChooseSampling(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01))))
	h, _ := tracedWith(t, memstore.New(0, actors.Seed()...), tp)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	send := func(peer string) {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.RemoteAddr = peer
		r.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	for range 1000 {
		send("203.0.113.7:4242")
	}
	sampled := spans.GetSpans()
	for _, s := range sampled {
		if s.SpanContext.TraceID().String() == traceID || s.Parent.IsValid() {
			t.Fatalf("a client's span continued its trace %s", s.SpanContext.TraceID())
		}
	}
	t.Logf("1000 requests with a sampled traceparent, 1%% sampler: %d sampled", len(sampled))
	if len(sampled) > 50 {
		t.Errorf("1000 requests with a sampled traceparent, 1%% sampler: %d sampled", len(sampled))
	}
	spans.Reset()
	for range 10 {
		send("192.0.2.1:4242")
	}
	continued := 0
	for _, s := range spans.GetSpans() {
		if s.SpanContext.TraceID().String() == traceID {
			continued++
		}
	}
	if continued != 10 {
		t.Errorf("through the trusted proxy: %d of 10 spans continued the trace", continued)
	}
}

// stuckExporter never finishes an export until released: spans wait in the batch queue, as
// they do while a collector is slow.
type stuckExporter struct{ release chan struct{} }

func (e stuckExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	select {
	case <-e.release:
	case <-ctx.Done():
	}
	return nil
}

func (stuckExporter) Shutdown(context.Context) error { return nil }

// TestLongPathsDoNotGrowTheHeap: a flood of requests with 63 KB paths and User-Agents, with
// spans waiting for a slow collector (2048 queued, 512 in the batch being exported), must
// not keep the requests' bytes: the spans hold short copies.
func TestLongPathsDoNotGrowTheHeap(t *testing.T) {
	stuck := stuckExporter{make(chan struct{})}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(stuck))
	defer close(stuck.release) // before tracedWith's Shutdown, which waits for the export
	h, _ := tracedWith(t, memstore.New(0, actors.Seed()...), tp)
	send := func(i int) {
		r := httptest.NewRequest("GET", fmt.Sprintf("/%d/%s\xff", i, strings.Repeat("p", 63<<10)), nil)
		r.Header.Set("User-Agent", strings.Repeat("u", 63<<10))
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	send(0)
	before := liveHeap()
	for i := range 2560 {
		send(i)
	}
	grown := liveHeap() - before
	runtime.KeepAlive(tp)
	if grown > 32<<20 {
		t.Errorf("2560 requests with 63 KB paths grew the live heap by %d MB, want under 32 MB", grown>>20)
	}
	// Whatever a client sends, the attributes are short, and valid UTF-8, without which
	// OTLP refuses the whole batch.
	r := httptest.NewRequest("GET", "/actors/\xff"+strings.Repeat("é", 200), nil)
	r.Header.Set("User-Agent", "\xfe")
	exporter := tracetest.NewInMemoryExporter()
	h, _ = tracedWith(t, memstore.New(0, actors.Seed()...), sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)))
	h.ServeHTTP(httptest.NewRecorder(), r)
	for _, s := range exporter.GetSpans() {
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); len(v) > 256 || !utf8.ValidString(v) {
				t.Errorf("attribute %s: %d bytes, valid UTF-8 %v", kv.Key, len(v), utf8.ValidString(v))
			}
		}
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
