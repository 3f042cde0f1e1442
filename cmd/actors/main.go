// Command actors serves the actors API.
//
//	actors               serve (configuration from ACTORS_* variables, overridden by flags)
//	actors healthcheck   GET the local /healthz; exit 0 when it answers 200, 1 otherwise
//	actors version       print the build version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "actors:", err)
		os.Exit(1)
	}
}
