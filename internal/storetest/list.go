package storetest

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

var listCases = []testCase{
	{"list/three pages of 3, 3 and 2", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		seed := seedActors()
		pages := []struct {
			after int64
			want  []actors.Actor
			more  bool
		}{
			{0, seed[0:3], true},
			{3, seed[3:6], true},
			{6, seed[6:8], false},
		}
		for _, pg := range pages {
			p, err := s.List(ctx, pg.after, 3)
			if err != nil {
				t.Fatalf("List(after=%d, 3): %v", pg.after, err)
			}
			if !slices.Equal(p.Actors, pg.want) || p.More != pg.more {
				t.Errorf("List(after=%d, 3) = %v more=%v, want %v more=%v", pg.after, p.Actors, p.More, pg.want, pg.more)
			}
		}
	}},
	{"list/a page that ends on the last actor has no More", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for _, limit := range []int{4, 8} {
			p, err := s.List(ctx, 8-int64(limit), limit)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(p.Actors) != limit || p.More {
				t.Errorf("List(after=%d, %d) gave %d actors, more=%v; want %d, false", 8-limit, limit, len(p.Actors), p.More, limit)
			}
		}
	}},
	{"list/after past the end is empty", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for _, after := range []int64{8, 9, 1000} {
			p, err := s.List(ctx, after, 10)
			if err != nil {
				t.Fatalf("List(after=%d): %v", after, err)
			}
			if len(p.Actors) != 0 || p.More {
				t.Errorf("List(after=%d) = %v more=%v, want empty", after, p.Actors, p.More)
			}
		}
	}},
	{"list/after the largest id is an empty last page", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		// A store that computes after+1 wraps around here and starts again from id 1.
		for _, limit := range []int{1, 3, 100} {
			p, err := s.List(ctx, math.MaxInt64, limit)
			if err != nil {
				t.Fatalf("List(after=MaxInt64, %d): %v", limit, err)
			}
			if len(p.Actors) != 0 || p.More {
				t.Errorf("List(after=MaxInt64, %d) = %v more=%v, want empty with no More", limit, p.Actors, p.More)
			}
		}
	}},
	{"list/after may name a deleted or unknown id", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for _, id := range []int64{3, 4} {
			if err := s.Delete(ctx, id, nil); err != nil {
				t.Fatalf("Delete(%d): %v", id, err)
			}
		}
		p, err := s.List(ctx, 3, 2)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if got := ids(p.Actors); !slices.Equal(got, []int64{5, 6}) || !p.More {
			t.Errorf("List(after=3, 2) = ids %v more=%v, want [5 6] true", got, p.More)
		}
	}},
	{"list/walks created and updated actors in id order", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for range 7 {
			if _, err := s.Create(ctx, actors.Fields{Name: "Jeri Ryan", Role: "Seven of Nine"}); err != nil {
				t.Fatalf("Create: %v", err)
			}
		}
		if err := s.Delete(ctx, 10, nil); err != nil {
			t.Fatalf("Delete(10): %v", err)
		}
		updated, err := s.Update(ctx, 12, actors.Patch{Role: ptr("Annika Hansen")}, nil)
		if err != nil {
			t.Fatalf("Update(12): %v", err)
		}
		all, pages := listAll(t, ctx, s, 5)
		want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15}
		if got := ids(all); !slices.Equal(got, want) {
			t.Fatalf("listing by pages of 5 gave ids %v, want %v", got, want)
		}
		if pages != 3 {
			t.Errorf("14 actors by pages of 5 took %d pages, want 3", pages)
		}
		if all[10] != updated {
			t.Errorf("listed actor 12 = %+v, want %+v", all[10], updated)
		}
	}},
	{"list/limit below 1 is an error", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		if _, err := s.List(ctx, 0, 0); err == nil {
			t.Error("List(0, 0) succeeded, want an error")
		}
	}},
}

func ids(as []actors.Actor) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}
