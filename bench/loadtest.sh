#!/usr/bin/env bash
# make loadtest: the service against a minimal hand-written net/http server (bench/baseline),
# side by side on this machine. Both serve on loopback pinned to CPU 0; wrk drives them from
# CPU 1, alternating service and baseline for ROUNDS rounds of DURATION seconds each, for
# GET /actors and GET /actors/{id}. Prints per side the medians of req/s, p50 and p99 and the
# CPU time each request cost the server (from /proc/PID/stat), and the medians of the
# per-round ratios (each round's service run against the baseline run right after it, so
# that load from elsewhere on the machine mostly cancels out). Then start-up time to the first
# /healthz 200 and the service's RSS. Loopback only; about 2 × 2 × ROUNDS × DURATION + 20 s.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-4}
CONNECTIONS=${CONNECTIONS:-16}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
GO=${GO:-go}

for tool in wrk taskset curl; do
	command -v "$tool" >/dev/null || { echo "loadtest: $tool not found (Debian: apt-get install wrk util-linux curl)" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
	echo "loadtest: needs 2 CPUs (server on one, wrk on the other); this machine has $(nproc)" >&2
	exit 1
fi

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/go-toolchain.sh"
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building service, baseline and start-up probe…"
(cd "$root" && CGO_ENABLED=0 $GO build -trimpath -ldflags "-s -w" -o "$work/actors" ./cmd/actors \
	&& CGO_ENABLED=0 $GO -C bench build -trimpath -ldflags "-s -w" -o "$work/baseline" ./baseline \
	&& $GO -C bench build -o "$work/startup" ./startup)

free_port() { "$work/startup" -free-port; }

declare -A URL PID
# start NAME BIN: starts BIN pinned to SERVER_CPU on a free port; sets URL[NAME] and PID[NAME].
start() {
	local name=$1 bin=$2 port
	port=$(free_port)
	# The access log goes to a file, as it would to a log collector's pipe; not to a terminal.
	ACTORS_INSECURE_DEFAULT_CREDENTIALS=true ACTORS_MAX_CONNECTIONS=$((CONNECTIONS + 16)) ACTORS_ADDR=127.0.0.1:$port taskset -c "$SERVER_CPU" "$bin" >"$work/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 1 200); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
		sleep 0.05
	done
	curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"
	URL[$name]=http://127.0.0.1:$port
	PID[$name]=$pid
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# cpu_ticks PID: user + system CPU time the process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# load URL SECONDS: one wrk run; prints "requests req/s p50_us p99_us errors".
load() {
	taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${2}s" --latency -s "$root/bench/wrk.lua" "$1" \
		| awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

start service "$work/actors"
start baseline "$work/baseline"
sleep 1
rss_idle=$(rss_kb "${PID[service]}")
rss_idle_base=$(rss_kb "${PID[baseline]}")

served=0
results="$work/results"
: >"$results"
for path in /actors /actors/2; do
	# Warm both up (connections, caches, heap) before measuring.
	load "${URL[service]}$path" 1 >/dev/null
	load "${URL[baseline]}$path" 1 >/dev/null
	for round in $(seq 1 "$ROUNDS"); do
		for side in service baseline; do
			cpu0=$(cpu_ticks "${PID[$side]}")
			read -r n rps p50 p99 errs < <(load "${URL[$side]}$path" "$DURATION")
			cpu1=$(cpu_ticks "${PID[$side]}")
			if [ "$errs" != 0 ]; then echo "loadtest: $side $path: $errs errors (non-2xx or socket)" >&2; exit 1; fi
			[ "$side" = service ] && served=$((served + n))
			cpu_us=$(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
			echo "$path $side $round $rps $p50 $p99 $cpu_us" >>"$results"
			printf '  %-10s %-9s round %d: %9.0f req/s  p50 %6d µs  p99 %6d µs  CPU %5.1f µs/request\n' "$path" "$side" "$round" "$rps" "$p50" "$p99" "$cpu_us"
		done
	done
done
# At least 100k requests before the "after" RSS reading.
while [ "$served" -lt 100000 ]; do
	read -r n _ < <(load "${URL[service]}/actors/2" 2)
	served=$((served + n))
done
rss_after=$(rss_kb "${PID[service]}")

echo
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "GET endpoint  side         req/s   p50 µs   p99 µs   CPU µs/req   (medians of $ROUNDS rounds × ${DURATION}s, $CONNECTIONS connections)"
for path in /actors /actors/2; do
	for side in service baseline; do
		awk -v p="$path" -v s="$side" '$1 == p && $2 == s' "$results" >"$work/sel"
		printf '%-12s  %-9s %9.0f %8d %8d %12.1f\n' "$path" "$side" \
			"$(awk '{print $4}' "$work/sel" | median)" "$(awk '{print $5}' "$work/sel" | median)" \
			"$(awk '{print $6}' "$work/sel" | median)" "$(awk '{print $7}' "$work/sel" | median)"
	done
	# Per-round ratios: service over the baseline run that followed it.
	awk -v p="$path" '$1 == p && $2 == "service" {r[$3] = $4; a[$3] = $5; b[$3] = $6; c[$3] = $7}
		$1 == p && $2 == "baseline" {print r[$3] / $4, a[$3] / $5, b[$3] / $6, c[$3] / $7}' "$results" >"$work/ratios"
	printf '%-12s  ratio     req/s %.2f  p50 %.2f  p99 %.2f  CPU/req %.2f\n' "$path" \
		"$(awk '{print $1}' "$work/ratios" | median)" "$(awk '{print $2}' "$work/ratios" | median)" \
		"$(awk '{print $3}' "$work/ratios" | median)" "$(awk '{print $4}' "$work/ratios" | median)"
done

echo
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
stop_all
echo "start-up, exec to first /healthz 200:"
printf '  service:  '; "$work/startup" -n 20 taskset -c "$SERVER_CPU" "$work/actors"
printf '  baseline: '; "$work/startup" -n 20 taskset -c "$SERVER_CPU" "$work/baseline"
awk -v i="$rss_idle" -v a="$rss_after" -v n="$served" -v b="$rss_idle_base" 'BEGIN {
	printf "service RSS: idle %.1f MiB, after %d requests %.1f MiB; baseline idle %.1f MiB\n", i/1024, n, a/1024, b/1024}'
