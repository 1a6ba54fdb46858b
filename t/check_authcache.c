/*
 * check_authcache.c -- lib/authcache.c's Check suite, through
 * auth_identify against a real PostgreSQL (t/routes/authcache.pg): a
 * token proven a moment ago costs no query; a change announced by the
 * database from another connection (revocation, the user's type changed)
 * is seen at once even with a long AUTH_CACHE; one made without an
 * announcement still ends within AUTH_CACHE seconds; changes that do not
 * touch credentials do not make the process forget; browser sessions are
 * never remembered, so a session ended elsewhere ends at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"
#include "testkeys.h"

#define PW "a-long-password-1"

static struct cfg cfg;

static void
setup(void)
{
	struct user_new un = {"cache_ann", "ann@cache.example", PW, "admin"};
	enum db_err de;

	pgtest_open(&cfg, CFG_NEED_DB | CFG_NEED_KEYS);
	cfg.auth_cache = 30; /* before connecting: LISTEN needs it */
	authcache_set_ttl(30);
	de = users_create(&cfg, &un, NULL, NULL, NULL);
	ck_assert(de == DB_OK || de == DB_CONFLICT);
}

static void
teardown(void)
{
	pgtest_close(&cfg);
}

static unsigned long
misses(void)
{
	struct authcache_stats s;

	authcache_stats(&s);
	return s.misses;
}

static enum auth_err
ident_token(const char *tok)
{
	struct auth_who who;

	return auth_identify(NULL, tok, 1800, 43200, &who);
}

static enum auth_err
ident_cookie(const char *cookie)
{
	struct auth_who who;

	return auth_identify(cookie, NULL, 1800, 43200, &who);
}

/* Poll until ident(cred) fails, at most 2 s; 1 if it did. */
static int
fails_soon(enum auth_err (*ident)(const char *), const char *cred)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	int i;

	for (i = 0; i < 200; i++) {
		if (ident(cred) == AUTH_ERR_INVALID)
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

static void
new_token(const char *name, char tok[AUTH_TOKEN_LEN + 1])
{
	ck_assert_int_eq(auth_token_create("cache_ann", name, 0, tok), AUTH_OK);
}

START_TEST(test_hit)
{
	char tok[AUTH_TOKEN_LEN + 1];
	unsigned long m;

	new_token("hit", tok);
	m = misses();
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_uint_eq(misses(), m + 1);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_uint_eq(misses(), m + 1);
	/* The same token as a cookie is another credential: not from it. */
	ck_assert_int_eq(ident_cookie(tok), AUTH_ERR_INVALID);
}
END_TEST

START_TEST(test_revoked_elsewhere)
{
	char tok[AUTH_TOKEN_LEN + 1];

	new_token("revoked", tok);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_int_eq(ident_token(tok), AUTH_OK); /* from memory */
	pgtest_sql(
	    "UPDATE public.api_tokens SET revoked_at = now() WHERE name = "
	    "'revoked'",
	    0, NULL);
	ck_assert_msg(fails_soon(ident_token, tok),
	    "a token revoked elsewhere still works");
}
END_TEST

START_TEST(test_unrelated_changes)
{
	char tok[AUTH_TOKEN_LEN + 1];
	unsigned long m;

	new_token("kept", tok);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	m = misses();
	/* A token used, an email rotated, a stray cookie: no announcement. */
	pgtest_sql(
	    "UPDATE public.api_tokens SET last_used_at = now()", 0, NULL);
	pgtest_sql("UPDATE public.users SET email = email", 0, NULL);
	pgtest_sql(
	    "DELETE FROM public.sessions WHERE id_hash = "
	    "'\\x0000000000000000000000000000000000000000000000000000000000"
	    "000000'",
	    0, NULL);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_uint_eq(misses(), m);
}
END_TEST

START_TEST(test_session_ended)
{
	char cookie[AUTH_TOKEN_LEN + 1];
	struct auth_who who;
	unsigned retry = 0;
	unsigned long m = misses();

	ck_assert_int_eq(auth_login(&cfg, "cache_ann", PW, "192.0.2.1", &who,
	                     cookie, &retry),
	    AUTH_OK);
	ck_assert_int_eq(ident_cookie(cookie), AUTH_OK);
	ck_assert_int_eq(ident_cookie(cookie), AUTH_OK);
	/* Never consulted for a session... */
	ck_assert_uint_eq(misses(), m);
	/* ...so one ended elsewhere (a logout, a password change) ends here
	 * with the very next request. */
	pgtest_sql(
	    "DELETE FROM public.sessions WHERE user_id = (SELECT id FROM "
	    "public.users WHERE username = 'cache_ann')",
	    0, NULL);
	ck_assert_int_eq(ident_cookie(cookie), AUTH_ERR_INVALID);
}
END_TEST

START_TEST(test_type_changed)
{
	char tok[AUTH_TOKEN_LEN + 1];
	struct timespec pause = {0, 10 * 1000 * 1000};
	struct auth_who who;
	int i;

	new_token("demoted", tok);
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_eq(who.admin, 1);
	pgtest_sql(
	    "UPDATE public.users SET user_type = 'user' WHERE username = "
	    "'cache_ann'",
	    0, NULL);
	/* Announced: the next checks see the new type, within 2 s. */
	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(
		    auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
		if (!who.admin)
			break;
		nanosleep(&pause, NULL);
	}
	ck_assert_msg(!who.admin, "a demoted admin's token is still admin");
	pgtest_sql(
	    "UPDATE public.users SET user_type = 'admin' WHERE username = "
	    "'cache_ann'",
	    0, NULL);
}
END_TEST

START_TEST(test_ttl_bound)
{
	struct timespec wait = {1, 300 * 1000 * 1000};
	char tok[AUTH_TOKEN_LEN + 1];

	authcache_set_ttl(1);
	new_token("quiet", tok);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	/* Revoked without an announcement: still remembered for now... */
	pgtest_sql("BEGIN; ALTER TABLE public.api_tokens DISABLE TRIGGER "
	           "api_tokens_auth_revoked; UPDATE public.api_tokens SET "
	           "revoked_at = now() WHERE name = 'quiet'; ALTER TABLE "
	           "public.api_tokens ENABLE TRIGGER api_tokens_auth_revoked; "
	           "COMMIT",
	    0, NULL);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	/* ...but not past AUTH_CACHE seconds. */
	nanosleep(&wait, NULL);
	ck_assert_int_eq(ident_token(tok), AUTH_ERR_INVALID);
}
END_TEST

START_TEST(test_off)
{
	char tok[AUTH_TOKEN_LEN + 1];
	unsigned long m;

	authcache_set_ttl(0);
	new_token("off", tok);
	m = misses();
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	ck_assert_int_eq(ident_token(tok), AUTH_OK);
	/* Off: never consulted, so neither a hit nor a miss is counted. */
	ck_assert_uint_eq(misses(), m);
}
END_TEST

static Suite *
authcache_suite(void)
{
	Suite *s = suite_create("authcache");
	TCase *t = tcase_create("database");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_hit);
	tcase_add_test(t, test_revoked_elsewhere);
	tcase_add_test(t, test_unrelated_changes);
	tcase_add_test(t, test_session_ended);
	tcase_add_test(t, test_type_changed);
	tcase_add_test(t, test_ttl_bound);
	tcase_add_test(t, test_off);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (getenv("DATABASE_URL") == NULL) {
		fprintf(stderr, "check_authcache: no DATABASE_URL: skipped\n");
		return 77;
	}
	if (testkeys_env() == -1) {
		fprintf(stderr, "check_authcache: cannot make test keys\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(authcache_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
