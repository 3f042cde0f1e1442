package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/apitest"
)

// startServer runs the server the way main does, on a random loopback port, and returns
// its base URL once /healthz answers. The server stops when the test ends.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	base, _ := startStoppableServer(t, env)
	return base
}

// startStoppableServer is startServer, and also returns a function that stops the server
// (SIGTERM's path: cancel, then graceful shutdown) and waits for run to return.
func startStoppableServer(t *testing.T, env map[string]string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs, logw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"actors", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, logw, io.Discard)
		logw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		})
	}
	t.Cleanup(stop)
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("server exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not report its address")
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered 200: %v", err)
		}
	}
}

// devEnv adds to env (nil for none) the switch `make run` passes: no credentials
// configured, and the insecure development ones, user/password, accepted.
func devEnv(env map[string]string) map[string]string {
	if env == nil {
		env = map[string]string{}
	}
	env["ACTORS_INSECURE_DEFAULT_CREDENTIALS"] = "true"
	return env
}

func newClient(t *testing.T, base, user, password string) *actorsapi.ClientWithResponses {
	t.Helper()
	c, err := actorsapi.NewClientWithResponses(base,
		actorsapi.WithHTTPClient(apitest.NewClient(t)),
		actorsapi.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.SetBasicAuth(user, password)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEndToEnd(t *testing.T) {
	base := startServer(t, devEnv(nil))
	c := newClient(t, base, "user", "password")
	ctx := context.Background()

	list, err := c.ListActorsWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %v", err, list.Status())
	}
	want := []actorsapi.Actor{
		{Id: 1, Actor: "William Shatner", Role: "James T"}, {Id: 2, Actor: "Leonard Nimoy", Role: "Spock"},
		{Id: 3, Actor: "DeForest Kelley", Role: "Leonard McCoy"}, {Id: 4, Actor: "James Doohan", Role: "Montgomery Scott"},
		{Id: 5, Actor: "George Takei", Role: "Hikaru Sulu"}, {Id: 6, Actor: "Walter Koenig", Role: "Pavel Chekov"},
		{Id: 7, Actor: "Nichelle Nichols", Role: "Nyota Uhura"}, {Id: 8, Actor: "Majel Barrett", Role: "Christine Chapel"},
	}
	if fmt.Sprint(*list.JSON200) != fmt.Sprint(want) {
		t.Fatalf("seed = %v\nwant %v", *list.JSON200, want)
	}

	created, err := c.CreateActorWithResponse(ctx, actorsapi.ActorInput{Actor: "Zoe Saldana", Role: "Uhura"})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %s", err, created.Status())
	}
	id := created.JSON201.Id
	if id != 9 || created.HTTPResponse.Header.Get("Location") != "/actors/9" {
		t.Fatalf("created id %d at %q, want 9 at /actors/9", id, created.HTTPResponse.Header.Get("Location"))
	}

	got, err := c.GetActorWithResponse(ctx, id, nil)
	if err != nil || got.JSON200 == nil || got.JSON200.Actor != "Zoe Saldana" {
		t.Fatalf("get: %v %s", err, got.Status())
	}
	tag := got.HTTPResponse.Header.Get("ETag")
	if tag != `"1"` {
		t.Fatalf("ETag = %s, want \"1\"", tag)
	}
	cached, err := c.GetActorWithResponse(ctx, id, &actorsapi.GetActorParams{IfNoneMatch: &tag})
	if err != nil || cached.StatusCode() != http.StatusNotModified {
		t.Fatalf("If-None-Match: %v %s, want 304", err, cached.Status())
	}

	replaced, err := c.ReplaceActorWithResponse(ctx, id, &actorsapi.ReplaceActorParams{IfMatch: &tag}, actorsapi.ActorInput{Actor: "Zoe Saldana", Role: "Nyota Uhura"})
	if err != nil || replaced.JSON200 == nil {
		t.Fatalf("replace: %v %s", err, replaced.Status())
	}
	stale, err := c.ReplaceActorWithResponse(ctx, id, &actorsapi.ReplaceActorParams{IfMatch: &tag}, actorsapi.ActorInput{Actor: "Someone", Role: "Else"})
	if err != nil || stale.ApplicationproblemJSON412 == nil {
		t.Fatalf("stale replace: %v %s, want 412", err, stale.Status())
	}

	role := "Lt. Uhura"
	patched, err := c.PatchActorWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id, nil, actorsapi.ActorPatch{Role: &role})
	if err != nil || patched.JSON200 == nil || patched.JSON200.Role != role || patched.JSON200.Actor != "Zoe Saldana" {
		t.Fatalf("patch: %v %s", err, patched.Status())
	}
	if etag := patched.HTTPResponse.Header.Get("ETag"); etag != `"3"` {
		t.Errorf("ETag after two writes = %s, want \"3\"", etag)
	}

	deleted, err := c.DeleteActorWithResponse(ctx, id, nil)
	if err != nil || deleted.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %s", err, deleted.Status())
	}
	gone, err := c.GetActorWithResponse(ctx, id, nil)
	if err != nil || gone.ApplicationproblemJSON404 == nil {
		t.Fatalf("get deleted: %v %s, want 404", err, gone.Status())
	}

	// Pagination: follow Link across 3 pages of 3, 3 and 2 actors.
	next := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	url := base + "/actors?limit=3"
	var pages [][]int64
	for url != "" && len(pages) < 10 {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth("user", "password")
		resp, err := apitest.NewClient(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page []actorsapi.Actor
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var ids []int64
		for _, a := range page {
			ids = append(ids, a.Id)
		}
		pages = append(pages, ids)
		url = ""
		if m := next.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			url = base + m[1]
		}
	}
	if fmt.Sprint(pages) != "[[1 2 3] [4 5 6] [7 8]]" {
		t.Errorf("pages = %v, want [[1 2 3] [4 5 6] [7 8]]", pages)
	}
}

func TestCredentialsFromEnvironment(t *testing.T) {
	base := startServer(t, map[string]string{"ACTORS_USERNAME": "kirk", "ACTORS_PASSWORD": "NCC-1701"})
	for _, tc := range []struct {
		user, password string
		want           int
	}{
		{"kirk", "NCC-1701", http.StatusOK},
		{"user", "password", http.StatusUnauthorized},
	} {
		resp, err := newClient(t, base, tc.user, tc.password).ListActors(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s:%s → %d, want %d", tc.user, tc.password, resp.StatusCode, tc.want)
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	base := startServer(t, devEnv(nil))
	addr := base[len("http://"):]
	if err := run(context.Background(), []string{"actors", "healthcheck"}, func(k string) string {
		return map[string]string{"ACTORS_ADDR": addr}[k]
	}, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck against a running server: %v", err)
	}
	if err := run(context.Background(), []string{"actors", "healthcheck", "-addr", "127.0.0.1:1"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck with no server: want an error")
	}
}

// With no credentials and no development switch, the server refuses to start, and says
// how to fix it, rather than serving well-known credentials.
func TestRefusesToStartWithoutCredentials(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"ACTORS_USERNAME": "kirk"},
		{"ACTORS_PASSWORD": "NCC-1701"},
		{"ACTORS_INSECURE_DEFAULT_CREDENTIALS": "false"},
	} {
		var logs strings.Builder
		err := run(t.Context(), []string{"actors", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &logs, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "ACTORS_") {
			t.Errorf("run with %v: error = %v, want one naming the settings to set", env, err)
		}
		if strings.Contains(logs.String(), `"listening"`) {
			t.Errorf("run with %v listened before refusing", env)
		}
	}
}
