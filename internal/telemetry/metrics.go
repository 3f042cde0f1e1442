package telemetry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/actors-dev/actors/internal/route"
)

// The CloudWatch names the metrics are published under: docs/observability.md lists them
// for dashboards and alarms.
const (
	Namespace          = "actors"
	DimensionService   = "Service"
	DimensionOperation = "operationId"
	MetricRequests     = "Requests"
	Metric4XX          = "4XXError"
	Metric5XX          = "5XXError"
	MetricLatency      = "Latency"
)

// Metrics aggregates requests per spec operation and writes, at the end of every interval,
// one CloudWatch embedded metric format (EMF) line per operation that served requests. On
// Fargate the awslogs driver ships stdout to CloudWatch Logs, which turns the lines into
// metrics with no agent. Intervals are aligned to the clock, so each line falls in one
// CloudWatch period.
type Metrics struct {
	out      io.Writer
	service  string
	interval time.Duration

	mu    sync.Mutex // guards ops and start, and serialises writes to out
	ops   []*opStats
	byID  map[string]*opStats
	start time.Time // when the current interval began

	stop chan struct{}
	done chan struct{}
}

// NewMetrics starts aggregating; service is the Service dimension's value. Each interval's
// lines go to out in single writes, so they never interleave with other lines written there.
// Close writes the last, partial interval.
func NewMetrics(out io.Writer, service string, interval time.Duration) (*Metrics, error) {
	if interval < time.Second {
		return nil, fmt.Errorf("telemetry: metrics interval %s is below 1s", interval)
	}
	if service == "" {
		return nil, errors.New("telemetry: no service name for metrics")
	}
	m := &Metrics{
		out: out, service: service, interval: interval,
		byID:  make(map[string]*opStats),
		start: time.Now().Truncate(interval),
		stop:  make(chan struct{}), done: make(chan struct{}),
	}
	go m.loop()
	return m, nil
}

func (m *Metrics) loop() {
	defer close(m.done)
	for {
		m.mu.Lock()
		next := m.start.Add(m.interval)
		m.mu.Unlock()
		t := time.NewTimer(time.Until(next))
		select {
		case <-t.C:
			_ = m.flush(next)
		case <-m.stop:
			t.Stop()
			return
		}
	}
}

// Close stops the interval timer and writes what the current interval has seen. Call it
// once the server has stopped, and before out is closed.
func (m *Metrics) Close() error {
	close(m.stop)
	<-m.done
	return m.flush(time.Now().Truncate(m.interval).Add(m.interval))
}

// observer counts each request of an operation of routes under its operationId.
func (m *Metrics) observer(routes *route.Table) Observer {
	ops := make(map[string]*opStats, len(routes.Ops))
	for _, op := range routes.Ops {
		ops[op.Pattern] = m.operation(op.ID)
	}
	return func(r *http.Request, res Result) {
		if s := ops[r.Pattern]; s != nil {
			s.observe(res.Status, res.Duration)
		}
	}
}

// operation returns the stats for operationId id, creating them on first use.
func (m *Metrics) operation(id string) *opStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.byID[id]; ok {
		return s
	}
	s := newOpStats(id)
	m.byID[id] = s
	m.ops = append(m.ops, s)
	return s
}

// flush writes the interval that ends at end and starts the next one.
func (m *Metrics) flush(end time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	stamp := m.start.UnixMilli()
	m.start = end
	var errs []error
	for _, s := range m.ops {
		snap := s.take()
		if snap.requests == 0 {
			continue
		}
		line, err := json.Marshal(m.document(s.id, stamp, snap))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := m.out.Write(append(line, '\n')); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// emfDistribution is a latency metric's value: each bucket's midpoint in Values and its
// request count in Counts, the form CloudWatch computes percentiles from, with the exact
// statistics beside them.
type emfDistribution struct {
	Values []float64 `json:"Values"`
	Counts []uint64  `json:"Counts"`
	Max    float64   `json:"Max"`
	Min    float64   `json:"Min"`
	Count  uint64    `json:"Count"`
	Sum    float64   `json:"Sum"`
}

// dimensions publishes each metric per operation, and once more for the whole service.
var dimensions = [][]string{{DimensionService, DimensionOperation}, {DimensionService}}

// metrics are those every document carries.
var metrics = []emfMetric{{MetricRequests, "Count"}, {Metric4XX, "Count"}, {Metric5XX, "Count"}, {MetricLatency, "Milliseconds"}}

// document is one operation's interval as an EMF document.
func (m *Metrics) document(id string, stamp int64, snap snapshot) map[string]any {
	return map[string]any{
		"_aws":             emfMetadata{Timestamp: stamp, CloudWatchMetrics: []emfDirective{{Namespace: Namespace, Dimensions: dimensions, Metrics: metrics}}},
		DimensionService:   m.service,
		DimensionOperation: id,
		MetricRequests:     snap.requests,
		Metric4XX:          snap.clientErrors,
		Metric5XX:          snap.serverErrors,
		MetricLatency:      distribution(snap),
	}
}

// distribution is an interval's latencies as an EMF value: one value per bucket, at most
// numBuckets, which is EMF's limit.
func distribution(snap snapshot) emfDistribution {
	lo, hi := float64(snap.minMicros), float64(snap.maxMicros)
	if lo > hi { // a request counted while the interval was being taken
		lo, hi = bucketMid(snap.buckets[0].bucket), bucketMid(snap.buckets[len(snap.buckets)-1].bucket)
	}
	d := emfDistribution{Min: lo / 1000, Max: hi / 1000, Count: snap.requests, Sum: float64(snap.sumMicros) / 1000}
	for _, b := range snap.buckets {
		// A midpoint may lie past the interval's extremes: keep Values within them.
		d.Values = append(d.Values, min(max(bucketMid(b.bucket), lo), hi)/1000)
		d.Counts = append(d.Counts, b.count)
	}
	return d
}
