# t/ops-lib.sh -- shared helpers of the t/ops-*.pg tests (sourced; run
# inside t/with-pg, so DATABASE_URL, PGHOST... point at a throwaway cluster).
#
#   expect STATUS CMD...   run CMD (output in $work/out), check its status
#   has TEXT / lacks TEXT  the last output does / does not contain TEXT
#   sql QUERY              one psql query, unaligned, tuples only
#   seed FORMAT N PREFIX   N rows from bench/seed-rows (v1 or legacy)
#   load_start NAME PREFIX COUNT / load_stop NAME
#                          the concurrent client t/ops-load in the
#                          background (settings from the environment);
#                          load_stop ends it (SIGTERM) and checks its status
#   start_bg NAME CMD...   run CMD in the background, pid in $work/NAME.pid
#   kill9_when NAME QUERY  poll QUERY until it returns "t", then kill -9
# Everything started in the background is killed on exit, also on failure.
set -u

encdb="$top_builddir/encdb/encdb"
loader="$top_builddir/t/ops-load"
seeder="$top_builddir/bench/seed-rows"
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
psql="$PG_BINDIR/psql"
[ -x "$psql" ] || psql=psql
export SQL_DIR="$top_srcdir/sql"
work=$(mktemp -d "$top_builddir/t/ops-tmp.XXXXXX") || exit 99
export SECRETS_PATH="$work/secrets"
mkdir "$SECRETS_PATH"
unset FIELD_KEYS INDEX_KEY OLD_INDEX_KEY POSTGRES_SECRET_KEY SECRET_KEY \
    CONFIG_FILE LEGACY_ENGINE
failures=0

ops_cleanup() {
	for p in "$work"/*.pid; do
		[ -f "$p" ] || continue
		kill -9 "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$work"
}
trap ops_cleanup EXIT
trap 'exit 99' HUP INT TERM

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

expect() {
	want=$1
	shift
	"$@" >"$work/out" 2>&1
	got=$?
	echo "\$ $* -> $got" >&2
	sed 's/^/  | /' "$work/out" | head -n 40 >&2
	[ "$got" -eq "$want" ] || fail "$* exited $got, not $want"
}

has() {
	grep -q -F -- "$1" "$work/out" || fail "output lacks: $1"
}

lacks() {
	! grep -q -F -- "$1" "$work/out" || fail "output shows: $1"
}

sql() {
	"$psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

# same NAME GOT WANT: a check that can fail.
same() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

seed() {
	case $1 in
	v1) cols="id, username, password, user_type, email, email_bidx, created_at" ;;
	legacy) cols="id, username, password, user_type, email, created_at" ;;
	esac
	"$seeder" -n "$2" -p "$3" "$1" >"$work/seed.copy" || return 1
	"$psql" -X -q -v ON_ERROR_STOP=1 \
	    -c "\\copy public.users ($cols) from '$work/seed.copy'" || return 1
	rm -f "$work/seed.copy"
}

start_bg() {
	name=$1
	shift
	"$@" >"$work/$name.out" 2>&1 &
	echo $! >"$work/$name.pid"
}

# wait_bg NAME: wait for it; its status in $bg_status, output shown.
wait_bg() {
	wait "$(cat "$work/$1.pid")"
	bg_status=$?
	rm -f "$work/$1.pid"
	echo "\$ [$1] -> $bg_status" >&2
	sed 's/^/  | /' "$work/$1.out" | head -n 40 >&2
}

load_start() {
	start_bg "$1" "$loader" run "$work/$1.state" "$2" "$3"
}

load_stop() {
	kill -TERM "$(cat "$work/$1.pid")" 2>/dev/null
	wait_bg "$1"
	[ "$bg_status" -eq 0 ] || fail "load client $1 exited $bg_status"
}

# kill9_when NAME QUERY: poll (up to 60 s) until QUERY says t, then kill -9
# NAME. Fails if NAME ended before.
kill9_when() {
	i=0
	while [ $i -lt 600 ]; do
		if ! kill -0 "$(cat "$work/$1.pid")" 2>/dev/null; then
			fail "$1 ended before it could be killed half-way"
			wait_bg "$1"
			return
		fi
		[ "$(sql "$2")" = t ] && break
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$(cat "$work/$1.pid")"
	wait_bg "$1"
	[ "$bg_status" -eq 137 ] || fail "$1 was not killed by SIGKILL ($bg_status)"
}

# The migrated schema (each test starts from an empty database), unless
# the test sets OPS_NO_MIGRATE=1 to build a boilerplate database first.
if [ "${OPS_NO_MIGRATE:-0}" != 1 ]; then
	"$encdb" migrate >/dev/null 2>&1 ||
	    { echo "ops-lib: migrate failed" >&2; exit 99; }
fi
