package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

var crudCases = []testCase{
	{"create/ids grow from 9 at version 1", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for want := int64(9); want <= 11; want++ {
			f := actors.Fields{Name: "Patrick Stewart", Role: "Jean-Luc Picard"}
			a, err := s.Create(ctx, f)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if exp := (actors.Actor{ID: want, Name: f.Name, Role: f.Role, Version: 1}); a != exp {
				t.Fatalf("Create = %+v, want %+v", a, exp)
			}
			if got := mustGet(t, ctx, s, want); got != a {
				t.Errorf("Get(%d) = %+v, want %+v", want, got, a)
			}
		}
	}},
	{"create/ids are never reused after delete", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		a, err := s.Create(ctx, actors.Fields{Name: "Brent Spiner", Role: "Data"})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Delete(ctx, a.ID, nil); err != nil {
			t.Fatalf("Delete(%d): %v", a.ID, err)
		}
		if err := s.Delete(ctx, 8, nil); err != nil {
			t.Fatalf("Delete(8): %v", err)
		}
		b, err := s.Create(ctx, actors.Fields{Name: "LeVar Burton", Role: "Geordi La Forge"})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if b.ID != a.ID+1 {
			t.Errorf("Create after deleting the newest id %d gave id %d, want %d", a.ID, b.ID, a.ID+1)
		}
	}},
	{"replace/sets both fields and bumps the version", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		f := actors.Fields{Name: "Chris Pine", Role: "James T. Kirk"}
		a, err := s.Replace(ctx, 1, f, nil)
		if err != nil {
			t.Fatalf("Replace: %v", err)
		}
		want := actors.Actor{ID: 1, Name: f.Name, Role: f.Role, Version: 2}
		if a != want {
			t.Fatalf("Replace = %+v, want %+v", a, want)
		}
		if got := mustGet(t, ctx, s, 1); got != want {
			t.Errorf("Get after Replace = %+v, want %+v", got, want)
		}
	}},
	{"update/patches only the given fields", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		seed := seedActors()[1]
		steps := []struct {
			patch actors.Patch
			want  actors.Actor
		}{
			{actors.Patch{Role: ptr("Mr. Spock")}, actors.Actor{ID: 2, Name: seed.Name, Role: "Mr. Spock", Version: 2}},
			{actors.Patch{Name: ptr("Zachary Quinto")}, actors.Actor{ID: 2, Name: "Zachary Quinto", Role: "Mr. Spock", Version: 3}},
			// An empty patch is still a write: the version moves, like any PATCH.
			{actors.Patch{}, actors.Actor{ID: 2, Name: "Zachary Quinto", Role: "Mr. Spock", Version: 4}},
			{actors.Patch{Name: ptr("Leonard Nimoy"), Role: ptr("Spock")}, actors.Actor{ID: 2, Name: seed.Name, Role: seed.Role, Version: 5}},
		}
		for _, st := range steps {
			a, err := s.Update(ctx, 2, st.patch, nil)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if a != st.want {
				t.Fatalf("Update = %+v, want %+v", a, st.want)
			}
			if got := mustGet(t, ctx, s, 2); got != st.want {
				t.Fatalf("Get after Update = %+v, want %+v", got, st.want)
			}
		}
	}},
	{"delete/removes the actor", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		if err := s.Delete(ctx, 3, nil); err != nil {
			t.Fatalf("Delete(3): %v", err)
		}
		if _, err := s.Get(ctx, 3); !errors.Is(err, actors.ErrNotFound) {
			t.Errorf("Get after Delete: error = %v, want ErrNotFound", err)
		}
		all, _ := listAll(t, ctx, s, 100)
		if len(all) != 7 {
			t.Fatalf("List after Delete has %d actors, want 7", len(all))
		}
		for _, a := range all {
			if a.ID == 3 {
				t.Error("List still shows the deleted actor 3")
			}
		}
	}},
	{"not found/writes to unknown or deleted ids wrap ErrNotFound", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		if err := s.Delete(ctx, 4, nil); err != nil {
			t.Fatalf("Delete(4): %v", err)
		}
		for _, id := range []int64{4, 9, 99} {
			for _, m := range []actors.IfMatch{nil, {1}, {1, 2}} {
				if _, err := s.Replace(ctx, id, actors.Fields{Name: "x", Role: "y"}, m); !errors.Is(err, actors.ErrNotFound) {
					t.Errorf("Replace(%d, IfMatch %v) error = %v, want ErrNotFound", id, m, err)
				}
				if _, err := s.Update(ctx, id, actors.Patch{Name: ptr("x")}, m); !errors.Is(err, actors.ErrNotFound) {
					t.Errorf("Update(%d, IfMatch %v) error = %v, want ErrNotFound", id, m, err)
				}
				if err := s.Delete(ctx, id, m); !errors.Is(err, actors.ErrNotFound) {
					t.Errorf("Delete(%d, IfMatch %v) error = %v, want ErrNotFound", id, m, err)
				}
			}
		}
		// A failed write must not bring a deleted actor back or create an unknown one.
		for _, id := range []int64{4, 9, 99} {
			if _, err := s.Get(ctx, id); !errors.Is(err, actors.ErrNotFound) {
				t.Errorf("Get(%d) after failed writes: error = %v, want ErrNotFound", id, err)
			}
		}
	}},
}
