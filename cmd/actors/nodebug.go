//go:build !debug

package main

import (
	"context"
	"log/slog"
)

// debugBuild: the default build has no pprof listener, so production binaries carry no
// profiling endpoints and none of net/http/pprof's weight. loadConfig refuses
// ACTORS_DEBUG_ADDR here.
const debugBuild = false

func serveDebug(context.Context, string, *slog.Logger) {}
