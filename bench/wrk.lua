-- wrk script for bench/loadtest.sh: sends the default credentials (user:password) and
-- prints one machine-readable line: requests, req/s, p50 and p99 latency in µs, errors.
wrk.headers["Authorization"] = "Basic dXNlcjpwYXNzd29yZA=="

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.1f %d %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
