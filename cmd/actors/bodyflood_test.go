//go:build linux

package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBodyFloodStaysBounded runs the built binary with its defaults and has authenticated
// clients send, on every connection the server admits at once and in several waves, the
// bodies that cost validation the most memory: nothing but properties the schema does not
// allow, each of which kin-openapi reports as an error, at about eighty times the body's
// size in memory. Half the bodies are just under the 64 KiB limit (400), half are 1 MiB
// (413, unless the limit has grown). The peak RSS must stay under 150 MB; a watchdog kills
// the server past 300 MB, so a regression fails the test without straining the machine.
func TestBodyFloodStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	const (
		peakLimit = 150 << 20
		killAt    = 300 << 20
		clients   = defaultMaxConnections
		waves     = 4
	)
	small, large := unknownProperties(64<<10-16), unknownProperties(1<<20)
	srv := startBinary(t, devEnv(nil))
	killed := watchdog(srv, killAt)

	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]int{}
	for i := range clients {
		wg.Go(func() {
			for wave := range waves {
				body := small
				if (i+wave)%2 == 1 {
					body = large
				}
				req, _ := http.NewRequest("POST", srv.base+"/actors", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth("user", "password")
				status := "no answer"
				if resp, err := client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.Status
				}
				mu.Lock()
				statuses[fmt.Sprintf("%d KiB: %s", len(body)>>10, status)]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if killed() {
		t.Fatalf("the server's RSS passed %d MB: killed (answers %v)", killAt>>20, statuses)
	}
	want := map[string]int{
		fmt.Sprintf("%d KiB: 400 Bad Request", len(small)>>10):              clients * waves / 2,
		fmt.Sprintf("%d KiB: 413 Request Entity Too Large", len(large)>>10): clients * waves / 2,
	}
	if fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", statuses, want)
	}
	peak, err := procStatus(srv.cmd.Process.Pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clients × %d bodies: peak RSS %.1f MB (limit %d MB)", clients, waves, float64(peak)/(1<<20), peakLimit>>20)
	if peak > peakLimit {
		t.Errorf("peak RSS %.1f MB, want under %d MB", float64(peak)/(1<<20), peakLimit>>20)
	}
}

// unknownProperties is an actor of about size bytes followed by properties "p0", "p1"…,
// none of which the schema allows.
func unknownProperties(size int) string {
	var b strings.Builder
	b.WriteString(`{"actor":"a","role":"b"`)
	for i := 0; b.Len() < size-16; i++ {
		fmt.Fprintf(&b, `,"p%d":1`, i)
	}
	b.WriteString("}")
	return b.String()
}
