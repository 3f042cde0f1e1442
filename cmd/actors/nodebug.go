//go:build !debug

package main

import (
	"context"
	"log/slog"
)

// debugBuild: the default build has no pprof listener; net/http/pprof would add 0.4 MB to
// an image that must stay under 15 MB. loadConfig refuses ACTORS_DEBUG_ADDR here.
const debugBuild = false

func serveDebug(context.Context, string, *slog.Logger) {}
