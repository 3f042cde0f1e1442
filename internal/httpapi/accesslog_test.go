package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

// lockedBuffer is a log sink the server's goroutines may write to while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loggingHandler is the whole handler over the seed, logging JSON to out.
func loggingHandler(t *testing.T, out *lockedBuffer) http.Handler {
	t.Helper()
	h, err := httpapi.NewHandler(httpapi.Config{
		Store: memstore.New(0, actors.Seed()...), Username: user, Password: password,
		Logger: slog.New(slog.NewJSONHandler(out, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAccessLog: one JSON line per request with method, route, status, bytes, duration and
// request id, and never the Authorization header.
func TestAccessLog(t *testing.T) {
	var out lockedBuffer
	h := loggingHandler(t, &out)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, path := range []string{"/actors/1", "/docs", "/nope"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.SetBasicAuth(user, password)
		req.Header.Set("X-Request-Id", "req"+strings.ReplaceAll(path, "/", "-"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	srv.Close() // every handler has returned, so every line is written

	want := map[string]struct {
		route  string
		status float64
	}{
		"req-actors-1": {"GET /actors/{id}", 200},
		"req-docs":     {"GET /docs", 200},
		"req-nope":     {"/", 404},
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	seen := 0
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Bytes())
		}
		if line["msg"] != "request" {
			continue
		}
		seen++
		w, ok := want[line["request_id"].(string)]
		if !ok {
			t.Errorf("unexpected request id in %v", line)
			continue
		}
		if line["method"] != "GET" || line["route"] != w.route || line["status"] != w.status {
			t.Errorf("line %v: want route %q status %v", line, w.route, w.status)
		}
		if _, ok := line["bytes"].(float64); !ok {
			t.Errorf("line %v has no bytes", line)
		}
		if _, ok := line["duration_ms"].(float64); !ok {
			t.Errorf("line %v has no duration_ms", line)
		}
	}
	if seen != len(want) {
		t.Errorf("%d access-log lines, want %d:\n%s", seen, len(want), out.String())
	}
	if strings.Contains(out.String(), "Basic ") || strings.Contains(out.String(), password) {
		t.Errorf("the log holds credentials:\n%s", out.String())
	}
}

// TestAccessLogCutsLongPaths: a request for a long path, or with a long method, answered
// without credentials, writes at most 512 bytes of the path and 32 of the method, and the
// lengths they had.
func TestAccessLogCutsLongPaths(t *testing.T) {
	for _, tc := range []struct{ name, method, path string }{
		{"long path", "GET", "/" + strings.Repeat("a", 60<<10)},
		{"long method", strings.Repeat("M", 60<<10), "/actors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out lockedBuffer
			h := loggingHandler(t, &out)
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, nil))
			var line struct {
				Method      string `json:"method"`
				MethodBytes int    `json:"method_bytes"`
				Path        string `json:"path"`
				PathBytes   int    `json:"path_bytes"`
			}
			if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
				t.Fatalf("%v: %.200s", err, out.String())
			}
			if line.Path != tc.path[:min(512, len(tc.path))] || len(tc.path) > 512 && line.PathBytes != len(tc.path) {
				t.Errorf("logged path of %d bytes, path_bytes %d; want the first 512 of %d", len(line.Path), line.PathBytes, len(tc.path))
			}
			if line.Method != tc.method[:min(32, len(tc.method))] || len(tc.method) > 32 && line.MethodBytes != len(tc.method) {
				t.Errorf("logged method of %d bytes, method_bytes %d; want the first 32 of %d", len(line.Method), line.MethodBytes, len(tc.method))
			}
			if len(out.String()) > 2<<10 {
				t.Errorf("the line is %d bytes", len(out.String()))
			}
		})
	}
}
