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
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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

// tracedHandler is the whole handler as main builds it with tracing on, its spans going to
// an in-memory exporter and its log to a buffer.
func tracedHandler(t *testing.T, store actors.Store) (http.Handler, *tracetest.InMemoryExporter, *bytes.Buffer) {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var logs bytes.Buffer
	h, err := httpapi.NewHandler(httpapi.Config{
		Store: store, Username: user, Password: password,
		Logger: slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil))),
		Tracer: tp,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, spans, &logs
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
			name: "get continues the client's trace", method: "GET", target: "/actors/2", auth: true,
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
				store = memstore.New(actors.Seed()...)
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
	h, exporter, _ := tracedHandler(t, memstore.New(actors.Seed()...))
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
			h := telemetry.Observe(nil, nil, nil, record, record)(tt.handler)
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
