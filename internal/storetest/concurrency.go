package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

var concurrencyCases = []testCase{
	{"concurrency/no lost update", func(t *testing.T, ctx context.Context, s actors.Store, o Options) {
		NoLostUpdate(t, ctx, []actors.Store{s}, 1, o.Writers, o.Successes)
	}},
	{"concurrency/creates get distinct ids", func(t *testing.T, ctx context.Context, s actors.Store, o Options) {
		const each = 5
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for w := range o.Writers {
			wg.Go(func() {
				for range each {
					a, err := s.Create(ctx, actors.Fields{Name: fmt.Sprint("writer ", w), Role: "extra"})
					if err != nil {
						t.Errorf("Create: %v", err)
						return
					}
					mu.Lock()
					if seen[a.ID] {
						t.Errorf("id %d given twice", a.ID)
					}
					seen[a.ID] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		all, _ := listAll(t, ctx, s, 1000)
		if want := 8 + o.Writers*each; len(all) != want {
			t.Errorf("List after concurrent creates has %d actors, want %d", len(all), want)
		}
	}},
}

// NoLostUpdate has writers goroutines, spread over the given stores (which must share
// their data), each read actor id and then write it with If-Match on the version read,
// until successes of its writes went through. Every success must yield a distinct version
// and the final version must be 1 + all successes: a lost update would leave it lower.
// It is exported so an implementation can run it across several store instances.
func NoLostUpdate(t *testing.T, ctx context.Context, stores []actors.Store, id int64, writers, successes int) {
	t.Helper()
	start := mustGet(t, ctx, stores[0], id).Version
	var mu sync.Mutex
	versions := map[int64]bool{}
	refused := 0
	var wg sync.WaitGroup
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for done := 0; done < successes; {
				cur, err := s.Get(ctx, id)
				if err != nil {
					t.Errorf("writer %d: Get: %v", w, err)
					return
				}
				role := fmt.Sprintf("writer %d, write %d", w, done)
				a, err := s.Update(ctx, id, actors.Patch{Role: &role}, actors.IfMatch{cur.Version})
				if errors.Is(err, actors.ErrVersionMismatch) {
					mu.Lock()
					refused++
					mu.Unlock()
					continue // another writer got there first: read again
				}
				if err != nil {
					t.Errorf("writer %d: Update: %v", w, err)
					return
				}
				if a.Version != cur.Version+1 || a.Role != role {
					t.Errorf("writer %d: Update at version %d returned %+v", w, cur.Version, a)
				}
				mu.Lock()
				if versions[a.Version] {
					t.Errorf("version %d was returned by two successful writes", a.Version)
				}
				versions[a.Version] = true
				mu.Unlock()
				done++
			}
		})
	}
	wg.Wait()
	// How often If-Match refused a stale write shows the writers did overlap.
	t.Logf("%d writers, %d successes each, %d stale writes refused", writers, successes, refused)
	if t.Failed() {
		return
	}
	want := start + int64(writers*successes)
	for _, s := range stores {
		if got := mustGet(t, ctx, s, id).Version; got != want {
			t.Errorf("final version %d, want %d = %d + %d writers × %d successes", got, want, start, writers, successes)
		}
	}
}
