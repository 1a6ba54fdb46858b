-- t/faults/soak.lua -- wrk script of t/faults/soak-mixed.pg: a mixed load, paced.
--
-- Run with one connection per thread (wrk -t N -c N), so that each
-- connection's requests go out in order. Each connection repeats a cycle
-- of ten requests around a user of its own:
--   POST /users (a new user: Argon2id), GET /user/<it>, PATCH its email,
--   GET /users?limit=20, four GET /user/<seeded user>,
--   GET /users?email=<seeded email> (blind index), DELETE /user/<it>
-- so that the table keeps its size however long the run. Settings from the
-- environment:
--   SOAK_AUTH   the Authorization header value ("Bearer ...")
--   SOAK_TAG    a word unique to the run (usernames)
--   SOAK_USERS  seeded users seed0001 ... (emails seed0001@example.com)
--   SOAK_RATE   requests per second over all connections (0 or unset: no
--               pacing, the most the server does)
--   SOAK_CONNS  the number of connections (wrk -c), for the pacing
-- Pacing: each connection keeps a schedule of one request every
-- 1000 * SOAK_CONNS / SOAK_RATE ms on the monotonic clock (LuaJIT's FFI:
-- clock_gettime), and delay() waits until the next slot; a connection
-- more than a second behind drops its missed slots rather than burst.
-- Without the FFI the pause is that interval, not corrected for the time
-- the requests take (a lower rate than asked).
-- wrk 4.1 (Debian 12) calls request() once per thread before it connects
-- and never sends that request: the first call returns a placeholder.
-- done() prints one line for t/faults/soak-mixed.pg:
--   SOAK requests=N duration_s=S rps=R p50_ms=X p99_ms=X max_ms=X
--        non2xx=N errors=N
-- non2xx counts every status outside 200-299, counted in response(); a
-- SOAK-NON2XX line follows naming the first few (request -> status body);
-- errors: connect, read, write and timeout errors as wrk counts them.

local auth = os.getenv("SOAK_AUTH") or ""
local tag = os.getenv("SOAK_TAG") or tostring(os.time())
local nusers = tonumber(os.getenv("SOAK_USERS") or "20") or 20
local rate = tonumber(os.getenv("SOAK_RATE") or "0") or 0
local conns = tonumber(os.getenv("SOAK_CONNS") or "1") or 1
local interval = 0
if rate > 0 then
	interval = 1000 * conns / rate
end

local now_ms = nil
local has_ffi, ffi = pcall(require, "ffi")
if has_ffi then
	ffi.cdef[[
	struct soak_timespec { long tv_sec; long tv_nsec; };
	int clock_gettime(int, struct soak_timespec *);
	]]
	local ts = ffi.new("struct soak_timespec")
	now_ms = function()
		ffi.C.clock_gettime(1, ts)	-- CLOCK_MONOTONIC
		return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
	end
end

local threads = {}
local next_id = 0

function setup(thread)
	next_id = next_id + 1
	thread:set("tid", next_id)
	table.insert(threads, thread)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tid or 0))
	cycle = 0
	pos = 0
	non2xx = 0
	bad = ""
	sent = {}
	name = ""
	primed = false
	due = nil
end

local function hdrs(ctype)
	local h = { ["Authorization"] = auth }
	if ctype then
		h["Content-Type"] = ctype
	end
	return h
end

local function seeded()
	return string.format("seed%04d", math.random(1, nusers))
end

-- what(req): "METHOD path" of a request made by wrk.format.
local function what(req)
	return req:match("^(%u+ [^ ]+)") or "?"
end

function request()
	if not primed then
		primed = true
		return wrk.format("GET", "/healthz")
	end
	local req = make_request()
	table.insert(sent, what(req))
	return req
end

function make_request()
	pos = pos % 10 + 1
	if pos == 1 then
		cycle = cycle + 1
		name = string.format("%st%dc%d", tag, tid or 0, cycle)
		return wrk.format("POST", "/users", hdrs("application/json"),
		    string.format('{"username":"%s","email":"%s@example.com",' ..
		    '"password":"Soak-pw-%d","user_type":"user"}', name, name,
		    cycle))
	elseif pos == 2 then
		return wrk.format("GET", "/user/" .. name, hdrs())
	elseif pos == 3 then
		return wrk.format("PATCH", "/user/" .. name,
		    hdrs("application/json"),
		    string.format('{"email":"%s.b@example.org"}', name))
	elseif pos == 4 then
		return wrk.format("GET", "/users?limit=20", hdrs())
	elseif pos <= 8 then
		return wrk.format("GET", "/user/" .. seeded(), hdrs())
	elseif pos == 9 then
		return wrk.format("GET", "/users?email=" .. seeded() ..
		    "%40example.com", hdrs())
	end
	return wrk.format("DELETE", "/user/" .. name, hdrs())
end

function delay()
	if interval <= 0 then
		return 0
	end
	if now_ms == nil then
		return math.floor(interval + 0.5)
	end
	local t = now_ms()
	if due == nil then
		-- Spread the connections' first requests over one interval.
		due = t + math.random() * interval
	else
		due = due + interval
	end
	if t - due > 1000 then
		due = t
	end
	if due <= t then
		return 0
	end
	return math.floor(due - t)
end

function response(status, headers, body)
	-- One connection per thread: answers come in the order of requests.
	local req = table.remove(sent, 1) or "?"
	if status < 200 or status > 299 then
		non2xx = non2xx + 1
		if non2xx <= 5 then
			bad = bad .. " [" .. req .. " -> " .. status .. " " ..
			    (body or ""):sub(1, 80):gsub("%s+", " ") .. "]"
		end
	end
end

function done(summary, latency, requests)
	local nbad, which = 0, ""
	for _, t in ipairs(threads) do
		nbad = nbad + (t:get("non2xx") or 0)
		which = which .. (t:get("bad") or "")
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
	    "SOAK requests=%d duration_s=%.1f rps=%.1f p50_ms=%.2f " ..
	    "p99_ms=%.2f max_ms=%.2f non2xx=%d errors=%d\n",
	    summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    latency.max / 1000, nbad, e.connect + e.read + e.write + e.timeout))
	if nbad > 0 then
		io.write("SOAK-NON2XX (first per connection)" .. which .. "\n")
	end
end
