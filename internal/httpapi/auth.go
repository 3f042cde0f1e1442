package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/actors-dev/actors/internal/telemetry"
)

// wwwAuthenticate is the challenge sent with every 401 (RFC 7617).
const wwwAuthenticate = `Basic realm="actors", charset="UTF-8"`

// authenticate checks the operation's security requirements with kin-openapi, which calls
// the AuthenticationFunc (basicAuth below) for each scheme, and answers 401 with a
// challenge when they fail, or 429 once the client has failed too often (ratelimit.go).
func (g *gate) authenticate(w http.ResponseWriter, r *http.Request, op *operation) bool {
	client := clientAddr(r, g.trusted)
	if d, blocked := g.limiter.blocked(client); blocked {
		tooManyFailures(w, r, d)
		return false
	}
	// The configured credentials as clients send them satisfy a requirement of the basic
	// scheme alone, as kin-openapi would find after resolving the requirements, which costs
	// four allocations a request.
	if op.basicAlone && g.basic.sent(r) {
		return true
	}
	// kin-openapi reads the body for the AuthenticationFunc's sake; ours has no business
	// with it, and the body has not been checked yet.
	body := r.Body
	r.Body = http.NoBody
	in := &openapi3filter.RequestValidationInput{Request: r, Route: op.validation, Options: g.opts}
	err := openapi3filter.ValidateSecurityRequirements(r.Context(), in, op.Security)
	r.Body = body
	if err == nil {
		return true
	}
	d, blocked, exhausted := g.limiter.recordFailure(client)
	if exhausted.IsValid() { // once a client, or a site, runs out; no more than one line a second
		g.warnings.Do(func() {
			g.log.LogAttrs(r.Context(), slog.LevelWarn, "authentication failures limited: further requests get 429",
				slog.String("client", exhausted.String()), slog.String("request_id", telemetry.RequestID(w.Header())))
		})
	}
	if blocked {
		tooManyFailures(w, r, d)
		return false
	}
	closeAfter(w, r)
	w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	problem(w, http.StatusUnauthorized, "Missing or invalid credentials.", nil)
	return false
}

func tooManyFailures(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	closeAfter(w, r)
	w.Header().Set("Retry-After", retryAfter(wait))
	problem(w, http.StatusTooManyRequests, "Too many failed authentications from this client; retry after the number of seconds in Retry-After.", nil)
}

// closeAfter closes the connection once a refusal is sent, and reads no more of the body:
// net/http would otherwise read on, up to 256 KiB for ReadTimeout, to keep the connection,
// which would leave a client without credentials a slot to trickle into.
func closeAfter(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if r.ContentLength != 0 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now()) // unsupported in tests' recorders
	}
}

// basicAuth checks HTTP Basic credentials for the spec's basicAuth security scheme.
type basicAuth struct {
	credentials [sha256.Size]byte // digest of "user:password"
	header      [sha256.Size]byte // digest of the Authorization header that sends them
}

// newBasicAuth takes a user name without ':' (the configuration refuses one), so that
// "user:password" stands for exactly one pair.
func newBasicAuth(user, password string) basicAuth {
	pair := user + ":" + password
	return basicAuth{
		credentials: sha256.Sum256([]byte(pair)),
		header:      sha256.Sum256([]byte("Basic " + base64.StdEncoding.EncodeToString([]byte(pair)))),
	}
}

// isBasic reports whether s is the scheme authenticate checks.
func isBasic(s *openapi3.SecurityScheme) bool {
	return s != nil && s.Type == "http" && s.Scheme == "basic"
}

// sent reports whether r's Authorization header is the configured credentials exactly as
// clients send them, compared in constant time as authenticate compares them. Any other
// spelling of them (a lower-case scheme, say) is left to authenticate.
func (a basicAuth) sent(r *http.Request) bool {
	v := r.Header["Authorization"]
	if len(v) == 0 {
		return false
	}
	var buf [128]byte
	got := sha256.Sum256(append(buf[:0], v[0]...))
	return subtle.ConstantTimeCompare(got[:], a.header[:]) == 1
}

var errBadCredentials = errors.New("missing or invalid credentials")

// authenticate is the kin-openapi AuthenticationFunc. Comparing fixed-size digests of
// the whole credentials in constant time keeps the answer time independent of how much of
// the user or password was right, and of their lengths.
func (a basicAuth) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !isBasic(in.SecurityScheme) {
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
