// Command dflint lints Dockerfiles offline with BuildKit's own rule set — the
// checks `docker build --check` reports — because hadolint cannot be installed
// here. It is a separate module so BuildKit never enters the service's go.mod.
//
// Usage: go -C tools/dflint run . ../../Dockerfile [more Dockerfiles]
// Exit status: 0 no findings, 1 findings, 2 usage or I/O error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

// offlineResolver answers every FROM with an empty linux image config instead
// of asking a registry (none is reachable). Rules that need the base image's
// real config, such as UndefinedVar for variables the base defines, therefore
// only know PATH.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := fmt.Appendf(nil, `{"architecture":%q,"os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`, runtime.GOARCH)
	return ref, digest.FromBytes(cfg), cfg, nil
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "usage: dflint Dockerfile...")
		return 2
	}
	findings := 0
	for _, f := range files {
		n, err := lintFile(ctx, f, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "dflint: %v\n", err)
			return 2
		}
		findings += n
	}
	if findings > 0 {
		fmt.Fprintf(stdout, "dflint: %d finding(s)\n", findings)
		return 1
	}
	return 0
}

// lintFile prints one line per finding as file:line: Rule: detail and returns
// how many it printed.
func lintFile(ctx context.Context, name string, out io.Writer) (int, error) {
	dt, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	sm := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	sm.Definition = &llb.Definition{} // DockerfileLint dereferences it
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		MetaResolver: offlineResolver{},
		SourceMap:    sm,
		Config:       dockerui.Config{},
	})
	if err != nil {
		// A parse error is a finding about the file, not a tool failure.
		fmt.Fprintf(out, "%s: %v\n", name, err)
		return 1, nil
	}
	n := 0
	for _, w := range res.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		fmt.Fprintf(out, "%s:%d: %s: %s\n", name, line, w.RuleName, w.Detail)
		n++
	}
	if res.Error != nil {
		fmt.Fprintf(out, "%s: error: %s\n", name, res.Error.Message)
		n++
	}
	return n, nil
}
