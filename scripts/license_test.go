package scripts

import (
	"os"
	"strings"
	"testing"
)

// TestLicenseAgrees: LICENSE, the spec's info.license, the image's licenses label and README
// name the same license, so that nobody adopting the code has to guess which one holds.
func TestLicenseAgrees(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"LICENSE", "MIT License\n"},
		{"api/openapi.yaml", "  license:\n    name: MIT\n"},
		{"Dockerfile", "\nARG LICENSES=MIT\n"},
		{"README.md", "\n[MIT](LICENSE)."},
	} {
		b, err := os.ReadFile("../" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), c.want) {
			t.Errorf("%s lacks %q: LICENSE, the spec, the image label and README must agree", c.file, c.want)
		}
	}
}
