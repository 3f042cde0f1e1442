package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// insecureWarning is logged whenever the development credentials are in use.
const insecureWarning = "ACTORS_INSECURE_DEFAULT_CREDENTIALS: anyone may use user/password; for local development only"

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Password files others can read, or change (and so choose the password).
	shared, groupWritable, othersWritable := filepath.Join(dir, "shared"), filepath.Join(dir, "group-writable"), filepath.Join(dir, "others-writable")
	for name, mode := range map[string]os.FileMode{shared: 0o640, groupWritable: 0o620, othersWritable: 0o602} {
		if err := os.WriteFile(name, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil { // WriteFile's mode is cut by the umask
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string // substring naming the setting at fault
	}{
		{name: "defaults, with the insecure development credentials", env: map[string]string{"ACTORS_INSECURE_DEFAULT_CREDENTIALS": "true"},
			want: config{addr: ":5000", username: "user", password: "password", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				warnings: []string{insecureWarning}}},
		{name: "the insecure switch as a flag", args: []string{"-insecure-default-credentials"},
			want: config{addr: ":5000", username: "user", password: "password", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				warnings: []string{insecureWarning}}},
		{name: "configured credentials win over the insecure switch", env: map[string]string{"ACTORS_INSECURE_DEFAULT_CREDENTIALS": "1", "ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "x"},
			want: config{addr: ":5000", username: "kirk", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "limits", env: map[string]string{"ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "x", "ACTORS_MAX_ACTORS": "20", "ACTORS_MAX_CONNECTIONS": "16"},
			want: config{addr: ":5000", username: "kirk", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 20, maxConnections: 16, metricsInterval: time.Minute}},
		{name: "environment", env: map[string]string{"ACTORS_ADDR": "127.0.0.1:8080", "ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "x", "ACTORS_SHUTDOWN_TIMEOUT": "5s"},
			want: config{addr: "127.0.0.1:8080", username: "kirk", password: "x", shutdownTimeout: 5 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "flags override environment", args: []string{"-addr", ":9000", "-shutdown-timeout", "1s"}, env: map[string]string{"ACTORS_ADDR": ":8080", "ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x"},
			want: config{addr: ":9000", username: "user", password: "x", shutdownTimeout: time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "trusted proxies", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_TRUSTED_PROXIES": "10.0.0.0/16, 192.168.1.7/24, fd00:ec2::/64, ::ffff:172.31.0.0/112"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("fd00:ec2::/64"), netip.MustParsePrefix("::ffff:172.31.0.0/112")}}},
		{name: "password file", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD_FILE": pwFile},
			want: config{addr: ":5000", username: "user", password: "s3cret", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "password file readable by its group", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD_FILE": shared},
			want: config{addr: ":5000", username: "user", password: "s3cret", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				warnings: []string{"ACTORS_PASSWORD_FILE " + shared + " can be read or changed by group or others (mode -rw-r-----): chmod 600 it"}}},
		{name: "password file writable by its group", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD_FILE": groupWritable},
			want: config{addr: ":5000", username: "user", password: "s3cret", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				warnings: []string{"ACTORS_PASSWORD_FILE " + groupWritable + " can be read or changed by group or others (mode -rw--w----): chmod 600 it"}}},
		{name: "password file writable by others", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD_FILE": othersWritable},
			want: config{addr: ":5000", username: "user", password: "s3cret", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute,
				warnings: []string{"ACTORS_PASSWORD_FILE " + othersWritable + " can be read or changed by group or others (mode -rw-----w-): chmod 600 it"}}},
		{name: "bad read header timeout", env: map[string]string{"ACTORS_READ_HEADER_TIMEOUT": "0s"}, wantErr: "ACTORS_READ_HEADER_TIMEOUT"},
		{name: "bad write timeout", env: map[string]string{"ACTORS_WRITE_TIMEOUT": "x"}, wantErr: "ACTORS_WRITE_TIMEOUT"},
		{name: "idle timeout", args: []string{"-idle-timeout", "10m"}, env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_IDLE_TIMEOUT": "1s"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 10 * time.Minute, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "bad idle timeout", env: map[string]string{"ACTORS_IDLE_TIMEOUT": "0"}, wantErr: "ACTORS_IDLE_TIMEOUT"},
		{name: "bad trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "10.0.0.0/16, lb"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "every IPv4 address as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "10.0.0.0/16, 0.0.0.0/0"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "every IPv6 address as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "::/0"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "IPv4 everywhere as IPv6 as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "::ffff:0.0.0.0/96"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "wider than RFC 1918 as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "10.0.0.0/7"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "wider than RFC 4193 as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "fc00::/6"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "a public range as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "203.0.113.0/24"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "a public address as a trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "2001:db8::1/128"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "bad max actors", env: map[string]string{"ACTORS_MAX_ACTORS": "0"}, wantErr: "ACTORS_MAX_ACTORS"},
		{name: "bad max connections", env: map[string]string{"ACTORS_MAX_CONNECTIONS": "many"}, wantErr: "ACTORS_MAX_CONNECTIONS"},
		{name: "bad insecure switch", env: map[string]string{"ACTORS_INSECURE_DEFAULT_CREDENTIALS": "yes please"}, wantErr: "ACTORS_INSECURE_DEFAULT_CREDENTIALS"},
		{name: "no credentials", wantErr: "ACTORS_INSECURE_DEFAULT_CREDENTIALS"},
		{name: "password without user", env: map[string]string{"ACTORS_PASSWORD": "x"}, wantErr: "ACTORS_USERNAME"},
		{name: "password file without user", env: map[string]string{"ACTORS_PASSWORD_FILE": pwFile}, wantErr: "ACTORS_USERNAME"},
		{name: "empty user flag", args: []string{"-username", ""}, env: map[string]string{"ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "x"}, wantErr: "ACTORS_USERNAME"},
		{name: "bad debug address", env: map[string]string{"ACTORS_DEBUG_ADDR": "6060"}, wantErr: "ACTORS_DEBUG_ADDR"}, // also without -tags debug
		{name: "dynamodb", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_STORE": "dynamodb", "ACTORS_DYNAMODB_TABLE": "actors", "ACTORS_DYNAMODB_ENDPOINT": "http://127.0.0.1:8000"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second,
				store: "dynamodb", dynamoTable: "actors", dynamoEndpoint: "http://127.0.0.1:8000", maxConnections: 64, metricsInterval: time.Minute}},
		{name: "dynamodb with a limit", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_STORE": "dynamodb", "ACTORS_DYNAMODB_TABLE": "actors", "ACTORS_MAX_ACTORS": "1000000"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second,
				store: "dynamodb", dynamoTable: "actors", maxActors: 1_000_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "metrics every 10s", env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_METRICS_INTERVAL": "10s"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: 10 * time.Second}},
		{name: "metrics off", args: []string{"-metrics", "off"}, env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_METRICS": "on"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64}},
		{name: "bad metrics switch", env: map[string]string{"ACTORS_METRICS": "yes"}, wantErr: "ACTORS_METRICS"},
		{name: "metrics interval too short", env: map[string]string{"ACTORS_METRICS_INTERVAL": "500ms"}, wantErr: "ACTORS_METRICS_INTERVAL"},
		{name: "unknown store", env: map[string]string{"ACTORS_STORE": "postgres"}, wantErr: "ACTORS_STORE"},
		{name: "dynamodb without table", env: map[string]string{"ACTORS_STORE": "dynamodb"}, wantErr: "ACTORS_DYNAMODB_TABLE"},
		{name: "bad dynamodb endpoint", env: map[string]string{"ACTORS_STORE": "dynamodb", "ACTORS_DYNAMODB_TABLE": "t", "ACTORS_DYNAMODB_ENDPOINT": "127.0.0.1:8000"}, wantErr: "ACTORS_DYNAMODB_ENDPOINT"},
		{name: "bad address", env: map[string]string{"ACTORS_ADDR": "5000"}, wantErr: "ACTORS_ADDR"},
		{name: "bad log level", env: map[string]string{"ACTORS_LOG_LEVEL": "loud"}, wantErr: "ACTORS_LOG_LEVEL"},
		{name: "text logs", args: []string{"-log-format", "text"}, env: map[string]string{"ACTORS_USERNAME": "user", "ACTORS_PASSWORD": "x", "ACTORS_LOG_FORMAT": "json"},
			want: config{addr: ":5000", username: "user", password: "x", logFormat: "text", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, idleTimeout: 75 * time.Second, store: "memory", maxActors: 50_000, maxConnections: 64, metricsInterval: time.Minute}},
		{name: "bad log format", env: map[string]string{"ACTORS_LOG_FORMAT": "logfmt"}, wantErr: "ACTORS_LOG_FORMAT"},
		{name: "bad timeout", env: map[string]string{"ACTORS_SHUTDOWN_TIMEOUT": "soon"}, wantErr: "ACTORS_SHUTDOWN_TIMEOUT"},
		{name: "negative timeout", env: map[string]string{"ACTORS_SHUTDOWN_TIMEOUT": "-1s"}, wantErr: "ACTORS_SHUTDOWN_TIMEOUT"},
		{name: "two passwords", env: map[string]string{"ACTORS_PASSWORD": "x", "ACTORS_PASSWORD_FILE": pwFile}, wantErr: "ACTORS_PASSWORD_FILE"},
		{name: "missing password file", env: map[string]string{"ACTORS_PASSWORD_FILE": filepath.Join(dir, "nope")}, wantErr: "ACTORS_PASSWORD_FILE"},
		{name: "empty password file", env: map[string]string{"ACTORS_PASSWORD_FILE": empty}, wantErr: "ACTORS_PASSWORD_FILE"},
		{name: "user without password", env: map[string]string{"ACTORS_USERNAME": "kirk"}, wantErr: "ACTORS_USERNAME"},
		{name: "colon in user", env: map[string]string{"ACTORS_USERNAME": "a:b", "ACTORS_PASSWORD": "x"}, wantErr: "ACTORS_USERNAME"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "serve"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want a one-line error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("config = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
