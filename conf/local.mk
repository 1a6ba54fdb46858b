# conf/local.mk: web-server configs generated from templates, and the
# installation of the data files the routes and encdb read at run time
# (templates, the stylesheet, SQL migrations). Owned by deploy.
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
# dist_sql_DATA of lib/data.mk and encdb/ops.mk.)
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
