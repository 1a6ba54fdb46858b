# t/e2e/lib.sh -- shared shell functions of the end-to-end and browser
# tests: stage the route executables, start lighttpd or Apache on a free
# loopback port with the configs generated from conf/*.in (the same
# templates that are installed), and stop everything again, also when the
# test fails or is interrupted. Sourced by t/*.pg, t/e2e-configs.sh and
# tools/run-app; plain POSIX sh.
#
# Layout. Each run has a private runtime directory (e2e_rt: sockets, pid
# files, generated configs, the staged executables, templates and static
# files) made with mktemp under ${TMPDIR:-/tmp}: unix socket paths must be
# short, and when we run as root the web server's user (www-data) must be
# able to reach it even if the build tree sits under a root-only
# directory. Logs go to e2e_logdir in the build tree (t/NAME.d/), which is
# what a failing test's .log file points to.
#
# Staging. A libtool-built route in the build tree may be a wrapper script
# with the real program in .libs/; the real program is copied, with the
# uninstalled libencfield next to it, and LD_LIBRARY_PATH points there.
#
# Who runs what. As root, the servers run their workers (and so the
# FastCGI/CGI processes) as www-data, and the throwaway PostgreSQL's unix
# socket is opened to it (e2e_open_pg). As a normal user everything runs
# as that user.

e2e_routes="user users users-new login logout healthz census notfound"

# e2e_msg TEXT: progress line on stderr (lands in the test's .log).
e2e_msg() {
	echo "e2e: $*" >&2
}

# e2e_fail TEXT: report and exit 1 (a test failure); the EXIT trap cleans.
e2e_fail() {
	echo "e2e: FAIL: $*" >&2
	exit 1
}

# e2e_skip TEXT: report and exit 77 (skipped).
e2e_skip() {
	echo "e2e: SKIP: $*" >&2
	exit 77
}

# e2e_python: the Python 3 to use (Debian's, which has python3-selenium).
e2e_python() {
	if [ -x /usr/bin/python3 ]; then
		echo /usr/bin/python3
	else
		command -v python3 || echo python3
	fi
}

# e2e_init NAME [LOGDIR]: set e2e_name, e2e_top (source tree), e2e_build
# (build tree), e2e_logdir (default t/NAME.d in the build tree), e2e_rt,
# e2e_user/e2e_group; install the cleanup trap.
e2e_init() {
	e2e_name=$1
	e2e_top=$(cd "${top_srcdir:-.}" && pwd)
	e2e_build=$(cd "${top_builddir:-.}" && pwd)
	e2e_logdir=${2:-$e2e_build/t/$e2e_name.d}
	rm -rf "$e2e_logdir"
	mkdir -p "$e2e_logdir"
	e2e_rt=$(mktemp -d "${TMPDIR:-/tmp}/fced-$e2e_name.XXXXXX") ||
	    e2e_fail "cannot make a runtime directory"
	chmod 755 "$e2e_rt"
	mkdir -p "$e2e_rt/run" "$e2e_rt/log"
	e2e_pids=
	e2e_servers=
	# The Python helpers import each other from the source tree, which
	# must stay clean (and is read-only under make distcheck).
	PYTHONDONTWRITEBYTECODE=1
	export PYTHONDONTWRITEBYTECODE
	if [ "$(id -u)" -eq 0 ]; then
		e2e_user=www-data
		e2e_group=www-data
		getent passwd "$e2e_user" >/dev/null ||
		    e2e_fail "running as root needs the user $e2e_user"
		chown "$e2e_user:$e2e_group" "$e2e_rt/run" "$e2e_rt/log"
	else
		e2e_user=$(id -un)
		e2e_group=$(id -gn)
	fi
	trap e2e_cleanup EXIT
	trap 'exit 99' HUP INT TERM
}

# e2e_cleanup: stop every server we started, keep their logs in the build
# tree, remove the runtime directory. The EXIT trap.
e2e_cleanup() {
	rc=$?
	for s in $e2e_servers; do
		e2e_stop_server "$s"
	done
	for p in $e2e_pids; do
		kill "$p" 2>/dev/null
	done
	if [ -n "${e2e_rt:-}" ] && [ -d "$e2e_rt" ]; then
		cp -p "$e2e_rt"/log/* "$e2e_logdir"/ 2>/dev/null
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			for f in "$e2e_rt"/log/* "$e2e_logdir"/*-stdout.log; do
				[ -s "$f" ] || continue
				echo "---- e2e: tail of $(basename "$f")" >&2
				tail -n 25 "$f" >&2
			done
		fi
		rm -rf "$e2e_rt"
	fi
	exit "$rc"
}

# e2e_free_port: print a TCP port free on 127.0.0.1 right now.
e2e_free_port() {
	"$(e2e_python)" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# e2e_real_program PATH: the real executable behind a libtool wrapper
# script (PATH itself when it is not one).
e2e_real_program() {
	d=$(dirname "$1")
	b=$(basename "$1")
	if [ -f "$1" ] && head -c 2 "$1" | grep -q '^#!' &&
	    grep -q 'libtool' "$1" 2>/dev/null; then
		for c in "$d/.libs/$b" "$d/.libs/lt-$b"; do
			if [ -x "$c" ]; then
				echo "$c"
				return 0
			fi
		done
	fi
	echo "$1"
}

# e2e_stage SRC_DIR [DST_NAME]: copy the route executables from SRC_DIR
# (build-tree cgi-bin/, or a directory of hello copies) into
# $e2e_rt/app (or DST_NAME under $e2e_rt), plus the templates, the
# stylesheet and the uninstalled libencfield. Sets e2e_app, e2e_templates,
# e2e_static, e2e_libdir.
e2e_stage() {
	e2e_app=$e2e_rt/${2:-app}
	e2e_templates=$e2e_rt/templates
	e2e_static=$e2e_rt/static
	e2e_libdir=$e2e_rt/lib
	mkdir -p "$e2e_app" "$e2e_templates" "$e2e_static" "$e2e_libdir"
	for r in $e2e_routes; do
		[ -e "$1/$r" ] || e2e_fail "no route executable $1/$r (not built?)"
		cp "$(e2e_real_program "$1/$r")" "$e2e_app/$r" ||
		    e2e_fail "cannot stage $r"
		chmod 755 "$e2e_app/$r"
	done
	for f in "$e2e_top"/templates/*.html; do
		[ -f "$f" ] && cp "$f" "$e2e_templates/"
	done
	cp "$e2e_top/templates/style.css" "$e2e_static/style.css"
	mkdir -p "$e2e_static/errors"
	cp "$e2e_top"/conf/errors/status-*.html "$e2e_static/errors/"
	for f in "$e2e_build"/lib/.libs/libencfield.so*; do
		[ -e "$f" ] && cp -P "$f" "$e2e_libdir/"
	done
	chmod -R a+rX "$e2e_rt/templates" "$e2e_rt/static" "$e2e_rt/lib"
}

# e2e_stage_hello: stage bench/hello under every route's name (the probe
# of the server configs, no database needed).
e2e_stage_hello() {
	hello=$(e2e_real_program "$e2e_build/bench/hello")
	[ -x "$hello" ] || e2e_fail "bench/hello is not built"
	mkdir -p "$e2e_rt/hello-src"
	for r in $e2e_routes; do
		cp "$hello" "$e2e_rt/hello-src/$r"
	done
	e2e_stage "$e2e_rt/hello-src"
}

# e2e_open_pg: as root, let the web server's user connect to the
# throwaway cluster's unix socket (PGHOST, PGPORT from t/with-pg), as
# `tools/pgctl start -m 0777` would have. No-op for a TCP PGHOST or when
# not root.
e2e_open_pg() {
	[ "$(id -u)" -eq 0 ] || return 0
	case ${PGHOST:-} in
	/*) ;;
	*) return 0 ;;
	esac
	chmod 0777 "$PGHOST/.s.PGSQL.${PGPORT:-5432}" ||
	    e2e_fail "cannot open the PostgreSQL socket to $e2e_user"
	chmod o+x "$PGHOST"
	runuser -u "$e2e_user" -- test -w "$PGHOST/.s.PGSQL.${PGPORT:-5432}" ||
	    e2e_fail "$e2e_user cannot reach the PostgreSQL socket in $PGHOST"
}

# e2e_gen TEMPLATE OUTPUT [NAME=VALUE...]: conf/gen with every path of
# this run filled in.
e2e_gen() {
	t=$1
	o=$2
	shift 2
	"${SHELL:-/bin/sh}" "$e2e_top/conf/gen" "$e2e_top/conf/$t" "$o" \
	    BIND=127.0.0.1 PORT="$e2e_port" \
	    SERVER_USER="$e2e_user" SERVER_GROUP="$e2e_group" \
	    CGIBINDIR="$e2e_app" TEMPLATEDIR="$e2e_templates" \
	    STATICDIR="$e2e_static" RUNDIR="$e2e_rt/run" \
	    LOGDIR="$e2e_rt/log" SECRETS_PATH="$e2e_rt/secrets" \
	    BODY_MAX="${BODY_MAX:-65536}" \
	    BODY_MAX_KB=$((${BODY_MAX:-65536} / 1024)) \
	    BODY_MAX_PLUS1=$((${BODY_MAX:-65536} + 1)) \
	    MAX_PROCS="${E2E_MAX_PROCS:-1}" \
	    APACHE_MODDIR="${APACHE_MODDIR:-/usr/lib/apache2/modules}" \
	    DOCROOT="$e2e_rt/www" APPDIR=app SITECONF="$e2e_rt/site.conf" \
	    BASE_PATH="${BASE_PATH:-}" HOMES="$e2e_rt/home" \
	    "$@" || e2e_fail "conf/gen $t failed"
}

# e2e_wait_http URL PID: wait (up to 20 s) until URL answers, as long as
# the server PID is alive (so that we never take another test's server on
# a port that it grabbed first for ours). Returns 1 if PID died.
e2e_wait_http() {
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		if curl -s -o /dev/null --max-time 2 "$1"; then
			sleep 0.2
			kill -0 "$2" 2>/dev/null || return 1
			return 0
		fi
		i=$((i + 1))
		sleep 0.2
	done
	return 1
}

# e2e_app_env: the settings passed to the routes, as NAME=VALUE lines on
# stdout: every setting of the README's Configuration that is set in our
# environment, plus LD_LIBRARY_PATH for the staged libencfield.
e2e_app_env_names="DATABASE_URL POSTGRES_HOST POSTGRES_PORT POSTGRES_DB
POSTGRES_USER POSTGRES_PASSWORD FIELD_KEYS INDEX_KEY POSTGRES_SECRET_KEY
SECRET_KEY LEGACY_ENGINE CONFIG_FILE CORS_ORIGINS DB_CONNECT_TIMEOUT
DB_STATEMENT_TIMEOUT DB_PREPARED_STATEMENTS SESSION_IDLE SESSION_MAX
TIME_ZONE SQL_DIR BODY_MAX TRUSTED_PROXIES SANDBOX IDLE_TRIM AUTH_CACHE
DATABASE_READ_URL READ_MAX_LAG"

# The role the routes connect as: not the owner that migrates (encdb roles
# gives it only what the routes use). Empty: the routes use DATABASE_URL
# as it is (a database given from outside, where we may not create roles).
e2e_app_role=${e2e_app_role-encdb_app}

# e2e_routes_db / e2e_owner_db: switch DATABASE_URL to the application
# role for a server's start (creating or updating the role first), and
# back to the owner for encdb.
e2e_routes_db() {
	e2e_owner_url=${DATABASE_URL:-}
	[ -n "$e2e_app_role" ] && [ -n "$e2e_owner_url" ] || return 0
	"$e2e_build/encdb/encdb" roles "$e2e_app_role" \
	    >"$e2e_logdir/roles.log" 2>&1 ||
	    { cat "$e2e_logdir/roles.log" >&2; e2e_fail "encdb roles $e2e_app_role"; }
	case $e2e_owner_url in
	*user=*)
		DATABASE_URL=$(printf '%s' "$e2e_owner_url" |
		    sed "s/user=[^& ]*/user=$e2e_app_role/")
		;;
	*://*\?*) DATABASE_URL="$e2e_owner_url&user=$e2e_app_role" ;;
	*://*) DATABASE_URL="$e2e_owner_url?user=$e2e_app_role" ;;
	*) DATABASE_URL="$e2e_owner_url user=$e2e_app_role" ;;
	esac
	export DATABASE_URL
}
e2e_owner_db() {
	[ -n "${e2e_owner_url:-}" ] || return 0
	DATABASE_URL=$e2e_owner_url
	export DATABASE_URL
}

# e2e_start_lighttpd: generate lighttpd.conf from conf/lighttpd.conf.in and
# start lighttpd on $e2e_port; the settings come from our environment
# (bin-copy-environment). Sets e2e_url.
e2e_start_lighttpd() {
	command -v lighttpd >/dev/null 2>&1 || [ -x /usr/sbin/lighttpd ] ||
	    e2e_skip "lighttpd is not installed"
	lt=$(command -v lighttpd 2>/dev/null || echo /usr/sbin/lighttpd)
	e2e_port_auto=
	[ -n "${e2e_port:-}" ] || { e2e_port=$(e2e_free_port); e2e_port_auto=1; }
	e2e_gen lighttpd.conf.in "$e2e_rt/lighttpd.conf"
	"$lt" -tt -f "$e2e_rt/lighttpd.conf" >"$e2e_logdir/lighttpd-check.log" \
	    2>&1 || { cat "$e2e_logdir/lighttpd-check.log" >&2;
	    e2e_fail "lighttpd rejects the generated config"; }
	# A free port may be taken by another test between our probe and
	# lighttpd's bind: then lighttpd exits and we try another port.
	e2e_routes_db
	tries=0
	while :; do
		LD_LIBRARY_PATH=$e2e_libdir "$lt" -D -f "$e2e_rt/lighttpd.conf" \
		    >>"$e2e_logdir/lighttpd-stdout.log" 2>&1 &
		pid=$!
		e2e_pids="$e2e_pids $pid"
		e2e_servers="$e2e_servers lighttpd"
		e2e_url=http://127.0.0.1:$e2e_port${BASE_PATH:-}
		e2e_wait_http "$e2e_url/healthz" "$pid" && break
		e2e_stop_server lighttpd
		tries=$((tries + 1))
		[ $tries -lt 3 ] && [ -n "${e2e_port_auto:-}" ] ||
		    e2e_fail "lighttpd did not start (see lighttpd-error.log)"
		e2e_port=$(e2e_free_port)
		e2e_gen lighttpd.conf.in "$e2e_rt/lighttpd.conf"
	done
	e2e_owner_db
	e2e_msg "lighttpd on $e2e_url (workers as $e2e_user)"
}

# e2e_write_secrets: every setting of e2e_app_env_names that is set, as a
# file in $e2e_rt/secrets (SECRETS_PATH of the generated configs), mode
# 0600, owned by the server's user.
e2e_write_secrets() {
	mkdir -p "$e2e_rt/secrets"
	for n in $e2e_app_env_names; do
		eval "v=\${$n:-}"
		[ -n "$v" ] || continue
		printf '%s\n' "$v" >"$e2e_rt/secrets/$n"
	done
	chmod 700 "$e2e_rt/secrets"
	chmod 600 "$e2e_rt/secrets"/* 2>/dev/null
	chown -R "$e2e_user:$e2e_group" "$e2e_rt/secrets"
}

# e2e_apache_quote VALUE: VALUE as an Apache config string.
e2e_apache_quote() {
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"]/\\&/g')"
}

# e2e_start_apache MODE: generate the standalone config and start Apache
# httpd on $e2e_port. MODE fcgid: conf/apache-fcgid.conf, settings as
# FcgidInitialEnv lines. MODE cgi: the shared-hosting layout (web root
# with conf/htaccess, routes in www/app/) without mod_fcgid, so plain CGI
# through mod_cgid; settings as files in SECRETS_PATH. MODE htaccess-fcgid:
# the same .htaccess with mod_fcgid loaded, www/app/ holding one
# conf/route-wrapper.in per route that sets the environment and execs the
# program. MODE userdir-fcgid, userdir-cgi: a shared host (mod_userdir,
# AllowOverride as such hosts limit it) serving what the caller put in
# $e2e_rt/home/ACCOUNT/public_html, with and without mod_fcgid. Sets
# e2e_url.
e2e_start_apache() {
	mode=$1
	ap=$(command -v apache2 2>/dev/null || echo /usr/sbin/apache2)
	[ -x "$ap" ] || e2e_skip "apache2 is not installed"
	e2e_port_auto=
	[ -n "${e2e_port:-}" ] || { e2e_port=$(e2e_free_port); e2e_port_auto=1; }
	defs=
	: >"$e2e_rt/run/app-env.conf"
	e2e_routes_db
	case $mode in
	fcgid)
		e2e_gen apache-fcgid.conf.in "$e2e_rt/site.conf"
		# The settings as files, as conf/README says: FcgidInitialEnv
		# would cut them at 127 bytes.
		e2e_write_secrets
		echo "FcgidInitialEnv LD_LIBRARY_PATH $(e2e_apache_quote "$e2e_libdir")" \
		    >>"$e2e_rt/run/app-env.conf"
		;;
	cgi | htaccess-fcgid)
		defs="-D FCGED_HTACCESS"
		[ "$mode" = cgi ] && defs="$defs -D FCGED_NOFCGID"
		# The application's directory: the web root, or under
		# BASE_PATH a subdirectory of it.
		web=$e2e_rt/www${BASE_PATH:-}
		mkdir -p "$web"
		if [ "$mode" = cgi ]; then
			# The programs themselves in the web root.
			mv "$e2e_app" "$web/app"
			e2e_app=$web/app
		else
			# Under mod_fcgid: one wrapper per route in the web
			# root (conf/route-wrapper.in), the programs outside.
			mkdir -p "$web/app"
			for r in $e2e_routes; do
				e2e_gen route-wrapper.in "$web/app/$r" \
				    ROUTE="$r" LIBDIR="$e2e_libdir"
				chmod 755 "$web/app/$r"
			done
		fi
		cp -R "$e2e_static" "$web/static"
		e2e_gen htaccess.in "$web/.htaccess"
		chmod -R a+rX "$e2e_rt/www"
		# Secrets as files, outside the web root, the way .htaccess
		# recommends.
		e2e_write_secrets
		# The library path is not a secret and must be in the
		# environment before the program starts.
		echo "SetEnv LD_LIBRARY_PATH $(e2e_apache_quote "$e2e_libdir")" \
		    >>"$e2e_rt/run/app-env.conf"
		;;
	userdir-fcgid | userdir-cgi)
		# A shared host: the caller has laid out an account's
		# public_html under $e2e_rt/home (mod_userdir), with the
		# settings in that account's files.
		defs="-D FCGED_USERDIR"
		[ "$mode" = userdir-cgi ] && defs="$defs -D FCGED_NOFCGID"
		;;
	*) e2e_fail "e2e_start_apache: unknown mode $mode" ;;
	esac
	e2e_owner_db
	e2e_gen apache-standalone.conf.in "$e2e_rt/httpd.conf"
	chmod 600 "$e2e_rt/run/app-env.conf"
	# shellcheck disable=SC2086
	"$ap" -t -f "$e2e_rt/httpd.conf" $defs >"$e2e_logdir/apache-check.log" \
	    2>&1 || { cat "$e2e_logdir/apache-check.log" >&2;
	    e2e_fail "apache2 rejects the generated config"; }
	tries=0
	while :; do
		# shellcheck disable=SC2086
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
		    "$ap" -f "$e2e_rt/httpd.conf" -DFOREGROUND $defs \
		    >>"$e2e_logdir/apache-stdout.log" 2>&1 &
		pid=$!
		e2e_pids="$e2e_pids $pid"
		e2e_servers="$e2e_servers apache"
		e2e_url=http://127.0.0.1:$e2e_port${BASE_PATH:-}
		e2e_wait_http "$e2e_url/healthz" "$pid" && break
		e2e_stop_server apache
		tries=$((tries + 1))
		[ $tries -lt 3 ] && [ -n "${e2e_port_auto:-}" ] ||
		    e2e_fail "apache2 did not start (see apache-error.log)"
		e2e_port=$(e2e_free_port)
		e2e_gen apache-standalone.conf.in "$e2e_rt/httpd.conf"
	done
	e2e_msg "apache ($mode) on $e2e_url (workers as $e2e_user)"
}

# e2e_stop_server lighttpd|apache: stop it through its pid file and wait
# (up to 10 s) until it is gone, with its FastCGI children.
e2e_stop_server() {
	case $1 in
	lighttpd) pf=$e2e_rt/run/lighttpd.pid ;;
	apache) pf=$e2e_rt/run/apache.pid ;;
	*) return 0 ;;
	esac
	[ -f "$pf" ] || return 0
	pid=$(cat "$pf" 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}
