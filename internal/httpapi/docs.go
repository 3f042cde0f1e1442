package httpapi

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/docs"
)

// lazyDocs serves the spec and Swagger UI, preparing them on the first request for any of
// them. Preparing them (converting the spec to JSON, decompressing Swagger UI's assets) was
// two thirds of start-up time and most of the idle heap, for pages most processes never
// serve; the API and /healthz do not wait for it.
type lazyDocs struct {
	once sync.Once
	docs *docs.Docs
	err  error
	log  *slog.Logger
}

// register routes the docs' paths to l; the docs' own mux then serves them exactly as
// docs.Register would have.
func (l *lazyDocs) register(mux *http.ServeMux) {
	for _, path := range []string{docs.SpecYAMLPath, docs.SpecJSONPath, docs.UIPath, docs.UIPath + "/"} {
		mux.Handle("GET "+path, l)
	}
}

func (l *lazyDocs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if info := infoFrom(r.Context()); info != nil {
		info.route = r.Pattern // for the access log, as the gate does for API routes
	}
	l.once.Do(func() { l.docs, l.err = docs.New(actorsapi.SpecYAML) })
	if l.err != nil {
		l.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("request_id", requestID(r.Context())), slog.Any("error", l.err))
		problem(w, http.StatusInternalServerError, "An unexpected error happened; the server log has details under the request id.", nil)
		return
	}
	l.docs.ServeHTTP(w, r)
}
