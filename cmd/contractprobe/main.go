// Command contractprobe checks a live actors server against the spec it was built with
// (api/openapi.yaml, embedded by gen/actorsapi), and exits 1 on any violation:
//
//	ACTORS_USERNAME=user ACTORS_PASSWORD=password contractprobe -url http://127.0.0.1:5000
//
// `make smoke URL=...` runs it. Its checks are derived from the spec where they can be:
// /openapi.yaml and /openapi.json serve this spec; a temporary actor goes through create,
// read, paging with Link, conditional writes, revalidation and delete; every operation of the
// spec that scenario did not drive to a success is sent with credentials (and without, when it
// is public) from the spec's examples or schemas, a GET or HEAD only: any other method fails
// the probe, which cannot undo it; and every secured operation challenges a request without
// credentials (401 + WWW-Authenticate). Every response is validated against the spec with
// kin-openapi. The actor it creates is deleted even when a step fails or the probe is
// interrupted.
//
// Credentials come only from the environment: argv is visible to every user of the machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/route"
)

// errUsage marks mistakes in how the probe was called (exit 2), as opposed to violations
// found on the server (exit 1).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // after the first signal, a second one kills at once
	err := run(ctx, os.Args, os.Getenv, http.DefaultTransport, os.Stdout)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "contractprobe:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "contractprobe:", err)
		os.Exit(1)
	}
}

// run is main with its dependencies passed in, so tests can probe an in-process server.
func run(ctx context.Context, args []string, getenv func(string) string, transport http.RoundTripper, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	base := fs.String("url", "", "base URL of the server, e.g. http://127.0.0.1:5000 (required)")
	timeout := fs.Duration("timeout", 60*time.Second, "time the whole probe may take")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		// Not echoed: a password given here must not reach logs too.
		return fmt.Errorf("%w: %d unexpected arguments; the only one is -url, and credentials come from ACTORS_USERNAME and ACTORS_PASSWORD", errUsage, fs.NArg())
	}
	u, err := parseBase(*base)
	if err != nil {
		return fmt.Errorf("%w: -url: %w", errUsage, err)
	}
	user, password := getenv("ACTORS_USERNAME"), getenv("ACTORS_PASSWORD")
	if user == "" || password == "" {
		return fmt.Errorf("%w: set ACTORS_USERNAME and ACTORS_PASSWORD to the server's credentials (make run's are user and password)", errUsage)
	}
	doc, err := openapi3.NewLoader().LoadFromData(actorsapi.SpecYAML)
	if err != nil {
		return fmt.Errorf("load the embedded spec: %w", err)
	}
	routes, err := route.New(doc)
	if err != nil {
		return fmt.Errorf("the embedded spec: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	p := newProber(u, user, password, doc, routes, actorsapi.SpecYAML, transport, stdout)
	fmt.Fprintf(stdout, "contractprobe: %s against api/openapi.yaml (%s %s)\n", u, doc.Info.Title, doc.Info.Version)
	// Whatever the server does, the probe ends within -timeout, or soon after an interrupt:
	// then its clean-up gets its own time, and no more.
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.probe(ctx)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done:
		case <-time.After(cleanupTimeout + time.Second):
			return fmt.Errorf("FAIL: stopped (%w) and still busy %s later: giving up; its actor may be left behind", context.Cause(ctx), cleanupTimeout)
		}
	}
	return p.result()
}

// parseBase accepts the server's root URL: http or https, a host, no path, no credentials.
func parseBase(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("missing: pass the server's base URL, e.g. -url http://127.0.0.1:5000")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an http:// or https:// URL", s)
	case u.Host == "":
		return nil, fmt.Errorf("%q: no host", s)
	case u.User != nil:
		return nil, errors.New("the URL holds credentials: set ACTORS_USERNAME and ACTORS_PASSWORD instead (argv is visible to every user)")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("%q: want the server's root, with no path or query (the spec's paths start at /)", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
