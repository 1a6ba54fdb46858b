-- bench/common.lua -- shared by the wrk scripts of bench/run (loaded with
-- dofile). Settings come from the environment:
--   BENCH_USERS   number of seeded users (user0000001 ...), default 10000
--   BENCH_AUTH    an Authorization header value ("Bearer ..."), or empty
--   BENCH_TAG     a word unique to this run, for usernames that POST makes
--   BENCH_FORMAT  "json" (default) or "form": how POST bodies are encoded
-- done() prints one machine-readable line that bench/run reads:
--   BENCH requests=N duration_us=N rps=R p50_us=N p99_us=N non2xx=N
--         errors=N
-- (non2xx: responses outside 2xx/3xx; errors: connect/read/write/timeout).

bench = {}
bench.users = tonumber(os.getenv("BENCH_USERS") or "10000") or 10000
bench.tag = os.getenv("BENCH_TAG") or tostring(os.time())
bench.form = (os.getenv("BENCH_FORMAT") == "form")
bench.headers = {}
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then
	bench.headers["Authorization"] = auth
end

-- Threads are numbered in setup() so that each has its own random seed
-- and its own username space.
local next_id = 0
function setup(thread)
	next_id = next_id + 1
	thread:set("thread_id", next_id)
end

function bench.init()
	bench.thread = thread_id or 0
	math.randomseed(os.time() * 1000 + bench.thread)
	bench.counter = 0
end

function bench.random_user()
	return string.format("user%07d", math.random(1, bench.users))
end

-- Encode a flat table of strings as a JSON object or a form body; values
-- here are plain ASCII words, so no escaping is needed.
function bench.body(fields, order)
	local parts = {}
	for _, k in ipairs(order) do
		if bench.form then
			parts[#parts + 1] = k .. "=" .. fields[k]
		else
			parts[#parts + 1] = string.format("%q:%q", k, fields[k])
		end
	end
	if bench.form then
		return table.concat(parts, "&"), "application/x-www-form-urlencoded"
	end
	return "{" .. table.concat(parts, ",") .. "}", "application/json"
end

function bench.post(path, fields, order)
	local body, ctype = bench.body(fields, order)
	local h = {}
	for k, v in pairs(bench.headers) do
		h[k] = v
	end
	h["Content-Type"] = ctype
	return wrk.format("POST", path, h, body)
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
	    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d " ..
	    "non2xx=%d errors=%d\n",
	    summary.requests, summary.duration, summary.requests / secs,
	    latency:percentile(50), latency:percentile(99), e.status,
	    e.connect + e.read + e.write + e.timeout))
end
