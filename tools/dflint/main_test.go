package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		code  int
		want  []string // substrings expected in stdout
	}{
		{"clean", []string{"testdata/clean.Dockerfile"}, 0, nil},
		{"findings", []string{"testdata/findings.Dockerfile"}, 1, []string{
			"findings.Dockerfile:1: FromAsCasing",
			"findings.Dockerfile:1: StageNameCasing",
			"findings.Dockerfile:2: JSONArgsRecommended",
			"invalid containerPort",
		}},
		{"usage", nil, 2, nil},
		{"missing file", []string{"testdata/nope"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.files, &out, &errOut); code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, &out, &errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &out)
				}
			}
		})
	}
}

// The project's own Dockerfile must stay clean: this is what `make lint` checks.
func TestProjectDockerfile(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"../../Dockerfile"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, &out, &errOut)
	}
}
