package scripts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxTrackedSize is the most a tracked file may weigh: git keeps every version of a file
// for ever, so anything larger belongs in a release asset, a package or a build step.
const maxTrackedSize = 1 << 20

// trackedAllowed names the tracked files the rules below would refuse, each with why it
// must be in the repository all the same. Add to it only what cannot be rebuilt.
var trackedAllowed = map[string]string{
	// A pprof profile, gzip-compressed: go build reads it as an input (profile-guided
	// optimisation), and it comes from a load run (make pgo), not from the source.
	"cmd/actors/default.pgo": "the CPU profile go build optimises the service with",
}

// TestTrackedFiles keeps build outputs out of git: it fails on a tracked file over 1 MiB, or
// one that looks like a build output (a binary, an archive, a compiled test or a profile),
// unless trackedAllowed names it.
func TestTrackedFiles(t *testing.T) {
	requireTools(t, "git")
	out, err := gitCmd("..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("SKIP: not a git work tree (%v)", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if _, ok := trackedAllowed[name]; ok {
			continue
		}
		path := filepath.Join("..", name)
		info, err := os.Lstat(path)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or a symbolic link
		}
		head := make([]byte, 512)
		if f, err := os.Open(path); err == nil {
			n, _ := f.Read(head)
			head = head[:n]
			f.Close()
		}
		if why := buildOutput(name, info.Size(), head); why != "" {
			t.Errorf("%s is tracked, and %s: git rm --cached it and ignore it in .gitignore "+
				"(or, if it must be in git, add it to trackedAllowed in scripts/tracked_files_test.go with why)", name, why)
		}
	}
}

// buildOutput says why a file of this name, size and first bytes does not belong in git,
// or returns "".
func buildOutput(name string, size int64, head []byte) string {
	if size > maxTrackedSize {
		return "it is over 1 MiB"
	}
	magics := []struct{ prefix, kind string }{
		{"\x7fELF", "an ELF binary"},
		{"\xfe\xed\xfa\xce", "a Mach-O binary"}, {"\xfe\xed\xfa\xcf", "a Mach-O binary"},
		{"\xce\xfa\xed\xfe", "a Mach-O binary"}, {"\xcf\xfa\xed\xfe", "a Mach-O binary"},
		{"\xca\xfe\xba\xbe", "a Mach-O universal binary or a Java class"},
		{"MZ", "a PE (Windows) binary"},
		{"\x00asm", "a WebAssembly module"},
		{"!<arch>\n", "an ar archive (a Go or C library, a .deb)"},
		{"PK\x03\x04", "a zip archive"},
		{"\x1f\x8b", "gzip-compressed (an archive, or a pprof profile)"},
		{"BZh", "bzip2-compressed"}, {"\xfd7zXZ\x00", "xz-compressed"},
		{"\x28\xb5\x2f\xfd", "zstd-compressed"}, {"7z\xbc\xaf\x27\x1c", "a 7-zip archive"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return "it is " + m.kind
		}
	}
	if len(head) > 262 && string(head[257:262]) == "ustar" {
		return "it is a tar archive"
	}
	base := filepath.Base(name)
	for _, ext := range []string{".test", ".exe", ".o", ".a", ".so", ".dylib", ".dll", ".out", ".prof", ".tfstate"} {
		if strings.HasSuffix(base, ext) {
			return "its name ends in " + ext + ", a build or test output"
		}
	}
	if name == "actors" || strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "clients/typescript/dist/") {
		return "it is where a build writes its output"
	}
	return ""
}

func TestBuildOutput(t *testing.T) {
	tar := make([]byte, 512)
	copy(tar[257:], "ustar")
	cases := []struct {
		name  string
		size  int64
		head  string
		build bool
	}{
		{"actors", 25 << 20, "\x7fELF\x02\x01", true},
		{"cmd/actors/actors", 1000, "\x7fELF\x02\x01", true},
		{"tool", 1000, "\xcf\xfa\xed\xfe", true},
		{"tool.bin", 1000, "MZ\x90\x00", true},
		{"cpu.pb", 1000, "\x1f\x8b\x08", true},
		{"x.tar", 512, string(tar), true},
		{"lib.a", 100, "!<arch>\n", true},
		{"httpapi.test", 100, "", true},
		{"cover.out", 100, "mode: set\n", true},
		{"bin/actors", 100, "", true},
		{"big.json", 2 << 20, "{", true},
		{"docs/swagger-ui.png", 165234, "\x89PNG\r\n", false},
		{"internal/httpapi/testdata/fuzz/FuzzBody/0365bbbdd8440eb9", 60, "go test fuzz v1\n", false},
		{"README.md", 16000, "# actors\n", false},
		{"Makefile", 7000, "# Run `make`", false},
	}
	for _, tc := range cases {
		if got := buildOutput(tc.name, tc.size, []byte(tc.head)); (got != "") != tc.build {
			t.Errorf("buildOutput(%q, %d, %q) = %q, want a reason: %v", tc.name, tc.size, tc.head, got, tc.build)
		}
	}
}
