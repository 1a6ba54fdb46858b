# t/e2e/run-suite.sh -- sourced by t/e2e-lighttpd.pg, t/e2e-apache-fcgid.pg,
# t/e2e-apache-cgi.pg and t/e2e-apache-htaccess-fcgid.pg with $server set
# (lighttpd, apache-fcgid, apache-cgi, apache-htaccess-fcgid), and by
# t/e2e-base-path.pg with suite_name (its logs' name) and BASE_PATH. Inside the throwaway cluster of t/with-pg: generate keys,
# migrate (encdb), create the admin with a random password, stage the
# build tree's routes, start the server, run t/e2e/suite.py over HTTP, then
# stop PostgreSQL and check that the routes answer 503 JSON (not hang, not
# 500) while the database is gone.
. "$top_srcdir/t/e2e/lib.sh"

e2e_init "${suite_name:-e2e-$server}"
py=$(e2e_python)
encdb=$e2e_build/encdb/encdb
[ -x "$encdb" ] || e2e_fail "encdb is not built"
[ -e "$e2e_build/cgi-bin/healthz" ] || e2e_fail "the routes are not built"
e2e_open_pg

FIELD_KEYS=$("$encdb" gen-key --id 1) || e2e_fail "encdb gen-key --id 1"
INDEX_KEY=$("$encdb" gen-key) || e2e_fail "encdb gen-key"
SQL_DIR=$e2e_top/sql
BODY_MAX=65536
# The workers keep their heap for 4 s after a request (the memory check
# below samples within that and then waits it out).
IDLE_TRIM=4000
export FIELD_KEYS INDEX_KEY SQL_DIR BODY_MAX IDLE_TRIM
"$encdb" migrate --sql-dir "$SQL_DIR" >"$e2e_logdir/migrate.log" 2>&1 ||
    { cat "$e2e_logdir/migrate.log" >&2; e2e_fail "encdb migrate"; }

admin_pw=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
(umask 077 && printf '%s\n' "$admin_pw" >"$e2e_rt/admin-pw")
"$encdb" create-user admin --email admin@example.com --admin \
    --password-file "$e2e_rt/admin-pw" >"$e2e_logdir/create-user.log" 2>&1 ||
    { cat "$e2e_logdir/create-user.log" >&2; e2e_fail "encdb create-user"; }
rm -f "$e2e_rt/admin-pw"

token=$("$encdb" token create admin --name e2e 2>"$e2e_logdir/token.log") ||
    { cat "$e2e_logdir/token.log" >&2; e2e_fail "encdb token create"; }

# A connection string longer than mod_fcgid's 127 bytes, as real ones
# with a password or a certificate path are: it must arrive whole.
DATABASE_URL="$DATABASE_URL&application_name=fcgi-encrypted-db-e2e-$server-a-connection-string-longer-than-127-bytes"
export DATABASE_URL
[ ${#DATABASE_URL} -gt 127 ] || e2e_fail "DATABASE_URL is not longer than 127 bytes"
e2e_stage "$e2e_build/cgi-bin"
case $server in
lighttpd) e2e_start_lighttpd ;;
apache-fcgid) e2e_start_apache fcgid ;;
apache-cgi) e2e_start_apache cgi ;;
apache-htaccess-fcgid) e2e_start_apache htaccess-fcgid ;;
*) e2e_fail "unknown server $server" ;;
esac

rc=0
"$py" "$e2e_top/t/e2e/suite.py" "$e2e_url" admin "$admin_pw" \
    admin@example.com "$BODY_MAX" "$token" >"$e2e_logdir/suite.out" 2>&1 || rc=1
cat "$e2e_logdir/suite.out"

# The routes connect as the application role, which has only what they
# use: it could not rewrite the audit trail. FastCGI workers keep their
# connection (seen in pg_stat_activity); a CGI request connects anew, so
# there the role is barred from logging in for one request.
pg_q() {
	"$PG_BINDIR/psql" -X -A -t -c "$1" 2>&1
}
if [ "$server" = apache-cgi ]; then
	pg_q "ALTER ROLE encdb_app NOLOGIN" >/dev/null
	barred=$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "Authorization: Bearer $token" "$e2e_url/user/admin")
	pg_q "ALTER ROLE encdb_app LOGIN" >/dev/null
	again=$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "Authorization: Bearer $token" "$e2e_url/user/admin")
	n="$barred then $again"
	[ "$barred" = 503 ] && [ "$again" = 200 ]
else
	n=$(pg_q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'encdb_app'")
	[ "${n:-0}" -gt 0 ] 2>/dev/null
fi
if [ $? -eq 0 ]; then
	echo "ok - the routes connect as encdb_app ($n)"
else
	echo "not ok - the routes do not connect as encdb_app: $n"
	rc=1
fi
if "$encdb" roles encdb_app --check >"$e2e_logdir/roles-check.log" 2>&1; then
	echo "ok - encdb roles encdb_app --check"
else
	cat "$e2e_logdir/roles-check.log"
	echo "not ok - encdb roles encdb_app --check"
	rc=1
fi

# A revoked token stops working at once in every process: the database
# announces it (sql/105); AUTH_CACHE (5 s) bounds it in any case.
tid=$("$encdb" token list admin | awk '$3 == "e2e" { print $1; exit }')
if [ -n "$tid" ] && "$encdb" token revoke "$tid" >/dev/null; then
	tries=0
	while :; do
		out=$(curl -s -o /dev/null -w '%{http_code}' \
		    -H "Authorization: Bearer $token" "$e2e_url/users")
		[ "$out" = 401 ] || [ $tries -ge 30 ] && break
		tries=$((tries + 1))
		sleep 0.2
	done
	if [ "$out" = 401 ]; then
		echo "ok - a revoked bearer token -> 401 (after $tries retries of 0.2 s)"
	else
		echo "not ok - a revoked bearer token -> $out after 6 s"
		rc=1
	fi
else
	echo "not ok - encdb token list/revoke"
	rc=1
fi

# A FastCGI worker keeps the password hash's 19 MiB while logins keep
# coming, and hands it back after IDLE_TRIM (4 s here) without requests
# (lib/app.c). The largest private memory (RssAnon) of the login workers
# right after each of eight logins (a worker's first hash is mmap'ed and
# given back at once; eight make sure one of up to seven workers hashed
# twice; sampled after each, well within IDLE_TRIM even on a busy machine,
# where the default second could pass before the sample is taken), then
# after 5.5 s of idleness.
anon_kib() {
	max=0
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$e2e_app/login" ] || continue
		k=$(awk '$1 == "RssAnon:" { print $2 }' "$d/status" 2>/dev/null)
		[ -n "$k" ] && [ "$k" -gt "$max" ] && max=$k
	done
	echo "$max"
}
# Not under ASan (--enable-sanitizers): its allocator keeps freed memory
# in quarantine, and malloc_trim is glibc's.
asan=no
ldd "$e2e_app/login" 2>/dev/null | grep -q libasan && asan=yes
case $server:$asan in
*:yes)
	echo "# login worker memory after idleness: not measured (ASan build)"
	;;
lighttpd:no | apache-fcgid:no)
	printf '{"username": "admin", "password": "%s"}' "$admin_pw" >"$e2e_rt/login"
	busy=0
	codes=
	for i in 1 2 3 4 5 6 7 8; do
		codes="$codes $(curl -s -o /dev/null -w '%{http_code}' \
		    -H 'Content-Type: application/json' \
		    --data-binary @"$e2e_rt/login" "$e2e_url/login")"
		k=$(anon_kib)
		if [ "$k" -gt "$busy" ]; then
			busy=$k
		fi
	done
	rm -f "$e2e_rt/login"
	sleep 5.5
	idle=$(anon_kib)
	if [ "$busy" -gt 16384 ] && [ "$idle" -lt 8192 ]; then
		echo "ok - login worker private memory: $busy KiB after logins, $idle KiB once idle"
	else
		echo "not ok - login worker private memory: $busy KiB after logins (want > 16 MiB: the hash's), $idle KiB once idle (want < 8 MiB); the logins answered$codes"
		rc=1
	fi
	;;
esac

# The database goes away: 503 JSON, promptly, also for a signed-in user
# (whose session cannot be checked without it).
printf '{"username": "admin", "password": "%s"}' "$admin_pw" >"$e2e_rt/login"
curl -s -o /dev/null -c "$e2e_rt/jar" -H 'Content-Type: application/json' \
    --data-binary @"$e2e_rt/login" "$e2e_url/login"
rm -f "$e2e_rt/login"
"${SHELL:-/bin/sh}" "$e2e_top/tools/pgctl" stop "$PGCTL_DIR" ||
    e2e_fail "could not stop PostgreSQL"
for path in /healthz /user/admin /users; do
	out=$(curl -s --max-time 15 -o "$e2e_rt/body" -w '%{http_code}' \
	    -b "$e2e_rt/jar" -H 'Accept: application/json' "$e2e_url$path")
	if [ "$out" = 503 ] && grep -q '"error"\|"status"' "$e2e_rt/body"; then
		echo "ok - database down: GET $path -> 503 JSON"
	else
		echo "not ok - database down: GET $path -> $out $(head -c 200 "$e2e_rt/body")"
		rc=1
	fi
done

# Every route worker still running (after the whole suite, and after the
# database went away: the reconnect path) is confined: Seccomp: 2
# (lib/sandbox.c). Under CGI no worker outlives its request; routes.py
# checks CGI processes.
case $server in
lighttpd | apache-fcgid | apache-htaccess-fcgid)
	n=0 bad=
	for d in /proc/[0-9]*; do
		case $(readlink "$d/exe" 2>/dev/null) in
		"$e2e_app"/*) ;;
		*) continue ;;
		esac
		mode=$(awk '$1 == "Seccomp:" { print $2 }' "$d/status" 2>/dev/null)
		[ -n "$mode" ] || continue
		n=$((n + 1))
		[ "$mode" = 2 ] || bad="$bad $(readlink "$d/exe"):$mode"
	done
	if [ "$n" -gt 0 ] && [ -z "$bad" ]; then
		echo "ok - $n route workers, each with Seccomp: 2"
	else
		echo "not ok - route workers without a seccomp filter ($n seen):$bad"
		rc=1
	fi
	;;
esac
[ $rc -eq 0 ] || e2e_fail "$server: the end-to-end suite failed (see above)"
e2e_msg "$server: all passed"
