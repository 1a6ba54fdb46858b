# t/ops.mk: the tests of the operator's side (owner: ops): encdb rotate,
# upgrade, reindex, verify/status, token and audit against throwaway
# PostgreSQL clusters (t/with-pg), and lib/audit.c's Check suite.
#
# t/ops-load is the concurrent client the .pg tests run next to encdb: it
# plays the app through lib/users.c. bench/seed-rows seeds their rows.
check_PROGRAMS += t/ops-load t/check_audit
t_ops_load_SOURCES = t/ops-load.c
t_ops_load_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(GCRYPT_CFLAGS)
t_ops_load_LDADD = lib/libapp.la lib/libencfield.la $(PQ_LIBS) \
	$(GCRYPT_LIBS)

if HAVE_CHECK
t_check_audit_SOURCES = t/check_audit.c t/testkeys.h t/pgtest.h
else
t_check_audit_SOURCES = t/nocheck.c
endif
t_check_audit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PQ_CFLAGS) \
	$(GCRYPT_CFLAGS)
t_check_audit_LDADD = lib/libapp.la lib/libencfield.la $(CHECK_LIBS) \
	$(PQ_LIBS) $(GCRYPT_LIBS)

# t/encdb-help.sh: every command's --help and --version, and the manual's
# SYNOPSIS against `encdb help` (no database). t/ops-user.pg: encdb user
# list | passwd | set-type | delete against a real PostgreSQL.
# t/readme-examples.py runs the README's curl examples for t/e2e-run-app.sh.
TESTS += t/encdb-help.sh t/ops-user.pg
dist_noinst_SCRIPTS += t/encdb-help.sh t/ops-user.pg t/readme-examples.py

# t/check_audit runs twice: alone (the chain without a database) and from
# t/ops-audit.pg (with its database cases).
OPS_TESTS = t/check_audit t/ops-audit.pg t/ops-rotate.pg t/ops-upgrade.pg \
	t/ops-reindex.pg t/ops-verify.pg t/ops-token.pg t/ops-census.pg \
	t/ops-audit-routes.pg t/ops-legacy-lookup.pg t/ops-usernames.pg
TESTS += $(OPS_TESTS)
dist_noinst_SCRIPTS += t/audit-vectors.py t/ops-audit.pg t/ops-rotate.pg t/ops-upgrade.pg \
	t/ops-reindex.pg t/ops-verify.pg t/ops-token.pg t/ops-census.pg \
	t/ops-audit-routes.pg t/ops-legacy-lookup.pg t/ops-usernames.pg \
	t/ops-lib.sh
