// Package dynalitetest runs dynalite — an implementation of the DynamoDB API from npm,
// in memory — for tests of anything that uses the DynamoDB store: the store's own tests
// and the server's end-to-end tests alike.
//
// One dynalite serves a whole test binary, on a random port of 127.0.0.1, started on
// first use; every test makes its own tables. Without node or the installed dynalite
// (npm ci --prefix internal/dynamostore/testdata) a test is skipped with a one-line
// reason, or fails when CI=true.
package dynalitetest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Region and the static credentials dynalite accepts (it checks none). For a server
// under test, set AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to these.
const (
	Region          = "us-east-1"
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

var dyn struct {
	once     sync.Once
	endpoint string
	skip     string // why dynalite cannot run here
	err      error
	cmd      *exec.Cmd
	stdin    io.Closer
}

// Endpoint returns dynalite's URL, starting it on first use.
func Endpoint(t testing.TB) string {
	t.Helper()
	dyn.once.Do(start)
	if dyn.skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(dyn.skip + " (CI=true, so this is a failure)")
		}
		t.Skip(dyn.skip)
	}
	if dyn.err != nil {
		t.Fatal(dyn.err)
	}
	return dyn.endpoint
}

// Stop ends dynalite if it was started; call it from TestMain after m.Run. Without it
// dynalite still exits with the test binary, when its stdin closes.
func Stop() error {
	if dyn.cmd == nil {
		return nil
	}
	dyn.stdin.Close()
	return dyn.cmd.Wait()
}

// testdata is internal/dynamostore/testdata, found from this file so that tests of any
// package can start dynalite whatever their working directory.
func testdata() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

func start() {
	node, err := exec.LookPath("node")
	if err != nil {
		dyn.skip = "skipping DynamoDB tests: node is not installed"
		return
	}
	dir := testdata()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "dynalite", "package.json")); err != nil {
		dyn.skip = "skipping DynamoDB tests: dynalite is not installed (npm ci --prefix internal/dynamostore/testdata)"
		return
	}
	cmd := exec.Command(node, filepath.Join(dir, "serve.js"))
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		dyn.err = err
		return
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		dyn.err = err
		return
	}
	if err := cmd.Start(); err != nil {
		dyn.err = fmt.Errorf("start dynalite: %w", err)
		return
	}
	dyn.cmd, dyn.stdin = cmd, stdin
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		port, ok := strings.CutPrefix(line, "PORT ")
		if !ok {
			dyn.err = fmt.Errorf("dynalite did not start: it printed %q", line)
			return
		}
		dyn.endpoint = "http://127.0.0.1:" + port
	case <-time.After(time.Minute): // a guard against a hung start, not a timing assertion
		dyn.err = errors.New("dynalite did not print its port within a minute")
	}
}

// UseAWSEnv points the AWS settings of this process at dynalite until the test ends, as
// dynamostore.Open reads them from the environment: its region, static credentials, and
// nothing else (no profile, no shared config or credentials file of the developer's, no
// container or instance metadata lookups). It cannot be used in parallel tests.
func UseAWSEnv(t testing.TB) {
	t.Helper()
	for k, v := range awsEnv() {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"} {
		t.Setenv(k, "")
	}
}

// awsEnv is dynalite's AWS environment; /dev/null as the shared files means "none".
func awsEnv() map[string]string {
	return map[string]string{
		"AWS_REGION":                  Region,
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
}

var tables atomic.Int64

// Client returns a DynamoDB client on dynalite, for tests that look at items directly.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(Endpoint(t)),
	})
}

// Table creates a new, empty table with the store's schema, as terraform/dynamodb.tf
// creates it in AWS, and returns its name: partition key "id" (a number), and the global
// secondary index "by-id" on "p" and "id", projecting everything, billed per request.
func Table(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("actors-%d-%d", os.Getpid(), tables.Add(1))
	client := Client(t)
	_, err := client.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("p"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("by-id"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("p"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("id"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	})
	if err := w.Wait(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(name)}, time.Minute); err != nil {
		t.Fatalf("wait for table %s: %v", name, err)
	}
	return name
}

// ServerEnv is the environment for an actors server on a new dynalite table (or on the
// given one, to run several servers on one table): the ACTORS_* store settings, and AWS
// settings that keep the SDK away from anything but dynalite. It also sets the AWS ones
// in this process (UseAWSEnv), for servers run in-process, whose AWS SDK reads them there.
func ServerEnv(t testing.TB, table string) map[string]string {
	t.Helper()
	if table == "" {
		table = Table(t)
	}
	UseAWSEnv(t)
	env := awsEnv()
	env["ACTORS_STORE"] = "dynamodb"
	env["ACTORS_DYNAMODB_TABLE"] = table
	env["ACTORS_DYNAMODB_ENDPOINT"] = Endpoint(t)
	return env
}
