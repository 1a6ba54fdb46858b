-- bench/post-users.lua -- wrk: POST /users, a new user per request. The
-- username <tag>t<thread>n<counter> is unique per run (BENCH_TAG), thread
-- and request; the password is hashed by the server (the cost measured).
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/common.lua")

function init(args)
	bench.init()
end

function request()
	bench.counter = bench.counter + 1
	local name = string.format("%st%dn%d", bench.tag, bench.thread,
	    bench.counter)
	return bench.post("/users", {
		username = name,
		password = "password",
		email = name .. "@example.com",
		user_type = "user",
	}, { "username", "password", "email", "user_type" })
end
