-- Requests for scripts/bench: BENCH_REQUESTS names a file of lines "<api key>\t<body>" (bodies are one-line JSON);
-- each connection cycles through them from its own offset. BENCH_PATH is the request path.
-- done() prints one JSON line (latency in microseconds) that benchmarks/relay_bench.py reads.

local lines = {}
local path = os.getenv("BENCH_PATH") or "/v1/messages"
local counter = 0

local function load()
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local tab = line:find("\t", 1, true)
    local headers = {
      ["content-type"] = "application/json",
      ["anthropic-version"] = "2023-06-01",
      ["anthropic-beta"] = "claude-code-20250219",
      ["x-app"] = "cli",
      ["user-agent"] = "claude-cli/2.0.14 (external, cli)",
      ["x-api-key"] = line:sub(1, tab - 1),
    }
    lines[#lines + 1] = wrk.format("POST", path, headers, line:sub(tab + 1))
  end
end

function init(args)
  load()
  counter = math.random(#lines) - 1
end

function request()
  counter = counter + 1
  return lines[(counter % #lines) + 1]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
