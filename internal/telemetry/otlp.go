package telemetry

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
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
// HTTP exporter never uses, and that doubles the binary, past the image's size budget.
type otlpClient struct {
	url      string
	headers  http.Header
	gzip     bool
	timeout  time.Duration
	http     *http.Client
	maxTries int
}

// otlpRetryWait is the first wait before retrying a failed export; it doubles each time.
const otlpRetryWait = 500 * time.Millisecond

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
	c := &otlpClient{headers: make(http.Header), timeout: 10 * time.Second, maxTries: 5}

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
	c.http = &http.Client{Timeout: c.timeout}
	return c, nil
}

func (c *otlpClient) Start(context.Context) error { return nil }

func (c *otlpClient) Stop(context.Context) error {
	c.http.CloseIdleConnections()
	return nil
}

// UploadTraces posts one ExportTraceServiceRequest, retrying what the specification says
// is worth retrying (429, 502, 503, 504, and failures to connect) until ctx ends.
func (c *otlpClient) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := c.encode(spans)
	if err != nil {
		return err
	}
	wait := otlpRetryWait
	for try := 1; ; try++ {
		retryAfter, err := c.post(ctx, body)
		if err == nil || retryAfter < 0 || try == c.maxTries {
			return err
		}
		wait = cmp.Or(retryAfter, wait)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
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

// post sends body once. It returns how long to wait before a retry: 0 for the caller's
// backoff, a negative duration when retrying cannot help.
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
		return 0, fmt.Errorf("export spans: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	switch resp.StatusCode {
	case http.StatusOK:
		return 0, nil
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		wait := time.Duration(0)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return wait, fmt.Errorf("export spans: the collector answered %s", resp.Status)
	}
	return -1, fmt.Errorf("export spans: the collector answered %s", resp.Status)
}
