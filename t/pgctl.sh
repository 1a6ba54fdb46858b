# t/pgctl.sh -- tools/pgctl, the throwaway-cluster manager every database
# test and tools/run-app rely on: start (unix socket; then TCP with a
# password), env, status, a restart that keeps the data, stop, destroy, a
# path too long for a socket address, the postgres user when run as root,
# and bad arguments. Clusters live under the build tree and are destroyed
# even when a check fails.
set -u

pgctl="${SHELL:-/bin/sh} $top_srcdir/tools/pgctl"
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR
[ -x "$PG_BINDIR/initdb" ] || { echo "no PostgreSQL in $PG_BINDIR: skipped"; exit 77; }
base=$(mkdir -p "$top_builddir/t" && cd "$top_builddir/t" && pwd)
work=$(mktemp -d "$base/pgctl-tmp.XXXXXX") || exit 99
# Reachable by the postgres user (an unreachable DIR is covered below).
chmod 755 "$work"
long=$work/a-directory-name-that-makes-the-socket-path-too-long-for-sun-path-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
cleanup() {
	$pgctl destroy "$work/unix" >/dev/null 2>&1
	$pgctl destroy "$work/tcp" >/dev/null 2>&1
	$pgctl destroy "$long" >/dev/null 2>&1
	$pgctl destroy "$work/private/pg" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

psql_env() {
	# psql_env DIR SQL: run SQL with the environment pgctl prints.
	(eval "$($pgctl env "$1")" && "$PG_BINDIR/psql" -X -A -t -q -c "$2")
}

# ---- unix socket
$pgctl start "$work/unix" || { echo "start failed"; exit 99; }
$pgctl env "$work/unix" >"$work/env" || fail "env"
for v in PGHOST PGPORT PGUSER PGDATABASE DATABASE_URL; do
	grep -q "^export $v=" "$work/env" || fail "env lacks $v"
done
[ "$(psql_env "$work/unix" 'SELECT current_database()')" = encdb ] || fail "no database encdb"
[ "$(psql_env "$work/unix" "SELECT current_setting('listen_addresses')")" = "" ] ||
    fail "listens on TCP without -p"
(eval "$($pgctl env "$work/unix")" && "$PG_BINDIR/psql" -X -A -t -q "$DATABASE_URL" -c 'SELECT 1') |
    grep -q '^1$' || fail "DATABASE_URL does not connect"
$pgctl status "$work/unix" || fail "status of a running cluster"
$pgctl start "$work/unix" 2>/dev/null || fail "start of a running cluster"
if [ "$(id -u)" -eq 0 ]; then
	# The data lives in DIR, or in DIR/home's directory when the postgres
	# user cannot reach DIR (a build tree under /root, say).
	hd=$work/unix
	[ -f "$hd/home" ] && hd=$(cat "$hd/home")
	[ "$(stat -c %U "$hd/data")" = postgres ] || fail "as root, the cluster is not the postgres user's"
	[ "$(psql_env "$work/unix" "SELECT usename FROM pg_stat_activity WHERE pid = pg_backend_pid()")" = postgres ] ||
	    fail "superuser is not postgres"
fi
psql_env "$work/unix" 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)' || fail "create"
$pgctl stop "$work/unix" || fail "stop"
$pgctl status "$work/unix" && fail "status of a stopped cluster"
$pgctl stop "$work/unix" || fail "stop of a stopped cluster"
$pgctl start "$work/unix" || fail "restart"
[ "$(psql_env "$work/unix" 'SELECT x FROM kept')" = 42 ] || fail "data lost over a restart"
$pgctl destroy "$work/unix" || fail "destroy"
[ ! -e "$work/unix" ] || fail "destroy left the directory"

# ---- TCP on 127.0.0.1 with a password
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) ||
    port=$((20000 + $$ % 20000))
$pgctl start -p "$port" "$work/tcp" || { fail "start -p $port"; exit 1; }
$pgctl env "$work/tcp" | grep -q "DATABASE_URL='postgresql://postgres:.*@127.0.0.1:$port/encdb'" ||
    fail "TCP DATABASE_URL"
[ "$(psql_env "$work/tcp" 'SELECT inet_server_addr()')" = 127.0.0.1 ] || fail "not over TCP"
[ "$(stat -c %a "$work/tcp/password")" = 600 ] || fail "password file readable by others"
# Without the password, TCP is refused.
if "$PG_BINDIR/psql" -X -w -h 127.0.0.1 -p "$port" -U postgres -d encdb -c 'SELECT 1' >/dev/null 2>&1; then
	fail "TCP accepted without a password"
fi
$pgctl destroy "$work/tcp" || fail "destroy tcp"

# ---- a directory too long for a socket address
$pgctl start "$long" || fail "start in a long path"
rd=$(cat "$long/rundir" 2>/dev/null)
[ -n "$rd" ] && [ -S "$rd/.s.PGSQL.5432" ] || fail "no short socket directory"
[ "$(psql_env "$long" 'SELECT 1')" = 1 ] || fail "connect through the short socket directory"
$pgctl destroy "$long" || fail "destroy long"
[ -n "$rd" ] && [ -e "$rd" ] && fail "destroy left $rd"

# ---- a DIR the postgres user cannot reach (as root): kept elsewhere
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 700 "$work/private"
	$pgctl start "$work/private/pg" || fail "start in an unreachable DIR"
	hd=$(cat "$work/private/pg/home" 2>/dev/null)
	[ -n "$hd" ] && [ -d "$hd/data" ] || fail "no home for an unreachable DIR"
	[ "$(psql_env "$work/private/pg" 'SELECT 1')" = 1 ] || fail "connect (unreachable DIR)"
	$pgctl destroy "$work/private/pg" || fail "destroy (unreachable DIR)"
	[ -n "$hd" ] && [ -e "$hd" ] && fail "destroy left $hd"
fi

# ---- bad arguments
$pgctl >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments: not a usage error"
$pgctl start -p abc "$work/x" >/dev/null 2>&1 && fail "-p abc accepted"
$pgctl start -m 777x "$work/x" >/dev/null 2>&1 && fail "-m 777x accepted"
$pgctl env "$work/none" >/dev/null 2>&1 && fail "env of no cluster"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "pgctl: all checks passed"
