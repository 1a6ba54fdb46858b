/*
 * check_migrate.c -- tests of lib/migrate.c with Check against the real
 * PostgreSQL of t/with-pg (run through t/migrate.pg). Each test gets a
 * fresh database: migrations on an empty database and on one that already
 * holds the boilerplate's table and rows, re-running as a no-op, a broken
 * migration that must leave nothing behind, two concurrent runs (the
 * advisory lock: one applies, the other finds nothing to do), bad SQL
 * directories, and the data keys of a database at version 207 moving from
 * user_keys into users.data_key.
 *
 * The SQL files are read from $top_srcdir/sql; scratch directories are made
 * under the build tree.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"

static struct cfg cfg;
static char sqldir[4096];
static char dbname[64];
static int ndb; /* databases made by this process */
static char scratch[4096];

/* The example row of the boilerplate's README, as it stores it. */
#define ADMIN_ID "c4cc1314-26ee-4fed-803c-ef47d415c758"
#define ADMIN_PW                                                               \
	"60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da744"     \
	"12e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449"
#define ADMIN_EMAIL                                                            \
	"\\x6a7339557661434f354b4861366e3857526a35783066724765464e2b6e6947"    \
	"64635762544e52445646446b3d"

/* A connection to database db of the test cluster. */
static PGconn *
pg(const char *db)
{
	char ci[128];

	/* PGHOST, PGPORT and PGUSER come from t/with-pg. */
	snprintf(ci, sizeof(ci), "dbname=%s", db);
	return pgtest_connect(ci);
}

/* One value of a query on our test database, as text (static). */
static const char *
pg_value(const char *sql)
{
	PGconn *c = pg(dbname);
	const char *v = pgtest_exec(c, sql, 0, NULL);

	PQfinish(c);
	return v;
}

/* How many migration files the source tree has. */
static int
count_files(const char *dir)
{
	char pat[4200];
	glob_t g;
	int n;

	snprintf(pat, sizeof(pat), "%s/[0-9]*_*.sql", dir);
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/* A fresh database and settings pointing at it. */
static void
setup(void)
{
	const char *top = getenv("top_srcdir"), *b = getenv("top_builddir");
	char err[512], sql[128];
	PGconn *c;

	ck_assert_msg(getenv("PGHOST") != NULL, "run through t/with-pg");
	snprintf(sqldir, sizeof(sqldir), "%s/sql", top != NULL ? top : ".");
	snprintf(dbname, sizeof(dbname), "m_%ld_%d", (long)getpid(), ++ndb);
	c = pg("postgres");
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	pgtest_exec(c, sql, 0, NULL);
	PQfinish(c);
	ck_assert_msg(cfg_load(&cfg, 0, err, sizeof(err)) == CFG_OK, "%s", err);
	free(cfg.conninfo);
	ck_assert_ptr_nonnull(cfg.conninfo = malloc(sizeof(dbname) + 8));
	snprintf(cfg.conninfo, sizeof(dbname) + 8, "dbname=%s", dbname);
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	snprintf(scratch, sizeof(scratch), "%s/t/migrate-tmp.XXXXXX",
	    b != NULL ? b : ".");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void
teardown(void)
{
	char cmd[4200];

	db_close();
	cfg_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", scratch);
}

START_TEST(test_empty_database)
{
	char err[512];
	int applied = -1, version = -1, dbv = -1, n = count_files(sqldir);
	int want = migrate_dir_version(sqldir, err, sizeof(err));

	ck_assert_int_gt(want, 0);
	ck_assert_int_eq(migrate_db_version(&dbv), DB_OK);
	ck_assert_int_eq(dbv, 0);
	ck_assert_int_eq(
	    migrate_apply(sqldir, &applied, &version, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(applied, n);
	ck_assert_int_eq(version, want);
	ck_assert_int_eq(migrate_db_version(&dbv), DB_OK);
	ck_assert_int_eq(dbv, want);
	ck_assert_str_eq(
	    pg_value("SELECT pg_catalog.to_regclass('public.users') IS NOT NULL"
	             " AND to_regclass('public.sessions') IS NOT NULL"
	             " AND to_regclass('public.api_tokens') IS NOT NULL"
	             " AND to_regclass('public.login_attempts') IS NOT NULL"),
	    "t");
	ck_assert_int_eq(atoi(pg_value("SELECT count(*) FROM "
	                               "schema_migrations")),
	    n);

	/* Again: nothing to do. */
	ck_assert_int_eq(
	    migrate_apply(sqldir, &applied, &version, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(applied, 0);
	ck_assert_int_eq(version, want);
	ck_assert_int_eq(atoi(pg_value("SELECT count(*) FROM "
	                               "schema_migrations")),
	    n);
}
END_TEST

/* A database the boilerplate made, with its row: adopted, row intact. */
START_TEST(test_boilerplate_database)
{
	static const char *const want[] = {"admin@example.com", "a@b.co",
	    "user.name+tag@sub.example.com", "jos\xc3\xa9@example.es"};
	struct user_list l;
	size_t i;
	char err[512];
	int applied = -1, version = -1;
	PGconn *c = pg(dbname);

	pgtest_exec(c,
	    "CREATE TABLE users (id UUID NOT NULL, "
	    "username VARCHAR NOT NULL, password VARCHAR NOT NULL, "
	    "user_type VARCHAR NOT NULL, email BYTEA NOT NULL, "
	    "created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
	    "updated_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (id))",
	    0, NULL);
	pgtest_exec(c,
	    "INSERT INTO users VALUES ('" ADMIN_ID "', 'admin', '" ADMIN_PW
	    "', 'admin', '" ADMIN_EMAIL "', "
	    "'2023-01-20 19:31:56.46987+00', NULL)",
	    0, NULL);
	/* Three more, from t/vectors/sqlalchemy-utils.json (AesEngine pkcs5,
	 * passphrase changeme2), as the boilerplate stores them. */
	pgtest_exec(c,
	    "INSERT INTO users VALUES "
	    "('5b0e8e52-3c1d-4c7e-9a0b-6a1f6f1d2e01', 'v1', '" ADMIN_PW
	    "', 'user', convert_to('V8gNqv6/C62OXfIOnxIBGg==', 'UTF8'), "
	    "now(), NULL), "
	    "('5b0e8e52-3c1d-4c7e-9a0b-6a1f6f1d2e02', 'v2', '" ADMIN_PW
	    "', 'user', convert_to('lNB4oj9BM1wbOdIx7oQpGMy85gJvmG/fwQoQ"
	    "gt4vGTs=', 'UTF8'), now(), now()), "
	    "('5b0e8e52-3c1d-4c7e-9a0b-6a1f6f1d2e03', 'v3', '" ADMIN_PW
	    "', 'user', convert_to('CYDZIYFjOmQ0Lvmxn8W7CpfEznQhmMGv0QJh"
	    "6jksnXo=', 'UTF8'), now(), NULL)",
	    0, NULL);
	PQfinish(c);
	ck_assert_msg(migrate_apply(sqldir, &applied, &version, err,
	                  sizeof(err)) == DB_OK,
	    "%s", err);
	ck_assert_int_eq(applied, count_files(sqldir));

	/* Read through the data layer: every email as the boilerplate had it.
	 */
	setenv("POSTGRES_SECRET_KEY", "changeme2", 1);
	db_close();
	cfg_free(&cfg);
	ck_assert_int_eq(cfg_load(&cfg, 0, err, sizeof(err)), CFG_OK);
	free(cfg.conninfo);
	ck_assert_ptr_nonnull(cfg.conninfo = malloc(sizeof(dbname) + 8));
	snprintf(cfg.conninfo, sizeof(dbname) + 8, "dbname=%s", dbname);
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	ck_assert_int_eq(users_list(&cfg, NULL, NULL, 10, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, 4);
	for (i = 0; i < l.n; i++) {
		ck_assert_int_eq(l.v[i].email_err, EF_OK);
		ck_assert_int_eq(l.v[i].email_legacy, 1);
		ck_assert_str_eq(l.v[i].email, want[i]);
	}
	ck_assert_str_eq(l.v[0].created_at, "2023-01-20T19:31:56.469870+00:00");
	ck_assert_str_eq(l.v[0].updated_at, "");
	ck_assert_str_ne(l.v[2].updated_at, "");
	users_list_free(&l);
	ck_assert_str_eq(
	    pg_value(
	        "SELECT id || '|' || username || '|' || "
	        "password || '|' || email::text || '|' || "
	        "(email_bidx IS NULL) || '|' || "
	        "(updated_at IS NULL) FROM users WHERE username = 'admin'"),
	    ADMIN_ID "|admin|" ADMIN_PW "|" ADMIN_EMAIL "|true|true");
}
END_TEST

/* Copy the real migrations into the scratch directory. */
static void
copy_sql(void)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp '%s'/*.sql '%s'/", sqldir, scratch);
	ck_assert_int_eq(system(cmd), 0);
}

static void
put(const char *name, const char *text)
{
	char path[4400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A failing file leaves nothing: not even the files before it. */
START_TEST(test_broken_migration)
{
	char err[512];
	int applied = -1, version = -1, dbv = -1;

	copy_sql();
	put("9990_broken.sql",
	    "CREATE TABLE public.should_vanish (x int);\n"
	    "SELECT no_such_function();\n");
	ck_assert_int_eq(
	    migrate_apply(scratch, &applied, &version, err, sizeof(err)),
	    DB_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "9990_broken.sql"));
	ck_assert_ptr_nonnull(strstr(err, "no_such_function"));
	ck_assert_int_eq(applied, 0);
	ck_assert_str_eq(pg_value("SELECT count(*) FROM pg_catalog.pg_class c "
	                          "JOIN pg_catalog.pg_namespace n "
	                          "ON n.oid = c.relnamespace "
	                          "WHERE n.nspname = 'public'"),
	    "0");
	ck_assert_int_eq(migrate_db_version(&dbv), DB_OK);
	ck_assert_int_eq(dbv, 0);

	/* On a migrated database: the version stays, nothing new appears. */
	ck_assert_int_eq(
	    migrate_apply(sqldir, &applied, &version, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(
	    migrate_apply(scratch, &applied, &dbv, err, sizeof(err)), DB_ERROR);
	ck_assert_int_eq(migrate_db_version(&dbv), DB_OK);
	ck_assert_int_eq(dbv, version);
	ck_assert_str_eq(
	    pg_value("SELECT to_regclass('public.should_vanish') IS NULL"),
	    "t");
	/* And the connection is usable afterwards. */
	ck_assert_int_eq(
	    migrate_apply(sqldir, &applied, &dbv, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(applied, 0);
}
END_TEST

/* Two runs at once: the advisory lock serialises them. */
START_TEST(test_concurrent_runs)
{
	int fds[2][2], applied[2], i, st, n = count_files(sqldir);
	pid_t pid[2];
	char err[512];

	db_close();
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			int a = -1;

			if (db_init(&cfg) != DB_OK ||
			    migrate_apply(sqldir, &a, NULL, err, sizeof(err)) !=
			        DB_OK)
				a = -1;
			if (write(fds[i][1], &a, sizeof(a)) != sizeof(a))
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(read(fds[i][0], &applied[i], sizeof(int)),
		    (ssize_t)sizeof(int));
		close(fds[i][0]);
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_msg((applied[0] == n && applied[1] == 0) ||
	        (applied[0] == 0 && applied[1] == n),
	    "applied %d and %d of %d", applied[0], applied[1], n);
}
END_TEST

/*
 * Version 207 kept data keys in public.user_keys: 208 moves each into its
 * user's row and drops the table. A rewrap of data_key (encdb rotate's
 * UPDATE) is then a HOT update: the column is in no index.
 */
START_TEST(test_data_keys_move)
{
	static const char *const ids[] = {
	    "6a000000-0000-4000-8000-000000000001",
	    "6a000000-0000-4000-8000-000000000002",
	    "6a000000-0000-4000-8000-000000000003"};
	char err[512], cmd[4400], sql[512];
	int applied = -1, version = -1, i;
	PGconn *c;

	/* The migrations up to 207. */
	copy_sql();
	snprintf(cmd, sizeof(cmd),
	    "for f in '%s'/[0-9]*_*.sql; do n=${f##*/}; "
	    "[ \"${n%%%%_*}\" -le 207 ] || rm -f \"$f\" || exit 1; done",
	    scratch);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(migrate_apply(scratch, &applied, &version, err,
	                  sizeof(err)) == DB_OK,
	    "%s", err);
	ck_assert_int_eq(version, 207);
	c = pg(dbname);
	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql),
		    "INSERT INTO public.users (id, username, password, "
		    "user_type, email, created_at) VALUES ('%s', 'dk%d', "
		    "'x', 'user', '\\xef02', now())",
		    ids[i], i);
		pgtest_exec(c, sql, 0, NULL);
	}
	pgtest_exec(c,
	    "INSERT INTO public.user_keys (user_id, wrapped) VALUES "
	    "('6a000000-0000-4000-8000-000000000001', '\\xef01000101'), "
	    "('6a000000-0000-4000-8000-000000000002', '\\xef01000102')",
	    0, NULL);

	ck_assert_msg(migrate_apply(sqldir, &applied, &version, err,
	                  sizeof(err)) == DB_OK,
	    "%s", err);
	ck_assert_int_eq(applied, count_files(sqldir) - count_files(scratch));
	ck_assert_int_ge(version, 208);
	ck_assert_str_eq(pgtest_exec(c,
	                     "SELECT string_agg(username || ' ' || "
	                     "coalesce(data_key::text, 'none'), ', ' "
	                     "ORDER BY username) FROM public.users",
	                     0, NULL),
	    "dk0 \\xef01000101, dk1 \\xef01000102, dk2 none");
	ck_assert_str_eq(
	    pgtest_exec(
	        c, "SELECT to_regclass('public.user_keys') IS NULL", 0, NULL),
	    "t");

	/* No index names data_key, by column, expression or predicate. */
	ck_assert_str_eq(
	    pgtest_exec(c,
	        "SELECT count(*) FROM pg_catalog.pg_index AS i "
	        "JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid "
	        "AND a.attname = 'data_key' "
	        "WHERE i.indrelid = 'public.users'::regclass "
	        "AND (a.attnum = ANY (i.indkey::int2[]) "
	        "OR coalesce(pg_get_expr(i.indexprs, i.indrelid), '') "
	        "LIKE '%data_key%' "
	        "OR coalesce(pg_get_expr(i.indpred, i.indrelid), '') "
	        "LIKE '%data_key%')",
	        0, NULL),
	    "0");
	/* The rewrap, in one transaction with the count of its HOT updates. */
	ck_assert_str_eq(
	    pgtest_exec(c,
	        "UPDATE public.users AS u SET data_key = v.new "
	        "FROM (VALUES ('6a000000-0000-4000-8000-000000000001'::uuid, "
	        "'\\xef01000201'::bytea)) AS v(id, new) WHERE u.id = v.id; "
	        "SELECT pg_stat_get_xact_tuples_hot_updated("
	        "'public.users'::regclass)",
	        0, NULL),
	    "1");

	/* A deletion is still recorded for the erasure ledger. */
	pgtest_exec(
	    c, "DELETE FROM public.users WHERE username = 'dk1'", 0, NULL);
	ck_assert_str_eq(pgtest_exec(c,
	                     "SELECT count(*) FROM public.erasures WHERE "
	                     "user_id = '6a000000-0000-4000-8000-000000000002'",
	                     0, NULL),
	    "1");
	PQfinish(c);

	/* Again: nothing to do. */
	ck_assert_int_eq(
	    migrate_apply(sqldir, &applied, &version, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(applied, 0);
}
END_TEST

START_TEST(test_bad_directories)
{
	char err[512], missing[4200];
	int applied = -1;

	snprintf(missing, sizeof(missing), "%s/nope", scratch);
	ck_assert_int_eq(
	    migrate_apply(missing, &applied, NULL, err, sizeof(err)), DB_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "cannot read the SQL directory"));
	ck_assert_int_eq(migrate_dir_version(missing, err, sizeof(err)), -1);

	/* Files not named NNN_name.sql are ignored. */
	put("README", "not sql");
	put("12x_no.sql", "SELECT 1/0;");
	put("007_ok.sql", "CREATE TABLE public.t_ok (x int);");
	ck_assert_int_eq(migrate_dir_version(scratch, err, sizeof(err)), 7);
	put("7_dup.sql", "SELECT 1;");
	ck_assert_int_eq(migrate_dir_version(scratch, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "same version"));
	ck_assert_int_eq(
	    migrate_apply(scratch, &applied, NULL, err, sizeof(err)), DB_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "same version"));
	ck_assert_str_eq(
	    pg_value("SELECT to_regclass('public.t_ok') IS NULL"), "t");
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("migrate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_empty_database);
	tcase_add_test(tc, test_boilerplate_database);
	tcase_add_test(tc, test_broken_migration);
	tcase_add_test(tc, test_concurrent_runs);
	tcase_add_test(tc, test_bad_directories);
	tcase_add_test(tc, test_data_keys_move);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(migrate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
