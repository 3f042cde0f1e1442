package memstore_test

import (
	"fmt"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, maxActors int) actors.Store { return memstore.NewCapped(maxActors, actors.Seed()...) })
}

// filled returns a store of n actors.
func filled(tb testing.TB, n int) *memstore.Store {
	tb.Helper()
	fields := make([]actors.Fields, n)
	for i := range fields {
		fields[i] = actors.Fields{Name: fmt.Sprint("actor ", i+1), Role: "role"}
	}
	return memstore.New(fields...)
}

// TestListDeepPage checks a page far into a large store, the case BenchmarkList times.
func TestListDeepPage(t *testing.T) {
	s := filled(t, 100_000)
	p, err := s.List(t.Context(), 99_990, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actors) != 10 || p.Actors[0].ID != 99_991 || p.More {
		t.Fatalf("List(after=99990, 100) = %d actors from %d, more=%v", len(p.Actors), p.Actors[0].ID, p.More)
	}
}

// BenchmarkList shows that a page costs the same with 100 or 100,000 actors stored, at
// the start or deep in the listing: List binary-searches to `after` instead of scanning.
// Compare the ns/op of the sub-benchmarks; no test asserts on time.
func BenchmarkList(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		s := filled(b, n)
		for _, at := range []string{"start", "end"} {
			after := int64(0)
			if at == "end" {
				after = int64(n - 50)
			}
			b.Run(fmt.Sprintf("actors=%d/after=%s", n, at), func(b *testing.B) {
				for b.Loop() {
					if _, err := s.List(b.Context(), after, 50); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
