package main

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

// TestDynamoDBServers runs two servers on one DynamoDB table (dynalite): they seed it
// once between them, see each other's writes, lose no update when 32 writers go through
// both, and the data outlives a restart.
func TestDynamoDBServers(t *testing.T) {
	env := devEnv(dynalitetest.ServerEnv(t, ""))
	ctx := context.Background()

	// Two servers starting at once on an empty table must not seed it twice.
	var (
		a, b  string
		stopA func()
	)
	var wg sync.WaitGroup
	wg.Go(func() { a, stopA = startStoppableServer(t, env) })
	wg.Go(func() { b = startServer(t, env) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	ca, cb := newClient(t, a, "user", "password"), newClient(t, b, "user", "password")

	list, err := cb.ListActorsWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v", err)
	}
	if n := len(*list.JSON200); n != 8 {
		t.Fatalf("after two servers seeded the table: %d actors, want 8", n)
	}

	created, err := ca.CreateActorWithResponse(ctx, actorsapi.ActorInput{Actor: "Zoe Saldana", Role: "Uhura"})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create through A: %v", err)
	}
	id := created.JSON201.Id
	got, err := cb.GetActorWithResponse(ctx, id, nil)
	if err != nil || got.JSON200 == nil || got.JSON200.Actor != "Zoe Saldana" {
		t.Fatalf("B does not see A's write: %v %s", err, got.Status())
	}

	// 32 writers, half through each server, read-then-If-Match-update until each succeeds
	// twice: the final version must count every success.
	const writers, successes = 32, 2
	clients := []*actorsapi.ClientWithResponses{ca, cb}
	var writes sync.WaitGroup
	for w := range writers {
		c := clients[w%2]
		writes.Go(func() {
			role := "writer"
			for done := 0; done < successes; {
				cur, err := c.GetActorWithResponse(ctx, id, nil)
				if err != nil || cur.JSON200 == nil {
					t.Errorf("get: %v", err)
					return
				}
				tag := cur.HTTPResponse.Header.Get("ETag")
				resp, err := c.PatchActorWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id,
					&actorsapi.PatchActorParams{IfMatch: &tag}, actorsapi.ActorPatch{Role: &role})
				if err != nil {
					t.Errorf("patch: %v", err)
					return
				}
				switch resp.StatusCode() {
				case http.StatusOK:
					done++
				case http.StatusPreconditionFailed:
				default:
					t.Errorf("patch: %s", resp.Status())
					return
				}
			}
		})
	}
	writes.Wait()
	final, err := ca.GetActorWithResponse(ctx, id, nil)
	if err != nil || final.JSON200 == nil {
		t.Fatalf("get: %v", err)
	}
	if got, want := final.HTTPResponse.Header.Get("ETag"), `"65"`; got != want {
		t.Errorf("final ETag = %s, want %s (1 + %d×%d updates)", got, want, writers, successes)
	}

	// Restart A: the table keeps what was written, and nothing is seeded again.
	stopA()
	ca = newClient(t, startServer(t, env), "user", "password")
	after, err := ca.GetActorWithResponse(ctx, id, nil)
	if err != nil || after.JSON200 == nil || after.JSON200.Role != "writer" {
		t.Fatalf("after restart: %v %s", err, after.Status())
	}
	list, err = ca.ListActorsWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil || len(*list.JSON200) != 9 {
		t.Fatalf("after restart: list %v, want 9 actors", err)
	}
}

// ACTORS_MAX_ACTORS holds for a DynamoDB table too: past it, POST answers 507.
func TestDynamoDBLimit(t *testing.T) {
	env := devEnv(dynalitetest.ServerEnv(t, ""))
	env["ACTORS_MAX_ACTORS"] = "9"
	c := newClient(t, startServer(t, env), "user", "password")
	for _, want := range []int{http.StatusCreated, http.StatusInsufficientStorage} {
		resp, err := c.CreateActorWithResponse(context.Background(), actorsapi.ActorInput{Actor: "Jeri Ryan", Role: "Seven of Nine"})
		if err != nil || resp.StatusCode() != want {
			t.Fatalf("create with 8 of 9 places taken, then 9: %v %s, want %d", err, resp.Status(), want)
		}
	}
}
