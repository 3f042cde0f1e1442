package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/tracing"
)

// Config is what the store needs: the table, its limit, and how patient to be with it.
type Config struct {
	Table string
	// Endpoint overrides the AWS endpoint, e.g. http://127.0.0.1:8000 for dynalite or
	// DynamoDB Local. Empty means AWS, in the configured region.
	Endpoint string
	// Timeout bounds each request to DynamoDB, retries included. Default 2s.
	Timeout time.Duration
	// MaxAttempts bounds the SDK's tries per request, the first included. Default 3.
	MaxAttempts int
	// MaxActors, when above 0, is the most actors the table may hold: Create fails with
	// actors.ErrFull beyond it, whichever task asks. 0: no limit.
	MaxActors int
	// TracerProvider, when set, traces every DynamoDB call (see telemetry.AWS).
	TracerProvider tracing.TracerProvider
}

const (
	defaultTimeout     = 2 * time.Second
	defaultMaxAttempts = 3
	maxRetryBackoff    = 200 * time.Millisecond // short: the whole call must fit in Timeout
)

// Open returns a store on cfg.Table with a DynamoDB client configured the way every AWS
// SDK program is, by config.LoadDefaultConfig from the process environment: the region
// from AWS_REGION (or AWS_DEFAULT_REGION, or the profile); credentials from the
// environment's keys, a profile of the shared config and credentials files (SSO
// included), web identity (EKS service accounts), the ECS/Fargate task role, or EC2
// instance metadata, in that order. ctx bounds the loading.
//
// Open does not contact DynamoDB, so missing credentials show at the first request;
// call Seed (and Ping) for that.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamostore: no table name")
	}
	if cfg.MaxActors < 0 {
		return nil, fmt.Errorf("dynamostore: MaxActors %d < 0", cfg.MaxActors)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.AddWithMaxBackoffDelay(
			retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxAttempts }),
			maxRetryBackoff)
	}))
	if err != nil {
		return nil, fmt.Errorf("dynamostore: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("dynamostore: no AWS region: set AWS_REGION (Fargate sets it) or a profile's region")
	}
	client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.TracerProvider != nil { // nil would replace the SDK's no-op default
			o.TracerProvider = cfg.TracerProvider
		}
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return newStore(client, cfg), nil
}
