package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/telemetry"
)

// The access log is written in batches of up to logBufferSize bytes, at least every
// logFlushEvery (see logWriter).
const (
	logBufferSize = 32 << 10
	logFlushEvery = 100 * time.Millisecond
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

// run is main with its dependencies passed in, so tests can start the real server.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "healthcheck":
			return healthcheck(ctx, args[2:], getenv)
		case "version":
			_, err := fmt.Fprintln(stdout, buildVersion())
			return err
		}
	}
	cfg, err := loadConfig(args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	out := newLogWriter(stdout, logBufferSize, logFlushEvery)
	defer out.Close()
	var logHandler slog.Handler = slog.NewJSONHandler(out, &slog.HandlerOptions{Level: cfg.logLevel})
	if cfg.logFormat == "text" || cfg.logFormat == "" && term(stdout) { // people read a terminal, CloudWatch JSON
		logHandler = slog.NewTextHandler(out, &slog.HandlerOptions{Level: cfg.logLevel})
	}
	log := slog.New(logHandler)
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// GOMEMLIMIT, unless set, from the container's memory limit (none outside a container).
	_, _ = memlimit.Set(memlimit.WithLogger(log))
	traces, err := telemetry.StartTracing(ctx, getenv, buildVersion(), log)
	if err != nil {
		return err
	}
	tp := traces.Provider() // nil when tracing is off
	if tp != nil {
		log = slog.New(telemetry.LogHandler(logHandler))
	}
	defer traces.Shutdown(cfg.shutdownTimeout) // on every way out: a failed start-up's spans say why
	var metrics *telemetry.Metrics
	if cfg.metricsInterval > 0 {
		if metrics, err = telemetry.NewMetrics(out, telemetry.ServiceName(getenv), cfg.metricsInterval); err != nil {
			return err
		}
		defer metrics.Close() // before out closes: the last interval's lines go through it
	}
	for _, w := range cfg.warnings {
		log.Warn(w)
	}

	store, err := openStore(ctx, cfg, log, tp)
	if err != nil {
		return err
	}
	handler, err := httpapi.NewHandler(httpapi.Config{
		Store: store, Username: cfg.username, Password: cfg.password, TrustedProxies: cfg.trustedProxies, Logger: log,
		Tracer: tp, Metrics: metrics,
	})
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		go serveDebug(ctx, cfg.debugAddr, log)
	}
	srv := &http.Server{
		Addr:              cfg.addr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readHeaderTimeout + 10*time.Second, // headers, then a 64 KiB body
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		// net/http parses every header before any handler runs, at about 12 bytes of memory
		// per byte sent, so the limit must be the real one. It allows a few KiB more, which
		// the handler answers with a problem document; beyond, net/http sends its plain 431.
		MaxHeaderBytes: httpapi.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	tcp, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("ACTORS_ADDR: %w", err)
	}
	// What connections cost together is then bounded too.
	ln, connState := httpapi.LimitConnections(tcp.(*net.TCPListener), cfg.maxConnections, cfg.trustedProxies, log)
	srv.ConnState = connState
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("version", buildVersion()))
	out.Flush() // say it now: scripts and tests wait for this line
	// Hand the garbage of loading the spec back to the OS once, so idle RSS starts low.
	go debug.FreeOSMemory()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", slog.String("timeout", cfg.shutdownTimeout.String()))
	// A fresh context: ctx is already cancelled, and in-flight requests deserve their time.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx) // Serve has returned ErrServerClosed
	deadline, _ := shutdownCtx.Deadline()
	traces.Shutdown(time.Until(deadline)) // the requests' spans, in what is left of the timeout
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// gcPercent is how much the heap may grow between garbage collections (GOGC) unless GOGC
// is set. What the service keeps on the heap is small, and mostly its dependencies' tables,
// which every collection marks again: at Go's default of 100, collections come every few
// hundred requests and are one of the largest costs of serving them. At 400 they come a
// quarter as often, for a heap a few MiB larger; the memory limit still holds the process
// under its container's memory whatever the growth.
const gcPercent = 400

// seedTimeout bounds seeding a DynamoDB table at start-up; ECS restarts a task that fails.
const seedTimeout = 30 * time.Second

// openStore returns the configured store, seeded with the 8 actors: the memory store at
// every start, a DynamoDB table only when it is empty.
func openStore(ctx context.Context, cfg config, log *slog.Logger, tp trace.TracerProvider) (actors.Store, error) {
	if cfg.store != "dynamodb" {
		return memstore.New(cfg.maxActors, actors.Seed()...), nil
	}
	store, err := dynamostore.Open(ctx, dynamostore.Config{Table: cfg.dynamoTable, Endpoint: cfg.dynamoEndpoint, MaxActors: cfg.maxActors, TracerProvider: telemetry.AWS(tp)})
	if err != nil {
		return nil, err
	}
	seedCtx, cancel := context.WithTimeout(ctx, seedTimeout)
	defer cancel()
	if err := store.Seed(seedCtx); err != nil {
		return nil, fmt.Errorf("seed DynamoDB table %s: %w", cfg.dynamoTable, err)
	}
	log.Info("store", slog.String("kind", "dynamodb"), slog.String("table", cfg.dynamoTable))
	return store, nil
}

// healthcheck is for containers without a shell or curl: it GETs /healthz on the address
// the server listens on, reaching a wildcard address through loopback.
func healthcheck(ctx context.Context, args []string, getenv func(string) string) error {
	// Only the address matters here; the rest of the configuration is the server's.
	fs := flag.NewFlagSet("actors healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", cmp.Or(getenv("ACTORS_ADDR"), ":5000"), "the server's listen address (ACTORS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("ACTORS_ADDR / -addr %q: want host:port", *addr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	return nil
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
