# t/local.mk: the tests (make check), by part of the tree.

# libencfield (lib/encfield*.c).
#
# t/check_encfield: the Check suite (published vectors, the SQLAlchemy-Utils
# file, tampering, tables); t/argon2-cli.sh: interoperability with Debian's
# argon2 tool through the helper t/ef-pwtool.
check_PROGRAMS += t/check_encfield t/ef-pwtool
TESTS += t/check_encfield t/argon2-cli.sh t/abi.sh
dist_noinst_SCRIPTS += t/abi.sh
# Built from the library's sources, not linked to it: it also tests the
# primitives the library does not export (lib/encfield_impl.h).
if HAVE_CHECK
t_check_encfield_SOURCES = t/check_encfield.c $(lib_libencfield_la_SOURCES)
else
t_check_encfield_SOURCES = t/nocheck.c
endif
t_check_encfield_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(GCRYPT_CFLAGS) \
	$(JSONC_CFLAGS)
t_check_encfield_LDADD = $(CHECK_LIBS) $(GCRYPT_LIBS) $(JSONC_LIBS)
t_ef_pwtool_SOURCES = t/ef-pwtool.c
t_ef_pwtool_LDADD = lib/libencfield.la
dist_noinst_SCRIPTS += t/argon2-cli.sh
dist_noinst_DATA += t/vectors/sqlalchemy-utils.json

# The same binaries under valgrind (memcheck, leaks, CK_FORK=no), with
# fewer nonces so that it ends in minutes: make check-valgrind-encfield.
ENCFIELD_VALGRIND = valgrind --error-exitcode=97 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --track-origins=yes -q
check-valgrind-encfield: t/check_encfield$(EXEEXT) t/ef-pwtool$(EXEEXT)
	cd $(top_builddir) && \
	top_srcdir='$(top_srcdir)' CK_FORK=no EF_TEST_NONCES=2000 EF_TEST_FUZZ=300 \
	CK_DEFAULT_TIMEOUT=0 $(LIBTOOL) --mode=execute \
	$(ENCFIELD_VALGRIND) t/check_encfield
	cd $(top_builddir) && \
	top_srcdir='$(top_srcdir)' EF_PWTOOL_WRAP='$(LIBTOOL) --mode=execute $(ENCFIELD_VALGRIND)' \
	$(SHELL) $(top_srcdir)/t/argon2-cli.sh
.PHONY: check-valgrind-encfield

# The data layer's tests (cfg, db, users, migrations, encdb),
# run against a throwaway PostgreSQL cluster through t/with-pg.
dist_noinst_SCRIPTS += t/with-pg tools/pgctl

DATA_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS) $(JSONC_CFLAGS)
DATA_TEST_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS) $(GCRYPT_LIBS) $(JSONC_LIBS)

# t/check_cfg: settings (no database needed).
check_PROGRAMS += t/check_cfg
TESTS += t/check_cfg
if HAVE_CHECK
t_check_cfg_SOURCES = t/check_cfg.c
else
t_check_cfg_SOURCES = t/nocheck.c
endif
t_check_cfg_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_cfg_LDADD = $(DATA_TEST_LDADD)

# The suites below need PostgreSQL: each runs inside its own throwaway
# cluster through a t/*.pg script (see t/with-pg).
check_PROGRAMS += t/check_db
TESTS += t/db.pg
dist_noinst_SCRIPTS += t/db.pg
if HAVE_CHECK
t_check_db_SOURCES = t/check_db.c t/pgtest.h
else
t_check_db_SOURCES = t/nocheck.c
endif
t_check_db_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_db_LDADD = $(DATA_TEST_LDADD)

check_PROGRAMS += t/check_migrate
TESTS += t/migrate.pg
dist_noinst_SCRIPTS += t/migrate.pg
if HAVE_CHECK
t_check_migrate_SOURCES = t/check_migrate.c t/pgtest.h
else
t_check_migrate_SOURCES = t/nocheck.c
endif
t_check_migrate_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_migrate_LDADD = $(DATA_TEST_LDADD)

check_PROGRAMS += t/check_users
TESTS += t/users.pg
dist_noinst_SCRIPTS += t/users.pg
if HAVE_CHECK
t_check_users_SOURCES = t/check_users.c t/pgtest.h
else
t_check_users_SOURCES = t/nocheck.c
endif
t_check_users_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_users_LDADD = $(DATA_TEST_LDADD)

# t/encdb.pg: the encdb command (migrate, check, gen-key, create-user).
TESTS += t/encdb.pg
dist_noinst_SCRIPTS += t/encdb.pg

# t/at-rest.pg: no plaintext email or password in pg_dump or the cluster's
# files.
TESTS += t/at-rest.pg
dist_noinst_SCRIPTS += t/at-rest.pg

# The data suites under valgrind (memcheck, leaks; CK_FORK=no), each in its
# own throwaway cluster: make check-valgrind-data.
DATA_VALGRIND = valgrind --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect -q
check-valgrind-data: t/check_cfg t/check_db t/check_migrate t/check_users \
    encdb/encdb
	cd $(top_builddir) && top_srcdir='$(top_srcdir)' CK_FORK=no \
	CK_DEFAULT_TIMEOUT=0 $(LIBTOOL) --mode=execute $(DATA_VALGRIND) \
	t/check_cfg
	cd $(top_builddir) && for t in db migrate users; do \
	top_srcdir='$(top_srcdir)' top_builddir=. PG_BINDIR='$(PG_BINDIR)' \
	CK_FORK=no CK_DEFAULT_TIMEOUT=0 \
	CHECK_WRAP='$(LIBTOOL) --mode=execute $(DATA_VALGRIND)' \
	$(SHELL) $(top_srcdir)/t/with-pg $(top_srcdir)/t/$$t.pg || exit 1; \
	done
.PHONY: check-valgrind-data

# t/pgctl.sh: tools/pgctl itself (unix socket, TCP with a password,
# restart, long paths, root).
TESTS += t/pgctl.sh
dist_noinst_SCRIPTS += t/pgctl.sh

# Unit tests of the HTTP layer, one Check binary
# per lib/ module. Fixtures live in t/http/.
HTTP_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) \
	-I$(top_srcdir)/t
HTTP_TEST_LDADD = lib/libapp.la $(CHECK_LIBS) $(JSONC_LIBS)

check_PROGRAMS += t/check_req
TESTS += t/check_req
if HAVE_CHECK
t_check_req_SOURCES = t/check_req.c t/http/fakeio.h
else
t_check_req_SOURCES = t/nocheck.c
endif
t_check_req_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_req_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_valid
TESTS += t/check_valid
if HAVE_CHECK
t_check_valid_SOURCES = t/check_valid.c
else
t_check_valid_SOURCES = t/nocheck.c
endif
t_check_valid_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_valid_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_buf t/check_log
TESTS += t/check_buf t/check_log
if HAVE_CHECK
t_check_buf_SOURCES = t/check_buf.c
t_check_log_SOURCES = t/check_log.c
else
t_check_buf_SOURCES = t/nocheck.c
t_check_log_SOURCES = t/nocheck.c
endif
t_check_buf_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_buf_LDADD = $(HTTP_TEST_LDADD)
t_check_log_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_log_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_resp
TESTS += t/check_resp
if HAVE_CHECK
t_check_resp_SOURCES = t/check_resp.c t/http/fakeio.h t/http/fixture.h
else
t_check_resp_SOURCES = t/nocheck.c
endif
t_check_resp_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_resp_LDADD = $(HTTP_TEST_LDADD)
EXTRA_DIST += t/http/resp-page.html t/http/resp-json.golden \
	t/http/resp-json-head.golden t/http/resp-404.golden \
	t/http/resp-405.golden t/http/resp-503.golden t/http/resp-422.golden \
	t/http/resp-303.golden t/http/resp-204.golden t/http/resp-500.golden

check_PROGRAMS += t/check_tmpl
TESTS += t/check_tmpl
if HAVE_CHECK
t_check_tmpl_SOURCES = t/check_tmpl.c t/http/fixture.h
else
t_check_tmpl_SOURCES = t/nocheck.c
endif
t_check_tmpl_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_tmpl_LDADD = $(HTTP_TEST_LDADD)
EXTRA_DIST += t/http/page.html t/http/layout-head.html \
	t/http/layout-foot.html t/http/page-empty-vars.html \
	t/http/bad-syntax.html t/http/self-include.html \
	t/http/include-missing.html t/http/page.golden \
	t/http/page-empty.golden
clean-local: clean-local-http
clean-local-http:
	rm -rf t/tmpl-cache.d
.PHONY: clean-local-http

# The whole accept -> parse -> respond loop, under plain CGI and FastCGI.
check_PROGRAMS += t/http_loop
TESTS += t/http-loop.sh
t_http_loop_SOURCES = t/http_loop.c
t_http_loop_CFLAGS = $(HTTP_TEST_CFLAGS) $(FCGI_CFLAGS)
t_http_loop_LDADD = lib/libapp.la $(JSONC_LIBS) $(FCGI_LIBS)
EXTRA_DIST += t/http-loop.sh t/http/loop.html
clean-local: clean-local-http-loop
clean-local-http-loop:
	rm -rf t/http-loop.d
.PHONY: clean-local-http-loop

# The route tests. t/check_auth tests
# lib/auth.c against a real PostgreSQL; t/routes/routes.pg runs every
# route executable in plain CGI mode with a faked environment (driver:
# t/routes/routes.py), both inside a throwaway cluster (t/with-pg).
check_PROGRAMS += t/routes/fixture
t_routes_fixture_SOURCES = t/routes/fixture.c
t_routes_fixture_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS)
t_routes_fixture_LDADD = lib/libapp.la

TESTS += t/routes/routes.pg
EXTRA_DIST += t/routes/routes.pg t/routes/routes.py t/routes/golden

# t/check_auth: lib/auth.c against the test cluster (run by t/routes/auth.pg).
check_PROGRAMS += t/check_auth
if HAVE_CHECK
t_check_auth_SOURCES = t/check_auth.c t/pgtest.h
else
t_check_auth_SOURCES = t/nocheck.c
endif
t_check_auth_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS)
t_check_auth_LDADD = lib/libapp.la $(CHECK_LIBS) $(PQ_LIBS) $(GCRYPT_LIBS)
TESTS += t/routes/auth.pg
EXTRA_DIST += t/routes/auth.pg

# t/check_authcache: lib/authcache.c through auth_identify, against the
# test cluster (run by t/routes/authcache.pg).
check_PROGRAMS += t/check_authcache
if HAVE_CHECK
t_check_authcache_SOURCES = t/check_authcache.c t/testkeys.h t/pgtest.h
else
t_check_authcache_SOURCES = t/nocheck.c
endif
t_check_authcache_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS)
t_check_authcache_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS)
TESTS += t/routes/authcache.pg
EXTRA_DIST += t/routes/authcache.pg
# t/check_proxy: lib/proxy.c (TRUSTED_PROXIES, X-Forwarded-For).
check_PROGRAMS += t/check_proxy
TESTS += t/check_proxy
if HAVE_CHECK
t_check_proxy_SOURCES = t/check_proxy.c
else
t_check_proxy_SOURCES = t/nocheck.c
endif
t_check_proxy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_proxy_LDADD = lib/libapp.la $(CHECK_LIBS)

# t/routes/sandbox-probe: a route that attempts what the sandbox forbids
# (driven by routes.py, group sandbox); never installed.
check_PROGRAMS += t/routes/sandbox-probe
t_routes_sandbox_probe_SOURCES = t/routes/sandbox-probe.c
t_routes_sandbox_probe_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) \
	$(FCGI_CFLAGS)
t_routes_sandbox_probe_LDADD = lib/libapp.la

# t/fortify.sh: the default build's _FORTIFY_SOURCE=3 catches an overflow
# of a buffer sized at run time (t/fortify-probe).
check_PROGRAMS += t/fortify-probe
t_fortify_probe_SOURCES = t/fortify-probe.c
TESTS += t/fortify.sh
EXTRA_DIST += t/fortify.sh

# t/libfreescan: an LD_PRELOAD module that reports secrets found in freed
# memory (routes.py, group wipe); never installed.
check_LTLIBRARIES = t/libfreescan.la
t_libfreescan_la_SOURCES = t/freescan.c
t_libfreescan_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
t_libfreescan_la_LIBADD = -ldl
check_PROGRAMS += t/freescan-control
t_freescan_control_SOURCES = t/freescan-control.c

# End-to-end tests over real HTTP against real web servers
# (lighttpd, Apache mod_fcgid, Apache plain CGI through the shared-hosting
# .htaccess) and, for the *.pg ones, a real PostgreSQL (t/with-pg); and the
# browser tests (headless Chromium). Harness: t/e2e/lib.sh.
TESTS += t/e2e-configs.sh t/e2e-run-app.sh t/e2e-lighttpd.pg t/e2e-apache-fcgid.pg \
	t/e2e-apache-cgi.pg t/e2e-apache-htaccess-fcgid.pg t/e2e-takeover.pg \
	t/e2e-replica.pg t/e2e-replica-pgbouncer.pg t/e2e-erasure.pg t/browser.pg \
	t/e2e-base-path.pg t/browser-base-path.pg t/e2e-shared-host.sh
EXTRA_DIST += t/e2e-base-path.pg t/browser-base-path.pg t/e2e-shared-host.sh
EXTRA_DIST += t/e2e-configs.sh t/e2e-run-app.sh t/e2e-lighttpd.pg t/e2e-apache-fcgid.pg \
	t/e2e-apache-cgi.pg t/e2e-apache-htaccess-fcgid.pg t/e2e-takeover.pg \
	t/e2e-replica.pg t/e2e-replica-pgbouncer.pg t/e2e-erasure.pg t/e2e/lib.sh \
	t/e2e/probe.py t/e2e/run-suite.sh t/e2e/suite.py \
	t/e2e/takeover.py t/e2e/boilerplate.sql \
	t/browser.pg t/browser/browser.py t/browser/package.json \
	t/browser/package-lock.json t/browser/install-axe

# Each test keeps its server logs in t/<test>.d/ (screenshots in
# t/screenshots/), the browser test its axe-core in npm/ and the route
# suite its free-scanner's log; make clean removes them.
clean-local: clean-e2e
clean-e2e:
	-rm -rf t/e2e-*.d t/browser*.d t/bundle.d t/screenshots t/screenshots-* \
	    t/e2e/__pycache__ npm \
	    t/routes/wipe.log
.PHONY: clean-e2e

# The tests of the operator's side: encdb rotate,
# upgrade, reindex, verify/status, token and audit against throwaway
# PostgreSQL clusters (t/with-pg), and lib/audit.c's Check suite.
#
# t/ops-load is the concurrent client the .pg tests run next to encdb: it
# plays the app through lib/users.c. bench/seed-rows seeds their rows.
check_PROGRAMS += t/ops-load t/check_audit
t_ops_load_SOURCES = t/ops-load.c
t_ops_load_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(GCRYPT_CFLAGS)
t_ops_load_LDADD = lib/libapp.la lib/libencfield.la $(PQ_LIBS) \
	$(GCRYPT_LIBS)

if HAVE_CHECK
t_check_audit_SOURCES = t/check_audit.c t/testkeys.h t/pgtest.h
else
t_check_audit_SOURCES = t/nocheck.c
endif
t_check_audit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS)
t_check_audit_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS) $(GCRYPT_LIBS)

# t/encdb-help.sh: every command's --help and --version, and the manual's
# SYNOPSIS against `encdb help` (no database). t/ops-user.pg: encdb user
# list | passwd | set-type | delete against a real PostgreSQL.
# t/readme-examples.py runs the README's curl examples for t/e2e-run-app.sh.
TESTS += t/encdb-help.sh t/ops-user.pg
dist_noinst_SCRIPTS += t/encdb-help.sh t/ops-user.pg t/readme-examples.py

# t/check_audit runs twice: alone (the chain without a database) and from
# t/ops-audit.pg (with its database cases).
OPS_TESTS = t/check_audit t/ops-audit.pg t/ops-rotate.pg t/ops-upgrade.pg \
	t/ops-reindex.pg t/ops-verify.pg t/ops-token.pg t/ops-census.pg \
	t/ops-audit-routes.pg t/ops-legacy-lookup.pg t/ops-usernames.pg
TESTS += $(OPS_TESTS)
dist_noinst_SCRIPTS += t/audit-vectors.py t/ops-audit.pg t/ops-rotate.pg t/ops-upgrade.pg \
	t/ops-reindex.pg t/ops-verify.pg t/ops-token.pg t/ops-census.pg \
	t/ops-audit-routes.pg t/ops-legacy-lookup.pg t/ops-usernames.pg \
	t/ops-lib.sh
