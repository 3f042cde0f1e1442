package dynamostore

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/actors-dev/actors/internal/actors"
)

// fail wraps an error from the SDK. Anything but a malformed request means the table
// cannot be used right now — network, timeout, throttling after the SDK's retries,
// ResourceNotFound, AccessDenied, internal errors — and wraps actors.ErrUnavailable so
// the request gets 503 and /readyz fails. The SDK's text stays in the error for logs;
// the HTTP layer never sends it to a client.
func fail(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "ValidationException" || api.ErrorCode() == "SerializationException") {
		return fmt.Errorf("dynamostore: %s: %w", op, err) // retrying cannot help, and the table is fine: a 500
	}
	return fmt.Errorf("dynamostore: %s: %w: %w", op, actors.ErrUnavailable, err)
}
