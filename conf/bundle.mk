# conf/bundle.mk: `make bundle`, one directory a host without a compiler
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
