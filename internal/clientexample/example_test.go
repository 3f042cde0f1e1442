// Package clientexample_test shows another Go module how to call the actors API through
// the client generated in gen/actorsapi. go test compiles and runs the example against the
// real handler, so the documented usage cannot rot.
package clientexample_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/httpapi"
	"github.com/actors-dev/actors/internal/memstore"
)

// Example_listAndCreate lists the actors and adds one with HTTP Basic credentials.
// Replace server.URL with the service's address, e.g. http://localhost:5000.
func Example_listAndCreate() {
	server := startServer()
	defer server.Close()
	ctx := context.Background()

	// Every request the client sends passes through this editor, which adds the credentials.
	basicAuth := actorsapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.SetBasicAuth("user", "password")
		return nil
	})
	client, err := actorsapi.NewClientWithResponses(server.URL, basicAuth)
	if err != nil {
		log.Fatal(err)
	}

	limit := actorsapi.Limit(3)
	list, err := client.ListActorsWithResponse(ctx, &actorsapi.ListActorsParams{Limit: &limit})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("list:", list.StatusCode())
	for _, a := range *list.JSON200 {
		fmt.Printf("  %d %s as %s\n", a.Id, a.Actor, a.Role)
	}
	// More pages follow: the Link header names the next one.
	fmt.Println("  Link:", list.HTTPResponse.Header.Get("Link"))

	created, err := client.CreateActorWithResponse(ctx, actorsapi.CreateActorJSONRequestBody{
		Actor: "Zoe Saldana",
		Role:  "Uhura",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("create:", created.StatusCode(), created.HTTPResponse.Header.Get("Location"))
	fmt.Printf("  %d %s as %s\n", created.JSON201.Id, created.JSON201.Actor, created.JSON201.Role)

	// Errors are problem documents, decoded into the response's typed fields.
	missing, err := client.GetActorWithResponse(ctx, 999, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("get 999:", missing.StatusCode(), missing.ApplicationproblemJSON404.Title)

	// Output:
	// list: 200
	//   1 William Shatner as James T
	//   2 Leonard Nimoy as Spock
	//   3 DeForest Kelley as Leonard McCoy
	//   Link: </actors?limit=3&after=3>; rel="next"
	// create: 201 /actors/9
	//   9 Zoe Saldana as Uhura
	// get 999: 404 Not Found
}

// startServer runs the service's real handler on the in-memory store with the seed actors.
func startServer() *httptest.Server {
	handler, err := httpapi.NewHandler(httpapi.Config{
		Store:    memstore.New(0, actors.Seed()...),
		Username: "user",
		Password: "password",
	})
	if err != nil {
		log.Fatal(err)
	}
	return httptest.NewServer(handler)
}
