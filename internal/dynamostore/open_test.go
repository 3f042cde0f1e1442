package dynamostore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/actors-dev/actors/internal/dynamostore"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
)

// Open configures the client as the AWS SDK's default chain does: here from a profile of
// the shared config and credentials files, as on a developer's laptop, with the region
// in the profile and no AWS_* keys or region in the environment.
func TestOpenReadsSharedConfigProfile(t *testing.T) {
	ep, table := endpoint(t), newTable(t)
	dynalitetest.UseAWSEnv(t)
	dir := t.TempDir()
	configFile, credentialsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(configFile, []byte("[profile actors-dev]\nregion = "+dynalitetest.Region+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := "[actors-dev]\naws_access_key_id = " + dynalitetest.AccessKeyID + "\naws_secret_access_key = " + dynalitetest.SecretAccessKey + "\n"
	if err := os.WriteFile(credentialsFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_REGION": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
		"AWS_CONFIG_FILE": configFile, "AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_PROFILE": "actors-dev",
	} {
		t.Setenv(k, v)
	}
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: table, Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	// A profile that does not exist is an error at Open, not at the first request.
	t.Setenv("AWS_PROFILE", "no-such-profile")
	if _, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: table, Endpoint: ep}); err == nil {
		t.Error("Open with an unknown AWS_PROFILE succeeded")
	}
}

// AWS_DEFAULT_REGION is the region's fallback, as for the AWS CLI.
func TestOpenFallsBackToDefaultRegion(t *testing.T) {
	ep, table := endpoint(t), newTable(t)
	dynalitetest.UseAWSEnv(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", dynalitetest.Region)
	s, err := dynamostore.Open(t.Context(), dynamostore.Config{Table: table, Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
