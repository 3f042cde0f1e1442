package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

// TestLoadAndVerify runs the soak's clients for a moment against the handler in-process, so
// the driver cannot rot between soaks, and shows that verify notices a lost and a stray actor.
func TestLoadAndVerify(t *testing.T) {
	store := memstore.New(0, actors.Seed()...)
	h, err := httpapi.NewHandler(httpapi.Config{Store: store, Username: soakUser, Password: soakPassword})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	l := newLoad(srv.URL, soakUser, soakPassword, srv.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	l.run(ctx, 4)
	t.Log(l.summary(500 * time.Millisecond))
	if n := l.errors.Load(); n > 0 {
		t.Errorf("%d errors", n)
	}
	for o := range opCount {
		if l.ops[o].Load() == 0 {
			t.Errorf("no %s was sent", opNames[o])
		}
	}
	diffs, err := l.verify(context.Background())
	if err != nil || len(diffs) > 0 {
		t.Fatalf("verify: %v %v", err, diffs)
	}

	// Behind the clients' backs: one actor lost, one that no client created.
	var id int64
	for known, a := range l.model.actors {
		if !a.deleted {
			id = known
			break
		}
	}
	if err := store.Delete(context.Background(), id, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(context.Background(), actors.Fields{Name: "Stray", Role: "Nobody"}); err != nil {
		t.Fatal(err)
	}
	diffs, err = l.verify(context.Background())
	if err != nil || len(diffs) != 2 {
		t.Errorf("after losing id %d and adding a stray: %v, %d differences %v; want 2", id, err, len(diffs), diffs)
	}
}
