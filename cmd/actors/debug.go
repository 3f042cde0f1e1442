//go:build debug

package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// debugBuild: this binary can serve pprof (go build -tags debug).
const debugBuild = true

// serveDebug serves net/http/pprof on its own listener, apart from the API, for profiling
// and for counting goroutines in soak tests. Keep it on loopback.
func serveDebug(ctx context.Context, addr string, log *slog.Logger) {
	// The mutex and block profiles are empty unless sampled: one contention event in 10, and
	// blocking events about one per 10 µs blocked, cheap enough to leave on under load.
	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(10_000)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	context.AfterFunc(ctx, func() { srv.Close() })
	log.Info("debug listener", slog.String("addr", addr))
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("debug listener", slog.Any("error", err))
	}
}
