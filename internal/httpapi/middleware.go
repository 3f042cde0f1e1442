package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/actors-dev/actors/internal/telemetry"
)

// A middleware wraps a handler; chain applies them so the first listed runs first.
type middleware = func(http.Handler) http.Handler

func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// recoverPanics turns a panic into a 500 problem and logs the stack with the request id.
func recoverPanics(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler { // net/http's own signal to abort quietly
					panic(v)
				}
				log.LogAttrs(r.Context(), slog.LevelError, "panic",
					slog.String("request_id", telemetry.RequestID(w.Header())),
					slog.Any("error", errors.New(fmt.Sprint(v))),
					slog.String("stack", string(debug.Stack())),
				)
				problem(w, http.StatusInternalServerError, detailInternal, nil)
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// maxBodyBytes bounds every request body; the spec gate answers 413 when it is exceeded.
// The largest valid body is a few KiB. Validating a hostile body costs kin-openapi about
// eighty times its size in memory while it runs, so the limit keeps that cost small too.
const maxBodyBytes = 64 << 10

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// Header values every answer may carry. The middleware here writes headers straight into
// the map under canonical keys, with these shared slices as values: Header.Get and Set
// would canonicalize the key and allocate a slice on every request, about a tenth of what
// the middleware costs. Nothing writes into these slices (Add would copy them).
var (
	headerNoSniff = []string{"nosniff"}
	headerNoStore = []string{"no-store"}
	// HSTS tells browsers to use HTTPS only, for a year. It is sent only on answers that
	// went out over HTTPS: over plain HTTP a browser ignores it, and the service may well be
	// reachable only over HTTP.
	headerHSTS = []string{"max-age=31536000"}
)

// securityHeaders stops browsers from sniffing a JSON answer into something executable and
// caches from keeping answers (a handler that allows caching says so itself), and keeps
// browsers on HTTPS once they have reached the service over it (directly, or through a
// trusted proxy that says so).
func securityHeaders(trusted []netip.Prefix) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h["X-Content-Type-Options"] = headerNoSniff
			h["Cache-Control"] = headerNoStore
			if r.TLS != nil || forwardedHTTPS(r, trusted) {
				h["Strict-Transport-Security"] = headerHSTS
			}
			next.ServeHTTP(w, r)
		})
	}
}

// forwardedHTTPS reports whether a trusted proxy says the client spoke HTTPS to it: in the
// last X-Forwarded-Proto (an ALB), or else in the proto of Forwarded's last element (API
// Gateway), as for the client's address (forwardedFor). From anyone else they mean nothing.
func forwardedHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	var proto string
	if protos := r.Header["X-Forwarded-Proto"]; len(protos) > 0 {
		proto = protos[len(protos)-1]
	} else if fwd := r.Header["Forwarded"]; len(fwd) > 0 {
		last := fwd[len(fwd)-1]
		proto = forwardedParam(last[strings.LastIndexByte(last, ',')+1:], "proto")
	}
	return strings.EqualFold(proto, "https") && isTrusted(peerAddr(r), trusted)
}

// MaxHeaderBytes bounds the request line and headers: the spec's 431. The server is given
// the same limit; net/http lets a little more through (it allows some slack), and past that
// answers a plain 431 itself; up to it, the client gets this problem answer.
const MaxHeaderBytes = 64 << 10

func limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			problem(w, http.StatusRequestHeaderFieldsTooLarge, "The request's headers are larger than 64 KiB.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
