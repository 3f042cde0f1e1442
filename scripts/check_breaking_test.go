package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckBreaking runs scripts/check-breaking.sh on scratch git repositories that hold
// the real spec, committed (and tagged v1.0.0 where the case says so), then changed.
func TestCheckBreaking(t *testing.T) {
	requireTools(t, "git", "bash", "go")
	script, err := filepath.Abs("check-breaking.sh")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}

	removeDelete := func(s string) string { return removeDeleteActor(t, s) }
	cases := []struct {
		name     string
		released bool   // api/released/openapi.yaml holds the spec, committed, and no v* tag
		untagged bool   // no v* tag: the fallback base
		commit   bool   // commit the change instead of leaving it in the working tree
		base     string // BASE=
		change   func(string) string
		fail     bool
		want     []string // in the output
	}{
		{name: "unchanged spec passes",
			change: func(s string) string { return s },
			want:   []string{"with v1.0.0:api/openapi.yaml (the latest v* tag", "No changes detected", "no breaking change"}},
		{name: "removing an operation fails",
			change: removeDelete, fail: true,
			want: []string{"api-removed-without-deprecation", "DELETE /actors/{id}", "FAIL", "info.version is still 1.0.0", "info.version's major"}},
		{name: "an optional request field made required fails",
			change: func(s string) string {
				return replaceOnce(t, s, "      minProperties: 1\n", "      minProperties: 1\n      required: [actor]\n")
			}, fail: true,
			want: []string{"request-property-became-required", "PATCH /actors/{id}", "`actor` became required", "FAIL"}},
		{name: "adding an optional query parameter passes",
			change: func(s string) string {
				return replaceOnce(t, s, after, after+"        - name: role\n          in: query\n          schema:\n            type: string\n")
			},
			want: []string{"no breaking change"}},
		{name: "a warning is printed and passes",
			change: func(s string) string { return replaceOnce(t, s, after, "") },
			want:   []string{"warning\t[request-parameter-removed]", "`after`", "the warnings above may still affect some clients, and do not fail"}},
		{name: "a breaking change with info.version's major raised passes",
			change: func(s string) string {
				return replaceOnce(t, removeDelete(s), "  version: 1.0.0\n", "  version: 2.0.0\n")
			},
			want: []string{"api-removed-without-deprecation", "are declared", "from 1.0.0 to 2.0.0"}},
		{name: "a minor version bump does not declare a break",
			change: func(s string) string {
				return replaceOnce(t, removeDelete(s), "  version: 1.0.0\n", "  version: 1.1.0\n")
			},
			fail: true, want: []string{"FAIL"}},
		{name: "without a tag, uncommitted changes are compared with HEAD",
			untagged: true, change: removeDelete, fail: true,
			want: []string{"with HEAD:api/openapi.yaml (no v* tag, and the working tree's spec differs from HEAD's)", "api-removed-without-deprecation"}},
		{name: "without a tag, the last committed change is checked",
			untagged: true, commit: true, change: removeDelete, fail: true,
			want: []string{"^:api/openapi.yaml (no v* tag: the spec before its last change", `"change the spec"`, "api-removed-without-deprecation"}},
		{name: "BASE overrides the tag",
			base: "HEAD", change: removeDelete, fail: true,
			want: []string{"with HEAD:api/openapi.yaml (BASE=HEAD)"}},
		{name: "the released contract is the default base",
			released: true, change: func(s string) string { return s },
			want: []string{"with api/released/openapi.yaml (the last release's contract, info.version 1.0.0", "no breaking change"}},
		{name: "removing an operation from the released contract fails",
			released: true, commit: true, change: removeDelete, fail: true,
			want: []string{"with api/released/openapi.yaml", "api-removed-without-deprecation", "FAIL", "info.version's major"}},
		{name: "the released contract, broken with info.version's major raised, passes",
			released: true, change: func(s string) string {
				return replaceOnce(t, removeDelete(s), "  version: 1.0.0\n", "  version: 2.0.0\n")
			},
			want: []string{"with api/released/openapi.yaml", "are declared", "from 1.0.0 to 2.0.0"}},
		{name: "BASE overrides the released contract",
			released: true, base: "HEAD", change: removeDelete, fail: true,
			want: []string{"with HEAD:api/openapi.yaml (BASE=HEAD)"}},
		{name: "a BASE that is not a commit is an error",
			base: "v9.9.9", change: func(s string) string { return s }, fail: true,
			want: []string{"BASE v9.9.9 is not a commit in this clone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			repo := t.TempDir()
			git := func(args ...string) {
				t.Helper()
				if out, err := gitCmd(repo, args...).CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			write := func(content string) {
				t.Helper()
				if err := os.WriteFile(filepath.Join(repo, "api", "openapi.yaml"), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.MkdirAll(filepath.Join(repo, "api", "released"), 0o755); err != nil {
				t.Fatal(err)
			}
			git("init", "-q")
			write(string(spec))
			if tc.released {
				if err := os.WriteFile(filepath.Join(repo, "api", "released", "openapi.yaml"), spec, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			git("add", ".")
			git("commit", "-q", "-m", "the spec")
			if !tc.untagged && !tc.released {
				git("tag", "v1.0.0")
			}
			write(tc.change(string(spec)))
			if tc.commit {
				git("commit", "-q", "-a", "-m", "change the spec")
			}

			cmd := exec.Command("bash", script)
			cmd.Dir = repo
			cmd.Env = append(gitEnv(), "BASE="+tc.base)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fail {
				t.Errorf("failed = %v (%v), want %v", failed, err, tc.fail)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestCheckBreakingShallowClone: a clone without the spec's history cannot be checked, and
// says how to fetch it rather than passing.
func TestCheckBreakingShallowClone(t *testing.T) {
	requireTools(t, "git", "bash", "go")
	script, err := filepath.Abs("check-breaking.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	origin, clone := filepath.Join(dir, "origin"), filepath.Join(dir, "clone")
	for _, step := range [][]string{
		{"init", "-q", origin},
		{"-C", origin, "commit", "-q", "--allow-empty", "-m", "first"},
		{"-C", origin, "commit", "-q", "--allow-empty", "-m", "second"},
	} {
		if out, err := gitCmd(dir, step...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", step, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(origin, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(origin, "api", "openapi.yaml"), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][]string{
		{"-C", origin, "add", "."},
		{"-C", origin, "commit", "-q", "-m", "the spec"},
		{"clone", "-q", "--depth", "1", "file://" + origin, clone},
	} {
		if out, err := gitCmd(dir, step...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", step, err, out)
		}
	}
	cmd := exec.Command("bash", script)
	cmd.Dir = clone
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "this clone is shallow") || !strings.Contains(string(out), "git fetch --unshallow") {
		t.Errorf("err = %v, want a failure naming the shallow clone and the fetch; output:\n%s", err, out)
	}
}

// after is the list operation's last parameter in the spec.
const after = "        - $ref: '#/components/parameters/After'\n"

// TestReleaseContract walks a contract through releases with scripts/release-contract.sh on a
// scratch repository: the first release records the spec; a changed spec needs a higher
// info.version; a break needs a higher major, and a refused release leaves the file as it was.
func TestReleaseContract(t *testing.T) {
	requireTools(t, "git", "bash", "go")
	script, err := filepath.Abs("release-contract.sh")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := gitCmd(repo, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	withParam := replaceOnce(t, string(spec), after, after+"        - name: role\n          in: query\n          schema:\n            type: string\n")
	steps := []struct {
		name, spec, released string // released: the file's info.version after the step
		fail                 bool
		want                 string
	}{
		{"the first release records the spec", string(spec), "1.0.0", false, "is now info.version 1.0.0"},
		{"the same spec again changes nothing", string(spec), "1.0.0", false, "nothing to do"},
		{"a change needs a new info.version", withParam, "1.0.0", true, "raise info.version above it"},
		{"an older info.version is refused", strings.Replace(withParam, "  version: 1.0.0\n", "  version: 0.9.0\n", 1), "1.0.0", true, "raise info.version"},
		{"an addition with a minor bump is released", strings.Replace(withParam, "  version: 1.0.0\n", "  version: 1.1.0\n", 1), "1.1.0", false, "is now info.version 1.1.0"},
		{"a break needs a new major", strings.Replace(removeDeleteActor(t, withParam), "  version: 1.0.0\n", "  version: 1.2.0\n", 1), "1.1.0", true, "check-breaking failed"},
		{"a break with a new major is released", strings.Replace(removeDeleteActor(t, withParam), "  version: 1.0.0\n", "  version: 2.0.0\n", 1), "2.0.0", false, "git tag v2.0.0"},
	}
	for _, step := range steps {
		if err := os.WriteFile(filepath.Join(repo, "api", "openapi.yaml"), []byte(step.spec), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", script)
		cmd.Dir = repo
		cmd.Env = gitEnv()
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != step.fail || !strings.Contains(string(out), step.want) {
			t.Errorf("%s: err = %v (want a failure: %v), want %q in the output:\n%s", step.name, err, step.fail, step.want, out)
		}
		released, err := os.ReadFile(filepath.Join(repo, "api", "released", "openapi.yaml"))
		if err != nil || !strings.Contains(string(released), "\n  version: "+step.released+"\n") {
			t.Errorf("%s: api/released/openapi.yaml is not info.version %s (%v)", step.name, step.released, err)
		}
	}
}

// removeDeleteActor removes the DELETE /actors/{id} operation from the spec.
func removeDeleteActor(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "    delete:\n      operationId: deleteActor\n")
	j := strings.Index(s, "  /healthz:\n")
	if i < 0 || j < i {
		t.Fatal("spec: no deleteActor before /healthz")
	}
	return s[:i] + s[j:]
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("spec: %q is not there exactly once", old)
	}
	return strings.Replace(s, old, new, 1)
}

// gitEnv is the environment without BASE and without the user's git configuration, with an
// identity for commits.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BASE=") && !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")
}

func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	return cmd
}
