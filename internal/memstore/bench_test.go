package memstore_test

import (
	"fmt"
	"testing"
)

// BenchmarkListPage lists a limit=100 page with 100 and with 100,000 actors stored, at the
// start, the middle and the end of the listing. List binary-searches to `after` instead of
// scanning, so the ns/op of the sub-benchmarks should not grow with the number stored; no
// test asserts on time.
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		s := filled(b, n)
		for _, at := range []struct {
			name  string
			after int64
		}{{"start", 0}, {"middle", int64(n/2) - 50}, {"end", int64(n) - 100}} {
			b.Run(fmt.Sprintf("actors=%d/after=%s", n, at.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.List(b.Context(), at.after, 100); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkGet reads one actor from a small and a large store.
func BenchmarkGet(b *testing.B) {
	for _, n := range []int{8, 100_000} {
		s := filled(b, n)
		b.Run(fmt.Sprintf("actors=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Get(b.Context(), int64(n/2)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
