package dynamostore_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

// every runs each Store method once and returns their errors by name. wantUnavailable
// checks by reflection that it runs every method of actors.Store.
func every(ctx context.Context, s *dynamostore.Store) map[string]error {
	_, list := s.List(ctx, 0, 10)
	_, get := s.Get(ctx, 1)
	_, create := s.Create(ctx, actors.Fields{Name: "a", Role: "b"})
	_, replace := s.Replace(ctx, 1, actors.Fields{Name: "a", Role: "b"}, actors.IfMatch{1})
	_, update := s.Update(ctx, 1, actors.Patch{}, nil)
	return map[string]error{
		"List": list, "Get": get, "Create": create, "Replace": replace, "Update": update,
		"Delete": s.Delete(ctx, 1, nil), "Ping": s.Ping(ctx), "Seed": s.Seed(ctx),
	}
}

func wantUnavailable(t *testing.T, s *dynamostore.Store) {
	t.Helper()
	errs := every(t.Context(), s)
	store := reflect.TypeFor[actors.Store]()
	for i := range store.NumMethod() {
		if _, ok := errs[store.Method(i).Name]; !ok {
			t.Errorf("every does not call Store.%s: add it", store.Method(i).Name)
		}
	}
	for name, err := range errs {
		if !errors.Is(err, actors.ErrUnavailable) {
			t.Errorf("%s error = %v, want ErrUnavailable", name, err)
		}
	}
}

func openAt(t *testing.T, endpoint, table string) *dynamostore.Store {
	t.Helper()
	dynalitetest.UseAWSEnv(t)
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{
		Table: table, Endpoint: endpoint, Timeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Nothing listens on the port: every call fails fast with ErrUnavailable.
func TestUnavailableWhenRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	wantUnavailable(t, openAt(t, "http://"+addr, "actors"))
}

// A server that accepts and never answers: the per-call timeout ends every call with
// ErrUnavailable instead of a hang.
func TestUnavailableWhenSilent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // hold it open, say nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	wantUnavailable(t, openAt(t, "http://"+l.Addr().String(), "actors"))
}

// A table that does not exist (ResourceNotFoundException) makes the store unavailable,
// so /readyz fails until Terraform has created it.
func TestUnavailableWhenNoTable(t *testing.T) {
	wantUnavailable(t, openAt(t, endpoint(t), "no-such-table"))
}

// A request DynamoDB rejects as malformed is a bug, not an outage: not ErrUnavailable.
func TestMalformedRequestIsNotUnavailable(t *testing.T) {
	s := openAt(t, endpoint(t), "x") // table names are 3 to 255 characters
	_, err := s.Get(t.Context(), 1)
	if err == nil || errors.Is(err, actors.ErrUnavailable) || errors.Is(err, actors.ErrNotFound) {
		t.Fatalf("Get on an invalid table name: error = %v, want a plain error", err)
	}
}

func TestOpenNeedsTableAndRegion(t *testing.T) {
	dynalitetest.UseAWSEnv(t)
	if _, err := dynamostore.Open(t.Context(), dynamostore.Config{}); err == nil {
		t.Error("Open without a table succeeded")
	}
	t.Setenv("AWS_REGION", "")
	if _, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: "actors"}); err == nil {
		t.Error("Open without a region succeeded")
	}
}

// With no source of credentials, Open succeeds (it contacts nothing) and every request
// then fails at once with ErrUnavailable, saying why, rather than hanging.
func TestNoCredentialsIsUnavailable(t *testing.T) {
	dynalitetest.UseAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: "actors", Endpoint: endpoint(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Ping(t.Context())
	if !errors.Is(err, actors.ErrUnavailable) || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("Ping without credentials: error = %v, want ErrUnavailable naming the credentials", err)
	}
}

// On ECS the task role's credentials come from the container endpoint ECS names in the
// environment; Open takes it without contacting it.
func TestOpenTakesTheTaskRole(t *testing.T) {
	dynalitetest.UseAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task") // as ECS sets it
	if _, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: "actors"}); err != nil {
		t.Errorf("Open with the task role's endpoint: %v", err)
	}
}
