//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// buildProbe builds this command into a temporary folder.
func buildProbe(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the probe; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("go is not on PATH: cannot build the probe")
		}
		t.Skip("go is not on PATH: cannot build the probe")
	}
	bin := filepath.Join(t.TempDir(), "contractprobe")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProbe starts the built probe against base; a watchdog kills it past 1 GB of RSS.
func startProbe(t *testing.T, bin, base string, args ...string) (*exec.Cmd, *bytes.Buffer, func() bool) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-url", base}, args...)...)
	cmd.Env = append(os.Environ(), "ACTORS_USERNAME="+user, "ACTORS_PASSWORD="+password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var killed atomic.Bool
	go func() {
		for cmd.ProcessState == nil {
			if rss, err := vmRSS(cmd.Process.Pid); err == nil && rss > 1<<30 {
				killed.Store(true)
				_ = cmd.Process.Kill()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &out, killed.Load
}

// waitExit waits for cmd, at most limit, which bounds a broken run only.
func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the probe was still running after %s", limit)
		return 0, nil
	}
}

func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// TestBuiltProbeAgainstAHostileServer: the built probe against a server answering a MiB of
// schema violations, the worst it will validate, stays within 200 MB and fails;
// against a server that holds its answers, SIGTERM stops it with its clean-up, and a
// second SIGTERM at once.
func TestBuiltProbeAgainstAHostileServer(t *testing.T) {
	bin := buildProbe(t)

	body := violations(maxBody)
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
		return true
	})
	cmd, out, killed := startProbe(t, bin, srv.URL, "-timeout", "60s")
	took, err := waitExit(t, cmd, 3*time.Minute)
	if killed() {
		t.Fatalf("the probe passed 1 GB of RSS: killed\n%.2000s", out)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	t.Logf("a MiB of violations for every request: exit %v after %s, peak RSS %d MB, %d bytes of report", err, took.Round(time.Millisecond), peak>>20, out.Len())
	if cmd.ProcessState.ExitCode() != 1 || peak > 200<<20 || out.Len() > 64<<10 {
		t.Errorf("exit %v, peak RSS %d MB, %d bytes of report: want exit 1, under 200 MB, under 64 KiB", err, peak>>20, out.Len())
	}

	// A server that creates the actor, then never answers again: the probe waits in the
	// lifecycle, then in its clean-up.
	held := make(chan struct{})
	defer close(held)
	srv = hostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/openapi.") {
			return false
		}
		if r.Method == http.MethodPost {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", "/actors/9")
			w.Header().Set("ETag", `"1"`)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":9,"actor":"a","role":"b"}`)
			return true
		}
		select {
		case <-held:
		case <-r.Context().Done():
		}
		return true
	})
	for _, signals := range []int{1, 2} {
		cmd, out, _ := startProbe(t, bin, srv.URL, "-timeout", "60s")
		time.Sleep(time.Second) // in the lifecycle, waiting for GET /actors/9
		start := time.Now()
		for range signals {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		_, err := waitExit(t, cmd, 30*time.Second)
		took := time.Since(start)
		t.Logf("%d SIGTERM: %v after %s", signals, err, took.Round(time.Millisecond))
		switch ws := cmd.ProcessState.Sys().(syscall.WaitStatus); {
		case signals == 1 && (ws.ExitStatus() != 1 || took > cleanupTimeout+5*time.Second || !strings.Contains(out.String(), "clean-up: DELETE /actors/9")):
			t.Errorf("one SIGTERM: %v after %s, want exit 1 after the clean-up's try\n%s", err, took, out)
		case signals == 2 && (!ws.Signaled() || took > 5*time.Second):
			t.Errorf("two SIGTERMs: %v after %s, want killed by the second at once\n%s", err, took, out)
		}
	}
}
