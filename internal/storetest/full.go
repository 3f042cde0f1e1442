package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

// capacity is the limit of the stores the fullCases run on: the 8 seed actors leave room
// for two more.
const capacity = 10

var fullCases = []testCase{
	{"full/create past the limit wraps ErrFull and changes nothing", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		for want := int64(9); want <= capacity; want++ {
			if a, err := s.Create(ctx, actors.Fields{Name: "Anson Mount", Role: "Christopher Pike"}); err != nil || a.ID != want {
				t.Fatalf("Create with room left = %+v, %v; want id %d", a, err, want)
			}
		}
		before, _ := listAll(t, ctx, s, 100)
		for range 3 {
			if a, err := s.Create(ctx, actors.Fields{Name: "Ethan Peck", Role: "Spock"}); !errors.Is(err, actors.ErrFull) {
				t.Fatalf("Create on a full store = %+v, %v; want ErrFull", a, err)
			}
		}
		if after, _ := listAll(t, ctx, s, 100); !slices.Equal(after, before) {
			t.Fatalf("refused creates changed the store:\nbefore %v\nafter  %v", before, after)
		}
		if _, err := s.Get(ctx, capacity+1); !errors.Is(err, actors.ErrNotFound) {
			t.Errorf("Get(%d) after refused creates: error = %v, want ErrNotFound", capacity+1, err)
		}
	}},
	{"full/a full store still reads, writes and deletes", func(t *testing.T, ctx context.Context, s actors.Store, _ Options) {
		fill(t, ctx, s, capacity)
		if _, err := s.Replace(ctx, 1, actors.Fields{Name: "Paul Wesley", Role: "James T. Kirk"}, actors.IfMatch{1}); err != nil {
			t.Errorf("Replace on a full store: %v", err)
		}
		if _, err := s.Update(ctx, 2, actors.Patch{Role: ptr("Mr. Spock")}, nil); err != nil {
			t.Errorf("Update on a full store: %v", err)
		}
		if err := s.Delete(ctx, 3, actors.IfMatch{1}); err != nil {
			t.Fatalf("Delete on a full store: %v", err)
		}
		// The deleted actor made room for one; the refused creates took no id.
		a, err := s.Create(ctx, actors.Fields{Name: "Babs Olusanmokun", Role: "M'Benga"})
		if err != nil || a.ID != capacity+1 {
			t.Fatalf("Create after a delete = %+v, %v; want id %d", a, err, capacity+1)
		}
		if _, err := s.Create(ctx, actors.Fields{Name: "Christina Chong", Role: "La'an Noonien-Singh"}); !errors.Is(err, actors.ErrFull) {
			t.Errorf("Create once full again: error = %v, want ErrFull", err)
		}
	}},
	{"full/concurrent creates stop at the limit", func(t *testing.T, ctx context.Context, s actors.Store, o Options) {
		LimitHolds(t, ctx, []actors.Store{s}, capacity, o.Writers)
	}},
}

// fill creates actors until s holds n, and fails the test unless each create succeeds.
func fill(t *testing.T, ctx context.Context, s actors.Store, n int) {
	t.Helper()
	all, _ := listAll(t, ctx, s, 1000)
	for i := len(all); i < n; i++ {
		if _, err := s.Create(ctx, actors.Fields{Name: fmt.Sprint("filler ", i), Role: "extra"}); err != nil {
			t.Fatalf("Create %d of %d: %v", i+1, n, err)
		}
	}
}

// LimitHolds has writers goroutines, spread over the given stores (which must share their
// data and hold at most maxActors), each create one actor at once: exactly as many must
// succeed as there was room for, the others must fail with ErrFull, and the store must
// then hold maxActors actors. It is exported so an implementation can run it across
// several store instances.
func LimitHolds(t *testing.T, ctx context.Context, stores []actors.Store, maxActors, writers int) {
	t.Helper()
	before, _ := listAll(t, ctx, stores[0], 1000)
	room := maxActors - len(before)
	if room < 0 || room >= writers {
		t.Fatalf("%d actors stored, limit %d, %d writers: want fewer than %d places left", len(before), maxActors, writers, writers)
	}
	var mu sync.Mutex
	created, refused := 0, 0
	var wg sync.WaitGroup
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			_, err := s.Create(ctx, actors.Fields{Name: fmt.Sprint("writer ", w), Role: "extra"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case errors.Is(err, actors.ErrFull):
				refused++
			default:
				t.Errorf("writer %d: Create: %v", w, err)
			}
		})
	}
	wg.Wait()
	if created != room || refused != writers-room {
		t.Errorf("%d concurrent creates with room for %d: %d created, %d refused; want %d and %d", writers, room, created, refused, room, writers-room)
	}
	for _, s := range stores {
		if all, _ := listAll(t, ctx, s, 1000); len(all) > maxActors {
			t.Errorf("the store holds %d actors, over its limit of %d", len(all), maxActors)
		}
	}
}
