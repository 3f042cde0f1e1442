package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// hostile serves h, and answers any request h leaves unanswered with a plain 404.
func hostile(t *testing.T, h func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h(w, r) {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// raw writes response, whole, on the connection of w, past net/http's checks of headers.
func raw(w http.ResponseWriter, response string) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, response)
	return true
}

// probeFor runs the probe against srv with -timeout and returns its report, how long it
// took, and its error.
func probeFor(t *testing.T, ctx context.Context, srv *httptest.Server, timeout string) (string, time.Duration, error) {
	t.Helper()
	env := map[string]string{"ACTORS_USERNAME": user, "ACTORS_PASSWORD": password}
	var out bytes.Buffer
	start := time.Now()
	err := run(ctx, []string{"contractprobe", "-url", srv.URL, "-timeout", timeout}, func(k string) string { return env[k] }, srv.Client().Transport, &out)
	return out.String(), time.Since(start), err
}

// requireFitToPrint fails on a report that holds what a server could use to forge lines or
// hide them (control characters, escape sequences, bidirectional overrides), or lines
// longer than a failed check prints.
func requireFitToPrint(t *testing.T, report string) {
	t.Helper()
	for i, line := range strings.Split(report, "\n") {
		if len(line) > 2<<10 {
			t.Errorf("line %d is %d bytes long", i+1, len(line))
		}
		for _, r := range line {
			if !unicode.IsGraphic(r) {
				t.Errorf("line %d holds %U: %q", i+1, r, line)
				break
			}
		}
		if i > 0 && strings.HasPrefix(line, "contractprobe: PASS") {
			t.Errorf("line %d claims a pass: %q", i+1, line)
		}
	}
}

// TestProbePrintsNoServerControl: a server whose answers hold escape sequences, carriage
// returns and a fake green PASS line in the body, and 8-bit controls (CSI) and a
// bidirectional override in headers (net/http refuses 7-bit controls there), gets them
// printed escaped, and the probe fails.
func TestProbePrintsNoServerControl(t *testing.T) {
	fake := "\x1b[2K\r\x1b[32mcontractprobe: PASS: 99 checks, 99 responses validated against the spec\x1b[0m\n\u202e"
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		body := `{"id":9,"actor":"a","role":"b"}`
		if r.URL.Path == "/openapi.yaml" {
			body = fake
		}
		return raw(w, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /actors/1\u009b2K\r\nETag: \"1\u202e\"\r\n"+
			fmt.Sprintf("Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body))
	})
	out, _, err := probeFor(t, context.Background(), srv, "30s")
	if err == nil {
		t.Error("the probe passed")
	}
	requireFitToPrint(t, out)
	if !strings.Contains(out, `\x1b[32mcontractprobe: PASS`) || !strings.Contains(out, `\u009b2K`) {
		t.Errorf("the report does not show the server's bytes, escaped:\n%s", out)
	}
}

// TestProbePrintsNoCredentials: a server that sends the probe's credentials back, in its
// headers and body, encoded and decoded, gets none of them printed.
func TestProbePrintsNoCredentials(t *testing.T) {
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		auth := r.Header.Get("Authorization")
		decoded, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/actors/1?auth="+auth)
		w.Header().Set("ETag", `"`+string(decoded)+`"`)
		w.Header().Set("WWW-Authenticate", auth)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"authorization": auth, "decoded": string(decoded), "password": password})
		return true
	})
	out, _, err := probeFor(t, context.Background(), srv, "30s")
	if err == nil {
		t.Error("the probe passed")
	}
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	for _, secret := range []string{password, basic, user + ":" + password} {
		if strings.Contains(out, secret) {
			t.Errorf("the report holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Errorf("the report does not say what it redacted:\n%s", out)
	}
}

// violations is a JSON array of n bytes, or a little less, of objects that break the Actor
// schema four times each: three properties missing, and one the schema does not have.
func violations(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for b.Len() < n-16 {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(`{"x":1}`)
	}
	b.WriteString("]")
	return b.String()
}

// TestProbeBoundsWhatItValidates: an answer of hundreds of thousands of violations is
// described by its first; an answer over 1 MiB is not validated at all. Either way the
// probe ends, within its timeout.
func TestProbeBoundsWhatItValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"a MiB of violations", violations(maxBody), `response body doesn't match schema: maximum number of items is 1000`},
		{"8 MiB", violations(8 << 20), "expected: a body of at most 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/actors" {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tc.body)
				return true
			})
			out, took, err := probeFor(t, context.Background(), srv, "60s")
			if err == nil {
				t.Error("the probe passed")
			}
			requireFitToPrint(t, out)
			if !strings.Contains(out, tc.want) {
				t.Errorf("the report lacks %q:\n%s", tc.want, out)
			}
			if len(out) > 32<<10 {
				t.Errorf("the report is %d bytes", len(out))
			}
			t.Logf("%s: %d bytes of report in %s", tc.name, len(out), took.Round(time.Millisecond))
		})
	}
}

// TestProbeEndsOnTime: a server that never finishes its answers, or never answers, cannot
// keep the probe past its -timeout, or past an interrupt.
func TestProbeEndsOnTime(t *testing.T) {
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := io.WriteString(w, "["); err != nil {
				return true
			}
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
				return true
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	out, took, err := probeFor(t, context.Background(), srv, "2s")
	if err == nil || took > 2*time.Second+cleanupTimeout {
		t.Errorf("with -timeout 2s against a trickling server: err %v after %s\n%s", err, took, out)
	}

	ctx, interrupt := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, interrupt) // as SIGINT or SIGTERM does
	out, took, err = probeFor(t, ctx, srv, "60s")
	if err == nil || took > time.Second+cleanupTimeout {
		t.Errorf("interrupted after 1s: err %v after %s\n%s", err, took, out)
	}
}

// TestDescribe: kin-openapi's errors, however many, are described by a few and a count,
// each cut short, never by their whole message.
func TestDescribe(t *testing.T) {
	many := make(openapi3.MultiError, 100_000)
	value, reason := strings.Repeat("v", 1<<20), strings.Repeat("r", 1000) // shared: the test itself stays small
	for i := range many {
		many[i] = &openapi3.SchemaError{Reason: reason, Value: value}
	}
	got := describe(&openapi3filter.ResponseError{Reason: "response body doesn't match schema", Err: many})
	if !strings.HasPrefix(got, "response body doesn't match schema: rrr") || !strings.HasSuffix(got, " | and 99995 more") || len(got) > (maxErrors+1)*(maxErrorLength+8) {
		t.Errorf("describe = %d bytes: %.400s", len(got), got)
	}
}
