package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

// A write is one of the three kinds that take an IfMatch, so every rule below is
// checked for Replace, Update and Delete alike.
type write struct {
	name string
	do   func(ctx context.Context, s actors.Store, id int64, m actors.IfMatch) error
}

var writes = []write{
	{"replace", func(ctx context.Context, s actors.Store, id int64, m actors.IfMatch) error {
		_, err := s.Replace(ctx, id, actors.Fields{Name: "Kate Mulgrew", Role: "Kathryn Janeway"}, m)
		return err
	}},
	{"update", func(ctx context.Context, s actors.Store, id int64, m actors.IfMatch) error {
		_, err := s.Update(ctx, id, actors.Patch{Role: ptr("Captain")}, m)
		return err
	}},
	{"delete", func(ctx context.Context, s actors.Store, id int64, m actors.IfMatch) error {
		return s.Delete(ctx, id, m)
	}},
}

// bump moves actor id to version 2, so that version 1 is stale.
func bump(t *testing.T, ctx context.Context, s actors.Store, id int64) {
	t.Helper()
	if a, err := s.Update(ctx, id, actors.Patch{}, nil); err != nil || a.Version != 2 {
		t.Fatalf("Update(%d) = %+v, %v; want version 2", id, a, err)
	}
}

var ifMatchCases = []testCase{
	{"if-match/matching version writes", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for i, w := range writes {
			id := int64(i + 1)
			bump(t, ctx, s, id)
			if err := w.do(ctx, s, id, actors.IfMatch{2}); err != nil {
				t.Errorf("%s(%d, IfMatch 2) at version 2: %v", w.name, id, err)
			}
		}
	}},
	{"if-match/stale version wraps ErrVersionMismatch and changes nothing", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for i, w := range writes {
			id := int64(i + 1)
			bump(t, ctx, s, id)
			before := mustGet(t, ctx, s, id)
			for _, m := range []actors.IfMatch{{1}, {3}, {1, 3, 7}} {
				if err := w.do(ctx, s, id, m); !errors.Is(err, actors.ErrVersionMismatch) {
					t.Errorf("%s(%d, IfMatch %v) at version 2: error = %v, want ErrVersionMismatch", w.name, id, m, err)
				}
			}
			if after := mustGet(t, ctx, s, id); after != before {
				t.Errorf("%s: a refused write changed the actor from %+v to %+v", w.name, before, after)
			}
		}
	}},
	{"if-match/any of several versions writes", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for i, w := range writes {
			id := int64(i + 1)
			bump(t, ctx, s, id)
			if err := w.do(ctx, s, id, actors.IfMatch{1, 2, 5}); err != nil {
				t.Errorf("%s(%d, IfMatch 1,2,5) at version 2: %v", w.name, id, err)
			}
		}
	}},
	{"if-match/empty allows any version", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for i, w := range writes {
			id := int64(i + 1)
			bump(t, ctx, s, id)
			for _, m := range []actors.IfMatch{nil, {}} {
				if err := w.do(ctx, s, id, m); err != nil {
					t.Errorf("%s(%d, IfMatch %#v): %v", w.name, id, m, err)
				}
				if w.name == "delete" {
					break
				}
			}
		}
	}},
	{"if-match/version grows by one per write", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for want := int64(2); want <= 6; want++ {
			a, err := s.Replace(ctx, 5, actors.Fields{Name: "Avery Brooks", Role: "Benjamin Sisko"}, actors.IfMatch{want - 1})
			if err != nil {
				t.Fatalf("Replace at version %d: %v", want-1, err)
			}
			if a.Version != want {
				t.Fatalf("Replace returned version %d, want %d", a.Version, want)
			}
		}
	}},
}
