-- bench/get-user.lua -- wrk: GET /user/<name> of a random seeded user.
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/common.lua")

function init(args)
	bench.init()
end

function request()
	return wrk.format("GET", "/user/" .. bench.random_user(), bench.headers)
end
