#!/usr/bin/env bash
# make profile: where the time of a request under load goes. Builds the service with -tags debug
# (its pprof listener) and serves it on loopback pinned to CPU 0, with GODEBUG=gctrace=1, while wrk
# drives it from CPU 1 with bench/mix.lua (GET /actors and GET /actors/{id} in turn), CONNECTIONS
# connections for PROFILE_SECS seconds. Meanwhile it saves, in OUT (a new temporary folder unless set):
#   cpu.pprof, mutex.pprof, block.pprof   the CPU profile and the mutex and block profiles of the run
#   trace.out                             a runtime/trace of TRACE_SECS seconds in the middle of the run
#   gctrace.txt, wrk.txt                  the collector's lines, and wrk's latency distribution
# and prints what docs/performance.md reads from them: the collections (how often, the pauses, the
# CPU share, the heap), wrk's percentiles, the top of the CPU, mutex and block profiles, and the
# trace's scheduling latency and time blocked in system calls.
#
# make pgo (--pgo): the same, then copies the CPU profile to PGO_OUT (cmd/actors/default.pgo),
# which go build uses for profile-guided optimisation of the service.
set -euo pipefail

PROFILE_SECS=${PROFILE_SECS:-20}
TRACE_SECS=${TRACE_SECS:-2}
CONNECTIONS=${CONNECTIONS:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
pgo_out=
if [[ ${1:-} == --pgo ]]; then
	pgo_out=${PGO_OUT:-$root/cmd/actors/default.pgo}
fi
for tool in wrk taskset curl; do
	command -v "$tool" >/dev/null || { echo "profile: $tool not found (Debian: apt-get install wrk util-linux curl)" >&2; exit 1; }
done
((PROFILE_SECS >= TRACE_SECS + 2)) || { echo "profile: PROFILE_SECS must be at least TRACE_SECS + 2 seconds" >&2; exit 1; }
source "$root/scripts/go-toolchain.sh"
out=${OUT:-$(mktemp -d /tmp/actors-profile.XXXXXX)}
mkdir -p "$out"
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

(cd "$root" && CGO_ENABLED=0 go build -tags debug -o "$out/actors" ./cmd/actors)
port=$(cd "$root/bench" && go run ./startup -free-port)
debug=$(cd "$root/bench" && go run ./startup -free-port)
# The access log goes to a file, as it would to a log collector's pipe.
ACTORS_INSECURE_DEFAULT_CREDENTIALS=true ACTORS_ADDR=127.0.0.1:$port ACTORS_DEBUG_ADDR=127.0.0.1:$debug GODEBUG=gctrace=1 \
	taskset -c 0 "$out/actors" >"$out/access.log" 2>>"$out/gctrace.txt" &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d1s -s "$root/bench/mix.lua" "http://127.0.0.1:$port" >/dev/null # warm-up
: >"$out/gctrace.txt" # appended to (2>>), so emptying it drops the warm-up's lines cleanly

pprof=http://127.0.0.1:$debug/debug/pprof
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${PROFILE_SECS}s" --latency -s "$root/bench/mix.lua" "http://127.0.0.1:$port" >"$out/wrk.txt" &
wrk_pid=$!
secs=$((PROFILE_SECS - 1))
pulls=()
for p in profile mutex block; do
	curl -fsS -o "$out/$p.pprof" "$pprof/$p?seconds=$secs" &
	pulls+=($!)
done
sleep $(((PROFILE_SECS - TRACE_SECS) / 2))
curl -fsS -o "$out/trace.out" "$pprof/trace?seconds=$TRACE_SECS"
wait "$wrk_pid" "${pulls[@]}"
mv "$out/profile.pprof" "$out/cpu.pprof"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=
rm "$out/access.log" # hundreds of MB, read by nothing here

requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
echo "profile: $requests requests in ${PROFILE_SECS}s, $CONNECTIONS connections; files in $out"
echo
echo "wrk's latency distribution:"
sed -n '/Latency Distribution/,/requests in/p' "$out/wrk.txt" | grep -E '^ +[0-9]+%'
echo
# gc N @T s P%: STW1+MARK+STW2 ms clock, STW1+ASSIST/BACKGROUND/IDLE+STW2 ms cpu, BEFORE->AFTER->LIVE MB, GOAL MB goal, ...
awk -v n="$requests" -v d="$PROFILE_SECS" '/^gc [0-9]+ @/ {
		gcs++; split($5, clock, "+"); split($8, cpu, "+"); split(cpu[2], mark, "/"); split($11, heap, "->")
		pause = clock[1] + clock[3]; pauses += pause; if (pause > maxpause) maxpause = pause
		marks += clock[2]; if (clock[2] > maxmark) maxmark = clock[2]; assist += mark[1]; live += heap[3]; share = $4; sub(":", "", share)
	}
	END {
		if (gcs == 0) { print "collections: none"; exit }
		printf "collections: %d in %ds, one per %.0f requests; GC CPU share since start %s\n", gcs, d, n / gcs, share
		printf "  stop-the-world pauses: mean %.3f ms, max %.3f ms; mark phase: mean %.2f ms, max %.2f ms (wall clock)\n", pauses / gcs, maxpause, marks / gcs, maxmark
		printf "  mark assist: %.2f ms CPU in all (requests doing the collector'"'"'s work); live heap after marking: %.1f MB\n", assist, live / gcs
	}' "$out/gctrace.txt"
echo
echo "CPU profile, top functions by cumulative time:"
go tool pprof -top -cum -nodecount=25 "$out/actors" "$out/cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p'
for p in mutex block; do
	echo
	echo "$p profile (delay), top:"
	go tool pprof -top -nodecount=8 "$out/actors" "$out/$p.pprof" 2>/dev/null | sed -n '/^Showing nodes/p;/flat%/,$p'
done
echo
echo "runtime/trace, ${TRACE_SECS}s: scheduling latency (runnable goroutines waiting for the CPU), top:"
go tool trace -pprof=sched "$out/trace.out" >"$out/sched.pprof" 2>/dev/null &&
	go tool pprof -top -nodecount=8 "$out/sched.pprof" 2>/dev/null | sed -n '/^Showing nodes/p;/flat%/,$p'
echo "runtime/trace: time blocked in system calls, top:"
go tool trace -pprof=syscall "$out/trace.out" >"$out/syscall.pprof" 2>/dev/null &&
	go tool pprof -top -nodecount=8 "$out/syscall.pprof" 2>/dev/null | sed -n '/^Showing nodes/p;/flat%/,$p'

if [[ -n $pgo_out ]]; then
	cp "$out/cpu.pprof" "$pgo_out"
	echo
	echo "profile: wrote $pgo_out; go build uses it for the service from now on"
fi
