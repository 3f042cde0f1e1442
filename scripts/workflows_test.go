package scripts

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The GitHub Actions workflows (.github/workflows) are tested offline three ways: actionlint
// (make lint-workflows), and the rules below, which no linter knows: every action pinned to a
// commit with its version beside it, a deploy job that holds nothing but the OIDC token and
// runs the make targets README documents, and that agrees with the trust terraform/iam writes.

var (
	// owner/repo[/path]@<40 hex>: a tag or a branch can be moved to other code, a commit cannot.
	pinnedRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$`)
	// The version the commit is, for the reader and for updates: # v7.0.1
	versionCommentRE = regexp.MustCompile(`^#\s*v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$`)
	dockerDigestRE   = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
)

// checkUses returns what is wrong with one `uses:` value and the comment on its line.
func checkUses(value, comment string) string {
	switch {
	case strings.HasPrefix(value, "./"):
		return "" // an action of this repository, at this commit
	case strings.HasPrefix(value, "docker://"):
		if !dockerDigestRE.MatchString(value) {
			return "a docker:// action must name its image by digest (@sha256:...)"
		}
		return ""
	case !pinnedRE.MatchString(value):
		return "not pinned to a full 40-character commit SHA"
	case !versionCommentRE.MatchString(strings.TrimSpace(comment)):
		return "no version comment after the SHA (e.g. # v7.0.1)"
	}
	return ""
}

type usesRef struct {
	file               string
	line               int
	value, lineComment string
}

// findUses walks a YAML document for every `uses:` key, wherever it is (steps, reusable
// workflow jobs, composite actions).
func findUses(file string, n *yaml.Node) []usesRef {
	var out []usesRef
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "uses" && v.Kind == yaml.ScalarNode {
					out = append(out, usesRef{file, v.Line, v.Value, v.LineComment})
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return out
}

func readWorkflows(t *testing.T) map[string]*yaml.Node {
	t.Helper()
	var paths []string
	for _, pattern := range []string{"../.github/workflows/*.yml", "../.github/workflows/*.yaml", "../.github/actions/*/action.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Fatal("no workflows in .github/workflows")
	}
	docs := map[string]*yaml.Node{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		docs[strings.TrimPrefix(filepath.ToSlash(p), "../")] = &doc
	}
	return docs
}

func TestActionsPinnedToCommits(t *testing.T) {
	n := 0
	for file, doc := range readWorkflows(t) {
		for _, u := range findUses(file, doc) {
			n++
			if problem := checkUses(u.value, u.lineComment); problem != "" {
				t.Errorf("%s:%d: uses: %s %s: %s", u.file, u.line, u.value, u.lineComment, problem)
			}
		}
	}
	if n == 0 {
		t.Error("no uses: found in the workflows: is the walk broken?")
	}
}

func TestCommandMakeTargets(t *testing.T) {
	for line, want := range map[string][]string{
		`make deploy 2>&1 >"$out" | tee "$err" >&2 || status=$?`: {"deploy"},
		`  AUTO_APPROVE=1 make -s deploy IMAGE_TAG=abc`:          {"deploy"},
		`make plan deploy; make status`:                          {"plan", "deploy"},
		`printf 'Smoke test (make smoke against the URL)'`:       nil,
		`echo make deploy`:                                       nil,
	} {
		if got := commandMakeTargets(line); !slices.Equal(got, want) {
			t.Errorf("commandMakeTargets(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestCheckUses(t *testing.T) {
	sha := "3d3c42e5aac5ba805825da76410c181273ba90b1"
	for _, c := range []struct {
		value, comment string
		ok             bool
	}{
		{"actions/checkout@" + sha, "# v7.0.1", true},
		{"actions/checkout@" + sha, "#v7", true},
		{"github/codeql-action/init@" + sha, "# v4.31.2", true},
		{"./.github/actions/setup", "", true},
		{"docker://alpine@sha256:" + strings.Repeat("a", 64), "", true},
		{"actions/checkout@v7", "", false},
		{"actions/checkout@v7.0.1", "# v7.0.1", false},
		{"actions/checkout@main", "", false},
		{"actions/checkout@" + sha[:7], "# v7.0.1", false},
		{"actions/checkout@" + strings.ToUpper(sha), "# v7.0.1", false},
		{"actions/checkout@" + sha, "", false},
		{"actions/checkout@" + sha, "# the latest", false},
		{"actions/checkout", "", false},
		{"docker://alpine:3.22", "", false},
	} {
		if got := checkUses(c.value, c.comment) == ""; got != c.ok {
			t.Errorf("checkUses(%q, %q) ok = %v, want %v", c.value, c.comment, got, c.ok)
		}
	}
}

// ---- the deploy job -------------------------------------------------------------------------

// get follows a path of mapping keys; nil when one is missing.
func get(n *yaml.Node, path ...string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// mapping returns a flat mapping of scalars; a scalar (e.g. permissions: read-all) as "" => it.
func mapping(n *yaml.Node) map[string]string {
	m := map[string]string{}
	if n == nil {
		return m
	}
	if n.Kind == yaml.ScalarNode {
		m[""] = n.Value
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1].Value
	}
	return m
}

type job struct {
	file, id string
	node     *yaml.Node
}

func jobs(docs map[string]*yaml.Node) []job {
	var out []job
	for _, file := range slices.Sorted(maps.Keys(docs)) {
		js := get(docs[file], "jobs")
		if js == nil {
			continue
		}
		for i := 0; i+1 < len(js.Content); i += 2 {
			out = append(out, job{file, js.Content[i].Value, js.Content[i+1]})
		}
	}
	return out
}

// runScripts returns the run: scripts of a job's steps.
func runScripts(j *yaml.Node) []string {
	var out []string
	if steps := get(j, "steps"); steps != nil {
		for _, s := range steps.Content {
			if r := get(s, "run"); r != nil {
				out = append(out, r.Value)
			}
		}
	}
	return out
}

// readmeDeployTargets returns the make targets README's "Deploying to AWS Fargate" section
// names, in code spans or blocks.
func readmeDeployTargets(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n## Deploying to AWS Fargate\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Deploying to AWS Fargate" section`)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var targets []string
	for _, m := range regexp.MustCompile("`([^`\n]*\\bmake [^`\n]*)`").FindAllStringSubmatch(section, -1) {
		targets = append(targets, makeTargets(m[1])...)
	}
	slices.Sort(targets)
	return slices.Compact(targets)
}

// commandMakeTargets returns the targets of a script line that runs make as its command
// (after any VAR=value), up to the first redirection or operator; make in a string is not one.
func commandMakeTargets(line string) []string {
	words := strings.Fields(line)
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		words = words[1:]
	}
	if len(words) == 0 || words[0] != "make" {
		return nil
	}
	var targets []string
	for _, w := range words[1:] {
		if strings.ContainsAny(w[:1], "<>|&;#") || strings.HasPrefix(w, "2>") || strings.HasPrefix(w, "1>") {
			break
		}
		last := strings.HasSuffix(w, ";")
		w = strings.TrimSuffix(w, ";")
		if !strings.HasPrefix(w, "-") && !strings.Contains(w, "=") && w != "" {
			targets = append(targets, w)
		}
		if last {
			break
		}
	}
	return targets
}

// tfDefault returns the default of a string variable in a Terraform file.
func tfDefault(t *testing.T, file, variable string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)variable "` + variable + `" \{.*?\n  default\s*=\s*"([^"]*)"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("%s: no string default for variable %q", file, variable)
	}
	return m[1]
}

func TestDeployJob(t *testing.T) {
	docs := readWorkflows(t)
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range targetRE.FindAllStringSubmatch(string(makefile), -1) {
		for _, t := range strings.Fields(m[1]) {
			targets[t] = true
		}
	}

	// Every workflow reads the code and nothing more unless a job says otherwise; exactly one
	// job may ask GitHub for an OIDC token, and that job gets nothing else.
	for file, doc := range docs {
		if !strings.HasPrefix(file, ".github/workflows/") {
			continue
		}
		if p := mapping(get(doc, "permissions")); !maps.Equal(p, map[string]string{"contents": "read"}) {
			t.Errorf("%s: top-level permissions = %v, want exactly contents: read", file, p)
		}
		src, _ := os.ReadFile("../" + file)
		for _, forbidden := range []string{"aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "secrets.AWS"} {
			if strings.Contains(string(src), forbidden) {
				t.Errorf("%s mentions %s: deploys take no long-lived AWS key, only the OIDC role", file, forbidden)
			}
		}
	}
	var deploy []job
	for _, j := range jobs(docs) {
		p := mapping(get(j.node, "permissions"))
		for k, v := range p {
			if v == "write" && k != "id-token" || v == "write-all" {
				t.Errorf("%s: job %s: permissions %s: %s, more than reading the code", j.file, j.id, k, v)
			}
		}
		if p["id-token"] == "write" {
			deploy = append(deploy, j)
			if !maps.Equal(p, map[string]string{"id-token": "write", "contents": "read"}) {
				t.Errorf("%s: job %s: permissions = %v, want exactly id-token: write and contents: read", j.file, j.id, p)
			}
		}
	}
	if len(deploy) != 1 {
		t.Fatalf("%d jobs ask for an OIDC token (id-token: write), want exactly one: the deploy job", len(deploy))
	}
	d := deploy[0]
	where := fmt.Sprintf("%s: job %s", d.file, d.id)

	// It runs the make targets README documents for a deploy, and those exist.
	documented := readmeDeployTargets(t)
	var run []string
	for _, s := range runScripts(d.node) {
		for _, line := range strings.Split(s, "\n") {
			run = append(run, commandMakeTargets(line)...)
		}
	}
	if len(run) == 0 {
		t.Errorf("%s runs no make target: it must deploy the way README says (%v)", where, documented)
	}
	for _, target := range run {
		if !slices.Contains(documented, target) {
			t.Errorf("%s runs make %s, which README's \"Deploying to AWS Fargate\" does not document (it names %v)", where, target, documented)
		}
		if !targets[target] {
			t.Errorf("%s runs make %s: the Makefile has no such target", where, target)
		}
	}
	if !slices.Contains(run, "deploy") {
		t.Errorf("%s does not run make deploy (it runs %v)", where, run)
	}

	// The trust terraform/iam writes by default: the environment's tokens, from refs/heads/main.
	env := get(d.node, "environment")
	if env != nil && env.Kind == yaml.MappingNode {
		env = get(env, "name")
	}
	if want := tfDefault(t, "../terraform/iam/variables.tf", "github_environment"); env == nil || env.Value != want {
		got := "none"
		if env != nil {
			got = env.Value
		}
		t.Errorf("%s: environment %s, want %s, terraform/iam's github_environment: the role trusts that environment's tokens only", where, got, want)
	}
	ref := tfDefault(t, "../terraform/iam/variables.tf", "github_ref")
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		t.Fatalf("terraform/iam's github_ref default %q is not a branch", ref)
	}
	if cond := get(d.node, "if"); cond == nil || !strings.Contains(cond.Value, "github.ref == '"+ref+"'") || !strings.Contains(cond.Value, "github.event_name == 'push'") {
		t.Errorf("%s: if: must hold github.event_name == 'push' && github.ref == '%s' (the trust's ref)", where, ref)
	}
	on := get(docs[d.file], "on", "push", "branches")
	if on == nil || !slices.ContainsFunc(on.Content, func(n *yaml.Node) bool { return n.Value == branch }) {
		t.Errorf("%s: on.push.branches must include %s, the branch the role trusts", d.file, branch)
	}

	// Deploys run one at a time and are never cancelled half-way.
	c := mapping(get(d.node, "concurrency"))
	if c["group"] == "" || c["cancel-in-progress"] != "false" {
		t.Errorf("%s: concurrency = %v, want a group and cancel-in-progress: false", where, c)
	}

	// The role comes from the repository's variables, through configure-aws-credentials.
	found := false
	if steps := get(d.node, "steps"); steps != nil {
		for _, s := range steps.Content {
			if u := get(s, "uses"); u != nil && strings.HasPrefix(u.Value, "aws-actions/configure-aws-credentials@") {
				found = true
				if r := get(s, "with", "role-to-assume"); r == nil || !strings.Contains(r.Value, "vars.AWS_ROLE_ARN") {
					t.Errorf("%s: configure-aws-credentials must assume ${{ vars.AWS_ROLE_ARN }}", where)
				}
			}
		}
	}
	if !found {
		t.Errorf("%s does not use aws-actions/configure-aws-credentials", where)
	}
}
