//go:build unix

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

// otlpReceiver is an OTLP/HTTP collector for tests: it keeps the spans posted to /v1/traces.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
	raw   [][]byte // every request body, decompressed
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	rcv := &otlpReceiver{}
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("OTLP receiver: %s %s (%s), want POST /v1/traces (application/x-protobuf)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Errorf("OTLP receiver: %v", err)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Errorf("OTLP receiver: %v", err)
			return
		}
		spans, err := decodeExportRequest(b)
		if err != nil {
			t.Errorf("OTLP receiver: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		rcv.spans = append(rcv.spans, spans...)
		rcv.raw = append(rcv.raw, b)
		rcv.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

func (rcv *otlpReceiver) received() ([]*tracepb.Span, [][]byte) {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return slices.Clone(rcv.spans), slices.Clone(rcv.raw)
}

// decodeExportRequest reads an ExportTraceServiceRequest: field 1, repeated ResourceSpans.
func decodeExportRequest(b []byte) ([]*tracepb.Span, error) {
	var spans []*tracepb.Span
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num != 1 || typ != protowire.BytesType {
			return nil, fmt.Errorf("not an ExportTraceServiceRequest (field %d, type %d)", num, typ)
		}
		b = b[n:]
		msg, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		var rs tracepb.ResourceSpans
		if err := proto.Unmarshal(msg, &rs); err != nil {
			return nil, err
		}
		for _, ss := range rs.ScopeSpans {
			spans = append(spans, ss.Spans...)
		}
	}
	return spans, nil
}

// TestTracesReachCollector runs the binary with an OTLP endpoint, as the Fargate task does
// with its collector sidecar. The batch is held for a minute, so the spans can only arrive
// through the flush at SIGTERM; they continue the client's trace and carry no credential.
func TestTracesReachCollector(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	rcv := newOTLPReceiver(t)
	srv := startBinary(t, map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL,
		"OTEL_BSP_SCHEDULE_DELAY":     "60000",
		"OTEL_SERVICE_NAME":           "actors-test",
		"ACTORS_USERNAME":             "kirk",
		"ACTORS_PASSWORD":             "NCC-1701-secret",
		// The test stands for a proxy that starts traces: only a trusted one's are continued.
		"ACTORS_TRUSTED_PROXIES": "127.0.0.1/32",
	})

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest(http.MethodGet, srv.base+"/actors/2", nil)
	req.SetBasicAuth("kirk", "NCC-1701-secret")
	req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /actors/2: %s", resp.Status)
	}

	time.Sleep(300 * time.Millisecond)
	if spans, _ := rcv.received(); len(spans) > 0 {
		t.Fatalf("%d spans exported before SIGTERM with a one-minute batch delay: not batched", len(spans))
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not exit after SIGTERM")
	}

	spans, raw := rcv.received()
	var server *tracepb.Span
	for _, s := range spans {
		if hex.EncodeToString(s.TraceId) == traceID && s.Name == "GET /actors/{id}" {
			server = s
		}
	}
	if server == nil {
		t.Fatalf("after SIGTERM the collector has no server span of trace %s; got %d spans", traceID, len(spans))
	}
	if got := hex.EncodeToString(server.ParentSpanId); got != "00f067aa0ba902b7" {
		t.Errorf("server span's parent = %s, want the traceparent's span 00f067aa0ba902b7", got)
	}
	if server.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("server span kind %v, want a server span", server.Kind)
	}
	attrs := map[string]string{}
	for _, kv := range server.Attributes {
		attrs[kv.Key] = kv.Value.GetStringValue()
		if _, ok := kv.Value.Value.(*commonpb.AnyValue_IntValue); ok {
			attrs[kv.Key] = fmt.Sprint(kv.Value.GetIntValue())
		}
	}
	for k, want := range map[string]string{"http.route": "/actors/{id}", "openapi.operation_id": "getActor", "http.response.status_code": "200", "http.request.method": "GET"} {
		if attrs[k] != want {
			t.Errorf("server span attribute %s = %q, want %q", k, attrs[k], want)
		}
	}
	for _, body := range raw {
		for _, secret := range []string{"NCC-1701-secret", "a2lyazpOQ0MtMTcwMS1zZWNyZXQ=", "Authorization", "authorization"} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("an exported span batch contains %q", secret)
			}
		}
	}
	if !strings.Contains(string(raw[0]), "actors-test") {
		t.Errorf("the spans' resource does not name the service from OTEL_SERVICE_NAME")
	}

	// The access log line of the request leads to its trace.
	var logged bool
	for _, line := range strings.Split(srv.output(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != "request" || m["path"] != "/actors/2" {
			continue
		}
		logged = true
		if m["trace_id"] != traceID || m["span_id"] != hex.EncodeToString(server.SpanId) {
			t.Errorf("access log line %s: want trace_id %s and span_id %x", line, traceID, server.SpanId)
		}
	}
	if !logged {
		t.Errorf("no access log line for GET /actors/2:\n%s", srv.output())
	}
}

// TestEMFLines sends a request to every operation of the spec through the binary and checks
// the embedded metric format lines it prints against the EMF specification's rules.
func TestEMFLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	srv := startBinary(t, devEnv(map[string]string{"ACTORS_METRICS_INTERVAL": "1s"}))
	// The spec as written: the one the code generator embeds has its operationIds renamed.
	doc, err := openapi3.NewLoader().LoadFromData(actorsapi.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{} // operationId → seen in a metrics line
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = false
			// Any answer counts for the operation, so one request with placeholder parameters does.
			req, _ := http.NewRequest(method, srv.base+strings.NewReplacer("{id}", "1").Replace(path), nil)
			req.SetBasicAuth("user", "password")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	time.Sleep(1100 * time.Millisecond) // one interval ends, its lines are written
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not exit after SIGTERM")
	}

	sc := bufio.NewScanner(strings.NewReader(srv.output()))
	lines := 0
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("stdout line is not one JSON object (lines interleaved?): %v\n%s", err, sc.Text())
			continue
		}
		if _, ok := line["_aws"]; !ok {
			continue
		}
		lines++
		validateEMF(t, line)
		if id, ok := line["operationId"].(string); ok {
			if _, known := ops[id]; !known {
				t.Errorf("metrics for %q, which is no operation of the spec", id)
			}
			ops[id] = true
		}
		if line["Service"] != "actors" {
			t.Errorf("Service = %v, want actors", line["Service"])
		}
	}
	for id, seen := range ops {
		if !seen {
			t.Errorf("no metrics line for operation %s", id)
		}
	}
	t.Logf("%d EMF lines for %d operations", lines, len(ops))
}

// validateEMF checks one document against the CloudWatch embedded metric format
// specification: the _aws metadata, each metric directive, and the root members the
// directives name.
func validateEMF(t *testing.T, doc map[string]any) {
	t.Helper()
	units := "Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None"
	errorf := func(format string, args ...any) {
		t.Helper()
		b, _ := json.Marshal(doc)
		t.Errorf("EMF: "+format+"\n%s", append(args, b)...)
	}
	meta, ok := doc["_aws"].(map[string]any)
	if !ok {
		errorf("_aws is not an object")
		return
	}
	ts, ok := meta["Timestamp"].(float64)
	if !ok || ts != math.Trunc(ts) || math.Abs(ts-float64(time.Now().UnixMilli())) > float64(time.Hour.Milliseconds()) {
		errorf("_aws.Timestamp %v is not the milliseconds of a recent time", meta["Timestamp"])
	}
	directives, ok := meta["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		errorf("_aws.CloudWatchMetrics is not a non-empty array")
		return
	}
	for _, d := range directives {
		dir, ok := d.(map[string]any)
		if !ok {
			errorf("a MetricDirective is not an object")
			continue
		}
		if ns, ok := dir["Namespace"].(string); !ok || len(ns) == 0 || len(ns) > 255 {
			errorf("Namespace %v is not a string of 1 to 255 characters", dir["Namespace"])
		}
		sets, ok := dir["Dimensions"].([]any)
		if !ok || len(sets) == 0 {
			errorf("Dimensions is not a non-empty array of DimensionSets")
		}
		for _, set := range sets {
			keys, ok := set.([]any)
			if !ok || len(keys) > 30 {
				errorf("DimensionSet %v is not an array of at most 30 keys", set)
				continue
			}
			for _, k := range keys {
				name, _ := k.(string)
				if v, ok := doc[name].(string); name == "" || !ok || v == "" {
					errorf("dimension %v has no string member on the root", k)
				}
			}
		}
		metrics, ok := dir["Metrics"].([]any)
		if !ok || len(metrics) == 0 || len(metrics) > 100 {
			errorf("Metrics is not an array of 1 to 100 MetricDefinitions")
			continue
		}
		for _, m := range metrics {
			def, _ := m.(map[string]any)
			name, _ := def["Name"].(string)
			if name == "" || len(name) > 255 {
				errorf("a MetricDefinition has no Name of 1 to 255 characters")
				continue
			}
			if unit, ok := def["Unit"].(string); ok && !slices.Contains(strings.Fields(units), unit) {
				errorf("metric %s: unit %q is not a CloudWatch unit", name, unit)
			}
			validateMetricValue(t, errorf, name, doc[name])
		}
	}
	requests, _ := doc["Requests"].(float64)
	errs4, _ := doc["4XXError"].(float64)
	errs5, _ := doc["5XXError"].(float64)
	if _, ok := doc["Requests"]; ok && (requests < 1 || errs4+errs5 > requests) {
		errorf("Requests %v, 4XXError %v, 5XXError %v: a line needs requests, and no more errors than requests", requests, errs4, errs5)
	}
}

// validateMetricValue checks a metric's root member: a number, an array of at most 100
// numbers, or a distribution (Values and Counts of equal length, at most 100, with Max, Min,
// Count and Sum).
func validateMetricValue(t *testing.T, errorf func(string, ...any), name string, v any) {
	t.Helper()
	switch v := v.(type) {
	case float64:
	case []any:
		if len(v) > 100 {
			errorf("metric %s has %d values, more than 100", name, len(v))
		}
		for _, x := range v {
			if _, ok := x.(float64); !ok {
				errorf("metric %s has a value that is not a number", name)
			}
		}
	case map[string]any:
		values, _ := v["Values"].([]any)
		counts, _ := v["Counts"].([]any)
		if len(values) == 0 || len(values) != len(counts) || len(values) > 100 {
			errorf("metric %s: Values (%d) and Counts (%d) are not non-empty arrays of equal length up to 100", name, len(values), len(counts))
			return
		}
		var total float64
		for i := range values {
			val, ok1 := values[i].(float64)
			n, ok2 := counts[i].(float64)
			if !ok1 || !ok2 || val < 0 || n <= 0 {
				errorf("metric %s: value %v with count %v", name, values[i], counts[i])
			}
			total += n
		}
		minV, _ := v["Min"].(float64)
		maxV, _ := v["Max"].(float64)
		count, _ := v["Count"].(float64)
		if _, ok := v["Sum"].(float64); !ok || count != total || minV > maxV {
			errorf("metric %s: Min %v, Max %v, Count %v (Counts add up to %v), Sum %v", name, v["Min"], v["Max"], v["Count"], total, v["Sum"])
		}
	default:
		errorf("metric %s has no numeric member on the root: %v", name, v)
	}
}

// TestShutdownWhateverTheCollector stops the binary while its collector is down, and while
// it takes the spans and never answers: either way the process exits 0 within
// ACTORS_SHUTDOWN_TIMEOUT, however long an export may take (OTEL_EXPORTER_OTLP_TIMEOUT).
func TestShutdownWhateverTheCollector(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	tests := []struct {
		name     string
		endpoint func(t *testing.T) string
		timeout  time.Duration // ACTORS_SHUTDOWN_TIMEOUT
		within   time.Duration
	}{
		// Nothing listens: it will not be back before the process exits, so no retries.
		{name: "down", endpoint: downEndpoint, timeout: time.Minute, within: 5 * time.Second},
		{name: "hangs", endpoint: hangingEndpoint, timeout: 2 * time.Second, within: 2*time.Second + 5*time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBinary(t, devEnv(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": tc.endpoint(t),
				"OTEL_EXPORTER_OTLP_TIMEOUT":  "600000",
				"OTEL_BSP_SCHEDULE_DELAY":     "100", // an export is retrying when the signal comes
				"ACTORS_SHUTDOWN_TIMEOUT":     tc.timeout.String(),
			}))
			getActor(t, srv)
			time.Sleep(500 * time.Millisecond)
			getActor(t, srv) // spans left for the last export
			began := time.Now()
			if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case <-srv.exited:
				t.Logf("exited %s after SIGTERM", time.Since(began).Round(time.Millisecond))
			case <-time.After(tc.within):
				t.Fatalf("the process did not exit within %s of SIGTERM:\n%s", tc.within, srv.output())
			}
			if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit code %d, want 0:\n%s", code, srv.output())
			}
			if !strings.Contains(srv.output(), `"msg":"tracing"`) {
				t.Errorf("no warning of the spans that did not go out:\n%s", srv.output())
			}
		})
	}
}

// TestSecondSignalExits: a second SIGINT or SIGTERM during a shutdown that would take a
// minute (a collector that never answers) ends the process at once.
func TestSecondSignalExits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	for _, second := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(second.String(), func(t *testing.T) {
			srv := startBinary(t, devEnv(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": hangingEndpoint(t),
				"OTEL_EXPORTER_OTLP_TIMEOUT":  "600000",
				"ACTORS_SHUTDOWN_TIMEOUT":     "1m",
			}))
			getActor(t, srv)
			if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.output(), `"msg":"shutting down"`); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("no shutdown after SIGTERM:\n%s", srv.output())
				}
			}
			time.Sleep(200 * time.Millisecond) // into the export that hangs
			select {
			case <-srv.exited:
				t.Fatalf("the process exited before the second signal:\n%s", srv.output())
			default:
			}
			if err := srv.cmd.Process.Signal(second); err != nil {
				t.Fatal(err)
			}
			select {
			case <-srv.exited:
			case <-time.After(5 * time.Second):
				t.Fatalf("the process did not exit at a second signal (%v):\n%s", second, srv.output())
			}
			if code := srv.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(srv.output(), "exiting without waiting") {
				t.Errorf("exit code %d, want 1 and a word on stderr:\n%s", code, srv.output())
			}
		})
	}
}

// TestFailedStartExportsSpans: when start-up fails after tracing has begun (here the
// address is taken, after the DynamoDB table was seeded), the spans made so far still
// reach the collector, since they tell what start-up did.
func TestFailedStartExportsSpans(t *testing.T) {
	rcv := newOTLPReceiver(t)
	env := devEnv(dynalitetest.ServerEnv(t, ""))
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rcv.URL
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	err = run(t.Context(), []string{"actors", "-addr", busy.Addr().String()}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ACTORS_ADDR") {
		t.Fatalf("run = %v, want the address in use", err)
	}
	spans, _ := rcv.received()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "DynamoDB.") }) {
		t.Errorf("the collector got spans %v, want the DynamoDB calls of start-up", names)
	}
}

func getActor(t *testing.T, srv *binaryServer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.base+"/actors/1", nil)
	req.SetBasicAuth("user", "password")
	resp, err := oneShot.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// downEndpoint is the URL of a port nothing listens on.
func downEndpoint(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return "http://" + ln.Addr().String()
}

// hangingEndpoint is the URL of a collector that reads requests and never answers.
func hangingEndpoint(t *testing.T) string {
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
				_, _ = io.Copy(io.Discard, conn)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}
