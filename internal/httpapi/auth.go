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
	user, password [sha256.Size]byte
}

func newBasicAuth(user, password string) basicAuth {
	return basicAuth{user: sha256.Sum256([]byte(user)), password: sha256.Sum256([]byte(password))}
}

var errBadCredentials = errors.New("missing or invalid credentials")

// authenticate is the kin-openapi AuthenticationFunc. Comparing fixed-size digests in
// constant time, and both of them always, keeps the answer time independent of how much
// of the user or password was right.
func (a basicAuth) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || s.Scheme != "basic" {
		return fmt.Errorf("security scheme %q is not supported", in.SecuritySchemeName)
	}
	user, password, ok := in.RequestValidationInput.Request.BasicAuth()
	if !ok {
		return errBadCredentials
	}
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	okUser := subtle.ConstantTimeCompare(u[:], a.user[:])
	okPassword := subtle.ConstantTimeCompare(p[:], a.password[:])
	if okUser&okPassword != 1 {
		return errBadCredentials
	}
	return nil
}
