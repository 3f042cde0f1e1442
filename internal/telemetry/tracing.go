// Package telemetry is what the service tells its operator about the requests it serves: the
// access log, OpenTelemetry traces (a server span per request, child spans for DynamoDB
// calls, exported over OTLP/HTTP), and per-operation request metrics written as CloudWatch
// embedded metric format lines. Traces and metrics are off at no cost when not configured.
// docs/observability.md describes what is emitted and what it costs.
package telemetry

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// scope names this package as the instrumentation that makes the spans.
const scope = "github.com/actors-dev/actors/internal/telemetry"

// DefaultServiceName names the service in spans and metrics when OTEL_SERVICE_NAME does not.
const DefaultServiceName = "actors"

// ServiceName is OTEL_SERVICE_NAME, or DefaultServiceName.
func ServiceName(getenv func(string) string) string {
	return cmp.Or(getenv("OTEL_SERVICE_NAME"), DefaultServiceName)
}

// Tracing is the process's tracer provider. A nil *Tracing is tracing off.
type Tracing struct {
	provider *sdktrace.TracerProvider
	client   *otlpClient
}

// StartTracing reads the standard OpenTelemetry environment through getenv and returns
// nil (tracing off, no cost) unless an OTLP endpoint is set: OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. OTEL_SDK_DISABLED=true and
// OTEL_TRACES_EXPORTER=none turn it off too. Spans are batched and exported over OTLP/HTTP
// (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION apply). OTEL_PROPAGATORS says
// which headers continue a trace a trusted proxy passes on (see Observe): tracecontext
// (the default), baggage, or none. The SDK reads OTEL_TRACES_SAMPLER, OTEL_BSP_*,
// OTEL_*_LIMIT, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES from the process
// environment, as every OpenTelemetry SDK does; an attribute value is cut at
// defaultAttributeLength characters unless OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT says
// otherwise. Export errors are logged to log as warnings.
func StartTracing(ctx context.Context, getenv func(string) string, version string, log *slog.Logger) (*Tracing, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return nil, nil
	}
	switch exporter := getenv("OTEL_TRACES_EXPORTER"); exporter {
	case "", "otlp":
	case "none":
		return nil, nil
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER %q: want otlp or none", exporter)
	}
	if getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		return nil, nil
	}
	protocol := cmp.Or(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), getenv("OTEL_EXPORTER_OTLP_PROTOCOL"), "http/protobuf")
	if protocol != "http/protobuf" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q: this build exports http/protobuf only (the collector's port 4318)", protocol)
	}
	var propagators []propagation.TextMapPropagator
	for name := range strings.SplitSeq(cmp.Or(getenv("OTEL_PROPAGATORS"), "tracecontext"), ",") {
		switch strings.TrimSpace(name) {
		case "tracecontext":
			propagators = append(propagators, propagation.TraceContext{})
		case "baggage":
			propagators = append(propagators, propagation.Baggage{})
		case "none":
		default:
			return nil, fmt.Errorf("OTEL_PROPAGATORS %q: this build knows tracecontext, baggage and none", getenv("OTEL_PROPAGATORS"))
		}
	}
	client, err := newOTLPClient(getenv)
	if err != nil {
		return nil, err
	}
	exporter, err := otlptrace.New(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	// Defaults first: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override them.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(DefaultServiceName), semconv.ServiceVersion(version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing", slog.Any("error", err))
	}))
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagators...))
	limits := sdktrace.NewSpanLimits()
	if limits.AttributeValueLengthLimit < 0 { // unlimited unless set
		limits.AttributeValueLengthLimit = defaultAttributeLength
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res), sdktrace.WithRawSpanLimits(limits))
	return &Tracing{provider: provider, client: client}, nil
}

// defaultAttributeLength bounds each attribute's value, in characters: spans wait for their
// export by the thousand, and the service's own attributes are far shorter.
const defaultAttributeLength = 1024

// Provider is the tracer provider to hand to Middleware, Store and AWS: nil when tracing
// is off.
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil {
		return nil
	}
	return t.provider
}

// Shutdown exports the spans still batched within timeout, whatever the collector does,
// and logs what it could not. Call it once the server has stopped; calls after the first
// do nothing.
func (t *Tracing) Shutdown(timeout time.Duration) {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t.client.beginStop()
	if err := t.provider.Shutdown(ctx); err != nil {
		otel.Handle(fmt.Errorf("export the last spans: %w", err)) // logged as StartTracing set
	}
	t.client.stop() // an export still running past ctx is given up
}
