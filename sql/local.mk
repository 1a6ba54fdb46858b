# sql/local.mk: the schema migrations, applied in the order of their
# numbers by encdb migrate and installed in $(pkgdatadir)/sql (the SQLDIR
# macro; the SQL_DIR setting overrides it).
sqldir = $(pkgdatadir)/sql
dist_sql_DATA = \
	sql/001_users.sql \
	sql/002_users_username_unique.sql \
	sql/003_users_email_bidx.sql \
	sql/004_sessions.sql \
	sql/005_api_tokens.sql \
	sql/006_login_attempts.sql \
	sql/100_audit_log.sql \
	sql/101_users_email_bidx_next.sql \
	sql/102_users_bidx_cross_unique.sql \
	sql/103_users_fillfactor.sql \
	sql/104_audit_append.sql \
	sql/105_auth_notify.sql \
	sql/200_login_throttle.sql \
	sql/201_api_tokens_expiry.sql \
	sql/202_users_username_ci.sql \
	sql/203_value_kind.sql \
	sql/204_user_keys_erasures.sql \
	sql/207_read_fence.sql \
	sql/208_users_data_key.sql
