package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// otlpClient sends spans to an OTLP/HTTP collector as protobuf (POST {endpoint}/v1/traces).
// It is the transport half of an exporter: otlptrace turns the SDK's spans into OTLP
// messages and this posts them.
//
// Why not otlptracehttp: its configuration package links the whole gRPC stack, which the
// HTTP exporter never uses: nearly half as much binary again, past the image's size budget (README).
//
// The collector is trusted with the spans, not with the process: what it answers is read
// only up to otlpMaxResponse, and what it says reaches the log cut to otlpMaxMessage.
type otlpClient struct {
	url     string
	headers http.Header
	gzip    bool
	timeout time.Duration // for a whole export, its retries included
	http    *http.Client
	// firstWait is the backoff before the first retry; it doubles each time, to otlpMaxWait.
	firstWait time.Duration
	// stopping ends when the service begins to stop, stopped when it gives up on the
	// last export.
	stopping, stopped context.Context
	beginStop, stop   context.CancelFunc
}

const (
	// otlpMaxResponse bounds the headers and the body read of an answer: an OTLP answer
	// is a few bytes, and a broken or hostile endpoint could send gigabytes.
	otlpMaxResponse = 64 << 10
	// otlpMaxMessage bounds, in characters, what the collector says in a log line.
	otlpMaxMessage = 256
	// otlpMaxWait caps a wait between tries, the collector's Retry-After included.
	otlpMaxWait = 30 * time.Second
)

// newOTLPClient reads the OTLP exporter settings the OpenTelemetry specification defines,
// the traces-specific variable first.
func newOTLPClient(getenv func(string) string) (*otlpClient, error) {
	get := func(name string) (string, string) {
		traces := "OTEL_EXPORTER_OTLP_TRACES_" + name
		if v := getenv(traces); v != "" {
			return traces, v
		}
		return "OTEL_EXPORTER_OTLP_" + name, getenv("OTEL_EXPORTER_OTLP_" + name)
	}
	c := &otlpClient{headers: make(http.Header), timeout: 10 * time.Second, firstWait: time.Second}

	if v := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); v != "" {
		c.url = v
	} else {
		c.url = strings.TrimRight(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), "/") + "/v1/traces"
	}
	if u, err := url.Parse(c.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT %q: want a URL such as http://127.0.0.1:4318", c.url)
	}

	if name, v := get("HEADERS"); v != "" {
		for _, kv := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			val, err := url.PathUnescape(strings.TrimSpace(val))
			if !ok || k == "" || err != nil {
				return nil, fmt.Errorf("%s: want key=value pairs separated by commas", name)
			}
			c.headers.Add(k, val)
		}
	}
	if name, v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("%s %q: want a positive number of milliseconds", name, v)
		}
		c.timeout = time.Duration(ms) * time.Millisecond
	}
	switch name, v := get("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		c.gzip = true
	default:
		return nil, fmt.Errorf("%s %q: want gzip or none", name, v)
	}
	for _, name := range []string{"CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"} {
		if name, v := get(name); v != "" {
			return nil, fmt.Errorf("%s: not supported; send spans to a collector beside the service (http://127.0.0.1:4318), which holds the TLS settings", name)
		}
	}
	c.http = &http.Client{
		// Not http.DefaultTransport: its header limit is 10 MB, and anything else in the
		// process could change it.
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxResponseHeaderBytes: otlpMaxResponse},
		// The batch and its headers, an API key often, go to the configured endpoint only.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.stopping, c.beginStop = context.WithCancel(context.Background())
	c.stopped, c.stop = context.WithCancel(context.Background())
	return c, nil
}

func (c *otlpClient) Start(context.Context) error { return nil }

// Stop ends the exports still running and closes the connections.
func (c *otlpClient) Stop(context.Context) error {
	c.stop()
	c.http.CloseIdleConnections()
	return nil
}

// UploadTraces posts one ExportTraceServiceRequest within the export timeout (the
// specification's OTEL_EXPORTER_OTLP_TIMEOUT is per export), retrying what it says is
// worth retrying: failures to connect or to get an answer, and 429, 502, 503 and 504.
// Once the service is stopping, an export gets one more try and no waits: a collector
// that is down or busy then would not be back before the process exits.
func (c *otlpClient) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := c.encode(spans)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	defer context.AfterFunc(c.stopped, cancel)()
	for try := 0; ; try++ {
		stopping := c.stopping.Err() != nil
		wait, err := c.post(ctx, body)
		if err == nil || wait < 0 || stopping {
			return err
		}
		if wait == 0 { // exponential backoff, jittered so that tasks do not retry in step
			d := c.firstWait << min(try, 16)
			wait = d/2 + rand.N(d/2+1)
		}
		wait = min(wait, otlpMaxWait)
		if deadline, _ := ctx.Deadline(); time.Until(deadline) < wait {
			return fmt.Errorf("%w; no time left to retry", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; %w", err, context.Cause(ctx))
		case <-c.stopping.Done():
		case <-time.After(wait):
		}
	}
}

// encode builds the request: ExportTraceServiceRequest is field 1 repeated, the resource
// spans, which is all the collector package would add (with the gRPC stubs it carries).
func (c *otlpClient) encode(spans []*tracepb.ResourceSpans) ([]byte, error) {
	var msg []byte
	for _, rs := range spans {
		b, err := proto.Marshal(rs)
		if err != nil {
			return nil, fmt.Errorf("encode spans: %w", err)
		}
		msg = protowire.AppendTag(msg, 1, protowire.BytesType)
		msg = protowire.AppendBytes(msg, b)
	}
	if !c.gzip {
		return msg, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(msg) // writes to a bytes.Buffer do not fail
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// post sends body once. It returns how long the collector asked to wait before a retry
// (0: the caller's backoff), or a negative duration when a retry cannot help.
func (c *otlpClient) post(ctx context.Context, body []byte) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	for k, vs := range c.headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if c.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The error may quote the collector (a malformed status line): keep its start.
		return 0, fmt.Errorf("export spans: %.*s", otlpMaxMessage, err.Error())
	}
	defer resp.Body.Close()
	// Read to the end, the connection is reused; beyond the bound, it is closed.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, otlpMaxResponse))
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-protobuf") {
		answer = nil
	}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		// ExportTraceServiceResponse: partial_success (1) holds rejected_spans (1) and
		// error_message (2). It is the collector's to report; a retry would not help.
		_, partial := protoField(answer, 1)
		rejected, _ := protoField(partial, 1)
		if _, msg := protoField(partial, 2); rejected != 0 || len(msg) > 0 {
			return -1, fmt.Errorf("export spans: the collector rejected %d spans: %.*q", int64(rejected), otlpMaxMessage, msg)
		}
		return 0, nil
	case code >= 300 && code < 400:
		return -1, fmt.Errorf("export spans: the collector answered %d, a redirect, which is not followed: set the endpoint to where it leads", code)
	default:
		// A failure's body is a google.rpc.Status, whose message (2) says why.
		err := fmt.Errorf("export spans: the collector answered %d", code)
		if _, msg := protoField(answer, 2); len(msg) > 0 {
			err = fmt.Errorf("%w: %.*q", err, otlpMaxMessage, msg)
		}
		switch code {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return retryAfter(resp.Header.Get("Retry-After")), err
		}
		return -1, err
	}
}

// retryAfter reads a Retry-After header, delay-seconds or an HTTP-date: 0 when there is
// none, or none in the future.
func retryAfter(v string) time.Duration {
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// protoField returns field num of the protobuf message b: its value when it is a varint,
// its bytes when it is a string or a message. The last occurrence wins, as in protobuf.
func protoField(b []byte, num protowire.Number) (v uint64, s []byte) {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			break
		}
		m := protowire.ConsumeFieldValue(n, typ, b[l:])
		if m < 0 {
			break
		}
		if n == num && typ == protowire.VarintType {
			v, _ = protowire.ConsumeVarint(b[l:])
		} else if n == num && typ == protowire.BytesType {
			s, _ = protowire.ConsumeBytes(b[l:])
		}
		b = b[l+m:]
	}
	return v, s
}
