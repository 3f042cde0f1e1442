package dynamostore_test

import (
	"testing"

	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

// Open takes region and credentials from the getenv it is given, not from the process,
// which here has neither.
func TestOpenReadsGivenEnvironment(t *testing.T) {
	ep, table := endpoint(t), newTable(t)
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true") // never look for credentials off this machine
	env := dynalitetest.ServerEnv(t, table)
	delete(env, "AWS_REGION")
	env["AWS_DEFAULT_REGION"] = dynalitetest.Region // the fallback works too
	getenv := func(k string) string { return env[k] }
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: table, Endpoint: ep}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
