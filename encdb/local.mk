# encdb/local.mk: encdb, the administration command (see man/encdb.1).
bin_PROGRAMS += encdb/encdb
encdb_encdb_SOURCES = encdb/encdb.c encdb/encdb.h encdb/cmds.c encdb/user.c
encdb_encdb_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(GCRYPT_CFLAGS) \
	$(JSONC_CFLAGS)
encdb_encdb_LDADD = lib/libapp.la lib/libencfield.la $(PQ_LIBS) \
	$(GCRYPT_LIBS) $(JSONC_LIBS)
dist_man_MANS += man/encdb.1

# The bash completion, installed as "encdb" where bash-completion loads it
# on first use (configure --with-bash-completion-dir). Automake distributes
# it in either case.
if BASH_COMPLETION
dist_bashcompletion_DATA = encdb/bash-completion/encdb
endif
encdb_encdb_SOURCES += encdb/ops.h encdb/opsutil.c encdb/sweep.h \
	encdb/sweep.c encdb/rotate.c encdb/upgrade.c encdb/reindex.c \
	encdb/census.c encdb/token.c encdb/audit.c encdb/roles.c \
	encdb/erasure.c
