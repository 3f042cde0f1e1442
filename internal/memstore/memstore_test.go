package memstore_test

import (
	"fmt"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, maxActors int) actors.Store { return memstore.New(maxActors, actors.Seed()...) })
}

// filled returns a store of n actors.
func filled(tb testing.TB, n int) *memstore.Store {
	tb.Helper()
	fields := make([]actors.Fields, n)
	for i := range fields {
		fields[i] = actors.Fields{Name: fmt.Sprint("actor ", i+1), Role: "role"}
	}
	return memstore.New(0, fields...)
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
