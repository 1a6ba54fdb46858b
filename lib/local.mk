# lib/local.mk: the libraries.
#
# libencfield: the installable encrypted-field library (encfield.h, man
# encfield(3)); its ABI is lib/encfield.sym, its internals encfield_impl.h.
#
# libapp: the private convenience library shared by the routes (cgi-bin/)
# and encdb: logging; the data layer (cfg: settings, db: the primary and
# standby connections, migrate, users); the HTTP layer (buf, http, json,
# req, valid, resp, tmpl); authentication (auth, authcache), the route
# set-up and request loop (app), trusted proxies (proxy), the seccomp
# sandbox and wiping; the audit trail (audit, auditseal) and the census.
lib_LTLIBRARIES += lib/libencfield.la
include_HEADERS += lib/encfield.h
lib_libencfield_la_SOURCES = lib/encfield.c lib/encfield_impl.h lib/encfield_util.c lib/hex.h \
	lib/encfield_hkdf.c lib/encfield_keyring.c lib/encfield_v1.c \
	lib/encfield_legacy.c lib/encfield_pw.c \
	lib/encfield_envelope.c
lib_libencfield_la_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
lib_libencfield_la_LIBADD = $(GCRYPT_LIBS)
# The exported symbols are exactly those of lib/encfield.sym (the ABI;
# t/abi.sh checks the built library against it).
lib_libencfield_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-export-symbols $(srcdir)/lib/encfield.sym
EXTRA_DIST += lib/encfield.sym
dist_man_MANS += man/encfield.3

# make installcheck (and so make distcheck): a program built against the
# installed library through the installed encfield.pc, and run.
installcheck-local: installcheck-encfield
installcheck-encfield:
	rm -rf installcheck-encfield.d && mkdir installcheck-encfield.d
	PKG_CONFIG_PATH='$(libdir)/pkgconfig' $(PKG_CONFIG) \
	    --define-variable=prefix='$(prefix)' --cflags --libs \
	    encfield >installcheck-encfield.d/flags
	$(CC) $(CFLAGS) -o installcheck-encfield.d/run \
	    $(srcdir)/t/installcheck.c `cat installcheck-encfield.d/flags`
	LD_LIBRARY_PATH='$(libdir)' installcheck-encfield.d/run
	rm -rf installcheck-encfield.d
.PHONY: installcheck-encfield
EXTRA_DIST += t/installcheck.c

noinst_LTLIBRARIES += lib/libapp.la
lib_libapp_la_SOURCES = lib/extern.h lib/hex.h lib/log.c
lib_libapp_la_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) \
	$(FCGI_CFLAGS) $(GCRYPT_CFLAGS)
lib_libapp_la_LIBADD = lib/libencfield.la $(PQ_LIBS) $(JSONC_LIBS) \
	$(FCGI_LIBS) $(GCRYPT_LIBS)

lib_libapp_la_SOURCES += lib/cfg.c lib/db.c lib/migrate.c lib/users.c

lib_libapp_la_SOURCES += lib/buf.c lib/http.c lib/json.c lib/req.c lib/valid.c \
	lib/resp.c lib/tmpl.c

lib_libapp_la_SOURCES += lib/auth.c lib/authcache.c lib/app.c lib/proxy.c \
	lib/sandbox.c lib/wipe.c lib/audit.c lib/auditseal.c lib/census.c
lib_libapp_la_CFLAGS += $(SECCOMP_CFLAGS)
lib_libapp_la_LIBADD += $(SECCOMP_LIBS)
