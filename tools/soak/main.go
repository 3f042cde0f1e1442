// Command soak runs mixed CRUD load against a built actors binary for a while, then checks
// that nothing leaked and nothing was lost:
//
//	soak -server bin/actors -duration 60s
//
// It starts the server on loopback (with the opt-in pprof listener, to count goroutines),
// runs concurrent clients that create, get, replace (If-Match), patch, delete and list,
// reports requests, errors, 412s, RSS and goroutines at start and end, and verifies that
// GET /actors, page by page, holds exactly what the clients' successful writes imply. It
// exits 1 on any error, any difference, or goroutine growth. scripts/soak.sh (make soak)
// builds the server and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	server := flag.String("server", "bin/actors", "the actors binary to start")
	duration := flag.Duration("duration", 60*time.Second, "how long the load runs")
	clients := flag.Int("clients", 16, "concurrent clients")
	flag.Parse()
	if err := soak(*server, *duration, *clients); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func soak(bin string, duration time.Duration, clients int) error {
	srv, err := startServer(bin)
	if err != nil {
		return err
	}
	defer srv.kill()

	before, err := srv.stats()
	if err != nil {
		return err
	}
	fmt.Printf("soak: server pid %d on %s; %d clients for %s\n", srv.cmd.Process.Pid, srv.base, clients, duration)
	fmt.Printf("soak: start: %s\n", before)

	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	l := newLoad(srv.base, soakUser, soakPassword, &http.Client{Transport: transport, Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	l.run(ctx, clients)
	// Idle keep-alive connections hold two goroutines each on the server; close them so the
	// end count compares like with like.
	transport.CloseIdleConnections()
	after, err := srv.settledStats(before.goroutines)
	if err != nil {
		return err
	}
	fmt.Printf("soak: end:   %s\n", after)
	fmt.Println("soak:", l.summary(duration))

	var failures []string
	if n := l.errors.Load(); n > 0 {
		failures = append(failures, fmt.Sprintf("%d errors", n))
	}
	diffs, err := l.verify(context.Background())
	if err != nil {
		failures = append(failures, "final listing: "+err.Error())
	}
	for _, d := range diffs {
		fmt.Println("soak: store differs:", d)
	}
	if len(diffs) > 0 {
		failures = append(failures, fmt.Sprintf("%d differences between the store and the clients' writes", len(diffs)))
	} else if err == nil {
		fmt.Printf("soak: the store holds exactly the %d actors the clients' writes imply\n", l.model.live())
	}
	if after.goroutines > before.goroutines+goroutineNoise {
		failures = append(failures, fmt.Sprintf("goroutines grew from %d to %d", before.goroutines, after.goroutines))
	}
	if err := srv.stop(); err != nil {
		failures = append(failures, err.Error())
	}
	if len(failures) > 0 {
		return fmt.Errorf("FAILED: %v", failures)
	}
	fmt.Println("soak: PASS")
	return nil
}
