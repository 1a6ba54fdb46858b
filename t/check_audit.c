/*
 * check_audit.c -- lib/audit.c's Check suite.
 *
 * Without a database: the chain step (audit_chain_step) on a table of
 * valid and broken links, the expected hashes computed by coreutils'
 * sha256sum (not by the code under test), and the name tables.
 * With DATABASE_URL (t/ops-audit.pg runs it inside a throwaway cluster
 * after `encdb migrate`): audit_record, concurrent writers from several
 * processes forming one unbroken chain, the append-only triggers, and
 * audit_verify finding an edited entry, a deleted one, a re-hashed one
 * (relinked) and a removed tail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

/* ---- chain step, no database ---------------------------------------- */

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		ck_assert(sscanf(h + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
}

struct step_case {
	const char *name;
	int64_t expect_seq, seq;
	const char *prev;      /* hex, 32 bytes: the previous entry's hash */
	const char *prev_hash; /* hex, 32 bytes: stored in the entry */
	const char *canon;     /* canonical bytes */
	const char *hash;      /* hex, 32 bytes: stored in the entry */
	enum audit_break want;
};

#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
/* sha256sum of 32 zero bytes || "abc", and of 32 zero bytes alone. */
#define H_ABC "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370"
#define H_NIL "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"

static const struct step_case steps[] = {
    {"valid", 1, 1, Z64, Z64, "abc", H_ABC, AUDIT_BREAK_NONE},
    {"valid, empty content", 7, 7, Z64, Z64, "", H_NIL, AUDIT_BREAK_NONE},
    {"edited content", 1, 1, Z64, Z64, "abd", H_ABC, AUDIT_BREAK_HASH},
    {"edited hash", 1, 1, Z64, Z64, "abc", H_NIL, AUDIT_BREAK_HASH},
    {"entry before deleted", 3, 4, Z64, Z64, "abc", H_ABC, AUDIT_BREAK_GAP},
    {"relinked", 2, 2, H_NIL, Z64, "abc", H_ABC, AUDIT_BREAK_LINK},
    {"prev_hash edited", 2, 2, Z64, H_NIL, "abc", H_ABC, AUDIT_BREAK_LINK},
};

START_TEST(test_chain_step)
{
	const struct step_case *c = &steps[_i];
	uint8_t prev[32], prev_hash[32], hash[32];

	unhex(c->prev, prev, 32);
	unhex(c->prev_hash, prev_hash, 32);
	unhex(c->hash, hash, 32);
	ck_assert_msg(audit_chain_step(c->expect_seq, prev, c->seq,
	                               (const uint8_t *)c->canon,
	                               strlen(c->canon), prev_hash,
	                               hash) == c->want,
	              "case %s", c->name);
}
END_TEST

START_TEST(test_names)
{
	int i, j;

	for (i = 0; i < AUDIT__MAX; i++) {
		ck_assert_str_ne(audit_action_name((enum audit_action)i),
		                 "unknown");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(
			    audit_action_name((enum audit_action)i),
			    audit_action_name((enum audit_action)j));
	}
	ck_assert_str_eq(audit_action_name(AUDIT__MAX), "unknown");
	for (i = 0; i < AUDIT_BREAK__MAX; i++)
		ck_assert_ptr_nonnull(audit_break_str((enum audit_break)i));
	ck_assert_str_eq(audit_break_str(AUDIT_BREAK__MAX),
	                 "unknown chain error");
}
END_TEST

/* ---- with a database ------------------------------------------------- */

static struct cfg cfg;

static void
db_setup(void)
{
	char err[512];

	memset(&cfg, 0, sizeof(cfg));
	ck_assert_msg(cfg_load(&cfg, CFG_NEED_DB, err, sizeof(err)) == CFG_OK,
	              "%s", err);
	ck_assert_int_eq(db_init(&cfg), DB_OK);
}

static void
db_teardown(void)
{
	db_close();
	cfg_free(&cfg);
}

/* Run trusted test SQL on the connection; returns 1 if it succeeded. */
static int
run_sql(const char *sql)
{
	PGresult *r;
	int ok;

	ck_assert_int_eq(db_connect(), DB_OK);
	r = PQexec(db_handle(), sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	     PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	return ok;
}

/* Empty the trail (triggers off for it) so each test starts from 0. */
static void
reset_trail(void)
{
	ck_assert(run_sql("ALTER TABLE public.audit_log DISABLE TRIGGER USER;"
	                  "ALTER TABLE public.audit_head DISABLE TRIGGER USER;"
	                  "TRUNCATE public.audit_log;"
	                  "UPDATE public.audit_head SET seq = 0,"
	                  " prev = '\\x" Z64 "', hash = '\\x" Z64 "';"
	                  "ALTER TABLE public.audit_log ENABLE TRIGGER USER;"
	                  "ALTER TABLE public.audit_head ENABLE TRIGGER USER"));
}

/* Tamper as an attacker with superuser rights would: triggers off. */
static void
tamper(const char *sql)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "ALTER TABLE public.audit_log DISABLE TRIGGER USER; %s; "
	         "ALTER TABLE public.audit_log ENABLE TRIGGER USER",
	         sql);
	ck_assert_msg(run_sql(buf), "tampering failed: %s", sql);
}

static void
record_n(int n)
{
	static const enum audit_action acts[] = {AUDIT_READ, AUDIT_LIST,
	                                         AUDIT_UPDATE};
	struct audit_entry e;
	int i;

	for (i = 0; i < n; i++) {
		e.actor = "user:7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11";
		e.subject =
		    i % 3 == 1 ? NULL : "c4cc1314-26ee-4fed-803c-ef47d415c758";
		e.route = i % 2 ? "GET /user" : "PATCH /user";
		e.action = acts[i % 3];
		e.client_addr = i % 4 == 3 ? NULL : "192.0.2.7";
		ck_assert_int_eq(audit_record(&e), DB_OK);
	}
}

static void
expect_report(enum audit_break brk, int64_t bad_seq, int64_t entries)
{
	struct audit_report rep;

	ck_assert_int_eq(audit_verify(&rep), DB_OK);
	ck_assert_msg(rep.brk == brk, "break %d (%s), want %d", rep.brk,
	              audit_break_str(rep.brk), brk);
	ck_assert_int_eq(rep.bad_seq, bad_seq);
	ck_assert_int_eq(rep.entries, entries);
}

START_TEST(test_record_verify)
{
	reset_trail();
	expect_report(AUDIT_BREAK_NONE, 0, 0);
	record_n(5);
	expect_report(AUDIT_BREAK_NONE, 0, 5);
}
END_TEST

START_TEST(test_record_invalid)
{
	struct audit_entry e = {NULL, NULL, "GET /user", AUDIT_READ, NULL};

	ck_assert_int_eq(audit_record(&e), DB_ERROR);
	e.actor = "encdb";
	e.action = AUDIT__MAX;
	ck_assert_int_eq(audit_record(&e), DB_ERROR);
}
END_TEST

/* One text field of the last entry, by test SQL (caller frees). */
static char *
last_field(const char *col)
{
	char sql[128];
	PGresult *r;
	char *v;

	snprintf(sql, sizeof(sql),
	         "SELECT coalesce(%s, '(null)') FROM public.audit_log"
	         " ORDER BY seq DESC LIMIT 1",
	         col);
	ck_assert_int_eq(db_connect(), DB_OK);
	r = PQexec(db_handle(), sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	ck_assert_ptr_nonnull(v);
	return v;
}

struct request_case {
	enum req_method method;
	const char *script_name, *remote_addr;
	enum auth_via via;
	const char *user_id, *subject;
	enum audit_action action;
	/* expected columns */
	const char *actor, *route, *addr, *action_name;
};

static const struct request_case requests[] = {
    {REQ_METHOD_GET, "/user", "192.0.2.10", AUTH_VIA_SESSION,
     "7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11",
     "c4cc1314-26ee-4fed-803c-ef47d415c758", AUDIT_READ,
     "user:7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11 via session", "GET /user",
     "192.0.2.10", "read"},
    {REQ_METHOD_GET, "/users", "2001:db8::1", AUTH_VIA_BEARER,
     "7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11", NULL, AUDIT_LIST,
     "user:7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11 via token", "GET /users",
     "2001:db8::1", "list"},
    {REQ_METHOD_DELETE, "", "", AUTH_VIA_NONE, "", "alice", AUDIT_DELETE,
     "user:- via none", "DELETE -", "(null)", "delete"},
};

START_TEST(test_request)
{
	const struct request_case *c = &requests[_i];
	struct req r;
	struct app a;
	char *v;

	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	r.method = c->method;
	r.script_name = (char *)c->script_name;
	r.remote_addr = (char *)c->remote_addr;
	a.r = &r;
	a.who.via = c->via;
	snprintf(a.who.user_id, sizeof(a.who.user_id), "%s", c->user_id);
	ck_assert_int_eq(audit_request(&a, c->subject, c->action), DB_OK);
	v = last_field("actor");
	ck_assert_str_eq(v, c->actor);
	free(v);
	v = last_field("route");
	ck_assert_str_eq(v, c->route);
	free(v);
	v = last_field("client_addr");
	ck_assert_str_eq(v, c->addr);
	free(v);
	v = last_field("action");
	ck_assert_str_eq(v, c->action_name);
	free(v);
	v = last_field("subject");
	ck_assert_str_eq(v, c->subject != NULL ? c->subject : "(null)");
	free(v);
	ck_assert_int_eq(audit_request(NULL, NULL, AUDIT_READ), DB_ERROR);
}
END_TEST

START_TEST(test_concurrent_writers)
{
	enum { WRITERS = 4, EACH = 40 };
	pid_t pids[WRITERS];
	int i, st, ok = 1;

	reset_trail();
	db_close(); /* no connection shared across fork */
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			int j, bad = 0;

			db_init(&cfg);
			for (j = 0; j < EACH; j++) {
				struct audit_entry e = {
				    "token:1", NULL, "GET /users", AUDIT_LIST,
				    "198.51.100.1"};
				bad |= audit_record(&e) != DB_OK;
			}
			db_close();
			_exit(bad);
		}
	}
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	ck_assert_msg(ok, "a writer failed");
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	expect_report(AUDIT_BREAK_NONE, 0, WRITERS * EACH);
}
END_TEST

START_TEST(test_append_only)
{
	reset_trail();
	record_n(3);
	ck_assert(!run_sql("UPDATE public.audit_log SET actor = 'x'"));
	ck_assert(!run_sql("DELETE FROM public.audit_log WHERE seq = 2"));
	ck_assert(!run_sql("TRUNCATE public.audit_log"));
	ck_assert(!run_sql("DELETE FROM public.audit_head"));
	expect_report(AUDIT_BREAK_NONE, 0, 3);
}
END_TEST

START_TEST(test_detect_edit)
{
	reset_trail();
	record_n(5);
	tamper("UPDATE public.audit_log SET subject ="
	       " 'd2b7a0c4-8a51-4e0f-9c3d-1b2a3c4d5e6f' WHERE seq = 2");
	expect_report(AUDIT_BREAK_HASH, 2, 1);
}
END_TEST

START_TEST(test_detect_edit_time)
{
	reset_trail();
	record_n(4);
	tamper("UPDATE public.audit_log SET at = at - interval '1 day'"
	       " WHERE seq = 4");
	expect_report(AUDIT_BREAK_HASH, 4, 3);
}
END_TEST

START_TEST(test_detect_delete)
{
	reset_trail();
	record_n(5);
	tamper("DELETE FROM public.audit_log WHERE seq = 3");
	expect_report(AUDIT_BREAK_GAP, 4, 2);
}
END_TEST

START_TEST(test_detect_first_deleted)
{
	reset_trail();
	record_n(3);
	tamper("DELETE FROM public.audit_log WHERE seq = 1");
	expect_report(AUDIT_BREAK_GAP, 2, 0);
}
END_TEST

START_TEST(test_detect_rehashed)
{
	reset_trail();
	record_n(5);
	/* Edited AND re-hashed consistently: the next entry's link breaks. */
	tamper("UPDATE public.audit_log SET client_addr = '203.0.113.9',"
	       " hash = sha256(prev_hash || public.audit_canonical(seq, at,"
	       " actor, subject, route, action, '203.0.113.9'))"
	       " WHERE seq = 2");
	expect_report(AUDIT_BREAK_LINK, 3, 2);
}
END_TEST

START_TEST(test_detect_tail)
{
	reset_trail();
	record_n(5);
	tamper("DELETE FROM public.audit_log WHERE seq >= 4");
	expect_report(AUDIT_BREAK_HEAD, 4, 3);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc;

	tc = tcase_create("chain");
	tcase_add_loop_test(tc, test_chain_step, 0,
	                    (int)(sizeof(steps) / sizeof(steps[0])));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	if (getenv("DATABASE_URL") != NULL) {
		tc = tcase_create("database");
		tcase_add_checked_fixture(tc, db_setup, db_teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, test_record_verify);
		tcase_add_test(tc, test_record_invalid);
		tcase_add_loop_test(
		    tc, test_request, 0,
		    (int)(sizeof(requests) / sizeof(requests[0])));
		tcase_add_test(tc, test_concurrent_writers);
		tcase_add_test(tc, test_append_only);
		tcase_add_test(tc, test_detect_edit);
		tcase_add_test(tc, test_detect_edit_time);
		tcase_add_test(tc, test_detect_delete);
		tcase_add_test(tc, test_detect_first_deleted);
		tcase_add_test(tc, test_detect_rehashed);
		tcase_add_test(tc, test_detect_tail);
		/* Last: leaves an intact trail of 5 for t/ops-audit.pg. */
		tcase_add_test(tc, test_record_verify);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(audit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
