package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is everything the server reads at start-up.
type config struct {
	addr            string
	username        string
	password        string
	logLevel        slog.Level
	logFormat       string // "json", "text", or "": text on a terminal, JSON elsewhere
	shutdownTimeout time.Duration
	// readHeaderTimeout and writeTimeout bound slow clients; tests shorten them.
	readHeaderTimeout time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration // how long a keep-alive connection may wait for its next request
	trustedProxies    []netip.Prefix
	debugAddr         string // opt-in pprof listener; empty means none
	store             string // "memory" or "dynamodb"
	dynamoTable       string
	dynamoEndpoint    string
	maxActors         int // 0: no limit
	maxConnections    int
	metricsInterval   time.Duration // how long EMF metrics aggregate; 0 means metrics off
	// warnings are worth logging once the logger exists; the server starts all the same.
	warnings []string
}

const (
	defaultUsername = "user"
	defaultPassword = "password"

	// defaultMaxActors and defaultMaxConnections are sized for the default task, 512 MiB
	// and 0.25 vCPU, by measuring the worst a client can make each cost: a store of the
	// largest actors, and connections full of tiny header fields, which net/http holds at
	// about 12 bytes of memory per byte received. Both together stay well under 512 MiB;
	// docs/security.md gives the figures. 64 keep-alive connections are several times
	// what a quarter of a CPU keeps busy; more wait their turn (httpapi.LimitConnections).
	defaultMaxActors      = 50_000
	defaultMaxConnections = 64
)

// privateNetworks are the prefixes a trusted proxy may be in: RFC 1918, RFC 4193 and
// loopback. Anything wider would let a direct client name its own address in
// X-Forwarded-For and side-step the failed-authentication limit.
var privateNetworks = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("::1/128"),
}

// private reports whether every address of p is in one of privateNetworks.
func private(p netip.Prefix) bool {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return slices.ContainsFunc(privateNetworks, func(n netip.Prefix) bool { return n.Bits() <= p.Bits() && n.Contains(p.Addr()) })
}

// loadConfig reads ACTORS_* variables, then lets flags override them. The password has no
// flag on purpose: command lines are visible to every user of the machine (ps).
// Each error names the setting at fault.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	envOr := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("actors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("ACTORS_ADDR", ":5000"), "listen address, host:port (ACTORS_ADDR)")
	username := fs.String("username", getenv("ACTORS_USERNAME"), "Basic auth user name (ACTORS_USERNAME)")
	passwordFile := fs.String("password-file", getenv("ACTORS_PASSWORD_FILE"), "file holding the Basic auth password (ACTORS_PASSWORD_FILE; or set ACTORS_PASSWORD)")
	insecureEnv := getenv("ACTORS_INSECURE_DEFAULT_CREDENTIALS")
	insecureDefault, insecureErr := false, error(nil)
	if insecureEnv != "" {
		insecureDefault, insecureErr = strconv.ParseBool(insecureEnv)
	}
	insecure := fs.Bool("insecure-default-credentials", insecureDefault, "for local development only: with no credentials configured, accept "+defaultUsername+"/"+defaultPassword+" (ACTORS_INSECURE_DEFAULT_CREDENTIALS)")
	logLevel := fs.String("log-level", envOr("ACTORS_LOG_LEVEL", "info"), "debug, info, warn or error (ACTORS_LOG_LEVEL)")
	logFormat := fs.String("log-format", getenv("ACTORS_LOG_FORMAT"), "json or text (ACTORS_LOG_FORMAT; default text on a terminal, json elsewhere)")
	shutdown := fs.String("shutdown-timeout", envOr("ACTORS_SHUTDOWN_TIMEOUT", "20s"), "time in-flight requests get to finish on SIGTERM (ACTORS_SHUTDOWN_TIMEOUT)")
	readHeader := fs.String("read-header-timeout", envOr("ACTORS_READ_HEADER_TIMEOUT", "5s"), "time a client gets to send its request headers (ACTORS_READ_HEADER_TIMEOUT)")
	write := fs.String("write-timeout", envOr("ACTORS_WRITE_TIMEOUT", "30s"), "time from the end of the headers to the end of the response (ACTORS_WRITE_TIMEOUT)")
	idle := fs.String("idle-timeout", envOr("ACTORS_IDLE_TIMEOUT", "75s"), "time a keep-alive connection is kept open for its next request; behind a proxy, above the proxy's own (ACTORS_IDLE_TIMEOUT)")
	proxies := fs.String("trusted-proxies", getenv("ACTORS_TRUSTED_PROXIES"), "comma-separated CIDRs of the front doors whose X-Forwarded-For or Forwarded is believed (ACTORS_TRUSTED_PROXIES)")
	store := fs.String("store", envOr("ACTORS_STORE", "memory"), "memory or dynamodb (ACTORS_STORE)")
	table := fs.String("dynamodb-table", getenv("ACTORS_DYNAMODB_TABLE"), "DynamoDB table, with -store dynamodb (ACTORS_DYNAMODB_TABLE)")
	endpoint := fs.String("dynamodb-endpoint", getenv("ACTORS_DYNAMODB_ENDPOINT"), "DynamoDB endpoint URL for local or test servers; empty means AWS (ACTORS_DYNAMODB_ENDPOINT)")
	metrics := fs.String("metrics", envOr("ACTORS_METRICS", "on"), "on or off: per-operation CloudWatch metrics as EMF lines on stdout (ACTORS_METRICS)")
	metricsInterval := fs.String("metrics-interval", envOr("ACTORS_METRICS_INTERVAL", "60s"), "how long metrics aggregate before they are written (ACTORS_METRICS_INTERVAL)")
	debugAddr := fs.String("debug-addr", getenv("ACTORS_DEBUG_ADDR"), "serve net/http/pprof on this address, e.g. 127.0.0.1:6060, in builds with -tags debug; off when empty (ACTORS_DEBUG_ADDR)")
	maxActors := fs.String("max-actors", getenv("ACTORS_MAX_ACTORS"), fmt.Sprintf("most actors the store may hold; POST answers 507 beyond (ACTORS_MAX_ACTORS; default %d for memory, no limit for dynamodb)", defaultMaxActors))
	maxConns := fs.String("max-connections", envOr("ACTORS_MAX_CONNECTIONS", strconv.Itoa(defaultMaxConnections)), "most client connections open at once; more wait to be accepted (ACTORS_MAX_CONNECTIONS)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if insecureErr != nil {
		return config{}, fmt.Errorf("ACTORS_INSECURE_DEFAULT_CREDENTIALS %q: want true or false", insecureEnv)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (subcommands: healthcheck, version)", fs.Arg(0))
	}

	cfg := config{addr: *addr, username: *username, logFormat: *logFormat}
	if _, port, err := net.SplitHostPort(cfg.addr); err != nil || port == "" {
		return config{}, fmt.Errorf("ACTORS_ADDR / -addr %q: want host:port, e.g. :5000 or 127.0.0.1:5000", cfg.addr)
	}
	if err := cfg.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		return config{}, fmt.Errorf("ACTORS_LOG_LEVEL / -log-level %q: want debug, info, warn or error", *logLevel)
	}
	if cfg.logFormat != "" && cfg.logFormat != "json" && cfg.logFormat != "text" {
		return config{}, fmt.Errorf("ACTORS_LOG_FORMAT / -log-format %q: want json or text", cfg.logFormat)
	}
	var err error
	for _, d := range []struct {
		to                   *time.Duration
		value, name, example string
	}{
		{&cfg.shutdownTimeout, *shutdown, "ACTORS_SHUTDOWN_TIMEOUT / -shutdown-timeout", "20s"},
		{&cfg.readHeaderTimeout, *readHeader, "ACTORS_READ_HEADER_TIMEOUT / -read-header-timeout", "5s"},
		{&cfg.writeTimeout, *write, "ACTORS_WRITE_TIMEOUT / -write-timeout", "30s"},
		{&cfg.idleTimeout, *idle, "ACTORS_IDLE_TIMEOUT / -idle-timeout", "75s"},
	} {
		if *d.to, err = time.ParseDuration(d.value); err != nil || *d.to <= 0 {
			return config{}, fmt.Errorf("%s %q: want a positive duration, e.g. %s", d.name, d.value, d.example)
		}
	}
	for _, s := range strings.Split(*proxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return config{}, fmt.Errorf("ACTORS_TRUSTED_PROXIES / -trusted-proxies: %q is not a CIDR, e.g. 10.0.0.0/16", s)
		}
		if !private(p) {
			return config{}, fmt.Errorf("ACTORS_TRUSTED_PROXIES / -trusted-proxies: %q is wider than a private network "+
				"(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7 or loopback): any client in it could choose "+
				"its address through X-Forwarded-For; list only the load balancers' subnets", s)
		}
		cfg.trustedProxies = append(cfg.trustedProxies, p.Masked())
	}
	if cfg.maxConnections, err = strconv.Atoi(*maxConns); err != nil || cfg.maxConnections < 1 {
		return config{}, fmt.Errorf("ACTORS_MAX_CONNECTIONS / -max-connections %q: want a positive number, e.g. %d", *maxConns, defaultMaxConnections)
	}
	if *maxActors != "" {
		if cfg.maxActors, err = strconv.Atoi(*maxActors); err != nil || cfg.maxActors < 1 {
			return config{}, fmt.Errorf("ACTORS_MAX_ACTORS / -max-actors %q: want a positive number, e.g. %d", *maxActors, defaultMaxActors)
		}
	}
	switch cfg.store = *store; cfg.store {
	case "memory":
		if cfg.maxActors == 0 {
			cfg.maxActors = defaultMaxActors
		}
	case "dynamodb":
		if *table == "" {
			return config{}, errors.New("ACTORS_DYNAMODB_TABLE / -dynamodb-table: required with ACTORS_STORE=dynamodb")
		}
		cfg.dynamoTable = *table
		if *endpoint != "" {
			if u, err := url.Parse(*endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return config{}, fmt.Errorf("ACTORS_DYNAMODB_ENDPOINT / -dynamodb-endpoint %q: want a URL such as http://127.0.0.1:8000", *endpoint)
			}
			cfg.dynamoEndpoint = *endpoint
		}
	default:
		return config{}, fmt.Errorf("ACTORS_STORE / -store %q: want memory or dynamodb", *store)
	}
	switch *metrics {
	case "on":
		if cfg.metricsInterval, err = time.ParseDuration(*metricsInterval); err != nil || cfg.metricsInterval < time.Second {
			return config{}, fmt.Errorf("ACTORS_METRICS_INTERVAL / -metrics-interval %q: want a duration of 1s or more, e.g. 60s", *metricsInterval)
		}
	case "off":
	default:
		return config{}, fmt.Errorf("ACTORS_METRICS / -metrics %q: want on or off", *metrics)
	}
	if *debugAddr != "" {
		if !debugBuild {
			return config{}, errors.New("ACTORS_DEBUG_ADDR / -debug-addr: this binary has no debug listener; build it with -tags debug")
		}
		if _, _, err := net.SplitHostPort(*debugAddr); err != nil {
			return config{}, fmt.Errorf("ACTORS_DEBUG_ADDR / -debug-addr %q: want host:port, e.g. 127.0.0.1:6060", *debugAddr)
		}
		cfg.debugAddr = *debugAddr
	}

	password := getenv("ACTORS_PASSWORD")
	switch {
	case password != "" && *passwordFile != "":
		return config{}, errors.New("ACTORS_PASSWORD and ACTORS_PASSWORD_FILE are both set: set one")
	case *passwordFile != "":
		b, err := os.ReadFile(*passwordFile)
		if err != nil {
			return config{}, fmt.Errorf("ACTORS_PASSWORD_FILE / -password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n") // files usually end with a newline
		if password == "" {
			return config{}, fmt.Errorf("ACTORS_PASSWORD_FILE / -password-file %q is empty", *passwordFile)
		}
		if info, err := os.Stat(*passwordFile); err == nil && info.Mode().Perm()&0o066 != 0 {
			cfg.warnings = append(cfg.warnings, fmt.Sprintf("ACTORS_PASSWORD_FILE %s can be read or changed by group or others (mode %v): chmod 600 it", *passwordFile, info.Mode().Perm()))
		}
	}
	switch {
	case cfg.username == "" && password == "":
		if !*insecure {
			return config{}, errors.New("no credentials configured: set ACTORS_USERNAME, and ACTORS_PASSWORD or ACTORS_PASSWORD_FILE " +
				"(for local development only, ACTORS_INSECURE_DEFAULT_CREDENTIALS=true accepts " + defaultUsername + "/" + defaultPassword + ")")
		}
		cfg.username, password = defaultUsername, defaultPassword
		cfg.warnings = append(cfg.warnings, "ACTORS_INSECURE_DEFAULT_CREDENTIALS: anyone may use "+defaultUsername+"/"+defaultPassword+"; for local development only")
	case cfg.username == "":
		return config{}, errors.New("ACTORS_USERNAME / -username is empty: set it with the password")
	case password == "":
		return config{}, errors.New("ACTORS_USERNAME is set but the password is empty: set ACTORS_PASSWORD or ACTORS_PASSWORD_FILE")
	}
	if strings.Contains(cfg.username, ":") {
		return config{}, errors.New("ACTORS_USERNAME / -username: Basic auth user names cannot contain ':'")
	}
	cfg.password = password
	return cfg, nil
}
