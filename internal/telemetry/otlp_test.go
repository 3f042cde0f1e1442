package telemetry

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// testSpans is one export's worth of spans.
var testSpans = []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
	Name: "GET /actors/{id}", TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{2}, 8),
}}}}}}

// testClient is the exporter's client for endpoint, configured by env as by the process
// environment, with short waits between tries.
func testClient(t *testing.T, endpoint string, env map[string]string) *otlpClient {
	t.Helper()
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
	c, err := newOTLPClient(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c.firstWait = 10 * time.Millisecond
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

// collector is an OTLP endpoint that answers the nth request (from 0) with answer(n, w, r),
// and keeps every request's headers and decoded body.
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
}

func newCollector(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *collector {
	t.Helper()
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Errorf("collector: %v", err)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Errorf("collector: %v", err)
		}
		c.mu.Lock()
		n := len(c.requests)
		c.requests, c.bodies = append(c.requests, r), append(c.bodies, b)
		c.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

// protoAnswer writes a protobuf answer with status code and body.
func protoAnswer(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// partialSuccess is an ExportTraceServiceResponse with partial_success set.
func partialSuccess(rejected int64, message string) []byte {
	var ps []byte
	ps = protowire.AppendTag(ps, 1, protowire.VarintType)
	ps = protowire.AppendVarint(ps, uint64(rejected))
	ps = protowire.AppendTag(ps, 2, protowire.BytesType)
	ps = protowire.AppendString(ps, message)
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), ps)
}

// rpcStatus is a google.rpc.Status with code and message.
func rpcStatus(code int, message string) []byte {
	b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), uint64(code))
	return protowire.AppendString(protowire.AppendTag(b, 2, protowire.BytesType), message)
}

func TestOTLPRequest(t *testing.T) {
	for _, compression := range []string{"none", "gzip"} {
		t.Run(compression, func(t *testing.T) {
			col := newCollector(t, func(_ int, w http.ResponseWriter, _ *http.Request) { protoAnswer(w, http.StatusOK, nil) })
			c := testClient(t, col.URL+"/", map[string]string{
				"OTEL_EXPORTER_OTLP_COMPRESSION": compression,
				"OTEL_EXPORTER_OTLP_HEADERS":     "x-api-key=se%20cret, x-tenant = blue",
			})
			if err := c.UploadTraces(context.Background(), testSpans); err != nil {
				t.Fatal(err)
			}
			r, body := col.requests[0], col.bodies[0]
			if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
				t.Errorf("%s %s (%s), want POST /v1/traces (application/x-protobuf)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			}
			if got, want := r.Header.Get("Content-Encoding"), map[string]string{"gzip": "gzip"}[compression]; got != want {
				t.Errorf("Content-Encoding %q, want %q", got, want)
			}
			if r.Header.Get("X-Api-Key") != "se cret" || r.Header.Get("X-Tenant") != "blue" {
				t.Errorf("headers %v, want those of OTEL_EXPORTER_OTLP_HEADERS, unescaped", r.Header)
			}
			// ExportTraceServiceRequest: the resource spans as field 1.
			_, rs := protoField(body, 1)
			var got tracepb.ResourceSpans
			if err := proto.Unmarshal(rs, &got); err != nil || !proto.Equal(&got, testSpans[0]) {
				t.Errorf("the collector got %v (%v), want the spans sent", &got, err)
			}
		})
	}
}

// TestOTLPAnswers checks what each kind of answer does: which are success, which are
// retried, and what the error says.
func TestOTLPAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(n int, w http.ResponseWriter, r *http.Request)
		tries   int
		wantErr string // empty: success
	}{
		{name: "200", tries: 1, answer: func(_ int, w http.ResponseWriter, _ *http.Request) { protoAnswer(w, 200, nil) }},
		{name: "any 2xx", tries: 1, answer: func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }},
		{name: "a body that is not protobuf", tries: 1, answer: func(_ int, w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "\x0a\x02\x08\x05 OK") }},
		{name: "503, then a dropped connection, then 200", tries: 3, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			switch n {
			case 0:
				protoAnswer(w, http.StatusServiceUnavailable, rpcStatus(14, "busy"))
			case 1:
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
			default:
				protoAnswer(w, 200, nil)
			}
		}},
		{name: "429, 502 and 504 are retried", tries: 4, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			protoAnswer(w, []int{429, 502, 504, 200}[n], nil)
		}},
		{name: "partial success", tries: 1, wantErr: `the collector rejected 3 spans: "too old"`, answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			protoAnswer(w, 200, partialSuccess(3, "too old"))
		}},
		{name: "a warning in partial success", tries: 1, wantErr: `rejected 0 spans: "use gzip"`, answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			protoAnswer(w, 200, partialSuccess(0, "use gzip"))
		}},
		{name: "400 is not retried", tries: 1, wantErr: `the collector answered 400: "bad span"`, answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			protoAnswer(w, 400, rpcStatus(3, "bad span"))
		}},
		{name: "500 is not retried", tries: 1, wantErr: "the collector answered 500", answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "oops", 500)
		}},
		{name: "Retry-After beyond the export timeout", tries: 1, wantErr: "answered 429; no time left to retry", answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "10")
			w.WriteHeader(429)
		}},
		{name: "503 until the export timeout", wantErr: "answered 503", answer: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(503)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			col := newCollector(t, tc.answer)
			c := testClient(t, col.URL, map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "2000"})
			err := c.UploadTraces(context.Background(), testSpans)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if n := col.count(); tc.tries > 0 && n != tc.tries || tc.tries == 0 && n < 3 {
				t.Errorf("%d requests, want %d", n, tc.tries)
			}
		})
	}
}

func TestOTLPRetryAfter(t *testing.T) {
	var first, second time.Time
	col := newCollector(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		second = time.Now()
	})
	c := testClient(t, col.URL, map[string]string{})
	if err := c.UploadTraces(context.Background(), testSpans); err != nil {
		t.Fatal(err)
	}
	if wait := second.Sub(first); wait < 900*time.Millisecond {
		t.Errorf("retried %s after a 429 with Retry-After: 1", wait)
	}

	in5s := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
	for v, want := range map[string]time.Duration{"": 0, "0": 0, "3": 3 * time.Second, "-1": 0, "1.5": 0, "soon": 0,
		"4294967296": 0, in5s: 5 * time.Second, "Sun, 06 Nov 1994 08:49:37 GMT": 0} {
		if got := retryAfter(v); got < want-time.Second || got > want {
			t.Errorf("Retry-After %q: wait %s, want %s", v, got, want)
		}
	}
}

// TestOTLPRefusesRedirects: a redirect, to another host above all, gets neither the spans
// nor the configured headers.
func TestOTLPRefusesRedirects(t *testing.T) {
	elsewhere := newCollector(t, func(_ int, w http.ResponseWriter, _ *http.Request) { protoAnswer(w, 200, nil) })
	for _, code := range []int{301, 302, 303, 307, 308} {
		col := newCollector(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+"/v1/traces", code)
		})
		c := testClient(t, col.URL, map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=secret"})
		err := c.UploadTraces(context.Background(), testSpans)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("answered %d, a redirect, which is not followed", code)) {
			t.Errorf("%d: err = %v, want the redirect refused", code, err)
		}
		if n := col.count(); n != 1 {
			t.Errorf("%d: %d requests, want 1: a redirect is not retried", code, n)
		}
	}
	if n := elsewhere.count(); n != 0 {
		t.Errorf("the redirect's target got %d requests", n)
	}
}

// TestOTLPBoundsAnswers runs a hostile collector: whatever it sends, the exporter reads at
// most otlpMaxResponse of headers and of body per answer, and logs a short line.
func TestOTLPBoundsAnswers(t *testing.T) {
	const huge = 4 << 20
	tests := []struct {
		name   string
		answer func(w *bufio.Writer)
		ok     bool
	}{
		{name: "status line", answer: func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 503 %s\r\nContent-Length: 0\r\n\r\n", strings.Repeat("\x1b[32mPASS", huge/9))
		}},
		{name: "malformed status line", answer: func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 5%s\r\n\r\n", strings.Repeat("\x00", 60<<10))
		}},
		{name: "headers", answer: func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 503 Service Unavailable\r\n")
			for i := range huge / 1024 {
				fmt.Fprintf(w, "X-%d: %s\r\n", i, strings.Repeat("a", 1000))
			}
			w.WriteString("Content-Length: 0\r\n\r\n")
		}},
		{name: "body", ok: true, answer: func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: %d\r\n\r\n", huge)
			w.Write(make([]byte, huge))
		}},
		{name: "partial success message", answer: func(w *bufio.Writer) {
			b := partialSuccess(1, strings.Repeat("\x1b[2J", 60<<10/4))
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		}},
		{name: "status message", answer: func(w *bufio.Writer) {
			b := rpcStatus(3, strings.Repeat("é", huge/2))
			fmt.Fprintf(w, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-protobuf\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := rawCollector(t, tc.answer)
			c := testClient(t, url, map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "500"})
			var mu sync.Mutex
			var reads []*atomic.Int64 // bytes read, per connection
			c.http.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				n := new(atomic.Int64)
				mu.Lock()
				reads = append(reads, n)
				mu.Unlock()
				return countingConn{conn, n}, err
			}
			err := c.UploadTraces(context.Background(), testSpans)
			if tc.ok != (err == nil) {
				t.Errorf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil && len(err.Error()) > 2*otlpMaxMessage+200 {
				t.Errorf("a %d-byte error, to be logged: %.200q...", len(err.Error()), err)
			}
			if err != nil && strings.ContainsAny(err.Error(), "\x1b\x00") {
				t.Errorf("the error holds the collector's control characters: %.200q", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range reads {
				if n.Load() > otlpMaxResponse+16<<10 {
					t.Errorf("read %d bytes of one answer, want at most about %d", n.Load(), otlpMaxResponse)
				}
			}
		})
	}
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// rawCollector reads each request and answers it with whatever answer writes, on the
// wire as it is, then closes the connection. It returns its URL.
func rawCollector(t *testing.T, answer func(w *bufio.Writer)) string {
	return serveConns(t, func(conn net.Conn) {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		w := bufio.NewWriter(conn)
		answer(w)
		_ = w.Flush()
	})
}

// serveConns runs handle on each connection to a new loopback listener, then closes the
// connection, until the test ends. It returns the listener's URL.
func serveConns(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestOTLPShutdown stops tracing with the collector down, and with one that never answers:
// the first ends at once, the second by the shutdown's deadline, and neither leaves an
// export running.
func TestOTLPShutdown(t *testing.T) {
	start := func(t *testing.T, endpoint string) (*Tracing, *lockedBuffer) {
		t.Helper()
		logs := new(lockedBuffer) // written to by the exporter's goroutine too
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_TIMEOUT": "60000"}
		tr, err := StartTracing(context.Background(), func(k string) string { return env[k] }, "test", slog.New(slog.NewJSONHandler(logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		_, span := tr.Provider().Tracer("test").Start(context.Background(), "GET /actors/{id}")
		span.End()
		return tr, logs
	}

	t.Run("collector down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		down := "http://" + ln.Addr().String()
		ln.Close()
		tr, logs := start(t, down)
		// One more try, and no retries: a minute of them, else.
		began := time.Now()
		tr.Shutdown(time.Minute)
		if took := time.Since(began); took > 5*time.Second {
			t.Errorf("shutdown took %s with nothing listening", took)
		}
		if !strings.Contains(logs.String(), "connection refused") {
			t.Errorf("no warning of the failed export:\n%s", logs)
		}
	})

	t.Run("collector hangs up", func(t *testing.T) {
		var conns atomic.Int64
		tr, logs := start(t, serveConns(t, func(net.Conn) { conns.Add(1) }))
		tr.Shutdown(time.Minute)
		if n := conns.Load(); n != 1 {
			t.Errorf("%d tries while the service stops, want 1", n)
		}
		if !strings.Contains(logs.String(), "tracing") {
			t.Errorf("no warning of the failed export:\n%s", logs)
		}
	})

	t.Run("collector hangs", func(t *testing.T) {
		closed := make(chan struct{}, 1)
		tr, logs := start(t, serveConns(t, func(conn net.Conn) {
			_, _ = io.Copy(io.Discard, conn) // never answers; returns when the exporter hangs up
			closed <- struct{}{}
		}))
		began := time.Now()
		tr.Shutdown(300 * time.Millisecond)
		if took := time.Since(began); took < 300*time.Millisecond {
			t.Errorf("shutdown returned after %s, before its deadline, with the collector not answering", took)
		}
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the export is still running after the shutdown")
		}
		if !strings.Contains(logs.String(), "export the last spans: context deadline exceeded") {
			t.Errorf("no warning of the spans given up:\n%s", logs)
		}
		tr.Shutdown(time.Minute) // a second call does nothing
	})
}

// TestOTLPStopEndsExports: an export waiting to retry ends when the service begins to
// stop, after one more try.
func TestOTLPStopEndsExports(t *testing.T) {
	col := newCollector(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	c := testClient(t, col.URL, map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "60000"})
	c.firstWait = time.Minute
	done := make(chan error, 1)
	go func() { done <- c.UploadTraces(context.Background(), testSpans) }()
	for col.count() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	c.beginStop()
	select {
	case err := <-done:
		if !strings.Contains(fmt.Sprint(err), "answered 503") || col.count() != 2 {
			t.Errorf("err = %v after %d requests, want the 503 of a second and last try", err, col.count())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the export still waits to retry after the service began to stop")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTracingSettings: OTEL_PROPAGATORS chooses the headers a trusted proxy's trace comes
// in, tracecontext by default; attribute values are cut at 1024 characters unless
// OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT says otherwise.
func TestTracingSettings(t *testing.T) {
	defer otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	for _, tc := range []struct {
		propagators string
		want        string // the headers read, sorted, or the error
	}{
		{"", "traceparent tracestate"},
		{"tracecontext,baggage", "baggage traceparent tracestate"},
		{"none", ""},
		{"b3", "OTEL_PROPAGATORS"},
	} {
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_PROPAGATORS": tc.propagators}
		tr, err := StartTracing(context.Background(), func(k string) string { return env[k] }, "test", slog.New(slog.DiscardHandler))
		if err != nil {
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("OTEL_PROPAGATORS=%q: %v", tc.propagators, err)
			}
			continue
		}
		// The composite propagator gathers its fields through a map: their order varies.
		fields := otel.GetTextMapPropagator().Fields()
		slices.Sort(fields)
		if got := strings.Join(fields, " "); got != tc.want {
			t.Errorf("OTEL_PROPAGATORS=%q: reads %q, want %q", tc.propagators, got, tc.want)
		}
		_, span := tr.Provider().Tracer("test").Start(context.Background(), "span")
		span.SetAttributes(attribute.String("long", strings.Repeat("é", 5000)))
		if v := span.(sdktrace.ReadOnlySpan).Attributes()[0].Value.AsString(); utf8.RuneCountInString(v) != 1024 {
			t.Errorf("an attribute of 5000 characters kept %d", utf8.RuneCountInString(v))
		}
		span.End()
		tr.Shutdown(time.Second)
	}
}
