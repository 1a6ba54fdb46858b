# t/e2e/run-suite.sh -- sourced by t/e2e-lighttpd.pg, t/e2e-apache-fcgid.pg,
# t/e2e-apache-cgi.pg and t/e2e-apache-htaccess-fcgid.pg with $server set
# (lighttpd, apache-fcgid, apache-cgi, apache-htaccess-fcgid). Inside the throwaway cluster of t/with-pg: generate keys,
# migrate (encdb), create the admin with a random password, stage the
# build tree's routes, start the server, run t/e2e/suite.py over HTTP, then
# stop PostgreSQL and check that the routes answer 503 JSON (not hang, not
# 500) while the database is gone.
. "$top_srcdir/t/e2e/lib.sh"

e2e_init "e2e-$server"
py=$(e2e_python)
encdb=$e2e_build/encdb/encdb
[ -x "$encdb" ] || e2e_fail "encdb is not built"
[ -e "$e2e_build/cgi-bin/healthz" ] || e2e_fail "the routes are not built"
e2e_open_pg

FIELD_KEYS=$("$encdb" gen-key --id 1) || e2e_fail "encdb gen-key --id 1"
INDEX_KEY=$("$encdb" gen-key) || e2e_fail "encdb gen-key"
SQL_DIR=$e2e_top/sql
BODY_MAX=65536
export FIELD_KEYS INDEX_KEY SQL_DIR BODY_MAX
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

# A revoked token stops working at once.
tid=$("$encdb" token list admin | awk '$3 == "e2e" { print $1; exit }')
if [ -n "$tid" ] && "$encdb" token revoke "$tid" >/dev/null; then
	out=$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "Authorization: Bearer $token" "$e2e_url/users")
	if [ "$out" = 401 ]; then
		echo "ok - a revoked bearer token -> 401"
	else
		echo "not ok - a revoked bearer token -> $out"
		rc=1
	fi
else
	echo "not ok - encdb token list/revoke"
	rc=1
fi

# A FastCGI worker keeps the password hash's 19 MiB while logins keep
# coming, and hands it back after a second without requests (lib/app.c).
# The largest private memory (RssAnon) of the login workers right after
# eight logins (a worker's first hash is mmap'ed and given back at once;
# eight make sure one of up to seven workers hashed twice), then after
# 2.5 s of idleness.
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
	for i in 1 2 3 4 5 6 7 8; do
		curl -s -o /dev/null -H 'Content-Type: application/json' \
		    --data-binary @"$e2e_rt/login" "$e2e_url/login"
	done
	rm -f "$e2e_rt/login"
	busy=$(anon_kib)
	sleep 2.5
	idle=$(anon_kib)
	if [ "$busy" -gt 16384 ] && [ "$idle" -lt 8192 ]; then
		echo "ok - login worker private memory: $busy KiB after logins, $idle KiB once idle"
	else
		echo "not ok - login worker private memory: $busy KiB after logins (want > 16 MiB: the hash's), $idle KiB once idle (want < 8 MiB)"
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
