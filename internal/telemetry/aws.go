package telemetry

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go"
	smithytracing "github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// AWS returns tp as the AWS SDK's tracer provider (the TracerProvider of a client's
// Options), or nil when tp is nil. Each SDK operation becomes one client span, e.g.
// "DynamoDB.GetItem" with rpc.* and aws.request_id attributes. The SDK's internal steps
// (retry loop, signing, endpoint resolution...) are folded into it rather than made spans
// of their own: they would add a dozen spans per call and nothing an operator acts on.
//
// Why not otelaws: it is deprecated and links the S3, SNS and SQS clients; the SDK's own
// adapter (smithyoteltracing) is not in the module proxy this project uses.
func AWS(tp trace.TracerProvider) smithytracing.TracerProvider {
	if tp == nil {
		return nil
	}
	return awsTracerProvider{tracer: tp.Tracer(scope)}
}

type awsTracerProvider struct{ tracer trace.Tracer }

func (p awsTracerProvider) Tracer(string, ...smithytracing.TracerOption) smithytracing.Tracer {
	return p
}

func (p awsTracerProvider) StartSpan(ctx context.Context, name string, opts ...smithytracing.SpanOption) (context.Context, smithytracing.Span) {
	var o smithytracing.SpanOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.Kind != smithytracing.SpanKindClient {
		return smithytracing.NopTracerProvider{}.Tracer("").StartSpan(ctx, name)
	}
	ctx, span := p.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(awsAttributes(&o.Properties)...))
	s := &awsSpan{span: span, name: name}
	// The SDK adds properties (aws.request_id) to the span it finds in its own context.
	return smithytracing.WithSpan(ctx, s), s
}

type awsSpan struct {
	span trace.Span
	name string
}

func (s *awsSpan) Name() string { return s.name }

func (s *awsSpan) Context() smithytracing.SpanContext {
	sc := s.span.SpanContext()
	return smithytracing.SpanContext{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), IsRemote: sc.IsRemote()}
}

func (s *awsSpan) AddEvent(name string, opts ...smithytracing.EventOption) {
	var o smithytracing.EventOptions
	for _, opt := range opts {
		opt(&o)
	}
	s.span.AddEvent(name, trace.WithAttributes(awsAttributes(&o.Properties)...))
}

func (s *awsSpan) SetStatus(status smithytracing.SpanStatus) {
	switch status {
	case smithytracing.SpanStatusOK:
		s.span.SetStatus(codes.Ok, "")
	case smithytracing.SpanStatusError:
		s.span.SetStatus(codes.Error, "")
	}
}

func (s *awsSpan) SetProperty(k, v any) { s.span.SetAttributes(awsAttribute(k, v)) }

func (s *awsSpan) End() { s.span.End() }

func awsAttributes(p *smithy.Properties) []attribute.KeyValue {
	values := p.Values()
	attrs := make([]attribute.KeyValue, 0, len(values))
	for k, v := range values {
		attrs = append(attrs, awsAttribute(k, v))
	}
	return attrs
}

func awsAttribute(k, v any) attribute.KeyValue {
	key := attribute.Key(fmt.Sprint(k))
	switch v := v.(type) {
	case string:
		return key.String(v)
	case bool:
		return key.Bool(v)
	case int:
		return key.Int(v)
	case int64:
		return key.Int64(v)
	case float64:
		return key.Float64(v)
	}
	return key.String(fmt.Sprint(v))
}
