-- bench/list-users.lua -- wrk: GET /users?limit=50, the first page.
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/common.lua")

function init(args)
	bench.init()
end

function request()
	return wrk.format("GET", "/users?limit=50", bench.headers)
end
