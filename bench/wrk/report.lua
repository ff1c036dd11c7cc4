-- wrk script of `bench/run`: sets the request from the environment and prints one line of
-- JSON the harness reads.
--
--   WRK_METHOD  request method (default GET)
--   WRK_BODY    file whose bytes are the request body, sent as application/json
--
-- The report line starts with `WRK_JSON ` and carries every completed request, the run's
-- length, its errors (socket errors and non-2xx/3xx answers, which the harness refuses)
-- and latency percentiles in microseconds.

local method = os.getenv("WRK_METHOD")
if method and method ~= "" then
  wrk.method = method
end

local body_file = os.getenv("WRK_BODY")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
