// Command startup measures how long a server binary takes from exec to its first
// GET /healthz 200, for `make loadtest`. It starts the binary n times on a free loopback
// port (ACTORS_ADDR), polls /healthz every 100 µs, stops it with SIGTERM, and prints the
// median, min and max in milliseconds. Extra arguments go before the binary, so the
// caller can pin it with taskset.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 20, "runs")
	onlyPort := flag.Bool("free-port", false, "print a free loopback port and exit (for bench/loadtest.sh)")
	flag.Parse()
	if *onlyPort {
		addr, err := freePort()
		if err != nil {
			log.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(addr)
		fmt.Println(port)
		return
	}
	if flag.NArg() == 0 {
		log.Fatal("usage: startup [-n 20] [taskset -c 0] /path/to/actors")
	}
	var times []time.Duration
	for range *n {
		d, err := once(flag.Args())
		if err != nil {
			log.Fatal(err)
		}
		times = append(times, d)
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("startup_ms median=%.1f min=%.1f max=%.1f runs=%d\n", ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1]), len(times))
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func once(argv []string) (time.Duration, error) {
	addr, err := freePort()
	if err != nil {
		return 0, err
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "ACTORS_ADDR="+addr, "ACTORS_LOG_LEVEL=warn", "ACTORS_INSECURE_DEFAULT_CREDENTIALS=true")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Cancel(); _ = cmd.Wait() }()
	for ctx.Err() == nil {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s: no /healthz 200 within 10s", argv)
}
