// Package actors is the domain: an Actor, the Store that keeps them, and its errors.
// It imports nothing of ours, so every store and the HTTP layer can depend on it.
package actors

import (
	"context"
	"errors"
	"slices"
)

// Sentinel errors; stores wrap them with %w so callers test with errors.Is.
var (
	ErrNotFound        = errors.New("actor not found")
	ErrVersionMismatch = errors.New("actor version does not match")
	// ErrUnavailable means the store cannot be reached now; the request may be retried.
	ErrUnavailable = errors.New("store unavailable")
	// ErrFull means the store holds as many actors as it may: Create is refused, and
	// nothing stored changes. Deleting actors makes room again.
	ErrFull = errors.New("store is full")
)

// Actor is one actor and the role they played. Version starts at 1 and grows by one on
// every write; it is the actor's ETag.
type Actor struct {
	ID      int64
	Name    string
	Role    string
	Version int64
}

// Fields are the writable fields of an actor, as given to Create and Replace.
type Fields struct {
	Name string
	Role string
}

// Patch changes the fields that are non-nil and keeps the others.
type Patch struct {
	Name *string
	Role *string
}

// Apply returns f with the patch's fields replaced.
func (p Patch) Apply(f Fields) Fields {
	if p.Name != nil {
		f.Name = *p.Name
	}
	if p.Role != nil {
		f.Role = *p.Role
	}
	return f
}

// Page is one page of a listing in id order. More tells whether actors follow the last one.
type Page struct {
	Actors []Actor
	More   bool
}

// IfMatch is a write precondition: the versions the client accepts. Empty means any
// version (no If-Match header, or "*").
type IfMatch []int64

// Allows reports whether a write may proceed on an actor at version v.
func (m IfMatch) Allows(v int64) bool { return len(m) == 0 || slices.Contains(m, v) }

// Store keeps actors. Implementations are safe for concurrent use, allocate ids that grow
// monotonically and are never reused, and check IfMatch atomically with the write. A
// store may hold a limited number of actors; Create then fails with ErrFull.
type Store interface {
	// List returns up to limit actors whose id is greater than after, in id order.
	List(ctx context.Context, after int64, limit int) (Page, error)
	Get(ctx context.Context, id int64) (Actor, error)
	Create(ctx context.Context, f Fields) (Actor, error)
	Replace(ctx context.Context, id int64, f Fields, m IfMatch) (Actor, error)
	Update(ctx context.Context, id int64, p Patch, m IfMatch) (Actor, error)
	Delete(ctx context.Context, id int64, m IfMatch) error
	// Ping reports whether the store can serve requests (readiness).
	Ping(ctx context.Context) error
}

// Seed is the original service's data: the crew of the first Star Trek series, ids 1 to 8.
func Seed() []Fields {
	return []Fields{
		{"William Shatner", "James T"},
		{"Leonard Nimoy", "Spock"},
		{"DeForest Kelley", "Leonard McCoy"},
		{"James Doohan", "Montgomery Scott"},
		{"George Takei", "Hikaru Sulu"},
		{"Walter Koenig", "Pavel Chekov"},
		{"Nichelle Nichols", "Nyota Uhura"},
		{"Majel Barrett", "Christine Chapel"},
	}
}
