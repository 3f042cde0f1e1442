package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/actors-dev/actors/internal/telemetry"
)

// dynamoAnswer answers every DynamoDB request with an empty item, as DynamoDB would.
type dynamoAnswer struct{}

func (dynamoAnswer) Do(*http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Requestid": {"REQ123"}},
		Body:       io.NopCloser(strings.NewReader(`{}`)),
	}, nil
}

// TestAWSSpans: each DynamoDB call through the SDK is one client span, a child of the
// caller's, named after the operation, and holds none of the client's credentials.
func TestAWSSpans(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
	client := dynamodb.New(dynamodb.Options{
		Region:         "eu-west-1",
		Credentials:    credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", secret, "session-token-secret"),
		HTTPClient:     dynamoAnswer{},
		TracerProvider: telemetry.AWS(tp),
	})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "Store.Get")
	_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("actors"),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberN{Value: "2"}},
	})
	parent.End()
	if err != nil {
		t.Fatal(err)
	}
	spans := exporter.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("spans %v, want the caller's and one for the call (the SDK's internal steps folded in)", spanNames(spans))
	}
	call := spans[0]
	if call.Name != "DynamoDB.GetItem" || call.SpanKind.String() != "client" || call.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %q (%s) with parent %s: want DynamoDB.GetItem, a client span of %s", call.Name, call.SpanKind, call.Parent.SpanID(), parent.SpanContext().SpanID())
	}
	attrs := map[string]string{}
	for _, kv := range call.Attributes {
		attrs[string(kv.Key)] = kv.Value.String()
		for _, s := range []string{secret, "session-token-secret", "AKIDEXAMPLE", "Signature="} {
			if strings.Contains(kv.Value.String(), s) {
				t.Errorf("attribute %s holds %q", kv.Key, s)
			}
		}
	}
	if attrs["rpc.method"] != "GetItem" || attrs["rpc.service"] != "DynamoDB" || attrs["aws.request_id"] != "REQ123" {
		t.Errorf("attributes %v: want rpc.method GetItem, rpc.service DynamoDB, aws.request_id REQ123", attrs)
	}
}
