# lib/data.mk: the data layer of libapp -- settings (cfg), the PostgreSQL
# connection (db), schema migrations (migrate) and the users table (users)
# -- and the SQL migrations it applies, installed in $(pkgdatadir)/sql
# (the SQLDIR macro; the SQL_DIR setting overrides it).
lib_libapp_la_SOURCES += lib/cfg.c lib/db.c lib/migrate.c lib/users.c

sqldir = $(pkgdatadir)/sql
dist_sql_DATA = \
	sql/001_users.sql \
	sql/002_users_username_unique.sql \
	sql/003_users_email_bidx.sql \
	sql/004_sessions.sql \
	sql/005_api_tokens.sql \
	sql/006_login_attempts.sql \
	sql/203_value_kind.sql \
	sql/204_user_keys_erasures.sql
# (sql/1NN_*.sql belong to the ops fragment, encdb/ops.mk, which adds them.)
