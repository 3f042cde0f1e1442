package scripts

import (
	"os"
	"regexp"
	"testing"
)

// TestDockerfileGoIsGoMods holds the image's build stage to exactly the Go release go.mod names,
// the one everything else builds with: a tag of the minor alone could resolve to a cached image of
// an older patch, which the image's GOTOOLCHAIN=local then refuses mid-build.
func TestDockerfileGoIsGoMods(t *testing.T) {
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if want == nil {
		t.Fatal("go.mod has no go line")
	}
	// A digest may follow the tag; the tag still says which release it is.
	from := regexp.MustCompile(`(?m)^FROM (?:--platform=\S+ )?golang:([^\s@]+)(@sha256:[0-9a-f]{64})? AS build$`).FindSubmatch(dockerfile)
	if from == nil {
		t.Fatal("the Dockerfile has no `FROM golang:<release> AS build` line")
	}
	if string(from[1]) != string(want[1]) {
		t.Errorf("the Dockerfile builds with golang:%s, go.mod's go line is %s: make them the same release", from[1], want[1])
	}
}
