// Command aws is a stand-in for the AWS CLI v2 used by scripts/test-deploy.sh: it records its
// arguments and answers from canned JSON files shaped like the real CLI's responses, applying
// --query with the same JMESPath language and printing --output json|text the same way, so the
// deploy scripts' queries are exercised against realistic documents. It never touches the network.
//
// Environment:
//
//	STUB_LOG       file to append "aws <args>" to (one line per call)
//	STUB_FIXTURES  directory of responses: <service>_<operation>.json (a response document),
//	               .txt (printed as is) or .err (printed to stderr, exit status 254); a
//	               <service>_<operation>@<argument>.* fixture answers calls with that argument
//	               (a "/" in it written as "_"), e.g. ecr_describe-images@imageTag=abc.json; a
//	               <base>#<n>.* fixture answers the n-th call that <base> answers (counted in
//	               <base>.calls), e.g. ecs_describe-services#1.json for the first, then
//	               ecs_describe-services.json for the others
//	STUB_FAIL      if the logged line starts with this, fail like the CLI does (exit 254)
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jmespath/go-jmespath"
)

// exitAPIError is the AWS CLI's exit status for a service error.
const exitAPIError = 254

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	line := strings.TrimSpace("aws " + strings.Join(args, " "))
	if err := record(line); err != nil {
		fmt.Fprintln(stderr, "aws stub:", err)
		return 2
	}

	positional, query, output := parseArgs(args)
	if len(positional) < 2 {
		fmt.Fprintln(stderr, "aws stub: usage: aws <service> <operation> [options]")
		return 2
	}
	service, operation := positional[0], positional[1]
	if fail := os.Getenv("STUB_FAIL"); fail != "" && strings.HasPrefix(line, fail) {
		fmt.Fprintf(stderr, "\nAn error occurred (AccessDeniedException) when calling the %s operation: stubbed failure\n", operation)
		return exitAPIError
	}

	base := fixture(filepath.Join(os.Getenv("STUB_FIXTURES"), service+"_"+operation), args)
	base, err := inSequence(base)
	if err != nil {
		fmt.Fprintln(stderr, "aws stub:", err)
		return 2
	}
	if b, err := os.ReadFile(base + ".err"); err == nil {
		_, _ = stderr.Write(b)
		return exitAPIError
	}
	if b, err := os.ReadFile(base + ".txt"); err == nil {
		_, _ = stdout.Write(b)
		return 0
	}
	b, err := os.ReadFile(base + ".json")
	if errors.Is(err, os.ErrNotExist) {
		return 0 // operations without output, e.g. `ecs wait services-stable`
	} else if err != nil {
		fmt.Fprintln(stderr, "aws stub:", err)
		return 2
	}

	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		fmt.Fprintf(stderr, "aws stub: %s.json: %v\n", base, err)
		return 2
	}
	if query != "" {
		if doc, err = jmespath.Search(query, doc); err != nil {
			fmt.Fprintf(stderr, "\nBad value for --query %s: %v\n", query, err)
			return 255
		}
	}
	if output == "text" {
		fmt.Fprintln(stdout, text(doc))
		return 0
	}
	out, _ := json.MarshalIndent(doc, "", "    ")
	fmt.Fprintln(stdout, string(out))
	return 0
}

// fixture returns the base name of the response files for a call: the first argument that has
// fixtures of its own (base@argument.*), else base.
func fixture(base string, args []string) string {
	for _, a := range args {
		specific := base + "@" + strings.ReplaceAll(a, "/", "_")
		for _, ext := range []string{".err", ".txt", ".json"} {
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
	for _, ext := range []string{".err", ".txt", ".json"} {
		if _, err := os.Stat(numbered + ext); err == nil {
			return numbered, nil
		}
	}
	return base, nil
}

func record(line string) error {
	path := os.Getenv("STUB_LOG")
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

// text renders a value as `--output text` does: scalars as is (null as "None"), lists of scalars
// tab-separated on one line, lists of lists or objects one row per element, object values in key order.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return v
	case bool, float64:
		b, _ := json.Marshal(v)
		return string(b)
	case []any:
		rows, cells := []string{}, []string{}
		for _, e := range v {
			switch e.(type) {
			case []any, map[string]any:
				rows = append(rows, text(e))
			default:
				cells = append(cells, text(e))
			}
		}
		if len(cells) > 0 {
			rows = append([]string{strings.Join(cells, "\t")}, rows...)
		}
		return strings.Join(rows, "\n")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		cells := make([]string, 0, len(keys))
		for _, k := range keys {
			cells = append(cells, text(v[k]))
		}
		return strings.Join(cells, "\t")
	default:
		return fmt.Sprint(v)
	}
}
