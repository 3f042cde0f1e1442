package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// RequestID is the id RequestIDs gave the request, for log lines about it, read from the
// headers of its answer (the ResponseWriter's Header()). The id travels there rather than
// in the request's context, which would copy the whole request for every request.
func RequestID(h http.Header) string {
	if v := h["X-Request-Id"]; len(v) > 0 {
		return v[0]
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

// next formats the id in one allocation, where prefix + FormatUint would take two.
func (g *requestIDs) next() string {
	var buf [40]byte // the 13-byte prefix and up to 20 digits
	return string(strconv.AppendUint(append(buf[:0], g.prefix...), g.n.Add(1), 10))
}

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

// RequestIDs takes each request's X-Request-Id from the client or makes one, and echoes it
// in the answer's headers, where RequestID finds it.
func RequestIDs() func(http.Handler) http.Handler {
	ids := newRequestIDs()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var id string
			if v := r.Header["X-Request-Id"]; len(v) > 0 {
				id = v[0]
			}
			if !validRequestID(id) {
				id = ids.next()
			}
			w.Header()["X-Request-Id"] = []string{id}
			next.ServeHTTP(w, r)
		})
	}
}

// maxLoggedPath and maxLoggedMethod bound the path and the method in an access-log line: a
// request line may be 64 KiB long, and nobody needs more than the start of it to see what
// was asked. The line then gives the whole length too.
const (
	maxLoggedPath   = 512
	maxLoggedMethod = 32
)

// AccessLog writes one line per request, with its RequestID. It never logs headers, so
// credentials cannot reach the log.
func AccessLog(log *slog.Logger) Observer {
	return func(r *http.Request, res Result) {
		ctx := r.Context()
		if !log.Enabled(ctx, slog.LevelInfo) {
			return
		}
		method, path := r.Method, r.URL.Path
		if len(method) > maxLoggedMethod {
			method = method[:maxLoggedMethod]
		}
		if len(path) > maxLoggedPath {
			path = path[:maxLoggedPath]
		}
		// A record made here rather than by log.LogAttrs, which looks up its caller
		// (runtime.Callers) for a source line the access log never shows: that lookup was a
		// sixth of the line's cost.
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		rec.AddAttrs(
			slog.String("method", method),
			slog.String("route", r.Pattern),
			slog.String("path", path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Bytes),
			slog.Float64("duration_ms", float64(res.Duration.Microseconds())/1000),
			slog.String("request_id", res.RequestID),
		)
		if len(r.Method) > maxLoggedMethod {
			rec.AddAttrs(slog.Int("method_bytes", len(r.Method)))
		}
		if len(r.URL.Path) > maxLoggedPath {
			rec.AddAttrs(slog.Int("path_bytes", len(r.URL.Path)))
		}
		_ = log.Handler().Handle(ctx, rec) // the log writer reports its own failures
	}
}

// LogHandler returns h adding trace_id and span_id to every record logged with a context
// that holds a span, so that a request's log lines (the access log, a panic) lead to its
// trace and back. Wrap the handler only when tracing is on: without spans it would look
// for one on every record for nothing.
func LogHandler(h slog.Handler) slog.Handler { return traceLogHandler{h} }

type traceLogHandler struct{ slog.Handler }

func (h traceLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceLogHandler) WithGroup(name string) slog.Handler {
	return traceLogHandler{h.Handler.WithGroup(name)}
}
