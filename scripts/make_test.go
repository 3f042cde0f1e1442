package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateFromFreshClone: in a clone with no node_modules, make generate installs the
// TypeScript client's pinned packages before it runs their generator (make -n shows the plan).
func TestGenerateFromFreshClone(t *testing.T) {
	requireTools(t, "make")
	dir := t.TempDir()
	for _, f := range []string{"Makefile", "go.mod", "clients/typescript/package-lock.json"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("make", "-n", "generate")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	install := strings.Index(string(out), "npm ci --prefix clients/typescript")
	gen := strings.Index(string(out), "npm run generate --prefix clients/typescript")
	if err != nil || install < 0 || gen < install {
		t.Errorf("make -n generate in a fresh clone: %v; want npm ci for clients/typescript before npm run generate:\n%s", err, out)
	}
}
