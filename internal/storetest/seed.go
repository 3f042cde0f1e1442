package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

var seedCases = []testCase{
	{"seed/list returns the 8 actors in id order", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		p, err := s.List(ctx, 0, 100)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if want := seedActors(); !slices.Equal(p.Actors, want) {
			t.Fatalf("List(0, 100) =\n%v\nwant\n%v", p.Actors, want)
		}
		if p.More {
			t.Error("List(0, 100).More = true with 8 actors")
		}
	}},
	{"seed/get each", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for _, want := range seedActors() {
			if got := mustGet(t, ctx, s, want.ID); got != want {
				t.Errorf("Get(%d) = %+v, want %+v", want.ID, got, want)
			}
		}
	}},
	{"seed/ping", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}},
	{"get/not found wraps ErrNotFound", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for _, id := range []int64{0, 9, 99, 1 << 62} {
			if _, err := s.Get(ctx, id); !errors.Is(err, actors.ErrNotFound) {
				t.Errorf("Get(%d) error = %v, want ErrNotFound", id, err)
			}
		}
	}},
}
