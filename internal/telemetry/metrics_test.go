package telemetry

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/internal/route"
)

func TestBuckets(t *testing.T) {
	prev := 0
	for us := uint64(0); us < 1<<32; us += 1 + us/97 {
		b := bucketOf(us)
		if b < prev || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d after %d: buckets must grow with latency, below %d", us, b, prev, numBuckets)
		}
		prev = b
		if mid := bucketMid(b); math.Abs(mid-float64(us)) > max(float64(us)/16, 0.5) {
			t.Fatalf("bucket %d of %d µs has midpoint %.1f µs: more than 1/16 away", b, us, mid)
		}
	}
	if got := bucketOf(math.MaxUint64); got != numBuckets-1 {
		t.Errorf("the longest latency falls in bucket %d, want the last, %d", got, numBuckets-1)
	}
}

// TestDistributionsSplit: latencies spread over more buckets than one EMF value may hold
// are written as several documents whose statistics add up to the interval's.
func TestDistributionsSplit(t *testing.T) {
	s := newOpStats("listActors")
	var sum, n uint64
	for us := uint64(1); us < 1<<34; us = us*103/100 + 1 {
		s.observe(http.StatusOK, time.Duration(us)*time.Microsecond)
		sum += us
		n++
	}
	snap := s.take()
	if snap.requests != n || len(snap.buckets) <= 2*maxValues {
		t.Fatalf("%d requests in %d buckets, want %d in more than %d", snap.requests, len(snap.buckets), n, 2*maxValues)
	}
	dists := distributions(snap)
	var count uint64
	var total float64
	for _, d := range dists {
		if len(d.Values) > maxValues || len(d.Values) != len(d.Counts) {
			t.Errorf("a document has %d values and %d counts, want equal and at most %d", len(d.Values), len(d.Counts), maxValues)
		}
		count += d.Count
		total += d.Sum
	}
	if len(dists) != 3 || count != n || math.Abs(total-float64(sum)/1000) > 1e-6*total {
		t.Errorf("%d documents with %d requests summing %.3f ms, want 3 with %d summing %.3f", len(dists), count, total, n, float64(sum)/1000)
	}
	if dists[0].Min != 0.001 || dists[2].Max != float64(snap.maxMicros)/1000 {
		t.Errorf("min %v, max %v: want the interval's own, 0.001 and %v", dists[0].Min, dists[2].Max, float64(snap.maxMicros)/1000)
	}
	if again := s.take(); again.requests != 0 || again.maxMicros != 0 || again.minMicros != math.MaxUint64 {
		t.Errorf("the next interval starts with %+v, want nothing", again)
	}
}

func TestMetricsLines(t *testing.T) {
	var out bytes.Buffer
	m, err := NewMetrics(&out, "actors-test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(code)
	}
	mux.HandleFunc("GET /actors/{id}", answer)
	mux.HandleFunc("GET /other", answer)
	spec, err := openapi3.NewLoader().LoadFromData([]byte(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/actors/{id}": {
		"get": {"operationId": "getActor", "responses": {"200": {"description": "ok"}}},
		"delete": {"operationId": "deleteActor", "responses": {"204": {"description": "ok"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := route.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	h := Observe(nil, m, routes)(mux)
	for _, target := range []string{"/actors/1?status=200", "/actors/2?status=200", "/actors/3?status=404", "/actors/4?status=503", "/other?status=500", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	start := time.Now().Truncate(time.Hour)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want one, for getActor (no requests for deleteActor; /other and 404s match no operation):\n%s", len(lines), out.String())
	}
	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []emfDirective
		} `json:"_aws"`
		Service     string
		OperationID string `json:"operationId"`
		Requests    int
		Errors4XX   int `json:"4XXError"`
		Errors5XX   int `json:"5XXError"`
		Latency     emfDistribution
	}
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OperationID != "getActor" || doc.Service != "actors-test" || doc.Requests != 4 || doc.Errors4XX != 1 || doc.Errors5XX != 1 || doc.Latency.Count != 4 {
		t.Errorf("got %+v, want getActor of actors-test: 4 requests, one 4xx, one 5xx", doc)
	}
	if doc.AWS.Timestamp != start.UnixMilli() {
		t.Errorf("timestamp %d, want the interval's start %d", doc.AWS.Timestamp, start.UnixMilli())
	}
	if d := doc.AWS.CloudWatchMetrics; len(d) != 1 || d[0].Namespace != Namespace || len(d[0].Metrics) != 4 {
		t.Errorf("directives %+v, want one in %s with 4 metrics", d, Namespace)
	}
}

func TestNewMetricsRefusesBadSettings(t *testing.T) {
	if _, err := NewMetrics(&bytes.Buffer{}, "actors", time.Millisecond); err == nil {
		t.Error("an interval below 1s is accepted")
	}
	if _, err := NewMetrics(&bytes.Buffer{}, "", time.Minute); err == nil {
		t.Error("an empty service name is accepted")
	}
}
