-- wrk request generator for the idnode bench (loadtest/lib/native/wrk.ts).
-- init args: <mode> <file-or-prefix> [seed]
--   mode "file":    every request a random line of <file> (paths such as /88.100.5/LT-000001)
--   mode "unknown": every request a fresh random suffix under <file-or-prefix> (a path prefix):
--                   identifiers nobody registered, almost never the same twice
-- done(): one JSON line on stdout with the totals and latency percentiles in microseconds.
local paths = {}
local mode = "file"
local base = ""
local n = 0

function init(args)
  mode = args[1] or "file"
  base = args[2] or ""
  math.randomseed(tonumber(args[3] or "42"))
  if mode == "file" then
    for line in io.lines(base) do
      if #line > 0 then
        n = n + 1
        paths[n] = line
      end
    end
  end
end

function request()
  if mode == "file" then
    return wrk.format("GET", paths[math.random(n)])
  end
  return wrk.format("GET", base .. string.format("U%08x%04x", math.random(0, 0x7fffffff), math.random(0, 0xffff)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,' ..
      '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
