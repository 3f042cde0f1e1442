package dynamostore_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := dynalitetest.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "dynalite:", err)
	}
	os.Exit(code)
}

var (
	endpoint = dynalitetest.Endpoint
	newTable = dynalitetest.Table
)

// open returns a store with a client of its own on table, as a separate task would have.
func open(t *testing.T, table string) *dynamostore.Store { return openWith(t, table, 0) }

// openWith is open for a store that lets the table hold at most maxActors (0: no limit).
func openWith(t *testing.T, table string, maxActors int) *dynamostore.Store {
	t.Helper()
	dynalitetest.UseAWSEnv(t)
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: table, Endpoint: endpoint(t), MaxActors: maxActors})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seeded returns a store on a new, seeded table.
func seeded(t *testing.T) (*dynamostore.Store, string) { return seededWith(t, 0) }

// seededWith is seeded for a store with a limit (0: none).
func seededWith(t *testing.T, maxActors int) (*dynamostore.Store, string) {
	t.Helper()
	table := newTable(t)
	s := openWith(t, table, maxActors)
	if err := s.Seed(t.Context()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return s, table
}
