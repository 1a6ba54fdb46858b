-- bench/login.lua -- wrk: POST /login as a random seeded user with the
-- right password (every seeded user's password is "password"), so every
-- request verifies one password hash and no throttling is triggered.
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/common.lua")

function init(args)
	bench.init()
end

function request()
	return bench.post("/login", {
		username = bench.random_user(),
		password = "password",
	}, { "username", "password" })
end
