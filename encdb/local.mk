# encdb/local.mk: encdb, the administration command (see man/encdb.1).
bin_PROGRAMS += encdb/encdb
encdb_encdb_SOURCES = encdb/encdb.c encdb/encdb.h encdb/cmds.c encdb/user.c
encdb_encdb_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(GCRYPT_CFLAGS)
encdb_encdb_LDADD = lib/libapp.la lib/libencfield.la $(PQ_LIBS) \
	$(GCRYPT_LIBS)
dist_man_MANS += man/encdb.1
