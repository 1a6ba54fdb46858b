# t/e2e-shared-host.sh -- the application on an imitation of a shared host,
# set up the way README's "Shared hosting" guide says, with nothing but
# what such a host offers:
#   - Apache with mod_userdir: the account "fced" is served from
#     HOMES/fced/public_html as /~fced/, its .htaccess limited to the
#     AllowOverride hosts grant (conf/apache-standalone.conf.in,
#     -D FCGED_USERDIR), first with mod_fcgid, then as plain CGI;
#   - PostgreSQL over TCP only for the account, with a password
#     (scram-sha-256): a database and a role made by "the host", no
#     superuser, no CREATEROLE;
#   - the bundle (`make bundle`), unpacked by the account's user (not
#     root: "nobody" when the test runs as root) into ~/fcgi-encrypted-db,
#     its encdb run by that user to make the keys, migrate and create the
#     admin; the app in the subdirectory public_html/tools/app, so under
#     the URL prefix /~fced/tools/app (BASE_PATH), through .htaccess and one
#     route wrapper per route (conf/route-wrapper.in), generated with the
#     bundle's own conf/gen.
# Under mod_fcgid the browser suite (t/browser/browser.py: login, list,
# create, edit, log out, in headless Chromium) runs there, or the HTTP
# suite (t/e2e/suite.py) when Chromium is missing; as plain CGI the HTTP
# suite.
. "$top_srcdir/t/e2e/lib.sh"
e2e_init e2e-shared-host
py=$(e2e_python)
[ -x /usr/sbin/apache2 ] || command -v apache2 >/dev/null 2>&1 ||
    e2e_skip "apache2 is not installed"
[ -f "${APACHE_MODDIR:-/usr/lib/apache2/modules}/mod_userdir.so" ] ||
    e2e_skip "Apache has no mod_userdir"
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BINDIR/initdb" ] || e2e_skip "no PostgreSQL server binaries in $PG_BINDIR"
unset DATABASE_URL FIELD_KEYS INDEX_KEY SQL_DIR SECRETS_PATH CONFIG_FILE \
    PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD
e2e_app_role=

# ---- the host: PostgreSQL on 127.0.0.1 with passwords only
pgctl="${SHELL:-/bin/sh} $e2e_top/tools/pgctl"
pgdir=$e2e_build/t/pg-e2e-shared-host
trap 'rc=$?; $pgctl destroy "$pgdir" >/dev/null 2>&1; (exit $rc); e2e_cleanup' EXIT
$pgctl destroy "$pgdir" >/dev/null 2>&1
pgport=$(e2e_free_port)
$pgctl start -p "$pgport" "$pgdir" >"$e2e_logdir/pgctl.log" 2>&1 ||
    { cat "$e2e_logdir/pgctl.log" >&2; e2e_fail "PostgreSQL did not start"; }
dbpw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
$pgctl psql "$pgdir" -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "CREATE ROLE fced LOGIN PASSWORD '$dbpw' NOSUPERUSER NOCREATEROLE NOCREATEDB" \
    -c "CREATE DATABASE fced OWNER fced" >"$e2e_logdir/psql.log" 2>&1 ||
    { cat "$e2e_logdir/psql.log" >&2; e2e_fail "cannot create the account's database"; }
e2e_msg "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport (scram-sha-256)"

# ---- the bundle, as a release would bring it
${MAKE:-make} -C "$top_builddir" bundle BUNDLEDIR="$e2e_rt/upload" \
    >"$e2e_logdir/make.log" 2>&1 ||
    { tail -n 20 "$e2e_logdir/make.log" >&2; e2e_fail "make bundle"; }
chmod -R a+rX "$e2e_rt/upload"

# ---- the account: its user unpacks and sets up everything
home=$e2e_rt/home/fced
mkdir -p "$home" "$e2e_rt/www"
if [ "$(id -u)" -eq 0 ]; then
	acct=nobody
	chown "$acct" "$home"
	as_acct() { runuser -u "$acct" -- env HOME="$home" PATH=/usr/bin:/bin "$@"; }
else
	acct=$(id -un)
	as_acct() { env HOME="$home" PATH=/usr/bin:/bin "$@"; }
fi
chmod 711 "$home"
BASE_PATH=/~fced/tools/app
export BASE_PATH
db_url="postgresql://fced:$dbpw@127.0.0.1:$pgport/fced"
admin_pw=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
# The guide's steps, in the account's shell (umask 022, as hosts set).
as_acct sh -eu -c '
umask 022
app=$HOME/fcgi-encrypted-db
cp -R "$1" "$app"
mkdir -m 700 "$app/secrets"
(
	umask 077
	printf "%s\n" "$2" >"$app/secrets/DATABASE_URL"
	"$app/bin/encdb" gen-key --id 1 >"$app/secrets/FIELD_KEYS"
	"$app/bin/encdb" gen-key >"$app/secrets/INDEX_KEY"
	printf "%s\n" "$3" >"$HOME/admin-pw"
)
export SECRETS_PATH="$app/secrets" SQL_DIR="$app/sql"
"$app/bin/encdb" migrate
"$app/bin/encdb" create-user admin --email admin@example.com --admin \
    --password-file "$HOME/admin-pw"
rm "$HOME/admin-pw"
"$app/bin/encdb" check
"$app/bin/encdb" token create admin --name shared-host >"$HOME/token"
web=$HOME/public_html/tools/app
mkdir -p "$web/app"
cp -R "$app/static" "$web/static"
gen="$app/conf/gen"
sh "$gen" "$app/conf/htaccess.in" "$web/.htaccess" APPDIR=app \
    BODY_MAX=65536 BASE_PATH="$4" SECRETS_PATH="$app/secrets" \
    TEMPLATEDIR="$app/templates"
for r in user users users-new login logout healthz census notfound; do
	sh "$gen" "$app/conf/route-wrapper.in" "$web/app/$r" ROUTE=$r \
	    CGIBINDIR="$app/cgi-bin" LIBDIR="$app/lib" BODY_MAX=65536 \
	    BASE_PATH="$4" SECRETS_PATH="$app/secrets" \
	    TEMPLATEDIR="$app/templates"
	chmod 755 "$web/app/$r"
done
' sh "$e2e_rt/upload" "$db_url" "$admin_pw" "$BASE_PATH" \
    >"$e2e_logdir/setup.log" 2>&1 ||
    { cat "$e2e_logdir/setup.log" >&2; e2e_fail "the account's set-up failed"; }
grep -q 'all checks passed' "$e2e_logdir/setup.log" ||
    e2e_fail "encdb check did not pass for the account"
token=$(cat "$home/token")
rm -f "$home/token"
# Where the web server runs as another user than the account (no suexec),
# the host puts it in the secrets' group: readable by the two, no one else.
if [ "$(id -u)" -eq 0 ]; then
	chgrp -R "$e2e_group" "$home/fcgi-encrypted-db/secrets"
	chmod 750 "$home/fcgi-encrypted-db/secrets"
	chmod 640 "$home/fcgi-encrypted-db/secrets"/*
fi

# ---- mod_fcgid: the browser suite (or the HTTP suite without Chromium)
browser=1
"$py" -c 'import selenium' 2>/dev/null || browser=
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || browser=
axe=$e2e_build/npm/node_modules/axe-core/axe.min.js
if [ -n "$browser" ]; then
	"${SHELL:-/bin/sh}" "$e2e_top/t/browser/install-axe" "$e2e_build" >&2 &&
	    [ -f "$axe" ] || e2e_fail "axe-core could not be installed in the build tree"
fi

suite() {
	"$py" "$e2e_top/t/e2e/suite.py" "$e2e_url" admin "$admin_pw" \
	    admin@example.com 65536 "$token" >"$e2e_logdir/suite-$1.out" 2>&1 ||
	    { cat "$e2e_logdir/suite-$1.out" >&2; e2e_fail "$1: the HTTP suite failed"; }
	e2e_msg "$1: the HTTP suite passed ($(grep -c '^ok' "$e2e_logdir/suite-$1.out") checks)"
}

e2e_start_apache userdir-fcgid
if [ -n "$browser" ]; then
	shots=$e2e_build/t/screenshots-e2e-shared-host
	rm -rf "$shots"
	mkdir -p "$shots" "$e2e_rt/chrome"
	HOME=$e2e_rt/chrome "$py" "$e2e_top/t/browser/browser.py" "$e2e_url" \
	    admin "$admin_pw" "$shots" "$e2e_rt/chrome/profile" "$axe" \
	    >"$e2e_logdir/browser.out" 2>&1 ||
	    { cat "$e2e_logdir/browser.out" >&2; e2e_fail "mod_fcgid: the browser suite failed"; }
	e2e_msg "mod_fcgid: the browser suite passed ($(grep -c '^ok' "$e2e_logdir/browser.out") checks)"
else
	e2e_msg "mod_fcgid: no Chromium or selenium: the HTTP suite instead"
	suite fcgid
fi
# FastCGI: the routes' processes outlive the requests.
pgrep -f "^$home/fcgi-encrypted-db/cgi-bin/" >/dev/null ||
    e2e_fail "mod_fcgid: no route process is running"
e2e_stop_server apache

# ---- plain CGI: the same files, no mod_fcgid on the host
e2e_port=
e2e_start_apache userdir-cgi
suite cgi
# CGI: a process per request, none left.
! pgrep -f "^$home/fcgi-encrypted-db/cgi-bin/" >/dev/null ||
    e2e_fail "CGI: route processes are still running"
exit 0
