package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"unsafe"

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
	// Decoded on the stack: credentials cost no allocation, and no copy of the password
	// is left on the heap for the garbage collector to find later.
	var buf [maxStackCredentials]byte
	user, password, ok := basicCredentials(in.RequestValidationInput.Request.Header.Get("Authorization"), buf[:])
	if !ok {
		return errBadCredentials
	}
	u, p := sha256.Sum256(user), sha256.Sum256(password)
	okUser := subtle.ConstantTimeCompare(u[:], a.user[:])
	okPassword := subtle.ConstantTimeCompare(p[:], a.password[:])
	if okUser&okPassword != 1 {
		return errBadCredentials
	}
	return nil
}

// maxStackCredentials is how many decoded credential bytes fit the stack buffer; longer
// ones are decoded on the heap, with the same result.
const maxStackCredentials = 384

// basicCredentials parses an Authorization header as net/http's Request.BasicAuth does (a
// case-insensitive "Basic " prefix, standard base64, user and password split at the first
// colon), decoding into buf when it is large enough.
func basicCredentials(header string, buf []byte) (user, password []byte, ok bool) {
	const prefix = "Basic "
	if len(header) < len(prefix) || !asciiEqualFold(header[:len(prefix)], prefix) {
		return nil, nil, false
	}
	encoded := header[len(prefix):]
	var decoded []byte
	if base64.StdEncoding.DecodedLen(len(encoded)) <= len(buf) {
		// Decode only reads src; viewing the string's bytes in place avoids a copy that
		// would go to the heap for any credentials longer than 32 bytes.
		n, err := base64.StdEncoding.Decode(buf, unsafe.Slice(unsafe.StringData(encoded), len(encoded)))
		if err != nil {
			return nil, nil, false
		}
		decoded = buf[:n]
	} else {
		var err error
		if decoded, err = base64.StdEncoding.DecodeString(encoded); err != nil {
			return nil, nil, false
		}
	}
	for i, c := range decoded {
		if c == ':' {
			return decoded[:i], decoded[i+1:], true
		}
	}
	return nil, nil, false
}

func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
