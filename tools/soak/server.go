package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// goroutineNoise is how many more goroutines than at the start the server may have once the
// load has stopped and its connections are closed: runtime and timer goroutines come and go.
const goroutineNoise = 10

// The credentials the soak gives the server.
const (
	soakUser     = "soak"
	soakPassword = "soak-password"
)

// server is the actors binary under soak, on loopback.
type server struct {
	cmd    *exec.Cmd
	base   string // http://host:port of the API
	debug  string // http://host:port of the pprof listener
	exited chan error
}

func startServer(bin string) (*server, error) {
	debugAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACTORS_") { // the defaults: the memory store
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// The pprof listener needs a server built with -tags debug (scripts/soak.sh does);
	// without one the server refuses to start.
	// A long soak creates more actors than the memory store holds by default, and may run
	// more clients than the default connection limit admits at once.
	cmd.Env = append(cmd.Env, "ACTORS_USERNAME="+soakUser, "ACTORS_PASSWORD="+soakPassword, "ACTORS_DEBUG_ADDR="+debugAddr,
		"ACTORS_MAX_ACTORS=10000000", "ACTORS_MAX_CONNECTIONS=4096")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, debug: "http://" + debugAddr, exited: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		// The log is read to its end, so the server never blocks on it: the "listening" line
		// gives the address, warnings and errors are passed on, the access log is dropped.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var line struct{ Msg, Addr, Level string }
			switch {
			case json.Unmarshal(sc.Bytes(), &line) != nil:
				fmt.Fprintln(os.Stderr, "server:", sc.Text())
			case line.Msg == "listening":
				addr <- line.Addr
			case line.Level == "WARN" || line.Level == "ERROR":
				fmt.Fprintln(os.Stderr, "server:", sc.Text())
			}
		}
		s.exited <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case err := <-s.exited:
		return nil, fmt.Errorf("the server exited at start-up: %v", err)
	case <-time.After(10 * time.Second):
		s.kill()
		return nil, errors.New("the server did not report its address")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("the server is not ready: /healthz %v", err)
		}
	}
	// The pprof listener starts beside the API; give it a moment before deciding it is absent.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := s.goroutines(); err == nil {
			return s, nil
		} else if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "soak: no pprof listener (%v): goroutines are not counted, only threads\n", err)
			s.debug = ""
			return s, nil
		}
	}
}

// freeLoopbackAddr asks the kernel for a free port. Another process could take it before the
// server does; the server then fails to start, and the soak says so.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// stats is what the soak reports of the server process.
type stats struct {
	rssKiB     int64
	threads    int64
	goroutines int // -1: unknown, the server has no pprof listener
}

func (s stats) String() string {
	g := strconv.Itoa(s.goroutines)
	if s.goroutines < 0 {
		g = "unknown"
	}
	return fmt.Sprintf("RSS %.1f MiB, %d threads, %s goroutines", float64(s.rssKiB)/1024, s.threads, g)
}

func (s *server) stats() (stats, error) {
	var st stats
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return st, fmt.Errorf("process status (Linux /proc): %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		key, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch key {
		case "VmRSS":
			st.rssKiB, _ = strconv.ParseInt(fields[0], 10, 64)
		case "Threads":
			st.threads, _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	st.goroutines, err = s.goroutines()
	return st, err
}

// settledStats waits a few seconds for goroutines to fall back to near want, then reports.
func (s *server) settledStats(want int) (stats, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := s.stats()
		if err != nil || st.goroutines <= want+goroutineNoise || time.Now().After(deadline) {
			return st, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// goroutines reads the count from the pprof listener: "goroutine profile: total N".
func (s *server) goroutines() (int, error) {
	if s.debug == "" {
		return -1, nil
	}
	resp, err := http.Get(s.debug + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	first, err := bufio.NewReader(io.LimitReader(resp.Body, 1024)).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("goroutine profile: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(first, "goroutine profile: total")))
	if err != nil {
		return 0, fmt.Errorf("goroutine profile: unexpected first line %q", first)
	}
	return n, nil
}

// stop sends SIGTERM and wants exit status 0.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-s.exited:
		if err != nil {
			return fmt.Errorf("the server exited with %v after SIGTERM", err)
		}
		return nil
	case <-time.After(30 * time.Second):
		return errors.New("the server did not exit within 30s of SIGTERM")
	}
}

// kill ends the server if it still runs; after stop, it finds the process gone.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
}
