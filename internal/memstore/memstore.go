// Package memstore is the in-memory actors.Store: the default for `make run` and for a
// single task. Its content is lost when the process stops.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/actors-dev/actors/internal/actors"
)

// Store is an in-memory actors.Store, safe for concurrent use.
type Store struct {
	mu     sync.RWMutex
	byID   map[int64]actors.Actor
	ids    []int64 // ascending: ids only grow, so Create appends and List binary-searches
	lastID int64
	max    int // most actors Create may bring the store to; 0: no limit
}

var _ actors.Store = (*Store)(nil)

// New returns a store holding the given actors with ids 1, 2, … in order, and at most
// maxActors actors (0: no limit), so that clients cannot grow it until the process runs
// out of memory. The seed is stored whatever the limit.
func New(maxActors int, seed ...actors.Fields) *Store {
	s := &Store{byID: make(map[int64]actors.Actor, len(seed)), max: maxActors}
	for _, f := range seed {
		s.insert(f)
	}
	return s
}

func (s *Store) insert(f actors.Fields) actors.Actor {
	s.lastID++
	a := actors.Actor{ID: s.lastID, Name: f.Name, Role: f.Role, Version: 1}
	s.byID[a.ID] = a
	s.ids = append(s.ids, a.ID)
	return a
}

// List returns up to limit actors with id > after. Its cost depends on limit, not on the
// number of actors stored: a binary search finds the start.
func (s *Store) List(_ context.Context, after int64, limit int) (actors.Page, error) {
	if limit < 1 {
		return actors.Page{}, fmt.Errorf("list: limit %d < 1", limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The first id above after; after+1 would overflow at the largest int64.
	start, found := slices.BinarySearch(s.ids, after)
	if found {
		start++
	}
	end := min(start+limit, len(s.ids))
	page := actors.Page{Actors: make([]actors.Actor, 0, end-start), More: end < len(s.ids)}
	for _, id := range s.ids[start:end] {
		page.Actors = append(page.Actors, s.byID[id])
	}
	return page, nil
}

// Get returns the actor with this id.
func (s *Store) Get(_ context.Context, id int64) (actors.Actor, error) {
	s.mu.RLock()
	a, ok := s.byID[id]
	s.mu.RUnlock()
	if !ok {
		return actors.Actor{}, fmt.Errorf("get %d: %w", id, actors.ErrNotFound)
	}
	return a, nil
}

// Create stores a new actor under the next id, unless the store is full.
func (s *Store) Create(_ context.Context, f actors.Fields) (actors.Actor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && len(s.byID) >= s.max {
		return actors.Actor{}, fmt.Errorf("create: %d actors stored: %w", len(s.byID), actors.ErrFull)
	}
	return s.insert(f), nil
}

// Replace sets all fields of the actor if m allows its current version.
func (s *Store) Replace(_ context.Context, id int64, f actors.Fields, m actors.IfMatch) (actors.Actor, error) {
	return s.write(id, m, func(actors.Fields) actors.Fields { return f })
}

// Update applies p to the actor if m allows its current version.
func (s *Store) Update(_ context.Context, id int64, p actors.Patch, m actors.IfMatch) (actors.Actor, error) {
	return s.write(id, m, p.Apply)
}

func (s *Store) write(id int64, m actors.IfMatch, change func(actors.Fields) actors.Fields) (actors.Actor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return actors.Actor{}, fmt.Errorf("write %d: %w", id, actors.ErrNotFound)
	}
	if !m.Allows(a.Version) {
		return actors.Actor{}, fmt.Errorf("write %d at version %d: %w", id, a.Version, actors.ErrVersionMismatch)
	}
	f := change(actors.Fields{Name: a.Name, Role: a.Role})
	a.Name, a.Role, a.Version = f.Name, f.Role, a.Version+1
	s.byID[id] = a
	return a, nil
}

// Delete removes the actor if m allows its current version. Its id is not reused.
func (s *Store) Delete(_ context.Context, id int64, m actors.IfMatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("delete %d: %w", id, actors.ErrNotFound)
	}
	if !m.Allows(a.Version) {
		return fmt.Errorf("delete %d at version %d: %w", id, a.Version, actors.ErrVersionMismatch)
	}
	delete(s.byID, id)
	if i, found := slices.BinarySearch(s.ids, id); found {
		s.ids = slices.Delete(s.ids, i, i+1)
	}
	return nil
}

// Ping always succeeds: memory is always reachable.
func (s *Store) Ping(context.Context) error { return nil }
