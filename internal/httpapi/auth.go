package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// basicAuth checks HTTP Basic credentials for the spec's basicAuth security scheme.
type basicAuth struct {
	credentials [sha256.Size]byte // digest of "user:password"
}

// newBasicAuth takes a user name without ':' (the configuration refuses one), so that
// "user:password" stands for exactly one pair.
func newBasicAuth(user, password string) basicAuth {
	return basicAuth{credentials: sha256.Sum256([]byte(user + ":" + password))}
}

var errBadCredentials = errors.New("missing or invalid credentials")

// authenticate is the kin-openapi AuthenticationFunc. Comparing fixed-size digests of
// the whole credentials in constant time keeps the answer time independent of how much of
// the user or password was right, and of their lengths.
func (a basicAuth) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || s.Scheme != "basic" {
		return fmt.Errorf("security scheme %q is not supported", in.SecuritySchemeName)
	}
	user, password, ok := in.RequestValidationInput.Request.BasicAuth()
	if !ok {
		return errBadCredentials
	}
	// One digest of both, not one each: hashing is most of the cost of checking them.
	var buf [128]byte
	got := sha256.Sum256(append(append(append(buf[:0], user...), ':'), password...))
	if subtle.ConstantTimeCompare(got[:], a.credentials[:]) != 1 {
		return errBadCredentials
	}
	return nil
}
