//go:build unix

package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// TestFullStoreAnswers507 runs the built binary with a small ACTORS_MAX_ACTORS and fills
// it: past the limit, POST answers 507 as a problem document (the client checks every
// answer against the spec), and every actor stored before is still there, unchanged.
// Deleting one makes room for one more.
func TestFullStoreAnswers507(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	const limit = 20 // the 8 seed actors and 12 more
	srv := startBinary(t, devEnv(map[string]string{"ACTORS_MAX_ACTORS": fmt.Sprint(limit)}))
	c := newClient(t, srv.base, "user", "password")
	ctx := context.Background()

	for i := 9; i <= limit; i++ {
		created, err := c.CreateActorWithResponse(ctx, actorsapi.ActorInput{Actor: fmt.Sprint("Actor ", i), Role: "Extra"})
		if err != nil || created.JSON201 == nil {
			t.Fatalf("create %d of %d: %v %s", i, limit, err, created.Status())
		}
	}
	list, err := c.ListActorsWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil || len(*list.JSON200) != limit {
		t.Fatalf("list of a full store: %v, want %d actors", err, limit)
	}
	stored := *list.JSON200

	for range 3 {
		full, err := c.CreateActorWithResponse(ctx, actorsapi.ActorInput{Actor: "One Too Many", Role: "Extra"})
		if err != nil {
			t.Fatal(err)
		}
		p := full.ApplicationproblemJSON507
		if full.StatusCode() != http.StatusInsufficientStorage || p == nil {
			t.Fatalf("create in a full store: %s, want 507 with a problem document", full.Status())
		}
		if p.Status != http.StatusInsufficientStorage || p.Title != "Insufficient Storage" || p.Detail == "" {
			t.Errorf("problem = %+v", *p)
		}
	}

	after, err := c.ListActorsWithResponse(ctx, nil)
	if err != nil || after.JSON200 == nil || fmt.Sprint(*after.JSON200) != fmt.Sprint(stored) {
		t.Fatalf("after refused creates the store holds %v, want %v", after.JSON200, stored)
	}
	for _, a := range stored {
		got, err := c.GetActorWithResponse(ctx, a.Id, nil)
		if err != nil || got.JSON200 == nil || *got.JSON200 != a || got.HTTPResponse.Header.Get("ETag") != `"1"` {
			t.Errorf("actor %d after refused creates: %v %s", a.Id, err, got.Status())
		}
	}

	if del, err := c.DeleteActorWithResponse(ctx, 9, nil); err != nil || del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %s", err, del.Status())
	}
	again, err := c.CreateActorWithResponse(ctx, actorsapi.ActorInput{Actor: "Room Again", Role: "Extra"})
	if err != nil || again.JSON201 == nil || again.JSON201.Id != limit+1 {
		t.Fatalf("create after a delete: %v %s, want 201 with id %d", err, again.Status(), limit+1)
	}
}
