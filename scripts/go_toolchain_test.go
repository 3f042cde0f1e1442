// Tests of the shell scripts whose rules are worth holding in Go: run as `go test ./scripts`
// and by `make test-go`.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoToolchain runs scripts/go-toolchain.sh, as make does before any target that runs go:
// here it passes; on a module whose Go release cannot be fetched (an empty module cache and
// no proxy, as on a fresh machine offline) it fails naming the release and the fix.
func TestGoToolchain(t *testing.T) {
	requireTools(t, "bash", "go")
	src, err := os.ReadFile("go-toolchain.sh")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("this module", func(t *testing.T) {
		out, err := exec.Command("bash", "go-toolchain.sh").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "go-toolchain: go1.") {
			t.Errorf("%v, output:\n%s", err, out)
		}
	})

	cases := []struct {
		name       string
		toolchain  string // GOTOOLCHAIN in the environment; empty: unset
		want, lack []string
	}{
		{name: "release not fetchable",
			want: []string{"this project builds with go1.99.0 (go.mod's go line). GOTOOLCHAIN is go1.99.0",
				"let go fetch go1.99.0 once", "GOPROXY is 'off'", "install go1.99.0"},
			lack: []string{"unset GOTOOLCHAIN"}},
		{name: "GOTOOLCHAIN=local in the environment", toolchain: "local",
			want: []string{"go.mod requires go >= 1.99.0", "GOTOOLCHAIN is local", "unset GOTOOLCHAIN in your environment: make then sets GOTOOLCHAIN=go1.99.0", "install go1.99.0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "scripts"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "scripts", "go-toolchain.sh"), src, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.99.0\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", filepath.Join(dir, "scripts", "go-toolchain.sh"))
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "GOTOOLCHAIN=") && !strings.HasPrefix(kv, "GOPROXY=") && !strings.HasPrefix(kv, "GOMODCACHE=") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, "GOPROXY=off", "GOMODCACHE="+filepath.Join(dir, "modcache"))
			if tc.toolchain != "" {
				cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+tc.toolchain)
			}
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Errorf("passed, want a failure")
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, l := range tc.lack {
				if strings.Contains(string(out), l) {
					t.Errorf("output has %q", l)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// requireTools skips the test when a tool is missing, or fails it under CI=true.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (CI=true)", tool)
			}
			t.Skipf("SKIP: %s is not installed", tool)
		}
	}
}
