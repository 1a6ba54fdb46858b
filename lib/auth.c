/*
 * auth.c -- who is asking: browser sessions, CSRF tokens, API bearer tokens
 * and login throttling.
 *
 * Tokens (session cookies, CSRF tokens, API tokens) are 32 bytes from
 * ef_random() written as 43 unpadded base64url characters (RFC 4648 §5).
 * The database only ever holds SHA-256 of a session cookie or API token
 * (sessions.id_hash, api_tokens.token_hash), so a copy of the database
 * yields no usable credential. Session expiry is enforced by the queries:
 * idle (last_seen) and absolute (created_at).
 *
 * Password checks (logins, and current_password when users change their
 * own) are throttled in login_attempts, per bucket in a fixed window of
 * AUTH_WINDOW seconds (sql/200_login_throttle.sql):
 *   "pair:<addr> <name>"	one client address on one account: after
 *				AUTH_PAIR_FAILS failures that address may not
 *				try that account again until the window ends;
 *   "addr:<addr>"		one client address, all accounts: after
 *				AUTH_ADDR_FAILS failures, none;
 *   "user:<name>"		one account, all addresses: after
 *				AUTH_USER_FREE failures, an address that has
 *				itself failed on the account waits 2^(n -
 *				AUTH_USER_FREE) s (at most the window) after
 *				the account's latest failure.
 * An address that has not failed on an account is never held back by the
 * account's count: whoever guesses at an account cannot lock its owner
 * out, and each new address an attacker brings gets one guess before the
 * account's slowdown applies to it too.
 *
 * An attempt is counted before the password is checked, as one statement
 * under advisory locks on the account and the address (auth_attempt_begin):
 * concurrent processes cannot all pass the check before any has counted.
 * A success then takes its count back and clears its pair bucket
 * (auth_attempt_settle). All statements are this module's own
 * (struct db_stmt, $n parameters).
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

static const char *const auth_errs[AUTH_ERR__MAX] = {
    "success",                        /* AUTH_OK */
    "no credentials",                 /* AUTH_ERR_NONE */
    "invalid or expired credentials", /* AUTH_ERR_INVALID */
    "invalid username or password",   /* AUTH_ERR_BADLOGIN */
    "too many failed logins",         /* AUTH_ERR_THROTTLED */
    "database unavailable",           /* AUTH_ERR_UNAVAILABLE */
    "internal error",                 /* AUTH_ERR_INTERNAL */
};

/*
 * An Argon2id hash (the current parameters) of a password nobody knows:
 * unknown users are verified against it so that they cost the same time
 * as a wrong password.
 */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$ZmNnaWVuY2RiZHVtbXkxNg$"
    "sVMdJ0iUz6kVa7QAHPGlQZnXNhb+qzILSfJtN1nB3SU";

/* The same, in the boilerplate's legacy format (PBKDF2-HMAC-SHA512). */
static const char dummy_legacy_hash[] =
    "00000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000";

/*
 * A request that proves a session or a token only reads, unless the
 * last_seen (last_used_at) it would refresh is older than the touch
 * interval ($4 for sessions, AUTH_TOKEN_TOUCH for tokens): then the same
 * statement also moves it to now(). Most requests thus write nothing
 * (no WAL, no dead tuple); the price is that a session may be judged idle
 * up to one touch interval early (auth_identify picks the interval).
 */
#define AUTH_TOKEN_TOUCH "60"

/* The first key of the throttle's advisory locks: "auth" in ASCII. */
#define AUTH_LOCK_CLASS "1635087464"

static const struct db_stmt st_session_get = {"auth_session_get",
    "WITH s AS (SELECT u.id::text AS id, u.username, u.user_type, "
    "s.csrf_token, s.last_seen, "
    "coalesce(extract(epoch FROM s.read_fence), 0)::float8 AS fence "
    "FROM public.sessions AS s "
    "JOIN public.users AS u ON u.id = s.user_id "
    "WHERE s.id_hash = $1 "
    "AND s.last_seen > now() - make_interval(secs => $2::float8) "
    "AND s.created_at > now() - make_interval(secs => $3::float8)), "
    "touch AS (UPDATE public.sessions SET last_seen = now() "
    "WHERE id_hash = $1 AND EXISTS (SELECT 1 FROM s "
    "WHERE s.last_seen <= now() - make_interval(secs => $4::float8))) "
    "SELECT id, username, user_type, csrf_token, fence FROM s",
    4};

static const struct db_stmt st_session_del = {
    "auth_session_del", "DELETE FROM public.sessions WHERE id_hash = $1", 1};

/* A new session for user $2, only if its password hash is still $5 (the
 * one just verified): a password reset meanwhile wins over the login. */
static const struct db_stmt st_session_new = {"auth_session_new",
    "INSERT INTO public.sessions (id_hash, user_id, csrf_token, "
    "client_addr) SELECT $1, u.id, $3, $4 FROM public.users AS u "
    "WHERE u.id = $2::uuid AND u.password = $5",
    5};

static const struct db_stmt st_session_purge = {"auth_session_purge",
    "DELETE FROM public.sessions "
    "WHERE last_seen <= now() - make_interval(secs => $1::float8) "
    "OR created_at <= now() - make_interval(secs => $2::float8)",
    2};

static const struct db_stmt st_session_del_user = {"auth_session_del_user",
    "DELETE FROM public.sessions WHERE user_id = $1::uuid "
    "AND ($2::bytea IS NULL OR id_hash <> $2::bytea)",
    2};

static const struct db_stmt st_token_get = {"auth_token_get",
    "WITH t AS (SELECT u.id::text AS id, u.username, u.user_type, "
    "t.last_used_at, t.id AS token_id, "
    "coalesce(extract(epoch FROM t.read_fence), 0)::float8 AS fence "
    "FROM public.api_tokens AS t "
    "JOIN public.users AS u ON u.id = t.user_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL "
    "AND (t.expires_at IS NULL OR t.expires_at > now())), "
    "touch AS (UPDATE public.api_tokens SET last_used_at = now() "
    "WHERE token_hash = $1 AND EXISTS (SELECT 1 FROM t "
    "WHERE t.last_used_at IS NULL OR t.last_used_at <= now() - "
    "interval '" AUTH_TOKEN_TOUCH " seconds')) "
    "SELECT id, username, user_type, token_id::text, fence FROM t",
    1};

/* $2: seconds from now by which a change about to be made has committed. */
static const struct db_stmt st_session_fence = {"auth_session_fence",
    "UPDATE public.sessions SET read_fence = clock_timestamp() + "
    "make_interval(secs => $2::float8) WHERE id_hash = $1",
    2};

static const struct db_stmt st_token_fence = {"auth_token_fence",
    "UPDATE public.api_tokens SET read_fence = clock_timestamp() + "
    "make_interval(secs => $2::float8) WHERE id = $1::bigint",
    2};

/* $4: seconds the token lives, 0 for ever. */
static const struct db_stmt st_token_new = {"auth_token_new",
    "INSERT INTO public.api_tokens (token_hash, user_id, name, expires_at) "
    "SELECT $1, u.id, $3, CASE WHEN $4::bigint > 0 "
    "THEN now() + make_interval(secs => $4::float8) END "
    "FROM public.users AS u WHERE u.username = $2",
    4};

static const struct db_stmt st_token_revoke_user = {"auth_token_revoke_user",
    "UPDATE public.api_tokens SET revoked_at = now() "
    "WHERE user_id = $1::uuid AND revoked_at IS NULL",
    1};

static const struct db_stmt st_token_revoke = {"auth_token_revoke",
    "UPDATE public.api_tokens SET revoked_at = now() "
    "WHERE token_hash = $1 AND revoked_at IS NULL",
    1};

/*
 * Serialise the attempts on one account ($1) and from one address ($2)
 * until the end of the transaction. The target list is evaluated left to
 * right, so every process takes the account's lock first: no two can each
 * hold the lock the other waits for.
 */
static const struct db_stmt st_attempt_lock = {"auth_attempt_lock",
    "SELECT pg_catalog.pg_advisory_xact_lock(" AUTH_LOCK_CLASS
    ", pg_catalog.hashtext($1)), "
    "pg_catalog.pg_advisory_xact_lock(" AUTH_LOCK_CLASS
    ", pg_catalog.hashtext($2))",
    2};

/*
 * Admit and count one attempt, or say how long to wait. Buckets: $1 the
 * account's, $2 the address's, $3 the pair's; $4 the account name; $5 the
 * window (s); $6, $7 the pair's and the address's limits; $8 the
 * account's free failures. Returns one row: the seconds to wait, 0 when
 * the attempt was admitted and counted in all three buckets.
 */
static const struct db_stmt st_attempt_begin = {"auth_attempt_begin",
    "WITH cur AS (SELECT bucket, failures, window_start, last_failure "
    "FROM public.login_attempts WHERE bucket IN ($1, $2, $3) "
    "AND failures > 0 "
    "AND window_start > now() - make_interval(secs => $5::float8)), "
    "wait AS (SELECT greatest(0, coalesce(max(CASE "
    "WHEN (bucket = $2 AND failures >= $7::int) "
    "OR (bucket = $3 AND failures >= $6::int) "
    "THEN extract(epoch FROM window_start "
    "+ make_interval(secs => $5::float8) - now()) "
    "WHEN bucket = $1 AND failures >= $8::int "
    "AND EXISTS (SELECT 1 FROM cur AS p WHERE p.bucket = $3) "
    "THEN extract(epoch FROM last_failure + make_interval(secs => "
    "least(power(2, least(failures - $8::int, 20)), $5::float8)) - now()) "
    "END), 0)) AS s FROM cur), "
    "bump AS (INSERT INTO public.login_attempts AS a (bucket, account, "
    "failures, window_start, last_failure) "
    "SELECT v.bucket, v.account, 1, now(), now() "
    "FROM (VALUES ($1, $4::text), ($2, NULL), ($3, $4::text)) "
    "AS v (bucket, account), wait WHERE wait.s = 0 "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "failures = CASE WHEN a.window_start <= now() - "
    "make_interval(secs => $5::float8) THEN 1 ELSE a.failures + 1 END, "
    "window_start = CASE WHEN a.window_start <= now() - "
    "make_interval(secs => $5::float8) THEN now() ELSE a.window_start END, "
    "last_failure = now()) "
    "SELECT least(ceil(s), $5::float8)::int FROM wait",
    8};

/*
 * A success: take back the attempt's count in the account's ($1) and the
 * address's ($2) buckets, clear the pair's ($3), and purge the buckets
 * whose window ($4 s) is over.
 */
static const struct db_stmt st_attempt_settle = {"auth_attempt_settle",
    "WITH done AS (DELETE FROM public.login_attempts WHERE bucket = $3 "
    "OR (bucket IN ($1, $2) AND failures <= 1) "
    "OR (bucket NOT IN ($1, $2) AND window_start <= now() - "
    "make_interval(secs => $4::float8))) "
    "UPDATE public.login_attempts SET failures = failures - 1 "
    "WHERE bucket IN ($1, $2) AND failures > 1",
    4};

/* encdb unlock: forget the failures counted on account $1. */
static const struct db_stmt st_attempt_unlock = {"auth_attempt_unlock",
    "DELETE FROM public.login_attempts WHERE account = $1", 1};

const char *
auth_strerror(enum auth_err err)
{
	if ((unsigned)err >= AUTH_ERR__MAX)
		return "unknown error";
	return auth_errs[err];
}

/* Map a db error to ours. */
static enum auth_err
auth_from_db(enum db_err e)
{
	switch (e) {
	case DB_OK:
		return AUTH_OK;
	case DB_UNAVAILABLE:
		return AUTH_ERR_UNAVAILABLE;
	case DB_NOTFOUND:
		return AUTH_ERR_INVALID;
	default:
		return AUTH_ERR_INTERNAL;
	}
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
auth_new_token(char out[AUTH_TOKEN_LEN + 1])
{
	uint8_t raw[33];
	size_t i, o = 0;
	uint32_t v;

	ef_random(raw, 32);
	raw[32] = 0;
	/* 32 bytes = 10 groups of 3 plus 2: 40 + 3 characters. */
	for (i = 0; i < 33; i += 3) {
		v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
		    (i + 2 < 33 ? raw[i + 2] : 0);
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		if (o < AUTH_TOKEN_LEN)
			out[o++] = b64url[(v >> 6) & 63];
		if (o < AUTH_TOKEN_LEN)
			out[o++] = b64url[v & 63];
	}
	out[AUTH_TOKEN_LEN] = '\0';
	ef_wipe(raw, sizeof(raw));
}

int
auth_token_shaped(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= AUTH_TOKEN_LEN || strchr(b64url, s[i]) == NULL)
			return 0;
	return i == AUTH_TOKEN_LEN;
}

/* SHA-256 of a token's text. */
static void
auth_hash(const char *token, uint8_t out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, token, strlen(token));
}

/* Fill who from a result row: id, username, user_type, csrf or token id,
 * read fence. */
static int
auth_fill(struct auth_who *who, PGresult *res, enum auth_via via)
{
	const char *id = PQgetvalue(res, 0, 0);
	const char *name = PQgetvalue(res, 0, 1);
	const char *type = PQgetvalue(res, 0, 2);

	if (strlen(id) != 36 || strlen(name) > AUTH_NAME_MAX)
		return -1;
	memcpy(who->user_id, id, 37);
	snprintf(who->username, sizeof(who->username), "%s", name);
	who->admin = strcmp(type, "admin") == 0;
	who->via = via;
	who->read_fence = strtod(PQgetvalue(res, 0, 4), NULL);
	if (via == AUTH_VIA_SESSION) {
		const char *csrf = PQgetvalue(res, 0, 3);
		if (!auth_token_shaped(csrf))
			return -1;
		memcpy(who->csrf, csrf, AUTH_TOKEN_LEN + 1);
	} else if (snprintf(who->token_id, sizeof(who->token_id), "%s",
	               PQgetvalue(res, 0, 3)) >= (int)sizeof(who->token_id))
		return -1;
	return 0;
}

const char *
auth_cookie_name(int https, int root)
{
	if (!https)
		return AUTH_COOKIE;
	return root ? "__Host-" AUTH_COOKIE : "__Secure-" AUTH_COOKIE;
}

enum auth_err
auth_identify(const char *cookie, const char *bearer, unsigned idle,
    unsigned max, struct auth_who *who)
{
	uint8_t hash[32];
	char sidle[16], smax[16], stouch[16];
	const char *vals[4];
	int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc = AUTH_ERR_INVALID;

	memset(who, 0, sizeof(*who));
	who->via = AUTH_VIA_NONE;
	if (bearer == NULL && cookie == NULL)
		return AUTH_ERR_NONE;

	/* A malformed value can match nothing: no query needed. */
	if (!auth_token_shaped(bearer != NULL ? bearer : cookie))
		return AUTH_ERR_INVALID;
	auth_hash(bearer != NULL ? bearer : cookie, hash);
	vals[0] = (const char *)hash;
	/* A token proven a moment ago, and nothing changed since: no query.
	 * Browser sessions are always checked, so that a logout holds at
	 * once in every process. */
	if (bearer != NULL && authcache_get(hash, AUTH_VIA_BEARER, who)) {
		rc = AUTH_OK;
		goto out;
	}

	if (bearer != NULL) {
		de = db_exec(&st_token_get, vals, lens, fmts, &res);
		if (de != DB_OK) {
			rc = auth_from_db(de);
			goto out;
		}
		if (PQntuples(res) != 1)
			goto out;
		if (auth_fill(who, res, AUTH_VIA_BEARER) == -1) {
			/* A row we cannot represent: not a usable login. */
			LOG_WARN("token of a user with an unusable name");
			goto out;
		}
		authcache_put(hash, who);
		rc = AUTH_OK;
		goto out;
	}

	snprintf(sidle, sizeof(sidle), "%u", idle);
	snprintf(smax, sizeof(smax), "%u", max);
	/* Refresh last_seen once per tenth of the idle time, at most once a
	 * minute: a session is then judged idle at most 10 % early. */
	snprintf(stouch, sizeof(stouch), "%u", idle / 10 < 60 ? idle / 10 : 60);
	vals[1] = sidle;
	vals[2] = smax;
	vals[3] = stouch;
	de = db_exec(&st_session_get, vals, lens, fmts, &res);
	if (de != DB_OK) {
		rc = auth_from_db(de);
		goto out;
	}
	if (PQntuples(res) != 1) {
		/* Unknown or expired: make sure an expired one is gone. */
		PQclear(res);
		res = NULL;
		de = db_exec(&st_session_del, vals, lens, fmts, NULL);
		if (de != DB_OK)
			rc = auth_from_db(de);
		goto out;
	}
	if (auth_fill(who, res, AUTH_VIA_SESSION) == -1) {
		LOG_WARN("session of a user with an unusable name");
		goto out;
	}
	memcpy(who->session_hash, hash, 32);
	rc = AUTH_OK;
out:
	/* The one cleanup point. */
	if (res != NULL)
		PQclear(res);
	if (rc != AUTH_OK) {
		ef_wipe(who, sizeof(*who));
		who->via = AUTH_VIA_NONE;
	}
	ef_wipe(hash, sizeof(hash));
	return rc;
}

enum auth_err
auth_fence(const struct auth_who *who, unsigned within_ms)
{
	char secs[32];
	const char *vals[2];
	int lens[2] = {32, 0}, fmts[2] = {1, 0};
	enum db_err de;

	snprintf(secs, sizeof(secs), "%.3f", within_ms / 1000.0);
	vals[1] = secs;
	if (who->via == AUTH_VIA_SESSION) {
		vals[0] = (const char *)who->session_hash;
		de = db_exec(&st_session_fence, vals, lens, fmts, NULL);
	} else if (who->via == AUTH_VIA_BEARER) {
		vals[0] = who->token_id;
		de = db_exec(&st_token_fence, vals, NULL, NULL, NULL);
	} else
		return AUTH_OK;
	return de == DB_OK ? AUTH_OK : auth_from_db(de);
}

int
auth_csrf_ok(const struct auth_who *who, const char *given)
{
	if (who->via != AUTH_VIA_SESSION)
		return 1;
	if (given == NULL || strlen(given) != AUTH_TOKEN_LEN)
		return 0;
	return ef_ct_equal(given, who->csrf, AUTH_TOKEN_LEN);
}

int
auth_double_submit_ok(const char *cookie, const char *given)
{
	if (!auth_token_shaped(cookie) || given == NULL ||
	    strlen(given) != AUTH_TOKEN_LEN)
		return 0;
	return ef_ct_equal(cookie, given, AUTH_TOKEN_LEN);
}

/* The three throttling buckets of one attempt (see the top of the file). */
struct auth_buckets {
	char user[8 + USERS_NAME_MAX + 1];                    /* user:<name> */
	char addr[8 + INET6_ADDRSTRLEN + 4];                  /* addr:<addr> */
	char pair[8 + INET6_ADDRSTRLEN + USERS_NAME_MAX + 5]; /* pair:... */
};

/*
 * Admit one attempt on the account username from the address bucket
 * already in b->addr, counting it as a failure in all three buckets, or
 * set *retry to the seconds to wait (then nothing is counted). One
 * transaction: the advisory locks, then the one statement that decides
 * and counts.
 */
static enum auth_err
auth_attempt_begin(
    const struct auth_buckets *b, const char *username, unsigned *retry)
{
	char win[16], pf[16], af[16], uf[16];
	const char *vals[8] = {
	    b->user, b->addr, b->pair, username, win, pf, af, uf};
	PGresult *res = NULL;
	enum db_err de;
	long v;

	snprintf(win, sizeof(win), "%d", AUTH_WINDOW);
	snprintf(pf, sizeof(pf), "%d", AUTH_PAIR_FAILS);
	snprintf(af, sizeof(af), "%d", AUTH_ADDR_FAILS);
	snprintf(uf, sizeof(uf), "%d", AUTH_USER_FREE);
	*retry = 0;
	if ((de = db_begin()) != DB_OK)
		return auth_from_db(de);
	if ((de = db_exec(&st_attempt_lock, vals, NULL, NULL, NULL)) != DB_OK ||
	    (de = db_exec(&st_attempt_begin, vals, NULL, NULL, &res)) !=
	        DB_OK) {
		(void)db_rollback();
		return auth_from_db(de);
	}
	v = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	PQclear(res);
	if (v < 0 || v > AUTH_WINDOW) {
		LOG_ERR("throttle: unexpected answer");
		(void)db_rollback();
		return AUTH_ERR_INTERNAL;
	}
	if ((de = db_commit()) != DB_OK)
		return auth_from_db(de);
	*retry = (unsigned)v;
	return AUTH_OK;
}

/* The attempt of b succeeded: take its count back (st_attempt_settle). */
static enum auth_err
auth_attempt_settle(const struct auth_buckets *b)
{
	char win[16];
	const char *vals[4] = {b->user, b->addr, b->pair, win};

	snprintf(win, sizeof(win), "%d", AUTH_WINDOW);
	return auth_from_db(
	    db_exec(&st_attempt_settle, vals, NULL, NULL, NULL));
}

enum auth_err
auth_unlock(const char *username, unsigned long *cleared)
{
	const char *vals[1] = {username};
	PGresult *res = NULL;
	enum db_err de;

	*cleared = 0;
	if ((de = db_exec(&st_attempt_unlock, vals, NULL, NULL, &res)) != DB_OK)
		return auth_from_db(de);
	*cleared = strtoul(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return AUTH_OK;
}

/*
 * The throttling bucket of a client address: "addr:<ip>" for IPv4 (and
 * anything unparsable, as given), "addr:<first 64 bits>::/64" for IPv6,
 * since one client usually holds a whole /64 and could rotate within it.
 */
static void
auth_addr_bucket(const char *addr, char *out, size_t outsz)
{
	uint8_t a6[16];
	char txt[INET6_ADDRSTRLEN];

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, a6) == 1) {
		memset(a6 + 8, 0, 8);
		if (inet_ntop(AF_INET6, a6, txt, sizeof(txt)) != NULL) {
			snprintf(out, outsz, "addr:%s/64", txt);
			return;
		}
	}
	snprintf(out, outsz, "addr:%s", addr);
}

static int
is_argon2(const char *stored)
{
	return stored != NULL && strncmp(stored, "$argon2id$", 10) == 0;
}

static void (*hash_hook)(enum auth_hash);

void
auth_set_hash_hook(void (*hook)(enum auth_hash))
{
	hash_hook = hook;
}

/* Tell the hook that a password was hashed to check it against stored. */
static void
note_hash(const char *stored)
{
	if (hash_hook != NULL)
		hash_hook(
		    is_argon2(stored) ? AUTH_HASH_ARGON2ID : AUTH_HASH_PBKDF2);
}

/* Hash password as the dummy stored hash says, for its cost; 0 (never a
 * match). */
static int
verify_dummy(const struct cfg *cfg, const char *password, const char *stored)
{
	int m;

	note_hash(stored);
	(void)ef_pw_verify(password, strlen(password), stored, cfg->legacy_salt,
	    cfg->legacy_saltlen, &m);
	return 0;
}

/*
 * Make every failed login cost the same, whoever the account: one Argon2id
 * and, while legacy hashes may remain (SECRET_KEY is set), one PBKDF2 of
 * the boilerplate's. Without this a wrong password for an account still
 * on its legacy hash would answer in PBKDF2 time (about twice Argon2id's),
 * unlike an unknown name or an upgraded account, and tell which accounts
 * exist and have not logged in since the takeover. A successful login
 * pays nothing extra: its timing tells the caller nothing it does not know.
 */
static void
equal_failure(
    const struct cfg *cfg, const char *password, int did_argon2, int did_legacy)
{
	if (!did_argon2)
		(void)verify_dummy(cfg, password, dummy_hash);
	if (!did_legacy && cfg->legacy_salt != NULL)
		(void)verify_dummy(cfg, password, dummy_legacy_hash);
}

/* Fill b for an attempt on username from addr. */
static void
auth_buckets_of(struct auth_buckets *b, const char *username, const char *addr)
{
	snprintf(b->user, sizeof(b->user), "user:%s", username);
	auth_addr_bucket(addr, b->addr, sizeof(b->addr));
	/* The address part (after "addr:") never holds a space. */
	snprintf(b->pair, sizeof(b->pair), "pair:%s %s", b->addr + 5, username);
}

enum auth_err
auth_password_check(const struct cfg *cfg, const char *username,
    const char *password, const char *addr, struct user *u, int *rehash,
    unsigned *retry_after)
{
	struct auth_buckets b;
	int found = 0, match = 0, did_argon2 = 0, did_legacy = 0;
	enum db_err de;
	enum ef_err ee;
	enum auth_err rc = AUTH_ERR_INTERNAL;

	memset(u, 0, sizeof(*u));
	*rehash = 0;
	*retry_after = 0;
	if (addr == NULL)
		addr = "";
	if (strlen(username) > USERS_NAME_MAX)
		return AUTH_ERR_BADLOGIN; /* no such name can exist */

	auth_buckets_of(&b, username, addr);
	if ((rc = auth_attempt_begin(&b, username, retry_after)) != AUTH_OK)
		goto out;
	if (*retry_after > 0) {
		rc = AUTH_ERR_THROTTLED;
		goto out;
	}

	de = users_find_by_username(cfg, username, NULL, u);
	if (de == DB_OK)
		found = 1;
	else if (de != DB_NOTFOUND) {
		rc = auth_from_db(de);
		goto out;
	}

	if (found && password[0] != '\0') {
		ee = users_check_password(cfg, u, password, &match, rehash);
		if (ee != EF_OK) {
			/* e.g. a legacy hash without SECRET_KEY: a failure. */
			LOG_WARN("user %s: password check: %s", u->id,
			    ef_strerror(ee));
			match = 0;
		} else {
			/* Verified: its hash was computed. */
			note_hash(u->password_hash);
			if (is_argon2(u->password_hash))
				did_argon2 = 1;
			else
				did_legacy = 1;
		}
	} else {
		/*
		 * The same work for an unknown user. An empty password is
		 * never accepted, even if a legacy hash of "" would match.
		 */
		match = verify_dummy(cfg, password, dummy_hash);
		did_argon2 = 1;
	}

	if (!match) {
		/* Counted already, by auth_attempt_begin. */
		if (password[0] != '\0')
			equal_failure(cfg, password, did_argon2, did_legacy);
		rc = AUTH_ERR_BADLOGIN;
		goto out;
	}
	rc = auth_attempt_settle(&b);
out:
	/* The one cleanup point. */
	if (rc != AUTH_OK) {
		users_clear(u);
		*rehash = 0;
	}
	return rc;
}

/*
 * After a verified login whose hash is due for renewal: store a fresh hash
 * of password in hash and in u's row, in place of the one verified
 * (compare-and-swap). AUTH_ERR_BADLOGIN when the stored hash changed since
 * it was verified (a reset meanwhile wins).
 */
static enum auth_err
auth_rehash(const struct cfg *cfg, const struct user *u, const char *password,
    char hash[EF_PW_HASH_MAX])
{
	enum db_err de;
	enum ef_err ee;

	if ((ee = ef_pw_hash(password, strlen(password), hash)) != EF_OK) {
		LOG_ERR("rehash: %s", ef_strerror(ee));
		return AUTH_ERR_INTERNAL;
	}
	de = users_set_password_hash(cfg, u->id, u->password_hash, hash);
	if (de == DB_NOTFOUND) {
		LOG_INFO("user %s: password changed during the login", u->id);
		return AUTH_ERR_BADLOGIN;
	}
	if (de != DB_OK)
		return auth_from_db(de);
	LOG_INFO("user %s: password hash upgraded to Argon2id", u->id);
	return AUTH_OK;
}

/*
 * Forget expired sessions, then start a brand-new one for u (never one the
 * client brought along), bound to the password hash bound: the cookie's
 * token in cookie, its hash and CSRF token in who. AUTH_ERR_BADLOGIN when
 * the hash changed or the user went since the password was verified.
 */
static enum auth_err
auth_session_start(const struct cfg *cfg, const struct user *u,
    const char *bound, const char *addr, struct auth_who *who,
    char cookie[AUTH_TOKEN_LEN + 1])
{
	char sidle[16], smax[16];
	const char *vals[5];
	int lens[5] = {32, 0, 0, 0, 0}, fmts[5] = {1, 0, 0, 0, 0};
	PGresult *res = NULL;
	enum auth_err rc;

	snprintf(sidle, sizeof(sidle), "%u", cfg->session_idle);
	snprintf(smax, sizeof(smax), "%u", cfg->session_max);
	vals[0] = sidle;
	vals[1] = smax;
	if ((rc = auth_from_db(db_exec(
	         &st_session_purge, vals, NULL, NULL, NULL))) != AUTH_OK)
		return rc;

	auth_new_token(cookie);
	auth_new_token(who->csrf);
	auth_hash(cookie, who->session_hash);
	vals[0] = (const char *)who->session_hash;
	vals[1] = u->id;
	vals[2] = who->csrf;
	vals[3] = addr;
	vals[4] = bound;
	if ((rc = auth_from_db(
	         db_exec(&st_session_new, vals, lens, fmts, &res))) != AUTH_OK)
		return rc;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		LOG_INFO("user %s: password changed during the login", u->id);
		rc = AUTH_ERR_BADLOGIN;
	}
	PQclear(res);
	return rc;
}

enum auth_err
auth_login(const struct cfg *cfg, const char *username, const char *password,
    const char *addr, struct auth_who *who, char cookie[AUTH_TOKEN_LEN + 1],
    unsigned *retry_after)
{
	struct user u;
	char hash[EF_PW_HASH_MAX];
	int rehash = 0;
	enum auth_err rc;

	memset(who, 0, sizeof(*who));
	hash[0] = '\0';
	cookie[0] = '\0';
	if (addr == NULL)
		addr = "";
	if ((rc = auth_password_check(cfg, username, password, addr, &u,
	         &rehash, retry_after)) != AUTH_OK)
		goto out;
	/* The session is bound to the hash verified, or to its rehash. */
	if (rehash && (rc = auth_rehash(cfg, &u, password, hash)) != AUTH_OK)
		goto out;
	if ((rc = auth_session_start(cfg, &u, rehash ? hash : u.password_hash,
	         addr, who, cookie)) != AUTH_OK)
		goto out;
	who->via = AUTH_VIA_SESSION;
	memcpy(who->user_id, u.id, sizeof(who->user_id));
	snprintf(who->username, sizeof(who->username), "%s", u.username);
	who->admin = strcmp(u.user_type, "admin") == 0;
out:
	/* The one cleanup point. */
	if (rc != AUTH_OK) {
		ef_wipe(cookie, AUTH_TOKEN_LEN + 1);
		ef_wipe(who, sizeof(*who));
	}
	ef_wipe(hash, sizeof(hash));
	users_clear(&u);
	return rc;
}

enum auth_err
auth_session_end(const uint8_t hash[32])
{
	const char *vals[1] = {(const char *)hash};
	int lens[1] = {32}, fmts[1] = {1};

	return auth_from_db(db_exec(&st_session_del, vals, lens, fmts, NULL));
}

enum auth_err
auth_sessions_end_user(const char *user_id, const uint8_t *keep)
{
	const char *vals[2] = {user_id, (const char *)keep};
	int lens[2] = {0, 32}, fmts[2] = {0, 1};

	return auth_from_db(
	    db_exec(&st_session_del_user, vals, lens, fmts, NULL));
}

enum auth_err
auth_token_create(const char *username, const char *name,
    unsigned long lifetime, char token[AUTH_TOKEN_LEN + 1])
{
	uint8_t h[32];
	char life[24];
	const char *vals[4];
	int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc;

	auth_new_token(token);
	auth_hash(token, h);
	vals[0] = (const char *)h;
	snprintf(life, sizeof(life), "%lu", lifetime);
	vals[1] = username;
	vals[2] = name;
	vals[3] = life;
	de = db_exec(&st_token_new, vals, lens, fmts, &res);
	if (de != DB_OK)
		rc = auth_from_db(de);
	else if (strcmp(PQcmdTuples(res), "1") != 0)
		rc = AUTH_ERR_INVALID; /* no such user */
	else
		rc = AUTH_OK;
	if (res != NULL)
		PQclear(res);
	if (rc != AUTH_OK)
		ef_wipe(token, AUTH_TOKEN_LEN + 1);
	ef_wipe(h, sizeof(h));
	return rc;
}

enum auth_err
auth_tokens_revoke_user(const char *user_id)
{
	const char *vals[1] = {user_id};

	return auth_from_db(
	    db_exec(&st_token_revoke_user, vals, NULL, NULL, NULL));
}

enum auth_err
auth_token_revoke(const char *token)
{
	uint8_t h[32];
	const char *vals[1] = {(const char *)h};
	int lens[1] = {32}, fmts[1] = {1};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc;

	if (!auth_token_shaped(token))
		return AUTH_ERR_INVALID;
	auth_hash(token, h);
	de = db_exec(&st_token_revoke, vals, lens, fmts, &res);
	if (de != DB_OK)
		rc = auth_from_db(de);
	else if (strcmp(PQcmdTuples(res), "1") != 0)
		rc = AUTH_ERR_INVALID;
	else
		rc = AUTH_OK;
	if (res != NULL)
		PQclear(res);
	ef_wipe(h, sizeof(h));
	return rc;
}
