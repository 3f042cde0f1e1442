package dynamostore

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/actors-dev/actors/internal/actors"
)

// bugCodes are the DynamoDB errors that mean our request was malformed: retrying cannot
// help and the table is fine, so they are not ErrUnavailable (the HTTP layer answers 500).
var bugCodes = map[string]bool{
	"ValidationException":    true,
	"SerializationException": true,
}

// fail wraps an error from the SDK. Anything but a malformed request means the table
// cannot be used right now — network, timeout, throttling after the SDK's retries,
// ResourceNotFound, AccessDenied, internal errors — and wraps actors.ErrUnavailable so
// the request gets 503 and /readyz fails. The SDK's text stays in the error for logs;
// the HTTP layer never sends it to a client.
func fail(op string, err error) error {
	var api smithy.APIError
	if errors.Is(err, errBuild) || errors.As(err, &api) && bugCodes[api.ErrorCode()] {
		return fmt.Errorf("dynamostore: %s: %w", op, err)
	}
	return fmt.Errorf("dynamostore: %s: %w: %w", op, actors.ErrUnavailable, err)
}
