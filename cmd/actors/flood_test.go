//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actors-dev/actors/internal/httpapi"
)

// TestHeaderFloodStaysBounded runs the built binary with its default limits and sends it,
// with no credentials, what takes an unprotected 512 MiB task past its memory: connections
// full of tiny header fields, which net/http parses at about 12 bytes of memory per byte.
//
//   - holders send just under the 64 KiB header limit and then stall, four times as many
//     as the connection limit lets in at once, from as many addresses as it takes for each
//     address to stay within its share: without the limit they would all be parsed together;
//   - flooders try to send 1 MiB of header each: without the header limit each would
//     cost about 12 MiB.
//
// The peak RSS must stay under 150 MB, and /healthz, asked meanwhile from another address,
// must answer: it waits its turn behind the holders, which the header timeout (5s) cuts off
// a limit's worth at a time. A watchdog kills the server if it passes 300 MB, so a
// regression fails the test without straining the machine.
func TestHeaderFloodStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	const (
		peakLimit  = 150 << 20
		killAt     = 300 << 20
		holders    = 4 * defaultMaxConnections
		holdBytes  = httpapi.MaxHeaderBytes - 4<<10
		flooders   = 32
		floodBytes = 1 << 20
	)
	srv := startBinary(t, devEnv(nil))
	pid := srv.cmd.Process.Pid
	killed := watchdog(srv, killAt)

	hold, flood := headerFields(holdBytes), headerFields(floodBytes)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var dialErrs []error
	for i := range holders + flooders {
		header := hold
		if i >= holders {
			header = flood
		}
		from := fmt.Sprintf("127.0.%d.%d", 10+i/250, 1+i%250/4) // four connections an address
		wg.Go(func() {
			if err := sendHeader(from, srv.addr, header); err != nil {
				mu.Lock()
				dialErrs = append(dialErrs, err)
				mu.Unlock()
			}
		})
	}

	healthClient := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true, DialContext: dialerFrom("127.0.0.9").DialContext}}
	time.Sleep(200 * time.Millisecond) // let the attack get in first
	resp, err := healthClient.Get(srv.base + "/healthz")
	switch {
	case err != nil:
		t.Errorf("/healthz during the flood: %v", err)
	default:
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("/healthz during the flood: %s", resp.Status)
		}
	}

	wg.Wait()
	if killed() {
		t.Fatalf("the server's RSS passed %d MB: killed", killAt>>20)
	}
	peak, err := procStatus(pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d holders of %d KiB and %d flooders of %d KiB: peak RSS %.1f MB (limit %d MB)",
		holders, holdBytes>>10, flooders, floodBytes>>10, float64(peak)/(1<<20), peakLimit>>20)
	if peak > peakLimit {
		t.Errorf("peak RSS %.1f MB, want under %d MB", float64(peak)/(1<<20), peakLimit>>20)
	}
	if len(dialErrs) > 0 {
		t.Errorf("%d attack connections could not be made, so the server did not face the whole attack; the first: %v", len(dialErrs), dialErrs[0])
	}

	// The server still serves after the flood.
	resp, err = healthClient.Get(srv.base + "/healthz")
	if err != nil {
		t.Fatalf("/healthz after the flood: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after the flood: %s", resp.Status)
	}
}

// watchdog samples the server's RSS and kills it past killAt, so that a regression fails a
// test without straining the machine. It returns the function that ends the watch and
// says whether the server was killed.
func watchdog(srv *binaryServer, killAt int64) (killed func() bool) {
	var k atomic.Bool
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			if rss, err := procStatus(srv.cmd.Process.Pid, "VmRSS"); err == nil && rss > killAt {
				k.Store(true)
				_ = srv.cmd.Process.Kill()
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() bool {
		close(stop)
		<-done
		return k.Load()
	}
}

// headerFields returns a request line and header fields "hN:v" of size bytes in all,
// without the blank line that would end the header.
func headerFields(size int) []byte {
	var buf bytes.Buffer
	buf.WriteString("GET /healthz HTTP/1.1\r\nHost: a\r\n")
	for i := 0; buf.Len() < size; i++ {
		fmt.Fprintf(&buf, "h%d:v\r\n", i)
	}
	return buf.Bytes()[:size]
}

// dialerFrom dials from the loopback address from: the server counts connections per
// client address, and takes those from its own address (127.0.0.1 to 127.0.0.1) for its
// health check.
func dialerFrom(from string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: time.Minute}
}

// sendHeader opens a connection from the address from and sends header until it is all
// out or the server stops taking it; then it waits until the server answers or closes. It
// fails only when the connection cannot be made.
func sendHeader(from, addr string, header []byte) error {
	// Connections beyond the limit wait their turn; a busy machine may also be slow to
	// complete the handshake. The timeouts bound a broken run only.
	conn, err := dialerFrom(from).Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	for sent := 0; sent < len(header); sent += 4096 {
		if _, err := conn.Write(header[sent:min(sent+4096, len(header))]); err != nil {
			break // the server answered 431 and closed
		}
	}
	_, _ = io.Copy(io.Discard, conn) // the server's 431, or its close at the header timeout
	return nil
}

// procStatus returns a "kB" field of /proc/<pid>/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
