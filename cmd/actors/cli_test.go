package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestHelp: -h prints the usage and exits 0, for the server and its subcommands.
func TestHelp(t *testing.T) {
	bin := buildBinary(t)
	for _, args := range [][]string{{"-h"}, {"-help"}, {"healthcheck", "-h"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Usage of actors") || !strings.Contains(string(out), "-addr") {
			t.Errorf("actors %s: %v, want exit status 0 and the usage:\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestLogFormatAndInterrupt runs the built binary with each ACTORS_LOG_FORMAT and stops it
// with SIGINT, as Ctrl-C does: JSON lines by default (stdout is a pipe here, not a
// terminal) and with json, key=value text with text; and exit status 0 after a graceful
// shutdown.
func TestLogFormatAndInterrupt(t *testing.T) {
	bin := buildBinary(t)
	for _, tc := range []struct{ format, listening, stopped string }{
		{"", `"msg":"listening","addr":"127.0.0.1:`, `"msg":"stopped"`},
		{"json", `"msg":"listening","addr":"127.0.0.1:`, `"msg":"stopped"`},
		{"text", "level=INFO msg=listening addr=127.0.0.1:", "level=INFO msg=stopped"},
	} {
		t.Run("ACTORS_LOG_FORMAT="+tc.format, func(t *testing.T) {
			cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
			cmd.Env = binaryEnv(devEnv(map[string]string{"ACTORS_LOG_FORMAT": tc.format}))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			lines := make(chan string, 100)
			go func() {
				defer close(lines)
				for sc := bufio.NewScanner(stdout); sc.Scan(); {
					lines <- sc.Text()
				}
			}()
			var log []string
			next := func(want string) {
				t.Helper()
				timeout := time.After(10 * time.Second)
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("no line with %q before the log ended:\n%s", want, strings.Join(log, "\n"))
						}
						log = append(log, l)
						if strings.Contains(l, want) {
							return
						}
					case <-timeout:
						t.Fatalf("no line with %q in 10 s:\n%s", want, strings.Join(log, "\n"))
					}
				}
			}
			next(tc.listening)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			next(tc.stopped)
			for range lines {
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("after SIGINT: %v, want exit status 0", err)
			}
		})
	}
}

// TestTerm: the default log format follows whether stdout is a terminal; a pipe or a file,
// where a program or CloudWatch reads the log, is not one.
func TestTerm(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if term(w) || term(file) {
		t.Error("term: a pipe or a file taken for a terminal")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !term(tty) {
			t.Error("term(/dev/tty) = false")
		}
	}
}
