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

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
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
		{name: "defaults", want: config{addr: ":5000", username: "user", password: "password", defaultPassword: true, shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: time.Minute}},
		{name: "environment", env: map[string]string{"ACTORS_ADDR": "127.0.0.1:8080", "ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "x", "ACTORS_SHUTDOWN_TIMEOUT": "5s"},
			want: config{addr: "127.0.0.1:8080", username: "kirk", password: "x", shutdownTimeout: 5 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: time.Minute}},
		{name: "flags override environment", args: []string{"-addr", ":9000", "-shutdown-timeout", "1s"}, env: map[string]string{"ACTORS_ADDR": ":8080", "ACTORS_PASSWORD": "x"},
			want: config{addr: ":9000", username: "user", password: "x", shutdownTimeout: time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: time.Minute}},
		{name: "trusted proxies", env: map[string]string{"ACTORS_PASSWORD": "x", "ACTORS_TRUSTED_PROXIES": "10.0.0.0/16, 192.168.1.7/24"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: time.Minute,
				trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("192.168.1.0/24")}}},
		{name: "password file", env: map[string]string{"ACTORS_PASSWORD_FILE": pwFile},
			want: config{addr: ":5000", username: "user", password: "s3cret", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: time.Minute}},
		{name: "bad read header timeout", env: map[string]string{"ACTORS_READ_HEADER_TIMEOUT": "0s"}, wantErr: "ACTORS_READ_HEADER_TIMEOUT"},
		{name: "bad write timeout", env: map[string]string{"ACTORS_WRITE_TIMEOUT": "x"}, wantErr: "ACTORS_WRITE_TIMEOUT"},
		{name: "bad trusted proxy", env: map[string]string{"ACTORS_TRUSTED_PROXIES": "10.0.0.0/16, lb"}, wantErr: "ACTORS_TRUSTED_PROXIES"},
		{name: "bad debug address", env: map[string]string{"ACTORS_DEBUG_ADDR": "6060"}, wantErr: "ACTORS_DEBUG_ADDR"}, // also without -tags debug
		{name: "dynamodb", env: map[string]string{"ACTORS_PASSWORD": "x", "ACTORS_STORE": "dynamodb", "ACTORS_DYNAMODB_TABLE": "actors", "ACTORS_DYNAMODB_ENDPOINT": "http://127.0.0.1:8000"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second,
				store: "dynamodb", dynamoTable: "actors", dynamoEndpoint: "http://127.0.0.1:8000", metricsInterval: time.Minute}},
		{name: "metrics every 10s", env: map[string]string{"ACTORS_PASSWORD": "x", "ACTORS_METRICS_INTERVAL": "10s"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory", metricsInterval: 10 * time.Second}},
		{name: "metrics off", args: []string{"-metrics", "off"}, env: map[string]string{"ACTORS_PASSWORD": "x", "ACTORS_METRICS": "on"},
			want: config{addr: ":5000", username: "user", password: "x", shutdownTimeout: 20 * time.Second, readHeaderTimeout: 5 * time.Second, writeTimeout: 30 * time.Second, store: "memory"}},
		{name: "bad metrics switch", env: map[string]string{"ACTORS_METRICS": "yes"}, wantErr: "ACTORS_METRICS"},
		{name: "metrics interval too short", env: map[string]string{"ACTORS_METRICS_INTERVAL": "500ms"}, wantErr: "ACTORS_METRICS_INTERVAL"},
		{name: "unknown store", env: map[string]string{"ACTORS_STORE": "postgres"}, wantErr: "ACTORS_STORE"},
		{name: "dynamodb without table", env: map[string]string{"ACTORS_STORE": "dynamodb"}, wantErr: "ACTORS_DYNAMODB_TABLE"},
		{name: "bad dynamodb endpoint", env: map[string]string{"ACTORS_STORE": "dynamodb", "ACTORS_DYNAMODB_TABLE": "t", "ACTORS_DYNAMODB_ENDPOINT": "127.0.0.1:8000"}, wantErr: "ACTORS_DYNAMODB_ENDPOINT"},
		{name: "bad address", env: map[string]string{"ACTORS_ADDR": "5000"}, wantErr: "ACTORS_ADDR"},
		{name: "bad log level", env: map[string]string{"ACTORS_LOG_LEVEL": "loud"}, wantErr: "ACTORS_LOG_LEVEL"},
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
