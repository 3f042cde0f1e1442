package dynamostore_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/storetest"
)

// writers and successes size the no-lost-update runs here. The writers are the full 32;
// successes are fewer than the in-memory store's 50 because every round of 32 contended
// writes is ~64 HTTP requests to dynalite (a single-threaded JavaScript server doing a
// few hundred requests a second), and 50 rounds would take minutes without testing
// anything more: the property is checked on every write either way.
const writers, successes = 32, 3

func TestContract(t *testing.T) {
	endpoint(t) // skip once here rather than in every case
	storetest.RunWith(t, func(t *testing.T, maxActors int) actors.Store {
		s, _ := seededWith(t, maxActors)
		return s
	}, storetest.Options{Writers: writers, Successes: successes})
}

// Two stores with their own clients on one table stand for two tasks behind the load
// balancer: each sees the other's writes at once.
func TestTwoStoresShareTable(t *testing.T) {
	ctx := t.Context()
	a, table := seeded(t)
	b := open(t, table)
	if err := b.Seed(ctx); err != nil {
		t.Fatalf("second Seed: %v", err)
	}

	created, err := a.Create(ctx, actors.Fields{Name: "Patrick Stewart", Role: "Jean-Luc Picard"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, created.ID); err != nil || got != created {
		t.Fatalf("b.Get(%d) = %+v, %v; want %+v", created.ID, got, err, created)
	}
	updated, err := b.Update(ctx, created.ID, actors.Patch{Role: ptr("Captain Picard")}, actors.IfMatch{1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Replace(ctx, created.ID, actors.Fields{Name: "x", Role: "y"}, actors.IfMatch{1}); !errors.Is(err, actors.ErrVersionMismatch) {
		t.Fatalf("a.Replace with the version b replaced: error = %v, want ErrVersionMismatch", err)
	}
	if got, err := a.Get(ctx, created.ID); err != nil || got != updated {
		t.Fatalf("a.Get = %+v, %v; want %+v", got, err, updated)
	}
	next, err := b.Create(ctx, actors.Fields{Name: "Jonathan Frakes", Role: "William Riker"})
	if err != nil || next.ID != created.ID+1 {
		t.Fatalf("b.Create = %+v, %v; want id %d (one counter for both)", next, err, created.ID+1)
	}
	if err := a.Delete(ctx, next.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, next.ID); !errors.Is(err, actors.ErrNotFound) {
		t.Fatalf("b.Get of an actor a deleted: error = %v, want ErrNotFound", err)
	}
	p, err := b.List(ctx, 8, 10)
	if err != nil || len(p.Actors) != 1 || p.Actors[0] != updated {
		t.Fatalf("b.List(after=8) = %+v, %v; want just %+v", p, err, updated)
	}
}

// 32 writers spread over two stores on one table lose no update.
func TestNoLostUpdateAcrossStores(t *testing.T) {
	a, table := seeded(t)
	b := open(t, table)
	storetest.NoLostUpdate(t, t.Context(), []actors.Store{a, b}, 1, writers, successes)
}

// Tasks that start together on an empty table seed it once: exactly the 8 actors, and
// the next id is 9.
func TestSeedConcurrently(t *testing.T) {
	ctx := t.Context()
	table := newTable(t)
	stores := make([]*dynamostore.Store, 8)
	for i := range stores {
		stores[i] = open(t, table)
	}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			if err := s.Seed(ctx); err != nil {
				t.Errorf("Seed: %v", err)
			}
		})
	}
	wg.Wait()
	checkSeedOnly(t, stores[3])
	a, err := stores[5].Create(ctx, actors.Fields{Name: "Michael Dorn", Role: "Worf"})
	if err != nil || a.ID != 9 {
		t.Fatalf("Create after seeding = %+v, %v; want id 9", a, err)
	}
}

func checkSeedOnly(t *testing.T, s actors.Store) {
	t.Helper()
	p, err := s.List(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var want []actors.Actor
	for i, f := range actors.Seed() {
		want = append(want, actors.Actor{ID: int64(i + 1), Name: f.Name, Role: f.Role, Version: 1})
	}
	if !slices.Equal(p.Actors, want) || p.More {
		t.Fatalf("List = %+v more=%v; want exactly the seed", p.Actors, p.More)
	}
}

// A restarted service (a new store and client on the same table) finds the data as it
// was, and its Seed neither resets it nor brings a deleted seed actor back.
func TestDataSurvivesReopening(t *testing.T) {
	ctx := t.Context()
	first, table := seeded(t)
	created, err := first.Create(ctx, actors.Fields{Name: "Gates McFadden", Role: "Beverly Crusher"})
	if err != nil {
		t.Fatal(err)
	}
	updated, err := first.Update(ctx, 1, actors.Patch{Role: ptr("James Tiberius Kirk")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Delete(ctx, 2, nil); err != nil {
		t.Fatal(err)
	}

	again := open(t, table)
	if err := again.Seed(ctx); err != nil {
		t.Fatalf("Seed on reopening: %v", err)
	}
	for _, want := range []actors.Actor{created, updated} {
		if got, err := again.Get(ctx, want.ID); err != nil || got != want {
			t.Errorf("Get(%d) after reopening = %+v, %v; want %+v", want.ID, got, err, want)
		}
	}
	if _, err := again.Get(ctx, 2); !errors.Is(err, actors.ErrNotFound) {
		t.Errorf("deleted seed actor 2 after reopening: error = %v, want ErrNotFound", err)
	}
	if a, err := again.Create(ctx, actors.Fields{Name: "Wil Wheaton", Role: "Wesley Crusher"}); err != nil || a.ID != created.ID+1 {
		t.Errorf("Create after reopening = %+v, %v; want id %d", a, err, created.ID+1)
	}
}

// A table that already holds actors (made by Create before any Seed) is not seeded.
func TestSeedLeavesUsedTableAlone(t *testing.T) {
	ctx := t.Context()
	s := open(t, newTable(t))
	a, err := s.Create(ctx, actors.Fields{Name: "Scott Bakula", Role: "Jonathan Archer"})
	if err != nil || a.ID != 1 {
		t.Fatalf("Create on an empty, unseeded table = %+v, %v; want id 1", a, err)
	}
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := s.List(ctx, 0, 100)
	if err != nil || len(p.Actors) != 1 || p.Actors[0] != a {
		t.Fatalf("List after Seed on a used table = %+v, %v; want only %+v", p, err, a)
	}
}

// An If-Match longer than DynamoDB's IN takes still works, through a read.
func TestManyIfMatchVersions(t *testing.T) {
	ctx := t.Context()
	s, _ := seeded(t)
	long := make(actors.IfMatch, 0, 150)
	for v := int64(150); v > 1; v-- {
		long = append(long, v)
	}
	if _, err := s.Update(ctx, 1, actors.Patch{}, long); !errors.Is(err, actors.ErrVersionMismatch) {
		t.Fatalf("Update at version 1 with 150 other versions: error = %v, want ErrVersionMismatch", err)
	}
	long = append(long, 1)
	if a, err := s.Update(ctx, 1, actors.Patch{Role: ptr("Jim")}, long); err != nil || a.Version != 2 {
		t.Fatalf("Update with 1 among 151 versions = %+v, %v; want version 2", a, err)
	}
	if err := s.Delete(ctx, 1, long); err != nil {
		t.Fatalf("Delete with 2 among 151 versions: %v", err)
	}
	if err := s.Delete(ctx, 1, long); !errors.Is(err, actors.ErrNotFound) {
		t.Fatalf("Delete again: error = %v, want ErrNotFound", err)
	}
}

func ptr(s string) *string { return &s }
