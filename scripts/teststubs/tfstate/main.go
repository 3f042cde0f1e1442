// Command tfstate writes the Terraform state files of scripts/test-deploy.sh, for the real
// `terraform state push` to store:
//
//	tfstate split DIR < test.json
//
// turns each state that `terraform test -verbose -json` printed (one per run block with command =
// apply, in the shape of `terraform show -json`) into DIR/<run>.tfstate, a state file as the real
// apply would have written it;
//
//	tfstate next [-from FILE | -empty] [-replace OLD=NEW]... [-output NAME=JSON | -output NAME]... < current
//
// prints the state that follows the current one (stdin, as `terraform state pull` prints it; empty
// when there is none): FILE's resources and outputs (or none with -empty, or the current ones),
// with every OLD in its text replaced by NEW, the outputs set or removed, and the current state's
// lineage and next serial, so that `terraform state push` takes it as the next state of the same
// workspace;
//
//	tfstate same test.json RUN < shown.json
//
// checks that a state as `terraform show -json` shows it is the state that run RUN printed: the
// proof that split loses nothing. It has no dependencies beyond the standard library, so it
// builds offline.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tfstate:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: tfstate split|next|same ... (see the package comment)")
	}
	switch args[0] {
	case "split":
		if len(args) != 2 {
			return errors.New("usage: tfstate split DIR < test.json")
		}
		return split(args[1], stdin)
	case "next":
		return next(args[1:], stdin, stdout)
	case "same":
		if len(args) != 3 {
			return errors.New("usage: tfstate same test.json RUN < shown.json")
		}
		return same(args[1], args[2], stdin)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// stateFile is a state file (format version 4) as Terraform writes it.
type stateFile struct {
	Version          int                    `json:"version"`
	TerraformVersion string                 `json:"terraform_version"`
	Serial           int                    `json:"serial"`
	Lineage          string                 `json:"lineage"`
	Outputs          map[string]stateOutput `json:"outputs"`
	Resources        []json.RawMessage      `json:"resources"`
	CheckResults     json.RawMessage        `json:"check_results"`
}

type stateOutput struct {
	Value     json.RawMessage `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

type stateResource struct {
	Module    string          `json:"module,omitempty"`
	Mode      string          `json:"mode"`
	Type      string          `json:"type"`
	Name      string          `json:"name"`
	Each      string          `json:"each,omitempty"`
	Provider  string          `json:"provider"`
	Instances []stateInstance `json:"instances"`
}

type stateInstance struct {
	IndexKey            json.RawMessage `json:"index_key,omitempty"`
	SchemaVersion       int             `json:"schema_version"`
	Attributes          map[string]any  `json:"attributes"`
	SensitiveAttributes [][]pathStep    `json:"sensitive_attributes"`
	Dependencies        []string        `json:"dependencies,omitempty"`
}

type pathStep struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// The lineage of every state the tests write: one workspace, as far as Terraform can tell.
const lineage = "a1c70125-7e57-4d3e-9b5a-1e55c0ffee00"

// ---- split ---------------------------------------------------------------------------------------

// testMessage is one line of `terraform test -json`.
type testMessage struct {
	Type      string      `json:"type"`
	Run       string      `json:"@testrun"`
	Terraform string      `json:"terraform"` // the "version" message
	State     *shownState `json:"test_state"`
}

type shownState struct {
	Outputs         map[string]stateOutput    `json:"outputs"`
	RootModule      shownModule               `json:"root_module"`
	ProviderSchemas map[string]providerSchema `json:"provider_schemas"`
}

type shownModule struct {
	Address      string          `json:"address"`
	Resources    []shownResource `json:"resources"`
	ChildModules []shownModule   `json:"child_modules"`
}

type shownResource struct {
	Mode            string          `json:"mode"`
	Type            string          `json:"type"`
	Name            string          `json:"name"`
	Index           json.RawMessage `json:"index"`
	ProviderName    string          `json:"provider_name"`
	SchemaVersion   int             `json:"schema_version"`
	Values          map[string]any  `json:"values"`
	SensitiveValues map[string]any  `json:"sensitive_values"`
	DependsOn       []string        `json:"depends_on"`
}

type providerSchema struct {
	ResourceSchemas   map[string]struct{ Block schemaBlock } `json:"resource_schemas"`
	DataSourceSchemas map[string]struct{ Block schemaBlock } `json:"data_source_schemas"`
}

type schemaBlock struct {
	Attributes map[string]struct {
		Type json.RawMessage `json:"type"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		Block schemaBlock `json:"block"`
	} `json:"block_types"`
}

func split(dir string, stdin io.Reader) error {
	version := ""
	written := 0
	lines := bufio.NewScanner(stdin)
	lines.Buffer(nil, 1<<30) // a state message holds the provider's whole schema
	for lines.Scan() {
		var m testMessage
		d := json.NewDecoder(bytes.NewReader(lines.Bytes()))
		d.UseNumber() // attributes keep their digits: IDs may be past float64's precision
		if err := d.Decode(&m); err != nil {
			return fmt.Errorf("not terraform test -json output: %w", err)
		}
		switch {
		case m.Type == "version":
			version = m.Terraform
		case m.Type == "test_state" && m.State != nil:
			s, err := convert(m.State, version)
			if err != nil {
				return fmt.Errorf("run %q: %w", m.Run, err)
			}
			if err := writeJSON(filepath.Join(dir, m.Run+".tfstate"), s); err != nil {
				return err
			}
			written++
		}
	}
	if err := lines.Err(); err != nil {
		return err
	}
	if written == 0 {
		return errors.New("no state in the input: run terraform test with -verbose -json, and runs that apply")
	}
	return nil
}

// convert writes a state shown as `terraform show -json` does as a state file. The two differ in
// three ways that matter: resources are grouped with their instances, attributes of the
// dynamic type carry their type, and sensitive values are listed as paths.
func convert(shown *shownState, version string) (*stateFile, error) {
	s := &stateFile{Version: 4, TerraformVersion: version, Serial: 1, Lineage: lineage, Outputs: shown.Outputs,
		Resources: []json.RawMessage{}, CheckResults: json.RawMessage("null")}
	if s.Outputs == nil {
		s.Outputs = map[string]stateOutput{}
	}
	var resources []*stateResource
	var walk func(m shownModule) error
	walk = func(m shownModule) error {
		for _, r := range m.Resources {
			schemas := shown.ProviderSchemas[r.ProviderName].ResourceSchemas
			if r.Mode == "data" {
				schemas = shown.ProviderSchemas[r.ProviderName].DataSourceSchemas
			}
			schema, ok := schemas[r.Type]
			if !ok {
				return fmt.Errorf("no schema for %s %s", r.Mode, r.Type)
			}
			var last *stateResource
			if n := len(resources); n > 0 {
				last = resources[n-1]
			}
			if last == nil || last.Module != m.Address || last.Mode != r.Mode || last.Type != r.Type || last.Name != r.Name {
				last = &stateResource{Module: m.Address, Mode: r.Mode, Type: r.Type, Name: r.Name,
					Provider: fmt.Sprintf("provider[%q]", r.ProviderName)}
				resources = append(resources, last)
			}
			in := stateInstance{SchemaVersion: r.SchemaVersion, Attributes: withTypes(r.Values, schema.Block),
				SensitiveAttributes: sensitivePaths(nil, r.SensitiveValues), Dependencies: r.DependsOn}
			if len(r.Index) > 0 && string(r.Index) != "null" {
				in.IndexKey = r.Index
				last.Each = "list"
				if r.Index[0] == '"' {
					last.Each = "map"
				}
			}
			last.Instances = append(last.Instances, in)
		}
		for _, c := range m.ChildModules {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(shown.RootModule); err != nil {
		return nil, err
	}
	for _, r := range resources {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		s.Resources = append(s.Resources, b)
	}
	return s, nil
}

// withTypes wraps the values of attributes of the dynamic type as a state file holds them:
// {"value": ..., "type": ...}.
func withTypes(values map[string]any, block schemaBlock) map[string]any {
	out := make(map[string]any, len(values))
	for name, v := range values {
		if a, ok := block.Attributes[name]; ok && string(a.Type) == `"dynamic"` && v != nil {
			out[name] = map[string]any{"value": v, "type": typeOf(v)}
			continue
		}
		if b, ok := block.BlockTypes[name]; ok {
			out[name] = nestedWithTypes(v, b.Block)
			continue
		}
		out[name] = v
	}
	return out
}

func nestedWithTypes(v any, block schemaBlock) any {
	switch v := v.(type) {
	case map[string]any:
		return withTypes(v, block)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = nestedWithTypes(e, block)
		}
		return out
	}
	return v
}

// typeOf is the type Terraform gives a value decoded from JSON.
func typeOf(v any) any {
	switch v := v.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		types := make([]any, len(v))
		for i, e := range v {
			types[i] = typeOf(e)
		}
		return []any{"tuple", types}
	case map[string]any:
		types := make(map[string]any, len(v))
		for k, e := range v {
			types[k] = typeOf(e)
		}
		return []any{"object", types}
	}
	return "dynamic"
}

// sensitivePaths lists the paths that `terraform show -json` marks true in sensitive_values.
func sensitivePaths(prefix []pathStep, marks any) [][]pathStep {
	paths := [][]pathStep{}
	add := func(step pathStep, v any) {
		path := append(append([]pathStep{}, prefix...), step)
		if v == true {
			paths = append(paths, path)
			return
		}
		paths = append(paths, sensitivePaths(path, v)...)
	}
	switch m := marks.(type) {
	case map[string]any:
		for k, v := range m {
			add(pathStep{Type: "get_attr", Value: k}, v)
		}
	case []any:
		for i, v := range m {
			add(pathStep{Type: "index", Value: map[string]any{"value": i, "type": "number"}}, v)
		}
	}
	return paths
}

// ---- same ----------------------------------------------------------------------------------------

func same(testJSON, run string, stdin io.Reader) error {
	f, err := os.Open(testJSON)
	if err != nil {
		return err
	}
	defer f.Close()
	var want any
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<30)
	for lines.Scan() {
		var m struct {
			Type  string `json:"type"`
			Run   string `json:"@testrun"`
			State struct {
				Outputs    any `json:"outputs"`
				RootModule any `json:"root_module"`
			} `json:"test_state"`
		}
		if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
			return err
		}
		if m.Type == "test_state" && m.Run == run {
			want = map[string]any{"outputs": m.State.Outputs, "root_module": m.State.RootModule}
		}
	}
	if err := lines.Err(); err != nil {
		return err
	}
	if want == nil {
		return fmt.Errorf("no state of run %q in %s", run, testJSON)
	}
	var shown struct {
		Values struct {
			Outputs    any `json:"outputs"`
			RootModule any `json:"root_module"`
		} `json:"values"`
	}
	if err := json.NewDecoder(stdin).Decode(&shown); err != nil {
		return err
	}
	got := map[string]any{"outputs": shown.Values.Outputs, "root_module": shown.Values.RootModule}
	if d := difference("", got, want); d != "" {
		return fmt.Errorf("the stored state of run %q differs from the one terraform test printed: %s", run, d)
	}
	return nil
}

// difference is the first place where two decoded JSON values differ, or "".
func difference(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %v, want an object", path, got)
		}
		for k := range w {
			if d := difference(path+"."+k, g[k], w[k]); d != "" {
				return d
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Sprintf("%s.%s: not in terraform test's state", path, k)
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: %v, want %v", path, got, want)
		}
		for i := range w {
			if d := difference(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if got != want {
		return fmt.Sprintf("%s: %v, want %v", path, got, want)
	}
	return ""
}

// ---- next ----------------------------------------------------------------------------------------

func next(args []string, stdin io.Reader, stdout io.Writer) error {
	current, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	var cur *stateFile
	if len(bytes.TrimSpace(current)) > 0 {
		cur = &stateFile{}
		if err := json.Unmarshal(current, cur); err != nil {
			return fmt.Errorf("current state: %w", err)
		}
	}
	base := current
	var replacements []string
	var outputs [][2]string // name, JSON value ("" to remove)
	for i := 0; i < len(args); i++ {
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", args[i])
			}
			i++
			return args[i], nil
		}
		switch args[i] {
		case "-from":
			file, err := value()
			if err != nil {
				return err
			}
			if base, err = os.ReadFile(file); err != nil {
				return err
			}
		case "-empty":
			base = nil
		case "-replace":
			r, err := value()
			if err != nil {
				return err
			}
			old, repl, ok := strings.Cut(r, "=")
			if !ok || old == "" {
				return fmt.Errorf("-replace %q: want OLD=NEW", r)
			}
			replacements = append(replacements, old, repl)
		case "-output":
			o, err := value()
			if err != nil {
				return err
			}
			name, v, _ := strings.Cut(o, "=")
			outputs = append(outputs, [2]string{name, v})
		default:
			return fmt.Errorf("unknown option %q", args[i])
		}
	}
	if len(replacements) > 0 {
		base = []byte(strings.NewReplacer(replacements...).Replace(string(base)))
	}
	s := &stateFile{Version: 4, Lineage: lineage, Outputs: map[string]stateOutput{}, Resources: []json.RawMessage{},
		CheckResults: json.RawMessage("null")}
	if len(bytes.TrimSpace(base)) > 0 {
		if err := json.Unmarshal(base, s); err != nil {
			return fmt.Errorf("state: %w", err)
		}
	}
	if s.Outputs == nil {
		s.Outputs = map[string]stateOutput{}
	}
	if s.Resources == nil {
		s.Resources = []json.RawMessage{}
	}
	s.Serial++
	if cur != nil {
		s.Lineage, s.Serial, s.TerraformVersion = cur.Lineage, cur.Serial+1, cur.TerraformVersion
	}
	for _, o := range outputs {
		if o[1] == "" {
			delete(s.Outputs, o[0])
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(o[1]), &v); err != nil {
			return fmt.Errorf("-output %s: %w", o[0], err)
		}
		t, _ := json.Marshal(typeOf(v))
		s.Outputs[o[0]] = stateOutput{Value: json.RawMessage(o[1]), Type: t}
	}
	if s.TerraformVersion == "" {
		return errors.New("no terraform_version: give -from a state file when there is no current state")
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
