/*
 * check_auth.c -- tests of lib/auth.c with Check, against the real
 * PostgreSQL cluster that t/with-pg starts (run through t/routes/auth.pg):
 * token shape and randomness, identification by session cookie and by
 * bearer token (valid, unknown, malformed, expired, revoked), CSRF
 * comparison, logins (right, wrong, unknown user, throttled per account
 * and per address, legacy hash upgraded to Argon2id), ending sessions.
 *
 * The schema is applied once (migrate_apply on $top_srcdir/sql); each test
 * runs in its own process (Check's fork mode) on its own connection, and
 * a plain libpq connection plays the administrator (inspects rows, moves
 * timestamps back).
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <gcrypt.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"

#define PW "correct horse battery"

/* The boilerplate's hash of "password" under SECRET_KEY=changeme1. */
static const char legacy_hash[] =
    "60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da744"
    "12e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449";

/* The same hash of "" (the empty password is never accepted). */
static const char legacy_empty[] =
    "de73f7e1cfb264373d465f0c7018130247fc45290617ad902a11e28c644eb084"
    "f187c4d506b7ee22d18a8b60e2c676d083b640b9241b9121e706ed905246fec8";

static struct cfg cfg;

static void
setup(void)
{
	pgtest_open(&cfg, CFG_NEED_DB | CFG_NEED_KEYS);
}

static void
teardown(void)
{
	pgtest_close(&cfg);
}

/* Hex SHA-256 of a token, as stored. */
static const char *
hexhash(const char *tok)
{
	static char hex[65];
	uint8_t h[32];
	size_t i;

	gcry_md_hash_buffer(GCRY_MD_SHA256, h, tok, strlen(tok));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	return hex;
}

/* Create a user with password PW, unless it exists. */
static void
mkuser(const char *name, const char *type)
{
	struct user_new un;
	char email[128];
	enum db_err de;

	snprintf(email, sizeof(email), "%s@example.com", name);
	un.username = name;
	un.email = email;
	un.password = PW;
	un.user_type = type;
	de = users_create(&cfg, &un, NULL, NULL, NULL);
	ck_assert(de == DB_OK || de == DB_CONFLICT);
}

/* Log name in; returns the cookie (static) or fails the test. */
static const char *
login_ok(const char *name, const char *addr, struct auth_who *who)
{
	static char cookie[AUTH_TOKEN_LEN + 1];
	unsigned retry = 0;

	ck_assert_int_eq(
	    auth_login(&cfg, name, PW, addr, who, cookie, &retry), AUTH_OK);
	return cookie;
}

START_TEST(test_token_shape)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
	int i;

	for (i = 0; i < 200; i++) {
		auth_new_token(a);
		auth_new_token(b);
		ck_assert_uint_eq(strlen(a), AUTH_TOKEN_LEN);
		ck_assert(auth_token_shaped(a));
		ck_assert_str_ne(a, b);
		/* 256 bits: the last character carries 4 bits, low 2 zero. */
		ck_assert_ptr_nonnull(strchr("AEIMQUYcgkosw048", a[42]));
	}
}
END_TEST

static const struct {
	const char *s;
	int shaped;
} shapes[] = {
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1},
    {"abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE", 1},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0},   /* 42 */
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0}, /* 44 */
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", 0},  /* std b64 */
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", 0},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ", 0},
    {"", 0},
    {NULL, 0},
};

START_TEST(test_token_shaped)
{
	ck_assert_int_eq(auth_token_shaped(shapes[_i].s), shapes[_i].shaped);
}
END_TEST

START_TEST(test_strerror)
{
	int e;

	for (e = 0; e < AUTH_ERR__MAX; e++)
		ck_assert_ptr_nonnull(auth_strerror((enum auth_err)e));
	ck_assert_str_eq(auth_strerror(AUTH_ERR__MAX), "unknown error");
}
END_TEST

START_TEST(test_identify_none)
{
	struct auth_who who;

	ck_assert_int_eq(
	    auth_identify(NULL, NULL, 1800, 43200, &who), AUTH_ERR_NONE);
	ck_assert_int_eq(who.via, AUTH_VIA_NONE);
	ck_assert_int_eq(
	    auth_identify("short", NULL, 1800, 43200, &who), AUTH_ERR_INVALID);
	ck_assert_int_eq(
	    auth_identify(NULL, "x y", 1800, 43200, &who), AUTH_ERR_INVALID);
	ck_assert_int_eq(
	    auth_identify(NULL, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	        1800, 43200, &who),
	    AUTH_ERR_INVALID);
	ck_assert_int_eq(who.via, AUTH_VIA_NONE);
}
END_TEST

START_TEST(test_login_and_identify)
{
	struct auth_who who, who2;
	char q[256];
	const char *c;
	char cookie[AUTH_TOKEN_LEN + 1];

	mkuser("ann", "user");
	c = login_ok("ann", "198.51.100.1", &who);
	memcpy(cookie, c, sizeof(cookie));
	ck_assert(auth_token_shaped(cookie));
	ck_assert_int_eq(who.via, AUTH_VIA_SESSION);
	ck_assert_str_eq(who.username, "ann");
	ck_assert_int_eq(who.admin, 0);
	ck_assert(auth_token_shaped(who.csrf));

	/* Only the hash is stored, with the CSRF token and the address. */
	snprintf(q, sizeof(q),
	    "SELECT count(*) FROM public.sessions "
	    "WHERE id_hash = decode('%s', 'hex') AND csrf_token = '%s' "
	    "AND client_addr = '198.51.100.1'",
	    hexhash(cookie), who.csrf);
	ck_assert_str_eq(pgtest_sql(q, 0, NULL), "1");

	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who2), AUTH_OK);
	ck_assert_int_eq(who2.via, AUTH_VIA_SESSION);
	ck_assert_str_eq(who2.username, "ann");
	ck_assert_str_eq(who2.user_id, who.user_id);
	ck_assert_str_eq(who2.csrf, who.csrf);
	ck_assert_mem_eq(who2.session_hash, who.session_hash, 32);
}
END_TEST

START_TEST(test_csrf)
{
	struct auth_who who;
	char other[AUTH_TOKEN_LEN + 1];

	memset(&who, 0, sizeof(who));
	who.via = AUTH_VIA_SESSION;
	auth_new_token(who.csrf);
	auth_new_token(other);
	ck_assert_int_eq(auth_csrf_ok(&who, who.csrf), 1);
	ck_assert_int_eq(auth_csrf_ok(&who, other), 0);
	ck_assert_int_eq(auth_csrf_ok(&who, NULL), 0);
	ck_assert_int_eq(auth_csrf_ok(&who, ""), 0);
	other[0] = '\0';
	ck_assert_int_eq(auth_csrf_ok(&who, "short"), 0);
	/* A prefix of the right token is not the token. */
	memcpy(other, who.csrf, 42);
	other[42] = '\0';
	ck_assert_int_eq(auth_csrf_ok(&who, other), 0);
	who.via = AUTH_VIA_BEARER;
	ck_assert_int_eq(auth_csrf_ok(&who, NULL), 1);
	who.via = AUTH_VIA_NONE;
	ck_assert_int_eq(auth_csrf_ok(&who, NULL), 1);

	/* The login form's double submit: the cookie and the field agree. */
	auth_new_token(other);
	ck_assert_int_eq(auth_double_submit_ok(who.csrf, who.csrf), 1);
	ck_assert_int_eq(auth_double_submit_ok(who.csrf, other), 0);
	ck_assert_int_eq(auth_double_submit_ok(NULL, who.csrf), 0);
	ck_assert_int_eq(auth_double_submit_ok(who.csrf, NULL), 0);
	ck_assert_int_eq(auth_double_submit_ok("short", "short"), 0);
	other[42] = '\0';
	memcpy(other, who.csrf, 42);
	ck_assert_int_eq(auth_double_submit_ok(who.csrf, other), 0);
}
END_TEST

START_TEST(test_expiry)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1], q[256];

	mkuser("ben", "user");
	memcpy(cookie, login_ok("ben", "198.51.100.2", &who), sizeof(cookie));
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who), AUTH_OK);
	/* Idle: last_seen 100 s ago, idle limit 60 s. */
	snprintf(q, sizeof(q),
	    "UPDATE public.sessions SET last_seen = now() - interval "
	    "'100 seconds' WHERE id_hash = decode('%s', 'hex')",
	    hexhash(cookie));
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(auth_identify(cookie, NULL, 1800, 43200, &who),
	    AUTH_OK); /* within 1800 s: bumps last_seen */
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 60, 43200, &who), AUTH_ERR_INVALID);
	/* ... and the expired row is gone. */
	snprintf(q, sizeof(q),
	    "SELECT count(*) FROM public.sessions "
	    "WHERE id_hash = decode('%s', 'hex')",
	    hexhash(cookie));
	ck_assert_str_eq(pgtest_sql(q, 0, NULL), "0");

	/* Absolute: created 2 hours ago, max 1 hour, recently seen. */
	memcpy(cookie, login_ok("ben", "198.51.100.2", &who), sizeof(cookie));
	snprintf(q, sizeof(q),
	    "UPDATE public.sessions SET created_at = now() - interval "
	    "'2 hours' WHERE id_hash = decode('%s', 'hex')",
	    hexhash(cookie));
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 3600, &who), AUTH_ERR_INVALID);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who), AUTH_ERR_INVALID);
}
END_TEST

START_TEST(test_bad_login)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1];
	unsigned retry = 1;

	mkuser("cid", "user");
	ck_assert_int_eq(auth_login(&cfg, "cid", "wrong", "198.51.100.3", &who,
	                     cookie, &retry),
	    AUTH_ERR_BADLOGIN);
	ck_assert_uint_eq(retry, 0);
	ck_assert_str_eq(cookie, "");
	ck_assert_int_eq(who.via, AUTH_VIA_NONE);
	ck_assert_int_eq(auth_login(&cfg, "nobody-at-all", PW, "198.51.100.3",
	                     &who, cookie, &retry),
	    AUTH_ERR_BADLOGIN);
	/* Both failures were counted, per account, address and pair. */
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'user:cid' AND account = 'cid'",
	        0, NULL),
	    "1");
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'user:nobody-at-all'",
	        0, NULL),
	    "1");
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'addr:198.51.100.3'",
	        0, NULL),
	    "2");
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'pair:198.51.100.3 cid' "
	               "AND account = 'cid'",
	        0, NULL),
	    "1");
	/* A success clears its pair and counts nothing itself. */
	login_ok("cid", "198.51.100.3", &who);
	ck_assert_str_eq(
	    pgtest_sql("SELECT count(*) FROM public.login_attempts "
	               "WHERE bucket = 'pair:198.51.100.3 cid'",
	        0, NULL),
	    "0");
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'user:cid'",
	        0, NULL),
	    "1");
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'addr:198.51.100.3'",
	        0, NULL),
	    "2");
}
END_TEST

/* One login of name from addr with password pw: its result. */
static enum auth_err
try_login(const char *name, const char *pw, const char *addr, unsigned *retry)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1];

	return auth_login(&cfg, name, pw, addr, &who, cookie, retry);
}

/*
 * Someone hammering an account from one address locks out that address
 * only: the owner, from another, still signs in (and so does the admin).
 */
START_TEST(test_throttle_pair)
{
	char addr[32];
	unsigned retry = 0;
	int i, bad = 0, refused = 0;

	mkuser("dee", "admin");
	for (i = 0; i < 50; i++) {
		switch (try_login("dee", "wrong", "203.0.113.1", &retry)) {
		case AUTH_ERR_BADLOGIN:
			bad++;
			break;
		case AUTH_ERR_THROTTLED:
			refused++;
			ck_assert_uint_gt(retry, 0);
			ck_assert_uint_le(retry, AUTH_WINDOW);
			break;
		default:
			ck_abort_msg("unexpected login result");
		}
	}
	ck_assert_int_eq(bad, AUTH_PAIR_FAILS);
	ck_assert_int_eq(refused, 50 - AUTH_PAIR_FAILS);
	/* Even the right password, from the attacker's address. */
	ck_assert_int_eq(
	    try_login("dee", PW, "203.0.113.1", &retry), AUTH_ERR_THROTTLED);
	/* The owner, from another address, during the attack. */
	ck_assert_int_eq(try_login("dee", PW, "203.0.113.99", &retry), AUTH_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    try_login("dee", "wrong", "203.0.113.1", &retry),
		    AUTH_ERR_THROTTLED);
		snprintf(addr, sizeof(addr), "198.18.0.%d", i + 1);
		ck_assert_int_eq(try_login("dee", PW, addr, &retry), AUTH_OK);
	}
	/* When the window is over, the pair's count starts again. */
	pgtest_sql("UPDATE public.login_attempts SET window_start = now() - "
	           "interval '901 seconds' WHERE account = 'dee'",
	    0, NULL);
	ck_assert_int_eq(try_login("dee", "wrong", "203.0.113.1", &retry),
	    AUTH_ERR_BADLOGIN);
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'pair:203.0.113.1 dee'",
	        0, NULL),
	    "1");
	ck_assert_int_eq(try_login("dee", PW, "203.0.113.1", &retry), AUTH_OK);
}
END_TEST

/*
 * Failures on an account from many addresses slow down every address that
 * has failed on it (2^(n - AUTH_USER_FREE) s after the latest failure),
 * but not an address that has not.
 */
START_TEST(test_throttle_slowdown)
{
	char addr[32];
	unsigned retry = 0;
	int i;

	mkuser("dot", "user");
	for (i = 0; i < AUTH_USER_FREE + 1; i++) {
		snprintf(addr, sizeof(addr), "198.19.0.%d", i + 1);
		ck_assert_int_eq(
		    try_login("dot", "wrong", addr, &retry), AUTH_ERR_BADLOGIN);
	}
	/* 6 failures: 2 s for the addresses that failed. */
	ck_assert_int_eq(
	    try_login("dot", PW, "198.19.0.1", &retry), AUTH_ERR_THROTTLED);
	ck_assert_uint_ge(retry, 1);
	ck_assert_uint_le(retry, 2);
	ck_assert_int_eq(try_login("dot", PW, "198.19.1.1", &retry), AUTH_OK);
	/* Each further failure doubles the wait. */
	ck_assert_int_eq(
	    try_login("dot", "wrong", "198.19.1.2", &retry), AUTH_ERR_BADLOGIN);
	ck_assert_int_eq(try_login("dot", "wrong", "198.19.0.2", &retry),
	    AUTH_ERR_THROTTLED);
	ck_assert_uint_ge(retry, 3);
	ck_assert_uint_le(retry, 4);
	/* Once the wait is over, a slowed address may try again. */
	pgtest_sql("UPDATE public.login_attempts SET last_failure = now() - "
	           "interval '5 seconds' WHERE bucket = 'user:dot'",
	    0, NULL);
	ck_assert_int_eq(try_login("dot", PW, "198.19.0.1", &retry), AUTH_OK);
	/* The wait never exceeds the window. */
	pgtest_sql("UPDATE public.login_attempts SET failures = 1000000 "
	           "WHERE bucket = 'user:dot'",
	    0, NULL);
	ck_assert_int_eq(
	    try_login("dot", PW, "198.19.0.2", &retry), AUTH_ERR_THROTTLED);
	ck_assert_uint_le(retry, AUTH_WINDOW);
	ck_assert_uint_ge(retry, AUTH_WINDOW - 60);
}
END_TEST

/* encdb unlock: the account's buckets go; the address's stays. */
START_TEST(test_unlock)
{
	unsigned long cleared = 0;
	unsigned retry = 0;
	int i;

	mkuser("uma", "user");
	for (i = 0; i < AUTH_PAIR_FAILS; i++)
		ck_assert_int_eq(
		    try_login("uma", "wrong", "198.51.100.20", &retry),
		    AUTH_ERR_BADLOGIN);
	ck_assert_int_eq(
	    try_login("uma", PW, "198.51.100.20", &retry), AUTH_ERR_THROTTLED);
	ck_assert_int_eq(auth_unlock("uma", &cleared), AUTH_OK);
	ck_assert_uint_eq(cleared, 2); /* user:uma and the pair */
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'addr:198.51.100.20'",
	        0, NULL),
	    "5");
	ck_assert_int_eq(
	    try_login("uma", PW, "198.51.100.20", &retry), AUTH_OK);
	ck_assert_int_eq(auth_unlock("no-such-user", &cleared), AUTH_OK);
	ck_assert_uint_eq(cleared, 0);
}
END_TEST

/* A successful login purges the buckets whose window is over. */
START_TEST(test_purge)
{
	unsigned retry = 0;

	mkuser("pia", "user");
	pgtest_sql(
	    "INSERT INTO public.login_attempts (bucket, account, failures, "
	    "window_start) VALUES ('user:old-one', 'old-one', 3, now() - "
	    "interval '901 seconds'), ('addr:192.0.2.99', NULL, 7, now() - "
	    "interval '20 minutes'), ('user:recent-one', 'recent-one', 2, "
	    "now() - interval '100 seconds')",
	    0, NULL);
	ck_assert_int_eq(
	    try_login("pia", PW, "198.51.100.60", &retry), AUTH_OK);
	ck_assert_str_eq(
	    pgtest_sql("SELECT string_agg(bucket, ',' ORDER BY bucket) "
	               "FROM public.login_attempts WHERE bucket IN "
	               "('user:old-one', 'addr:192.0.2.99', "
	               "'user:recent-one')",
	        0, NULL),
	    "user:recent-one");
}
END_TEST

/* current_password shares the login's buckets and limits. */
START_TEST(test_password_check)
{
	struct user u;
	unsigned retry = 0;
	int rehash = 1, i;

	mkuser("pat", "user");
	ck_assert_int_eq(auth_password_check(&cfg, "pat", PW, "198.51.100.30",
	                     &u, &rehash, &retry),
	    AUTH_OK);
	ck_assert_str_eq(u.username, "pat");
	ck_assert_int_eq(rehash, 0);
	users_clear(&u);
	for (i = 0; i < AUTH_PAIR_FAILS; i++)
		ck_assert_int_eq(
		    (i % 2 ? auth_password_check(&cfg, "pat", "wrong",
		                 "198.51.100.30", &u, &rehash, &retry)
		           : try_login(
		                 "pat", "wrong", "198.51.100.30", &retry)),
		    AUTH_ERR_BADLOGIN);
	ck_assert_int_eq(auth_password_check(&cfg, "pat", PW, "198.51.100.30",
	                     &u, &rehash, &retry),
	    AUTH_ERR_THROTTLED);
	ck_assert_ptr_null(u.username);
	ck_assert_uint_gt(retry, 0);
}
END_TEST

/* How many lock requests wait (are not granted), in the whole cluster. */
static int
lock_waiters(void)
{
	return atoi(pgtest_sql("SELECT count(*) FROM pg_catalog.pg_locks "
	                       "WHERE NOT granted",
	    0, NULL));
}

/* Wait (polling the database, never a clock) until n lock requests wait. */
static void
await_lock_waiters(int n)
{
	int i;

	for (i = 0; i < 100000 && lock_waiters() < n; i++)
		;
	ck_assert_int_ge(lock_waiters(), n);
}

/*
 * N processes guess at one account from one address at the same moment:
 * no more than AUTH_PAIR_FAILS guesses are admitted. The administrator
 * holds login_attempts locked against writes (reads go on) until all N
 * are waiting, so that every one of them has got as far as it can.
 */
START_TEST(test_throttle_atomic)
{
	enum { N = 10 };
	pid_t pids[N];
	PGconn *c;
	PGresult *r;
	int i, st, bad = 0, refused = 0;

	mkuser("rex", "user");
	/* Children connect afresh: none may share this process's socket. */
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	c = PQconnectdb(getenv("DATABASE_URL"));
	ck_assert(PQstatus(c) == CONNECTION_OK);
	r = PQexec(c,
	    "BEGIN; LOCK TABLE public.login_attempts "
	    "IN EXCLUSIVE MODE");
	ck_assert(PQresultStatus(r) == PGRES_COMMAND_OK);
	PQclear(r);
	for (i = 0; i < N; i++) {
		unsigned retry = 0;

		ck_assert_int_ne(pids[i] = fork(), -1);
		if (pids[i] == 0)
			_exit(
			    try_login("rex", "wrong", "198.51.100.40", &retry));
	}
	await_lock_waiters(N);
	r = PQexec(c, "COMMIT");
	PQclear(r);
	PQfinish(c);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st));
		if (WEXITSTATUS(st) == AUTH_ERR_BADLOGIN)
			bad++;
		else if (WEXITSTATUS(st) == AUTH_ERR_THROTTLED)
			refused++;
	}
	ck_assert_int_eq(bad, AUTH_PAIR_FAILS);
	ck_assert_int_eq(refused, N - AUTH_PAIR_FAILS);
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'pair:198.51.100.40 rex'",
	        0, NULL),
	    "5");
}
END_TEST

/*
 * An admin resets a password while its owner logs in with the old one,
 * still on a legacy hash: the login's rehash must not undo the reset, and
 * no session may come out of the old password. The admin's UPDATE holds
 * the row until the login has verified the old hash and waits on it.
 */
START_TEST(test_rehash_race)
{
	char q[512], reset[EF_PW_HASH_MAX];
	pid_t pid;
	PGconn *c;
	PGresult *r;
	int st;

	snprintf(q, sizeof(q),
	    "INSERT INTO public.users (id, username, password, user_type, "
	    "email, created_at) VALUES (gen_random_uuid(), 'racer', '%s', "
	    "'user', '\\x00'::bytea, now())",
	    legacy_hash);
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(ef_pw_hash("the admin's new one", 19, reset), EF_OK);
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	c = PQconnectdb(getenv("DATABASE_URL"));
	ck_assert(PQstatus(c) == CONNECTION_OK);
	snprintf(q, sizeof(q),
	    "BEGIN; UPDATE public.users SET password = '%s' "
	    "WHERE username = 'racer'",
	    reset);
	r = PQexec(c, q);
	ck_assert(PQresultStatus(r) == PGRES_COMMAND_OK);
	PQclear(r);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		unsigned retry = 0;

		_exit(try_login("racer", "password", "198.51.100.50", &retry));
	}
	await_lock_waiters(1);
	r = PQexec(c, "COMMIT");
	ck_assert(PQresultStatus(r) == PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), AUTH_ERR_BADLOGIN);
	ck_assert_str_eq(pgtest_sql("SELECT password FROM public.users "
	                            "WHERE username = 'racer'",
	                     0, NULL),
	    reset);
	ck_assert_str_eq(
	    pgtest_sql("SELECT count(*) FROM public.sessions AS s "
	               "JOIN public.users AS u ON u.id = s.user_id "
	               "WHERE u.username = 'racer'",
	        0, NULL),
	    "0");
}
END_TEST

START_TEST(test_throttle_address)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1], name[32];
	unsigned retry = 0;
	int i;

	mkuser("eve", "user");
	for (i = 0; i < AUTH_ADDR_FAILS; i++) {
		snprintf(name, sizeof(name), "ghost%d", i);
		ck_assert_int_eq(auth_login(&cfg, name, "x", "203.0.113.200",
		                     &who, cookie, &retry),
		    AUTH_ERR_BADLOGIN);
	}
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'addr:203.0.113.200'",
	        0, NULL),
	    "20");
	ck_assert_int_eq(
	    auth_login(&cfg, "eve", PW, "203.0.113.200", &who, cookie, &retry),
	    AUTH_ERR_THROTTLED);
	ck_assert_uint_gt(retry, 0);
	login_ok("eve", "203.0.113.201", &who);
}
END_TEST

START_TEST(test_throttle_ipv6)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1], name[32], addr[64];
	unsigned retry = 0;
	int i;

	mkuser("ivy", "user");
	/* Rotating within one /64 does not escape the address bucket. */
	for (i = 0; i < AUTH_ADDR_FAILS; i++) {
		snprintf(name, sizeof(name), "phantom%d", i);
		snprintf(addr, sizeof(addr), "2001:db8:1:2:%x::%x", i, i + 1);
		ck_assert_int_eq(
		    auth_login(&cfg, name, "x", addr, &who, cookie, &retry),
		    AUTH_ERR_BADLOGIN);
	}
	ck_assert_str_eq(
	    pgtest_sql("SELECT failures FROM public.login_attempts "
	               "WHERE bucket = 'addr:2001:db8:1:2::/64'",
	        0, NULL),
	    "20");
	ck_assert_int_eq(auth_login(&cfg, "ivy", PW, "2001:db8:1:2::99", &who,
	                     cookie, &retry),
	    AUTH_ERR_THROTTLED);
	/* Another /64 is another client. */
	login_ok("ivy", "2001:db8:1:3::1", &who);
}
END_TEST

START_TEST(test_legacy_upgrade)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1], q[512];
	unsigned retry = 0;

	snprintf(q, sizeof(q),
	    "INSERT INTO public.users (id, username, password, user_type, "
	    "email, created_at) VALUES (gen_random_uuid(), 'oldtimer', '%s', "
	    "'admin', '\\x00'::bytea, now())",
	    legacy_hash);
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(auth_login(&cfg, "oldtimer", "nope", "192.0.2.50",
	                     &who, cookie, &retry),
	    AUTH_ERR_BADLOGIN);
	ck_assert_str_eq(pgtest_sql("SELECT password FROM public.users "
	                            "WHERE username = 'oldtimer'",
	                     0, NULL),
	    legacy_hash);
	ck_assert_int_eq(auth_login(&cfg, "oldtimer", "password", "192.0.2.50",
	                     &who, cookie, &retry),
	    AUTH_OK);
	ck_assert_int_eq(who.admin, 1);
	ck_assert(strncmp(pgtest_sql("SELECT password FROM public.users "
	                             "WHERE username = 'oldtimer'",
	                      0, NULL),
	              "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	ck_assert_int_eq(auth_login(&cfg, "oldtimer", "password", "192.0.2.50",
	                     &who, cookie, &retry),
	    AUTH_OK);

	/* A legacy hash of the empty password: never a way in. */
	snprintf(q, sizeof(q),
	    "INSERT INTO public.users (id, username, password, user_type, "
	    "email, created_at) VALUES (gen_random_uuid(), 'blank', '%s', "
	    "'user', '\\x00'::bytea, now())",
	    legacy_empty);
	pgtest_sql(q, 0, NULL);
	ck_assert_int_eq(
	    auth_login(&cfg, "blank", "", "192.0.2.51", &who, cookie, &retry),
	    AUTH_ERR_BADLOGIN);
	ck_assert_str_eq(pgtest_sql("SELECT password FROM public.users "
	                            "WHERE username = 'blank'",
	                     0, NULL),
	    legacy_empty);
}
END_TEST

/* The password hashes auth_password_check computed, by kind. */
static unsigned hashes[AUTH_HASH__MAX];

static void
count_hash(enum auth_hash kind)
{
	ck_assert_int_lt(kind, AUTH_HASH__MAX);
	hashes[kind]++;
}

/* Fail one login of name with cf; the hashes it computed in hashes[]. */
static void
failure_work(const struct cfg *cf, const char *name)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1];
	unsigned retry = 0;

	pgtest_sql("DELETE FROM public.login_attempts", 0, NULL);
	memset(hashes, 0, sizeof(hashes));
	auth_set_hash_hook(count_hash);
	ck_assert_int_eq(auth_login(cf, name, "not the password",
	                     "203.0.113.77", &who, cookie, &retry),
	    AUTH_ERR_BADLOGIN);
	auth_set_hash_hook(NULL);
}

/*
 * A wrong password costs the same for an unknown name, an account on
 * Argon2id and one still on its legacy PBKDF2 hash (whose check alone
 * costs about twice an Argon2id): no account can be told apart by time.
 * The work is counted, not timed: each failure computes exactly one
 * Argon2id and, while SECRET_KEY is set, one PBKDF2; without SECRET_KEY
 * no legacy hash can be checked, and each computes one Argon2id only (the
 * legacy account's hash is not computed: a dummy Argon2id stands in).
 */
START_TEST(test_failure_cost)
{
	static const char *const names[] = {"nobody-at-all", "fay", "oldfay"};
	struct cfg nolegacy;
	char q[512];
	size_t k;

	mkuser("fay", "user");
	snprintf(q, sizeof(q),
	    "INSERT INTO public.users (id, username, password, user_type, "
	    "email, created_at) VALUES (gen_random_uuid(), 'oldfay', '%s', "
	    "'user', '\\x00'::bytea, now())",
	    legacy_hash);
	pgtest_sql(q, 0, NULL);
	ck_assert_ptr_nonnull(cfg.legacy_salt);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		failure_work(&cfg, names[k]);
		ck_assert_msg(hashes[AUTH_HASH_ARGON2ID] == 1 &&
		        hashes[AUTH_HASH_PBKDF2] == 1,
		    "%s: %u Argon2id, %u PBKDF2 (want 1 and 1)", names[k],
		    hashes[AUTH_HASH_ARGON2ID], hashes[AUTH_HASH_PBKDF2]);
	}
	nolegacy = cfg;
	nolegacy.legacy_salt = NULL;
	nolegacy.legacy_saltlen = 0;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		failure_work(&nolegacy, names[k]);
		ck_assert_msg(hashes[AUTH_HASH_ARGON2ID] == 1 &&
		        hashes[AUTH_HASH_PBKDF2] == 0,
		    "no SECRET_KEY, %s: %u Argon2id, %u PBKDF2", names[k],
		    hashes[AUTH_HASH_ARGON2ID], hashes[AUTH_HASH_PBKDF2]);
	}
}
END_TEST

START_TEST(test_session_end)
{
	struct auth_who a1, a2, a3;
	char c1[AUTH_TOKEN_LEN + 1], c2[AUTH_TOKEN_LEN + 1];
	char c3[AUTH_TOKEN_LEN + 1];

	mkuser("fay", "user");
	memcpy(c1, login_ok("fay", "192.0.2.60", &a1), sizeof(c1));
	memcpy(c2, login_ok("fay", "192.0.2.60", &a2), sizeof(c2));
	memcpy(c3, login_ok("fay", "192.0.2.60", &a3), sizeof(c3));
	ck_assert_str_ne(c1, c2);
	/* Logout of one. */
	ck_assert_int_eq(auth_session_end(a1.session_hash), AUTH_OK);
	ck_assert_int_eq(
	    auth_identify(c1, NULL, 1800, 43200, &a1), AUTH_ERR_INVALID);
	ck_assert_int_eq(auth_identify(c2, NULL, 1800, 43200, &a2), AUTH_OK);
	/* Every other session of the user, keeping c2. */
	ck_assert_int_eq(
	    auth_sessions_end_user(a2.user_id, a2.session_hash), AUTH_OK);
	ck_assert_int_eq(
	    auth_identify(c3, NULL, 1800, 43200, &a3), AUTH_ERR_INVALID);
	ck_assert_int_eq(auth_identify(c2, NULL, 1800, 43200, &a2), AUTH_OK);
	/* All of them. */
	ck_assert_int_eq(auth_sessions_end_user(a2.user_id, NULL), AUTH_OK);
	ck_assert_int_eq(
	    auth_identify(c2, NULL, 1800, 43200, &a2), AUTH_ERR_INVALID);
}
END_TEST

START_TEST(test_tokens)
{
	struct auth_who who;
	char tok[AUTH_TOKEN_LEN + 1], q[256];

	mkuser("gus", "admin");
	ck_assert_int_eq(auth_token_create("gus", "ci", 0, tok), AUTH_OK);
	ck_assert(auth_token_shaped(tok));
	snprintf(q, sizeof(q),
	    "SELECT name FROM public.api_tokens "
	    "WHERE token_hash = decode('%s', 'hex')",
	    hexhash(tok));
	ck_assert_str_eq(pgtest_sql(q, 0, NULL), "ci");
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_eq(who.via, AUTH_VIA_BEARER);
	ck_assert_str_eq(who.username, "gus");
	ck_assert_int_eq(who.admin, 1);
	/* The bearer token wins over a cookie. */
	ck_assert_int_eq(
	    auth_identify("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", tok,
	        1800, 43200, &who),
	    AUTH_OK);
	ck_assert_int_eq(who.via, AUTH_VIA_BEARER);
	/* A session cookie is not a bearer token, nor the reverse. */
	ck_assert_int_eq(
	    auth_identify(tok, NULL, 1800, 43200, &who), AUTH_ERR_INVALID);
	ck_assert_int_eq(auth_token_revoke(tok), AUTH_OK);
	ck_assert_int_eq(auth_token_revoke(tok), AUTH_ERR_INVALID);
	ck_assert_int_eq(
	    auth_identify(NULL, tok, 1800, 43200, &who), AUTH_ERR_INVALID);
	ck_assert_int_eq(
	    auth_token_create("no-such-user", "ci", 0, tok), AUTH_ERR_INVALID);
	ck_assert_int_eq(auth_token_revoke("bad"), AUTH_ERR_INVALID);
}
END_TEST

/* The column that finds tok's row in table (sessions or api_tokens). */
static const char *
key_of(const char *table)
{
	return strcmp(table, "sessions") == 0 ? "id_hash" : "token_hash";
}

/* Age in whole seconds of column col of the row of tok in table. */
static long
age_of(const char *table, const char *col, const char *tok)
{
	char q[256];

	snprintf(q, sizeof(q),
	    "SELECT coalesce(extract(epoch FROM now() - %s)::bigint, -1) "
	    "FROM public.%s WHERE %s = decode('%s', 'hex')",
	    col, table, key_of(table), hexhash(tok));
	return strtol(pgtest_sql(q, 0, NULL), NULL, 10);
}

/* Make column col of the row of tok in table secs seconds old. */
static void
set_age(const char *table, const char *col, const char *tok, int secs)
{
	char q[256];

	snprintf(q, sizeof(q),
	    "UPDATE public.%s SET %s = now() - make_interval(secs => %d) "
	    "WHERE %s = decode('%s', 'hex')",
	    table, col, secs, key_of(table), hexhash(tok));
	pgtest_sql(q, 0, NULL);
}

/* A token with a lifetime works until it ends, then never again. */
START_TEST(test_token_expiry)
{
	struct auth_who who;
	char tok[AUTH_TOKEN_LEN + 1];
	long age;

	mkuser("eli", "user");
	ck_assert_int_eq(auth_token_create("eli", "short", 3600, tok), AUTH_OK);
	/* expires_at is an hour ahead: its "age" is about -3600 s. */
	age = age_of("api_tokens", "expires_at", tok);
	ck_assert_int_ge(age, -3600);
	ck_assert_int_le(age, -3500);
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	set_age("api_tokens", "expires_at", tok, 1);
	ck_assert_int_eq(
	    auth_identify(NULL, tok, 1800, 43200, &who), AUTH_ERR_INVALID);
	/* Without a lifetime: no expiry (age_of says -1 for NULL). */
	ck_assert_int_eq(auth_token_create("eli", "long", 0, tok), AUTH_OK);
	ck_assert_int_eq(age_of("api_tokens", "expires_at", tok), -1);
}
END_TEST

/* Proving a session or token writes only when its stamp is stale. */
START_TEST(test_touch)
{
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1], tok[AUTH_TOKEN_LEN + 1];

	mkuser("tia", "admin");
	memcpy(cookie, login_ok("tia", "198.51.100.9", &who), sizeof(cookie));
	/* 30 s old, idle 1800 s: the touch interval is 60 s, no write. */
	set_age("sessions", "last_seen", cookie, 30);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_ge(age_of("sessions", "last_seen", cookie), 30);
	/* Idle 60 s: the interval is 6 s, so 30 s is stale: refreshed. */
	ck_assert_int_eq(auth_identify(cookie, NULL, 60, 43200, &who), AUTH_OK);
	ck_assert_int_lt(age_of("sessions", "last_seen", cookie), 5);
	/* 100 s old, idle 1800 s: refreshed. */
	set_age("sessions", "last_seen", cookie, 100);
	ck_assert_int_eq(
	    auth_identify(cookie, NULL, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_lt(age_of("sessions", "last_seen", cookie), 5);

	ck_assert_int_eq(auth_token_create("tia", "touch", 0, tok), AUTH_OK);
	ck_assert_int_eq(age_of("api_tokens", "last_used_at", tok), -1);
	/* Never used: stamped on first use. */
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_lt(age_of("api_tokens", "last_used_at", tok), 5);
	set_age("api_tokens", "last_used_at", tok, 30);
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_ge(age_of("api_tokens", "last_used_at", tok), 30);
	set_age("api_tokens", "last_used_at", tok, 100);
	ck_assert_int_eq(auth_identify(NULL, tok, 1800, 43200, &who), AUTH_OK);
	ck_assert_int_lt(age_of("api_tokens", "last_used_at", tok), 5);
	/* A revoked token is neither accepted nor stamped. */
	ck_assert_int_eq(auth_token_revoke(tok), AUTH_OK);
	set_age("api_tokens", "last_used_at", tok, 100);
	ck_assert_int_eq(
	    auth_identify(NULL, tok, 1800, 43200, &who), AUTH_ERR_INVALID);
	ck_assert_int_ge(age_of("api_tokens", "last_used_at", tok), 100);
}
END_TEST

START_TEST(test_unavailable)
{
	struct auth_who who;
	struct cfg lost;
	char err[256], cookie[AUTH_TOKEN_LEN + 1];
	unsigned retry;

	db_close();
	memset(&lost, 0, sizeof(lost));
	ck_assert_int_eq(setenv("DATABASE_URL",
	                     "postgresql:///x?host=/nonexistent-dir&"
	                     "connect_timeout=2",
	                     1),
	    0);
	ck_assert_int_eq(
	    cfg_load(&lost, CFG_NEED_DB | CFG_NEED_KEYS, err, sizeof(err)),
	    CFG_OK);
	ck_assert_int_eq(db_init(&lost), DB_OK);
	ck_assert_int_eq(
	    auth_identify("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	        1800, 43200, &who),
	    AUTH_ERR_UNAVAILABLE);
	ck_assert_int_eq(who.via, AUTH_VIA_NONE);
	ck_assert_int_eq(
	    auth_login(&lost, "ann", PW, "192.0.2.1", &who, cookie, &retry),
	    AUTH_ERR_UNAVAILABLE);
	db_close();
	cfg_free(&lost);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *t;

	t = tcase_create("tokens");
	tcase_add_test(t, test_token_shape);
	tcase_add_loop_test(
	    t, test_token_shaped, 0, sizeof(shapes) / sizeof(shapes[0]));
	tcase_add_test(t, test_strerror);
	tcase_add_test(t, test_csrf);
	suite_add_tcase(s, t);

	t = tcase_create("database");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_identify_none);
	tcase_add_test(t, test_login_and_identify);
	tcase_add_test(t, test_expiry);
	tcase_add_test(t, test_bad_login);
	tcase_add_test(t, test_throttle_pair);
	tcase_add_test(t, test_throttle_slowdown);
	tcase_add_test(t, test_unlock);
	tcase_add_test(t, test_purge);
	tcase_add_test(t, test_password_check);
	tcase_add_test(t, test_throttle_atomic);
	tcase_add_test(t, test_rehash_race);
	tcase_add_test(t, test_throttle_address);
	tcase_add_test(t, test_throttle_ipv6);
	tcase_add_test(t, test_legacy_upgrade);
	tcase_add_test(t, test_failure_cost);
	tcase_add_test(t, test_session_end);
	tcase_add_test(t, test_tokens);
	tcase_add_test(t, test_token_expiry);
	tcase_add_test(t, test_touch);
	tcase_add_test(t, test_unavailable);
	suite_add_tcase(s, t);
	return s;
}

/* Apply the schema once, before the forked tests. */
static int
migrate_once(void)
{
	struct cfg c;
	char err[512];
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (cfg_load(&c, CFG_NEED_DB, err, sizeof(err)) != CFG_OK) {
		fprintf(stderr, "check_auth: %s\n", err);
		goto out;
	}
	if (db_init(&c) != DB_OK ||
	    migrate_apply(c.sql_dir, NULL, NULL, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "check_auth: migrate: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	/* The one cleanup point. */
	db_close();
	cfg_free(&c);
	return rc;
}

int
main(void)
{
	SRunner *sr;
	int failed;
	char sqldir[4096];
	const char *top = getenv("top_srcdir");

	if (getenv("DATABASE_URL") == NULL) {
		fprintf(stderr, "check_auth: run through t/with-pg\n");
		return 77;
	}
	snprintf(sqldir, sizeof(sqldir), "%s/sql", top != NULL ? top : ".");
	setenv("SQL_DIR", sqldir, 1);
	setenv("SECRETS_PATH", "/nonexistent", 1);
	setenv("SECRET_KEY", "changeme1", 1);
	setenv(
	    "FIELD_KEYS", "3:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 1);
	setenv("INDEX_KEY", "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=", 1);
	if (migrate_once() == -1)
		return 99;
	sr = srunner_create(auth_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
