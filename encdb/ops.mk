# encdb/ops.mk: the operator's side of encdb (owner: ops) -- key rotation,
# boilerplate upgrade, blind-index reindex, verify/status census, API
# tokens and the audit trail -- plus the libapp modules behind them
# (lib/audit.c: the hash-chained audit trail the routes record into;
# lib/census.c: the census behind `encdb status` and /admin/census) and
# their migrations.
lib_libapp_la_SOURCES += lib/audit.c lib/auditseal.c lib/census.c

dist_sql_DATA += \
	sql/100_audit_log.sql \
	sql/101_users_email_bidx_next.sql \
	sql/102_users_bidx_cross_unique.sql \
	sql/103_users_fillfactor.sql \
	sql/104_audit_append.sql \
	sql/105_auth_notify.sql

encdb_encdb_SOURCES += encdb/ops.h encdb/opsutil.c encdb/sweep.h \
	encdb/sweep.c encdb/rotate.c encdb/upgrade.c encdb/reindex.c \
	encdb/census.c encdb/token.c encdb/audit.c encdb/roles.c \
	encdb/erasure.c

# The census page /admin/census (executable `census`, admin only).
pkglibexec_PROGRAMS += cgi-bin/census
cgi_bin_census_SOURCES = cgi-bin/census.c
cgi_bin_census_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) \
	$(FCGI_CFLAGS)
cgi_bin_census_LDADD = lib/libapp.la

