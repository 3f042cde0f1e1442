package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"
)

// A middleware wraps a handler; chain applies them so the first listed runs first.
type middleware = func(http.Handler) http.Handler

func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// requestInfo travels in the request context: the request id, and the route the spec gate
// matched, which the access log reports once the handler returns.
type requestInfo struct {
	id    string
	route string
	// idHeader holds id as the X-Request-Id header's value slice, so setting the header
	// costs no allocation of its own.
	idHeader [1]string
}

type infoKey struct{}

// infoContext carries a requestInfo in one allocation, where context.WithValue and the
// info would take two. Other keys, deadlines and cancellation are the parent's.
type infoContext struct {
	context.Context
	info requestInfo
	// idBytes backs a generated request id, so the id needs no allocation of its own.
	idBytes [48]byte
}

func (c *infoContext) Value(key any) any {
	if _, ok := key.(infoKey); ok {
		return &c.info
	}
	return c.Context.Value(key)
}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

func requestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// requestIDs are a random per-process prefix and a counter: unique, cheap, and sortable
// within one process.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}
}

// next writes the next id into buf, which must not change afterwards, and returns it as a
// string sharing buf's memory: the id costs no allocation of its own.
func (g *requestIDs) next(buf *[48]byte) string {
	b := strconv.AppendUint(append(buf[:0], g.prefix...), g.n.Add(1), 10)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Header values the service sets on every response, shared so that setting them costs no
// allocation. Header maps are only ever given new slices (Set, Add), never written into.
var (
	headerNoStore     = []string{"no-store"}
	headerNoSniff     = []string{"nosniff"}
	headerJSON        = []string{"application/json"}
	headerProblemJSON = []string{"application/problem+json"}
)

// validRequestID accepts a client's X-Request-Id only when it is short and plain, so it
// cannot forge log lines or bloat them.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// withRequestID takes X-Request-Id from the client or makes one, echoes it, and puts it
// in the context.
func withRequestID(ids *requestIDs) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := &infoContext{Context: r.Context()}
			id := r.Header.Get("X-Request-Id")
			if !validRequestID(id) {
				id = ids.next(&ctx.idBytes)
			}
			ctx.info = requestInfo{id: id, idHeader: [1]string{id}}
			w.Header()["X-Request-Id"] = ctx.info.idHeader[:]
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// recorder remembers the status and size of a response for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(p)
	rw.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// accessLog writes one line per request. It never logs headers, so credentials cannot
// reach the log.
func accessLog(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rw := &recorder{ResponseWriter: w}
			defer func() {
				status := rw.status
				if status == 0 {
					status = http.StatusOK
				}
				info := infoFrom(r.Context())
				var id, route string
				if info != nil {
					id, route = info.id, info.route
				}
				if route == "" {
					// Routes beside the gate (docs, 404, 405): ServeMux records its pattern
					// on this same request, as no middleware in between copies it.
					route = r.Pattern
				}
				log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", r.Method),
					slog.String("route", route),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.Int64("bytes", rw.bytes),
					slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
					slog.String("request_id", id),
				)
			}()
			next.ServeHTTP(rw, r)
		})
	}
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
					slog.String("request_id", requestID(r.Context())),
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
const maxBodyBytes = 1 << 20

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody { // no body (the server's NoBody): nothing to limit
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaders stops browsers from sniffing a JSON answer into something executable.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = headerNoSniff
		next.ServeHTTP(w, r)
	})
}

// maxHeaderBytes bounds the request line and headers. The server's own MaxHeaderBytes is set
// higher, so that up to it the client gets this problem answer instead of net/http's plain one.
const maxHeaderBytes = 64 << 10

func limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > maxHeaderBytes {
			problem(w, http.StatusRequestHeaderFieldsTooLarge, "The request's headers are larger than 64 KiB.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
