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
	if numBuckets > 100 {
		t.Fatalf("%d buckets: EMF takes at most 100 values", numBuckets)
	}
	prev := 0
	last := uint64(1) << (maxOctave + 1) // the first latency of the shared last bucket
	for us := uint64(0); us < last; us += 1 + us/97 {
		b := bucketOf(us)
		if b < prev || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d after %d: buckets must grow with latency, below %d", us, b, prev, numBuckets)
		}
		prev = b
		if mid := bucketMid(b); math.Abs(mid-float64(us)) > max(float64(us)/8, 0.5) {
			t.Fatalf("bucket %d of %d µs has midpoint %.1f µs: more than 1/8 away", b, us, mid)
		}
	}
	for _, us := range []uint64{last - 1, last, math.MaxUint64} {
		if got := bucketOf(us); got != numBuckets-1 {
			t.Errorf("bucketOf(%d) = %d, want the last, %d", us, got, numBuckets-1)
		}
	}
}

// TestDistribution: latencies spread over every bucket make one EMF value of at most 100,
// with the interval's exact count, sum, minimum and maximum.
func TestDistribution(t *testing.T) {
	s := newOpStats("listActors")
	var sum, n uint64
	for us := uint64(1); us < 1<<34; us = us*103/100 + 1 {
		s.observe(http.StatusOK, time.Duration(us)*time.Microsecond)
		sum += us
		n++
	}
	snap := s.take()
	if snap.requests != n || len(snap.buckets) != numBuckets-1 { // none fall in bucket 0
		t.Fatalf("%d requests in %d buckets, want %d in %d", snap.requests, len(snap.buckets), n, numBuckets-1)
	}
	d := distribution(snap)
	if len(d.Values) > 100 || len(d.Values) != len(d.Counts) {
		t.Errorf("%d values and %d counts, want equal and at most 100", len(d.Values), len(d.Counts))
	}
	var counted uint64
	for i, c := range d.Counts {
		counted += c
		if d.Values[i] < d.Min || d.Values[i] > d.Max || (i > 0 && d.Values[i] < d.Values[i-1]) {
			t.Errorf("value %d is %v: want increasing values within [%v, %v]", i, d.Values[i], d.Min, d.Max)
		}
	}
	if counted != n || d.Count != n || d.Sum != float64(sum)/1000 || d.Min != 0.001 || d.Max != float64(snap.maxMicros)/1000 {
		t.Errorf("count %d (%d in buckets), sum %v, min %v, max %v; want %d, %v, 0.001, %v", d.Count, counted, d.Sum, d.Min, d.Max, n, float64(sum)/1000, float64(snap.maxMicros)/1000)
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
	h := Observe(nil, m, routes, nil)(mux)
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
