-- wrk script for bench/serve_load.sh: alternates GET of one experiment's status and GET of the list
-- (default page, over the stored experiments); each connection waits DELAY_MS between requests, which
-- paces the whole run near the target rate (Debian's wrk has no fixed-rate mode).
local id = os.getenv("ID") or "none"
local delay_ms = tonumber(os.getenv("DELAY_MS") or "20")
local paths = {"/api/v1/experiments/" .. id, "/api/v1/experiments"}
local n = 0

request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1])
end

delay = function()
  return delay_ms
end

done = function(summary, latency, requests)
  io.write(string.format("achieved %.1f req/s; latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, summary.errors.status))
end
