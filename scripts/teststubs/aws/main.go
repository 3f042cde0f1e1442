// Command aws is a stand-in for the AWS CLI v2 in scripts/test-deploy.sh. It records its
// arguments and answers from canned response documents shaped like the AWS APIs', applying
// --query with the same JMESPath language and printing --output json|text as the CLI does, so
// the deploy scripts' queries run against realistic documents. The CLI's own commands that the
// scripts use are built on the same documents as in the CLI: `ecs wait services-stable` evaluates
// the waiter's acceptors on DescribeServices, `ecr get-login-password` decodes
// GetAuthorizationToken, `logs tail` prints FilterLogEvents' events. It never touches the network.
//
// Environment:
//
//	STUB_LOG       file to append "aws <args>" to (one line per call)
//	STUB_FIXTURES  directory of responses: <service>_<api-operation>.json (the response document,
//	               e.g. ecs_describe-services.json) or .err (what the CLI prints on stderr when
//	               the call fails: a service error, exit status 254, or no credentials, 253); a
//	               <service>_<operation>@<argument>.* fixture answers calls with that argument
//	               (a "/" in it written as "_"), e.g. ecr_describe-images@imageTag=abc.json; a
//	               <base>#<n>.* fixture answers the n-th call that <base> answers (counted in
//	               <base>.calls), e.g. ecs_describe-services#1.json for the first, then
//	               ecs_describe-services.json for the others; a <base>#<n>+.* fixture answers the
//	               n-th call and every later one (the world after a change, such as a rollback).
//	               configure_get.txt holds the value
//	               `aws configure get` prints (none: exit status 1, as for a value not set).
//	STUB_FAIL      if the logged line starts with this, fail with AccessDeniedException
//	STUB_RECORD    file to append each call to as a JSON line (arguments, the responses it was
//	               given, what it printed, its exit status), for the check against the real CLI
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jmespath/go-jmespath"
)

// The AWS CLI's exit statuses.
const (
	exitConfig    = 253 // no credentials
	exitAPIError  = 254 // the service said no
	exitGeneral   = 255 // anything else, a waiter's failure included
	exitNotConfig = 1   // `configure get` of a value that is not set
)

func main() {
	var stdout, stderr strings.Builder
	status := run(os.Args[1:], &stdout, &stderr)
	_, _ = io.WriteString(os.Stdout, stdout.String())
	_, _ = io.WriteString(os.Stderr, stderr.String())
	os.Exit(status)
}

// call is one run of the stub, as STUB_RECORD keeps it.
type call struct {
	Args      []string   `json:"args"`
	Responses []response `json:"responses"`
	Config    *string    `json:"config,omitempty"` // configure get: the value set, if any
	Stdout    string     `json:"stdout"`
	Stderr    string     `json:"stderr"`
	Status    int        `json:"status"`
}

// response is what one API call got: a document, or an error.
type response struct {
	Operation     string          `json:"operation"` // e.g. DescribeServices
	Document      json.RawMessage `json:"document,omitempty"`
	ErrorCode     string          `json:"error_code,omitempty"`
	ErrorMessage  string          `json:"error_message,omitempty"`
	NoCredentials bool            `json:"no_credentials,omitempty"`
}

func run(args []string, stdout, stderr *strings.Builder) int {
	line := strings.TrimSpace("aws " + strings.Join(args, " "))
	if err := appendLine(os.Getenv("STUB_LOG"), line); err != nil {
		fmt.Fprintln(stderr, "aws stub:", err)
		return 2
	}
	c := &call{Args: args, Responses: []response{}}
	c.Status = answer(c, line, stdout, stderr)
	c.Stdout, c.Stderr = stdout.String(), stderr.String()
	if path := os.Getenv("STUB_RECORD"); path != "" {
		b, err := json.Marshal(c)
		if err == nil {
			err = appendLine(path, string(b))
		}
		if err != nil {
			fmt.Fprintln(stderr, "aws stub:", err)
			return 2
		}
	}
	return c.Status
}

func answer(c *call, line string, stdout, stderr *strings.Builder) int {
	positional, query, output := parseArgs(c.Args)
	if len(positional) < 2 {
		fmt.Fprintln(stderr, "aws stub: usage: aws <service> <operation> [options]")
		return 2
	}
	service, command := positional[0], positional[1]
	if service == "configure" && command == "get" {
		b, err := os.ReadFile(filepath.Join(os.Getenv("STUB_FIXTURES"), "configure_get.txt"))
		if err != nil {
			return exitNotConfig
		}
		value := strings.TrimSpace(string(b))
		c.Config = &value
		fmt.Fprintln(stdout, value)
		return 0
	}

	// The API operation behind the command.
	operation := command
	switch service + " " + command {
	case "ecs wait":
		operation = "describe-services"
	case "ecr get-login-password":
		operation = "get-authorization-token"
	case "logs tail":
		operation = "filter-log-events"
	}
	r, doc, err := call1(service, operation, line, c.Args)
	if err != nil {
		fmt.Fprintln(stderr, "aws stub:", err)
		return 2
	}
	c.Responses = append(c.Responses, r)

	if service+" "+command == "ecs wait" {
		if len(positional) < 3 || positional[2] != "services-stable" {
			fmt.Fprintln(stderr, "aws stub: only ecs wait services-stable is stubbed")
			return 2
		}
		if reason := servicesStable(r, doc); reason != "" {
			fmt.Fprintf(stderr, "\nWaiter ServicesStable failed: %s\n", reason)
			return exitGeneral
		}
		return 0
	}
	if r.NoCredentials {
		fmt.Fprintln(stderr, "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".")
		return exitConfig
	}
	if r.ErrorCode != "" {
		fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", r.ErrorCode, r.Operation, r.ErrorMessage)
		return exitAPIError
	}

	switch service + " " + command {
	case "ecr get-login-password":
		return loginPassword(doc, stdout, stderr)
	case "logs tail":
		return tail(doc, stdout, stderr)
	}
	if query != "" {
		if doc, err = jmespath.Search(query, doc); err != nil {
			fmt.Fprintf(stderr, "\nBad value for --query %s: %v\n", query, err)
			return exitGeneral
		}
	}
	if output == "text" {
		text(stdout, doc)
		return 0
	}
	out, _ := json.MarshalIndent(doc, "", "    ")
	fmt.Fprintln(stdout, string(out))
	return 0
}

var serviceError = regexp.MustCompile(`(?s)An error occurred \(([^)]*)\) when calling the \w+ operation: (.*?)\n?$`)

// call1 answers one API call from the fixtures: the response, and the document decoded.
func call1(service, operation, line string, args []string) (response, any, error) {
	r := response{Operation: apiName(operation)}
	if fail := os.Getenv("STUB_FAIL"); fail != "" && strings.HasPrefix(line, fail) {
		r.ErrorCode, r.ErrorMessage = "AccessDeniedException", "stubbed failure"
		return r, nil, nil
	}
	base := fixture(filepath.Join(os.Getenv("STUB_FIXTURES"), service+"_"+operation), args)
	base, err := inSequence(base)
	if err != nil {
		return r, nil, err
	}
	if b, err := os.ReadFile(base + ".err"); err == nil {
		if strings.Contains(string(b), "Unable to locate credentials") {
			r.NoCredentials = true
			return r, nil, nil
		}
		m := serviceError.FindStringSubmatch(strings.TrimSpace(string(b)))
		if m == nil {
			return r, nil, fmt.Errorf("%s.err: not an error the AWS CLI prints", base)
		}
		r.ErrorCode, r.ErrorMessage = m[1], m[2]
		return r, nil, nil
	}
	b, err := os.ReadFile(base + ".json")
	if err != nil {
		return r, nil, fmt.Errorf("no response for %s %s: %w", service, operation, err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return r, nil, fmt.Errorf("%s.json: %w", base, err)
	}
	r.Document = b
	return r, doc, nil
}

// apiName is the API's name of a CLI operation: describe-services is DescribeServices.
func apiName(operation string) string {
	var b strings.Builder
	for _, w := range strings.Split(operation, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// servicesStable is the ECS waiter ServicesStable's verdict on one DescribeServices response, as
// the CLI gives it: "" for stable, else why the waiter fails. The CLI polls a service that is not
// stable yet every 15 seconds, 40 times, before it gives up; the stub gives up at once.
func servicesStable(r response, doc any) string {
	if r.ErrorCode != "" {
		return fmt.Sprintf("An error occurred (%s): %s", r.ErrorCode, r.ErrorMessage)
	}
	failures := []struct{ path, value string }{
		{"failures[].reason", "MISSING"},
		{"services[].status", "DRAINING"},
		{"services[].status", "INACTIVE"},
	}
	for _, f := range failures {
		values, _ := jmespath.Search(f.path, doc)
		list, _ := values.([]any)
		for _, v := range list {
			if v == f.value {
				return fmt.Sprintf("Waiter encountered a terminal failure state: For expression %q we matched expected path: %q at least once", f.path, f.value)
			}
		}
	}
	stable, _ := jmespath.Search("length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`", doc)
	if stable == true {
		return ""
	}
	return "Max attempts exceeded"
}

// loginPassword prints the password of the first authorization token ("AWS:<password>").
func loginPassword(doc any, stdout, stderr *strings.Builder) int {
	token, _ := jmespath.Search("authorizationData[0].authorizationToken", doc)
	s, _ := token.(string)
	b, err := base64.StdEncoding.DecodeString(s)
	_, password, ok := strings.Cut(string(b), ":")
	if err != nil || !ok {
		fmt.Fprintln(stderr, "aws stub: get-authorization-token.json: the token is not base64 of AWS:<password>")
		return 2
	}
	fmt.Fprintln(stdout, password)
	return 0
}

// tail prints FilterLogEvents' events as `logs tail` does by default (--format detailed, no
// colours when not on a terminal): time, stream, message. With --follow the CLI then polls for
// more until interrupted; the stub stops.
func tail(doc any, stdout, stderr *strings.Builder) int {
	events, _ := jmespath.Search("events", doc)
	list, _ := events.([]any)
	for _, e := range list {
		ev, _ := e.(map[string]any)
		millis, ok := ev["timestamp"].(float64)
		if !ok {
			fmt.Fprintln(stderr, "aws stub: filter-log-events.json: an event without a timestamp")
			return 2
		}
		at := time.UnixMilli(int64(millis)).UTC().Format("2006-01-02T15:04:05.000000-07:00")
		fmt.Fprintf(stdout, "%s %v %s\n", at, ev["logStreamName"], strings.TrimRight(fmt.Sprint(ev["message"]), " \t\r\n"))
	}
	return 0
}

// fixture returns the base name of the response files for a call: the first argument that has
// fixtures of its own (base@argument.*), else base.
func fixture(base string, args []string) string {
	for _, a := range args {
		specific := base + "@" + strings.ReplaceAll(a, "/", "_")
		for _, ext := range []string{".err", ".json"} {
			if _, err := os.Stat(specific + ext); err == nil {
				return specific
			}
		}
	}
	return base
}

// inSequence counts the calls answered from base and returns base#<n> for the n-th call when
// there are fixtures for it, else base: a sequence of answers, such as a deployment in progress
// and then completed.
func inSequence(base string) (string, error) {
	n := 1
	if b, err := os.ReadFile(base + ".calls"); err == nil {
		if _, err := fmt.Sscan(string(b), &n); err != nil {
			return "", fmt.Errorf("%s.calls: %w", base, err)
		}
		n++
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.WriteFile(base+".calls", []byte(fmt.Sprint(n)), 0o644); err != nil {
		return "", err
	}
	numbered := fmt.Sprintf("%s#%d", base, n)
	for _, ext := range []string{".err", ".json"} {
		if _, err := os.Stat(numbered + ext); err == nil {
			return numbered, nil
		}
	}
	// base#<k>+ answers the k-th call and every later one (up to a later base#<j>+).
	for k := n; k >= 1; k-- {
		from := fmt.Sprintf("%s#%d+", base, k)
		for _, ext := range []string{".err", ".json"} {
			if _, err := os.Stat(from + ext); err == nil {
				return from, nil
			}
		}
	}
	return base, nil
}

func appendLine(path, line string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseArgs separates positional words (service, operation, ...) from --options, returning the
// --query and --output values. Every other option is taken to have a value unless the next word
// is another option (the CLI's boolean flags are not used by the scripts' positional parsing).
func parseArgs(args []string) (positional []string, query, output string) {
	output = "json"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			positional = append(positional, a)
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			value = args[i+1]
			i++
		}
		switch name {
		case "--query":
			query = value
		case "--output":
			output = value
		}
	}
	return positional, query, output
}

// text renders a value as `--output text` does (the AWS CLI's awscli/text.py): a scalar on a
// line of its own (null as None, booleans as True and False), a list of scalars tab-separated on
// one line, then each list or object in it; an object's scalars in key order on one line (under
// a list of objects, the scalar keys of them all), then its lists and objects, each under the
// key's name in capitals; an empty list prints nothing.
func text(w io.Writer, v any) {
	textItem(w, v, "", nil)
}

func textItem(w io.Writer, v any, identifier string, scalarKeys []string) {
	switch v := v.(type) {
	case map[string]any:
		textObject(w, v, identifier, scalarKeys)
	case []any:
		textList(w, v, identifier)
	default:
		fmt.Fprintln(w, scalar(v))
	}
}

func textList(w io.Writer, list []any, identifier string) {
	if len(list) == 0 {
		return
	}
	var scalars, others []any
	objects := false
	for _, e := range list {
		switch e.(type) {
		case map[string]any:
			objects = true
			others = append(others, e)
		case []any:
			others = append(others, e)
		default:
			scalars = append(scalars, e)
		}
	}
	if objects {
		keys := map[string]bool{}
		for _, e := range list {
			if o, ok := e.(map[string]any); ok {
				for k, v := range o {
					if !isComposite(v) {
						keys[k] = true
					}
				}
			}
		}
		all := sortedKeys(keys)
		for _, e := range list {
			textItem(w, e, identifier, all)
		}
		return
	}
	if len(scalars) > 0 {
		if identifier != "" {
			for _, e := range scalars {
				fmt.Fprintf(w, "%s\t%s\n", strings.ToUpper(identifier), scalar(e))
			}
		} else {
			cells := make([]string, len(scalars))
			for i, e := range scalars {
				cells[i] = scalar(e)
			}
			fmt.Fprintln(w, strings.Join(cells, "\t"))
		}
	}
	for _, e := range others {
		textItem(w, e, identifier, nil)
	}
}

func textObject(w io.Writer, o map[string]any, identifier string, scalarKeys []string) {
	var cells []string
	var nested []string
	if scalarKeys == nil {
		all := map[string]bool{}
		for k := range o {
			all[k] = true
		}
		for _, k := range sortedKeys(all) {
			if isComposite(o[k]) {
				nested = append(nested, k)
			} else {
				cells = append(cells, scalar(o[k]))
			}
		}
	} else {
		in := map[string]bool{}
		for _, k := range scalarKeys {
			in[k] = true
			if v, ok := o[k]; ok {
				cells = append(cells, scalar(v))
			} else {
				cells = append(cells, "")
			}
		}
		rest := map[string]bool{}
		for k := range o {
			if !in[k] {
				rest[k] = true
			}
		}
		nested = sortedKeys(rest)
	}
	if len(cells) > 0 {
		if identifier != "" {
			cells = append([]string{strings.ToUpper(identifier)}, cells...)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	for _, k := range nested {
		textItem(w, o[k], k, nil)
	}
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scalar is a scalar as Python's str() writes it.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
