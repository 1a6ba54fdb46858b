# conf/local.mk: web-server configs generated from templates, and the
# installation of the data files the routes and encdb read at run time
# (templates, the stylesheet, SQL migrations).
#
# Installed layout (all under --prefix):
#   $(pkgdatadir)/templates/*.html   TEMPLATE_DIR default
#   $(pkgdatadir)/static/style.css   served as /static/style.css
#   $(pkgdatadir)/static/errors/     JSON bodies of the servers' own errors
#   $(pkgdatadir)/sql/*.sql          SQL_DIR default (encdb migrate)
#   $(pkgdatadir)/conf/              lighttpd.conf, apache-fcgid.conf,
#                                    htaccess: generated for these paths
# The templates and migrations are installed with a shell glob over the
# source tree, so that a new template or migration needs no edit here; the
# directories are distributed whole (EXTRA_DIST).

# Values filled into the installed configs; override on the make command
# line, e.g. `make LIGHTTPD_PORT=8080 SERVER_USER=nginx`.
CGIBINDIR = $(pkglibexecdir)
CONF_RUNDIR = $(localstatedir)/run/$(PACKAGE)
CONF_LOGDIR = $(localstatedir)/log/$(PACKAGE)
CONF_SECRETS_PATH = $(secretsdir)
LIGHTTPD_BIND = 0.0.0.0
LIGHTTPD_PORT = 80
SERVER_USER = www-data
SERVER_GROUP = www-data
BODY_MAX = 65536
MAX_PROCS = 2
# The URL prefix the app is served under ("" for the site's root), e.g.
# `make CONF_BASE_PATH=/tools/app`: the routes' BASE_PATH setting too.
CONF_BASE_PATH =

conf_templates = conf/lighttpd.conf.in conf/apache-fcgid.conf.in \
	conf/htaccess.in conf/apache-standalone.conf.in conf/route-wrapper.in
pkgconfdir = $(pkgdatadir)/conf
pkgconf_DATA = conf/lighttpd.conf conf/apache-fcgid.conf conf/htaccess
CLEANFILES += $(pkgconf_DATA)
EXTRA_DIST += $(conf_templates) conf/README templates
# JSON bodies of the errors the web servers answer themselves (413, 411).
errorsdir = $(pkgdatadir)/static/errors
dist_errors_DATA = conf/errors/status-411.html conf/errors/status-413.html
dist_noinst_SCRIPTS += conf/gen tools/run-app

conf_gen_args = \
	CGIBINDIR='$(CGIBINDIR)' \
	TEMPLATEDIR='$(pkgdatadir)/templates' \
	STATICDIR='$(pkgdatadir)/static' \
	RUNDIR='$(CONF_RUNDIR)' \
	LOGDIR='$(CONF_LOGDIR)' \
	SECRETS_PATH='$(CONF_SECRETS_PATH)' \
	BIND='$(LIGHTTPD_BIND)' \
	PORT='$(LIGHTTPD_PORT)' \
	SERVER_USER='$(SERVER_USER)' \
	SERVER_GROUP='$(SERVER_GROUP)' \
	BODY_MAX='$(BODY_MAX)' \
	BODY_MAX_KB=`expr $(BODY_MAX) / 1024` \
	BODY_MAX_PLUS1=`expr $(BODY_MAX) + 1` \
	MAX_PROCS='$(MAX_PROCS)' \
	BASE_PATH='$(CONF_BASE_PATH)' \
	APPDIR=app

conf/lighttpd.conf: $(srcdir)/conf/lighttpd.conf.in $(srcdir)/conf/gen Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	$(SHELL) $(srcdir)/conf/gen $(srcdir)/conf/lighttpd.conf.in $@ \
	    $(conf_gen_args)

conf/apache-fcgid.conf: $(srcdir)/conf/apache-fcgid.conf.in $(srcdir)/conf/gen Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	$(SHELL) $(srcdir)/conf/gen $(srcdir)/conf/apache-fcgid.conf.in $@ \
	    $(conf_gen_args)

conf/htaccess: $(srcdir)/conf/htaccess.in $(srcdir)/conf/gen Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	$(SHELL) $(srcdir)/conf/gen $(srcdir)/conf/htaccess.in $@ \
	    $(conf_gen_args)

# Templates and stylesheet: copied by glob from the source tree at install
# time, removed by the same glob at uninstall time. (The migrations are
# dist_sql_DATA of sql/local.mk.)
install-data-local: install-deploy-data
uninstall-local: uninstall-deploy-data

install-deploy-data:
	$(MKDIR_P) '$(DESTDIR)$(pkgdatadir)/templates' \
	    '$(DESTDIR)$(pkgdatadir)/static'
	for f in $(srcdir)/templates/*.html; do \
	    test -f "$$f" || continue; \
	    $(INSTALL_DATA) "$$f" '$(DESTDIR)$(pkgdatadir)/templates' || exit 1; \
	done
	$(INSTALL_DATA) $(srcdir)/templates/style.css \
	    '$(DESTDIR)$(pkgdatadir)/static/style.css'

uninstall-deploy-data:
	for f in $(srcdir)/templates/*.html; do \
	    test -f "$$f" || continue; \
	    rm -f '$(DESTDIR)$(pkgdatadir)/templates/'`basename "$$f"`; \
	done
	rm -f '$(DESTDIR)$(pkgdatadir)/static/style.css'
	-rmdir '$(DESTDIR)$(pkgdatadir)/templates' \
	    '$(DESTDIR)$(pkgdatadir)/static' 2>/dev/null

.PHONY: install-deploy-data uninstall-deploy-data

# `make bundle`, one directory a host without a compiler
# can run (README, "Shared hosting"): the route programs and encdb as
# ELF executables (not libtool's wrapper scripts), linked again here with
# RPATH $ORIGIN/../lib; the shared libraries they need apart from glibc's
# own, in lib/; templates, stylesheet, error bodies, migrations, and the
# .htaccess and wrapper templates with conf/gen. tools/bundle copies the
# libraries and prints the oldest glibc the bundle runs on.
#
#   BUNDLEDIR/
#     cgi-bin/   user users users-new login logout healthz census notfound
#     bin/       encdb
#     lib/       libencfield.so.0, libfcgi, libpq, json-c, libgcrypt... (ldd)
#     templates/ sql/ static/style.css static/errors/
#     conf/      gen htaccess.in route-wrapper.in
#     GLIBC      the glibc floor, e.g. "2.34"
BUNDLEDIR = $(PACKAGE)-$(VERSION)-bundle

# DT_RPATH rather than DT_RUNPATH (--disable-new-dtags): the loader also
# uses an executable's RPATH for the libraries' own dependencies (libpq's
# libssl, libgcrypt's libgpg-error), and $ORIGIN keeps the directory
# relocatable.
BUNDLE_LINK = $(CC) $(AM_CFLAGS) $(CFLAGS) $(AM_LDFLAGS) $(LDFLAGS) \
	-Wl,--disable-new-dtags -Wl,-rpath,'$$ORIGIN/../lib'
BUNDLE_LIBS = lib/.libs/libapp.a -Llib/.libs -lencfield $(PQ_LIBS) \
	$(JSONC_LIBS) $(FCGI_LIBS) $(GCRYPT_LIBS) $(SECCOMP_LIBS)

bundle: $(pkglibexec_PROGRAMS) $(bin_PROGRAMS) $(pkgconf_DATA)
	rm -rf '$(BUNDLEDIR)'
	$(MKDIR_P) '$(BUNDLEDIR)/cgi-bin' '$(BUNDLEDIR)/bin' \
	    '$(BUNDLEDIR)/lib'
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/user' $(cgi_bin_user_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/users' $(cgi_bin_users_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/users-new' $(cgi_bin_users_new_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/login' $(cgi_bin_login_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/logout' $(cgi_bin_logout_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/healthz' $(cgi_bin_healthz_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/notfound' $(cgi_bin_notfound_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/cgi-bin/census' $(cgi_bin_census_OBJECTS) $(BUNDLE_LIBS)
	$(BUNDLE_LINK) -o '$(BUNDLEDIR)/bin/encdb' $(encdb_encdb_OBJECTS) $(BUNDLE_LIBS)
	$(SHELL) $(srcdir)/tools/bundle '$(srcdir)' '$(BUNDLEDIR)' \
	    lib/.libs/libencfield.so.0

clean-local: clean-bundle
clean-bundle:
	rm -rf '$(BUNDLEDIR)'

dist_noinst_SCRIPTS += tools/bundle
.PHONY: bundle clean-bundle

# The bundle, moved out of the build tree, runs as CGI with only its own
# libraries and glibc (t/bundle.pg).
TESTS += t/bundle.pg
EXTRA_DIST += t/bundle.pg
AM_TESTS_ENVIRONMENT += MAKE='$(MAKE)'; export MAKE;
