package main

import (
	"math/rand/v2"
	"sync"

	"github.com/actors-dev/actors/internal/actors"
)

// model is what the clients' answers say the store holds. Every write names the version it
// produced (its ETag), and the store makes versions of one actor grow by one per write, so
// of all the answers for an actor the highest version is its final state, whatever order
// the answers arrived in. A 204 to a DELETE removes the actor for good: ids are never reused.
type model struct {
	mu     sync.Mutex
	ids    []int64 // every id the clients know, to pick from
	max    int64
	actors map[int64]*known
}

type known struct {
	name, role string
	version    int64
	deleted    bool // a DELETE got 204
	deletes    int  // DELETEs sent: after one, a 404 is an expected answer
}

func newModel() *model {
	m := &model{actors: map[int64]*known{}}
	for i, f := range actors.Seed() {
		m.add(int64(i+1), f.Name, f.Role, 1)
	}
	return m
}

func (m *model) add(id int64, name, role string, version int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids = append(m.ids, id)
	m.max = max(m.max, id)
	m.actors[id] = &known{name: name, role: role, version: version}
}

// pick returns a known id and the version the model last saw for it.
func (m *model) pick(r *rand.Rand) (int64, int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Mostly live actors: a deleted one only answers 404.
	id := m.ids[r.IntN(len(m.ids))]
	for try := 0; try < 3 && m.actors[id].deleted; try++ {
		id = m.ids[r.IntN(len(m.ids))]
	}
	return id, m.actors[id].version
}

// wrote records a successful write's answer.
func (m *model) wrote(id int64, name, role string, version int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a := m.actors[id]; version > a.version {
		a.name, a.role, a.version = name, role, version
	}
}

// deleting records a DELETE about to be sent; deleted, its 204.
func (m *model) deleting(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.actors[id].deletes++
}

func (m *model) deleted(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.actors[id].deleted = true
}

// mayBeGone reports whether a 404 for id is an expected answer: some DELETE of it (other
// than the asker's own, which it counts in own) was sent.
func (m *model) mayBeGone(id int64, own int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.actors[id]
	return a.deleted || a.deletes > own
}

// maxID is the highest id the clients know.
func (m *model) maxID() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max
}

// live counts the actors the model expects in the store.
func (m *model) live() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, a := range m.actors {
		if !a.deleted {
			n++
		}
	}
	return n
}
