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

// probeProcess is the built probe, running.
type probeProcess struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	killed atomic.Bool   // by the watchdog, past 1 GB of RSS
	done   chan struct{} // closed once it has exited
	err    error         // cmd.Wait's, once done
}

// startProbe starts the built probe against base; a watchdog kills it past 1 GB of RSS.
func startProbe(t *testing.T, bin, base string, args ...string) *probeProcess {
	t.Helper()
	p := &probeProcess{cmd: exec.Command(bin, append([]string{"-url", base}, args...)...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "ACTORS_USERNAME="+user, "ACTORS_PASSWORD="+password)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	go func() {
		for {
			if rss, err := vmRSS(p.cmd.Process.Pid); err == nil && rss > 1<<30 {
				p.killed.Store(true)
				_ = p.cmd.Process.Kill()
			}
			select {
			case <-p.done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the probe to exit, at most limit, which bounds a broken run only.
func (p *probeProcess) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(limit):
		t.Fatalf("the probe was still running after %s", limit)
		return nil
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
	start := time.Now()
	p := startProbe(t, bin, srv.URL, "-timeout", "60s")
	err := p.wait(t, 3*time.Minute)
	if p.killed.Load() {
		t.Fatalf("the probe passed 1 GB of RSS: killed\n%.2000s", p.out.String())
	}
	peak := p.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	t.Logf("a MiB of violations for every request: exit %v after %s, peak RSS %d MB, %d bytes of report", err, time.Since(start).Round(time.Millisecond), peak>>20, p.out.Len())
	if p.cmd.ProcessState.ExitCode() != 1 || peak > 200<<20 || p.out.Len() > 64<<10 {
		t.Errorf("exit %v, peak RSS %d MB, %d bytes of report: want exit 1, under 200 MB, under 64 KiB", err, peak>>20, p.out.Len())
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
		p := startProbe(t, bin, srv.URL, "-timeout", "60s")
		time.Sleep(time.Second) // in the lifecycle, waiting for GET /actors/9
		start := time.Now()
		for range signals {
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		err := p.wait(t, 30*time.Second)
		took := time.Since(start)
		t.Logf("%d SIGTERM: %v after %s", signals, err, took.Round(time.Millisecond))
		switch ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus); {
		case signals == 1 && (ws.ExitStatus() != 1 || took > cleanupTimeout+5*time.Second || !strings.Contains(p.out.String(), "clean-up: DELETE /actors/9")):
			t.Errorf("one SIGTERM: %v after %s, want exit 1 after the clean-up's try\n%s", err, took, p.out.String())
		case signals == 2 && (!ws.Signaled() || took > 5*time.Second):
			t.Errorf("two SIGTERMs: %v after %s, want killed by the second at once\n%s", err, took, p.out.String())
		}
	}
}
