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
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() { // a second signal exits at once, by hand: PID 1 ignores default actions
		<-signals
		fmt.Fprintf(os.Stderr, "actors: %v during shutdown: exiting without waiting\n", <-signals)
		os.Exit(1)
	}()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "actors:", err)
		os.Exit(1)
	}
}
