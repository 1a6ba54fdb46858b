# t/data.mk: the data layer's tests (cfg, db, users, migrations, encdb),
# run against a throwaway PostgreSQL cluster through t/with-pg.
dist_noinst_SCRIPTS += t/with-pg tools/pgctl

DATA_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS) $(JSONC_CFLAGS)
DATA_TEST_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS) $(GCRYPT_LIBS) $(JSONC_LIBS)

# t/check_cfg: settings (no database needed).
check_PROGRAMS += t/check_cfg
TESTS += t/check_cfg
if HAVE_CHECK
t_check_cfg_SOURCES = t/check_cfg.c
else
t_check_cfg_SOURCES = t/nocheck.c
endif
t_check_cfg_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_cfg_LDADD = $(DATA_TEST_LDADD)

# The suites below need PostgreSQL: each runs inside its own throwaway
# cluster through a t/*.pg script (see t/with-pg).
check_PROGRAMS += t/check_db
TESTS += t/db.pg
dist_noinst_SCRIPTS += t/db.pg
if HAVE_CHECK
t_check_db_SOURCES = t/check_db.c t/pgtest.h
else
t_check_db_SOURCES = t/nocheck.c
endif
t_check_db_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_db_LDADD = $(DATA_TEST_LDADD)

check_PROGRAMS += t/check_migrate
TESTS += t/migrate.pg
dist_noinst_SCRIPTS += t/migrate.pg
if HAVE_CHECK
t_check_migrate_SOURCES = t/check_migrate.c t/pgtest.h
else
t_check_migrate_SOURCES = t/nocheck.c
endif
t_check_migrate_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_migrate_LDADD = $(DATA_TEST_LDADD)

check_PROGRAMS += t/check_users
TESTS += t/users.pg
dist_noinst_SCRIPTS += t/users.pg
if HAVE_CHECK
t_check_users_SOURCES = t/check_users.c t/pgtest.h
else
t_check_users_SOURCES = t/nocheck.c
endif
t_check_users_CFLAGS = $(DATA_TEST_CFLAGS)
t_check_users_LDADD = $(DATA_TEST_LDADD)

# t/encdb.pg: the encdb command (migrate, check, gen-key, create-user).
TESTS += t/encdb.pg
dist_noinst_SCRIPTS += t/encdb.pg

# t/at-rest.pg: no plaintext email or password in pg_dump or the cluster's
# files.
TESTS += t/at-rest.pg
dist_noinst_SCRIPTS += t/at-rest.pg

# The data suites under valgrind (memcheck, leaks; CK_FORK=no), each in its
# own throwaway cluster: make check-valgrind-data.
DATA_VALGRIND = valgrind --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect -q
check-valgrind-data: t/check_cfg t/check_db t/check_migrate t/check_users \
    encdb/encdb
	cd $(top_builddir) && top_srcdir='$(top_srcdir)' CK_FORK=no \
	CK_DEFAULT_TIMEOUT=0 $(LIBTOOL) --mode=execute $(DATA_VALGRIND) \
	t/check_cfg
	cd $(top_builddir) && for t in db migrate users; do \
	top_srcdir='$(top_srcdir)' top_builddir=. PG_BINDIR='$(PG_BINDIR)' \
	CK_FORK=no CK_DEFAULT_TIMEOUT=0 \
	CHECK_WRAP='$(LIBTOOL) --mode=execute $(DATA_VALGRIND)' \
	$(SHELL) $(top_srcdir)/t/with-pg $(top_srcdir)/t/$$t.pg || exit 1; \
	done
.PHONY: check-valgrind-data

# t/pgctl.sh: tools/pgctl itself (unix socket, TCP with a password,
# restart, long paths, root).
TESTS += t/pgctl.sh
dist_noinst_SCRIPTS += t/pgctl.sh
