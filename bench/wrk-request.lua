-- The request every wrk run of the benchmark harness sends, set from the environment:
-- WRK_METHOD (default GET), WRK_BODY_FILE (the body, read once, bytes as they are) and
-- WRK_HEADERS ("Name: value" lines), WRK_PATHS (paths requested in turn, one a line; without it
-- the URL's own). `done` prints one JSON line the harness parses.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body_file = os.getenv("WRK_BODY_FILE")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
end
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "", "([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end

-- A `request` function costs wrk a little per request, so it is defined only when it is needed.
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "", "[^\n]+") do
  paths[#paths + 1] = p
end
if #paths > 0 then
  local i = 0
  request = function()
    i = i + 1
    return wrk.format(nil, paths[(i % #paths) + 1])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
