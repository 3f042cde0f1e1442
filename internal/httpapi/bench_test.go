package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/telemetry"
)

// discardWriter is the cheapest http.ResponseWriter that still behaves like one: a header
// map cleared between requests, the status kept for a check. It keeps the benchmarks'
// allocation counts those of the handler chain, not of a recorder.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// benchHandler is the whole handler as main builds it by default, logging JSON and writing
// metrics to io.Discard so their cost is counted, over a memstore of n actors.
func benchHandler(b *testing.B, n int) http.Handler {
	b.Helper()
	return benchHandlerLogging(b, n, slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func benchHandlerLogging(b *testing.B, n int, logTo slog.Handler) http.Handler {
	b.Helper()
	seed := actors.Seed()
	for i := len(seed); i < n; i++ {
		seed = append(seed, actors.Fields{Name: fmt.Sprint("Actor ", i+1), Role: "Role"})
	}
	metrics, err := telemetry.NewMetrics(io.Discard, "actors", time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { metrics.Close() })
	h, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, seed...), Username: user, Password: password, Logger: slog.New(logTo), Metrics: metrics})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// benchRequest serves the same request b.N times and checks the status of each.
func benchRequest(b *testing.B, h http.Handler, method, target, body string, auth bool, want int) {
	b.Helper()
	req, err := http.NewRequest(method, "http://localhost"+target, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), 40000).String()
	req.RequestURI = target
	req.Body = http.NoBody // as net/http's server gives a request without a body
	if auth {
		req.SetBasicAuth(user, password)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
	}
	reader := bytes.NewReader(nil)
	w := &discardWriter{header: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.header)
		w.status = 0
		if body != "" {
			reader.Reset([]byte(body))
			req.Body = io.NopCloser(reader)
		}
		h.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("%s %s: status %d, want %d", method, target, w.status, want)
		}
	}
}

// BenchmarkHandler runs the full chain: request id, access log, panic recovery, header and
// body limits, spec gate (auth, validation), strict handler, encoding.
func BenchmarkHandler(b *testing.B) {
	b.Run("list", func(b *testing.B) {
		benchRequest(b, benchHandler(b, 8), "GET", "/actors", "", true, 200)
	})
	b.Run("list100", func(b *testing.B) {
		benchRequest(b, benchHandler(b, 1000), "GET", "/actors?limit=100&after=500", "", true, 200)
	})
	b.Run("get", func(b *testing.B) {
		benchRequest(b, benchHandler(b, 8), "GET", "/actors/2", "", true, 200)
	})
	// The same with the access log off (level warn): the difference is the log's cost.
	b.Run("get-nolog", func(b *testing.B) {
		h := benchHandlerLogging(b, 8, slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
		benchRequest(b, h, "GET", "/actors/2", "", true, 200)
	})
	// What bench/baseline does for the same request: Basic auth and pre-encoded bytes.
	b.Run("get-minimal", func(b *testing.B) {
		benchRequest(b, minimalHandler(), "GET", "/actors/2", "", true, 200)
	})
	b.Run("create", func(b *testing.B) {
		benchRequest(b, benchHandler(b, 8), "POST", "/actors", `{"actor":"Zoe Saldana","role":"Nyota Uhura"}`, true, 201)
	})
	b.Run("401", func(b *testing.B) {
		// Every request from one address would soon be limited (429); the bench measures
		// the 401 itself, so it starts each request from a fresh address.
		h := benchHandler(b, 8)
		req, _ := http.NewRequest("GET", "http://localhost/actors/2", nil)
		req.RequestURI = "/actors/2"
		req.Body = http.NoBody
		w := &discardWriter{header: make(http.Header)}
		addrs := make([]string, 1<<16)
		for i := range addrs {
			addrs[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 40000).String()
		}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			clear(w.header)
			w.status = 0
			req.RemoteAddr = addrs[i%len(addrs)]
			i++
			h.ServeHTTP(w, req)
			if w.status != http.StatusUnauthorized && w.status != http.StatusTooManyRequests {
				b.Fatalf("status %d, want 401", w.status)
			}
		}
	})
	b.Run("400", func(b *testing.B) {
		benchRequest(b, benchHandler(b, 8), "GET", "/actors?limit=0", "", true, 400)
	})
}

// BenchmarkListDepth compares a limit=100 page through the full chain with 100 and with
// 100,000 actors stored, at the start and deep in the listing: it should not grow with n.
// "walk" asks for a different page each time, so no page stays warm in the CPU's caches.
func BenchmarkListDepth(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		h := benchHandler(b, n)
		for _, at := range []string{"start", "end"} {
			after := 0
			if at == "end" {
				after = n - 100
			}
			b.Run(fmt.Sprintf("actors=%d/after=%s", n, at), func(b *testing.B) {
				benchRequest(b, h, "GET", fmt.Sprintf("/actors?limit=100&after=%d", after), "", true, 200)
			})
		}
		b.Run(fmt.Sprintf("actors=%d/after=walk", n), func(b *testing.B) {
			pages := max(1, n/100)
			reqs := make([]*http.Request, pages)
			for i := range reqs {
				target := fmt.Sprintf("/actors?limit=100&after=%d", i*100)
				reqs[i], _ = http.NewRequest("GET", "http://localhost"+target, http.NoBody)
				reqs[i].RequestURI = target
				reqs[i].RemoteAddr = "192.0.2.1:40000"
				reqs[i].SetBasicAuth(user, password)
			}
			w := &discardWriter{header: make(http.Header)}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				w.status = 0
				h.ServeHTTP(w, reqs[i%pages])
				i++
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// BenchmarkNewHandler is the start-up work: loading the spec, building the gate.
func BenchmarkNewHandler(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := httpapi.NewHandler(httpapi.Config{Store: memstore.New(0, actors.Seed()...), Username: user, Password: password}); err != nil {
			b.Fatal(err)
		}
	}
}

// minimalHandler is bench/baseline's handler for GET /actors/{id}, the floor the full chain
// is compared with.
func minimalHandler() http.Handler {
	body := []byte(`{"actor":"Leonard Nimoy","id":2,"role":"Spock"}` + "\n")
	wantUser, wantPassword := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /actors/{id}", func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		gu, gp := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
		if !ok || subtle.ConstantTimeCompare(gu[:], wantUser[:])&subtle.ConstantTimeCompare(gp[:], wantPassword[:]) != 1 || r.PathValue("id") != "2" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	return mux
}
