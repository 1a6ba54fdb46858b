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
t_check_auth_SOURCES = t/check_auth.c
t_check_auth_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS)
t_check_auth_LDADD = lib/libapp.la $(CHECK_LIBS) $(PQ_LIBS) $(GCRYPT_LIBS)
TESTS += t/routes/auth.pg
EXTRA_DIST += t/routes/auth.pg

# t/check_authcache: lib/authcache.c through auth_identify, against the
# test cluster (run by t/routes/authcache.pg).
check_PROGRAMS += t/check_authcache
t_check_authcache_SOURCES = t/check_authcache.c t/testkeys.h
t_check_authcache_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS)
t_check_authcache_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS)
TESTS += t/routes/authcache.pg
EXTRA_DIST += t/routes/authcache.pg
