/*
 * check_cfg.c -- tests of lib/cfg.c with Check: every setting source
 * (environment, a file in SECRETS_PATH, CONFIG_FILE) and their order, the
 * defaults, the POSTGRES_* connection settings, and a table of invalid
 * values whose error must name the setting and never quote the value.
 *
 * Files are written under the build tree (t/cfg-tmp.XXXXXX), so that
 * `make distcheck` works; each test runs in its own process (Check's fork
 * mode), so the environment it changes does not leak into the next.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "encfield.h"
#include "extern.h"

/* Two fixed 32-byte keys, base64, and a 16-byte one (too short). */
#define KEY1  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY2  "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY3  "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
#define SHORT "AAECAwQFBgcICQoLDA0ODw=="

/* Every setting cfg_load reads, cleared before each test. */
static const char *const settings[] = {
    "DATABASE_URL",
    "DATABASE_READ_URL",
    "READ_MAX_LAG",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_DB",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "FIELD_KEYS",
    "INDEX_KEY",
    "SANDBOX",
    "TRUSTED_PROXIES",
    "POSTGRES_SECRET_KEY",
    "SECRET_KEY",
    "LEGACY_ENGINE",
    "BODY_MAX",
    "DB_PREPARED_STATEMENTS",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT",
    "SESSION_IDLE",
    "SESSION_MAX",
    "IDLE_TRIM",
    "CORS_ORIGINS",
    "TEMPLATE_DIR",
    "SQL_DIR",
    "TIME_ZONE",
    "BASE_PATH",
    "SECRETS_PATH",
    "CONFIG_FILE",
};

static char tmpdir[4096];

/* Write text into tmpdir/name. */
static void
put_file(const char *name, const char *text)
{
	char path[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A fresh, empty secrets directory and a clean environment. */
static void
setup(void)
{
	const char *b = getenv("top_builddir");
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		unsetenv(settings[i]);
	snprintf(
	    tmpdir, sizeof(tmpdir), "%s/t/cfg-tmp.XXXXXX", b != NULL ? b : ".");
	ck_assert_msg(
	    mkdtemp(tmpdir) != NULL, "mkdtemp %s: %s", tmpdir, strerror(errno));
	setenv("SECRETS_PATH", tmpdir, 1);
}

static void
teardown(void)
{
	char cmd[8300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

START_TEST(test_defaults)
{
	struct cfg c;
	char err[512];

	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_null(c.conninfo);
	ck_assert_ptr_null(c.read_conninfo);
	ck_assert_uint_eq(c.read_max_lag, 5);
	ck_assert_ptr_null(c.keys);
	ck_assert_ptr_null(c.index_key);
	ck_assert_ptr_null(c.legacy);
	ck_assert_ptr_null(c.legacy_salt);
	ck_assert_uint_eq(c.body_max, 65536);
	ck_assert_int_eq(c.db_unnamed, 0);
	ck_assert_uint_eq(c.connect_timeout, 3);
	ck_assert_uint_eq(c.statement_timeout, 5000);
	ck_assert_uint_eq(c.session_idle, 1800);
	ck_assert_uint_eq(c.session_max, 43200);
	ck_assert_uint_eq(c.idle_trim, 1000);
	ck_assert_ptr_null(c.cors_origins);
	ck_assert_str_eq(c.template_dir, TEMPLATEDIR);
	ck_assert_str_eq(c.sql_dir, SQLDIR);
	ck_assert_str_eq(c.time_zone, "UTC");
	cfg_free(&c);
	ck_assert_ptr_null(c.time_zone);
}
END_TEST

START_TEST(test_required)
{
	struct cfg c;
	char err[512];

	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), CFG_ERR_MISSING);
	ck_assert_ptr_nonnull(strstr(err, "DATABASE_URL"));
	cfg_free(&c);
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_KEYS, err, sizeof(err)), CFG_ERR_MISSING);
	ck_assert_ptr_nonnull(strstr(err, "FIELD_KEYS"));
	cfg_free(&c);
	setenv("FIELD_KEYS", "1:" KEY1, 1);
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_KEYS, err, sizeof(err)), CFG_ERR_MISSING);
	ck_assert_ptr_nonnull(strstr(err, "INDEX_KEY"));
	cfg_free(&c);
}
END_TEST

START_TEST(test_all_errors)
{
	struct cfg c;
	char err[1024];

	setenv("FIELD_KEYS", "1:" SHORT, 1);
	setenv("BODY_MAX", "lots", 1);
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_DB | CFG_NEED_KEYS | CFG_ALL_ERRS, err,
	        sizeof(err)),
	    CFG_ERR_MISSING);
	/* One line per problem, in the order they are met. */
	ck_assert_ptr_nonnull(strstr(err, "DATABASE_URL: not set"));
	ck_assert_ptr_nonnull(strstr(err, "\nFIELD_KEYS: entry 1: "));
	ck_assert_ptr_nonnull(strstr(err, "\nINDEX_KEY: not set"));
	ck_assert_ptr_nonnull(strstr(err, "\nBODY_MAX: not a decimal"));
	cfg_free(&c);
	/* Without CFG_ALL_ERRS only the first. */
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_DB | CFG_NEED_KEYS, err, sizeof(err)),
	    CFG_ERR_MISSING);
	ck_assert_ptr_null(strchr(err, '\n'));
	cfg_free(&c);
}
END_TEST

START_TEST(test_keys_from_env)
{
	struct cfg c;
	char err[512];

	setenv("FIELD_KEYS", "7:" KEY1 ", 3:" KEY2, 1);
	setenv("INDEX_KEY", KEY3, 1);
	setenv("POSTGRES_SECRET_KEY", "changeme2", 1);
	setenv("SECRET_KEY", "changeme1", 1);
	ck_assert_int_eq(cfg_load(&c, CFG_NEED_KEYS, err, sizeof(err)), CFG_OK);
	ck_assert_ptr_nonnull(c.keys);
	ck_assert_uint_eq(ef_keyring_count(c.keys), 2);
	ck_assert_uint_eq(ef_keyring_active(c.keys), 7);
	ck_assert_ptr_nonnull(c.index_key);
	ck_assert_ptr_nonnull(c.legacy);
	ck_assert_str_eq(c.legacy_salt, "changeme1");
	ck_assert_uint_eq(c.legacy_saltlen, 9);
	cfg_free(&c);
}
END_TEST

/*
 * Load the settings with stderr going to tmpdir/log, and return how many
 * lines of it name setting name as cut by mod_fcgid.
 */
static int
cut_warnings(const char *name)
{
	char path[8192], line[1024], err[512];
	struct cfg c;
	FILE *f;
	int fd, saved, n = 0;

	snprintf(path, sizeof(path), "%s/log", tmpdir);
	fflush(stderr);
	ck_assert_int_ge(saved = dup(2), 0);
	ck_assert_int_ge(
	    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
	(void)cfg_load(&c, 0, err, sizeof(err));
	cfg_free(&c);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, name) != NULL &&
		    strstr(line, "mod_fcgid cuts") != NULL)
			n++;
	fclose(f);
	return n;
}

/* A value of exactly 127 bytes in the environment: probably cut by
 * mod_fcgid, and said so (naming the setting, not its value); 126 or
 * 128 bytes, or 127 in a file, are not. */
START_TEST(test_fcgid_cut)
{
	static const char head[] =
	    "postgresql://app@db.example/app?application_name=";
	char v[200];

	memset(v, 'x', sizeof(v));
	memcpy(v, head, sizeof(head) - 1);
	v[127] = '\0';
	setenv("DATABASE_URL", v, 1);
	ck_assert_int_eq(cut_warnings("DATABASE_URL is 127 bytes"), 1);
	v[126] = '\0';
	setenv("DATABASE_URL", v, 1);
	ck_assert_int_eq(cut_warnings("DATABASE_URL"), 0);
	v[126] = 'x';
	v[127] = 'x';
	v[128] = '\0';
	setenv("DATABASE_URL", v, 1);
	ck_assert_int_eq(cut_warnings("DATABASE_URL"), 0);
	unsetenv("DATABASE_URL");
	v[127] = '\0';
	put_file("DATABASE_URL", v);
	ck_assert_int_eq(cut_warnings("DATABASE_URL"), 0);
}
END_TEST

/* The index key must not be one of the field keys. */
START_TEST(test_index_key_reused)
{
	struct cfg c;
	char err[512];

	setenv("FIELD_KEYS", "7:" KEY1 ",3:" KEY2, 1);
	setenv("INDEX_KEY", KEY2, 1);
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_KEYS, err, sizeof(err)), CFG_ERR_INVALID);
	ck_assert_ptr_nonnull(
	    strstr(err, "INDEX_KEY: the same key as a FIELD_KEYS entry"));
	ck_assert_ptr_null(strstr(err, KEY2));
	cfg_free(&c);
	setenv("INDEX_KEY", KEY3, 1);
	ck_assert_int_eq(cfg_load(&c, CFG_NEED_KEYS, err, sizeof(err)), CFG_OK);
	cfg_free(&c);
}
END_TEST

/* A secrets file: trailing newline stripped; the environment wins. */
START_TEST(test_secrets_dir)
{
	struct cfg c;
	char err[512];

	put_file("SECRET_KEY", "from-file\n");
	put_file("FIELD_KEYS", "2:" KEY1 "\r\n");
	put_file("INDEX_KEY", KEY2);
	put_file("TIME_ZONE", "Europe/Paris\n");
	put_file("DATABASE_URL", "postgresql:///encdb?host=/nowhere\n");
	ck_assert_int_eq(
	    cfg_load(&c, CFG_NEED_KEYS | CFG_NEED_DB, err, sizeof(err)),
	    CFG_OK);
	ck_assert_str_eq(c.legacy_salt, "from-file");
	ck_assert_uint_eq(ef_keyring_active(c.keys), 2);
	ck_assert_str_eq(c.time_zone, "Europe/Paris");
	ck_assert_str_eq(c.conninfo, "postgresql:///encdb?host=/nowhere");
	cfg_free(&c);

	setenv("SECRET_KEY", "from-env", 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(c.legacy_salt, "from-env");
	cfg_free(&c);
}
END_TEST

/* The config file comes last: secrets files and the environment win. */
START_TEST(test_config_file)
{
	struct cfg c;
	char err[512], path[8192];

	put_file("app.conf",
	    "# settings\n"
	    "\n"
	    "BODY_MAX = 2048\n"
	    "TIME_ZONE=\"America/New_York\"\n"
	    "SECRET_KEY='from-config'\n"
	    "CORS_ORIGINS=https://a.example\n"
	    "DB_PREPARED_STATEMENTS=off\n"
	    "SQL_DIR=/srv/sql\n");
	put_file("SQL_DIR", "/from/secrets\n");
	snprintf(path, sizeof(path), "%s/app.conf", tmpdir);
	setenv("CONFIG_FILE", path, 1);
	setenv("TIME_ZONE", "Asia/Tokyo", 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_OK);
	ck_assert_uint_eq(c.body_max, 2048);
	ck_assert_str_eq(c.time_zone, "Asia/Tokyo");
	ck_assert_str_eq(c.legacy_salt, "from-config");
	ck_assert_str_eq(c.cors_origins, "https://a.example");
	ck_assert_int_eq(c.db_unnamed, 1);
	ck_assert_str_eq(c.sql_dir, "/from/secrets");
	cfg_free(&c);
}
END_TEST

/* BASE_PATH: stored without its trailing "/", "" for the root. */
static const struct {
	const char *value; /* NULL: unset */
	const char *want;
} base_cases[] = {
    {NULL, ""},
    {"/", ""},
    {"/tools", "/tools"},
    {"/tools/app", "/tools/app"},
    {"/~bob/a-b_c.d", "/~bob/a-b_c.d"},
};

START_TEST(test_base_path)
{
	struct cfg c;
	char err[512];

	if (base_cases[_i].value != NULL)
		setenv("BASE_PATH", base_cases[_i].value, 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(c.base_path, base_cases[_i].want);
	cfg_free(&c);
}
END_TEST

/* cfg_get: any other setting through the same sources. */
START_TEST(test_get)
{
	struct cfg c;
	char err[512], path[8192], *v = NULL;

	put_file("app.conf", "COOKIE_NAME=fromconf\nOTHER=x\n");
	put_file("OTHER", "fromsecret\n");
	snprintf(path, sizeof(path), "%s/app.conf", tmpdir);
	setenv("CONFIG_FILE", path, 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_OK);
	ck_assert_int_eq(cfg_get(&c, "COOKIE_NAME", &v), CFG_OK);
	ck_assert_str_eq(v, "fromconf");
	free(v);
	ck_assert_int_eq(cfg_get(&c, "OTHER", &v), CFG_OK);
	ck_assert_str_eq(v, "fromsecret");
	free(v);
	ck_assert_int_eq(cfg_get(&c, "UNSET_THING", &v), CFG_OK);
	ck_assert_ptr_null(v);
	/* A name that could escape the secrets directory is refused. */
	ck_assert_int_eq(cfg_get(&c, "../etc/passwd", &v), CFG_ERR_INVALID);
	ck_assert_ptr_null(v);
	cfg_free(&c);
}
END_TEST

/* POSTGRES_*: the boilerplate's settings, quoted for libpq. */
START_TEST(test_postgres_parts)
{
	struct cfg c;
	char err[512];

	setenv("POSTGRES_HOST", "db.internal", 1);
	setenv("POSTGRES_PORT", "5433", 1);
	setenv("POSTGRES_DB", "app", 1);
	setenv("POSTGRES_USER", "flask", 1);
	put_file("POSTGRES_PASSWORD", "it's a \\secret\n");
	ck_assert_int_eq(cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(c.conninfo,
	    "host='db.internal' port='5433' dbname='app' user='flask' "
	    "password='it\\'s a \\\\secret'");
	cfg_free(&c);

	/* DATABASE_URL wins over the parts. */
	setenv("DATABASE_URL", "postgresql://u@h/d", 1);
	ck_assert_int_eq(cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(c.conninfo, "postgresql://u@h/d");
	ck_assert_ptr_null(c.read_conninfo);
	cfg_free(&c);
	/* The standby's, and how far behind it may be. */
	setenv("DATABASE_READ_URL",
	    "postgresql://u@h2,h3/d?"
	    "target_session_attrs=prefer-standby",
	    1);
	setenv("READ_MAX_LAG", "3", 1);
	ck_assert_int_eq(cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), CFG_OK);
	ck_assert_str_eq(c.read_conninfo,
	    "postgresql://u@h2,h3/d?"
	    "target_session_attrs=prefer-standby");
	ck_assert_uint_eq(c.read_max_lag, 3);
	cfg_free(&c);
}
END_TEST

/* Invalid values: the error names the setting, never quotes the value. */
static const struct bad_case {
	const char *name;
	const char *value;
	enum cfg_err code;
	const char *want; /* a substring of the message */
} bad_cases[] = {
    {"FIELD_KEYS", "1:" SHORT, CFG_ERR_INVALID, "FIELD_KEYS: entry 1"},
    {"FIELD_KEYS", "1:" KEY1 ",x" KEY2, CFG_ERR_INVALID, "FIELD_KEYS: entry 2"},
    {"FIELD_KEYS", "1:" KEY1 ",1:" KEY2, CFG_ERR_INVALID, "FIELD_KEYS"},
    {"FIELD_KEYS", "1:" KEY1 ",2:" KEY2 ",3:" KEY1, CFG_ERR_INVALID,
        "FIELD_KEYS: entry 3: the same key under two key ids"},
    {"FIELD_KEYS", "99999:" KEY1, CFG_ERR_INVALID, "FIELD_KEYS"},
    {"FIELD_KEYS", "1:not!base64secretsecretsecretsecretsecret=",
        CFG_ERR_INVALID, "FIELD_KEYS"},
    {"INDEX_KEY", SHORT, CFG_ERR_INVALID, "INDEX_KEY: "},
    {"INDEX_KEY", "1:" KEY1, CFG_ERR_INVALID, "INDEX_KEY: "},
    {"LEGACY_ENGINE", "rot13secret", CFG_ERR_INVALID, "LEGACY_ENGINE: "},
    {"BODY_MAX", "12secret", CFG_ERR_INVALID, "BODY_MAX: not a decimal"},
    {"BODY_MAX", "-5", CFG_ERR_INVALID, "BODY_MAX: not a decimal"},
    {"BODY_MAX", "99999999999999999999999", CFG_ERR_INVALID,
        "BODY_MAX: must be between"},
    {"DB_CONNECT_TIMEOUT", "0", CFG_ERR_INVALID,
        "DB_CONNECT_TIMEOUT: must be between 1 and 60"},
    {"DB_STATEMENT_TIMEOUT", "5", CFG_ERR_INVALID,
        "DB_STATEMENT_TIMEOUT: must be between"},
    {"SESSION_IDLE", "1e3", CFG_ERR_INVALID, "SESSION_IDLE: "},
    {"SESSION_MAX", "", CFG_OK, ""}, /* empty means unset */
    {"IDLE_TRIM", "600001", CFG_ERR_INVALID,
        "IDLE_TRIM: must be between 0 and 600000"},
    {"IDLE_TRIM", "0", CFG_OK, ""},
    {"DB_PREPARED_STATEMENTS", "sometimes", CFG_ERR_INVALID,
        "DB_PREPARED_STATEMENTS: expected on or off"},
    {"SANDBOX", "later", CFG_ERR_INVALID, "SANDBOX: expected on or off"},
    {"TRUSTED_PROXIES", "10.0.0.0/33", CFG_ERR_INVALID, "TRUSTED_PROXIES: "},
    {"TRUSTED_PROXIES", "proxy.example", CFG_ERR_INVALID, "TRUSTED_PROXIES: "},
    {"TIME_ZONE", "UTC'; DROP TABLE users", CFG_ERR_INVALID, "TIME_ZONE: "},
    {"BASE_PATH", "apps/x", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/apps/x/", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/tools//app", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/tools/../etc", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/./app", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/my app", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/a%2fb", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/a\"><b>", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/a?b", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/a;b", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "/a(b)", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"BASE_PATH", "//evil.example", CFG_ERR_INVALID, "BASE_PATH: expected"},
    {"DATABASE_URL", "postgresql://u:secretpw@h/d?nosuchopt=1", CFG_ERR_INVALID,
        "DATABASE_URL: not a valid"},
    {"DATABASE_URL", "host=h password='secretpw", CFG_ERR_INVALID,
        "DATABASE_URL: not a valid"},
    {"DATABASE_READ_URL", "postgresql://u:secretpw@h/d?nosuchopt=1",
        CFG_ERR_INVALID, "DATABASE_READ_URL: not a valid"},
    {"READ_MAX_LAG", "0", CFG_ERR_INVALID,
        "READ_MAX_LAG: must be between 1 and 3600"},
    {"READ_MAX_LAG", "2s", CFG_ERR_INVALID, "READ_MAX_LAG: not a decimal"},
};

START_TEST(test_bad_values)
{
	const struct bad_case *b = &bad_cases[_i];
	struct cfg c;
	char err[512];

	setenv(b->name, b->value, 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), b->code);
	ck_assert_msg(
	    strstr(err, b->want) != NULL, "%s: got \"%s\"", b->name, err);
	if (strlen(b->value) > 3)
		ck_assert_msg(strstr(err, b->value) == NULL,
		    "%s: the message quotes the value", b->name);
	ck_assert_ptr_null(strstr(err, "secret"));
	cfg_free(&c);
}
END_TEST

/* The same errors when the value comes from a secrets file. */
START_TEST(test_bad_values_in_files)
{
	const struct bad_case *b = &bad_cases[_i];
	struct cfg c;
	char err[512];

	if (*b->value == '\0')
		return;
	put_file(b->name, b->value);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), b->code);
	ck_assert_msg(
	    strstr(err, b->want) != NULL, "%s: got \"%s\"", b->name, err);
	ck_assert_ptr_null(strstr(err, "secret"));
	cfg_free(&c);
}
END_TEST

START_TEST(test_file_errors)
{
	struct cfg c;
	char err[512], path[8192];

	/* A secrets "file" that cannot be read. */
	snprintf(path, sizeof(path), "%s/INDEX_KEY", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "INDEX_KEY: cannot read"));
	cfg_free(&c);
	ck_assert_int_eq(rmdir(path), 0);

	/* A config file that does not exist, or with a bad line. */
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	setenv("CONFIG_FILE", path, 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "CONFIG_FILE: "));
	cfg_free(&c);
	put_file("bad.conf", "A=1\nthis line is secret\n");
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	setenv("CONFIG_FILE", path, 1);
	ck_assert_int_eq(cfg_load(&c, 0, err, sizeof(err)), CFG_ERR_INVALID);
	ck_assert_str_eq(err, "CONFIG_FILE: line 2: expected KEY=VALUE");
	cfg_free(&c);
}
END_TEST

/* cfg_strerror covers every code. */
START_TEST(test_strerror)
{
	int i;

	for (i = 0; i < CFG_ERR__MAX; i++)
		ck_assert_ptr_nonnull(cfg_strerror((enum cfg_err)i));
	ck_assert_str_eq(cfg_strerror(CFG_ERR__MAX), "unknown settings error");
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_required);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_keys_from_env);
	tcase_add_test(tc, test_index_key_reused);
	tcase_add_test(tc, test_secrets_dir);
	tcase_add_test(tc, test_config_file);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_postgres_parts);
	tcase_add_loop_test(tc, test_bad_values, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_loop_test(tc, test_bad_values_in_files, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_loop_test(
	    tc, test_base_path, 0, sizeof(base_cases) / sizeof(base_cases[0]));
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_fcgid_cut);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cfg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
