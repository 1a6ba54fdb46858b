# cgi-bin/local.mk: the route executables, one per route (owner: routes),
# installed in $(pkglibexecdir) (the web-server configs' CGIBINDIR), and
# the libapp modules they share: auth (sessions, CSRF, API tokens,
# throttling) and its token cache (authcache), app (set-up and the request
# loop), proxy (the client's address behind trusted proxies) and sandbox
# (seccomp, after start-up).
lib_libapp_la_SOURCES += lib/auth.c lib/authcache.c lib/app.c lib/proxy.c \
	lib/sandbox.c lib/wipe.c
lib_libapp_la_CFLAGS += $(SECCOMP_CFLAGS)
lib_libapp_la_LIBADD += $(SECCOMP_LIBS)

# The migrations of auth's tables from 200 on (sql/2NN_*.sql).
dist_sql_DATA += \
	sql/200_login_throttle.sql \
	sql/201_api_tokens_expiry.sql \
	sql/202_users_username_ci.sql \
	sql/207_read_fence.sql

# Installed in $(pkglibexecdir); encdb/ops.mk adds cgi-bin/census.
pkglibexec_PROGRAMS += cgi-bin/user cgi-bin/users cgi-bin/users-new \
	cgi-bin/login cgi-bin/logout cgi-bin/healthz cgi-bin/notfound

ROUTE_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(FCGI_CFLAGS)
ROUTE_LDADD = lib/libapp.la

cgi_bin_user_SOURCES = cgi-bin/user.c
cgi_bin_user_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_user_LDADD = $(ROUTE_LDADD)
cgi_bin_users_SOURCES = cgi-bin/users.c
cgi_bin_users_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_users_LDADD = $(ROUTE_LDADD)
cgi_bin_users_new_SOURCES = cgi-bin/users-new.c
cgi_bin_users_new_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_users_new_LDADD = $(ROUTE_LDADD)
cgi_bin_login_SOURCES = cgi-bin/login.c
cgi_bin_login_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_login_LDADD = $(ROUTE_LDADD)
cgi_bin_logout_SOURCES = cgi-bin/logout.c
cgi_bin_logout_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_logout_LDADD = $(ROUTE_LDADD)
cgi_bin_healthz_SOURCES = cgi-bin/healthz.c
cgi_bin_healthz_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_healthz_LDADD = $(ROUTE_LDADD)
cgi_bin_notfound_SOURCES = cgi-bin/notfound.c
cgi_bin_notfound_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_notfound_LDADD = $(ROUTE_LDADD)
