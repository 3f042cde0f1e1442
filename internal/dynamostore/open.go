package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
}

const (
	defaultTimeout     = 2 * time.Second
	defaultMaxAttempts = 3
	maxRetryBackoff    = 200 * time.Millisecond // short: the whole call must fit in Timeout
)

// Open builds a DynamoDB client from the SDK's default chain — region and credentials
// from the environment, shared config or the Fargate task role — and returns a store on
// cfg.Table. It does not contact DynamoDB; call Seed (and Ping) for that. Extra load
// options (tests pass static credentials) are applied after the defaults.
func Open(ctx context.Context, cfg Config, opts ...func(*config.LoadOptions) error) (*Store, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamostore: no table name")
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	load := append([]func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			r := retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxAttempts })
			return retry.AddWithMaxBackoffDelay(r, maxRetryBackoff)
		}),
	}, opts...)
	awsCfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("dynamostore: no AWS region: set AWS_REGION (Fargate sets it)")
	}
	client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return New(client, cfg.Table, Options{Timeout: cfg.Timeout}), nil
}

// EnvOptions returns load options for the AWS settings that getenv gives, for a caller
// that reads its environment through a function (main's run, so tests can run servers
// side by side): AWS_REGION (or AWS_DEFAULT_REGION), and static credentials when both
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (with AWS_SESSION_TOKEN if any).
// Whatever getenv leaves unset stays with the SDK's default chain, which on Fargate
// finds the task role.
func EnvOptions(getenv func(string) string) []func(*config.LoadOptions) error {
	var opts []func(*config.LoadOptions) error
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id != "" && secret != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))))
	}
	return opts
}
