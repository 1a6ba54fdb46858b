# cgi-bin/local.mk: the route executables, one per route, installed in
# $(pkglibexecdir) (the web-server configs' CGIBINDIR): user, users,
# users-new, login, logout, healthz, census (/admin/census) and notfound.
pkglibexec_PROGRAMS += cgi-bin/user cgi-bin/users cgi-bin/users-new \
	cgi-bin/login cgi-bin/logout cgi-bin/healthz cgi-bin/notfound \
	cgi-bin/census

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
cgi_bin_census_SOURCES = cgi-bin/census.c
cgi_bin_census_CFLAGS = $(ROUTE_CFLAGS)
cgi_bin_census_LDADD = $(ROUTE_LDADD)
