// Package storetest is the behavioural contract of actors.Store: one table of cases that
// every implementation runs, so the in-memory store and the DynamoDB store are held to
// exactly the same rules, not to two copies that drift apart.
//
// An implementation's test calls Run with a function that opens a fresh store seeded with
// actors.Seed(); every case opens its own store, so cases never see each other's writes.
package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

// Open returns a new, independent store holding exactly actors.Seed() as ids 1 to 8, that
// may hold at most maxActors actors (0: no limit). It registers its own cleanup with t.
type Open func(t *testing.T, maxActors int) actors.Store

// Options tune the cases that cost time; the zero value is the full contract.
type Options struct {
	// Writers and Successes size the no-lost-update case: Writers goroutines each do
	// read-then-If-Match-update until Successes of their writes went through.
	// Defaults: 32 and 50.
	Writers, Successes int
}

type testCase struct {
	name string
	run  func(t *testing.T, ctx context.Context, s actors.Store, o Options)
}

// cases is the contract; each file of this package adds its part.
func cases() []testCase {
	var all []testCase
	all = append(all, seedCases...)
	all = append(all, crudCases...)
	all = append(all, ifMatchCases...)
	all = append(all, listCases...)
	all = append(all, concurrencyCases...)
	return all
}

// Run runs the whole contract against the stores that open returns.
func Run(t *testing.T, open Open) { RunWith(t, open, Options{}) }

// RunWith is Run with options.
func RunWith(t *testing.T, open Open, o Options) {
	t.Helper()
	if o.Writers == 0 {
		o.Writers = 32
	}
	if o.Successes == 0 {
		o.Successes = 50
	}
	calls := &recorded{}
	ran := 0
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			ran++
			c.run(t, t.Context(), recording{open(t, 0), calls}, o)
		})
	}
	for _, c := range fullCases {
		t.Run(c.name, func(t *testing.T) {
			ran++
			c.run(t, t.Context(), recording{open(t, capacity), calls}, o)
		})
	}
	// A method of actors.Store that no case calls is a rule no store is held to. Only a run of
	// every case can tell (go test -run may pick some).
	if ran < len(cases())+len(fullCases) {
		return
	}
	store := reflect.TypeFor[actors.Store]()
	for i := range store.NumMethod() {
		if name := store.Method(i).Name; !calls.has(name) {
			t.Errorf("no case of the store contract calls Store.%s: add one to internal/storetest", name)
		}
	}
}

// seedActors is the seed as the store must return it: ids 1…8, version 1.
func seedActors() []actors.Actor {
	var want []actors.Actor
	for i, f := range actors.Seed() {
		want = append(want, actors.Actor{ID: int64(i + 1), Name: f.Name, Role: f.Role, Version: 1})
	}
	return want
}

func ptr(s string) *string { return &s }

// mustGet fails the test unless id exists, and returns it.
func mustGet(t *testing.T, ctx context.Context, s actors.Store, id int64) actors.Actor {
	t.Helper()
	a, err := s.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return a
}

// listAll walks every page with the given page size and returns the actors and pages seen.
func listAll(t *testing.T, ctx context.Context, s actors.Store, limit int) ([]actors.Actor, int) {
	t.Helper()
	var all []actors.Actor
	var after int64
	for pages := 1; ; pages++ {
		p, err := s.List(ctx, after, limit)
		if err != nil {
			t.Fatalf("List(after=%d, limit=%d): %v", after, limit, err)
		}
		if len(p.Actors) > limit {
			t.Fatalf("List(after=%d, limit=%d) returned %d actors", after, limit, len(p.Actors))
		}
		all = append(all, p.Actors...)
		if !p.More {
			return all, pages
		}
		if len(p.Actors) == 0 {
			t.Fatalf("List(after=%d): More with an empty page would loop forever", after)
		}
		after = p.Actors[len(p.Actors)-1].ID
		if pages > 10_000 {
			t.Fatal("List never ends")
		}
	}
}
