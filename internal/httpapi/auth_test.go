package httpapi_test

import (
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/apitest"
	"github.com/actors-dev/actors/internal/route"
)

// TestEveryOperationIsGuarded walks the spec, so an operation added later is covered with
// no new test: operations with security answer 401 and a challenge without credentials or
// with wrong ones; operations with `security: []` answer without credentials.
func TestEveryOperationIsGuarded(t *testing.T) {
	doc, err := actorsapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	routes, err := route.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	credentials := map[string]func(*http.Request){
		"none":           func(*http.Request) {},
		"wrong password": func(r *http.Request) { r.SetBasicAuth(user, "not-"+password) },
		"wrong user":     func(r *http.Request) { r.SetBasicAuth("root", password) },
		"empty user":     func(r *http.Request) { r.SetBasicAuth("", password) },
		"not base64":     func(r *http.Request) { r.Header.Set("Authorization", "Basic %%%") },
		"no colon":       func(r *http.Request) { r.Header.Set("Authorization", "Basic dXNlcnBhc3N3b3Jk") },
		"bearer":         func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+password) },
	}
	for _, op := range routes.Ops {
		// A server per operation: fewer failures than the per-client limit allows.
		srv, client := newServer(t, nil)
		url := srv.URL + param.ReplaceAllString(op.Path, "1")
		public := op.Public()
		for name, setAuth := range credentials {
			t.Run(op.Pattern+"/"+name, func(t *testing.T) {
				req, _ := http.NewRequest(op.Method, url, strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				setAuth(req)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if public {
					if resp.StatusCode == http.StatusUnauthorized {
						t.Errorf("public operation answered 401")
					}
					return
				}
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("status = %d, want 401", resp.StatusCode)
				}
				if got := resp.Header.Get("WWW-Authenticate"); got != `Basic realm="actors", charset="UTF-8"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			})
		}
	}
	if n := len(routes.Ops); n < 8 {
		t.Fatalf("walked %d operations; the spec has at least 8", n)
	}
}

// TestNoLostUpdate has 32 clients each read an actor and write it back with If-Match until
// 50 of their writes succeed. Every success must bump the version by one: none is lost.
func TestNoLostUpdate(t *testing.T) {
	srv, _ := newServer(t, nil)
	// One kept-alive connection per writer: the default pool keeps 2 and would redial.
	client := &http.Client{Transport: apitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: 64})}
	const writers, successes = 32, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for done := 0; done < successes; {
				req, _ := http.NewRequest("GET", srv.URL+"/actors/1", nil)
				req.SetBasicAuth(user, password)
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				tag := resp.Header.Get("ETag")
				req, _ = http.NewRequest("PATCH", srv.URL+"/actors/1", strings.NewReader(`{"role":"writer `+string(rune('A'+w%26))+`"}`))
				req.SetBasicAuth(user, password)
				req.Header.Set("Content-Type", "application/merge-patch+json")
				req.Header.Set("If-Match", tag)
				resp, err = client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
					done++
				case http.StatusPreconditionFailed:
					// Back off a little, as a real client would, so writers do not collide in lockstep.
					time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
				default:
					t.Errorf("PATCH status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	req, _ := http.NewRequest("GET", srv.URL+"/actors/1", nil)
	req.SetBasicAuth(user, password)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("ETag"), `"1601"`; got != want {
		t.Errorf("final ETag = %s, want %s (1 + %d×%d successful updates)", got, want, writers, successes)
	}
}
