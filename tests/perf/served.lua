-- wrk's script for `make bench BENCH_ARGS=--served` (tests/perf/served.py). Each connection asks
-- for the case's paths in turn, read from the file named after `--`; the headers (session
-- cookie or API token, X-Forwarded-Proto) come from wrk's -H options. Every answer other than
-- 200 is counted (a redirect to the login page would otherwise pass for a fast page). At the
-- end one line: "BENCH {json}" with the latency percentiles in microseconds.

paths = {}
next_path = 0
not_ok = 0
first_bad = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local bad, status = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    if status == 0 then status = thread:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "not_ok": %d, "first_bad_status": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.mean, latency.max, bad, status,
    e.connect + e.read + e.write + e.timeout))
end
