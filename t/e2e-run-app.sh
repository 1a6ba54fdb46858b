# t/e2e-run-app.sh -- the README's run command, for real: tools/run-app on
# the build tree with its own state directory (RUN_APP_STATE) and a free
# port. It must start its throwaway PostgreSQL, generate keys, migrate,
# create the admin and print its password once, and serve; the admin logs
# in over HTTP and reads its decrypted email; SIGTERM stops the server and
# the cluster. A second run reuses the cluster and the keys: no new
# password, the old one still works and the email still decrypts. A third
# runs the same under Apache (SERVER=apache). Each run writes the settings
# of its instance to an env file (mode 0600, removed at the stop) and
# prints the one command that runs encdb against it; that command works.
# The README's curl examples (t/readme-examples.py) run against run 1.
. "$top_srcdir/t/e2e/lib.sh"

e2e_top=$(cd "$top_srcdir" && pwd)
e2e_build=$(cd "$top_builddir" && pwd)
logdir=$e2e_build/t/e2e-run-app.d
state=$logdir/state
pgctl="${SHELL:-/bin/sh} $e2e_top/tools/pgctl"
rm -rf "$logdir"
mkdir -p "$logdir"
[ -e "$e2e_build/cgi-bin/healthz" ] || e2e_fail "the routes are not built"
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

pid=
cleanup() {
	rc=$?
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	$pgctl destroy "$state/pg" >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# start N: run tools/run-app in the background, wait for its banner.
start() {
	out=$logdir/run-$1.out
	port=$(e2e_free_port)
	url=http://127.0.0.1:$port
	env -u DATABASE_URL -u FIELD_KEYS -u INDEX_KEY RUN_APP_STATE="$state" \
	    PORT="$port" SERVER="${SERVER:-lighttpd}" "${SHELL:-/bin/sh}" "$e2e_top/tools/run-app" \
	    "$e2e_build" >"$out" 2>&1 &
	pid=$!
	i=0
	until grep -q 'Press Ctrl-C' "$out"; do
		kill -0 "$pid" 2>/dev/null ||
		    { cat "$out" >&2; e2e_fail "run $1: tools/run-app exited"; }
		i=$((i + 1))
		[ $i -lt 300 ] ||
		    { cat "$out" >&2; e2e_fail "run $1: no banner after 60 s"; }
		sleep 0.2
	done
	grep -q "running at $url/" "$out" ||
	    e2e_fail "run $1: the banner does not show $url/"
	echo "ok - run $1: tools/run-app serves $url/"
}

# login PASSWORD: sign in as admin; read /user/admin's email.
login() {
	printf '{"username": "admin", "password": "%s"}' "$1" >"$logdir/login.json"
	code=$(curl -s -o /dev/null -w '%{http_code}' -c "$logdir/jar" \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$logdir/login.json" "$url/login")
	rm -f "$logdir/login.json"
	[ "$code" = 200 ] || e2e_fail "admin login -> $code"
	curl -s -b "$logdir/jar" "$url/user/admin" >"$logdir/admin.json"
	grep -q '"email":"admin@example.com"' "$logdir/admin.json" ||
	    e2e_fail "GET /user/admin: $(cat "$logdir/admin.json")"
	echo "ok - the admin logs in and reads admin@example.com"
}

# stop: SIGTERM, then everything it started must be gone.
stop() {
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	pid=
	[ $st -eq 0 ] || e2e_fail "tools/run-app exited $st on SIGTERM"
	if curl -s -o /dev/null --max-time 2 "$url/healthz"; then
		e2e_fail "the web server still answers after SIGTERM"
	fi
	if $pgctl status "$state/pg"; then
		e2e_fail "PostgreSQL still runs after SIGTERM"
	fi
	grep -q 'PostgreSQL stopped' "$out" || e2e_fail "no 'PostgreSQL stopped'"
	echo "ok - SIGTERM stops the web server and PostgreSQL"
}

start 1
pw=$(sed -n 's/^  password:  \([A-Za-z0-9_-]\{16,\}\)$/\1/p' "$out")
[ -n "$pw" ] || e2e_fail "run 1: no admin password printed"
echo "ok - run 1: the admin's password is printed once"
[ "$(stat -c %a "$state/keys/FIELD_KEYS")" = 600 ] ||
    e2e_fail "FIELD_KEYS is not mode 0600"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")
[ "$code" = 200 ] || e2e_fail "GET /healthz -> $code"
login "$pw"
[ "$(stat -c %a "$state/env")" = 600 ] || e2e_fail "the env file is not mode 0600"
cli=$(sed -n 's/^  encdb:     \(.*tools\/dev encdb status\)   (settings: .*)$/\1/p' "$out")
[ -n "$cli" ] || e2e_fail "run 1: no encdb command printed"
(cd "$e2e_top" && eval "$cli") >"$logdir/encdb-status.out" 2>&1 ||
    { cat "$logdir/encdb-status.out" >&2; e2e_fail "$cli failed"; }
grep -q '^users: *1$' "$logdir/encdb-status.out" ||
    { cat "$logdir/encdb-status.out" >&2; e2e_fail "$cli: not 1 user"; }
echo "ok - the printed '$cli' reaches the instance"
# The README's JSON API and migration examples, run as written.
PASSWORD=$pw BUILDDIR=$e2e_build RUN_APP_STATE=$state \
    python3 "$e2e_top/t/readme-examples.py" "$e2e_top/README" "$url" \
    "$logdir/readme" >"$logdir/readme.out" 2>&1 ||
    { cat "$logdir/readme.out" >&2; e2e_fail "the README's examples"; }
echo "ok - $(tail -n 1 "$logdir/readme.out")"
stop
[ ! -e "$state/env" ] || e2e_fail "the env file outlives the instance"

start 2
if grep -q "$pw" "$out"; then
	e2e_fail "run 2 prints the password again"
fi
echo "ok - run 2: the password is not printed again"
login "$pw"
# Each run seals the audit trail as it starts: run 2 sealed what run 1
# recorded, and the whole trail verifies against the checkpoints.
[ "$(grep -c '^audit-checkpoint v1 ' "$state/audit-checkpoints")" -ge 2 ] ||
    e2e_fail "fewer than 2 checkpoints after 2 runs"
[ "$(stat -c %a "$state/keys/audit")" = 600 ] ||
    e2e_fail "the audit key pair is not mode 0600"
(eval "$($pgctl env "$state/pg")" && set -a && . "$state/keys/audit" &&
    AUDIT_CHECKPOINTS=$state/audit-checkpoints \
    "$e2e_build/encdb/encdb" audit verify) >"$logdir/verify.out" 2>&1 ||
    { cat "$logdir/verify.out" >&2; e2e_fail "encdb audit verify"; }
grep -q '^audit: intact: ' "$logdir/verify.out" ||
    e2e_fail "audit verify: $(cat "$logdir/verify.out")"
echo "ok - run 2: the audit trail sealed by run-app verifies"
stop

SERVER=apache
start 3
grep -q 'served by apache' "$out" || e2e_fail "run 3: not served by Apache"
login "$pw"
stop
e2e_msg "run-app: all passed"
