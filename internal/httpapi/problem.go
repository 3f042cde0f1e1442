package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/telemetry"
)

// Details given in more than one place.
const (
	detailTooLarge = "The request body is larger than 64 KiB."
	detailInternal = "An unexpected error happened; the server log has details under the request id."
)

// problem writes an RFC 9457 problem document. Every error answer of the service goes
// through here, so none can carry internal error text: callers pass a fixed detail.
func problem(w http.ResponseWriter, status int, detail string, invalid []actorsapi.InvalidParam) {
	p := actorsapi.Problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: int32(status),
		Detail: detail,
	}
	if len(invalid) > 0 {
		p.Errors = &invalid
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p) // the client may be gone; nothing to do then
}

// errorResponder maps an error from a handler, a store or the generated code to a
// problem answer. Errors without a known meaning become a 500, logged with the request id.
type errorResponder struct {
	log *slog.Logger
}

// respond answers err. It is the strict server's request and response error hook.
func (e errorResponder) respond(w http.ResponseWriter, r *http.Request, err error) {
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, actors.ErrNotFound):
		problem(w, http.StatusNotFound, "No actor has this id.", nil)
	case errors.Is(err, actors.ErrVersionMismatch):
		problem(w, http.StatusPreconditionFailed, "The actor has changed: its ETag no longer matches If-Match. Get it again, then retry.", nil)
	case errors.Is(err, actors.ErrFull):
		problem(w, http.StatusInsufficientStorage, "The store holds as many actors as it may; delete some to make room.", nil)
	case errors.As(err, &maxBytes):
		problem(w, http.StatusRequestEntityTooLarge, detailTooLarge, nil)
	case errors.Is(err, actors.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		e.log.LogAttrs(r.Context(), slog.LevelWarn, "store unavailable", slog.String("request_id", telemetry.RequestID(w.Header())), slog.Any("error", err))
		problem(w, http.StatusServiceUnavailable, "The store cannot be reached right now; retry later.", nil)
	default:
		e.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("request_id", telemetry.RequestID(w.Header())), slog.Any("error", err))
		problem(w, http.StatusInternalServerError, detailInternal, nil)
	}
}

// rejected answers errors the generated code finds while binding parameters or decoding
// a body. The spec gate validates first, so reaching here means the two disagree.
func (e errorResponder) rejected(w http.ResponseWriter, r *http.Request, err error) {
	e.log.LogAttrs(r.Context(), slog.LevelWarn, "request rejected after validation", slog.String("request_id", telemetry.RequestID(w.Header())), slog.Any("error", err))
	problem(w, http.StatusBadRequest, "The request is not valid for this operation.", nil)
}
