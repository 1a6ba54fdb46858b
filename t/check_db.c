/*
 * check_db.c -- tests of lib/db.c with Check, against the real PostgreSQL
 * cluster that t/with-pg starts (run through t/db.pg): session settings on
 * connect, named and unnamed statements, error classes (unique violation,
 * statement timeout, other errors), transactions, reconnecting after the
 * backend is killed, a lost connection inside a transaction, an
 * unreachable server, and a stuck server (SIGSTOP'd backend) answered by
 * the client-side deadline instead of a hang.
 *
 * Each test runs in its own process (Check's fork mode) with its own
 * connection; a second, plain libpq connection plays the administrator.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"

static struct cfg cfg;

/* Load the settings (DATABASE_URL from t/with-pg) and open db. */
static void
setup(void)
{
	pgtest_open(&cfg, CFG_NEED_DB);
}

static void
teardown(void)
{
	pgtest_close(&cfg);
	/* Settings a test changed (matters without Check's fork mode). */
	unsetenv("TIME_ZONE");
	unsetenv("DB_STATEMENT_TIMEOUT");
}

/* Run a one-value statement through db and return its text (static). */
static const char *
value_of(const struct db_stmt *st, const char *const *params)
{
	static char buf[256];
	PGresult *r = NULL;

	ck_assert_int_eq(db_exec(st, params, NULL, NULL, &r), DB_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return buf;
}

static const struct db_stmt st_pid = {
    "t_pid",
    "SELECT pg_catalog.pg_backend_pid()",
    0,
};

static int
backend_pid(void)
{
	return atoi(value_of(&st_pid, NULL));
}

START_TEST(test_session_settings)
{
	static const struct db_stmt st = {
	    "t_settings",
	    "SELECT pg_catalog.current_setting('search_path') || '|' || "
	    "pg_catalog.current_setting('TimeZone') || '|' || "
	    "pg_catalog.current_setting('statement_timeout')",
	    0,
	};

	teardown();
	setenv("TIME_ZONE", "America/New_York", 1);
	setenv("DB_STATEMENT_TIMEOUT", "1500", 1);
	setup();
	ck_assert_str_eq(
	    value_of(&st, NULL), "pg_catalog, public|America/New_York|1500ms");
	ck_assert_ptr_nonnull(db_handle());
}
END_TEST

/* A zone name PostgreSQL does not know: an error, not a hang or a crash. */
START_TEST(test_unknown_time_zone)
{
	teardown();
	setenv("TIME_ZONE", "Mars/Olympus_Mons", 1);
	setup();
	ck_assert_int_eq(db_connect(), DB_ERROR);
	ck_assert_ptr_nonnull(strstr(db_last_error(), "TimeZone"));
	ck_assert_ptr_null(db_handle());
	ck_assert_int_eq(db_exec(&st_pid, NULL, NULL, NULL, NULL), DB_ERROR);
}
END_TEST

/* The same statement in both modes; only the named one is prepared. */
START_TEST(test_prepared_and_unnamed)
{
	static const struct db_stmt st = {
	    "t_echo",
	    "SELECT $1::text || '!'",
	    1,
	};
	static const struct db_stmt st_count = {
	    "t_count_prepared",
	    "SELECT count(*) FROM pg_catalog.pg_prepared_statements "
	    "WHERE name = $1",
	    1,
	};
	const char *p[1] = {"hi"};
	const char *n[1] = {"t_echo"};

	cfg.db_unnamed = _i;
	ck_assert_str_eq(value_of(&st, p), "hi!");
	ck_assert_str_eq(value_of(&st, p), "hi!");
	ck_assert_str_eq(value_of(&st_count, n), _i ? "0" : "1");
}
END_TEST

START_TEST(test_error_classes)
{
	static const struct db_stmt mk = {
	    "t_mk",
	    "CREATE TEMP TABLE t_u (k int CONSTRAINT t_u_k_key UNIQUE)",
	    0,
	};
	static const struct db_stmt ins = {
	    "t_ins",
	    "INSERT INTO t_u (k) VALUES ($1::int)",
	    1,
	};
	static const struct db_stmt div = {"t_div", "SELECT 1 / 0", 0};
	static const struct db_stmt syntax = {"t_syntax", "SELEC 1", 0};
	static const struct db_stmt sleep = {
	    "t_sleep",
	    "SELECT pg_catalog.pg_sleep(2)",
	    0,
	};
	static const struct db_stmt ok = {"t_ok", "SELECT 1", 0};
	const char *one[1] = {"1"};

	teardown();
	setenv("DB_STATEMENT_TIMEOUT", "200", 1);
	setup();
	ck_assert_int_eq(db_exec(&mk, NULL, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_exec(&ins, one, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_exec(&ins, one, NULL, NULL, NULL), DB_CONFLICT);
	ck_assert_str_eq(db_conflict_constraint(), "t_u_k_key");
	ck_assert_int_eq(db_exec(&div, NULL, NULL, NULL, NULL), DB_ERROR);
	ck_assert_str_eq(db_conflict_constraint(), "");
	ck_assert_int_eq(db_exec(&syntax, NULL, NULL, NULL, NULL), DB_ERROR);
	ck_assert_ptr_nonnull(strstr(db_last_error(), "syntax"));
	/* statement_timeout (57014): unavailable, and the next call works. */
	ck_assert_int_eq(
	    db_exec(&sleep, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_int_eq(db_exec(&ok, NULL, NULL, NULL, NULL), DB_OK);
	/* Bad calls are errors, not crashes. */
	ck_assert_int_eq(db_exec(NULL, NULL, NULL, NULL, NULL), DB_ERROR);
	ck_assert_int_eq(db_exec(&ins, NULL, NULL, NULL, NULL), DB_ERROR);
}
END_TEST

START_TEST(test_transactions)
{
	static const struct db_stmt mk = {
	    "t_mk2",
	    "CREATE TEMP TABLE t_tx (k int)",
	    0,
	};
	static const struct db_stmt ins = {
	    "t_ins2",
	    "INSERT INTO t_tx (k) VALUES ($1::int)",
	    1,
	};
	static const struct db_stmt cnt = {
	    "t_cnt2",
	    "SELECT count(*) FROM t_tx",
	    0,
	};
	static const struct db_stmt bad = {"t_bad2", "SELECT 1 / 0", 0};
	const char *one[1] = {"1"};

	ck_assert_int_eq(db_exec(&mk, NULL, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_begin(), DB_OK);
	ck_assert_int_eq(db_begin(), DB_ERROR); /* no nesting */
	ck_assert_int_eq(db_exec(&ins, one, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_rollback(), DB_OK);
	ck_assert_str_eq(value_of(&cnt, NULL), "0");

	ck_assert_int_eq(db_begin(), DB_OK);
	ck_assert_int_eq(db_exec(&ins, one, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_commit(), DB_OK);
	ck_assert_str_eq(value_of(&cnt, NULL), "1");

	/* COMMIT of a failed transaction is an error; nothing is kept. */
	ck_assert_int_eq(db_begin(), DB_OK);
	ck_assert_int_eq(db_exec(&ins, one, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_exec(&bad, NULL, NULL, NULL, NULL), DB_ERROR);
	ck_assert_int_eq(db_commit(), DB_ERROR);
	ck_assert_str_eq(value_of(&cnt, NULL), "1");
	ck_assert_int_eq(db_commit(), DB_ERROR); /* not in a transaction */
}
END_TEST

START_TEST(test_script)
{
	static const struct db_stmt cnt = {
	    "t_cnt3",
	    "SELECT count(*) FROM t_s",
	    0,
	};

	ck_assert_int_eq(db_exec_script("CREATE TEMP TABLE t_s (k int); "
	                                "INSERT INTO t_s VALUES (1), (2);"),
	    DB_OK);
	ck_assert_str_eq(value_of(&cnt, NULL), "2");
	/* The first failure is reported; the rest of the script is not run. */
	ck_assert_int_eq(db_exec_script("INSERT INTO t_s VALUES (3); "
	                                "SELECT no_such_function(); "
	                                "INSERT INTO t_s VALUES (4);"),
	    DB_ERROR);
	ck_assert_ptr_nonnull(strstr(db_last_error(), "no_such_function"));
	ck_assert_str_eq(value_of(&cnt, NULL), "2");
	ck_assert_int_eq(db_exec_script(NULL), DB_ERROR);
}
END_TEST

/* The backend is killed while idle: the next call reconnects. */
START_TEST(test_reconnect)
{
	char sql[128];
	PGconn *a = pgtest_connect(NULL);
	int pid, pid2;

	cfg.db_unnamed = _i;
	pid = backend_pid();
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
	pgtest_exec(a, sql, 0, NULL);
	/* Give the backend a moment to go. */
	usleep(200 * 1000);
	pid2 = backend_pid();
	ck_assert_int_ne(pid, pid2);
	/* Prepared statements were forgotten with the old connection. */
	ck_assert_int_eq(backend_pid(), pid2);
	PQfinish(a);
}
END_TEST

/* Lost inside a transaction: unavailable until the rollback. */
START_TEST(test_lost_in_transaction)
{
	char sql[128];
	PGconn *a = pgtest_connect(NULL);
	int pid;

	pid = backend_pid();
	ck_assert_int_eq(db_begin(), DB_OK);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
	pgtest_exec(a, sql, 0, NULL);
	usleep(200 * 1000);
	ck_assert_int_eq(
	    db_exec(&st_pid, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_int_eq(
	    db_exec(&st_pid, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_int_eq(db_commit(), DB_UNAVAILABLE);
	ck_assert_int_ne(backend_pid(), pid);
	PQfinish(a);
}
END_TEST

/* No server there: unavailable, quickly (connect_timeout). */
START_TEST(test_unreachable)
{
	free(cfg.conninfo);
	cfg.conninfo = strdup("host=/nonexistent-dir port=5432 dbname=x");
	ck_assert_ptr_nonnull(cfg.conninfo);
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	ck_assert_int_eq(db_connect(), DB_UNAVAILABLE);
	ck_assert_int_eq(
	    db_exec(&st_pid, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_int_eq(db_begin(), DB_UNAVAILABLE);
	db_close();
	ck_assert_int_eq(db_exec(&st_pid, NULL, NULL, NULL, NULL), DB_ERROR);
}
END_TEST

/*
 * A stuck server (its backend stopped with SIGSTOP: statement_timeout
 * cannot fire) is given up by the client-side deadline.
 */
START_TEST(test_stuck_server)
{
	static const struct db_stmt ok = {"t_ok4", "SELECT 1", 0};
	int pid;

	teardown();
	setenv("DB_STATEMENT_TIMEOUT", "100", 1);
	setup();
	pid = backend_pid();
	ck_assert_msg(kill(pid, SIGSTOP) == 0, "kill: %s", strerror(errno));
	ck_assert_int_eq(db_exec(&ok, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
	ck_assert_ptr_null(db_handle());
	/* Within the hold-off: unavailable at once, no new connection. */
	ck_assert_int_eq(db_exec(&ok, NULL, NULL, NULL, NULL), DB_UNAVAILABLE);
	ck_assert_ptr_null(db_handle());
	usleep(1100 * 1000);
	ck_assert_int_eq(db_exec(&ok, NULL, NULL, NULL, NULL), DB_OK);
	ck_assert_int_ne(backend_pid(), pid);
}
END_TEST

/* Seconds that db_connect() took, and its answer in *e. */
static double
timed_connect(enum db_err *e)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	*e = db_connect();
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

/*
 * A server that accepts connections but never answers (a listening socket
 * nobody reads: the kernel completes the handshake): the first connect
 * waits out connect_timeout (2 s), the next ones within the hold-off
 * (1 s) fail at once, and after it one tries again.
 */
START_TEST(test_holdoff)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char ci[128];
	enum db_err e;
	double t;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(ci, sizeof(ci),
	    "host=127.0.0.1 port=%u dbname=x user=x sslmode=disable",
	    (unsigned)ntohs(sa.sin_port));
	teardown();
	setenv("DB_CONNECT_TIMEOUT", "2", 1);
	setup();
	free(cfg.conninfo);
	ck_assert_ptr_nonnull(cfg.conninfo = strdup(ci));
	ck_assert_int_eq(db_init(&cfg), DB_OK);

	t = timed_connect(&e);
	ck_assert_int_eq(e, DB_UNAVAILABLE);
	ck_assert_msg(t >= 1.5, "the first connect waited %.2f s", t);
	t = timed_connect(&e);
	ck_assert_int_eq(e, DB_UNAVAILABLE);
	ck_assert_msg(t < 0.5, "a connect in the hold-off took %.2f s", t);
	usleep(1100 * 1000);
	t = timed_connect(&e);
	ck_assert_int_eq(e, DB_UNAVAILABLE);
	ck_assert_msg(
	    t >= 1.5, "the connect after the hold-off took %.2f s", t);
	close(fd);
}
END_TEST

START_TEST(test_strerror)
{
	int i;

	for (i = 0; i < DB__MAX; i++)
		ck_assert_ptr_nonnull(db_strerror((enum db_err)i));
	ck_assert_str_eq(db_strerror(DB_UNAVAILABLE), "database unavailable");
	ck_assert_str_eq(db_strerror(DB__MAX), "unknown database error");
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_settings);
	tcase_add_test(tc, test_unknown_time_zone);
	tcase_add_loop_test(tc, test_prepared_and_unnamed, 0, 2);
	tcase_add_test(tc, test_error_classes);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_script);
	tcase_add_loop_test(tc, test_reconnect, 0, 2);
	tcase_add_test(tc, test_lost_in_transaction);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_stuck_server);
	tcase_add_test(tc, test_holdoff);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(db_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
