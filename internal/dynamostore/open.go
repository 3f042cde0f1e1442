package dynamostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/tracing"
)

// Config is what main knows about the table (from ACTORS_DYNAMODB_*).
type Config struct {
	Table string
	// Endpoint overrides the AWS endpoint, e.g. http://127.0.0.1:8000 for dynalite or
	// DynamoDB Local. Empty means AWS, in the region of the default chain.
	Endpoint string
	// Timeout bounds each request to DynamoDB, retries included. Default 2s.
	Timeout time.Duration
	// MaxAttempts bounds the SDK's tries per request, the first included. Default 3.
	MaxAttempts int
	// TracerProvider, when set, traces every DynamoDB call (see telemetry.AWS).
	TracerProvider tracing.TracerProvider
}

const (
	defaultTimeout     = 2 * time.Second
	defaultMaxAttempts = 3
	maxRetryBackoff    = 200 * time.Millisecond // short: the whole call must fit in Timeout
)

// Open returns a store on cfg.Table with a DynamoDB client configured from getenv (nil
// means the process environment), as the SDK's default chain would configure it on AWS
// compute: the region from AWS_REGION or AWS_DEFAULT_REGION; credentials from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else from the
// ECS/Fargate container endpoint (the task role: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
// or _FULL_URI, which ECS sets), else from EC2 instance metadata.
//
// Why not config.LoadDefaultConfig: it also reads shared config files and SSO profiles,
// and for that links the STS, SSO and Sign-in clients, 1.6 MB of a binary whose image must
// stay under 15 MB. On a laptop with a profile, export its credentials first:
// eval "$(aws configure export-credentials --format env)".
//
// Open does not contact DynamoDB; call Seed (and Ping) for that.
func Open(_ context.Context, cfg Config, getenv func(string) string) (*Store, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamostore: no table name")
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	region := cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	if region == "" {
		return nil, errors.New("dynamostore: no AWS region: set AWS_REGION (Fargate sets it)")
	}
	creds, err := credentialsFrom(getenv)
	if err != nil {
		return nil, err
	}
	client := dynamodb.New(dynamodb.Options{
		Region:      region,
		Credentials: aws.NewCredentialsCache(creds),
		Retryer: retry.AddWithMaxBackoffDelay(
			retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxAttempts }),
			maxRetryBackoff),
		TracerProvider: cfg.TracerProvider,
	}, func(o *dynamodb.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return New(client, cfg.Table, Options{Timeout: cfg.Timeout}), nil
}

// ecsCredentialsHost is where ECS serves a task's role credentials for
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
const ecsCredentialsHost = "http://169.254.170.2"

// credentialsFrom picks the credential source the way the SDK's default chain does, among
// the sources that exist on AWS compute.
func credentialsFrom(getenv func(string) string) (aws.CredentialsProvider, error) {
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN")), nil
	}
	endpoint := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		endpoint = ecsCredentialsHost + rel
	}
	if endpoint != "" {
		token := containerToken{value: getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"), file: getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")}
		return endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
			if token.value != "" || token.file != "" {
				o.AuthorizationTokenProvider = token
			}
		}), nil
	}
	if strings.EqualFold(getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return nil, errors.New("dynamostore: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a task role")
	}
	return ec2rolecreds.New(), nil
}

// containerToken is the authorization token for the container credentials endpoint:
// given, or read from a file at each refresh (EKS Pod Identity rotates it).
type containerToken struct{ value, file string }

func (t containerToken) GetToken() (string, error) {
	if t.file == "" {
		return t.value, nil
	}
	b, err := os.ReadFile(t.file)
	if err != nil {
		return "", fmt.Errorf("dynamostore: container credentials token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
