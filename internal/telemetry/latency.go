package telemetry

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Latencies fall into buckets that are exact below 4 µs and then split each power of two
// into 4, so a bucket's midpoint is within 1/8 (12.5%) of every latency in it. 100 buckets,
// EMF's limit on a metric's values, reach 2^26 µs (67 s, past the server's write timeout):
// anything longer shares the last bucket, whose value is then the interval's exact maximum.
// Recording one is a few atomic adds; CloudWatch computes percentiles from the bucket counts.
const (
	subBuckets = 4
	maxOctave  = 25
	numBuckets = maxOctave * subBuckets
)

// bucketOf returns the bucket of a latency of us microseconds.
func bucketOf(us uint64) int {
	if us < subBuckets {
		return int(us)
	}
	k := bits.Len64(us) - 1 // 2^k <= us < 2^(k+1), and k >= 2
	if k > maxOctave {
		return numBuckets - 1
	}
	return (k-1)*subBuckets + int(us>>(k-2))&(subBuckets-1)
}

// bucketMid returns the midpoint of bucket i, in microseconds.
func bucketMid(i int) float64 {
	if i < subBuckets {
		return float64(i) + 0.5
	}
	k, sub := i/subBuckets+1, uint64(i%subBuckets)
	lo := (subBuckets + sub) << (k - 2)
	return float64(lo) + float64(uint64(1)<<(k-2))/2
}

// opStats are one operation's counters for the current interval. Every field is updated
// with atomics, so requests never wait for each other or for a flush.
type opStats struct {
	id           string
	clientErrors atomic.Uint64
	serverErrors atomic.Uint64
	sumMicros    atomic.Uint64
	minMicros    atomic.Uint64 // math.MaxUint64 when no request was seen
	maxMicros    atomic.Uint64
	buckets      [numBuckets]atomic.Uint64
}

func newOpStats(id string) *opStats {
	s := &opStats{id: id}
	s.minMicros.Store(math.MaxUint64)
	return s
}

// observe records one request. The bucket is counted before the error counters, and take
// swaps the error counters first, so an interval never reports an error without its
// request.
func (s *opStats) observe(status int, d time.Duration) {
	us := uint64(max(d.Microseconds(), 0))
	s.buckets[bucketOf(us)].Add(1)
	s.sumMicros.Add(us)
	for m := s.minMicros.Load(); us < m && !s.minMicros.CompareAndSwap(m, us); m = s.minMicros.Load() {
	}
	for m := s.maxMicros.Load(); us > m && !s.maxMicros.CompareAndSwap(m, us); m = s.maxMicros.Load() {
	}
	switch {
	case status >= 500:
		s.serverErrors.Add(1)
	case status >= 400:
		s.clientErrors.Add(1)
	}
}

// snapshot is what an operation saw in one interval.
type snapshot struct {
	requests, clientErrors, serverErrors uint64
	sumMicros, minMicros, maxMicros      uint64
	buckets                              []bucketCount // non-empty buckets, in increasing order
}

type bucketCount struct {
	bucket int
	count  uint64
}

// take returns the interval's counts and starts the next interval from zero.
func (s *opStats) take() snapshot {
	snap := snapshot{clientErrors: s.clientErrors.Swap(0), serverErrors: s.serverErrors.Swap(0)}
	for i := range s.buckets {
		if n := s.buckets[i].Swap(0); n > 0 {
			snap.buckets = append(snap.buckets, bucketCount{i, n})
			snap.requests += n
		}
	}
	snap.sumMicros = s.sumMicros.Swap(0)
	snap.minMicros = s.minMicros.Swap(math.MaxUint64)
	snap.maxMicros = s.maxMicros.Swap(0)
	return snap
}
