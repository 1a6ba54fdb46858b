# t/routes.mk: the route tests (owner: routes). t/check_auth tests
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
