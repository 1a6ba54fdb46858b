# lib/app.mk: libapp, the private convenience library shared by the routes
# (cgi-bin/) and encdb. Other fragments add their sources with +=.
noinst_LTLIBRARIES += lib/libapp.la
lib_libapp_la_SOURCES = lib/extern.h lib/log.c
lib_libapp_la_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) \
	$(FCGI_CFLAGS) $(GCRYPT_CFLAGS)
lib_libapp_la_LIBADD = lib/libencfield.la $(PQ_LIBS) $(JSONC_LIBS) \
	$(FCGI_LIBS) $(GCRYPT_LIBS)
